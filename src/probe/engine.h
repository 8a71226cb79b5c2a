/* engine.h - the shared line engine under imap.c, pop3.c and smtp.c.
 *
 * Internal to probe/.  The engine owns the connection, the timing of
 * steps, the transcript, TLS (implicit and STARTTLS, with the injection
 * check), the credential gate and the end of a probe.  A protocol module
 * is a state machine fed one server line at a time.
 */
#ifndef MS_PROBE_ENGINE_H
#define MS_PROBE_ENGINE_H

#include "base/buf.h"
#include "probe/probe.h"

struct probe;
struct folder_scan;

struct proto_ops {
	const char *name;
	/* Longest server line accepted (the RFC limit, generously rounded). */
	size_t max_line;
	/* Most lines one response may have (multi-line replies, untagged
	 * data): a server that never ends a response is cut here. */
	size_t max_lines;
	/* start: the connection is ready for the greeting (after TCP in
	 * STARTTLS/plain mode, after the verified handshake in TLS mode). */
	void (*start)(struct probe *p);
	/* line: one line from the server (no CR LF). */
	void (*line)(struct probe *p, const char *line, size_t len);
	/* tls_ready: STARTTLS completed and verified; ask capabilities again. */
	void (*tls_ready)(struct probe *p);
};

extern const struct proto_ops imap_ops, pop3_ops, smtp_ops;

struct probe {
	struct loop *loop;
	struct conn *conn;
	struct probe_request req;
	const struct ms_observer *obs;
	const struct proto_ops *ops;
	struct probe_result *res;
	probe_done_fn done;
	void *done_arg;
	int state;        /* the protocol module's state */
	int64_t t0;       /* probe start */
	int64_t t_step;   /* current step start */
	const char *step; /* current step id, NULL if none open */
	bool tls_active;
	bool finished;
	bool *finished_flag; /* set while probe_start may finish at once */
	size_t lines_in_response;
	int tag;       /* IMAP tag counter */
	bool in_reply; /* SMTP: inside a multi-line reply */
	struct buf line;
	char tagstr[16];
	/* optional: the step running now is extra information (IMAP LIST
	 * after a successful login): a failure in it, even a closed
	 * connection or a timeout, fails only that step and the probe ends
	 * as a success. */
	bool optional;
	/* IMAP after the login: the LIST being read (freed at the end). */
	struct folder_scan *folders;
	size_t folder_literal; /* the next line starts with a name of this size */
	unsigned folder_flags; /* ...whose attributes were these */
};

/* Steps: open one, then close it with its outcome.  Closing reports it to
 * the observer.  detail is a printf format; the result is escaped. */
void probe_step_open(struct probe *p, const char *name);
void probe_step_close(struct probe *p, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* probe_send: send one command line (CR LF added).  shown is what the
 * transcript shows instead of line (secrets redacted), or NULL for line. */
void probe_send(struct probe *p, const char *line, const char *shown);
/* probe_expect: an answer is now due (starts the read deadline). */
void probe_expect(struct probe *p);

/* probe_starttls: the server accepted STARTTLS.  Refuses (injection) if
 * any byte is waiting, else starts the handshake; on success the
 * module's tls_ready() runs with capabilities cleared. */
void probe_starttls(struct probe *p);

/* probe_may_send_credentials: true if the session is verified TLS or
 * plaintext was explicitly allowed; otherwise fails the probe. */
bool probe_may_send_credentials(struct probe *p);

/* probe_fail: stop with cause and category; fmt explains in words; the
 * server's reply (raw) is kept when reply is not NULL. */
void probe_fail(struct probe *p, enum diag_code cause, enum err_category cat, const char *reply,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* probe_succeed: everything asked was done.  bye (may be NULL) is sent
 * as the closing command, without waiting for its answer. */
void probe_succeed(struct probe *p, const char *bye);

/* probe_greeting_mismatch: the first line is not this protocol's
 * greeting: fail with protocol-mismatch or protocol-violation. */
void probe_greeting_mismatch(struct probe *p, const char *line, size_t len);

/* probe_sasl_plain: base64 of "\0user\0password" (caller secret_free's). */
char *probe_sasl_plain(const struct probe *p);
/* probe_b64: base64 of a string (caller secret_free's). */
char *probe_b64(const char *s);

#endif
