/* account.c - the shared account model: names, defaults, validation. */
#include "config.h"

#include "account.h"

#include "base/alloc.h"
#include "base/escape.h"
#include "base/i18n.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void account_init(struct account *a)
{
	memset(a, 0, sizeof *a);
	a->in.proto = PROTO_IMAP;
	a->in.security = SEC_TLS;
	a->out.proto = PROTO_SMTP;
	a->out.security = SEC_TLS;
}

static void server_free(struct account_server *s)
{
	free(s->host);
	free(s->username);
	free(s->verified_at);
	free(s->trusted_sha256);
}

void account_free(struct account *a)
{
	free(a->name);
	free(a->address);
	server_free(&a->in);
	server_free(&a->out);
	free(a->password_command);
	secret_free(a->password);
	free(a->password_file);
	free(a->cafile);
	free(a->trusted_certs_file);
	ms_folders_free(&a->folders);
	memset(a, 0, sizeof *a);
}

void account_set(char **field, const char *value)
{
	char *copy = value ? xstrdup(value) : NULL;
	free(*field);
	*field = copy;
}

static const struct {
	const char *name;
	enum account_auth auth;
} auth_names[] = {
    {"password-cleartext", AUTH_PASSWORD_CLEARTEXT},
    {"password-encrypted", AUTH_PASSWORD_ENCRYPTED},
    {"OAuth2", AUTH_OAUTH2},
    /* Words a person or a diagnose report may use for the same things. */
    {"normal", AUTH_PASSWORD_CLEARTEXT},
    {"password", AUTH_PASSWORD_CLEARTEXT},
    {"plain", AUTH_PASSWORD_CLEARTEXT},
    {"login", AUTH_PASSWORD_CLEARTEXT},
    {"encrypted", AUTH_PASSWORD_ENCRYPTED},
    {"cram-md5", AUTH_PASSWORD_ENCRYPTED},
    {"xoauth2", AUTH_OAUTH2},
    {"oauthbearer", AUTH_OAUTH2},
};

const char *account_auth_name(enum account_auth a)
{
	for (size_t i = 0; i < sizeof auth_names / sizeof auth_names[0]; i++)
		if (auth_names[i].auth == a)
			return auth_names[i].name;
	return "password-cleartext";
}

bool account_auth_parse(const char *s, enum account_auth *out)
{
	for (size_t i = 0; i < sizeof auth_names / sizeof auth_names[0]; i++)
		if (strcasecmp(s, auth_names[i].name) == 0) {
			*out = auth_names[i].auth;
			return true;
		}
	return false;
}

uint16_t account_port(const struct account_server *s)
{
	return s->port ? s->port : default_port(s->proto, s->security);
}

const char *account_username(const struct account *a, const struct account_server *s)
{
	if (s->username && *s->username)
		return s->username;
	return a->address ? a->address : "";
}

const char *account_domain(const struct account *a)
{
	const char *at = a->address ? strrchr(a->address, '@') : NULL;
	return at ? at + 1 : "";
}

/* text_ok: valid UTF-8 without C0 controls, DEL or C1 controls.  Every
 * writer escapes for its format anyway; refusing these here means that
 * no format has to represent a line break inside a value (msmtprc and
 * muttrc values cannot hold one in any form a person would want). */
static bool text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t l = utf8_decode(p + i, n - i, &cp);
		if (l == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			return false;
		i += l;
	}
	return true;
}

/* host_ok: a DNS name (letters, digits, '-', '.'), an IPv4 address, or an
 * IPv6 address (hex digits, ':' and '.').  Anything else, including
 * internationalised names in Unicode, is refused: clients disagree on
 * them, and the xn-- form works everywhere. */
static bool host_ok(const char *h)
{
	size_t n = strlen(h);
	if (n == 0 || n > 253)
		return false;
	if (strchr(h, ':'))
		return strspn(h, "0123456789abcdefABCDEF:.") == n;
	if (h[0] == '-' || h[0] == '.')
		return false;
	return strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == n;
}

static bool check_text(const char *value, const char *field, struct ms_err *err)
{
	if (value && !text_ok(value)) {
		err_set(err, ERR_USAGE,
		        _("%s contains a control character, a line break or invalid UTF-8"), field);
		return false;
	}
	return true;
}

