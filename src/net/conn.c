#include "config.h"

#include "net/conn.h"

#include "base/alloc.h"
#include "base/i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK 16384

static void conn_io(void *arg, int revents);
static void attempt_io(void *arg, int revents);

size_t conn_resolve(const char *host, uint16_t port, struct conn_addr **out, struct ms_err *err)
{
	struct addrinfo hints = {0}, *res = NULL;
	char service[8];
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_UNSPEC;
	snprintf(service, sizeof service, "%u", (unsigned)port);
	int r = getaddrinfo(host, service, &hints, &res);
	if (r != 0) {
		err_set(err, ERR_DNS, _("cannot resolve %s: %s"), host, gai_strerror(r));
		return 0;
	}
	size_t n = 0;
	for (struct addrinfo *a = res; a; a = a->ai_next)
		n++;
	struct conn_addr *v = xcalloc(n, sizeof *v);
	/* Interleave the families in the resolver's order (RFC 8305 4). */
	struct addrinfo *fam[2] = {NULL, NULL};
	size_t k = 0;
	for (struct addrinfo *a = res; a; a = a->ai_next)
		if (a->ai_family == AF_INET6 || a->ai_family == AF_INET) {
			if (!fam[0] || fam[0]->ai_family == a->ai_family)
				fam[0] = fam[0] ? fam[0] : a;
			else if (!fam[1])
				fam[1] = a;
		}
	int want = fam[0] ? fam[0]->ai_family : AF_UNSPEC;
	struct addrinfo *cur[2] = {fam[0], fam[1]};
	while (k < n && (cur[0] || cur[1])) {
		int i = (cur[0] && (!cur[1] || cur[0]->ai_family == want)) ? 0 : 1;
		if (!cur[i])
			i = 1 - i;
		struct addrinfo *a = cur[i];
		memcpy(&v[k].ss, a->ai_addr, a->ai_addrlen);
		v[k].len = a->ai_addrlen;
		char text[INET6_ADDRSTRLEN] = "?";
		if (a->ai_family == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)a->ai_addr)->sin6_addr, text,
			          sizeof text);
			snprintf(v[k].text, sizeof v[k].text, "[%s]", text);
		} else {
			inet_ntop(AF_INET, &((struct sockaddr_in *)a->ai_addr)->sin_addr, text,
			          sizeof text);
			snprintf(v[k].text, sizeof v[k].text, "%s", text);
		}
		k++;
		/* advance this family to its next member */
		int f = a->ai_family;
		struct addrinfo *nx = a->ai_next;
		while (nx && nx->ai_family != f)
			nx = nx->ai_next;
		cur[i] = nx;
		want = (f == AF_INET6) ? AF_INET : AF_INET6;
	}
	freeaddrinfo(res);
	if (k == 0) {
		free(v);
		err_set(err, ERR_DNS, _("%s has no IPv4 or IPv6 address"), host);
		return 0;
	}
	*out = v;
	return k;
}

void conn_addr_set_port(struct conn_addr *a, uint16_t port)
{
	if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
	else if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
}

struct conn *conn_new(struct loop *loop, conn_cb cb, void *owner)
{
	struct conn *c = xcalloc(1, sizeof *c);
	c->loop = loop;
	c->cb = cb;
	c->owner = owner;
	c->fd = -1;
	c->state = CONN_S_IDLE;
	c->deadline = LOOP_NO_DEADLINE;
	err_clear(&c->err);
	return c;
}

static void conn_destroy(struct conn *c)
{
	for (int i = 0; i < c->natt; i++) {
		if (c->att[i].watch)
			loop_del(c->loop, c->att[i].watch);
		if (c->att[i].fd >= 0)
			close(c->att[i].fd);
	}
	if (c->stagger_watch)
		loop_del(c->loop, c->stagger_watch);
	if (c->watch)
		loop_del(c->loop, c->watch);
	if (c->ssl) {
		/* close_notify, best effort: never wait for the peer's. */
		if (c->state == CONN_S_OPEN)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd >= 0)
		close(c->fd);
	buf_free(&c->in);
	buf_free(&c->tls_raw);
	buf_cleanse(&c->out); /* may have held credentials */
	tls_facts_free(&c->tls);
	free(c->addrs);
	free(c);
}

