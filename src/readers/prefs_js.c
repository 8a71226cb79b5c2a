/* prefs_js.c - the mail servers of a Thunderbird profile's prefs.js.
 *
 * Incoming servers are mail.server.KEY.* with type imap or pop3,
 * hostname, port, socketType and userName; outgoing ones are
 * mail.smtpserver.KEY.* (mail.outgoingserver.KEY.* in newer releases)
 * with hostname, port, try_ssl and username.  Codes: 0 plain, 2
 * STARTTLS, 3 SSL/TLS (1, an old "STARTTLS if offered", counts as
 * STARTTLS).  A fix rewrites only the number of a socketType/try_ssl or
 * port line, or inserts the line after the server's hostname when the
 * profile relies on the default.
 */
#include "config.h"

#include "readers/readers.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/i18n.h"

#include <stdlib.h>
#include <string.h>

struct pref {
	char *name;
	char *value; /* a string's contents, or the literal (number, true) */
	int line;
};

/* js_str: a JavaScript string literal at *p (either quote) into out. */
static bool js_str(const char **pp, const char *end, struct buf *out)
{
	const char *p = *pp;
	if (p >= end || (*p != '"' && *p != '\''))
		return false;
	char q = *p++;
	while (p < end && *p != q) {
		if (*p == '\\' && p + 1 < end) {
			p++;
			switch (*p) {
			case 'n':
				buf_addc(out, '\n');
				break;
			case 't':
				buf_addc(out, '\t');
				break;
			case 'u':
			case 'x':
				/* Not needed for host names, ports and codes: keep as is. */
				buf_addc(out, '\\');
				buf_addc(out, *p);
				break;
			default:
				buf_addc(out, *p);
			}
			p++;
		} else {
			buf_addc(out, *p++);
		}
	}
	if (p >= end)
		return false;
	*pp = p + 1;
	return true;
}

/* parse_pref: user_pref("name", value); with the value's place in the
 * line (for editing it). */
static bool parse_pref(const char *s, size_t n, struct buf *name, struct buf *value, size_t *vstart,
                       size_t *vend)
{
	const char *p = s, *end = s + n;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(end - p) >= 10 && strncmp(p, "user_pref(", 10) == 0)
		p += 10;
	else if ((size_t)(end - p) >= 5 && strncmp(p, "pref(", 5) == 0)
		p += 5;
	else
		return false;
	while (p < end && *p == ' ')
		p++;
	if (!js_str(&p, end, name))
		return false;
	while (p < end && (*p == ' ' || *p == ','))
		p++;
	*vstart = (size_t)(p - s);
	if (p < end && (*p == '"' || *p == '\'')) {
		if (!js_str(&p, end, value))
			return false;
	} else {
		const char *v = p;
		while (p < end && *p != ')' && *p != ' ')
			p++;
		buf_add(value, v, (size_t)(p - v));
	}
	*vend = (size_t)(p - s);
	return name->len > 0;
}

struct tb {
	struct pref *v;
	size_t n;
};

static const struct pref *find(const struct tb *t, const char *key, const char *field)
{
	size_t kl = strlen(key);
	for (size_t i = t->n; i-- > 0;) {
		const char *nm = t->v[i].name;
		if (strncmp(nm, key, kl) == 0 && nm[kl] == '.' && strcmp(nm + kl + 1, field) == 0)
			return &t->v[i];
	}
	return NULL;
}

static void add_server(struct rd_config *c, int file, const struct tb *t, const char *key,
                       enum ms_proto proto)
{
	bool out = proto == PROTO_SMTP;
	const struct pref *host = find(t, key, "hostname");
	if (!host || !host->value[0])
		return;
	const struct pref *sock = find(t, key, out ? "try_ssl" : "socketType");
	const struct pref *port = find(t, key, "port");
	const struct pref *user = find(t, key, out ? "username" : "userName");
	const struct pref *label = out ? find(t, key, "description") : find(t, key, "name");
	struct rd_server *s = rd_add_server(c);
	if (!s)
		return;
	int code = sock ? atoi(sock->value) : 0;
	s->proto = proto;
	s->host = xstrdup(host->value);
	s->security = code == 3 ? SEC_TLS : code == 2 || code == 1 ? SEC_STARTTLS : SEC_PLAIN;
	long p = port ? strtol(port->value, NULL, 10) : 0;
	if (p >= 1 && p <= 65535)
		s->port = (uint16_t)p;
	else
		s->port = proto == PROTO_IMAP   ? (s->security == SEC_TLS ? 993 : 143)
		          : proto == PROTO_POP3 ? (s->security == SEC_TLS ? 995 : 110)
		                                : (s->security == SEC_TLS ? 465 : 587);
	free(s->account);
	const char *k = strrchr(key, '.') + 1;
	s->account = xstrdup(label && label->value[0] ? label->value : k);
	if (user && user->value[0])
		s->user = xstrdup(user->value);
	s->at = s->anchor = (struct rd_pos){file, host->line};
	if (sock)
		s->sec_at = (struct rd_pos){file, sock->line};
	if (port)
		s->port_at = (struct rd_pos){file, port->line};
	s->sec_own = s->port_own = true;
	s->key = xstrdup(key);
}

