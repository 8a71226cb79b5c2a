#include "config.h"

#include "probe/engine.h"

#include "base/alloc.h"
#include "base/escape.h"
#include "base/i18n.h"
#include "probe/folders.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- names --------------------------------------------------------------- */

const char *proto_name(enum ms_proto p)
{
	return p == PROTO_IMAP ? "imap" : p == PROTO_POP3 ? "pop3" : "smtp";
}

const char *security_name(enum ms_security s)
{
	return s == SEC_TLS ? "tls" : s == SEC_STARTTLS ? "starttls" : "plain";
}

bool proto_parse(const char *s, enum ms_proto *out)
{
	static const struct {
		const char *name;
		enum ms_proto p;
	} t[] = {{"imap", PROTO_IMAP},
	         {"pop3", PROTO_POP3},
	         {"pop", PROTO_POP3},
	         {"smtp", PROTO_SMTP},
	         {"submission", PROTO_SMTP}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcasecmp(s, t[i].name) == 0) {
			*out = t[i].p;
			return true;
		}
	return false;
}

bool security_parse(const char *s, enum ms_security *out)
{
	static const struct {
		const char *name;
		enum ms_security s;
	} t[] = {{"tls", SEC_TLS},           {"ssl", SEC_TLS},       {"implicit", SEC_TLS},
	         {"starttls", SEC_STARTTLS}, {"stls", SEC_STARTTLS}, {"plain", SEC_PLAIN},
	         {"none", SEC_PLAIN}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcasecmp(s, t[i].name) == 0) {
			*out = t[i].s;
			return true;
		}
	return false;
}

uint16_t default_port(enum ms_proto p, enum ms_security s)
{
	bool tls = s == SEC_TLS;
	switch (p) {
	case PROTO_IMAP:
		return tls ? 993 : 143;
	case PROTO_POP3:
		return tls ? 995 : 110;
	case PROTO_SMTP:
		return tls ? 465 : 587;
	}
	return 0;
}

/* ---- steps and transcript ------------------------------------------------- */

static int elapsed(int64_t since)
{
	int64_t d = loop_now_ms() - since;
	return d < 0 ? 0 : d > 1000000000 ? 1000000000 : (int)d;
}

void probe_step_open(struct probe *p, const char *name)
{
	p->step = name;
	p->t_step = loop_now_ms();
}

static void step_vclose(struct probe *p, bool ok, const char *fmt, va_list ap)
{
	if (!p->step)
		return;
	struct probe_result *r = p->res;
	struct buf raw = {0};
	buf_vaddf(&raw, fmt, ap);
	r->steps = xrealloc(r->steps, (r->nsteps + 1) * sizeof *r->steps);
	struct probe_step *s = &r->steps[r->nsteps++];
	s->name = p->step;
	s->ok = ok;
	s->ms = elapsed(p->t_step);
	s->detail = escape_display(raw.data ? raw.data : "", raw.len);
	buf_free(&raw);
	p->step = NULL;
	if (p->obs && p->obs->step)
		p->obs->step(p->obs->ctx, r, s);
}

void probe_step_close(struct probe *p, bool ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	step_vclose(p, ok, fmt, ap);
	va_end(ap);
}

static void transcript(struct probe *p, char dir, const char *text, size_t len)
{
	if (!p->obs || !p->obs->transcript)
		return;
	char *e = escape_display(text, len);
	p->obs->transcript(p->obs->ctx, p->res, dir, e);
	free(e);
}

/* ---- finishing ------------------------------------------------------------ */

static void finish(struct probe *p)
{
	if (p->finished)
		return;
	p->finished = true;
	if (p->finished_flag)
		*p->finished_flag = true;
	struct probe_result *r = p->res;
	r->total_ms = elapsed(p->t0);
	if (p->conn) {
		snprintf(r->peer, sizeof r->peer, "%s", p->conn->peer);
		conn_close(p->conn);
		p->conn = NULL;
	}
	buf_free(&p->line);
	if (p->folders) {
		folder_scan_free(p->folders);
		free(p->folders);
	}
	probe_done_fn done = p->done;
	void *arg = p->done_arg;
	free(p);
	done(arg, r);
}