void conn_close(struct conn *c)
{
	if (!c)
		return;
	if (c->in_callback) {
		c->close_pending = true;
		return;
	}
	conn_destroy(c);
}

/* notify: tell the owner; returns false when the owner closed c. */
static bool notify(struct conn *c, enum conn_event ev)
{
	bool nested = c->in_callback;
	c->in_callback = true;
	c->cb(c->owner, ev);
	c->in_callback = nested;
	if (c->close_pending && !nested) {
		conn_destroy(c);
		return false;
	}
	return !c->close_pending;
}

static void update_watch(struct conn *c)
{
	if (c->fd < 0 || c->state == CONN_S_DEAD)
		return;
	short ev = POLLIN;
	if (c->out.len || c->ssl_want_write)
		ev |= POLLOUT;
	if (c->watch)
		loop_mod(c->loop, c->watch, c->fd, ev, c->deadline);
	else
		c->watch = loop_add(c->loop, c->fd, ev, c->deadline, conn_io, c);
}

static void fail(struct conn *c, enum err_category cat, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct conn *c, enum err_category cat, const char *fmt, ...)
{
	va_list ap;
	c->state = CONN_S_DEAD;
	if (c->watch) {
		loop_del(c->loop, c->watch);
		c->watch = 0;
	}
	if (c->stagger_watch) {
		loop_del(c->loop, c->stagger_watch);
		c->stagger_watch = 0;
	}
	va_start(ap, fmt);
	err_vset(&c->err, cat, fmt, ap);
	va_end(ap);
	notify(c, CONN_FAILED);
}

/* ---- connecting ------------------------------------------------------ */

static void attempt_drop(struct conn *c, int i)
{
	if (c->att[i].watch)
		loop_del(c->loop, c->att[i].watch);
	if (c->att[i].fd >= 0)
		close(c->att[i].fd);
	c->att[i] = c->att[--c->natt];
}

static void connect_failed_all(struct conn *c)
{
	if (c->any_refused)
		fail(c, ERR_REFUSED, _("connection refused by %s"), c->addrs[0].text);
	else
		fail(c, ERR_NETWORK, _("cannot connect: %s"), strerror(c->last_errno));
}

static void connect_next(struct conn *c);

static void stagger_due(void *arg, int revents)
{
	struct conn *c = arg;
	loop_del(c->loop, c->stagger_watch);
	c->stagger_watch = 0;
	if (revents == LOOP_TIMEOUT && c->state == CONN_S_CONNECTING)
		connect_next(c);
}

/* Start the next address; on immediate failure try the one after. */
static void connect_next(struct conn *c)
{
	while (c->next_addr < c->naddrs && c->natt < CONN_MAX_ATTEMPTS) {
		size_t k = c->next_addr++;
		const struct conn_addr *a = &c->addrs[k];
		int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			c->last_errno = errno;
			continue;
		}
		int r = connect(fd, (const struct sockaddr *)&a->ss, a->len);
		if (r < 0 && errno != EINPROGRESS) {
			c->last_errno = errno;
			if (errno == ECONNREFUSED)
				c->any_refused = true;
			close(fd);
			continue;
		}
		int i = c->natt++;
		c->att[i].fd = fd;
		c->att[i].addr = k;
		c->att[i].watch = loop_add(c->loop, fd, POLLOUT, c->deadline, attempt_io, c);
		if (c->next_addr < c->naddrs && !c->stagger_watch)
			c->stagger_watch = loop_add(c->loop, -1, 0, loop_now_ms() + CONN_STAGGER_MS,
			                            stagger_due, c);
		return;
	}
	if (c->natt == 0)
		connect_failed_all(c);
}

