/* aerc.c - the accounts of aerc's accounts.conf.
 *
 * Each [section] is an account; `source` (imap://, imaps://,
 * imap+insecure://, with optional +auth suffixes) and `outgoing`
 * (smtp://, smtps://, smtp+insecure://...) name its servers.  aerc's
 * imap:// and smtp:// use STARTTLS; "+insecure" is plaintext.  Default
 * ports 143/993 and 587/465.  An outgoing program (a path or command
 * line) is noted, never run.
 */
#include "config.h"

#include "readers/readers.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/i18n.h"

#include <stdlib.h>
#include <string.h>

/* scheme_kind: "imaps+oauthbearer" -> proto, security; the suffixes other
 * than +insecure are kept in *rest ("+oauthbearer"). */
static bool scheme_kind(const char *scheme, enum ms_proto *proto, enum ms_security *sec,
                        const char **rest)
{
	size_t n = strcspn(scheme, "+");
	*rest = scheme + n;
	bool insecure = strstr(scheme + n, "+insecure") != NULL;
	if (n == 4 && strncmp(scheme, "imap", 4) == 0)
		*proto = PROTO_IMAP, *sec = insecure ? SEC_PLAIN : SEC_STARTTLS;
	else if (n == 5 && strncmp(scheme, "imaps", 5) == 0)
		*proto = PROTO_IMAP, *sec = SEC_TLS;
	else if (n == 4 && strncmp(scheme, "smtp", 4) == 0)
		*proto = PROTO_SMTP, *sec = insecure ? SEC_PLAIN : SEC_STARTTLS;
	else if (n == 5 && strncmp(scheme, "smtps", 5) == 0)
		*proto = PROTO_SMTP, *sec = SEC_TLS;
	else
		return false;
	return true;
}

static uint16_t std_port(enum ms_proto p, enum ms_security s)
{
	if (p == PROTO_IMAP)
		return s == SEC_TLS ? 993 : 143;
	return s == SEC_TLS ? 465 : 587;
}

static void add(struct rd_config *c, const char *account, const char *value, struct rd_pos at,
                bool outgoing)
{
	struct rd_url u;
	if (!strstr(value, "://") || !rd_url_parse(value, &u)) {
		if (outgoing && value[0])
			rd_note(
			    c, at.file, at.line,
			    _("account %s sends through a program (%s); it was not run or tested"),
			    account, value);
		return;
	}
	enum ms_proto proto;
	enum ms_security sec;
	const char *rest;
	if (!scheme_kind(u.scheme, &proto, &sec, &rest) || (proto == PROTO_SMTP) != outgoing) {
		rd_url_free(&u);
		return; /* maildir://, notmuch://, jmap://... */
	}
	struct rd_server *s = rd_add_server(c);
	if (s) {
		free(s->account);
		s->account = xstrdup(account);
		s->proto = proto;
		s->security = sec;
		s->host = xstrdup(u.host);
		s->port = u.port ? u.port : std_port(proto, sec);
		s->user = u.user ? xstrdup(u.user) : NULL;
		s->url = xstrdup(value);
		s->at = s->sec_at = s->port_at = s->anchor = at;
		s->sec_own = s->port_own = true;
	}
	rd_url_free(&u);
}

void rd_read_aerc(struct rd_config *c, int file)
{
	const struct rd_file *f = &c->files[file];
	char *account = NULL;
	size_t off = 0;
	struct rd_line l = {0};
	while (rd_next_line(f->text, f->len, &off, &l)) {
		const char *s = l.s, *end = l.s + l.len;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (s == end || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			const char *rb = memchr(s, ']', (size_t)(end - s));
			free(account);
			account = rb ? xstrndup(s + 1, (size_t)(rb - s - 1)) : NULL;
			continue;
		}
		const char *eq = memchr(s, '=', (size_t)(end - s));
		if (!eq || !account)
			continue;
		const char *ke = eq;
		while (ke > s && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		const char *v = eq + 1;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		size_t kl = (size_t)(ke - s);
		char *value = xstrndup(v, (size_t)(end - v));
		struct rd_pos at = {file, l.no};
		if (kl == 6 && strncmp(s, "source", 6) == 0)
			add(c, account, value, at, false);
		else if (kl == 8 && strncmp(s, "outgoing", 8) == 0)
			add(c, account, value, at, true);
		free(value);
	}
	free(account);
}

bool rd_fix_aerc(const struct rd_config *c, const struct rd_server *s, enum ms_security sec,
                 uint16_t port, struct rd_edits *out, const char **why)
{
	struct rd_edit *e = rd_edit_line(c, out, s->at.file, s->at.line);
	char *hit = e && s->url ? strstr(e->new_text, s->url) : NULL;
	struct rd_url u;
	if (!hit || !rd_url_parse(s->url, &u)) {
		*why = _("the server's URL is not written out on its line");
		return false;
	}
	enum ms_proto proto;
	enum ms_security old;
	const char *rest;
	scheme_kind(u.scheme, &proto, &old, &rest);
	struct buf scheme = {0};
	buf_adds(&scheme, proto == PROTO_IMAP ? "imap" : "smtp");
	if (sec == SEC_TLS)
		buf_addc(&scheme, 's');
	/* Keep the authentication suffixes, drop +insecure. */
	char *suffixes = xstrdup(rest), *save = NULL;
	for (char *t = strtok_r(suffixes, "+", &save); t; t = strtok_r(NULL, "+", &save))
		if (strcmp(t, "insecure") != 0)
			buf_addf(&scheme, "+%s", t);
	free(suffixes);
	bool had_port = u.port != 0;
	rd_url_free(&u);
	char *nu = rd_url_rewrite(s->url, scheme.data,
	                          had_port || port != std_port(proto, sec) ? port : 0);
	buf_free(&scheme);
	struct buf b = {0};
	buf_add(&b, e->new_text, (size_t)(hit - e->new_text));
	buf_adds(&b, nu);
	buf_adds(&b, hit + strlen(s->url));
	free(e->new_text);
	e->new_text = buf_steal(&b);
	free(nu);
	return true;
}
