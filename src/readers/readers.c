/* readers.c - what every reader shares: the configuration model, mail
 * URLs, line iteration and the edits (contract in readers.h). */
#include "config.h"

#include "readers/readers.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/i18n.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *rd_client_name(enum rd_client c)
{
	static const char *const names[] = {
	    [RD_MUTT] = "mutt",     [RD_MSMTP] = "msmtp", [RD_THUNDERBIRD] = "thunderbird",
	    [RD_MBSYNC] = "mbsync", [RD_AERC] = "aerc",
	};
	return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}

/* ---- the model ---------------------------------------------------------------- */

int rd_add_file(struct rd_config *c, const char *path, const char *text, size_t len)
{
	if (len > RD_MAX_FILE)
		len = RD_MAX_FILE;
	/* No configuration format holds a NUL byte: what follows one is not
	 * read (and can then never be edited by mistake). */
	len = strnlen(text, len);
	c->files = xrealloc(c->files, (c->nfiles + 1) * sizeof *c->files);
	struct rd_file *f = &c->files[c->nfiles];
	f->path = xstrdup(path);
	f->text = xmalloc(len + 1);
	memcpy(f->text, text, len);
	f->text[len] = '\0';
	f->len = len;
	return (int)c->nfiles++;
}

struct rd_server *rd_add_server(struct rd_config *c)
{
	if (c->nservers >= RD_MAX_SERVERS)
		return NULL;
	c->servers = xrealloc(c->servers, (c->nservers + 1) * sizeof *c->servers);
	struct rd_server *s = &c->servers[c->nservers++];
	memset(s, 0, sizeof *s);
	s->account = xstrdup("");
	return s;
}

void rd_note(struct rd_config *c, int file, int line, const char *fmt, ...)
{
	if (c->nnotes >= 4 * RD_MAX_SERVERS)
		return;
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	c->notes = xrealloc(c->notes, (c->nnotes + 1) * sizeof *c->notes);
	c->notes[c->nnotes++] = (struct rd_note){{file, line}, buf_steal(&b)};
}

bool rd_has_command(const char *v)
{
	return strchr(v, '`') != NULL;
}

static void server_free(struct rd_server *s)
{
	free(s->account);
	free(s->host);
	free(s->user);
	free(s->cafile);
	free(s->pin);
	free(s->url);
	free(s->key);
}

void rd_config_free(struct rd_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nfiles; i++) {
		free(c->files[i].path);
		free(c->files[i].text);
	}
	for (size_t i = 0; i < c->nservers; i++)
		server_free(&c->servers[i]);
	for (size_t i = 0; i < c->nnotes; i++)
		free(c->notes[i].text);
	free(c->files);
	free(c->servers);
	free(c->notes);
	free(c);
}

struct rd_config *rd_read(enum rd_client client, const char *path, const char *text, size_t len,
                          const struct rd_env *env)
{
	struct rd_config *c = xcalloc(1, sizeof *c);
	c->client = client;
	int f = rd_add_file(c, path, text, len);
	static const struct rd_env none = {0};
	switch (client) {
	case RD_MUTT:
		rd_read_muttrc(c, f, env ? env : &none);
		break;
	case RD_MSMTP:
		rd_read_msmtprc(c, f);
		break;
	case RD_THUNDERBIRD:
		rd_read_prefs_js(c, f);
		break;
	case RD_MBSYNC:
		rd_read_mbsyncrc(c, f);
		break;
	case RD_AERC:
		rd_read_aerc(c, f);
		break;
	}
	return c;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

enum rd_client rd_sniff(const char *path, const char *text, size_t len)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strcmp(base, "prefs.js") == 0 || strcmp(base, "user.js") == 0)
		return RD_THUNDERBIRD;
	if (strstr(base, "msmtp") || (strstr(path, "/msmtp/") && strcmp(base, "config") == 0))
		return RD_MSMTP;
	if (strstr(base, "mbsync") || strstr(base, "isyncrc"))
		return RD_MBSYNC;
	if (strcmp(base, "accounts.conf") == 0)
		return RD_AERC;
	if (strstr(base, "muttrc") || ends_with(base, ".muttrc"))
		return RD_MUTT;
	/* By content: the first telling line. */
	size_t off = 0;
	struct rd_line l;
	while (rd_next_line(text, len, &off, &l)) {
		const char *s = l.s;
		size_t n = l.len;
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		if (n >= 10 && strncmp(s, "user_pref(", 10) == 0)
			return RD_THUNDERBIRD;
		if ((n >= 11 && strncasecmp(s, "IMAPAccount", 11) == 0) ||
		    (n >= 9 && strncasecmp(s, "IMAPStore", 9) == 0))
			return RD_MBSYNC;
		if ((n >= 8 && strncmp(s, "account ", 8) == 0) ||
		    (n >= 8 && strncmp(s, "defaults", 8) == 0))
			return RD_MSMTP;
		if (n >= 1 && *s == '[')
			return RD_AERC;
		if (n >= 4 && (strncmp(s, "set ", 4) == 0 || strncmp(s, "source ", 7) == 0))
			return RD_MUTT;
	}
	return RD_MUTT;
}

