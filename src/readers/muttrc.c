/* muttrc.c - the servers of a mutt/neomutt configuration.
 *
 * Reads the commands that decide where mail comes from and goes to:
 * `set` of folder, spoolfile, imap_user, pop_host, pop_user, smtp_url,
 * smtp_user, ssl_starttls, ssl_force_tls, certificate_file and
 * ssl_ca_certificates_file; `source`
 * (relative to the sourcing file, "~" expanded, depth bounded, loops
 * noted); and account-hook/folder-hook commands, each hook a scope of its
 * own that inherits the TLS switches of the top level.  Lines joined with
 * a trailing backslash and several commands per line (";") are handled.
 *
 * Nothing is run: a backtick value or a `source "cmd |"` becomes a note.
 * Mutt's TLS modes: imaps://, pops://, smtps:// are implicit TLS; the
 * plain schemes use STARTTLS when ssl_starttls (default yes) or
 * ssl_force_tls is set, else nothing.
 */
#include "config.h"

#include "readers/readers.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/i18n.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum mvar_id {
	V_FOLDER,
	V_SPOOLFILE,
	V_IMAP_USER,
	V_POP_HOST,
	V_POP_USER,
	V_SMTP_URL,
	V_SMTP_USER,
	V_SSL_STARTTLS,
	V_SSL_FORCE_TLS,
	V_CERTIFICATE_FILE,
	V_SSL_CA,
	V_COUNT
};

static const char *const var_names[V_COUNT] = {
    "folder",
    "spoolfile",
    "imap_user",
    "pop_host",
    "pop_user",
    "smtp_url",
    "smtp_user",
    "ssl_starttls",
    "ssl_force_tls",
    "certificate_file",
    "ssl_ca_certificates_file",
};

struct mvar {
	char *value; /* NULL: not set in this scope */
	struct rd_pos at;
};

struct scope {
	char *label; /* hook pattern, NULL for the top level */
	struct mvar v[V_COUNT];
};

#define MUTT_MAX_SCOPES 64

struct mctx {
	struct rd_config *c;
	const struct rd_env *env;
	struct scope scopes[MUTT_MAX_SCOPES];
	size_t nscopes;
	const char *stack[RD_MAX_DEPTH + 2]; /* files being read, for loops */
	int depth;
};

/* ---- tokens --------------------------------------------------------------------- */

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static void skip_space(const char **p, const char *end)
{
	while (*p < end && is_space(**p))
		(*p)++;
}

static bool at_end(const char *p, const char *end)
{
	return p >= end || *p == ';' || *p == '#';
}

static bool ident_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

/* word: one muttrc word into out; *cmd set when it holds a backtick
 * command (whose text is dropped, never run).  ident: stop at anything
 * that is not a variable name character.  False at the end of the
 * command. */