void rd_read_prefs_js(struct rd_config *c, int file)
{
	struct tb t = {0};
	const struct rd_file *f = &c->files[file];
	size_t off = 0;
	struct rd_line l = {0};
	struct buf name = {0}, value = {0};
	while (rd_next_line(f->text, f->len, &off, &l)) {
		buf_reset(&name);
		buf_reset(&value);
		size_t a, b;
		if (!parse_pref(l.s, l.len, &name, &value, &a, &b))
			continue;
		if (strncmp(name.data, "mail.", 5) != 0)
			continue;
		t.v = xrealloc(t.v, (t.n + 1) * sizeof *t.v);
		t.v[t.n++] =
		    (struct pref){xstrdup(name.data), xstrdup(value.data ? value.data : ""), l.no};
	}
	buf_free(&name);
	buf_free(&value);
	static const char *const out_branches[] = {"mail.smtpserver.", "mail.outgoingserver."};
	for (size_t i = 0; i < t.n; i++) {
		const char *nm = t.v[i].name;
		const char *dot = strrchr(nm, '.');
		if (strncmp(nm, "mail.server.", 12) == 0 && strcmp(dot, ".type") == 0 &&
		    dot > nm + 12) {
			char *key = xstrndup(nm, (size_t)(dot - nm));
			if (strcmp(t.v[i].value, "imap") == 0)
				add_server(c, file, &t, key, PROTO_IMAP);
			else if (strcmp(t.v[i].value, "pop3") == 0)
				add_server(c, file, &t, key, PROTO_POP3);
			free(key);
		}
		for (size_t b = 0; b < 2; b++) {
			size_t bl = strlen(out_branches[b]);
			if (strncmp(nm, out_branches[b], bl) == 0 &&
			    strcmp(dot, ".hostname") == 0 && dot > nm + bl &&
			    !memchr(nm + bl, '.', (size_t)(dot - nm - bl))) {
				char *key = xstrndup(nm, (size_t)(dot - nm));
				/* The same key listed twice in the file counts once. */
				bool seen = false;
				for (size_t k = 0; k < c->nservers; k++)
					if (c->servers[k].key &&
					    strcmp(c->servers[k].key, key) == 0)
						seen = true;
				if (!seen)
					add_server(c, file, &t, key, PROTO_SMTP);
				free(key);
			}
		}
	}
	for (size_t i = 0; i < t.n; i++) {
		free(t.v[i].name);
		free(t.v[i].value);
	}
	free(t.v);
}

/* set_number: the pref's value on its line becomes n; or a new line. */
static bool set_number(const struct rd_config *c, const struct rd_server *s, struct rd_edits *out,
                       struct rd_pos at, const char *field, unsigned n)
{
	if (!at.line) {
		char *line = xasprintf("user_pref(\"%s.%s\", %u);", s->key, field, n);
		bool ok = rd_edit_insert_after(c, out, s->anchor, line);
		free(line);
		return ok;
	}
	struct rd_edit *e = rd_edit_line(c, out, at.file, at.line);
	if (!e)
		return false;
	struct buf name = {0}, value = {0};
	size_t a, b;
	bool ok = parse_pref(e->old_text, strlen(e->old_text), &name, &value, &a, &b);
	if (ok) {
		char *nt = xasprintf("%.*s%u%s", (int)a, e->old_text, n, e->old_text + b);
		free(e->new_text);
		e->new_text = nt;
	}
	buf_free(&name);
	buf_free(&value);
	return ok;
}

bool rd_fix_prefs_js(const struct rd_config *c, const struct rd_server *s, enum ms_security sec,
                     uint16_t port, struct rd_edits *out, const char **why)
{
	bool ok =
	    set_number(c, s, out, s->sec_at, s->proto == PROTO_SMTP ? "try_ssl" : "socketType",
	               sec == SEC_TLS ? 3 : 2);
	if (ok && (port != s->port || !s->port_at.line))
		ok = set_number(c, s, out, s->port_at, "port", port);
	if (!ok)
		*why = _("the server's lines in prefs.js could not be read back");
	return ok;
}