/* ---- lines -------------------------------------------------------------------- */

bool rd_next_line(const char *text, size_t len, size_t *off, struct rd_line *l)
{
	if (*off >= len)
		return false;
	const char *s = text + *off;
	const char *nl = memchr(s, '\n', len - *off);
	size_t n = nl ? (size_t)(nl - s) : len - *off;
	l->s = s;
	l->no++;
	*off += n + (nl ? 1 : 0);
	if (n && s[n - 1] == '\r')
		n--;
	l->len = n;
	return true;
}

char *rd_line(const char *text, size_t len, int line)
{
	size_t off = 0;
	for (int no = 1; off <= len; no++) {
		const char *s = text + off;
		const char *nl = memchr(s, '\n', len - off);
		size_t n = nl ? (size_t)(nl - s) : len - off;
		if (no == line)
			return (off < len || n) ? xstrndup(s, n) : NULL;
		if (!nl)
			return NULL;
		off += n + 1;
	}
	return NULL;
}

/* ---- URLs ----------------------------------------------------------------------- */

/* url_parts: offsets of a URL's pieces; false if it is not scheme://... */
struct url_parts {
	size_t scheme_end; /* index of "://" */
	size_t auth;       /* start of the authority */
	size_t host, host_end;
	size_t port, port_end; /* port == port_end: none */
	size_t end;            /* end of the authority */
};

static bool url_split(const char *s, struct url_parts *p)
{
	const char *sep = strstr(s, "://");
	if (!sep || sep == s || (size_t)(sep - s) >= sizeof((struct rd_url *)0)->scheme)
		return false;
	for (const char *q = s; q < sep; q++)
		if (!(((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z') || *q == '+' || *q == '-' ||
		      (*q >= '0' && *q <= '9')))
			return false;
	p->scheme_end = (size_t)(sep - s);
	p->auth = p->scheme_end + 3;
	p->end = p->auth + strcspn(s + p->auth, "/?#");
	/* The user info ends at the last '@' of the authority. */
	p->host = p->auth;
	for (size_t i = p->auth; i < p->end; i++)
		if (s[i] == '@')
			p->host = i + 1;
	if (s[p->host] == '[') {
		const char *rb = memchr(s + p->host, ']', p->end - p->host);
		if (!rb)
			return false;
		p->host_end = (size_t)(rb - s) + 1;
	} else {
		p->host_end = p->host;
		while (p->host_end < p->end && s[p->host_end] != ':')
			p->host_end++;
	}
	p->port = p->port_end = p->host_end;
	if (p->host_end < p->end) {
		if (s[p->host_end] != ':')
			return false;
		p->port = p->host_end + 1;
		p->port_end = p->end;
	}
	return p->host_end > p->host;
}

static char *pct_decode(const char *s, size_t n)
{
	struct buf b = {0};
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = {s[i + 1], s[i + 2], '\0'};
			unsigned v = (unsigned)strtoul(hex, NULL, 16);
			buf_addc(&b, v ? (char)v : '?');
			i += 2;
		} else {
			buf_addc(&b, s[i]);
		}
	}
	return buf_steal(&b);
}

bool rd_url_parse(const char *s, struct rd_url *u)
{
	memset(u, 0, sizeof *u);
	struct url_parts p;
	if (!url_split(s, &p))
		return false;
	for (size_t i = 0; i < p.scheme_end; i++)
		u->scheme[i] = (char)(s[i] | 0x20);
	u->scheme[p.scheme_end] = '\0';
	if (p.port < p.port_end) {
		unsigned long v = 0;
		for (size_t i = p.port; i < p.port_end; i++) {
			if (s[i] < '0' || s[i] > '9' || v > 65535)
				return false;
			v = v * 10 + (unsigned)(s[i] - '0');
		}
		if (v < 1 || v > 65535)
			return false;
		u->port = (uint16_t)v;
	}
	if (p.host > p.auth) {
		/* user[:password]@: the password is never kept. */
		size_t n = p.host - 1 - p.auth;
		const char *colon = memchr(s + p.auth, ':', n);
		if (colon)
			n = (size_t)(colon - (s + p.auth));
		u->user = pct_decode(s + p.auth, n);
	}
	if (s[p.host] == '[')
		u->host = xstrndup(s + p.host + 1, p.host_end - p.host - 2);
	else
		u->host = pct_decode(s + p.host, p.host_end - p.host);
	if (!u->host[0]) {
		rd_url_free(u);
		return false;
	}
	return true;
}

void rd_url_free(struct rd_url *u)
{
	free(u->user);
	free(u->host);
	u->user = u->host = NULL;
}

