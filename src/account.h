/* account.h - the account model every layer shares.
 *
 * One mail account as a person sets it up: who they are (name, address),
 * where mail comes from (IMAP or POP3), where it goes out (SMTP
 * submission), how the client logs in, and how the password is handled.
 * The CLI fills it from options or JSON, the wizard from its screens, and
 * the writers (writers/writers.h) turn it into client configuration.
 *
 * Ownership: every string in struct account is owned by it (malloc'ed),
 * and account_free() releases them; the password is cleansed first.
 * The setters replace a field's previous value.
 */
#ifndef MS_ACCOUNT_H
#define MS_ACCOUNT_H

#include "base/err.h"
#include "probe/probe.h"

#include <stdbool.h>
#include <stdint.h>

/* How a client proves who it is.  The names are Thunderbird's autoconfig
 * words (account_auth_name), the numbers its authMethod codes. */
enum account_auth {
	AUTH_PASSWORD_CLEARTEXT = 0, /* "normal password": PLAIN/LOGIN over TLS */
	AUTH_PASSWORD_ENCRYPTED,     /* CRAM-MD5 and the like */
	AUTH_OAUTH2,                 /* XOAUTH2 / OAUTHBEARER */
};

/* What the generated configuration does about the password. */
enum account_password {
	PASSWORD_NONE = 0, /* nothing written: the client asks */
	PASSWORD_COMMAND,  /* a command prints it (pass, secret-tool...) */
	PASSWORD_STORED,   /* kept in a separate mode-0600 file */
};

struct account_server {
	bool set;            /* this side is configured at all */
	enum ms_proto proto; /* incoming: IMAP or POP3; outgoing: SMTP */
	char *host;
	uint16_t port; /* 0: default_port(proto, security) */
	enum ms_security security;
	char *username; /* NULL: the account's address */
	enum account_auth auth;
	/* What mailsetup verified about this server, if anything (from a
	 * diagnose/discover JSON): shown by the text writer. */
	bool verified;
	char *verified_at; /* ISO 8601, or NULL */
	/* The SHA-256 fingerprint (tls_pin_parse form) of a certificate the
	 * person chose to trust although it cannot be verified (DESIGN.md
	 * rule 8), or NULL.  msmtp pins it; mutt trusts it through
	 * trusted_certs_file when there is one; the others say which
	 * fingerprint to accept. */
	char *trusted_sha256;
};

struct account {
	char *name;    /* real name, may be NULL */
	char *address; /* e-mail address */
	struct account_server in;
	struct account_server out;
	enum account_password password_mode;
	char *password_command; /* PASSWORD_COMMAND: run by the client's shell */
	char *password;         /* PASSWORD_STORED: the secret itself */
	char *password_file;    /* PASSWORD_STORED: absolute path of that file */
	char *cafile;           /* extra CA certificates the client should trust */
	/* A PEM file holding the server certificates trusted by fingerprint
	 * (account_server.trusted_sha256), for clients that trust exact
	 * certificates from a file (mutt's certificate_file), or NULL. */
	char *trusted_certs_file;
	/* The server's special-use folders (IMAP, found after a login, or
	 * from a report's "folders"); mutt gets record/postponed/trash. */
	struct ms_folders folders;
};

/* account_init / account_free: an empty account; release all it owns. */
void account_init(struct account *a);
void account_free(struct account *a);

/* account_set: replace *field with a copy of value (NULL clears it). */
void account_set(char **field, const char *value);

/* Names and parsing of the auth methods: "password-cleartext",
 * "password-encrypted", "OAuth2".  account_auth_parse also accepts the
 * SASL names a diagnose report may carry (plain, login, cram-md5,
 * xoauth2, oauthbearer) and "normal"/"encrypted"/"oauth2", any case. */
const char *account_auth_name(enum account_auth a);
bool account_auth_parse(const char *s, enum account_auth *out);

/* account_port: the server's port, or its default when 0. */
uint16_t account_port(const struct account_server *s);
/* account_username: the login name (the server's, else the address). */
const char *account_username(const struct account *a, const struct account_server *s);
/* account_domain: the part of the address after the last '@' (or ""). */
const char *account_domain(const struct account *a);

/* account_validate: check that the account can be written safely and
 * makes sense: an address with one '@'; at least one server; host names
 * of letters, digits, '-' and '.' (or an IP address); every text field
 * valid UTF-8 without control characters; the password command without
 * backticks or line ends; plaintext only when allow_plaintext.  On
 * failure returns false with err set (ERR_USAGE) naming the field. */
bool account_validate(const struct account *a, bool allow_plaintext, struct ms_err *err);

/* account_from_json_text: fill a from JSON text: a `diagnose --json`
 * report ("host", "recommended": {"incoming", "outgoing"}), a `discover
 * --json` report ("address", "recommended"), or an account object
 * {"address", "name", "incoming", "outgoing"}.  A server object has
 * "protocol", "host", "port", "security" and optionally "username",
 * "auth", "verified", "verified_at".  Fields present in the JSON replace
 * those in a; the caller applies command-line options afterwards so that
 * they win.  Returns false with err set (ERR_USAGE) when the text is not
 * one of those shapes or a value is invalid.  "folders" ({sent, drafts,
 * trash, junk, archive, guessed}) is read from the top level, else from
 * the incoming server object (a probe report of a login carries it). */
bool account_from_json_text(struct account *a, const char *text, size_t len, struct ms_err *err);

#endif
