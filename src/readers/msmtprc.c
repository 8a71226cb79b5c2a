/* msmtprc.c - the accounts of an msmtp configuration.
 *
 * `defaults` settings apply to every account that follows; `account X :
 * Y, Z` starts from those, then takes Y's and Z's settings, then its own.
 * msmtp's TLS: `tls` (default off; "tls" alone is on), `tls_starttls`
 * (default on): tls on + tls_starttls off is implicit TLS, tls on alone is
 * STARTTLS.  Default port 25, or 465 for implicit TLS.  A fix edits a
 * setting only on a line of the account's own block; an inherited value
 * is overridden by a line inserted into the block instead, so that the
 * other accounts sharing it stay as they are.
 */
#include "config.h"

#include "readers/readers.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/i18n.h"

#include <stdlib.h>
#include <string.h>

enum ms_key { K_HOST, K_PORT, K_TLS, K_STARTTLS, K_TRUST, K_FPR, K_USER, K_AUTH, K_COUNT };
static const char *const key_names[K_COUNT] = {
    "host", "port", "tls", "tls_starttls", "tls_trust_file", "tls_fingerprint", "user", "auth",
};

struct setting {
	char *value; /* NULL: unset */
	struct rd_pos at;
	bool own;
};

struct macct {
	char *name;
	struct rd_pos at; /* the account line */
	struct setting s[K_COUNT];
};

#define MSMTP_MAX_ACCOUNTS 256

static void copy_settings(struct macct *to, const struct macct *from)
{
	for (int k = 0; k < K_COUNT; k++) {
		if (!from->s[k].value)
			continue;
		free(to->s[k].value);
		to->s[k].value = xstrdup(from->s[k].value);
		to->s[k].at = from->s[k].at;
		to->s[k].own = false;
	}
}

/* unquote: msmtp's argument: "..." with backslash escapes, or the rest of
 * the line. */
static char *unquote(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n < 1 || s[0] != '"')
		return xstrndup(s, n);
	struct buf b = {0};
	for (size_t i = 1; i < n && s[i] != '"'; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		buf_addc(&b, s[i]);
	}
	return buf_steal(&b);
}

static bool on(const struct setting *s, bool dflt)
{
	if (!s->value)
		return dflt;
	return s->value[0] == '\0' || strcmp(s->value, "on") == 0;
}

void rd_read_msmtprc(struct rd_config *c, int file)
{
	struct macct *acc = xcalloc(MSMTP_MAX_ACCOUNTS + 1, sizeof *acc);
	size_t nacc = 1; /* acc[0]: defaults */
	struct macct *cur = NULL;
	size_t off = 0;
	struct rd_line l = {0};
	const struct rd_file *f = &c->files[file];
	while (rd_next_line(f->text, f->len, &off, &l)) {
		const char *kw, *s, *end;
		size_t kwlen;
		if (!rd_keyword(&l, &kw, &kwlen, &s, &end))
			continue;
		struct rd_pos at = {file, l.no};
		if (kwlen == 8 && strncmp(kw, "defaults", 8) == 0) {
			cur = &acc[0];
			continue;
		}
		if (kwlen == 7 && strncmp(kw, "account", 7) == 0) {
			if (nacc > MSMTP_MAX_ACCOUNTS) {
				rd_note(c, file, l.no,
				        _("too many accounts; the rest were skipped"));
				cur = NULL;
				break;
			}
			const char *colon = memchr(s, ':', (size_t)(end - s));
			const char *ne = colon ? colon : end;
			while (ne > s && (ne[-1] == ' ' || ne[-1] == '\t'))
				ne--;
			cur = &acc[nacc++];
			cur->name = xstrndup(s, (size_t)(ne - s));
			cur->at = at;
			copy_settings(cur, &acc[0]);
			if (colon) {
				/* "account X : Y, Z" */
				char *parents = xstrndup(colon + 1, (size_t)(end - colon - 1)),
				     *save;
				for (char *p = strtok_r(parents, ", \t", &save); p;
				     p = strtok_r(NULL, ", \t", &save)) {
					size_t k = 1;
					while (k < nacc - 1 && strcmp(acc[k].name, p) != 0)
						k++;
					if (k < nacc - 1)
						copy_settings(cur, &acc[k]);
					else
						rd_note(
						    c, file, l.no,
						    _("account %s inherits from %s, which is not "
						      "defined before it"),
						    cur->name, p);
				}
				free(parents);
			}
			continue;
		}
		int k = 0;
		while (k < K_COUNT &&
		       !(strlen(key_names[k]) == kwlen && strncmp(key_names[k], kw, kwlen) == 0))
			k++;
		if (k == K_COUNT || !cur)
			continue;
		free(cur->s[k].value);
		cur->s[k].value = unquote(s, (size_t)(end - s));
		cur->s[k].at = at;
		cur->s[k].own = true;
	}
	for (size_t i = 1; i < nacc; i++) {
		struct macct *a = &acc[i];
		if (!a->s[K_HOST].value || !a->s[K_HOST].value[0])
			continue;
		struct rd_server *sv = rd_add_server(c);
		if (!sv)
			break;
		bool tls = on(&a->s[K_TLS], false), starttls = on(&a->s[K_STARTTLS], true);
		free(sv->account);
		sv->account = xstrdup(a->name);
		sv->proto = PROTO_SMTP;
		sv->host = xstrdup(a->s[K_HOST].value);
		sv->security = !tls ? SEC_PLAIN : starttls ? SEC_STARTTLS : SEC_TLS;
		sv->port = sv->security == SEC_TLS ? 465 : 25;
		if (a->s[K_PORT].value) {
			long p = strtol(a->s[K_PORT].value, NULL, 10);
			if (p >= 1 && p <= 65535)
				sv->port = (uint16_t)p;
			else
				rd_note(c, a->s[K_PORT].at.file, a->s[K_PORT].at.line,
				        _("port %s is not a port number"), a->s[K_PORT].value);
		}
		sv->at = a->s[K_HOST].at;
		sv->anchor = a->s[K_HOST].own ? a->s[K_HOST].at : a->at;
		sv->sec_at = a->s[K_STARTTLS].at;
		sv->sec_own = a->s[K_STARTTLS].own;
		sv->tls_at = a->s[K_TLS].at;
		sv->tls_own = a->s[K_TLS].own;
		sv->tls_off = !tls;
		sv->port_at = a->s[K_PORT].at;
		sv->port_own = a->s[K_PORT].own;
		if (a->s[K_USER].value)
			sv->user = xstrdup(a->s[K_USER].value);
		const char *trust = a->s[K_TRUST].value;
		if (trust && trust[0] && strcmp(trust, "system") != 0) {
			sv->cafile = xstrdup(trust);
			sv->cafile_only = true;
		}
		if (a->s[K_FPR].value && a->s[K_FPR].value[0])
			sv->pin = xstrdup(a->s[K_FPR].value);
	}
	for (size_t i = 0; i < nacc; i++) {
		free(acc[i].name);
		for (int k = 0; k < K_COUNT; k++)
			free(acc[i].s[k].value);
	}
	free(acc);
}