static bool check_server(const struct account_server *s, const char *side, bool allow_plaintext,
                         struct ms_err *err)
{
	if (!s->set)
		return true;
	if (!s->host || !host_ok(s->host)) {
		err_set(err, ERR_USAGE,
		        _("the %s server name is not a valid host name or IP address "
		          "(internationalised names must be given in their xn-- form)"),
		        side);
		return false;
	}
	if (s->security == SEC_PLAIN && !allow_plaintext) {
		err_set(err, ERR_USAGE,
		        _("the %s server is set to plaintext: the password would travel "
		          "unencrypted; use tls or starttls, or --allow-plaintext"),
		        side);
		return false;
	}
	if (!check_text(s->username, _("the user name"), err))
		return false;
	char fpr[TLS_FPR_LEN];
	if (s->trusted_sha256 && !tls_pin_parse(s->trusted_sha256, fpr)) {
		err_set(err, ERR_USAGE,
		        _("the trusted certificate of the %s server is not a SHA-256 "
		          "fingerprint"),
		        side);
		return false;
	}
	return check_text(s->verified_at, "verified_at", err);
}

bool account_validate(const struct account *a, bool allow_plaintext, struct ms_err *err)
{
	if (!a->address || !*a->address) {
		err_set(err, ERR_USAGE, "%s", _("the e-mail address is missing (use --address)"));
		return false;
	}
	const char *at = strrchr(a->address, '@');
	if (!at || at == a->address || !at[1] || strchr(a->address, '@') != at ||
	    strpbrk(a->address, " \t\"<>,;()[]\\")) {
		err_set(err, ERR_USAGE, _("'%s' is not a plain e-mail address (name@domain)"),
		        a->address);
		return false;
	}
	if (!check_text(a->address, _("the e-mail address"), err) ||
	    !check_text(a->name, _("the name"), err))
		return false;
	if (!a->in.set && !a->out.set) {
		err_set(err, ERR_USAGE, "%s",
		        _("no server given: use --imap or --pop3, --smtp, or --from-json"));
		return false;
	}
	if (a->in.set && a->in.proto == PROTO_SMTP) {
		err_set(err, ERR_USAGE, "%s", _("the incoming server must be IMAP or POP3"));
		return false;
	}
	if (a->out.set && a->out.proto != PROTO_SMTP) {
		err_set(err, ERR_USAGE, "%s", _("the outgoing server must be SMTP"));
		return false;
	}
	if (!check_server(&a->in, _("incoming"), allow_plaintext, err) ||
	    !check_server(&a->out, _("outgoing"), allow_plaintext, err))
		return false;
	if (a->password_mode == PASSWORD_COMMAND) {
		const char *c = a->password_command;
		if (!c || !*c) {
			err_set(err, ERR_USAGE, "%s", _("the password command is empty"));
			return false;
		}
		/* The command goes between backticks (muttrc) or double quotes
		 * (msmtprc); a backtick or line break would end it early. */
		/* mutt skips a backslash-escaped backtick when it looks for the
		 * closing one, so a trailing backslash would swallow it. */
		if (!text_ok(c) || strchr(c, '`') || c[strlen(c) - 1] == '\\') {
			err_set(
			    err, ERR_USAGE, "%s",
			    _("the password command must be one line without backticks and must "
			      "not end in a backslash (use $(...) for command substitution)"));
			return false;
		}
	}
	if (a->password_mode == PASSWORD_STORED && (!a->password || !a->password_file)) {
		err_set(err, ERR_USAGE, "%s",
		        _("a stored password needs the password and its file"));
		return false;
	}
	if (a->password_file && !check_text(a->password_file, _("the password file name"), err))
		return false;
	const char *folders[] = {a->folders.sent, a->folders.drafts, a->folders.trash,
	                         a->folders.junk, a->folders.archive};
	for (size_t i = 0; i < sizeof folders / sizeof folders[0]; i++)
		if (folders[i] &&
		    (!*folders[i] || !check_text(folders[i], _("a folder name"), err))) {
			if (!*folders[i])
				err_set(err, ERR_USAGE, "%s", _("a folder name is empty"));
			return false;
		}
	return check_text(a->cafile, _("the CA file name"), err) &&
	       check_text(a->trusted_certs_file, _("the trusted certificates file name"), err);
}
