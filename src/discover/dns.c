/* dns.c - c-ares driven from loop watches: one watch per socket c-ares
 * opens, plus one timer for its retransmissions. */
#include "config.h"

#include "discover/dns.h"

#include "base/alloc.h"
#include "base/i18n.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DNS_MAX_SOCKS 16

enum qkind { Q_MX, Q_SRV, Q_ADDR };

struct query {
	struct dns *d;
	enum qkind kind;
	union {
		dns_mx_fn mx;
		dns_srv_fn srv;
		dns_addr_fn addr;
	} fn;
	void *arg;
	uint16_t port;
	int watch; /* deferred answers (overrides, literals) */
	struct conn_addr *addrs;
	size_t naddrs;
	struct query *next; /* deferred list */
};

struct dns {
	struct loop *loop;
	ares_channel ch;
	const struct net_overrides *ov;
	struct dns_sock {
		struct dns *d;
		int fd, watch;
	} socks[DNS_MAX_SOCKS];
	int timer;
	int pending;
	bool dying;
	struct query *deferred;
};

static void rearm_timer(struct dns *d);

static void on_sock(void *arg, int revents)
{
	struct dns_sock *k = arg;
	struct dns *d = k->d;
	ares_socket_t fd = k->fd;
	ares_socket_t r = (revents & (POLLIN | POLLERR | POLLHUP)) ? fd : ARES_SOCKET_BAD;
	ares_socket_t w = (revents & POLLOUT) ? fd : ARES_SOCKET_BAD;
	ares_process_fd(d->ch, r, w);
	rearm_timer(d);
}

static void on_timer(void *arg, int revents)
{
	struct dns *d = arg;
	ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	rearm_timer(d);
}

static void rearm_timer(struct dns *d)
{
	if (d->dying)
		return;
	if (d->pending == 0) {
		if (d->timer)
			loop_del(d->loop, d->timer);
		d->timer = 0;
		return;
	}
	struct timeval tv;
	int64_t deadline = LOOP_NO_DEADLINE;
	if (ares_timeout(d->ch, NULL, &tv))
		deadline = loop_now_ms() + (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	if (d->timer)
		loop_mod(d->loop, d->timer, -1, 0, deadline);
	else
		d->timer = loop_add(d->loop, -1, 0, deadline, on_timer, d);
}

static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns *d = data;
	if (d->dying)
		return;
	short ev = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
	int free_slot = -1;
	for (int i = 0; i < DNS_MAX_SOCKS; i++) {
		if (d->socks[i].watch && d->socks[i].fd == fd) {
			if (ev) {
				loop_mod(d->loop, d->socks[i].watch, fd, ev, LOOP_NO_DEADLINE);
			} else {
				loop_del(d->loop, d->socks[i].watch);
				d->socks[i].watch = 0;
			}
			return;
		}
		if (!d->socks[i].watch && free_slot < 0)
			free_slot = i;
	}
	if (ev && free_slot >= 0) {
		d->socks[free_slot].d = d;
		d->socks[free_slot].fd = fd;
		d->socks[free_slot].watch =
		    loop_add(d->loop, fd, ev, LOOP_NO_DEADLINE, on_sock, &d->socks[free_slot]);
	}
}

/* valid_server: "ADDR" or "ADDR:PORT" or "[V6]:PORT", nothing else. */
static bool valid_server(const char *s)
{
	char host[64];
	const char *port = NULL;
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || (size_t)(rb - s - 1) >= sizeof host)
			return false;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		if (rb[1] == ':')
			port = rb + 2;
		else if (rb[1])
			return false;
		struct in6_addr a6;
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return false;
	} else {
		const char *c = strchr(s, ':');
		size_t n = c ? (size_t)(c - s) : strlen(s);
		if (n >= sizeof host)
			return false;
		memcpy(host, s, n);
		host[n] = '\0';
		port = c ? c + 1 : NULL;
		struct in_addr a4;
		if (inet_pton(AF_INET, host, &a4) != 1)
			return false;
	}
	if (port) {
		char *end;
		long v = strtol(port, &end, 10);
		if (!*port || *end || v < 1 || v > 65535)
			return false;
	}
	return true;
}

