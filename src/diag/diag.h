/* diag.h - the diagnosis catalogue (DESIGN.md "Diagnosis catalogue").
 *
 * A finding has a stable code (the string is a contract with scripts), a
 * severity, a sentence for a person and, where one exists, a concrete fix
 * expressed as a changed field of the request.  The rules that produce
 * findings live in one const table in diag/rules.c.
 */
#ifndef MS_DIAG_H
#define MS_DIAG_H

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
/* diag_probe: evaluate every rule against one probe result, appending
 * findings to out (errors first, in table order). */
void diag_probe(const struct probe_result *r, struct findings *out);
void findings_free(struct findings *f);

#endif
