/* test_override.c - --resolve and --connect-to parse like curl's and are
 * found by host (case-insensitive) and port. */
#include "config.h"

#include "net/override.h"
#include "tap.h"

#include <arpa/inet.h>

static unsigned port_of(const struct conn_addr *a)
{
	return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

int main(void)
{
	plan(14);
	struct net_overrides o = {0};
	struct ms_err e;
	err_clear(&e);
	ok(net_override_add_resolve(&o, "Mail.Example.org:993:127.0.0.1", &e),
	   "HOST:PORT:ADDR parses");
	const struct net_override *f = net_override_find(&o, "mail.example.org", 993);
	ok(f && f->naddr == 1, "found by lower-case name");
	is_str(f ? f->addr[0].text : "", "127.0.0.1", "the address is kept");
	is_int(f ? (long)port_of(&f->addr[0]) : 0, 993, "--resolve keeps the port");
	ok(net_override_find(&o, "mail.example.org.", 993) != NULL, "a trailing dot matches");
	ok(net_override_find(&o, "mail.example.org", 143) == NULL, "another port does not match");
	ok(net_override_add_resolve(&o, "v6.example:443:[::1],127.0.0.2", &e),
	   "IPv6 in brackets and a list");
	f = net_override_find(&o, "v6.example", 443);
	ok(f && f->naddr == 2 && strcmp(f->addr[0].text, "[::1]") == 0,
	   "both addresses, IPv6 first");
	ok(net_override_add_connect_to(&o, "imap.example:993:127.0.0.1:10993", &e),
	   "--connect-to parses");
	f = net_override_find(&o, "imap.example", 993);
	is_int(f ? (long)port_of(&f->addr[0]) : 0, 10993, "--connect-to moves the port");
	ok(!net_override_add_resolve(&o, "host:99999:127.0.0.1", &e) && e.cat == ERR_USAGE,
	   "a port out of range is a usage error");
	ok(!net_override_add_resolve(&o, "host:25:not-an-ip", &e), "a name as target is refused");
	ok(!net_override_add_connect_to(&o, "host:25:127.0.0.1", &e),
	   "--connect-to needs the new port");
	ok(!net_override_add_resolve(&o, ":25:127.0.0.1", &e), "an empty host is refused");
	net_overrides_free(&o);
	return done_testing();
}
