/* diag.h - the diagnosis catalogue (DESIGN.md "Diagnosis catalogue").
 *
 * A finding has a stable code (the string is a contract with scripts), a
 * severity, a sentence for a person and, where one exists, a concrete fix
 * expressed as a changed field of the request.  The rules that produce
 * findings live in one const table in diag/rules.c.
 */
#ifndef MS_DIAG_H
#define MS_DIAG_H

#include <stdbool.h>
#include <stddef.h>

/* The cause a probe records when it stops, or an observation it makes.
 * Keep in step with the rule table; the string codes never change. */
enum diag_code {
	DIAG_NONE = 0,
	DIAG_DNS_FAILURE,
	DIAG_CONNECTION_REFUSED,
	DIAG_CONNECTION_TIMEOUT,
	DIAG_CONNECTION_CLOSED,
	DIAG_NO_GREETING,
	DIAG_TLS_ON_PLAINTEXT_PORT,
	DIAG_PROTOCOL_MISMATCH,
	DIAG_PROTOCOL_VIOLATION,
	DIAG_SERVICE_REFUSED,
	DIAG_STARTTLS_NOT_OFFERED,
	DIAG_STARTTLS_REFUSED,
	DIAG_STARTTLS_INJECTION,
	DIAG_PREAUTH_BEFORE_TLS,
	DIAG_CERT_HOSTNAME_MISMATCH,
	DIAG_CERT_EXPIRED,
	DIAG_CERT_NOT_YET_VALID,
	DIAG_CERT_SELF_SIGNED,
	DIAG_CERT_UNTRUSTED,
	DIAG_CERT_INCOMPLETE_CHAIN,
	DIAG_CERT_CHANGED,
	DIAG_TLS_HANDSHAKE_FAILED,
	DIAG_TLS_VERSION_OLD,
	DIAG_PLAINTEXT_ONLY,
	DIAG_PLAINTEXT_REFUSED,
	DIAG_LOGIN_DISABLED,
	DIAG_NO_AUTH_MECHANISM,
	DIAG_AUTH_FAILED,
	DIAG_OAUTH_ONLY,
	DIAG_SUBMISSION_ON_PORT_25,
	DIAG_SENDER_REFUSED,
	DIAG_RECIPIENT_REFUSED,
	DIAG_APP_PASSWORD_REQUIRED,
	DIAG_CODE_COUNT
};

enum diag_severity { SEV_INFO, SEV_WARNING, SEV_ERROR };

/* A fix: set each field (a request field name: "security", "port",
 * "host", "user", "protocol") to its value; n == 0: no automatic fix. */
#define DIAG_FIX_MAX 2
struct diag_fix {
	int n;
	struct {
		char field[16];
		char value[256];
	} change[DIAG_FIX_MAX];
};

struct finding {
	enum diag_code code;
	enum diag_severity severity;
	char *message;  /* translated, server/cert text already escaped */
	char *fix_text; /* translated, "" when none */
	struct diag_fix fix;
};

struct findings {
	struct finding *v;
	size_t n;
};

struct probe_result;

/* diag_code_name: the stable code string ("starttls-injection"). */
const char *diag_code_name(enum diag_code code);
const char *diag_severity_name(enum diag_severity sev);
/* diag_severity_label: the same, translated, for a person ("error",
 * "warning", "note"). */
const char *diag_severity_label(enum diag_severity sev);
/* diag_probe: evaluate every rule against one probe result, appending
 * findings to out (errors first, in table order). */
void diag_probe(const struct probe_result *r, struct findings *out);

/* What the provider's configuration (autoconfig/ISPDB) says about
 * signing in to the probed server, so that a failed login can be
 * explained for that provider.  Strings are raw (escaped on use). */
struct diag_provider {
	bool oauth2;          /* it offers OAuth2 */
	bool password;        /* it offers a password login */
	const char *doc_url;  /* its page for people, or NULL */
	const char *doc_text; /* that page's description, or NULL */
};
/* diag_probe_provider: diag_probe with the provider's word (p may be
 * NULL).  A login refusal then also says which of app passwords and
 * OAuth2 the provider offers and links its page; app-password-required
 * is found when the server says so (IMAP [ALERT], SMTP 534 5.7.9, the
 * words "application-specific password") or the provider's page does. */
void diag_probe_provider(const struct probe_result *r, const struct diag_provider *p,
                         struct findings *out);
/* diag_login_explanation: the server's own explanation of a refused
 * login, escaped for display: the IMAP response code and text ("[ALERT]
 * ..."), the SMTP reply with its enhanced code ("534 5.7.9 ..."), the
 * POP3 text ("[AUTH] ..."); NULL when there is none.  free() it. */
char *diag_login_explanation(const struct probe_result *r);
void findings_free(struct findings *f);

#endif
