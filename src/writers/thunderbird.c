/* thunderbird.c - Thunderbird's two formats: a prefs fragment (user.js)
 * that adds the account to a profile, and an autoconfig file
 * (config-v1.1.xml) that its account wizard reads.
 *
 * Prefs: incoming servers use socketType and userName, SMTP servers
 * try_ssl and username (lower case); both take 0 plain, 2 STARTTLS,
 * 3 SSL/TLS, and authMethod 3 normal password, 4 encrypted password,
 * 10 OAuth2.  Keys are "ms_account_SLUG" and the like: never the
 * accountN/serverN/idN/smtpN that Thunderbird numbers itself, and never
 * one the profile already uses, so nothing existing is overwritten.
 * The lists mail.accountmanager.accounts and mail.smtpservers are the
 * profile's lists with the new key appended (Local Folders stays).
 */
#include "config.h"

#include "writers/writers.h"

#include "base/alloc.h"
#include "base/escape.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Thunderbird's codes (nsMsgSocketType, nsMsgAuthMethod). */
enum { TB_SOCKET_PLAIN = 0, TB_SOCKET_STARTTLS = 2, TB_SOCKET_SSL = 3 };
enum { TB_AUTH_CLEARTEXT = 3, TB_AUTH_ENCRYPTED = 4, TB_AUTH_OAUTH2 = 10 };

/* A key longer than this gains nothing and makes prefs.js hard to read. */
#define TB_SLUG_MAX 40

static int tb_socket(enum ms_security s)
{
	return s == SEC_TLS        ? TB_SOCKET_SSL
	       : s == SEC_STARTTLS ? TB_SOCKET_STARTTLS
	                           : TB_SOCKET_PLAIN;
}

static int tb_auth(enum account_auth a)
{
	return a == AUTH_PASSWORD_ENCRYPTED ? TB_AUTH_ENCRYPTED
	       : a == AUTH_OAUTH2           ? TB_AUTH_OAUTH2
	                                    : TB_AUTH_CLEARTEXT;
}

/* ---- escaping ------------------------------------------------------ */

void js_escape(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t l = utf8_decode(p + i, n - i, &cp);
		if (l == 0) { /* invalid UTF-8: the prefs parser would reject it */
			buf_adds(out, "\\ufffd");
			i++;
			continue;
		}
		if (cp == '\\' || cp == '"' || cp == '\'') {
			buf_addc(out, '\\');
			buf_addc(out, (char)cp);
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 ||
		           cp == 0x2029) {
			buf_addf(out, "\\u%04x", cp);
		} else {
			buf_add(out, p + i, l);
		}
		i += l;
	}
}

void xml_escape(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t l = utf8_decode(p + i, n - i, &cp);
		if (l == 0 || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
		    cp == 0xfffe || cp == 0xffff) {
			/* Not representable in XML 1.0, not even as &#...; */
			buf_adds(out, "\xef\xbf\xbd");
			i += l ? l : 1;
			continue;
		}
		switch (cp) {
		case '&':
			buf_adds(out, "&amp;");
			break;
		case '<':
			buf_adds(out, "&lt;");
			break;
		case '>':
			buf_adds(out, "&gt;");
			break;
		case '"':
			buf_adds(out, "&quot;");
			break;
		case '\'':
			buf_adds(out, "&apos;");
			break;
		/* Kept as references: a parser would turn raw ones into spaces. */
		case '\t':
			buf_adds(out, "&#9;");
			break;
		case '\n':
			buf_adds(out, "&#10;");
			break;
		case '\r':
			buf_adds(out, "&#13;");
			break;
		default:
			buf_add(out, p + i, l);
			break;
		}
		i += l;
	}
}

/* ---- profile scan -------------------------------------------------- */

static void key_add(struct tb_profile *p, const char *k, size_t n)
{
	if (n == 0)
		return;
	for (size_t i = 0; i < p->nkeys; i++)
		if (strlen(p->keys[i]) == n && memcmp(p->keys[i], k, n) == 0)
			return;
	p->keys = xrealloc(p->keys, (p->nkeys + 1) * sizeof *p->keys);
	p->keys[p->nkeys++] = xstrndup(k, n);
}

/* js_string: parse a "..." or '...' literal at *s into out (escapes
 * undone as far as the keys and lists here need); advance *s. */
