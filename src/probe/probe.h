/* probe.h - live test of one mail server, as a client would use it.
 *
 * A probe takes a request (host, port, protocol, security mode, optional
 * credentials) and produces a probe_result: each step with its outcome and
 * milliseconds, the TLS facts, capabilities before and after TLS, the
 * login outcome and the cause when it stopped early.  Probes run on the
 * event loop, so many can run at once (diagnose, discover).
 *
 * Security contract (DESIGN.md rules 1-5), enforced here, not by callers:
 *  - implicit TLS and STARTTLS sessions must verify before anything but
 *    the greeting and capabilities is exchanged;
 *  - STARTTLS required means fail closed (missing, refused, PREAUTH,
 *    unparsable answer, bytes injected before the handshake);
 *  - capabilities learned before TLS are discarded and asked again;
 *  - credentials are sent only over a verified TLS session, or over
 *    plaintext when the request explicitly allows plaintext.
 */
#ifndef MS_PROBE_H
#define MS_PROBE_H

#include "base/err.h"
#include "base/loop.h"
#include "diag/diag.h"
#include "net/conn.h"
#include "net/tls.h"
#include "observer.h"
#include "probe/caps.h"

#include <stdbool.h>
#include <stdint.h>

enum ms_proto { PROTO_IMAP, PROTO_POP3, PROTO_SMTP };
enum ms_security { SEC_TLS, SEC_STARTTLS, SEC_PLAIN };

const char *proto_name(enum ms_proto p);       /* "imap" */
const char *security_name(enum ms_security s); /* "tls" */
bool proto_parse(const char *s, enum ms_proto *out);
bool security_parse(const char *s, enum ms_security *out);
/* default_port: 993/143, 995/110, 465/587 (plain uses the STARTTLS port). */
uint16_t default_port(enum ms_proto p, enum ms_security s);

/* The default per-step timeout: long enough for a slow server on a bad
 * link, short enough that a person waiting is not left wondering. */
#define PROBE_DEFAULT_TIMEOUT_MS 15000

struct probe_request {
	const char *host; /* name for SNI and verification, or an IP */
	uint16_t port;
	enum ms_proto proto;
	enum ms_security security;
	const char *user;      /* NULL: no login */
	const char *password;  /* NULL: no login; never copied to output */
	bool login;            /* try to log in (needs user and password) */
	const char *mail_from; /* SMTP send-path check: MAIL FROM/RCPT TO/RSET */
	const char *ehlo_name; /* NULL: "localhost" */
	int timeout_ms;        /* per step; 0: PROBE_DEFAULT_TIMEOUT_MS */
	bool allow_plaintext;
	/* The SHA-256 fingerprint (tls_pin_parse form) of a certificate the
	 * person chose to trust for this host and port although it cannot be
	 * verified (DESIGN.md rule 8), or NULL.  Exactly that certificate is
	 * accepted; any other unverifiable one fails as cert-changed. */
	const char *pin_sha256;
	SSL_CTX *tls_ctx;              /* shared client context (tls_ctx_new) */
	const struct conn_addr *addrs; /* resolved addresses with their port
	                                  (used as given), or NULL */
	size_t naddrs;
};

struct probe_step {
	const char *name; /* stable id: "connect", "tls", "greeting", ... */
	bool ok;
	int ms;
	char *detail; /* escaped for display; may be "" */
};

enum probe_login { LOGIN_SKIPPED, LOGIN_OK, LOGIN_FAILED };

/* The special-use folders of an IMAP account (RFC 6154: \Sent, \Drafts,
 * \Trash, \Junk, \Archive), as UTF-8 mailbox names (decoded from IMAP
 * modified UTF-7), each NULL when unknown.  Server text: escape before
 * display. */
struct ms_folders {
	char *sent, *drafts, *trash, *junk, *archive;
	/* listed: the server answered LIST after the login.  guessed: it
	 * marked no folder, so the names were matched against common ones
	 * ("Sent", "Sent Items"...) among the folders it has. */
	bool listed, guessed;
};
void ms_folders_free(struct ms_folders *f);
void ms_folders_copy(struct ms_folders *dst, const struct ms_folders *src);
/* ms_folders_any: at least one folder is known. */
bool ms_folders_any(const struct ms_folders *f);

struct probe_result {
	char *host;
	uint16_t port;
	enum ms_proto proto;
	enum ms_security security;
	bool ok;              /* every attempted step succeeded */
	enum diag_code cause; /* why it stopped, DIAG_NONE when ok */
	struct ms_err err;    /* the failure in words, and the server's reply */
	char peer[64];        /* address actually connected */
	struct probe_step *steps;
	size_t nsteps;
	bool tls_attempted;
	struct tls_facts tls;
	char *greeting;              /* raw first line (escape before display) */
	struct caps caps_before_tls; /* STARTTLS mode: what plaintext offered */
	struct caps caps;            /* the final capability set (after TLS) */
	enum probe_login login;
	char *login_reply;         /* the server's answer to the login, raw */
	struct ms_folders folders; /* IMAP, after a successful login */
	bool send_path_checked;
	bool sender_ok, recipient_ok;
	char *send_path_reply; /* the refusal, raw */
	int total_ms;
	bool credentials_sent;          /* a password left this client */
	bool credentials_sent_verified; /* ...only over verified TLS (or a
	                                   certificate trusted by its fingerprint) */
	bool got_greeting;              /* the server's first line arrived */
	bool other_protocol;            /* the greeting was of another protocol: */
	enum ms_proto detected_proto;   /* ...this one */
	bool cancelled;                 /* stopped early because another answer made
	                                   waiting pointless (see probe_cancel) */
	/* The same server tried the other way (other TLS mode, or the
	 * implicit-TLS port), when that explains the failure; owned. */
	struct probe_result *alternative;
};

typedef void (*probe_done_fn)(void *arg, struct probe_result *r);
struct probe;

/* probe_start: begin a probe on loop; done(arg, result) is called once,
 * from within loop_run() (or at once, on an immediate failure), with a
 * result the caller must probe_result_free.  req and its strings must
 * stay valid until then.  Returns a handle that is valid until done() is
 * called, or NULL if done() was already called. */
struct probe *probe_start(struct loop *loop, const struct probe_request *req,
                          const struct ms_observer *obs, probe_done_fn done, void *arg);
/* probe_has_greeting: the server has said its first line. */
bool probe_has_greeting(const struct probe *p);
/* probe_cancel: stop a running probe now with cause and a message (the
 * result is marked cancelled); done() is called before this returns. */
void probe_cancel(struct probe *p, enum diag_code cause, const char *msg);
void probe_result_free(struct probe_result *r);

#endif