static bool word(const char **pp, const char *end, struct buf *out, bool *cmd, bool ident)
{
	const char *p = *pp;
	skip_space(&p, end);
	buf_reset(out);
	buf_addc(out, '\0');
	out->len = 0;
	if (at_end(p, end)) {
		*pp = p;
		return false;
	}
	while (p < end && !is_space(*p) && *p != ';' && *p != '#') {
		if (ident && !ident_char(*p))
			break;
		if (*p == '\'') {
			const char *q = memchr(p + 1, '\'', (size_t)(end - p - 1));
			if (!q)
				q = end;
			buf_add(out, p + 1, (size_t)(q - p - 1));
			p = q < end ? q + 1 : end;
		} else if (*p == '"') {
			p++;
			while (p < end && *p != '"') {
				if (*p == '\\' && p + 1 < end) {
					p++;
					buf_addc(out, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
				} else if (*p == '`') {
					const char *q = memchr(p + 1, '`', (size_t)(end - p - 1));
					*cmd = true;
					p = q ? q : end - 1;
				} else {
					buf_addc(out, *p);
				}
				p++;
			}
			if (p < end)
				p++;
		} else if (*p == '`') {
			const char *q = memchr(p + 1, '`', (size_t)(end - p - 1));
			*cmd = true;
			p = q ? q + 1 : end;
		} else if (*p == '\\' && p + 1 < end) {
			buf_addc(out, p[1]);
			p += 2;
		} else {
			buf_addc(out, *p++);
		}
	}
	*pp = p;
	return true;
}

/* ---- commands -------------------------------------------------------------------- */

static void parse_text(struct mctx *m, int file, const char *text, size_t len, size_t scope,
                       int hook_line);

static int var_id(const char *name)
{
	for (int i = 0; i < V_COUNT; i++)
		if (strcmp(name, var_names[i]) == 0)
			return i;
	return -1;
}

static void set_var(struct mctx *m, size_t scope, int id, const char *value, struct rd_pos at)
{
	struct mvar *v = &m->scopes[scope].v[id];
	free(v->value);
	v->value = value ? xstrdup(value) : NULL;
	v->at = at;
}

static void cmd_set(struct mctx *m, const char **p, const char *end, size_t scope, struct rd_pos at,
                    bool unset)
{
	struct buf name = {0}, val = {0};
	for (;;) {
		bool cmd = false;
		const char *before = *p;
		if (!word(p, end, &name, &cmd, true))
			break;
		if (*p == before || name.len == 0) { /* not a name: give up on the command */
			*p = end;
			break;
		}
		const char *n = name.data;
		bool negate = unset;
		if (strncmp(n, "no", 2) == 0 && var_id(n + 2) >= 0)
			n += 2, negate = true;
		else if (strncmp(n, "inv", 3) == 0 && var_id(n + 3) >= 0)
			n += 3, negate = true;
		const char *q = *p;
		skip_space(&q, end);
		const char *value = negate ? "no" : "yes";
		bool has_value = false;
		if (q < end && *q == '?')
			q++;
		if (q + 1 < end && (*q == '+' || *q == '-') && q[1] == '=')
			q++;
		if (q < end && *q == '=') {
			q++;
			cmd = false;
			word(&q, end, &val, &cmd, false);
			value = val.data ? val.data : "";
			has_value = true;
		}
		*p = q;
		int id = var_id(n);
		if (id < 0)
			continue;
		if (cmd) {
			rd_note(m->c, at.file, at.line,
			        _("%s is computed by a command, not read (nothing was run)"), n);
			continue;
		}
		if (unset && !has_value && id != V_SSL_STARTTLS && id != V_SSL_FORCE_TLS)
			value = NULL;
		set_var(m, scope, id, value, at);
	}
	buf_free(&name);
	buf_free(&val);
}

static char *resolve(struct mctx *m, int file, const char *path)
{
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
		if (!m->env->home)
			return NULL;
		return xasprintf("%s%s", m->env->home, path + 1);
	}
	if (path[0] == '/')
		return xstrdup(path);
	const char *from = m->c->files[file].path;
	const char *slash = strrchr(from, '/');
	if (!slash)
		return xstrdup(path);
	return xasprintf("%.*s/%s", (int)(slash - from), from, path);
}

static void cmd_source(struct mctx *m, const char **p, const char *end, size_t scope,
                       struct rd_pos at)
{
	struct buf w = {0};
	bool cmd = false;
	while (word(p, end, &w, &cmd, false)) {
		size_t n = w.len;
		if (cmd || (n && w.data[n - 1] == '|')) {
			rd_note(
			    m->c, at.file, at.line,
			    _("a sourced file is the output of a command; it was not run or read"));
			cmd = false;
			continue;
		}
		char *path = resolve(m, at.file, w.data);
		if (!path) {
			rd_note(m->c, at.file, at.line, _("%s: the home directory is unknown"),
			        w.data);
			continue;
		}
		bool loop = false;
		for (int i = 0; i <= m->depth; i++)
			if (m->stack[i] && strcmp(m->stack[i], path) == 0)
				loop = true;
		if (loop) {
			rd_note(m->c, at.file, at.line,
			        _("%s sources itself (a loop); it was read once"), path);
		} else if (m->depth >= RD_MAX_DEPTH) {
			rd_note(m->c, at.file, at.line,
			        _("%s: files source each other more than %d deep; not read"), path,
			        RD_MAX_DEPTH);
		} else if (m->c->nfiles >= RD_MAX_FILES) {
			rd_note(m->c, at.file, at.line, _("%s: too many sourced files; not read"),
			        path);
		} else if (!m->env->load) {
			rd_note(m->c, at.file, at.line, _("%s is sourced but was not read"), path);
		} else {
			char *text = NULL;
			size_t len = 0;
			struct ms_err err;
			err_clear(&err);
			if (!m->env->load(m->env->ctx, path, &text, &len, &err)) {
				rd_note(m->c, at.file, at.line,
				        _("%s is sourced but cannot be read: %s"), path, err.msg);
			} else {
				int f = rd_add_file(m->c, path, text, len);
				free(text);
				m->depth++;
				m->stack[m->depth] = m->c->files[f].path;
				parse_text(m, f, m->c->files[f].text, m->c->files[f].len, scope, 0);
				m->stack[m->depth] = NULL;
				m->depth--;
			}
		}
		free(path);
	}
	buf_free(&w);
}