static void connect_won(struct conn *c, int i)
{
	c->fd = c->att[i].fd;
	snprintf(c->peer, sizeof c->peer, "%s", c->addrs[c->att[i].addr].text);
	loop_del(c->loop, c->att[i].watch);
	c->att[i].fd = -1;
	c->att[i].watch = 0;
	while (c->natt > 0)
		attempt_drop(c, c->natt - 1);
	if (c->stagger_watch) {
		loop_del(c->loop, c->stagger_watch);
		c->stagger_watch = 0;
	}
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->state = CONN_S_OPEN;
	c->deadline = LOOP_NO_DEADLINE;
	update_watch(c);
	notify(c, CONN_CONNECTED);
}

static void attempt_io(void *arg, int revents)
{
	struct conn *c = arg;
	if (c->state != CONN_S_CONNECTING)
		return;
	if (revents == LOOP_TIMEOUT) {
		fail(c, ERR_TIMEOUT, _("no answer from %s (connection timed out)"),
		     c->addrs[c->att[0].addr].text);
		return;
	}
	/* Find which attempt is ready: the loop gives no fd, so ask each. */
	for (int i = 0; i < c->natt; i++) {
		struct pollfd p = {.fd = c->att[i].fd, .events = POLLOUT};
		if (poll(&p, 1, 0) <= 0)
			continue;
		int so = 0;
		socklen_t sl = sizeof so;
		getsockopt(c->att[i].fd, SOL_SOCKET, SO_ERROR, &so, &sl);
		if (so == 0) {
			connect_won(c, i);
			return;
		}
		c->last_errno = so;
		if (so == ECONNREFUSED)
			c->any_refused = true;
		attempt_drop(c, i);
		i--;
	}
	if (c->natt == 0) {
		if (c->next_addr < c->naddrs)
			connect_next(c);
		else
			connect_failed_all(c);
	}
}

void conn_connect(struct conn *c, const struct conn_addr *addrs, size_t n, int timeout_ms)
{
	c->addrs = xcalloc(n ? n : 1, sizeof *addrs);
	memcpy(c->addrs, addrs, n * sizeof *addrs);
	c->naddrs = n;
	c->next_addr = 0;
	c->state = CONN_S_CONNECTING;
	c->deadline = loop_now_ms() + timeout_ms;
	if (n == 0) {
		fail(c, ERR_DNS, "%s", _("no address to connect to"));
		return;
	}
	connect_next(c);
}

void conn_adopt(struct conn *c, int fd)
{
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	c->fd = fd;
	snprintf(c->peer, sizeof c->peer, "fd %d", fd);
	c->state = CONN_S_OPEN;
	c->deadline = LOOP_NO_DEADLINE;
	update_watch(c);
}

/* ---- TLS --------------------------------------------------------------- */

static bool handshake_step(struct conn *c)
{
	ERR_clear_error();
	int r = SSL_connect(c->ssl);
	if (r == 1) {
		c->ssl_want_write = false;
		tls_collect(c->ssl, &c->tls, true);
		c->state = CONN_S_OPEN;
		c->deadline = LOOP_NO_DEADLINE;
		update_watch(c);
		notify(c, CONN_TLS_DONE);
		return false;
	}
	int e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		c->ssl_want_write = (e == SSL_ERROR_WANT_WRITE);
		update_watch(c);
		return true;
	}
	char why[128];
	if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN) {
		unsigned long q = ERR_peek_error();
		if (q)
			tls_error_string(why, sizeof why);
		else
			snprintf(why, sizeof why, "%s",
			         r == 0 ? _("the server closed the connection during the handshake")
			                : strerror(errno));
	} else {
		tls_error_string(why, sizeof why);
	}
	tls_collect(c->ssl, &c->tls, false);
	snprintf(c->tls.alert, sizeof c->tls.alert, "%s", why);
	/* OpenSSL stops after the 5 bytes of a bogus record header; take
	 * what else already arrived so a plaintext greeting can be shown. */
	while (c->tls_raw.len && c->tls_raw.len < CONN_TLS_RAW_MAX) {
		char more[CONN_TLS_RAW_MAX];
		ssize_t n = recv(c->fd, more, CONN_TLS_RAW_MAX - c->tls_raw.len, MSG_DONTWAIT);
		if (n <= 0)
			break;
		buf_add(&c->tls_raw, more, (size_t)n);
	}
	fail(c, ERR_TLS, _("TLS handshake failed: %s"), why);
	return false;
}