static bool js_string(const char **s, struct buf *out)
{
	const char *p = *s;
	char q = *p;
	if (q != '"' && q != '\'')
		return false;
	for (p++; *p && *p != q; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			buf_addc(out, *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p);
		} else {
			buf_addc(out, *p);
		}
	}
	if (*p != q)
		return false;
	*s = p + 1;
	return true;
}

static void list_keys(struct tb_profile *p, const char *list)
{
	while (*list) {
		size_t n = strcspn(list, ",");
		const char *k = list;
		while (n && *k == ' ')
			k++, n--;
		size_t m = n;
		while (m && k[m - 1] == ' ')
			m--;
		key_add(p, k, m);
		list = k + n;
		if (*list == ',')
			list++;
	}
}

void thunderbird_profile_scan(const char *text, struct tb_profile *p)
{
	static const char *const branches[] = {"mail.account.", "mail.server.", "mail.identity.",
	                                       "mail.smtpserver."};
	memset(p, 0, sizeof *p);
	const char *line = text;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		const char *s = line;
		line = end ? end + 1 : NULL;
		while (*s == ' ' || *s == '\t')
			s++;
		if (strncmp(s, "user_pref(", 10) != 0 && strncmp(s, "pref(", 5) != 0)
			continue;
		s = strchr(s, '(') + 1;
		while (*s == ' ')
			s++;
		struct buf name = {0}, value = {0};
		if (!js_string(&s, &name))
			goto next;
		while (*s == ' ' || *s == ',')
			s++;
		bool is_string = js_string(&s, &value);
		for (size_t i = 0; i < sizeof branches / sizeof branches[0]; i++) {
			size_t bl = strlen(branches[i]);
			if (strncmp(name.data, branches[i], bl) == 0) {
				const char *k = name.data + bl;
				key_add(p, k, strcspn(k, "."));
			}
		}
		if (is_string) {
			char **slot = NULL;
			if (strcmp(name.data, "mail.accountmanager.accounts") == 0)
				slot = &p->accounts;
			else if (strcmp(name.data, "mail.smtpservers") == 0)
				slot = &p->smtpservers;
			else if (strcmp(name.data, "mail.accountmanager.defaultaccount") == 0)
				slot = &p->default_account;
			if (slot) {
				account_set(slot, value.data);
				list_keys(p, value.data);
			}
		}
	next:
		buf_free(&name);
		buf_free(&value);
	}
}

void thunderbird_profile_free(struct tb_profile *p)
{
	free(p->accounts);
	free(p->smtpservers);
	free(p->default_account);
	for (size_t i = 0; i < p->nkeys; i++)
		free(p->keys[i]);
	free(p->keys);
	memset(p, 0, sizeof *p);
}

/* ---- prefs fragment ------------------------------------------------ */

static bool key_used(const struct tb_profile *p, const char *k)
{
	for (size_t i = 0; p && i < p->nkeys; i++)
		if (strcmp(p->keys[i], k) == 0)
			return true;
	return false;
}

/* The address in [a-z0-9_] only: prefs keys are dot-separated names. */
static char *slug(const char *address)
{
	char *s = xmalloc(TB_SLUG_MAX + 1);
	size_t n = 0;
	for (const char *c = address; *c && n < TB_SLUG_MAX; c++) {
		char ch = *c;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		s[n++] = ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) ? ch : '_';
	}
	s[n] = '\0';
	return s;
}

struct tb_keys {
	char *account, *server, *identity, *smtp;
};

static void keys_make(struct tb_keys *k, const char *base, unsigned n)
{
	char suffix[16] = "";
	if (n > 1)
		snprintf(suffix, sizeof suffix, "_%u", n);
	k->account = xasprintf("ms_account_%s%s", base, suffix);
	k->server = xasprintf("ms_server_%s%s", base, suffix);
	k->identity = xasprintf("ms_id_%s%s", base, suffix);
	k->smtp = xasprintf("ms_smtp_%s%s", base, suffix);
}

static void keys_free(struct tb_keys *k)
{
	free(k->account);
	free(k->server);
	free(k->identity);
	free(k->smtp);
}

