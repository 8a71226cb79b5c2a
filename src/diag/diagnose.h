/* diagnose.h - every mail port of a host, both TLS modes, at once.
 *
 * diagnose_run() checks each port with port_check (probe/modes.h), all
 * concurrently on one event loop, then names the findings and picks the
 * settings a client should use: implicit TLS over STARTTLS (RFC 8314),
 * verified certificates over unverified, IMAP over POP3, submission over
 * port 25, never plaintext.
 */
#ifndef MS_DIAGNOSE_H
#define MS_DIAGNOSE_H

#include "diag/diag.h"
#include "probe/modes.h"

struct diagnose_port {
	uint16_t port;
	enum ms_proto proto;       /* the protocol to try first */
	enum ms_security security; /* the mode to try first */
	bool guessed;              /* no protocol given and no standard number:
	                              proto is a guess, both modes at once */
};

/* The standard matrix: 993 143 995 110 465 587 25. */
extern const struct diagnose_port diagnose_default_ports[];
extern const size_t diagnose_default_nports;

/* diagnose_parse_ports: "993,143,2525/smtp,10465/smtp/tls" -> ports
 * (malloc'ed).  A port without /PROTO takes the protocol of its standard
 * number, else IMAP as a guess (guessed: both TLS modes are tried at once
 * and a greeting of another protocol corrects it); without /MODE,
 * implicit TLS for 993, 995 and 465, STARTTLS otherwise (a silent port is
 * then tried with TLS).  Returns the count, or 0 if malformed. */
size_t diagnose_parse_ports(const char *spec, struct diagnose_port **out);

struct diagnose_report;
typedef void (*diagnose_port_fn)(void *arg, struct diagnose_report *d, size_t index);

struct diagnose_report {
	char *host;
	struct port_check **checks; /* in the order asked */
	size_t n;
	const struct probe_result *incoming; /* best, or NULL (points into checks) */
	const struct probe_result *outgoing;
	struct findings findings;
	int total_ms;
	/* internal (diagnose_start) */
	int64_t t0;
	struct probe_request *reqs;
	struct conn_addr *addrs;
	diagnose_port_fn port_done;
	void *arg;
};

/* diagnose_run: base gives host, protocol-independent settings (timeout,
 * TLS context, credentials, allow_plaintext, and the host's addresses,
 * whose port is replaced by each port's); port and protocol come from
 * ports. */
struct diagnose_report *diagnose_run(const struct probe_request *base,
                                     const struct diagnose_port *ports, size_t nports,
                                     const struct ms_observer *obs);
/* diagnose_start: the same on the caller's loop; port_done (or NULL)
 * is called as each port's check ends (d->checks[index] is then set);
 * once the loop has run, diagnose_finish names the findings and the
 * recommended settings. */
struct diagnose_report *diagnose_start(struct loop *loop, const struct probe_request *base,
                                       const struct diagnose_port *ports, size_t nports,
                                       const struct ms_observer *obs, diagnose_port_fn port_done,
                                       void *arg);
void diagnose_finish(struct diagnose_report *d);
void diagnose_report_free(struct diagnose_report *d);

#endif
