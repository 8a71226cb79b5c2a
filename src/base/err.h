/* err.h - the one error type of the engine.
 *
 * An error has a category (what kind of thing went wrong, which the CLI
 * maps to an exit code), a message in the user's language, and, kept
 * apart, the server's own reply when the server said something.  The
 * reply is raw server text: escape it (base/escape.h) before display.
 */
#ifndef MS_ERR_H
#define MS_ERR_H

enum err_category {
	ERR_NONE = 0,
	ERR_LOCAL,    /* our side: memory, files, bad configuration */
	ERR_USAGE,    /* the request itself is invalid */
	ERR_DNS,      /* the name does not resolve */
	ERR_REFUSED,  /* connection refused / unreachable */
	ERR_TIMEOUT,  /* no answer in time (connect or read) */
	ERR_NETWORK,  /* other socket errors, EOF */
	ERR_TLS,      /* handshake failed (version, cipher, alert) */
	ERR_CERT,     /* certificate verification failed */
	ERR_PROTOCOL, /* the server broke the protocol or spoke another one */
	ERR_FEATURE,  /* the server lacks something we need (STARTTLS...) */
	ERR_DENIED,   /* the server refused a command (STARTTLS, MAIL FROM) */
	ERR_AUTH,     /* credentials were refused */
};

#include <stdarg.h>

#define ERR_MSG_MAX   512
#define ERR_REPLY_MAX 512

struct ms_err {
	enum err_category cat;
	char msg[ERR_MSG_MAX];     /* translated, for a person */
	char reply[ERR_REPLY_MAX]; /* server's own words, raw; "" if none */
};

void err_clear(struct ms_err *e);
/* err_set: set category and message; the reply is left untouched. */
void err_set(struct ms_err *e, enum err_category cat, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void err_vset(struct ms_err *e, enum err_category cat, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* err_set_reply: keep the server's words (truncated to ERR_REPLY_MAX-1). */
void err_set_reply(struct ms_err *e, const char *reply, unsigned long len);
/* err_category_name: stable English identifier, e.g. "tls" (for JSON). */
const char *err_category_name(enum err_category cat);

#endif