static void pref_str(struct buf *out, const char *branch, const char *key, const char *name,
                     const char *value)
{
	buf_addf(out, "user_pref(\"%s%s%s%s\", \"", branch, key, *name ? "." : "", name);
	js_escape(out, value);
	buf_adds(out, "\");\n");
}

static void pref_int(struct buf *out, const char *branch, const char *key, const char *name, int v)
{
	buf_addf(out, "user_pref(\"%s%s.%s\", %d);\n", branch, key, name, v);
}

static void pref_bool(struct buf *out, const char *branch, const char *key, const char *name,
                      bool v)
{
	buf_addf(out, "user_pref(\"%s%s.%s\", %s);\n", branch, key, name, v ? "true" : "false");
}

/* list_append: "old,new", or "new" when there is no old list. */
static char *list_append(const char *old, const char *key)
{
	if (!old || !*old)
		return xstrdup(key);
	return xasprintf("%s,%s", old, key);
}

static void tb_trust_comments(const struct account *a, struct buf *out)
{
	const struct account_server *sides[2] = {&a->in, &a->out};
	for (int i = 0; i < 2; i++) {
		if (!sides[i]->set || !sides[i]->trusted_sha256)
			continue;
		char *t = xasprintf(
		    _("Thunderbird will warn that the certificate of %s:%u cannot be\n"
		      "verified. Add the exception only if its SHA-256 fingerprint is\n"
		      "%s."),
		    sides[i]->host, (unsigned)account_port(sides[i]), sides[i]->trusted_sha256);
		line_comment(out, "// ", t);
		buf_addc(out, '\n');
		free(t);
	}
}

/* tb_render: the account's prefs (no comments, no lists) with keys free
 * in p; the new list values in *accounts and *smtps (NULL: no SMTP). */
static bool tb_render(const struct account *a, const struct tb_profile *p, struct buf *out,
                      char **accounts, char **smtps, char **account_key, struct ms_err *err)
{
	if (!a->in.set) {
		err_set(err, ERR_USAGE, "%s",
		        _("a Thunderbird account needs an incoming (IMAP or POP3) server"));
		return false;
	}
	char *base = slug(a->address ? a->address : "account");
	struct tb_keys k = {0};
	for (unsigned n = 1;; n++) {
		keys_make(&k, base, n);
		if (!key_used(p, k.account) && !key_used(p, k.server) && !key_used(p, k.identity) &&
		    !key_used(p, k.smtp))
			break;
		keys_free(&k);
	}
	free(base);

	const struct account_server *in = &a->in;
	pref_str(out, "mail.account.", k.account, "identities", k.identity);
	pref_str(out, "mail.account.", k.account, "server", k.server);

	pref_str(out, "mail.server.", k.server, "type", in->proto == PROTO_POP3 ? "pop3" : "imap");
	pref_str(out, "mail.server.", k.server, "hostname", in->host);
	pref_int(out, "mail.server.", k.server, "port", account_port(in));
	pref_int(out, "mail.server.", k.server, "socketType", tb_socket(in->security));
	pref_int(out, "mail.server.", k.server, "authMethod", tb_auth(in->auth));
	pref_str(out, "mail.server.", k.server, "userName", account_username(a, in));
	pref_str(out, "mail.server.", k.server, "name", a->address ? a->address : "");

	pref_str(out, "mail.identity.", k.identity, "fullName", a->name ? a->name : "");
	pref_str(out, "mail.identity.", k.identity, "useremail", a->address ? a->address : "");
	pref_bool(out, "mail.identity.", k.identity, "valid", true);

	*accounts = list_append(p ? p->accounts : NULL, k.account);
	*smtps = NULL;
	if (a->out.set) {
		const struct account_server *sm = &a->out;
		pref_str(out, "mail.identity.", k.identity, "smtpServer", k.smtp);
		pref_str(out, "mail.smtpserver.", k.smtp, "type", "smtp");
		pref_str(out, "mail.smtpserver.", k.smtp, "hostname", sm->host);
		pref_int(out, "mail.smtpserver.", k.smtp, "port", account_port(sm));
		pref_int(out, "mail.smtpserver.", k.smtp, "try_ssl", tb_socket(sm->security));
		pref_int(out, "mail.smtpserver.", k.smtp, "authMethod", tb_auth(sm->auth));
		pref_str(out, "mail.smtpserver.", k.smtp, "username", account_username(a, sm));
		pref_str(out, "mail.smtpserver.", k.smtp, "description",
		         a->address ? a->address : "");
		*smtps = list_append(p ? p->smtpservers : NULL, k.smtp);
	}
	*account_key = xstrdup(k.account);
	keys_free(&k);
	return true;
}