static void cmd_hook(struct mctx *m, const char **p, const char *end, struct rd_pos at)
{
	struct buf pat = {0}, cmdtext = {0};
	bool cmd = false;
	if (word(p, end, &pat, &cmd, false) && word(p, end, &cmdtext, &cmd, false) && !cmd) {
		size_t scope = 0;
		/* "." and ".*" match every folder: those hooks set defaults. */
		if (strcmp(pat.data, ".") != 0 && strcmp(pat.data, ".*") != 0) {
			if (m->nscopes >= MUTT_MAX_SCOPES) {
				rd_note(m->c, at.file, at.line,
				        _("too many hooks; this one was skipped"));
				goto out;
			}
			scope = m->nscopes++;
			m->scopes[scope].label = xstrdup(pat.data);
		}
		parse_text(m, at.file, cmdtext.data, cmdtext.len, scope, at.line);
	} else if (cmd) {
		rd_note(m->c, at.file, at.line,
		        _("a hook's command comes from a command; it was not run or read"));
	}
out:
	buf_free(&pat);
	buf_free(&cmdtext);
}

/* One command (up to ";" or the end). */
static void command(struct mctx *m, const char **p, const char *end, size_t scope, struct rd_pos at)
{
	struct buf w = {0};
	bool cmd = false;
	if (word(p, end, &w, &cmd, false)) {
		const char *k = w.data;
		if (strcmp(k, "set") == 0)
			cmd_set(m, p, end, scope, at, false);
		else if (strcmp(k, "unset") == 0 || strcmp(k, "reset") == 0)
			cmd_set(m, p, end, scope, at, true);
		else if (strcmp(k, "source") == 0)
			cmd_source(m, p, end, scope, at);
		else if (strcmp(k, "account-hook") == 0 || strcmp(k, "folder-hook") == 0)
			cmd_hook(m, p, end, at);
	}
	buf_free(&w);
	/* Skip what is left of this command. */
	const char *q = *p;
	bool sq = false, dq = false;
	while (q < end) {
		if (!sq && *q == '\\' && q + 1 < end) {
			q += 2;
			continue;
		}
		if (*q == '\'' && !dq)
			sq = !sq;
		else if (*q == '"' && !sq)
			dq = !dq;
		else if (!sq && !dq && (*q == ';' || *q == '#'))
			break;
		q++;
	}
	if (q < end && *q == '#')
		q = end;
	*p = q;
}

/* parse_text: every logical line of text.  hook_line: the commands come
 * from a hook on that line (all of them are placed there). */
static void parse_text(struct mctx *m, int file, const char *text, size_t len, size_t scope,
                       int hook_line)
{
	size_t off = 0;
	struct rd_line l = {0};
	struct buf logical = {0};
	while (rd_next_line(text, len, &off, &l)) {
		int first = l.no;
		buf_reset(&logical);
		buf_add(&logical, l.s, l.len);
		/* A trailing backslash continues the command on the next line. */
		while (logical.len && logical.data[logical.len - 1] == '\\' &&
		       rd_next_line(text, len, &off, &l)) {
			logical.len--;
			buf_add(&logical, l.s, l.len);
		}
		struct rd_pos at = {file, hook_line ? hook_line : first};
		const char *p = logical.data ? logical.data : "";
		const char *end = p + logical.len;
		while (p < end) {
			command(m, &p, end, scope, at);
			if (p < end && *p == ';')
				p++;
			else
				break;
		}
	}
	buf_free(&logical);
}

/* ---- servers -------------------------------------------------------------------------- */

