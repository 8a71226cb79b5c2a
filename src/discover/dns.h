/* dns.h - MX, SRV and address lookups with c-ares on the event loop.
 *
 * Every lookup is asynchronous: its callback runs later from loop_run(),
 * never from inside the call that started it.  The DNS server may be set
 * explicitly ("ADDR[:PORT]", IPv6 in brackets); otherwise the system's
 * resolver configuration is used.  Address lookups consult the
 * --resolve/--connect-to overrides first and accept IP literals.
 *
 * A name that exists without records of the type asked for, and a name
 * that does not exist, are both "nothing" (err NULL, no results); err is
 * set only when the lookup itself failed (timeout, refused, SERVFAIL).
 * dns_free() cancels everything pending: no callback runs after it.
 */
#ifndef MS_DNS_H
#define MS_DNS_H

#include "base/err.h"
#include "base/loop.h"
#include "net/conn.h"
#include "net/override.h"

#include <stdint.h>

/* Per-try timeout and tries: a local resolver answers in milliseconds;
 * two tries of 2 s ride over one lost UDP packet without keeping a person
 * waiting long when the server is unreachable. */
#define DNS_TRY_TIMEOUT_MS 2000
#define DNS_TRIES          2

struct dns;

struct dns_srv {
	char *target; /* "." means: this service is not provided (RFC 2782) */
	uint16_t port, priority, weight;
};

typedef void (*dns_mx_fn)(void *arg, const struct ms_err *err, const char *host);
typedef void (*dns_srv_fn)(void *arg, const struct ms_err *err, const struct dns_srv *v, size_t n);
typedef void (*dns_addr_fn)(void *arg, const struct ms_err *err, const struct conn_addr *v,
                            size_t n);

/* dns_new: server NULL for the system configuration.  NULL with err set
 * (ERR_USAGE for a malformed server, ERR_LOCAL otherwise). */
struct dns *dns_new(struct loop *loop, const char *server, const struct net_overrides *ov,
                    struct ms_err *err);
void dns_free(struct dns *d);

/* dns_mx: the host of the lowest-preference MX record of name (NULL when
 * there is none, or when the only MX is "." - RFC 7505 null MX). */
void dns_mx(struct dns *d, const char *name, dns_mx_fn fn, void *arg);
/* dns_srv: the SRV records of name, sorted by priority ascending, then
 * weight descending (a deterministic order: a setup tool wants the
 * preferred server, not RFC 2782's load-balancing lottery). */
void dns_srv(struct dns *d, const char *name, dns_srv_fn fn, void *arg);
/* dns_addrs: IPv6 and IPv4 addresses of host with port filled in. */
void dns_addrs(struct dns *d, const char *host, uint16_t port, dns_addr_fn fn, void *arg);
/* dns_pending: lookups not yet answered. */
int dns_pending(const struct dns *d);

#endif