bool write_thunderbird_prefs(const struct account *a, const struct writer_opts *o, struct buf *out,
                             struct ms_err *err)
{
	const struct tb_profile *p = o ? o->profile : NULL;
	struct buf body = {0};
	char *accounts = NULL, *smtps = NULL, *key = NULL;
	if (!tb_render(a, p, &body, &accounts, &smtps, &key, err))
		return false;

	line_comment(out, "// ",
	             _("Thunderbird account written by mailsetup. Put it in the profile as\n"
	               "user.js while Thunderbird is closed; after one start the account\n"
	               "is in prefs.js and user.js should be removed (it would reset the\n"
	               "account list at every start)."));
	buf_addc(out, '\n');
	tb_trust_comments(a, out);
	buf_add(out, body.data, body.len);
	buf_adds(out, "\n");
	pref_str(out, "mail.accountmanager.accounts", "", "", accounts);
	if (smtps)
		pref_str(out, "mail.smtpservers", "", "", smtps);
	if (!p || !p->default_account || !*p->default_account)
		pref_str(out, "mail.accountmanager.defaultaccount", "", "", key);
	buf_free(&body);
	free(accounts);
	free(smtps);
	free(key);
	return true;
}

/* ---- autoconfig ---------------------------------------------------- */

/* The username as the autoconfig placeholders Thunderbird fills in when
 * it matches the address or its local part. */
static void xml_username(struct buf *out, const struct account *a, const struct account_server *s)
{
	const char *u = account_username(a, s);
	const char *at = a->address ? strrchr(a->address, '@') : NULL;
	if (a->address && strcmp(u, a->address) == 0)
		buf_adds(out, "%EMAILADDRESS%");
	else if (at && strlen(u) == (size_t)(at - a->address) &&
	         strncmp(u, a->address, strlen(u)) == 0)
		buf_adds(out, "%EMAILLOCALPART%");
	else
		xml_escape(out, u);
}

static const char *xml_socket(enum ms_security s)
{
	return s == SEC_TLS ? "SSL" : s == SEC_STARTTLS ? "STARTTLS" : "plain";
}

static void xml_server(struct buf *out, const char *tag, const char *type, const struct account *a,
                       const struct account_server *s)
{
	buf_addf(out, "    <%s type=\"%s\">\n", tag, type);
	buf_adds(out, "      <hostname>");
	xml_escape(out, s->host);
	buf_addf(out, "</hostname>\n      <port>%u</port>\n", (unsigned)account_port(s));
	buf_addf(out, "      <socketType>%s</socketType>\n", xml_socket(s->security));
	buf_adds(out, "      <username>");
	xml_username(out, a, s);
	buf_adds(out, "</username>\n");
	buf_addf(out, "      <authentication>%s</authentication>\n", account_auth_name(s->auth));
	buf_addf(out, "    </%s>\n", tag);
}

bool write_autoconfig(const struct account *a, const struct writer_opts *o, struct buf *out,
                      struct ms_err *err)
{
	if (!a->in.set || !a->out.set) {
		err_set(err, ERR_USAGE, "%s",
		        _("an autoconfig file needs both an incoming and an outgoing server"));
		return false;
	}
	const char *domain = account_domain(a);
	buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_adds(out, "<!-- ");
	/* "--" may not appear inside an XML comment. */
	const char *c = _("Thunderbird autoconfig written by mailsetup");
	for (; *c; c++)
		buf_addc(out, c[0] == '-' && c[1] == '-' ? '_' : *c);
	buf_adds(out, " -->\n");
	buf_adds(out, "<clientConfig version=\"1.1\">\n  <emailProvider id=\"");
	xml_escape(out, domain);
	buf_adds(out, "\">\n    <domain>");
	xml_escape(out, domain);
	buf_adds(out, "</domain>\n    <displayName>");
	xml_escape(out, domain);
	buf_adds(out, "</displayName>\n    <displayShortName>");
	xml_escape(out, domain);
	buf_adds(out, "</displayShortName>\n");
	xml_server(out, "incomingServer", a->in.proto == PROTO_POP3 ? "pop3" : "imap", a, &a->in);
	xml_server(out, "outgoingServer", "smtp", a, &a->out);
	buf_adds(out, "  </emailProvider>\n</clientConfig>\n");
	(void)o;
	return true;
}

