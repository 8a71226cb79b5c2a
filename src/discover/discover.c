/* discover.c - the core of discovery: state, merging, ranking, the end
 * of the sources phase, live verification.  The sources are in sources.c. */
#include "config.h"

#include "discover/internal.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/escape.h"
#include "base/i18n.h"

#include <idn2.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *disc_source_id(enum disc_source s)
{
	return disc_sources[s].sid;
}

const char *disc_source_label(enum disc_source s)
{
	return _(disc_sources[s].label);
}

int disc_source_timeout_ms(enum disc_source s)
{
	return disc_sources[s].timeout_ms;
}

const char *disc_status_id(enum disc_status s)
{
	static const char *const ids[] = {"waiting", "running", "answered",  "nothing",
	                                  "error",   "timeout", "not-needed"};
	return ids[s];
}

/* ---- addresses ----------------------------------------------------------- */

/* RFC 5321 4.5.3.1: local part at most 64 octets, a path 256 in all. */
#define LOCAL_MAX   64
#define ADDRESS_MAX 254

bool discover_address(const char *address, char **local, char **domain, struct ms_err *err)
{
	*local = *domain = NULL;
	const char *at = address ? strrchr(address, '@') : NULL;
	if (!at || at == address || !at[1]) {
		err_set(err, ERR_USAGE, "%s", _("an e-mail address looks like name@example.org"));
		return false;
	}
	size_t ll = (size_t)(at - address);
	if (ll > LOCAL_MAX || strlen(address) > ADDRESS_MAX) {
		err_set(err, ERR_USAGE, "%s", _("the address is too long"));
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)address; p < (const unsigned char *)at;
	     p++)
		if (*p <= ' ' || *p == 0x7f || strchr("<>()[]\\,;:\"@", *p)) {
			err_set(err, ERR_USAGE, "%s",
			        _("the part before @ has a space or a character addresses cannot "
			          "hold"));
			return false;
		}
	char *ascii = NULL;
	int rc = idn2_to_ascii_8z(at + 1, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
	if (rc != IDN2_OK) {
		err_set(err, ERR_USAGE, _("the domain is not a valid domain name: %s"),
		        idn2_strerror(rc));
		return false;
	}
	for (char *c = ascii; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	size_t dl = strlen(ascii);
	if (dl && ascii[dl - 1] == '.')
		ascii[--dl] = '\0';
	if (!autoconfig_host_ok(ascii) || !strchr(ascii, '.') || strchr(ascii, '_')) {
		err_set(err, ERR_USAGE, "%s", _("the domain is not a valid domain name"));
		free(ascii);
		return false;
	}
	*local = xstrndup(address, ll);
	*domain = xstrdup(ascii);
	idn2_free(ascii);
	return true;
}

size_t discover_parents(const char *mx, const char *own, char *out[2])
{
	static psl_ctx_t *psl;
	if (!psl)
		psl = psl_latest(NULL);
	size_t n = 0;
	char *h = xstrdup(mx);
	size_t hl = strlen(h);
	if (hl && h[hl - 1] == '.')
		h[--hl] = '\0';
	for (char *c = h; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	const char *cand[2] = {NULL, NULL};
	const char *dot = strchr(h, '.');
	if (dot && strchr(dot + 1, '.') && !(psl && psl_is_public_suffix(psl, dot + 1)))
		cand[0] = dot + 1;
	cand[1] = psl ? psl_registrable_domain(psl, h) : NULL;
	for (int i = 0; i < 2; i++) {
		if (!cand[i] || strcmp(cand[i], own) == 0)
			continue;
		if (n == 1 && strcmp(out[0], cand[i]) == 0)
			continue;
		out[n++] = xstrdup(cand[i]);
	}
	free(h);
	return n;
}

/* ---- state helpers ------------------------------------------------------- */

void *disc_alloc_dtor(struct discover *d, size_t n, void (*fn)(void *p))
{
	void *p = xcalloc(1, n);
	d->allocs = xrealloc(d->allocs, (d->nallocs + 1) * sizeof *d->allocs);
	d->allocs[d->nallocs].p = p;
	d->allocs[d->nallocs].fn = fn;
	d->nallocs++;
	return p;
}

void *disc_alloc(struct discover *d, size_t n)
{
	return disc_alloc_dtor(d, n, NULL);
}

bool disc_running(const struct discover *d, enum disc_source s)
{
	return d->res->src[s].status == DSTAT_RUNNING;
}

static const enum ms_discover_event event_of[] = {
    [DSTAT_ANSWERED] = DISCOVER_ANSWERED,     [DSTAT_NOTHING] = DISCOVER_NOTHING,
    [DSTAT_ERROR] = DISCOVER_ERROR,           [DSTAT_TIMEOUT] = DISCOVER_ERROR,
    [DSTAT_NOT_NEEDED] = DISCOVER_NOT_NEEDED,
};

static void emit(struct discover *d, enum disc_source s, enum ms_discover_event ev,
                 const char *detail)
{
	if (d->obs && d->obs->discover)
		d->obs->discover(d->obs->ctx, disc_source_id(s), disc_source_label(s), ev, detail);
}

void disc_source_done(struct discover *d, enum disc_source s, enum disc_status st, const char *fmt,
                      ...)
{
	struct disc_source_report *r = &d->res->src[s];
	if (r->status != DSTAT_RUNNING)
		return;
	r->status = st;
	r->ms = (int)(loop_now_ms() - d->run[s].t0);
	char raw[sizeof r->detail];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	char *e = escape_display_str(raw);
	snprintf(r->detail, sizeof r->detail, "%s", e);
	free(e);
	if (d->run[s].timer)
		loop_del(d->loop, d->run[s].timer);
	d->run[s].timer = 0;
	emit(d, s, event_of[st], r->detail);
	disc_advance(d);
}

static void on_source_timeout(void *arg, int revents)
{
	void **pair = arg; /* { d, source }, see disc_rearm */
	struct discover *d = pair[0];
	enum disc_source s = (enum disc_source)(intptr_t)pair[1];
	const struct disc_source_def *def = &disc_sources[s];
	loop_del(d->loop, d->run[s].timer);
	d->run[s].timer = 0;
	disc_source_done(d, s, DSTAT_TIMEOUT, _("no answer within %d s"), def->timeout_ms / 1000);
}

void disc_rearm(struct discover *d, enum disc_source s, int ms)
{
	void **pair = disc_alloc(d, 2 * sizeof(void *));
	pair[0] = d;
	pair[1] = (void *)(intptr_t)s;
	if (d->run[s].timer)
		loop_del(d->loop, d->run[s].timer);
	d->run[s].timer = loop_add(d->loop, -1, 0, loop_now_ms() + ms, on_source_timeout, pair);
}

/* ---- candidates ---------------------------------------------------------- */

struct disc_candidate *disc_add(struct discover *d, enum disc_source s, int order,
                                enum ms_proto proto, const char *host, uint16_t port,
                                enum ms_security sec, const char *username, const char *via)
{
	struct disc_result *r = d->res;
	for (size_t i = 0; i < r->n; i++) {
		struct disc_candidate *c = &r->v[i];
		if (c->proto == proto && c->port == port && c->security == sec &&
		    strcasecmp(c->host, host) == 0) {
			c->sources |= 1u << s;
			if (s < c->best) {
				c->best = s;
				c->order = order;
				free(c->via);
				c->via = xstrdup(via ? via : "");
				if (username && *username) {
					free(c->username);
					c->username = xstrdup(username);
				}
			}
			return c;
		}
	}
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	struct disc_candidate *c = &r->v[r->n++];
	memset(c, 0, sizeof *c);
	c->proto = proto;
	c->host = xstrdup(host);
	c->port = port;
	c->security = sec;
	c->username = xstrdup(username ? username : "");
	c->sources = 1u << s;
	c->best = s;
	c->order = order;
	c->via = xstrdup(via ? via : "");
	return c;
}

void disc_add_config(struct discover *d, enum disc_source s, const struct ac_config *c,
                     const char *via)
{
	const char *url = c->doc_url ? c->doc_url : c->enable_url;
	const char *text = c->doc_url ? c->doc_text : c->enable_text;
	for (size_t i = 0; i < c->n; i++) {
		struct disc_candidate *k =
		    disc_add(d, s, (int)i, c->v[i].proto, c->v[i].host, c->v[i].port,
		             c->v[i].security, c->v[i].username, via);
		/* The most trusted file that names the server speaks for it. */
		if (k->best != s || (k->nauth && k->order != (int)i))
			continue;
		memcpy(k->auth, c->v[i].auth, sizeof k->auth);
		k->nauth = c->v[i].nauth;
		free(k->doc_url), free(k->doc_text);
		k->doc_url = url ? xstrdup(url) : NULL;
		k->doc_text = url && text ? xstrdup(text) : NULL;
	}
}

const char *disc_unverified_id(enum disc_unverified w)
{
	/* N_(): stable English in JSON, translated where people read it. */
	static const char *const ids[] = {"", N_("not tested"), N_("unreachable"),
	                                  N_("login not tried"), N_("test failed")};
	return ids[w];
}

/* What a provider's method word means for a server's SASL list. */
static bool file_says(const struct disc_candidate *c, const char *word)
{
	for (size_t i = 0; i < c->nauth; i++)
		if (strcasecmp(c->auth[i], word) == 0)
			return true;
	return false;
}

bool disc_provider(const struct disc_candidate *c, struct diag_provider *out)
{
	if (!c->nauth)
		return false;
	out->oauth2 = file_says(c, "OAuth2");
	out->password = file_says(c, "password-cleartext") || file_says(c, "password-encrypted");
	out->doc_url = c->doc_url;
	out->doc_text = c->doc_text;
	return true;
}

char *disc_auth_note(const struct disc_candidate *c)
{
	const struct probe_result *r = c->probe;
	if (!c->nauth || !r || !r->caps.known || !r->tls.handshake_done)
		return NULL;
	const struct caps *k = &r->caps;
	bool srv_oauth = caps_has_auth(k, "XOAUTH2") || caps_has_auth(k, "OAUTHBEARER");
	/* IMAP's LOGIN command and POP3's USER/PASS carry a password
	 * without SASL. */
	bool srv_password = caps_has_auth(k, "PLAIN") || caps_has_auth(k, "LOGIN") ||
	                    caps_has_auth(k, "CRAM-MD5") ||
	                    (r->proto == PROTO_IMAP && !k->login_disabled) ||
	                    (r->proto == PROTO_POP3 && k->user);
	bool file_password =
	    file_says(c, "password-cleartext") || file_says(c, "password-encrypted");
	bool file_oauth = file_says(c, "OAuth2");
	if (file_password && !srv_password && srv_oauth)
		return xstrdup(_("the provider's configuration offers a password login, but the "
		                 "server takes only OAuth2 here"));
	if (file_password && !srv_password && !srv_oauth && k->nauth)
		return xstrdup(_("the provider's configuration offers a password login, but the "
		                 "server offers no password mechanism here"));
	if (file_oauth && !srv_oauth && k->nauth)
		return xstrdup(_("the provider's configuration offers OAuth2, but the server "
		                 "does not (no XOAUTH2 or OAUTHBEARER)"));
	if (!file_oauth && !file_password && srv_password)
		return xstrdup(_("the provider's configuration names no password login, but the "
		                 "server takes passwords"));
	return NULL;
}

static bool prefer_pop3_for_sort;

static int rank_of(const struct disc_candidate *c, int *dir, int *proto)
{
	*dir = c->proto == PROTO_SMTP;
	*proto = c->proto == PROTO_POP3   ? !prefer_pop3_for_sort
	         : c->proto == PROTO_IMAP ? prefer_pop3_for_sort
	                                  : 0;
	return c->security == SEC_TLS ? 0 : c->security == SEC_STARTTLS ? 1 : 2;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct disc_candidate *x = a, *y = b;
	int dx, dy, px, py;
	int sx = rank_of(x, &dx, &px), sy = rank_of(y, &dy, &py);
	if (dx != dy)
		return dx - dy;
	if (px != py)
		return px - py;
	if (sx != sy)
		return sx - sy;
	if (x->best != y->best)
		return (int)x->best - (int)y->best;
	if (x->order != y->order)
		return x->order - y->order;
	if (x->port != y->port)
		return (int)x->port - (int)y->port;
	return strcmp(x->host, y->host);
}

/* ---- the end of the sources phase -------------------------------------- */

static void verify_start(void *arg, int revents);

static void schedule(struct discover *d, loop_fn fn)
{
	if (d->step_watch)
		loop_del(d->loop, d->step_watch);
	d->step_watch = loop_add(d->loop, -1, 0, loop_now_ms(), fn, d);
}

void disc_advance(struct discover *d)
{
	if (d->phase != PH_SOURCES)
		return;
	if (d->advancing) {
		d->advance_again = true;
		return;
	}
	d->advancing = true;
	do {
		d->advance_again = false;
		struct disc_source_report *src = d->res->src;
		int best = -1;
		for (int i = 0; i < DSRC_COUNT && best < 0; i++)
			if (src[i].status == DSTAT_ANSWERED)
				best = i;
		if (best >= 0) {
			bool above_done = true;
			for (int i = 0; i < best; i++)
				if (src[i].status == DSTAT_RUNNING)
					above_done = false;
			if (!above_done)
				continue;
			for (int i = best + 1; i < DSRC_COUNT; i++)
				disc_source_done(d, (enum disc_source)i, DSTAT_NOT_NEEDED, "%s",
				                 _("a more trusted source answered"));
			d->phase = PH_VERIFY;
			break;
		}
		bool others_done = true, all_done = true;
		for (int i = 0; i < DSRC_COUNT; i++)
			if (src[i].status == DSTAT_RUNNING) {
				all_done = false;
				if (i != DSRC_GUESS)
					others_done = false;
			}
		if (all_done) {
			d->phase = PH_VERIFY;
			break;
		}
		if (others_done)
			disc_guess_go(d);
	} while (d->advance_again);
	d->advancing = false;
	if (d->phase == PH_VERIFY)
		schedule(d, verify_start);
}

/* ---- live verification --------------------------------------------------- */

struct vjob {
	struct discover *d;
	size_t idx; /* into res->v, stable: the array no longer changes */
	struct probe_request req;
	struct conn_addr *addrs;
	char *user;
	struct probe *probe; /* while it runs */
	struct vjob *next;
};

static void finish(void *arg, int revents);

static void verify_one_done(struct discover *d)
{
	if (--d->verify_pending == 0)
		schedule(d, finish);
}

static void on_probe(void *arg, struct probe_result *r)
{
	struct vjob *j = arg;
	struct disc_candidate *c = &j->d->res->v[j->idx];
	j->probe = NULL;
	c->tested = true;
	c->verified = r->ok;
	c->probe = r;
	if (!r->ok) {
		c->problem = xstrdup(r->err.msg);
		switch (r->cause) {
		case DIAG_DNS_FAILURE:
		case DIAG_CONNECTION_REFUSED:
		case DIAG_CONNECTION_TIMEOUT:
			c->why = DUNV_UNREACHABLE;
			break;
		case DIAG_OAUTH_ONLY:
		case DIAG_NO_AUTH_MECHANISM:
		case DIAG_LOGIN_DISABLED:
			c->why = r->tls.handshake_done ? DUNV_LOGIN_NOT_TRIED : DUNV_FAILED;
			break;
		default:
			c->why = r->cancelled ? DUNV_NOT_TESTED : DUNV_FAILED;
			break;
		}
	}
	verify_one_done(j->d);
}

static void on_verify_addrs(void *arg, const struct ms_err *err, const struct conn_addr *v,
                            size_t n)
{
	struct vjob *j = arg;
	struct discover *d = j->d;
	struct disc_candidate *c = &d->res->v[j->idx];
	if (err || n == 0) {
		c->tested = true;
		c->problem = err ? xstrdup(err->msg) : xasprintf(_("%s does not resolve"), c->host);
		c->why = DUNV_UNREACHABLE;
		verify_one_done(d);
		return;
	}
	j->addrs = disc_alloc(d, n * sizeof *v);
	memcpy(j->addrs, v, n * sizeof *v);
	struct probe_request *q = &j->req;
	q->host = c->host;
	q->port = c->port;
	q->proto = c->proto;
	q->security = c->security;
	q->addrs = j->addrs;
	q->naddrs = n;
	q->tls_ctx = d->opt.tls_ctx;
	q->timeout_ms = d->opt.probe_timeout_ms;
	q->allow_plaintext = d->opt.allow_plaintext;
	if (d->opt.password) {
		const char *u = d->opt.user    ? d->opt.user
		                : *c->username ? c->username
		                               : d->res->address;
		j->user = disc_alloc(d, strlen(u) + 1);
		memcpy(j->user, u, strlen(u) + 1);
		q->user = j->user;
		q->password = d->opt.password;
		q->login = true;
	}
	/* NULL when on_probe already ran (an immediate failure). */
	struct probe *p = probe_start(d->loop, q, d->obs, on_probe, j);
	if (p)
		j->probe = p;
}

static void verify_start(void *arg, int revents)
{
	struct discover *d = arg;
	loop_del(d->loop, d->step_watch);
	d->step_watch = 0;
	struct disc_result *r = d->res;
	prefer_pop3_for_sort = d->opt.prefer_pop3;
	if (r->n) /* qsort(NULL, 0, ...) is undefined */
		qsort(r->v, r->n, sizeof *r->v, cand_cmp);
	int per_dir[2] = {0, 0};
	d->verify_pending = 1; /* held until every job is started */
	for (size_t i = 0; i < r->n; i++) {
		struct disc_candidate *c = &r->v[i];
		int dir = c->proto == PROTO_SMTP;
		if (c->tested)
			continue;
		if (c->security == SEC_PLAIN && !d->opt.allow_plaintext) {
			c->problem = xstrdup(_("plaintext, not tried (use --allow-plaintext)"));
			continue;
		}
		if (per_dir[dir] >= DISCOVER_VERIFY_MAX) {
			c->problem = xstrdup(_("not tested: better candidates were tested"));
			continue;
		}
		per_dir[dir]++;
		struct vjob *j = disc_alloc(d, sizeof *j);
		j->d = d;
		j->idx = i;
		j->next = d->vjobs;
		d->vjobs = j;
		d->verify_pending++;
		dns_addrs(d->dns, c->host, c->port, on_verify_addrs, j);
	}
	verify_one_done(d);
}

static void finish(void *arg, int revents)
{
	struct discover *d = arg;
	loop_del(d->loop, d->step_watch);
	d->step_watch = 0;
	d->phase = PH_DONE;
	struct disc_result *r = d->res;
	r->incoming = r->outgoing = -1;
	for (size_t i = 0; i < r->n; i++) {
		struct disc_candidate *c = &r->v[i];
		if (!c->verified && c->why == DUNV_NONE)
			c->why = DUNV_NOT_TESTED;
		int *slot = c->proto == PROTO_SMTP ? &r->outgoing : &r->incoming;
		if (c->verified && *slot < 0 &&
		    (c->security != SEC_PLAIN || d->opt.allow_plaintext))
			*slot = (int)i;
	}
	/* Nothing verified in a direction: the best-ranked usable candidate
	 * is still the provider's answer, recommended as not verified - one
	 * that could not be tried before one whose test failed. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->n; i++) {
			struct disc_candidate *c = &r->v[i];
			int *slot = c->proto == PROTO_SMTP ? &r->outgoing : &r->incoming;
			if (*slot < 0 && (c->security != SEC_PLAIN || d->opt.allow_plaintext) &&
			    (pass == 1 || c->why != DUNV_FAILED))
				*slot = (int)i;
		}
	r->total_ms = (int)(loop_now_ms() - d->t0);
	for (int s = 0; s < DSRC_COUNT; s++)
		if (d->run[s].timer)
			loop_del(d->loop, d->run[s].timer);
	disc_guess_free(d);
	dns_free(d->dns); /* before http_free: see http.h */
	http_free(d->http);
	for (size_t i = 0; i < d->nallocs; i++) {
		if (d->allocs[i].fn)
			d->allocs[i].fn(d->allocs[i].p);
		free(d->allocs[i].p);
	}
	free(d->allocs);
	discover_done_fn done = d->done;
	void *darg = d->arg;
	free(d);
	done(darg, r);
}

/* ---- start --------------------------------------------------------------- */

struct discover *discover_start(struct loop *loop, const struct disc_options *opt,
                                const struct ms_observer *obs, discover_done_fn done, void *arg,
                                struct ms_err *err)
{
	char *local, *domain;
	if (!discover_address(opt->address, &local, &domain, err))
		return NULL;
	struct discover *d = xcalloc(1, sizeof *d);
	d->loop = loop;
	d->opt = *opt;
	d->obs = obs;
	d->done = done;
	d->arg = arg;
	d->dns = dns_new(loop, opt->dns_server, opt->overrides, err);
	if (d->dns)
		d->http = http_new(loop, d->dns, opt->cafile, opt->allow_http, err);
	if (!d->http) {
		dns_free(d->dns);
		free(local), free(domain), free(d);
		return NULL;
	}
	struct disc_result *r = xcalloc(1, sizeof *r);
	r->local = local;
	r->domain = domain;
	r->address = xasprintf("%s@%s", local, domain);
	r->incoming = r->outgoing = -1;
	d->res = r;
	d->t0 = loop_now_ms();
	for (int s = 0; s < DSRC_COUNT; s++) {
		r->src[s].status = DSTAT_RUNNING;
		d->run[s].t0 = d->t0;
		emit(d, (enum disc_source)s, DISCOVER_STARTED, "");
	}
	/* Clocks first, then the work: a source that answers at once must
	 * not find a later source still "waiting". */
	for (int s = 0; s < DSRC_COUNT; s++)
		if (s != DSRC_GUESS) /* guessing's clock starts when it probes */
			disc_rearm(d, (enum disc_source)s, disc_sources[s].timeout_ms);
	for (int s = 0; s < DSRC_COUNT && d->phase == PH_SOURCES; s++)
		if (disc_running(d, (enum disc_source)s))
			disc_sources[s].start(d);
	return d;
}

void discover_cancel(struct discover *d)
{
	if (d->phase == PH_DONE)
		return;
	d->phase = PH_DONE; /* disc_advance does nothing from here on */
	for (int s = 0; s < DSRC_COUNT; s++)
		disc_source_done(d, (enum disc_source)s, DSTAT_ERROR, "%s", _("cancelled"));
	for (struct vjob *j = d->vjobs; j; j = j->next)
		if (j->probe)
			probe_cancel(j->probe, DIAG_NONE, _("cancelled")); /* runs on_probe */
	/* The rest (lookups, fetches, guessing probes, timers) ends in finish(),
	 * which calls done() before this returns. */
	finish(d, 0);
}

void disc_result_free(struct disc_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct disc_candidate *c = &r->v[i];
		free(c->host);
		free(c->username);
		free(c->via);
		free(c->problem);
		free(c->doc_url);
		free(c->doc_text);
		if (c->probe)
			probe_result_free(c->probe);
	}
	free(r->v);
	free(r->address);
	free(r->local);
	free(r->domain);
	free(r);
}
