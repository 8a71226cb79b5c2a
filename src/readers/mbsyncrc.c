/* mbsyncrc.c - the IMAP accounts of an isync/mbsync configuration.
 *
 * An IMAPAccount section (or an IMAPStore that names its own Host) gives
 * Host, Port, User, SSLType or TLSType (None, STARTTLS, IMAPS; the
 * default is STARTTLS), CertificateFile.  A section ends where the next
 * one starts.  A Tunnel runs a command instead of connecting: it is
 * noted, never run.  Keywords are case-insensitive.  Default port 993
 * for IMAPS, 143 otherwise.
 */
#include "config.h"

#include "readers/readers.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/i18n.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { M_HOST, M_PORT, M_USER, M_TYPE, M_CERT, M_TUNNEL, M_COUNT };

struct msec {
	char *name;
	struct rd_pos at;
	char *v[M_COUNT];
	struct rd_pos vat[M_COUNT];
	char type_kw[16];
};

static char *value_of(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		return xstrndup(s + 1, n - 2);
	return xstrndup(s, n);
}

static void finish(struct rd_config *c, struct msec *m)
{
	if (m->name && m->v[M_TUNNEL])
		rd_note(c, m->vat[M_TUNNEL].file, m->vat[M_TUNNEL].line,
		        _("account %s connects through a command (Tunnel); it was not run or "
		          "tested"),
		        m->name);
	else if (m->name && m->v[M_HOST] && m->v[M_HOST][0]) {
		struct rd_server *s = rd_add_server(c);
		if (s) {
			const char *t = m->v[M_TYPE];
			free(s->account);
			s->account = xstrdup(m->name);
			s->proto = PROTO_IMAP;
			s->host = xstrdup(m->v[M_HOST]);
			s->security = !t || strcasecmp(t, "STARTTLS") == 0 ? SEC_STARTTLS
			              : strcasecmp(t, "IMAPS") == 0        ? SEC_TLS
			                                                   : SEC_PLAIN;
			s->port = s->security == SEC_TLS ? 993 : 143;
			if (m->v[M_PORT]) {
				long p = strtol(m->v[M_PORT], NULL, 10);
				if (p >= 1 && p <= 65535)
					s->port = (uint16_t)p;
			}
			if (m->v[M_USER])
				s->user = xstrdup(m->v[M_USER]);
			if (m->v[M_CERT])
				s->cafile = xstrdup(m->v[M_CERT]);
			s->at = s->anchor = m->vat[M_HOST];
			s->sec_at = m->vat[M_TYPE];
			s->port_at = m->vat[M_PORT];
			s->sec_own = s->port_own = true;
			s->key = xstrdup(m->type_kw[0] ? m->type_kw : "SSLType");
		}
	}
	free(m->name);
	for (int k = 0; k < M_COUNT; k++)
		free(m->v[k]);
	memset(m, 0, sizeof *m);
}

void rd_read_mbsyncrc(struct rd_config *c, int file)
{
	static const char *const sections[] = {"IMAPAccount", "IMAPStore", "MaildirStore",
	                                       "Channel",     "Group",     "Account"};
	static const struct {
		const char *kw;
		int id;
	} keys[] = {{"Host", M_HOST},    {"Port", M_PORT},    {"User", M_USER},
	            {"SSLType", M_TYPE}, {"TLSType", M_TYPE}, {"CertificateFile", M_CERT},
	            {"Tunnel", M_TUNNEL}};
	const struct rd_file *f = &c->files[file];
	struct msec m = {0};
	size_t off = 0;
	struct rd_line l = {0};
	while (rd_next_line(f->text, f->len, &off, &l)) {
		const char *kw, *s, *end;
		size_t kl;
		if (!rd_keyword(&l, &kw, &kl, &s, &end))
			continue;
		bool section = false;
		for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
			if (strlen(sections[i]) == kl && strncasecmp(sections[i], kw, kl) == 0) {
				finish(c, &m);
				section = true;
				/* IMAPAccount X, or an IMAPStore with its own Host. */
				if (i < 2) {
					m.name = value_of(s, (size_t)(end - s));
					m.at = (struct rd_pos){file, l.no};
				}
			}
		if (section || !m.name)
			continue;
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			if (strlen(keys[i].kw) == kl && strncasecmp(keys[i].kw, kw, kl) == 0) {
				int id = keys[i].id;
				free(m.v[id]);
				m.v[id] = value_of(s, (size_t)(end - s));
				m.vat[id] = (struct rd_pos){file, l.no};
				if (id == M_TYPE)
					snprintf(m.type_kw, sizeof m.type_kw, "%.*s", (int)kl, kw);
			}
	}
	finish(c, &m);
}

static bool set_line(const struct rd_config *c, const struct rd_server *s, struct rd_edits *out,
                     struct rd_pos at, const char *kw, const char *v)
{
	if (!at.line) {
		char *line = xasprintf("%s %s", kw, v);
		bool ok = rd_edit_insert_after(c, out, s->anchor, line);
		free(line);
		return ok;
	}
	struct rd_edit *e = rd_edit_line(c, out, at.file, at.line);
	if (!e)
		return false;
	const char *t = e->old_text;
	size_t n = strlen(t), i = 0;
	bool cr = n && t[n - 1] == '\r';
	while (i < n && (t[i] == ' ' || t[i] == '\t'))
		i++;
	while (i < n && t[i] != ' ' && t[i] != '\t')
		i++;
	size_t kw_end = i;
	while (i < n && (t[i] == ' ' || t[i] == '\t'))
		i++;
	char *nt = xasprintf("%.*s%s%s%s", (int)i, t, i == kw_end ? " " : "", v, cr ? "\r" : "");
	free(e->new_text);
	e->new_text = nt;
	return true;
}

bool rd_fix_mbsyncrc(const struct rd_config *c, const struct rd_server *s, enum ms_security sec,
                     uint16_t port, struct rd_edits *out, const char **why)
{
	bool ok = set_line(c, s, out, s->sec_at, s->key, sec == SEC_TLS ? "IMAPS" : "STARTTLS");
	uint16_t dflt = sec == SEC_TLS ? 993 : 143;
	if (ok && (port != s->port || (!s->port_at.line && port != dflt))) {
		char v[8];
		snprintf(v, sizeof v, "%u", (unsigned)port);
		ok = set_line(c, s, out, s->port_at, "Port", v);
	}
	if (!ok)
		*why = _("the account's lines could not be read back");
	return ok;
}