/* ---- install into a profile's prefs.js ------------------------------ */

/* One pref line of prefs.js. */
struct tb_line {
	const char *start;
	size_t len;  /* with its '\n' */
	char *name;  /* NULL: not a pref line */
	char *value; /* string value, or NULL */
};

static size_t tb_lines(const char *text, struct tb_line **out)
{
	size_t n = 0, cap = 0;
	struct tb_line *v = NULL;
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p + 1) : strlen(p);
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			v = xrealloc(v, cap * sizeof *v);
		}
		struct tb_line *t = &v[n++];
		memset(t, 0, sizeof *t);
		t->start = p;
		t->len = l;
		char *copy = xstrndup(p, l);
		const char *s = copy;
		while (*s == ' ' || *s == '\t')
			s++;
		if (strncmp(s, "user_pref(", 10) == 0) {
			s += 10;
			while (*s == ' ')
				s++;
			struct buf name = {0}, value = {0};
			if (js_string(&s, &name)) {
				t->name = name.data ? buf_steal(&name) : xstrdup("");
				while (*s == ' ' || *s == ',')
					s++;
				if (js_string(&s, &value))
					t->value = value.data ? buf_steal(&value) : xstrdup("");
			}
			buf_free(&name);
			buf_free(&value);
		}
		free(copy);
		p += l;
	}
	*out = v;
	return n;
}

static void tb_lines_free(struct tb_line *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

static const char *tb_get(const struct tb_line *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].name && strcmp(v[i].name, name) == 0)
			return v[i].value;
	return NULL;
}

/* tb_getf: the value of BRANCH.KEY.FIELD ("mail.server." "x" "type"). */
static const char *tb_getf(const struct tb_line *v, size_t n, const char *branch, const char *k,
                           const char *field)
{
	char *name = xasprintf("%s%s.%s", branch, k, field);
	const char *r = tb_get(v, n, name);
	free(name);
	return r;
}

/* list_without: a comma-separated list less one key (NULL: unchanged). */
static char *list_without(const char *list, const char *key)
{
	struct buf b = {0};
	while (list && *list) {
		size_t n = strcspn(list, ",");
		const char *k = list;
		size_t m = n;
		while (m && *k == ' ')
			k++, m--;
		while (m && k[m - 1] == ' ')
			m--;
		if (m && !(key && strlen(key) == m && strncmp(k, key, m) == 0)) {
			if (b.len)
				buf_addc(&b, ',');
			buf_add(&b, k, m);
		}
		list += n;
		if (*list == ',')
			list++;
	}
	return b.data ? buf_steal(&b) : xstrdup("");
}

static bool list_has(const char *list, const char *key)
{
	char *without = list_without(list, key);
	char *all = list_without(list, NULL);
	bool has = strcmp(without, all) != 0;
	free(without);
	free(all);
	return has;
}

/* The keys of an account found in the profile. */
struct tb_found {
	char *account, *server, *identity, *smtp;
};

static void tb_found_free(struct tb_found *f)
{
	free(f->account);
	free(f->server);
	free(f->identity);
	free(f->smtp);
	memset(f, 0, sizeof *f);
}

