/* conn.h - one non-blocking client connection on the event loop.
 *
 * A conn connects to a list of addresses (IPv6 and IPv4 interleaved, a new
 * attempt started every CONN_STAGGER_MS while earlier ones are pending, as
 * in RFC 8305), optionally switches to TLS, sends bytes and collects what
 * the server sends into an input buffer.  It reports to its owner through
 * one callback:
 *
 *   CONN_CONNECTED  TCP is up (c->peer says where)
 *   CONN_TLS_DONE   the handshake completed; c->tls holds the facts, and
 *                   c->tls.verified must be checked before trusting it
 *   CONN_DATA       new bytes are in c->in (take lines with conn_take_line)
 *   CONN_FAILED     c->err says why (refused, timeout, EOF, TLS failure);
 *                   the connection is dead and only conn_close() remains
 *
 * Every operation has a deadline: connect and handshake take a timeout,
 * and reads are bounded by conn_expect().  The callback may call any conn
 * function, including conn_close() on its own conn.
 */
#ifndef MS_CONN_H
#define MS_CONN_H

#include "base/buf.h"
#include "base/err.h"
#include "base/loop.h"
#include "net/tls.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* RFC 8305 section 5 recommends 250 ms between connection attempts. */
#define CONN_STAGGER_MS   250
#define CONN_MAX_ATTEMPTS 8
/* Input is read in chunks and never buffered beyond this many bytes: a
 * protocol layer asks for lines far shorter than this, so a hostile
 * server cannot make us grow memory without bound. */
#define CONN_MAX_BUFFER (256 * 1024)
/* Bytes of a failed handshake kept to recognise a plaintext greeting. */
#define CONN_TLS_RAW_MAX 512

enum conn_event { CONN_CONNECTED, CONN_TLS_DONE, CONN_DATA, CONN_FAILED };
typedef void (*conn_cb)(void *owner, enum conn_event ev);

struct conn_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64]; /* printable address, IPv6 in brackets */
};

enum conn_state { CONN_S_IDLE, CONN_S_CONNECTING, CONN_S_HANDSHAKE, CONN_S_OPEN, CONN_S_DEAD };

struct conn {
	struct loop *loop;
	conn_cb cb;
	void *owner;
	enum conn_state state;
	int fd;
	int watch;
	SSL *ssl;
	bool ssl_want_write;
	struct buf in;
	struct buf out;
	int64_t deadline;
	struct ms_err err;
	struct tls_facts tls;
	struct buf tls_raw; /* first bytes read during the handshake */
	char peer[64];
	uint64_t bytes_in, bytes_out;
	/* connecting */
	struct conn_addr *addrs;
	size_t naddrs, next_addr;
	struct {
		int fd, watch;
		size_t addr;
	} att[CONN_MAX_ATTEMPTS];
	int natt;
	int stagger_watch;
	int last_errno;
	bool any_refused;
	bool in_callback;
	bool close_pending;
};

/* conn_resolve: host and port to addresses, families interleaved (first
 * of each family first).  Returns the count (> 0) and a malloc'ed array,
 * or 0 with err set (ERR_DNS). */
size_t conn_resolve(const char *host, uint16_t port, struct conn_addr **out, struct ms_err *err);

/* conn_addr_set_port: change the port of a resolved address. */
void conn_addr_set_port(struct conn_addr *a, uint16_t port);

/* conn_new: an idle connection that reports to cb(owner, event). */
struct conn *conn_new(struct loop *loop, conn_cb cb, void *owner);
/* conn_connect: start connecting to addrs (copied) within timeout_ms. */
void conn_connect(struct conn *c, const struct conn_addr *addrs, size_t n, int timeout_ms);
/* conn_adopt: use fd, already connected, as an open conn (socketpairs in
 * tests; the conn closes fd). */
void conn_adopt(struct conn *c, int fd);
/* conn_start_tls: begin a client handshake for host within timeout_ms.
 * Bytes already buffered in c->in are NOT fed to TLS: callers check
 * conn_unread() first (STARTTLS injection). */
void conn_start_tls(struct conn *c, SSL_CTX *ctx, const char *host, int timeout_ms);
/* conn_send: queue bytes and send as much as the socket takes now. */
void conn_send(struct conn *c, const void *data, size_t len);
/* conn_expect: an answer is awaited: fail with a timeout if nothing
 * completes it within timeout_ms (0 cancels the read deadline). */
void conn_expect(struct conn *c, int timeout_ms);
/* conn_take_line: move one line (without CR LF) from c->in to line.
 * Returns 1 for a line, 0 if no complete line is buffered yet, -1 if the
 * buffered data exceeds max bytes without a line end. */
int conn_take_line(struct conn *c, struct buf *line, size_t max);
/* conn_unread: bytes received but not consumed, including any waiting in
 * the kernel socket buffer (peeked, not read). */
size_t conn_unread(struct conn *c);
/* conn_close: close and free (safe from inside the callback). */
void conn_close(struct conn *c);

#endif
