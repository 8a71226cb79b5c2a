#include "config.h"

#include "diag/diagnose.h"

#include "base/alloc.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const struct diagnose_port diagnose_default_ports[] = {
    {993, PROTO_IMAP, SEC_TLS, false},     {143, PROTO_IMAP, SEC_STARTTLS, false},
    {995, PROTO_POP3, SEC_TLS, false},     {110, PROTO_POP3, SEC_STARTTLS, false},
    {465, PROTO_SMTP, SEC_TLS, false},     {587, PROTO_SMTP, SEC_STARTTLS, false},
    {25, PROTO_SMTP, SEC_STARTTLS, false},
};
const size_t diagnose_default_nports =
    sizeof diagnose_default_ports / sizeof diagnose_default_ports[0];

static struct diagnose_port standard(uint16_t port)
{
	for (size_t i = 0; i < diagnose_default_nports; i++)
		if (diagnose_default_ports[i].port == port)
			return diagnose_default_ports[i];
	return (struct diagnose_port){port, PROTO_IMAP, SEC_STARTTLS, true};
}

size_t diagnose_parse_ports(const char *spec, struct diagnose_port **out)
{
	size_t n = 0;
	struct diagnose_port *v = NULL;
	char *copy = xstrdup(spec), *save = NULL;
	for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		char *slash = strchr(tok, '/'), *mode = NULL;
		if (slash) {
			*slash++ = '\0';
			mode = strchr(slash, '/');
			if (mode)
				*mode++ = '\0';
		}
		char *end;
		errno = 0;
		long p = strtol(tok, &end, 10);
		if (errno || end == tok || *end || p < 1 || p > 65535)
			goto bad;
		struct diagnose_port dp = standard((uint16_t)p);
		if (slash && !proto_parse(slash, &dp.proto))
			goto bad;
		if (slash)
			dp.guessed = false;
		if (mode && (!security_parse(mode, &dp.security) || dp.security == SEC_PLAIN))
			goto bad;
		v = xrealloc(v, (n + 1) * sizeof *v);
		v[n++] = dp;
	}
	free(copy);
	if (n == 0) {
		free(v);
		return 0;
	}
	*out = v;
	return n;
bad:
	free(copy);
	free(v);
	return 0;
}

/* Where one port's check lands in the report. */
struct dg_slot {
	struct diagnose_report *d;
	size_t index;
};

static void dg_done(void *arg, struct port_check *pc)
{
	struct dg_slot *slot = arg;
	struct diagnose_report *d = slot->d;
	d->checks[slot->index] = pc;
	size_t i = slot->index;
	free(slot);
	if (d->port_done)
		d->port_done(d->arg, d, i);
}

/* rank: higher is better; -1 unusable.  Implicit TLS over STARTTLS
 * (RFC 8314 3.3), verified over unverified (never recommended), a login
 * that worked over one not tried. */
static int rank(const struct probe_result *r)
{
	if (!r || !r->ok || !r->tls.verified)
		return -1;
	int s = 10;
	if (r->security == SEC_TLS)
		s += 4;
	if (r->login == LOGIN_OK)
		s += 2;
	return s;
}

static const struct probe_result *best_of(struct diagnose_report *d, bool outgoing, bool allow25)
{
	const struct probe_result *best = NULL;
	int best_rank = -1;
	for (int pass = 0; pass < 2 && !best; pass++) {
		for (size_t i = 0; i < d->n; i++) {
			const struct port_check *pc = d->checks[i];
			if (!pc || (pc->proto == PROTO_SMTP) != outgoing)
				continue;
			if (outgoing && pc->port == 25 && !allow25)
				continue;
			/* IMAP before POP3: POP3 only in the second pass. */
			if (!outgoing && (pc->proto == PROTO_POP3) != (pass == 1))
				continue;
			const struct probe_result *c[2] = {pc->tls, pc->starttls};
			for (int k = 0; k < 2; k++) {
				int rk = rank(c[k]);
				if (rk > best_rank) {
					best_rank = rk;
					best = c[k];
				}
			}
		}
	}
	return best;
}