char *rd_url_rewrite(const char *s, const char *scheme, uint16_t port)
{
	struct url_parts p;
	if (!url_split(s, &p))
		return NULL;
	struct buf b = {0};
	buf_adds(&b, scheme);
	buf_add(&b, s + p.scheme_end, p.host_end - p.scheme_end);
	if (port)
		buf_addf(&b, ":%u", (unsigned)port);
	else if (p.port_end > p.host_end)
		buf_add(&b, s + p.host_end, p.port_end - p.host_end);
	buf_adds(&b, s + p.end);
	return buf_steal(&b);
}

/* ---- edits -------------------------------------------------------------------------- */

struct rd_edit *rd_edit_line(const struct rd_config *c, struct rd_edits *out, int file, int line)
{
	if (file < 0 || (size_t)file >= c->nfiles || line < 1)
		return NULL;
	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].file == file && out->v[i].line == line)
			return &out->v[i];
	char *t = rd_line(c->files[file].text, c->files[file].len, line);
	if (!t)
		return NULL;
	out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
	struct rd_edit *e = &out->v[out->n++];
	e->file = file;
	e->line = line;
	e->old_text = t;
	e->new_text = xstrdup(t);
	return e;
}

bool rd_edit_insert_after(const struct rd_config *c, struct rd_edits *out, struct rd_pos at,
                          const char *text)
{
	struct rd_edit *e = rd_edit_line(c, out, at.file, at.line);
	if (!e)
		return false;
	/* Keep the file's line ends: a CRLF file gets CRLF. */
	size_t n = strlen(e->old_text);
	bool crlf = n && e->old_text[n - 1] == '\r';
	char *nt = xasprintf("%s\n%s%s", e->new_text, text, crlf ? "\r" : "");
	free(e->new_text);
	e->new_text = nt;
	return true;
}

void rd_edits_free(struct rd_edits *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].old_text);
		free(e->v[i].new_text);
	}
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

bool rd_fix(const struct rd_config *c, const struct rd_server *s, enum ms_security sec,
            uint16_t port, struct rd_edits *out, const char **why)
{
	static bool (*const fixers[])(const struct rd_config *, const struct rd_server *,
	                              enum ms_security, uint16_t, struct rd_edits *,
	                              const char **) = {
	    [RD_MUTT] = rd_fix_muttrc,
	    [RD_MSMTP] = rd_fix_msmtprc,
	    [RD_THUNDERBIRD] = rd_fix_prefs_js,
	    [RD_MBSYNC] = rd_fix_mbsyncrc,
	    [RD_AERC] = rd_fix_aerc,
	};
	*why = NULL;
	if (sec == SEC_PLAIN) {
		*why = _("mailsetup never changes a setting to plaintext");
		return false;
	}
	bool ok = fixers[c->client](c, s, sec, port, out, why);
	/* Drop lines that ended up as they were. */
	size_t k = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (strcmp(out->v[i].old_text, out->v[i].new_text) == 0) {
			free(out->v[i].old_text);
			free(out->v[i].new_text);
		} else {
			out->v[k++] = out->v[i];
		}
	}
	out->n = k;
	if (ok && k == 0) {
		*why = _("nothing to change");
		ok = false;
	}
	if (!ok)
		rd_edits_free(out);
	return ok;
}

char *rd_apply(const char *text, size_t len, int file, const struct rd_edits *e, size_t *outlen,
               struct ms_err *err)
{
	struct buf b = {0};
	size_t off = 0;
	int no = 0;
	size_t used = 0;
	while (off < len) {
		const char *s = text + off;
		const char *nl = memchr(s, '\n', len - off);
		size_t n = nl ? (size_t)(nl - s) : len - off;
		no++;
		const struct rd_edit *hit = NULL;
		for (size_t i = 0; i < e->n; i++)
			if (e->v[i].file == file && e->v[i].line == no)
				hit = &e->v[i];
		if (hit) {
			if (strlen(hit->old_text) != n || memcmp(hit->old_text, s, n) != 0) {
				err_set(err, ERR_LOCAL,
				        _("line %d changed since it was read; nothing was written"),
				        no);
				buf_free(&b);
				return NULL;
			}
			buf_adds(&b, hit->new_text);
			used++;
		} else {
			buf_add(&b, s, n);
		}
		if (nl)
			buf_addc(&b, '\n');
		off += n + (nl ? 1 : 0);
	}
	size_t want = 0;
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i].file == file)
			want++;
	if (used != want) {
		err_set(err, ERR_LOCAL,
		        _("the file is shorter than when it was read; nothing was "
		          "written"));
		buf_free(&b);
		return NULL;
	}
	*outlen = b.len;
	return buf_steal(&b);
}

bool rd_keyword(const struct rd_line *l, const char **kw, size_t *kwlen, const char **rest,
                const char **end)
{
	const char *s = l->s, *e = l->s + l->len;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	if (s == e || *s == '#')
		return false;
	*kw = s;
	while (s < e && *s != ' ' && *s != '\t')
		s++;
	*kwlen = (size_t)(s - *kw);
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	*rest = s;
	*end = e;
	return true;
}