void probe_fail(struct probe *p, enum diag_code cause, enum err_category cat, const char *reply,
                const char *fmt, ...)
{
	if (p->finished)
		return;
	struct probe_result *r = p->res;
	va_list ap;
	if (p->optional) {
		/* What was asked (the login) is done; only the extra step failed. */
		struct ms_err e;
		err_clear(&e);
		va_start(ap, fmt);
		err_vset(&e, cat, fmt, ap);
		va_end(ap);
		p->optional = false;
		if (p->step)
			probe_step_close(p, false, "%s", e.msg);
		probe_succeed(p, NULL);
		return;
	}
	va_start(ap, fmt);
	err_vset(&r->err, cat, fmt, ap);
	va_end(ap);
	if (reply)
		err_set_reply(&r->err, reply, strlen(reply));
	r->cause = cause;
	r->ok = false;
	if (p->step)
		probe_step_close(p, false, "%s", r->err.msg);
	finish(p);
}

void probe_succeed(struct probe *p, const char *bye)
{
	if (bye && p->conn) {
		/* A polite goodbye, but the answer tells us nothing we need:
		 * do not wait a round trip for it. */
		probe_send(p, bye, NULL);
	}
	p->res->ok = true;
	p->res->cause = DIAG_NONE;
	finish(p);
}

/* ---- sending -------------------------------------------------------------- */

void probe_send(struct probe *p, const char *line, const char *shown)
{
	const char *t = shown ? shown : line;
	transcript(p, '>', t, strlen(t));
	size_t n = strlen(line);
	char *wire = xmalloc(n + 3);
	memcpy(wire, line, n);
	memcpy(wire + n, "\r\n", 3);
	conn_send(p->conn, wire, n + 2);
	OPENSSL_cleanse(wire, n + 2);
	free(wire);
}

void probe_expect(struct probe *p)
{
	p->lines_in_response = 0;
	conn_expect(p->conn, p->req.timeout_ms);
}

static char *b64(const unsigned char *in, size_t len)
{
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

char *probe_b64(const char *s)
{
	return b64((const unsigned char *)s, strlen(s));
}

char *probe_sasl_plain(const struct probe *p)
{
	/* RFC 4616: [authzid] NUL authcid NUL passwd; no authzid. */
	size_t ul = strlen(p->req.user), pl = strlen(p->req.password);
	size_t n = ul + pl + 2;
	unsigned char *raw = xmalloc(n);
	raw[0] = '\0';
	memcpy(raw + 1, p->req.user, ul);
	raw[1 + ul] = '\0';
	memcpy(raw + 2 + ul, p->req.password, pl);
	char *out = b64(raw, n);
	OPENSSL_cleanse(raw, n);
	free(raw);
	return out;
}

bool probe_may_send_credentials(struct probe *p)
{
	bool trusted = p->res->tls.verified || p->res->tls.pinned;
	if ((p->tls_active && trusted) || (!p->tls_active && p->req.allow_plaintext)) {
		p->res->credentials_sent = true;
		p->res->credentials_sent_verified = p->tls_active && trusted;
		return true;
	}
	/* Unreachable by construction: an unverified session is ended right
	 * after the handshake.  Kept as the last line of defence. */
	probe_fail(p, DIAG_PLAINTEXT_REFUSED, ERR_LOCAL, NULL, "%s",
	           _("refusing to send the password over a connection that is not verified TLS"));
	return false;
}

/* ---- greeting mismatch ---------------------------------------------------- */

void probe_greeting_mismatch(struct probe *p, const char *line, size_t len)
{
	char *shown = xstrndup(line, len);
	enum greeting_kind k = greeting_classify(line, len);
	const char *other = NULL;
	switch (k) {
	case GREET_IMAP:
	case GREET_IMAP_PREAUTH:
	case GREET_IMAP_BYE:
		other = "IMAP";
		break;
	case GREET_POP3:
	case GREET_POP3_ERR:
		other = "POP3";
		break;
	case GREET_SMTP:
	case GREET_SMTP_REFUSED:
		other = "SMTP";
		break;
	case GREET_UNKNOWN:
		break;
	}
	if (other && strcmp(other, p->ops->name) != 0) {
		p->res->other_protocol = true;
		proto_parse(other, &p->res->detected_proto);
		probe_fail(p, DIAG_PROTOCOL_MISMATCH, ERR_PROTOCOL, shown,
		           _("port %u speaks %s, not %s"), (unsigned)p->req.port, other,
		           p->ops->name);
	} else
		probe_fail(p, DIAG_PROTOCOL_VIOLATION, ERR_PROTOCOL, shown,
		           _("the server's greeting is not a valid %s greeting"), p->ops->name);
	free(shown);
}

/* ---- TLS ------------------------------------------------------------------ */

static void start_handshake(struct probe *p)
{
	p->res->tls_attempted = true;
	probe_step_open(p, "tls");
	conn_start_tls(p->conn, p->req.tls_ctx, p->req.host, p->req.timeout_ms);
}

void probe_starttls(struct probe *p)
{
	size_t extra = conn_unread(p->conn);
	if (extra) {
		/* RFC 3207 section 6 / RFC 2595: a man in the middle can
		 * append commands or responses after the STARTTLS reply to
		 * have them treated as if they came over TLS. */
		char *seen = xstrndup(p->conn->in.data ? p->conn->in.data : "",
		                      p->conn->in.len < 200 ? p->conn->in.len : 200);
		probe_fail(p, DIAG_STARTTLS_INJECTION, ERR_PROTOCOL, seen,
		           _("%zu unexpected bytes followed the STARTTLS reply before the TLS "
		             "handshake: possible STARTTLS command injection attack"),
		           extra);
		free(seen);
		return;
	}
	/* Forget everything said in plaintext (RFC 3207 4.2, RFC 2595 3.1). */
	caps_copy(&p->res->caps_before_tls, &p->res->caps);
	caps_clear(&p->res->caps);
	start_handshake(p);
}

/* classify_cert: the cert-* cause for a failed verification. */
static enum diag_code classify_cert(const struct tls_facts *t)
{
	/* A certificate for another name, or out of its dates, is that first,
	 * whatever else is wrong with it: OpenSSL reports the issuer first. */
	if (t->problems & TLS_PROBLEM_NAME)
		return DIAG_CERT_HOSTNAME_MISMATCH;
	if ((t->problems & TLS_PROBLEM_DATES) && (t->expired || t->not_yet_valid))
		return t->expired ? DIAG_CERT_EXPIRED : DIAG_CERT_NOT_YET_VALID;
	switch (t->verify_code) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return DIAG_CERT_HOSTNAME_MISMATCH;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return DIAG_CERT_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return DIAG_CERT_NOT_YET_VALID;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		return DIAG_CERT_SELF_SIGNED;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		/* The server sent only its own certificate and it is not
		 * self-issued: the intermediate is missing from the chain. */
		if (t->verify_depth == 0 && t->chain_len <= 1 && !t->self_issued)
			return DIAG_CERT_INCOMPLETE_CHAIN;
		return DIAG_CERT_UNTRUSTED;
	default:
		if (t->self_issued && t->chain_len <= 1)
			return DIAG_CERT_SELF_SIGNED;
		return DIAG_CERT_UNTRUSTED;
	}
}