struct dns *dns_new(struct loop *loop, const char *server, const struct net_overrides *ov,
                    struct ms_err *err)
{
	static bool lib_ready;
	if (!lib_ready) {
		if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
			err_set(err, ERR_LOCAL, "%s",
			        _("the DNS library could not be initialised"));
			return NULL;
		}
		lib_ready = true;
	}
	if (server && !valid_server(server)) {
		err_set(err, ERR_USAGE, _("'%s' is not a DNS server address (ADDRESS[:PORT])"),
		        server);
		return NULL;
	}
	struct dns *d = xcalloc(1, sizeof *d);
	d->loop = loop;
	d->ov = ov;
	struct ares_options o = {0};
	o.sock_state_cb = sock_state;
	o.sock_state_cb_data = d;
	o.timeout = DNS_TRY_TIMEOUT_MS;
	o.tries = DNS_TRIES;
	int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
	int rc = ares_init_options(&d->ch, &o, mask);
	if (rc == ARES_SUCCESS && server)
		rc = ares_set_servers_ports_csv(d->ch, server);
	if (rc != ARES_SUCCESS) {
		err_set(err, ERR_LOCAL, _("the DNS resolver could not be set up: %s"),
		        ares_strerror(rc));
		if (d->ch)
			ares_destroy(d->ch);
		free(d);
		return NULL;
	}
	return d;
}

void dns_free(struct dns *d)
{
	if (!d)
		return;
	d->dying = true; /* callbacks from ares_destroy (ARES_EDESTRUCTION) are dropped */
	ares_destroy(d->ch);
	for (int i = 0; i < DNS_MAX_SOCKS; i++)
		if (d->socks[i].watch)
			loop_del(d->loop, d->socks[i].watch);
	if (d->timer)
		loop_del(d->loop, d->timer);
	while (d->deferred) {
		struct query *q = d->deferred;
		d->deferred = q->next;
		loop_del(d->loop, q->watch);
		free(q->addrs);
		free(q);
	}
	free(d);
}

int dns_pending(const struct dns *d)
{
	return d->pending;
}

/* The error for a failed lookup, or NULL when the answer is "no such
 * records" (which is an answer, not a failure). */
static const struct ms_err *status_err(int status, struct ms_err *e)
{
	if (status == ARES_SUCCESS || status == ARES_ENOTFOUND || status == ARES_ENODATA ||
	    status == ARES_ENONAME)
		return NULL;
	err_set(e, status == ARES_ETIMEOUT ? ERR_TIMEOUT : ERR_DNS, _("DNS lookup failed: %s"),
	        ares_strerror(status));
	return e;
}

static struct query *query_new(struct dns *d, enum qkind kind, void *arg)
{
	struct query *q = xcalloc(1, sizeof *q);
	q->d = d;
	q->kind = kind;
	q->arg = arg;
	return q;
}

/* query_end: bookkeeping shared by every c-ares callback; false when the
 * channel is being destroyed and the callback must not run. */
static bool query_end(struct query *q, int status)
{
	struct dns *d = q->d;
	if (d->dying || status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
		free(q);
		return false;
	}
	d->pending--;
	return true;
}

static void mx_done(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct query *q = arg;
	if (!query_end(q, status))
		return;
	struct ms_err e;
	err_clear(&e);
	const struct ms_err *ep = status_err(status, &e);
	struct ares_mx_reply *mx = NULL;
	char *best = NULL;
	if (!ep && status == ARES_SUCCESS) {
		int rc = ares_parse_mx_reply(abuf, alen, &mx);
		if (rc == ARES_SUCCESS) {
			int pref = 70000;
			for (struct ares_mx_reply *m = mx; m; m = m->next)
				if (m->priority < pref) {
					pref = m->priority;
					best = m->host;
				}
			if (best && (best[0] == '\0' || strcmp(best, ".") == 0))
				best = NULL; /* null MX: the domain takes no mail */
		} else if (rc != ARES_ENODATA) {
			ep = status_err(rc, &e);
		}
	}
	q->fn.mx(q->arg, ep, best);
	if (mx)
		ares_free_data(mx);
	free(q);
}

void dns_mx(struct dns *d, const char *name, dns_mx_fn fn, void *arg)
{
	struct query *q = query_new(d, Q_MX, arg);
	q->fn.mx = fn;
	d->pending++;
	ares_query(d->ch, name, ns_c_in, ns_t_mx, mx_done, q);
	rearm_timer(d);
}

static int srv_cmp(const void *a, const void *b)
{
	const struct dns_srv *x = a, *y = b;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return strcmp(x->target, y->target);
}