/* tb_find: the profile's account for the same incoming server and user. */
static bool tb_find(const struct account *a, const struct tb_line *v, size_t n,
                    const char *accounts, struct tb_found *f)
{
	const char *type = a->in.proto == PROTO_POP3 ? "pop3" : "imap";
	const char *user = account_username(a, &a->in);
	for (size_t i = 0; i < n; i++) {
		const char *nm = v[i].name;
		size_t nl = nm ? strlen(nm) : 0;
		if (!nm || !v[i].value || strncmp(nm, "mail.account.", 13) != 0 || nl < 20 ||
		    strcmp(nm + nl - 7, ".server") != 0)
			continue;
		char *acc = xstrndup(nm + 13, nl - 13 - 7);
		const char *srv = v[i].value;
		const char *t = tb_getf(v, n, "mail.server.", srv, "type");
		const char *h = tb_getf(v, n, "mail.server.", srv, "hostname");
		const char *u = tb_getf(v, n, "mail.server.", srv, "userName");
		if (list_has(accounts, acc) && t && h && u && strcmp(t, type) == 0 &&
		    strcasecmp(h, a->in.host) == 0 && strcmp(u, user) == 0) {
			f->account = acc;
			f->server = xstrdup(srv);
			const char *ids = tb_getf(v, n, "mail.account.", acc, "identities");
			if (ids)
				f->identity = xstrndup(ids, strcspn(ids, ","));
			const char *sm =
			    f->identity ? tb_getf(v, n, "mail.identity.", f->identity, "smtpServer")
			                : NULL;
			if (sm)
				f->smtp = xstrdup(sm);
			return true;
		}
		free(acc);
	}
	return false;
}

static bool has_prefix_key(const char *name, const char *branch, const char *key)
{
	size_t bl = strlen(branch), kl = key ? strlen(key) : 0;
	return key && strncmp(name, branch, bl) == 0 && strncmp(name + bl, key, kl) == 0 &&
	       name[bl + kl] == '.';
}

/* tb_old_line: a pref of the account mailsetup wrote before. */
static bool tb_old_line(const char *name, const struct tb_found *f)
{
	return has_prefix_key(name, "mail.account.", f->account) ||
	       has_prefix_key(name, "mail.server.", f->server) ||
	       has_prefix_key(name, "mail.identity.", f->identity) ||
	       has_prefix_key(name, "mail.smtpserver.", f->smtp);
}

static void pref_line(struct buf *out, const char *name, const char *value)
{
	pref_str(out, name, "", "", value);
}

bool install_thunderbird(const struct account *a, const char *profile_dir, struct install_report *r,
                         struct ms_err *err)
{
	if (clients_thunderbird_running(profile_dir)) {
		err_set(err, ERR_LOCAL,
		        _("Thunderbird is running with the profile %s: close Thunderbird and try "
		          "again (nothing was changed)"),
		        profile_dir);
		return false;
	}
	char *prefs = xasprintf("%s/prefs.js", profile_dir);
	char *old = clients_read_file(prefs, INSTALL_FILE_MAX, NULL);
	if (!old && errno != ENOENT) {
		err_set(err, ERR_LOCAL, _("cannot read %s: %s"), prefs, strerror(errno));
		free(prefs);
		return false;
	}
	bool ok = false;
	struct tb_line *v = NULL;
	size_t n = tb_lines(old ? old : "", &v);
	const char *accounts = tb_get(v, n, "mail.accountmanager.accounts");
	const char *smtps = tb_get(v, n, "mail.smtpservers");
	const char *def = tb_get(v, n, "mail.accountmanager.defaultaccount");
	struct tb_found f = {0};
	struct buf kept = {0}, body = {0}, out = {0};
	char *new_accounts = NULL, *new_smtps = NULL, *key = NULL;
	struct tb_profile p = {0};

	if (tb_find(a, v, n, accounts, &f) && strncmp(f.account, "ms_account_", 11) != 0) {
		/* The person's own account (Thunderbird's keys): not ours to replace. */
		char *what = xasprintf(_("already has an account for %s on %s (%s); left as it is"),
		                       account_username(a, &a->in), a->in.host, f.account);
		ok = install_file(prefs, old, old, false, what, r, err);
		free(what);
		goto out;
	}
	if (f.smtp && strncmp(f.smtp, "ms_smtp_", 8) != 0) {
		free(f.smtp); /* shared with an account of the person's own */
		f.smtp = NULL;
	}
	/* Without the account mailsetup wrote before (if any): its lines go,
	 * and its keys leave the lists. */
	char *acc_list = list_without(accounts, f.account);
	char *smtp_list = list_without(smtps, f.smtp);
	bool no_other_account = !*acc_list;
	for (size_t i = 0; i < n; i++)
		if (!v[i].name || !tb_old_line(v[i].name, &f))
			buf_add(&kept, v[i].start, v[i].len);
	thunderbird_profile_scan(kept.data ? kept.data : "", &p);
	account_set(&p.accounts, accounts ? acc_list : NULL);
	account_set(&p.smtpservers, smtps ? smtp_list : NULL);
	/* thunderbird_profile_scan took keys from the old lists too; the
	 * removed ones are free again. */
	for (size_t i = 0; i < p.nkeys; i++) {
		if ((f.account && strcmp(p.keys[i], f.account) == 0) ||
		    (f.smtp && strcmp(p.keys[i], f.smtp) == 0))
			p.keys[i][0] = '\0';
	}
	free(acc_list);
	free(smtp_list);
	if (!tb_render(a, &p, &body, &new_accounts, &new_smtps, &key, err))
		goto out;