static bool looks_like_plaintext_greeting(const struct buf *raw)
{
	if (raw->len < 3)
		return false;
	enum greeting_kind k = greeting_classify(raw->data, raw->len);
	return k != GREET_UNKNOWN;
}

static void tls_done(struct probe *p)
{
	struct probe_result *r = p->res;
	struct tls_facts *t = &p->conn->tls;
	/* The facts move to the result; the conn keeps no copy. */
	tls_facts_free(&r->tls);
	r->tls = *t;
	memset(t, 0, sizeof *t);
	if (p->req.pin_sha256)
		snprintf(r->tls.pin, sizeof r->tls.pin, "%s", p->req.pin_sha256);
	bool pin_match = r->tls.pin[0] && strcmp(r->tls.pin, r->tls.sha256) == 0;
	if (!r->tls.verified && pin_match && r->tls.problems == TLS_PROBLEM_ISSUER) {
		/* Exactly the certificate the person chose to trust here, and
		 * its only problem is that no known authority vouches for it. */
		r->tls.pinned = true;
	} else if (!r->tls.verified && pin_match) {
		probe_fail(p, classify_cert(&r->tls), ERR_CERT, NULL,
		           _("certificate verification failed: %s (trusting its fingerprint covers "
		             "only a missing or unknown issuer)"),
		           r->tls.verify_error);
		return;
	} else if (!r->tls.verified && r->tls.pin[0]) {
		probe_fail(p, DIAG_CERT_CHANGED, ERR_CERT, NULL,
		           _("the certificate is not the one you trusted, and it cannot be "
		             "verified: %s"),
		           r->tls.verify_error);
		return;
	} else if (!r->tls.verified) {
		probe_fail(p, classify_cert(&r->tls), ERR_CERT, NULL,
		           _("certificate verification failed: %s"), r->tls.verify_error);
		return;
	}
	p->tls_active = true;
	probe_step_close(p, true, "%s %s", r->tls.version, r->tls.cipher);
	if (p->req.security == SEC_TLS)
		p->ops->start(p);
	else
		p->ops->tls_ready(p);
}

