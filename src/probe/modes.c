#include "config.h"

#include "probe/modes.h"

#include "base/alloc.h"
#include "base/i18n.h"

#include <stdlib.h>
#include <string.h>

const char *port_kind_name(enum port_kind k)
{
	static const char *const names[] = {
		[PORT_IMPLICIT_TLS] = "implicit-tls", [PORT_STARTTLS] = "starttls",
		[PORT_PLAINTEXT_ONLY] = "plaintext-only", [PORT_OTHER_PROTOCOL] = "other-protocol",
		[PORT_SILENT] = "silent",	      [PORT_REFUSED] = "refused",
		[PORT_FILTERED] = "filtered",	      [PORT_UNRESOLVED] = "unresolved",
		[PORT_BROKEN] = "broken",
	};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static bool handshake_done(const struct probe_result *r)
{
	return r && r->tls_attempted && r->tls.handshake_done;
}

static char *speaks_tls_msg(uint16_t port)
{
	return xasprintf(_("port %u said nothing in plaintext but completed a TLS handshake at "
			   "once: it speaks implicit TLS"),
			 (unsigned)port);
}

/* ---- port_check ----------------------------------------------------------- */

struct pc_run {
	struct loop *loop;
	struct probe_request req_tls, req_st;
	const struct ms_observer *obs;
	struct probe *p_tls, *p_st;
	int pending;
	bool launching;
	bool retried;
	struct port_check *pc;
	port_done_fn done;
	void *arg;
};

static void pc_launch(struct pc_run *run);

static enum port_kind classify(const struct port_check *pc)
{
	const struct probe_result *t = pc->tls, *s = pc->starttls;
	if (pc->proto != pc->asked_proto)
		return PORT_OTHER_PROTOCOL;
	if (handshake_done(t))
		return PORT_IMPLICIT_TLS;
	if (handshake_done(s) || (s && s->caps_before_tls.starttls))
		return PORT_STARTTLS;
	if (s && s->got_greeting) {
		if (s->cause == DIAG_PROTOCOL_MISMATCH || s->cause == DIAG_PROTOCOL_VIOLATION)
			return PORT_OTHER_PROTOCOL;
		if (s->cause == DIAG_STARTTLS_NOT_OFFERED || s->cause == DIAG_STARTTLS_REFUSED ||
		    s->cause == DIAG_PREAUTH_BEFORE_TLS)
			return PORT_PLAINTEXT_ONLY;
		return PORT_BROKEN;
	}
	enum diag_code c = s ? s->cause : t->cause;
	switch (c) {
	case DIAG_DNS_FAILURE:
		return PORT_UNRESOLVED;
	case DIAG_CONNECTION_REFUSED:
		return PORT_REFUSED;
	case DIAG_CONNECTION_TIMEOUT:
		return PORT_FILTERED;
	case DIAG_NO_GREETING:
		return PORT_SILENT;
	default:
		return PORT_BROKEN;
	}
}

static void pc_finish(struct pc_run *run)
{
	struct port_check *pc = run->pc;
	struct probe_result *other = NULL;
	if (pc->starttls && pc->starttls->other_protocol)
		other = pc->starttls;
	else if (pc->tls && pc->tls->other_protocol)
		other = pc->tls;
	if (other && !run->retried && other->detected_proto != pc->proto) {
		/* The greeting named the protocol: test that one instead. */
		run->retried = true;
		pc->proto = other->detected_proto;
		probe_result_free(pc->tls);
		probe_result_free(pc->starttls);
		pc->tls = pc->starttls = NULL;
		run->req_tls.proto = run->req_st.proto = pc->proto;
		pc_launch(run);
		return;
	}
	pc->kind = classify(pc);
	port_done_fn done = run->done;
	void *arg = run->arg;
	free(run);
	done(arg, pc);
}

static void pc_tls_done(void *arg, struct probe_result *r)
{
	struct pc_run *run = arg;
	run->p_tls = NULL;
	run->pc->tls = r;
	run->pending--;
	if (!run->launching && handshake_done(r) && run->p_st && !probe_has_greeting(run->p_st)) {
		char *msg = speaks_tls_msg(run->pc->port);
		probe_cancel(run->p_st, DIAG_NO_GREETING, msg); /* calls pc_st_done */
		free(msg);
		return;
	}
	if (run->pending == 0 && !run->launching)
		pc_finish(run);
}

static void pc_st_done(void *arg, struct probe_result *r)
{
	struct pc_run *run = arg;
	run->p_st = NULL;
	run->pc->starttls = r;
	run->pending--;
	if (run->pending == 0 && !run->launching)
		pc_finish(run);
}

static void pc_launch(struct pc_run *run)
{
	run->pending = 2;
	/* Either probe may finish inside probe_start (refused at once):
	 * hold pc_finish until both are started. */
	run->launching = true;
	run->p_tls = probe_start(run->loop, &run->req_tls, run->obs, pc_tls_done, run);
	run->p_st = probe_start(run->loop, &run->req_st, run->obs, pc_st_done, run);
	run->launching = false;
	if (run->pending == 0)
		pc_finish(run);
}

void port_check_start(struct loop *loop, const struct probe_request *base,
		      const struct ms_observer *obs, port_done_fn done, void *arg)
{
	struct pc_run *run = xcalloc(1, sizeof *run);
	run->loop = loop;
	run->obs = obs;
	run->done = done;
	run->arg = arg;
	run->req_tls = *base;
	run->req_tls.security = SEC_TLS;
	run->req_st = *base;
	run->req_st.security = SEC_STARTTLS;
	run->pc = xcalloc(1, sizeof *run->pc);
	run->pc->port = base->port;
	run->pc->proto = base->proto;
	run->pc->asked_proto = base->proto;
	pc_launch(run);
}

void port_check_free(struct port_check *pc)
{
	if (!pc)
		return;
	probe_result_free(pc->tls);
	probe_result_free(pc->starttls);
	free(pc);
}

const struct probe_result *port_check_best(const struct port_check *pc)
{
	const struct probe_result *cands[2] = {pc->tls, pc->starttls};
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < 2; i++) {
			const struct probe_result *r = cands[i];
			if (!r || !handshake_done(r))
				continue;
			if (pass == 0 && !(r->ok && r->tls.verified))
				continue;
			return r;
		}
	return NULL;
}

