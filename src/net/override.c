/* override.c - parsing and lookup of --resolve / --connect-to entries. */
#include "config.h"

#include "net/override.h"

#include "base/alloc.h"
#include "base/i18n.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool net_addr_from_text(const char *text, uint16_t port, struct conn_addr *out)
{
	memset(out, 0, sizeof *out);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;
	if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		out->len = sizeof *v4;
		snprintf(out->text, sizeof out->text, "%s", text);
		return true;
	}
	if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		out->len = sizeof *v6;
		snprintf(out->text, sizeof out->text, "[%s]", text);
		return true;
	}
	return false;
}

static bool parse_port(const char *s, size_t n, uint16_t *port)
{
	char tmp[8];
	if (n == 0 || n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	char *end;
	errno = 0;
	long v = strtol(tmp, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* take_addr: one address at *p (bracketed IPv6 or IPv4), up to a stop
 * character; advances *p. */
static bool take_addr(const char **p, const char *stops, uint16_t port, struct conn_addr *out)
{
	const char *s = *p, *e;
	char tmp[64];
	if (*s == '[') {
		e = strchr(s, ']');
		if (!e || (size_t)(e - s - 1) >= sizeof tmp)
			return false;
		memcpy(tmp, s + 1, (size_t)(e - s - 1));
		tmp[e - s - 1] = '\0';
		e++;
	} else {
		e = s + strcspn(s, stops);
		if ((size_t)(e - s) >= sizeof tmp)
			return false;
		memcpy(tmp, s, (size_t)(e - s));
		tmp[e - s] = '\0';
	}
	if (*e && !strchr(stops, *e))
		return false;
	*p = e;
	return net_addr_from_text(tmp, port, out);
}

/* head: "HOST:PORT:" -> host and port, *rest after the second colon. */
static bool parse_head(const char *spec, char **host, uint16_t *port, const char **rest)
{
	const char *c1 = strchr(spec, ':');
	if (!c1 || c1 == spec)
		return false;
	const char *c2 = strchr(c1 + 1, ':');
	if (!c2 || !parse_port(c1 + 1, (size_t)(c2 - c1 - 1), port))
		return false;
	size_t n = (size_t)(c1 - spec);
	if (spec[n - 1] == '.')
		n--;
	if (n == 0)
		return false;
	*host = xstrndup(spec, n);
	for (char *h = *host; *h; h++)
		*h = (char)tolower((unsigned char)*h);
	*rest = c2 + 1;
	return true;
}

static void append(struct net_overrides *o, const struct net_override *e)
{
	o->v = xrealloc(o->v, (o->n + 1) * sizeof *o->v);
	o->v[o->n++] = *e;
}

bool net_override_add_resolve(struct net_overrides *o, const char *spec, struct ms_err *err)
{
	struct net_override e = {0};
	const char *p;
	if (!parse_head(spec, &e.host, &e.port, &p))
		goto bad;
	e.to_port = e.port;
	for (;;) {
		if (e.naddr == NET_OVERRIDE_MAX_ADDRS ||
		    !take_addr(&p, ",", e.port, &e.addr[e.naddr]))
			goto bad;
		e.naddr++;
		if (*p == '\0')
			break;
		p++; /* ',' */
	}
	append(o, &e);
	return true;
bad:
	free(e.host);
	err_set(err, ERR_USAGE, _("'%s' is not HOST:PORT:ADDRESS[,ADDRESS...]"), spec);
	return false;
}

bool net_override_add_connect_to(struct net_overrides *o, const char *spec, struct ms_err *err)
{
	struct net_override e = {0};
	const char *p;
	if (!parse_head(spec, &e.host, &e.port, &p))
		goto bad;
	const char *a = p;
	struct conn_addr tmp;
	if (!take_addr(&p, ":", 0, &tmp) || *p != ':' ||
	    !parse_port(p + 1, strlen(p + 1), &e.to_port))
		goto bad;
	p = a;
	take_addr(&p, ":", e.to_port, &e.addr[0]);
	e.naddr = 1;
	append(o, &e);
	return true;
bad:
	free(e.host);
	err_set(err, ERR_USAGE, _("'%s' is not HOST:PORT:IP-ADDRESS:PORT"), spec);
	return false;
}

const struct net_override *net_override_find(const struct net_overrides *o, const char *host,
                                             uint16_t port)
{
	if (!o || !host)
		return NULL;
	size_t n = strlen(host);
	if (n && host[n - 1] == '.')
		n--;
	/* Later options win, as in curl. */
	for (size_t i = o->n; i-- > 0;)
		if (o->v[i].port == port && strlen(o->v[i].host) == n &&
		    strncasecmp(o->v[i].host, host, n) == 0)
			return &o->v[i];
	return NULL;
}

void net_overrides_free(struct net_overrides *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->v[i].host);
	free(o->v);
	o->v = NULL;
	o->n = 0;
}