/* Keep the first bytes the server sends during the handshake: when they
 * are a plaintext greeting ("* OK", "+OK", "220") instead of a TLS record,
 * that explains the failure far better than "wrong version number". */
static long record_raw(BIO *b, int oper, const char *argp, size_t len, int argi, long argl, int ret,
                       size_t *processed)
{
	struct conn *c = (struct conn *)BIO_get_callback_arg(b);
	if (oper == (BIO_CB_READ | BIO_CB_RETURN) && ret > 0 && processed && c &&
	    c->state == CONN_S_HANDSHAKE && c->tls_raw.len < CONN_TLS_RAW_MAX) {
		size_t room = CONN_TLS_RAW_MAX - c->tls_raw.len;
		buf_add(&c->tls_raw, argp, *processed < room ? *processed : room);
	}
	return ret;
}

void conn_start_tls(struct conn *c, SSL_CTX *ctx, const char *host, int timeout_ms)
{
	c->ssl = tls_session_new(ctx, host, &c->err);
	if (!c->ssl) {
		fail(c, ERR_LOCAL, "%s", c->err.msg);
		return;
	}
	BIO *bio = BIO_new_socket(c->fd, BIO_NOCLOSE);
	BIO_set_callback_ex(bio, record_raw);
	BIO_set_callback_arg(bio, (char *)c);
	SSL_set_bio(c->ssl, bio, bio);
	c->state = CONN_S_HANDSHAKE;
	c->deadline = loop_now_ms() + timeout_ms;
	handshake_step(c);
}

/* ---- I/O --------------------------------------------------------------- */

/* flush: send queued output; returns false if the conn failed. */
static bool flush(struct conn *c)
{
	while (c->out.len) {
		ssize_t n;
		if (c->ssl) {
			ERR_clear_error();
			int r = SSL_write(c->ssl, c->out.data,
			                  (int)(c->out.len > 65536 ? 65536 : c->out.len));
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);
				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
					c->ssl_want_write = (e == SSL_ERROR_WANT_WRITE);
					return true;
				}
				char why[128];
				tls_error_string(why, sizeof why);
				fail(c, ERR_NETWORK, _("sending failed: %s"), why);
				return false;
			}
			n = r;
		} else {
			n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					return true;
				fail(c, ERR_NETWORK, _("sending failed: %s"), strerror(errno));
				return false;
			}
		}
		c->bytes_out += (uint64_t)n;
		/* Overwrite what was sent: it may be a credential. */
		OPENSSL_cleanse(c->out.data, (size_t)n);
		buf_consume(&c->out, (size_t)n);
	}
	c->ssl_want_write = false;
	return true;
}

void conn_send(struct conn *c, const void *data, size_t len)
{
	if (c->state != CONN_S_OPEN)
		return;
	buf_add(&c->out, data, len);
	if (flush(c))
		update_watch(c);
}

void conn_expect(struct conn *c, int timeout_ms)
{
	if (c->state == CONN_S_DEAD)
		return;
	c->deadline = timeout_ms > 0 ? loop_now_ms() + timeout_ms : LOOP_NO_DEADLINE;
	update_watch(c);
}