/* ---- probe_checked --------------------------------------------------------- */

struct pk_run {
	struct loop *loop;
	const struct ms_observer *obs;
	struct probe_request req, alt_req;
	struct probe *main_p, *shadow_p;
	struct probe_result *main_r, *shadow_r, *alt_r;
	int timer;
};

static void pk_shadow_done(void *arg, struct probe_result *r)
{
	struct pk_run *k = arg;
	k->shadow_p = NULL;
	k->shadow_r = r;
	if (handshake_done(r) && k->main_p && !probe_has_greeting(k->main_p)) {
		char *msg = speaks_tls_msg(k->req.port);
		probe_cancel(k->main_p, DIAG_NO_GREETING, msg);
		free(msg);
	}
}

static void pk_timer(void *arg, int revents)
{
	struct pk_run *k = arg;
	loop_del(k->loop, k->timer);
	k->timer = 0;
	if (k->main_p && !probe_has_greeting(k->main_p)) {
		k->alt_req = k->req;
		k->alt_req.security = SEC_TLS;
		k->alt_req.login = false;
		k->alt_req.mail_from = NULL;
		k->shadow_p = probe_start(k->loop, &k->alt_req, NULL, pk_shadow_done, k);
	}
}

static void pk_main_done(void *arg, struct probe_result *r)
{
	struct pk_run *k = arg;
	k->main_p = NULL;
	k->main_r = r;
	if (k->timer) {
		loop_del(k->loop, k->timer);
		k->timer = 0;
	}
	/* A shadow still running has nothing left to explain. */
	if (k->shadow_p && !(r->cause == DIAG_NO_GREETING))
		probe_cancel(k->shadow_p, DIAG_NONE, _("not needed"));
}

static void pk_alt_done(void *arg, struct probe_result *r)
{
	struct pk_run *k = arg;
	k->alt_r = r;
}

/* Which alternative explains this failure, if any: fills k->alt_req. */
static bool pick_alternative(struct pk_run *k, const struct probe_result *r)
{
	k->alt_req = k->req;
	k->alt_req.login = false;
	k->alt_req.mail_from = NULL;
	k->alt_req.port = r->port;
	switch (r->cause) {
	case DIAG_TLS_ON_PLAINTEXT_PORT:
		k->alt_req.security = SEC_STARTTLS;
		return true;
	case DIAG_TLS_HANDSHAKE_FAILED:
		if (r->security != SEC_TLS)
			return false;
		k->alt_req.security = SEC_STARTTLS;
		return true;
	case DIAG_NO_GREETING:
		k->alt_req.security = SEC_TLS;
		return true;
	case DIAG_STARTTLS_NOT_OFFERED:
	case DIAG_STARTTLS_REFUSED:
	case DIAG_PREAUTH_BEFORE_TLS:
	case DIAG_STARTTLS_INJECTION:
	case DIAG_CONNECTION_REFUSED:
	case DIAG_CONNECTION_TIMEOUT:
		k->alt_req.security = SEC_TLS;
		k->alt_req.port = default_port(r->proto, SEC_TLS);
		return k->alt_req.port != r->port || r->security != SEC_TLS;
	default:
		return false;
	}
}

struct probe_result *probe_checked(const struct probe_request *req, const struct ms_observer *obs)
{
	struct pk_run k = {0};
	k.loop = loop_new();
	k.obs = obs;
	k.req = *req;
	if (!k.req.port)
		k.req.port = default_port(req->proto, req->security);
	k.main_p = probe_start(k.loop, &k.req, obs, pk_main_done, &k);
	if (k.main_p && req->security != SEC_TLS)
		k.timer = loop_add(k.loop, -1, 0, loop_now_ms() + MODES_SHADOW_DELAY_MS, pk_timer, &k);
	loop_run(k.loop);
	struct probe_result *r = k.main_r;
	if (!r->ok && r->cause == DIAG_NO_GREETING && handshake_done(k.shadow_r)) {
		r->alternative = k.shadow_r;
		k.shadow_r = NULL;
	} else if (!r->ok && pick_alternative(&k, r)) {
		probe_start(k.loop, &k.alt_req, NULL, pk_alt_done, &k);
		loop_run(k.loop);
		r->alternative = k.alt_r;
	}
	probe_result_free(k.shadow_r);
	loop_free(k.loop);
	return r;
}
