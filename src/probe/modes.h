/* modes.h - what a port actually speaks, found by trying both TLS modes.
 *
 * People configure the wrong TLS mode more than anything else: STARTTLS
 * on 465, "SSL" on 587.  Both checks here answer it without waiting on a
 * timeout that another answer makes unnecessary:
 *
 *  - the mode asked for runs first.  A STARTTLS (or plaintext) probe
 *    with no greeting after MODES_SHADOW_DELAY_MS starts an implicit-TLS
 *    check on the same port in parallel; if that completes a handshake
 *    while the first still has no greeting, the first is stopped at once
 *    (an implicit-TLS port never greets in plaintext).
 *  - a failure that another mode would explain (plaintext greeting met
 *    by TLS, STARTTLS missing or refused...) is followed by that other
 *    mode, without login, kept as r->alternative so that the finding can
 *    say "port 465 answers with TLS (tested just now)".
 *
 * probe_checked does this for one probe (the alternative may be the
 * implicit-TLS port when STARTTLS is missing); port_check does it for one
 * port of a diagnosis (alternatives stay on the same port, and a greeting
 * of another protocol re-tests the port with that protocol, once).
 */
#ifndef MS_MODES_H
#define MS_MODES_H

#include "probe/probe.h"

/* Long enough for a greeting over a slow link, short enough to name an
 * implicit-TLS port well within 2 seconds. */
#define MODES_SHADOW_DELAY_MS 700

enum port_kind {
	PORT_IMPLICIT_TLS,   /* TLS handshake completes (maybe unverified) */
	PORT_STARTTLS,       /* plaintext greeting, STARTTLS works */
	PORT_PLAINTEXT_ONLY, /* plaintext greeting, no (working) STARTTLS */
	PORT_OTHER_PROTOCOL, /* speaks another protocol than asked (proto
	                        says which), or none we know */
	PORT_SILENT,         /* accepts, says nothing, no TLS either */
	PORT_REFUSED,        /* connection refused */
	PORT_FILTERED,       /* no answer to connect (timeout) */
	PORT_UNRESOLVED,     /* the name does not resolve */
	PORT_BROKEN,         /* something else failed */
};

const char *port_kind_name(enum port_kind k); /* stable: "implicit-tls" */

struct port_check {
	uint16_t port;
	enum ms_proto proto;       /* as finally tested */
	enum ms_proto asked_proto; /* as asked; differs after a greeting
	                              of another protocol */
	enum port_kind kind;
	struct probe_result *tls;      /* implicit TLS attempt, or NULL if
	                                  another answer made it needless */
	struct probe_result *starttls; /* STARTTLS attempt, or NULL */
};

typedef void (*port_done_fn)(void *arg, struct port_check *pc);

/* port_check_start: test base->port in base->security first (the mode
 * its number stands for), the other mode only when the first one fails
 * in a way the other would explain (or has no greeting after
 * MODES_SHADOW_DELAY_MS).  base is copied (its strings must outlive the
 * check).  done gets a port_check the caller frees with port_check_free. */
void port_check_start(struct loop *loop, const struct probe_request *base,
                      const struct ms_observer *obs, port_done_fn done, void *arg);
void port_check_free(struct port_check *pc);
/* port_check_best: the result a client should use (NULL if none works):
 * implicit TLS before STARTTLS, verified before unverified. */
const struct probe_result *port_check_best(const struct port_check *pc);

/* probe_checked_start: one probe plus the explaining alternative (see
 * above) on loop; done(arg, result) is called once with the result (its
 * r->alternative set when another mode explains a failure), which the
 * callee owns.  req is copied; its strings must outlive the check.
 * probe_checked: the same, start to finish, on a private loop. */
void probe_checked_start(struct loop *loop, const struct probe_request *req,
                         const struct ms_observer *obs, probe_done_fn done, void *arg);
struct probe_result *probe_checked(const struct probe_request *req, const struct ms_observer *obs);

#endif