/* fill: read what is available into c->in.  Returns 1 if bytes arrived,
 * 0 if none, -1 at end of stream, -2 on error (c->err set, not failed). */
static int fill(struct conn *c)
{
	int got = 0;
	char chunk[READ_CHUNK];
	while (c->in.len < CONN_MAX_BUFFER) {
		ssize_t n;
		if (c->ssl) {
			ERR_clear_error();
			int r = SSL_read(c->ssl, chunk, sizeof chunk);
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);
				if (e == SSL_ERROR_WANT_READ)
					return got;
				if (e == SSL_ERROR_WANT_WRITE) {
					c->ssl_want_write = true;
					return got;
				}
				if (e == SSL_ERROR_ZERO_RETURN ||
				    (e == SSL_ERROR_SYSCALL && !ERR_peek_error()))
					return got ? got : -1;
				char why[128];
				tls_error_string(why, sizeof why);
				err_set(&c->err, ERR_TLS, _("TLS error while reading: %s"), why);
				return -2;
			}
			n = r;
		} else {
			n = recv(c->fd, chunk, sizeof chunk, 0);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					return got;
				err_set(&c->err, ERR_NETWORK, _("receiving failed: %s"),
				        strerror(errno));
				return -2;
			}
			if (n == 0)
				return got ? got : -1;
		}
		buf_add(&c->in, chunk, (size_t)n);
		c->bytes_in += (uint64_t)n;
		got = 1;
	}
	return got;
}

static void conn_io(void *arg, int revents)
{
	struct conn *c = arg;
	if (c->state == CONN_S_DEAD)
		return;
	if (revents == LOOP_TIMEOUT) {
		if (c->state == CONN_S_HANDSHAKE) {
			tls_collect(c->ssl, &c->tls, false);
			snprintf(c->tls.alert, sizeof c->tls.alert, "%s", _("timeout"));
			fail(c, ERR_TIMEOUT, "%s", _("the TLS handshake timed out"));
		} else {
			fail(c, ERR_TIMEOUT, "%s", _("the server did not answer in time"));
		}
		return;
	}
	if (c->state == CONN_S_HANDSHAKE) {
		handshake_step(c);
		return;
	}
	if (c->out.len && (revents & POLLOUT) && !flush(c))
		return;
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		int r = fill(c);
		if (r == 1 && !notify(c, CONN_DATA))
			return;
		if (c->state == CONN_S_DEAD)
			return;
		if (r == 1 && c->in.len >= CONN_MAX_BUFFER) {
			/* The owner consumed nothing of a full buffer. */
			fail(c, ERR_PROTOCOL, "%s",
			     _("the server sent too much data without a line end"));
			return;
		}
		if (r == -1) {
			fail(c, ERR_NETWORK, "%s", _("the server closed the connection"));
			return;
		}
		if (r == -2) {
			fail(c, c->err.cat, "%s", c->err.msg); /* err_vset copes */
			return;
		}
	}
	update_watch(c);
}

int conn_take_line(struct conn *c, struct buf *line, size_t max)
{
	char *lf = memchr(c->in.data ? c->in.data : "", '\n', c->in.len);
	if (!lf)
		return c->in.len > max ? -1 : 0;
	size_t n = (size_t)(lf - c->in.data);
	if (n > max)
		return -1;
	size_t keep = n;
	if (keep && c->in.data[keep - 1] == '\r')
		keep--;
	buf_reset(line);
	buf_add(line, c->in.data, keep);
	buf_consume(&c->in, n + 1);
	return 1;
}

size_t conn_unread(struct conn *c)
{
	size_t n = c->in.len;
	if (!c->ssl && c->fd >= 0) {
		char tmp[256];
		ssize_t k = recv(c->fd, tmp, sizeof tmp, MSG_PEEK | MSG_DONTWAIT);
		if (k > 0)
			n += (size_t)k;
	}
	return n;
}
