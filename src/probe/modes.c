#include "config.h"

#include "probe/modes.h"

#include "base/alloc.h"
#include "base/i18n.h"

#include <stdlib.h>
#include <string.h>

const char *port_kind_name(enum port_kind k)
{
	static const char *const names[] = {
	    [PORT_IMPLICIT_TLS] = "implicit-tls",
	    [PORT_STARTTLS] = "starttls",
	    [PORT_PLAINTEXT_ONLY] = "plaintext-only",
	    [PORT_OTHER_PROTOCOL] = "other-protocol",
	    [PORT_SILENT] = "silent",
	    [PORT_REFUSED] = "refused",
	    [PORT_FILTERED] = "filtered",
	    [PORT_UNRESOLVED] = "unresolved",
	    [PORT_BROKEN] = "broken",
	};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static bool handshake_done(const struct probe_result *r)
{
	return r && r->tls_attempted && r->tls.handshake_done;
}

/* ---- one checked probe, asynchronous ------------------------------------- */

typedef void (*check_done_fn)(void *arg, struct probe_result *main, struct probe_result *other);

struct check {
	struct loop *loop;
	const struct ms_observer *obs;
	struct probe_request req, alt_req;
	bool same_port;    /* alternatives stay on req.port (diagnose) */
	bool retest_proto; /* a greeting of another protocol: test that one */
	bool retested;
	struct probe *main_p, *shadow_p, *alt_p;
	struct probe_result *main_r, *other_r;
	int timer;
	int busy; /* inside a callback that may re-enter */
	check_done_fn done;
	void *arg;
};

static void check_launch(struct check *k);
static void check_maybe_done(struct check *k);

static void shadow_done(void *arg, struct probe_result *r)
{
	struct check *k = arg;
	k->shadow_p = NULL;
	if (handshake_done(r) && k->main_p && !probe_has_greeting(k->main_p)) {
		k->other_r = r;
		char *msg = xasprintf(_("port %u said nothing in plaintext but completed a TLS "
		                        "handshake at once: it speaks implicit TLS"),
		                      (unsigned)k->req.port);
		probe_cancel(k->main_p, DIAG_NO_GREETING, msg); /* runs main_done */
		free(msg);
		return;
	}
	if (k->other_r || !handshake_done(r)) {
		probe_result_free(r);
	} else {
		k->other_r = r;
	}
	check_maybe_done(k);
}

static void shadow_due(void *arg, int revents)
{
	struct check *k = arg;
	loop_del(k->loop, k->timer);
	k->timer = 0;
	if (!k->main_p || probe_has_greeting(k->main_p))
		return;
	k->alt_req = k->req;
	k->alt_req.security = SEC_TLS;
	k->alt_req.login = k->same_port && k->req.login;
	if (!k->same_port)
		k->alt_req.mail_from = NULL;
	k->shadow_p = probe_start(k->loop, &k->alt_req, NULL, shadow_done, k);
}

/* pick_alternative: the other way that explains main's failure. */
static bool pick_alternative(struct check *k, const struct probe_result *r)
{
	/* For a diagnosis the other mode is a full test (login included, over
	 * verified TLS only); for a probe it only explains the failure. */
	k->alt_req = k->req;
	k->alt_req.login = k->same_port && k->req.login;
	if (!k->same_port)
		k->alt_req.mail_from = NULL;
	k->alt_req.port = r->port;
	switch (r->cause) {
	case DIAG_TLS_ON_PLAINTEXT_PORT:
		k->alt_req.security = SEC_STARTTLS;
		return true;
	case DIAG_TLS_HANDSHAKE_FAILED:
		k->alt_req.security = SEC_STARTTLS;
		return r->security == SEC_TLS;
	case DIAG_NO_GREETING:
		k->alt_req.security = SEC_TLS;
		return r->security != SEC_TLS;
	case DIAG_STARTTLS_NOT_OFFERED:
	case DIAG_STARTTLS_REFUSED:
	case DIAG_PREAUTH_BEFORE_TLS:
	case DIAG_STARTTLS_INJECTION:
		k->alt_req.security = SEC_TLS;
		if (!k->same_port)
			k->alt_req.port = default_port(r->proto, SEC_TLS);
		return true;
	case DIAG_CONNECTION_REFUSED:
	case DIAG_CONNECTION_TIMEOUT:
		if (k->same_port)
			return false;
		k->alt_req.security = SEC_TLS;
		k->alt_req.port = default_port(r->proto, SEC_TLS);
		return k->alt_req.port != r->port || r->security != SEC_TLS;
	default:
		return false;
	}
}

/* pick_alternative_pinned: a trusted certificate holds for its own port
 * only (DESIGN.md rule 8), so another port is tested without the pin. */
static bool pick_alternative_pinned(struct check *k, const struct probe_result *r)
{
	bool go = pick_alternative(k, r);
	if (k->alt_req.port != k->req.port)
		k->alt_req.pin_sha256 = NULL;
	return go;
}

static void alt_done(void *arg, struct probe_result *r)
{
	struct check *k = arg;
	k->alt_p = NULL;
	probe_result_free(k->other_r);
	k->other_r = r;
	check_maybe_done(k);
}

static void main_done(void *arg, struct probe_result *r)
{
	struct check *k = arg;
	k->main_p = NULL;
	k->main_r = r;
	if (k->timer) {
		loop_del(k->loop, k->timer);
		k->timer = 0;
	}
	if (k->shadow_p && r->cause != DIAG_NO_GREETING) {
		/* The first answer explains itself: the shadow is needless. */
		k->busy++;
		probe_cancel(k->shadow_p, DIAG_NONE, _("not needed"));
		k->busy--;
	}
	if (k->retest_proto && !k->retested && r->other_protocol &&
	    r->detected_proto != k->req.proto) {
		k->retested = true;
		k->req.proto = r->detected_proto;
		probe_result_free(k->main_r);
		probe_result_free(k->other_r);
		k->main_r = k->other_r = NULL;
		check_launch(k);
		return;
	}
	if (!r->ok && !(r->cause == DIAG_NO_GREETING && handshake_done(k->other_r)) &&
	    pick_alternative_pinned(k, r)) {
		probe_result_free(k->other_r);
		k->other_r = NULL;
		k->busy++;
		k->alt_p = probe_start(k->loop, &k->alt_req, NULL, alt_done, k);
		k->busy--;
	}
	check_maybe_done(k);
}

static void check_maybe_done(struct check *k)
{
	if (k->busy || k->main_p || k->shadow_p || k->alt_p || !k->main_r)
		return;
	check_done_fn done = k->done;
	void *arg = k->arg;
	struct probe_result *m = k->main_r, *o = k->other_r;
	free(k);
	done(arg, m, o);
}

static void check_launch(struct check *k)
{
	k->busy++;
	k->main_p = probe_start(k->loop, &k->req, k->obs, main_done, k);
	if (k->main_p && k->req.security != SEC_TLS)
		k->timer =
		    loop_add(k->loop, -1, 0, loop_now_ms() + MODES_SHADOW_DELAY_MS, shadow_due, k);
	k->busy--;
	check_maybe_done(k);
}

static void check_start(struct loop *loop, const struct probe_request *req,
                        const struct ms_observer *obs, bool same_port, check_done_fn done,
                        void *arg)
{
	struct check *k = xcalloc(1, sizeof *k);
	k->loop = loop;
	k->obs = obs;
	k->req = *req;
	if (!k->req.port)
		k->req.port = default_port(req->proto, req->security);
	k->same_port = same_port;
	k->retest_proto = same_port;
	k->done = done;
	k->arg = arg;
	check_launch(k);
}

/* ---- probe_checked ---------------------------------------------------------- */

struct checked_run {
	probe_done_fn done;
	void *arg;
};

static void checked_done(void *arg, struct probe_result *m, struct probe_result *o)
{
	struct checked_run run = *(struct checked_run *)arg;
	free(arg);
	/* Keep the other result only when it explains the failure. */
	if (!m->ok && o)
		m->alternative = o;
	else
		probe_result_free(o);
	run.done(run.arg, m);
}

void probe_checked_start(struct loop *loop, const struct probe_request *req,
                         const struct ms_observer *obs, probe_done_fn done, void *arg)
{
	struct checked_run *run = xcalloc(1, sizeof *run);
	run->done = done;
	run->arg = arg;
	check_start(loop, req, obs, false, checked_done, run);
}

static void keep_result(void *arg, struct probe_result *r)
{
	*(struct probe_result **)arg = r;
}

struct probe_result *probe_checked(const struct probe_request *req, const struct ms_observer *obs)
{
	struct loop *loop = loop_new();
	struct probe_result *r = NULL;
	probe_checked_start(loop, req, obs, keep_result, &r);
	loop_run(loop);
	loop_free(loop);
	return r;
}

/* ---- port_check ------------------------------------------------------------- */

struct pc_run {
	struct port_check *pc;
	port_done_fn done;
	void *arg;
};

static enum port_kind classify(const struct port_check *pc)
{
	const struct probe_result *t = pc->tls, *s = pc->starttls;
	if (pc->proto != pc->asked_proto)
		return PORT_OTHER_PROTOCOL;
	if (handshake_done(t))
		return PORT_IMPLICIT_TLS;
	if (handshake_done(s) || (s && s->caps_before_tls.starttls))
		return PORT_STARTTLS;
	const struct probe_result *g = s && s->got_greeting ? s : t && t->got_greeting ? t : NULL;
	if (!g && t && t->cause == DIAG_TLS_ON_PLAINTEXT_PORT)
		g = t;
	if (g) {
		if (g->cause == DIAG_PROTOCOL_MISMATCH || g->cause == DIAG_PROTOCOL_VIOLATION)
			return PORT_OTHER_PROTOCOL;
		if (g->cause == DIAG_STARTTLS_NOT_OFFERED || g->cause == DIAG_STARTTLS_REFUSED ||
		    g->cause == DIAG_PREAUTH_BEFORE_TLS || g->cause == DIAG_TLS_ON_PLAINTEXT_PORT)
			return PORT_PLAINTEXT_ONLY;
		return PORT_BROKEN;
	}
	enum diag_code c = s ? s->cause : t ? t->cause : DIAG_NONE;
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

static void pc_done(void *arg, struct probe_result *m, struct probe_result *o)
{
	struct pc_run *run = arg;
	struct port_check *pc = run->pc;
	pc->proto = m->proto;
	struct probe_result *rs[2] = {m, o};
	for (int i = 0; i < 2; i++) {
		if (!rs[i])
			continue;
		struct probe_result **slot = rs[i]->security == SEC_TLS ? &pc->tls : &pc->starttls;
		if (*slot)
			probe_result_free(rs[i]);
		else
			*slot = rs[i];
	}
	pc->kind = classify(pc);
	port_done_fn done = run->done;
	void *darg = run->arg;
	free(run);
	done(darg, pc);
}

void port_check_start(struct loop *loop, const struct probe_request *base,
                      const struct ms_observer *obs, port_done_fn done, void *arg)
{
	struct pc_run *run = xcalloc(1, sizeof *run);
	run->pc = xcalloc(1, sizeof *run->pc);
	run->pc->port = base->port;
	run->pc->proto = base->proto;
	run->pc->asked_proto = base->proto;
	run->done = done;
	run->arg = arg;
	check_start(loop, base, obs, true, pc_done, run);
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