static void tls_failed(struct probe *p)
{
	struct probe_result *r = p->res;
	struct conn *c = p->conn;
	tls_facts_free(&r->tls);
	r->tls = c->tls;
	memset(&c->tls, 0, sizeof c->tls);
	if (c->err.cat == ERR_TIMEOUT) {
		if (p->req.security == SEC_TLS)
			probe_fail(
			    p, DIAG_TLS_HANDSHAKE_FAILED, ERR_TLS, NULL, "%s",
			    _("the server accepted the connection but never answered the TLS "
			      "handshake"));
		else
			probe_fail(p, DIAG_TLS_HANDSHAKE_FAILED, ERR_TLS, NULL, "%s", c->err.msg);
		return;
	}
	if (p->req.security == SEC_TLS && looks_like_plaintext_greeting(&c->tls_raw)) {
		const char *nl = memchr(c->tls_raw.data, '\n', c->tls_raw.len);
		size_t len = nl ? (size_t)(nl - c->tls_raw.data) : c->tls_raw.len;
		if (len && c->tls_raw.data[len - 1] == '\r')
			len--;
		char *greet = xstrndup(c->tls_raw.data, len);
		probe_fail(p, DIAG_TLS_ON_PLAINTEXT_PORT, ERR_TLS, greet,
		           _("port %u answered with a plaintext greeting instead of TLS"),
		           (unsigned)p->req.port);
		free(greet);
		return;
	}
	const char *a = r->tls.alert;
	if (strstr(a, "protocol version") || strstr(a, "unsupported protocol") ||
	    strstr(a, "no protocols available")) {
		/* The server's highest version is below our minimum, TLS 1.2. */
		probe_fail(p, DIAG_TLS_VERSION_OLD, ERR_TLS, NULL, "%s", c->err.msg);
		return;
	}
	probe_fail(p, DIAG_TLS_HANDSHAKE_FAILED, ERR_TLS, NULL, "%s", c->err.msg);
}

/* ---- connection events ---------------------------------------------------- */

static void on_data(struct probe *p)
{
	for (;;) {
		int r = conn_take_line(p->conn, &p->line, p->ops->max_line);
		if (r == 0)
			return;
		if (r < 0) {
			probe_fail(p, DIAG_PROTOCOL_VIOLATION, ERR_PROTOCOL, NULL,
			           _("the server sent a line longer than %zu bytes"),
			           p->ops->max_line);
			return;
		}
		transcript(p, '<', p->line.data, p->line.len);
		p->res->got_greeting = true;
		if (++p->lines_in_response > p->ops->max_lines) {
			probe_fail(p, DIAG_PROTOCOL_VIOLATION, ERR_PROTOCOL, NULL,
			           _("the server sent more than %zu lines in one response"),
			           p->ops->max_lines);
			return;
		}
		/* The module may finish the probe, which frees p but only
		 * marks the conn for closing: look at the conn, not at p. */
		struct conn *c = p->conn;
		p->ops->line(p, p->line.data, p->line.len);
		if (!c || c->close_pending || c->state == CONN_S_DEAD)
			return;
		if (c->state == CONN_S_HANDSHAKE)
			return; /* STARTTLS began: remaining bytes were refused */
	}
}

static void on_failed(struct probe *p)
{
	struct conn *c = p->conn;
	struct probe_result *r = p->res;
	if (c->state == CONN_S_DEAD && r->tls_attempted && p->step && strcmp(p->step, "tls") == 0) {
		tls_failed(p);
		return;
	}
	if (p->step && strcmp(p->step, "connect") == 0) {
		switch (c->err.cat) {
		case ERR_REFUSED:
			probe_fail(p, DIAG_CONNECTION_REFUSED, ERR_REFUSED, NULL, "%s", c->err.msg);
			return;
		case ERR_TIMEOUT:
			probe_fail(p, DIAG_CONNECTION_TIMEOUT, ERR_TIMEOUT, NULL, "%s", c->err.msg);
			return;
		default:
			probe_fail(p, DIAG_CONNECTION_REFUSED, c->err.cat, NULL, "%s", c->err.msg);
			return;
		}
	}
	if (c->err.cat == ERR_TIMEOUT && c->in.len > 0) {
		/* Bytes came, but never a whole line: a stalling or dripping
		 * server, which no real client could work with. */
		char *seen = xstrndup(c->in.data, c->in.len < 200 ? c->in.len : 200);
		probe_fail(p, DIAG_PROTOCOL_VIOLATION, ERR_TIMEOUT, seen,
		           _("the server sent %zu bytes but no complete line in %d s"), c->in.len,
		           p->req.timeout_ms / 1000);
		free(seen);
		return;
	}
	if (p->step && strcmp(p->step, "greeting") == 0 && c->err.cat == ERR_TIMEOUT &&
	    !p->tls_active) {
		probe_fail(p, DIAG_NO_GREETING, ERR_TIMEOUT, NULL,
		           _("port %u accepted the connection but sent no greeting in %d s"),
		           (unsigned)p->req.port, p->req.timeout_ms / 1000);
		return;
	}
	if (c->err.cat == ERR_TIMEOUT) {
		probe_fail(p, DIAG_CONNECTION_TIMEOUT, ERR_TIMEOUT, NULL, "%s", c->err.msg);
		return;
	}
	probe_fail(p, DIAG_CONNECTION_CLOSED, c->err.cat == ERR_NONE ? ERR_NETWORK : c->err.cat,
	           c->in.len ? c->in.data : NULL, "%s", c->err.msg);
}