	/* The new text: every line as it was, the lists rewritten in place,
	 * the account where mailsetup's earlier one was (so that installing
	 * it again gives the same text), else at the end. */
	bool wrote_acc = false, wrote_smtp = false, wrote_def = false, wrote_body = false;
	if (!old)
		buf_adds(&out, "// Mozilla User Preferences\n\n");
	for (size_t i = 0; i < n; i++) {
		const char *nm = v[i].name;
		if (nm && tb_old_line(nm, &f)) {
			if (!wrote_body)
				buf_add(&out, body.data, body.len);
			wrote_body = true;
		} else if (nm && strcmp(nm, "mail.accountmanager.accounts") == 0 && !wrote_acc) {
			pref_line(&out, nm, new_accounts);
			wrote_acc = true;
		} else if (nm && strcmp(nm, "mail.smtpservers") == 0 && new_smtps && !wrote_smtp) {
			pref_line(&out, nm, new_smtps);
			wrote_smtp = true;
		} else if (nm && strcmp(nm, "mail.accountmanager.defaultaccount") == 0 &&
		           f.account && def && strcmp(def, f.account) == 0) {
			pref_line(&out, nm, key);
			wrote_def = true;
		} else {
			buf_add(&out, v[i].start, v[i].len);
		}
	}
	if (out.len && out.data[out.len - 1] != '\n')
		buf_addc(&out, '\n');
	if (!wrote_body)
		buf_add(&out, body.data, body.len);
	if (!wrote_acc)
		pref_line(&out, "mail.accountmanager.accounts", new_accounts);
	if (new_smtps && !wrote_smtp)
		pref_line(&out, "mail.smtpservers", new_smtps);
	/* The first account becomes the default; an existing choice, or
	 * Thunderbird's own (the first in the list), stays. */
	if (!wrote_def && (!def || !*def) && no_other_account)
		pref_line(&out, "mail.accountmanager.defaultaccount", key);

	char *what = xasprintf(_("the Thunderbird account %s"), a->address);
	ok = install_file(prefs, old, out.data, false, what, r, err);
	free(what);
	if (!ok)
		goto out;
	if (a->in.auth == AUTH_OAUTH2)
		install_report_todo(
		    r, _("Thunderbird signs in to %s in a browser window at its first start."),
		    a->address);
	else
		install_report_todo(
		    r, _("Thunderbird asks for the password of %s at its first start."),
		    a->address);
	const struct account_server *sides[2] = {&a->in, &a->out};
	for (int i = 0; i < 2; i++)
		if (sides[i]->set && sides[i]->trusted_sha256)
			install_report_todo(
			    r,
			    _("Thunderbird will warn that the certificate of %s:%u cannot be "
			      "verified: "
			      "add the exception only if its SHA-256 fingerprint is %s."),
			    sides[i]->host, (unsigned)account_port(sides[i]),
			    sides[i]->trusted_sha256);
	char *userjs = xasprintf("%s/user.js", profile_dir);
	char *ujs = clients_read_file(userjs, INSTALL_FILE_MAX, NULL);
	if (ujs && strstr(ujs, "mail.accountmanager.accounts"))
		install_report_todo(r,
		                    _("%s sets the account list at every start of Thunderbird and "
		                      "hides this account: remove it."),
		                    userjs);
	free(ujs);
	free(userjs);
out:
	thunderbird_profile_free(&p);
	tb_found_free(&f);
	buf_free(&kept);
	buf_free(&body);
	buf_free(&out);
	free(new_accounts);
	free(new_smtps);
	free(key);
	tb_lines_free(v, n);
	free(old);
	free(prefs);
	return ok;
}