static void srv_done(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct query *q = arg;
	if (!query_end(q, status))
		return;
	struct ms_err e;
	err_clear(&e);
	const struct ms_err *ep = status_err(status, &e);
	struct ares_srv_reply *srv = NULL;
	struct dns_srv *v = NULL;
	size_t n = 0;
	if (!ep && status == ARES_SUCCESS) {
		int rc = ares_parse_srv_reply(abuf, alen, &srv);
		if (rc == ARES_SUCCESS) {
			for (struct ares_srv_reply *s = srv; s; s = s->next) {
				v = xrealloc(v, (n + 1) * sizeof *v);
				v[n].target = xstrdup(s->host[0] ? s->host : ".");
				v[n].port = s->port;
				v[n].priority = s->priority;
				v[n].weight = s->weight;
				n++;
			}
			if (n)
				qsort(v, n, sizeof *v, srv_cmp);
		} else if (rc != ARES_ENODATA) {
			ep = status_err(rc, &e);
		}
	}
	q->fn.srv(q->arg, ep, v, n);
	for (size_t i = 0; i < n; i++)
		free(v[i].target);
	free(v);
	if (srv)
		ares_free_data(srv);
	free(q);
}

void dns_srv(struct dns *d, const char *name, dns_srv_fn fn, void *arg)
{
	struct query *q = query_new(d, Q_SRV, arg);
	q->fn.srv = fn;
	d->pending++;
	ares_query(d->ch, name, ns_c_in, ns_t_srv, srv_done, q);
	rearm_timer(d);
}

static void addr_done(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct query *q = arg;
	if (!query_end(q, status)) {
		if (res)
			ares_freeaddrinfo(res);
		return;
	}
	struct ms_err e;
	err_clear(&e);
	const struct ms_err *ep = status_err(status, &e);
	struct conn_addr *v = NULL;
	size_t n = 0;
	for (struct ares_addrinfo_node *a = res ? res->nodes : NULL; a && !ep; a = a->ai_next) {
		if (a->ai_family != AF_INET && a->ai_family != AF_INET6)
			continue;
		if ((size_t)a->ai_addrlen > sizeof v->ss)
			continue;
		v = xrealloc(v, (n + 1) * sizeof *v);
		struct conn_addr *c = &v[n++];
		memset(c, 0, sizeof *c);
		memcpy(&c->ss, a->ai_addr, (size_t)a->ai_addrlen);
		c->len = (socklen_t)a->ai_addrlen;
		char t[INET6_ADDRSTRLEN];
		if (a->ai_family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&c->ss;
			s4->sin_port = htons(q->port);
			inet_ntop(AF_INET, &s4->sin_addr, t, sizeof t);
			snprintf(c->text, sizeof c->text, "%s", t);
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&c->ss;
			s6->sin6_port = htons(q->port);
			inet_ntop(AF_INET6, &s6->sin6_addr, t, sizeof t);
			snprintf(c->text, sizeof c->text, "[%s]", t);
		}
	}
	q->fn.addr(q->arg, ep, v, n);
	free(v);
	if (res)
		ares_freeaddrinfo(res);
	free(q);
}

static void deferred_fire(void *arg, int revents)
{
	struct query *q = arg;
	struct dns *d = q->d;
	for (struct query **pp = &d->deferred; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	loop_del(d->loop, q->watch);
	q->fn.addr(q->arg, NULL, q->addrs, q->naddrs);
	free(q->addrs);
	free(q);
}

void dns_addrs(struct dns *d, const char *host, uint16_t port, dns_addr_fn fn, void *arg)
{
	struct query *q = query_new(d, Q_ADDR, arg);
	q->fn.addr = fn;
	q->port = port;
	const struct net_override *o = net_override_find(d->ov, host, port);
	struct conn_addr lit;
	char bare[64];
	size_t hl = strlen(host);
	if (hl > 2 && host[0] == '[' && host[hl - 1] == ']' && hl - 2 < sizeof bare) {
		memcpy(bare, host + 1, hl - 2);
		bare[hl - 2] = '\0';
	} else {
		snprintf(bare, sizeof bare, "%s", host);
	}
	if (o || net_addr_from_text(bare, port, &lit)) {
		if (o) {
			q->addrs = xmalloc(o->naddr * sizeof *q->addrs);
			memcpy(q->addrs, o->addr, o->naddr * sizeof *q->addrs);
			q->naddrs = o->naddr;
		} else {
			q->addrs = xmalloc(sizeof *q->addrs);
			q->addrs[0] = lit;
			q->naddrs = 1;
		}
		q->next = d->deferred;
		d->deferred = q;
		q->watch = loop_add(d->loop, -1, 0, loop_now_ms(), deferred_fire, q);
		return;
	}
	struct ares_addrinfo_hints h = {0};
	h.ai_family = AF_UNSPEC;
	h.ai_flags = ARES_AI_NOSORT;
	d->pending++;
	ares_getaddrinfo(d->ch, host, NULL, &h, addr_done, q);
	rearm_timer(d);
}