/* set_value: line at keeps its keyword and spacing; its value becomes v. */
static bool set_value(const struct rd_config *c, struct rd_edits *out, struct rd_pos at,
                      const char *v)
{
	struct rd_edit *e = rd_edit_line(c, out, at.file, at.line);
	if (!e)
		return false;
	const char *s = e->old_text;
	size_t i = 0, n = strlen(s);
	bool cr = n && s[n - 1] == '\r';
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
		i++;
	size_t kw_end = i;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	char *nt = xasprintf("%.*s%s%s%s", (int)i, s, i == kw_end ? " " : "", v, cr ? "\r" : "");
	free(e->new_text);
	e->new_text = nt;
	return true;
}

/* want: setting at (own or inherited) should read v. */
static bool want(const struct rd_config *c, const struct rd_server *s, struct rd_edits *out,
                 struct rd_pos at, bool own, const char *kw, const char *v, bool already)
{
	if (already)
		return true;
	if (at.line && own)
		return set_value(c, out, at, v);
	char *line = xasprintf("%s %s", kw, v);
	bool ok = rd_edit_insert_after(c, out, s->anchor, line);
	free(line);
	return ok;
}

bool rd_fix_msmtprc(const struct rd_config *c, const struct rd_server *s, enum ms_security sec,
                    uint16_t port, struct rd_edits *out, const char **why)
{
	bool ok = want(c, s, out, s->tls_at, s->tls_own, "tls", "on", !s->tls_off);
	bool starttls_now = true; /* msmtp's default */
	if (s->sec_at.line) {
		const struct rd_file *f = &c->files[s->sec_at.file];
		char *t = rd_line(f->text, f->len, s->sec_at.line);
		starttls_now = !(t && strstr(t, "off"));
		free(t);
	}
	ok = ok && want(c, s, out, s->sec_at, s->sec_own, "tls_starttls",
	                sec == SEC_TLS ? "off" : "on", (sec == SEC_STARTTLS) == starttls_now);
	uint16_t dflt = sec == SEC_TLS ? 465 : 25;
	if (ok && port != s->port) {
		char v[8];
		snprintf(v, sizeof v, "%u", (unsigned)port);
		ok = want(c, s, out, s->port_at, s->port_own, "port", v, false);
	} else if (ok && !s->port_at.line && port != dflt) {
		/* The default port changes with the mode: write the tested one. */
		char v[8];
		snprintf(v, sizeof v, "%u", (unsigned)port);
		ok = want(c, s, out, s->port_at, false, "port", v, false);
	}
	if (!ok)
		*why = _("the account's lines could not be found");
	return ok;
}