/* Findings of one port: those of the mode that works, else of the most
 * telling failure (a handshake with a bad certificate, then a greeting). */
static void port_findings(const struct port_check *pc, struct findings *out)
{
	const struct probe_result *pick = port_check_best(pc);
	if (!pick) {
		if (pc->tls && pc->tls->tls.handshake_done)
			pick = pc->tls;
		else if (pc->starttls && pc->starttls->tls.handshake_done)
			pick = pc->starttls;
		else if (pc->kind == PORT_PLAINTEXT_ONLY || pc->kind == PORT_OTHER_PROTOCOL ||
		         (pc->kind == PORT_BROKEN && pc->starttls && pc->starttls->got_greeting))
			pick = pc->starttls;
		else if (pc->kind == PORT_FILTERED && pc->proto == PROTO_SMTP && pc->port == 25)
			pick = pc->starttls;
	}
	if (pick)
		diag_probe(pick, out);
}

struct diagnose_report *diagnose_start(struct loop *loop, const struct probe_request *base,
                                       const struct diagnose_port *ports, size_t nports,
                                       const struct ms_observer *obs, diagnose_port_fn port_done,
                                       void *arg)
{
	struct diagnose_report *d = xcalloc(1, sizeof *d);
	d->host = xstrdup(base->host);
	d->n = nports;
	d->checks = xcalloc(nports, sizeof *d->checks);
	d->t0 = loop_now_ms();
	d->port_done = port_done;
	d->arg = arg;
	d->reqs = xcalloc(nports, sizeof *d->reqs);
	d->addrs = xcalloc(nports * (base->naddrs ? base->naddrs : 1), sizeof *d->addrs);
	for (size_t i = 0; i < nports; i++) {
		struct probe_request *q = &d->reqs[i];
		*q = *base;
		q->port = ports[i].port;
		if (base->addrs) {
			/* The host's addresses, with this port. */
			struct conn_addr *a = d->addrs + i * base->naddrs;
			memcpy(a, base->addrs, base->naddrs * sizeof *a);
			for (size_t k = 0; k < base->naddrs; k++)
				conn_addr_set_port(&a[k], ports[i].port);
			q->addrs = a;
		}
		q->proto = ports[i].proto;
		q->security = ports[i].security;
		if (ports[i].proto != PROTO_SMTP)
			q->mail_from = NULL;
		struct dg_slot *slot = xcalloc(1, sizeof *slot);
		slot->d = d;
		slot->index = i;
		port_check_start(loop, q, ports[i].guessed, obs, dg_done, slot);
	}
	return d;
}

void diagnose_finish(struct diagnose_report *d)
{
	free(d->reqs);
	free(d->addrs);
	d->reqs = NULL;
	d->addrs = NULL;
	d->total_ms = (int)(loop_now_ms() - d->t0);
	for (size_t i = 0; i < d->n; i++)
		if (d->checks[i])
			port_findings(d->checks[i], &d->findings);
	d->incoming = best_of(d, false, false);
	d->outgoing = best_of(d, true, false);
	if (!d->outgoing)
		d->outgoing = best_of(d, true, true);
}

struct diagnose_report *diagnose_run(const struct probe_request *base,
                                     const struct diagnose_port *ports, size_t nports,
                                     const struct ms_observer *obs)
{
	struct loop *loop = loop_new();
	struct diagnose_report *d = diagnose_start(loop, base, ports, nports, obs, NULL, NULL);
	loop_run(loop);
	loop_free(loop);
	diagnose_finish(d);
	return d;
}

void diagnose_report_free(struct diagnose_report *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		port_check_free(d->checks[i]);
	free(d->checks);
	free(d->reqs);
	free(d->addrs);
	findings_free(&d->findings);
	free(d->host);
	free(d);
}