static void on_conn(void *arg, enum conn_event ev)
{
	struct probe *p = arg;
	switch (ev) {
	case CONN_CONNECTED:
		probe_step_close(p, true, "%s", p->conn->peer);
		snprintf(p->res->peer, sizeof p->res->peer, "%s", p->conn->peer);
		if (p->req.security == SEC_TLS)
			start_handshake(p);
		else
			p->ops->start(p);
		break;
	case CONN_TLS_DONE:
		tls_done(p);
		break;
	case CONN_DATA:
		on_data(p);
		break;
	case CONN_FAILED:
		on_failed(p);
		break;
	}
}

/* ---- entry points ----------------------------------------------------------- */

bool probe_has_greeting(const struct probe *p)
{
	return p->res->got_greeting;
}

void probe_cancel(struct probe *p, enum diag_code cause, const char *msg)
{
	p->res->cancelled = true;
	probe_fail(p, cause, ERR_TIMEOUT, NULL, "%s", msg);
}

struct probe *probe_start(struct loop *loop, const struct probe_request *req,
                          const struct ms_observer *obs, probe_done_fn done, void *arg)
{
	struct probe *p = xcalloc(1, sizeof *p);
	struct probe_result *r = xcalloc(1, sizeof *r);
	p->loop = loop;
	p->req = *req;
	if (p->req.timeout_ms <= 0)
		p->req.timeout_ms = PROBE_DEFAULT_TIMEOUT_MS;
	if (!p->req.port)
		p->req.port = default_port(req->proto, req->security);
	p->obs = obs;
	p->done = done;
	p->done_arg = arg;
	p->res = r;
	p->t0 = loop_now_ms();
	p->ops = req->proto == PROTO_IMAP   ? &imap_ops
	         : req->proto == PROTO_POP3 ? &pop3_ops
	                                    : &smtp_ops;
	r->host = xstrdup(req->host);
	r->port = p->req.port;
	r->proto = req->proto;
	r->security = req->security;
	r->login = LOGIN_SKIPPED;
	err_clear(&r->err);

	if (req->security == SEC_PLAIN && !req->allow_plaintext) {
		probe_step_open(p, "connect");
		probe_fail(p, DIAG_PLAINTEXT_REFUSED, ERR_USAGE, NULL, "%s",
		           _("plaintext was requested but not allowed (use --allow-plaintext)"));
		return NULL;
	}
	probe_step_open(p, "connect");
	struct conn_addr *addrs = NULL;
	size_t n = req->naddrs;
	if (req->addrs) {
		/* Used as given, port included (--connect-to may change it). */
		addrs = xcalloc(n ? n : 1, sizeof *addrs);
		memcpy(addrs, req->addrs, n * sizeof *addrs);
	} else {
		n = conn_resolve(req->host, p->req.port, &addrs, &r->err);
		if (n == 0) {
			probe_fail(p, DIAG_DNS_FAILURE, ERR_DNS, NULL, "%s", r->err.msg);
			return NULL;
		}
	}
	p->conn = conn_new(loop, on_conn, p);
	/* A connection refused at once finishes the probe inside
	 * conn_connect: tell the caller through the done flag. */
	bool finished = false;
	p->finished_flag = &finished;
	conn_connect(p->conn, addrs, n, p->req.timeout_ms);
	free(addrs);
	if (finished)
		return NULL;
	p->finished_flag = NULL;
	return p;
}

void probe_result_free(struct probe_result *r)
{
	if (!r)
		return;
	free(r->host);
	for (size_t i = 0; i < r->nsteps; i++)
		free(r->steps[i].detail);
	free(r->steps);
	tls_facts_free(&r->tls);
	free(r->greeting);
	caps_clear(&r->caps_before_tls);
	caps_clear(&r->caps);
	free(r->login_reply);
	ms_folders_free(&r->folders);
	free(r->send_path_reply);
	probe_result_free(r->alternative);
	free(r);
}
