/* override.h - curl-style host overrides shared by every network layer.
 *
 * Two kinds, with curl's syntax and meaning:
 *
 *   --resolve HOST:PORT:ADDR[,ADDR...]   HOST on PORT is at ADDR (no DNS)
 *   --connect-to HOST:PORT:ADDR:PORT2    connections to HOST:PORT go to
 *                                        ADDR:PORT2 instead
 *
 * In both cases TLS still checks the certificate against HOST, exactly as
 * curl does, so an override can point a name at another machine but never
 * weakens verification.  Unlike curl, the target of --connect-to must be
 * an IP address: all name resolution stays in one place (discover/dns.c).
 * IPv6 addresses are written in brackets: [::1].
 */
#ifndef MS_OVERRIDE_H
#define MS_OVERRIDE_H

#include "base/err.h"
#include "net/conn.h"

#include <stdint.h>

#define NET_OVERRIDE_MAX_ADDRS 8

struct net_override {
	char *host;                                    /* lower case, no trailing dot */
	uint16_t port;                                 /* the port asked for */
	struct conn_addr addr[NET_OVERRIDE_MAX_ADDRS]; /* ports set: where to go */
	size_t naddr;
	uint16_t to_port; /* == port for --resolve */
};

struct net_overrides {
	struct net_override *v;
	size_t n;
};

/* net_override_add_resolve / _connect_to: parse one option argument and
 * append it.  false with err set (ERR_USAGE) when the text is malformed. */
bool net_override_add_resolve(struct net_overrides *o, const char *spec, struct ms_err *err);
bool net_override_add_connect_to(struct net_overrides *o, const char *spec, struct ms_err *err);
/* net_override_find: the entry for host (case-insensitive) and port, or
 * NULL.  o may be NULL. */
const struct net_override *net_override_find(const struct net_overrides *o, const char *host,
                                             uint16_t port);
void net_overrides_free(struct net_overrides *o);
/* net_addr_from_text: an IP literal (no brackets) and port to a conn_addr. */
bool net_addr_from_text(const char *text, uint16_t port, struct conn_addr *out);

#endif