static const struct mvar *get(const struct mctx *m, size_t scope, int id)
{
	if (m->scopes[scope].v[id].value)
		return &m->scopes[scope].v[id];
	if (scope && m->scopes[0].v[id].value)
		return &m->scopes[0].v[id];
	return NULL;
}

static bool yes(const struct mvar *v)
{
	return v && (strcasecmp(v->value, "yes") == 0 || strcasecmp(v->value, "ask-yes") == 0);
}

static bool no(const struct mvar *v)
{
	return v && (strcasecmp(v->value, "no") == 0 || strcasecmp(v->value, "ask-no") == 0);
}

static void add_server(struct mctx *m, size_t scope, const struct mvar *where, int user_var,
                       bool bare_host_is_pop)
{
	struct rd_config *c = m->c;
	const char *value = where->value;
	char *url = NULL;
	if (!strstr(value, "://")) {
		if (!bare_host_is_pop || !value[0])
			return; /* a local folder, "+INBOX" and the like */
		url = xasprintf("pop://%s", value);
	}
	if (strchr(value, '$')) {
		rd_note(c, where->at.file, where->at.line,
		        _("%s uses a variable; it was not expanded or tested"), value);
		free(url);
		return;
	}
	struct rd_url u;
	if (!rd_url_parse(url ? url : value, &u)) {
		if (strncasecmp(value, "imap", 4) == 0 || strncasecmp(value, "pop", 3) == 0 ||
		    strncasecmp(value, "smtp", 4) == 0)
			rd_note(c, where->at.file, where->at.line,
			        _("%s is not a URL mailsetup reads"), value);
		free(url);
		return;
	}
	static const struct {
		const char *scheme;
		enum ms_proto proto;
		bool tls;
		uint16_t port;
	} schemes[] = {
	    {"imap", PROTO_IMAP, false, 143}, {"imaps", PROTO_IMAP, true, 993},
	    {"pop", PROTO_POP3, false, 110},  {"pops", PROTO_POP3, true, 995},
	    {"smtp", PROTO_SMTP, false, 25},  {"smtps", PROTO_SMTP, true, 465},
	};
	size_t k = 0;
	while (k < sizeof schemes / sizeof schemes[0] && strcmp(schemes[k].scheme, u.scheme) != 0)
		k++;
	if (k == sizeof schemes / sizeof schemes[0]) {
		rd_url_free(&u);
		free(url);
		return;
	}
	uint16_t port = u.port ? u.port : schemes[k].port;
	/* The same server already listed for this scope (folder and spoolfile). */
	for (size_t i = 0; i < c->nservers; i++) {
		struct rd_server *o = &c->servers[i];
		if (o->proto == schemes[k].proto && o->port == port &&
		    strcmp(o->host, u.host) == 0 && o->in_hook == (scope != 0) &&
		    strcmp(o->account, m->scopes[scope].label ? m->scopes[scope].label : "") == 0) {
			rd_url_free(&u);
			free(url);
			return;
		}
	}
	struct rd_server *s = rd_add_server(c);
	if (!s) {
		rd_url_free(&u);
		free(url);
		return;
	}
	const struct mvar *st = get(m, scope, V_SSL_STARTTLS),
	                  *force = get(m, scope, V_SSL_FORCE_TLS);
	const struct mvar *uv = user_var >= 0 ? get(m, scope, user_var) : NULL;
	/* mutt trusts the system's authorities, those of
	 * ssl_ca_certificates_file and the certificates in certificate_file. */
	const struct mvar *cert = get(m, scope, V_SSL_CA);
	if (!cert || !cert->value[0])
		cert = get(m, scope, V_CERTIFICATE_FILE);
	s->proto = schemes[k].proto;
	s->host = xstrdup(u.host);
	s->port = port;
	s->force_tls = yes(force);
	s->tls_off = no(st);
	s->security = schemes[k].tls                  ? SEC_TLS
	              : (s->tls_off && !s->force_tls) ? SEC_PLAIN
	                                              : SEC_STARTTLS;
	s->user = u.user ? xstrdup(u.user) : uv && uv->value[0] ? xstrdup(uv->value) : NULL;
	free(s->account);
	s->account = xstrdup(m->scopes[scope].label ? m->scopes[scope].label : "");
	s->in_hook = scope != 0;
	s->at = s->sec_at = s->port_at = s->anchor = where->at;
	s->sec_own = s->port_own = true;
	s->url = xstrdup(value);
	if (st) {
		s->tls_at = st->at;
		s->tls_own = st->at.line == where->at.line;
	}
	if (force)
		s->force_at = force->at;
	if (s->security == SEC_STARTTLS && !s->force_tls)
		rd_note(c, where->at.file, where->at.line,
		        _("%s: mutt uses STARTTLS only if the server offers it; without "
		          "ssl_force_tls = yes an attacker can remove the offer and read the "
		          "password"),
		        var_names[where - m->scopes[scope].v]);
	if (cert && cert->value[0] && cert->value[0] != '~')
		s->cafile = xstrdup(cert->value);
	else if (cert && cert->value[0] == '~' && m->env->home)
		s->cafile = xasprintf("%s%s", m->env->home, cert->value + 1);
	rd_url_free(&u);
	free(url);
}

void rd_read_muttrc(struct rd_config *c, int file, const struct rd_env *env)
{
	struct mctx *m = xcalloc(1, sizeof *m);
	m->c = c;
	m->env = env;
	m->nscopes = 1;
	m->stack[0] = c->files[file].path;
	parse_text(m, file, c->files[file].text, c->files[file].len, 0, 0);
	for (size_t i = 0; i < m->nscopes; i++) {
		struct scope *sc = &m->scopes[i];
		if (sc->v[V_FOLDER].value)
			add_server(m, i, &sc->v[V_FOLDER], V_IMAP_USER, false);
		if (sc->v[V_SPOOLFILE].value)
			add_server(m, i, &sc->v[V_SPOOLFILE], V_IMAP_USER, false);
		if (sc->v[V_POP_HOST].value)
			add_server(m, i, &sc->v[V_POP_HOST], V_POP_USER, true);
		if (sc->v[V_SMTP_URL].value)
			add_server(m, i, &sc->v[V_SMTP_URL], V_SMTP_USER, false);
	}
	for (size_t i = 0; i < m->nscopes; i++) {
		free(m->scopes[i].label);
		for (int k = 0; k < V_COUNT; k++)
			free(m->scopes[i].v[k].value);
	}
	free(m);
}

/* ---- the fix --------------------------------------------------------------------------- */

bool rd_fix_muttrc(const struct rd_config *c, const struct rd_server *s, enum ms_security sec,
                   uint16_t port, struct rd_edits *out, const char **why)
{
	struct rd_edit *e = rd_edit_line(c, out, s->at.file, s->at.line);
	char *hit = e && s->url ? strstr(e->new_text, s->url) : NULL;
	if (!hit) {
		*why = _("the server's URL is not written out on its line");
		return false;
	}
	static const char *const base[] = {
	    [PROTO_IMAP] = "imap", [PROTO_POP3] = "pop", [PROTO_SMTP] = "smtp"};
	char scheme[8];
	snprintf(scheme, sizeof scheme, "%s%s", base[s->proto], sec == SEC_TLS ? "s" : "");
	struct rd_url u;
	bool had_port = false;
	if (strstr(s->url, "://") && rd_url_parse(s->url, &u)) {
		had_port = u.port != 0;
		rd_url_free(&u);
	}
	uint16_t std = s->proto == PROTO_IMAP   ? (sec == SEC_TLS ? 993 : 143)
	               : s->proto == PROTO_POP3 ? (sec == SEC_TLS ? 995 : 110)
	                                        : (sec == SEC_TLS ? 465 : 25);
	char *nu = rd_url_rewrite(s->url, scheme, had_port || port != std ? port : 0);
	if (!nu) {
		/* pop_host given as a bare host name */
		*why = _("the server is not written as a URL");
		return false;
	}
	struct buf b = {0};
	buf_add(&b, e->new_text, (size_t)(hit - e->new_text));
	buf_adds(&b, nu);
	buf_adds(&b, hit + strlen(s->url));
	free(e->new_text);
	e->new_text = buf_steal(&b);
	free(nu);
	/* STARTTLS in mutt is only required with ssl_force_tls. */
	if (sec == SEC_STARTTLS && !s->force_tls)
		rd_edit_insert_after(c, out, s->at, "set ssl_force_tls = yes");
	return true;
}
