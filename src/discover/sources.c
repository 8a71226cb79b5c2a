/* sources.c - the discovery sources as one const table, and each source.
 *
 * Order is trust (DESIGN.md "Discovery"); timeouts are per source, from
 * its start.  Why these numbers:
 *  - provider files are local: anything slower than a second is broken;
 *  - one HTTPS fetch is a DNS lookup (DNS_TRIES x DNS_TRY_TIMEOUT_MS = 4 s
 *    at worst), a TLS handshake and a few kilobytes: 10 s lets a slow
 *    link finish and still bounds a black-holed autoconfig host;
 *  - MX is a lookup, then HTTPS on top: 14 s;
 *  - SRV is DNS only: 6 s covers both tries with margin;
 *  - guessing probes servers, and its clock starts only when it starts
 *    probing (GUESS_PROBE_TIMEOUT_MS per step): 20 s. */
#include "config.h"

#include "discover/internal.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GUESS_PROBE_TIMEOUT_MS 5000

static void start_provider_file(struct discover *d);
static void start_autoconfig(struct discover *d);
static void start_well_known(struct discover *d);
static void start_ispdb(struct discover *d);
static void start_mx(struct discover *d);
static void start_srv(struct discover *d);
static void start_guess(struct discover *d);

const struct disc_source_def disc_sources[DSRC_COUNT] = {
    {DSRC_PROVIDER_FILE, "provider-file", N_("provider file"), 1000, start_provider_file},
    {DSRC_AUTOCONFIG, "autoconfig", N_("autoconfig"), 10000, start_autoconfig},
    {DSRC_WELL_KNOWN, "well-known", N_("well-known URL"), 10000, start_well_known},
    {DSRC_ISPDB, "ispdb", N_("ISPDB"), 10000, start_ispdb},
    {DSRC_MX, "mx", N_("MX"), 14000, start_mx},
    {DSRC_SRV, "srv", N_("DNS SRV"), 6000, start_srv},
    {DSRC_GUESS, "guess", N_("guessing"), 20000, start_guess},
};

/* ---- provider files ------------------------------------------------------ */

const char *const *discover_default_isp_dirs(void)
{
	static char user[4096];
	static const char *dirs[3];
	if (!dirs[0]) {
		const char *xdg = getenv("XDG_CONFIG_HOME");
		const char *home = getenv("HOME");
		dirs[0] = PKGDATADIR "/isp";
		if (xdg && *xdg == '/')
			snprintf(user, sizeof user, "%s/mailsetup/isp", xdg);
		else if (home && *home)
			snprintf(user, sizeof user, "%s/.config/mailsetup/isp", home);
		dirs[1] = user[0] ? user : NULL;
	}
	return dirs;
}

/* read_small: the whole of a regular file of at most max bytes. */
static bool read_small(const char *path, size_t max, struct buf *out, struct ms_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			err_set(err, ERR_LOCAL, _("cannot read %s: %s"), path, strerror(errno));
		return false;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		err_set(err, ERR_LOCAL, _("%s is not a regular file of at most %zu bytes"), path,
		        max);
		close(fd);
		return false;
	}
	char chunk[8192];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) > 0 && out->len + (size_t)n <= max)
		buf_add(out, chunk, (size_t)n);
	close(fd);
	if (n != 0) {
		err_set(err, ERR_LOCAL, _("cannot read %s"), path);
		return false;
	}
	return true;
}

bool disc_local_lookup(struct discover *d, const char *domain, struct ac_config *c, char **path,
                       struct ms_err *err)
{
	const char *const *dirs = d->opt.isp_dirs ? d->opt.isp_dirs : discover_default_isp_dirs();
	size_t nd = 0;
	while (dirs[nd])
		nd++;
	for (size_t i = nd; i-- > 0;) { /* the user's directory (last) wins */
		char *p = xasprintf("%s/%s.xml", dirs[i], domain);
		struct buf b = {0};
		if (read_small(p, AUTOCONFIG_MAX_BYTES, &b, err) &&
		    autoconfig_parse(b.data ? b.data : "", b.len, d->res->local, d->res->domain, c,
		                     err)) {
			buf_free(&b);
			if (c->n) {
				*path = p;
				return true;
			}
			autoconfig_free(c);
		}
		buf_free(&b);
		free(p);
	}
	return false;
}

static void start_provider_file(struct discover *d)
{
	struct ac_config c;
	char *path;
	struct ms_err err;
	err_clear(&err);
	if (disc_local_lookup(d, d->res->domain, &c, &path, &err)) {
		disc_add_config(d, DSRC_PROVIDER_FILE, &c, path);
		disc_source_done(d, DSRC_PROVIDER_FILE, DSTAT_ANSWERED, "%s", path);
		autoconfig_free(&c);
		free(path);
	} else if (err.cat != ERR_NONE) {
		disc_source_done(d, DSRC_PROVIDER_FILE, DSTAT_ERROR, "%s", err.msg);
	} else {
		disc_source_done(d, DSRC_PROVIDER_FILE, DSTAT_NOTHING, _("no file for %s"),
		                 d->res->domain);
	}
}

/* ---- fetch sets: several autoconfig documents, the first good wins ----- */

#define FETCH_MAX 8

struct fetch_item {
	struct fetchset *fs;
	char *url; /* NULL for a local file item */
	char *via; /* provenance shown to a person */
	bool done, ok, error;
	struct ac_config cfg;
	char why[ERR_MSG_MAX + 256];
};

struct fetchset {
	struct discover *d;
	enum disc_source src;
	int pending;
	size_t n;
	struct fetch_item it[FETCH_MAX];
};

static void fetchset_dtor(void *p)
{
	struct fetchset *fs = p;
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->it[i].url);
		free(fs->it[i].via);
		autoconfig_free(&fs->it[i].cfg);
	}
}

static struct fetchset *fetchset_new(struct discover *d, enum disc_source src)
{
	struct fetchset *fs = disc_alloc_dtor(d, sizeof *fs, fetchset_dtor);
	fs->d = d;
	fs->src = src;
	fs->pending = 1; /* held by the caller until fetchset_go */
	return fs;
}

static void fetchset_finish(struct fetchset *fs)
{
	struct discover *d = fs->d;
	if (!disc_running(d, fs->src))
		return;
	for (size_t i = 0; i < fs->n; i++)
		if (fs->it[i].ok) {
			disc_add_config(d, fs->src, &fs->it[i].cfg, fs->it[i].via);
			disc_source_done(d, fs->src, DSTAT_ANSWERED, "%s", fs->it[i].via);
			return;
		}
	for (size_t i = 0; i < fs->n; i++)
		if (fs->it[i].error) {
			disc_source_done(d, fs->src, DSTAT_ERROR, "%s", fs->it[i].why);
			return;
		}
	disc_source_done(d, fs->src, DSTAT_NOTHING, "%s", fs->n ? fs->it[0].why : "");
}

static void fetchset_unhold(struct fetchset *fs)
{
	if (--fs->pending == 0)
		fetchset_finish(fs);
}

static void on_fetched(void *arg, const struct http_result *r)
{
	struct fetch_item *it = arg;
	struct fetchset *fs = it->fs;
	struct discover *d = fs->d;
	it->done = true;
	if (!disc_running(d, fs->src)) {
		fetchset_unhold(fs);
		return;
	}
	if (!r->ok) {
		/* No name, no web server, or 4xx: there is simply no file here.
		 * Anything else (certificate, TLS, 5xx, size, redirect loop) is
		 * an error worth showing. */
		bool nothing = r->err.cat == ERR_DNS || r->err.cat == ERR_REFUSED ||
		               (r->status >= 400 && r->status < 500);
		it->error = !nothing;
		snprintf(it->why, sizeof it->why, "%s", r->err.msg);
	} else {
		struct ms_err err;
		err_clear(&err);
		if (!autoconfig_parse(r->body, r->len, d->res->local, d->res->domain, &it->cfg,
		                      &err)) {
			it->error = true;
			snprintf(it->why, sizeof it->why, "%s: %s", r->url, err.msg);
		} else if (it->cfg.n == 0) {
			snprintf(it->why, sizeof it->why, _("%s names no usable server"), r->url);
		} else {
			it->ok = true;
		}
	}
	fetchset_unhold(fs);
}

/* fetchset_url: queue one URL; via describes it for people. */
static void fetchset_url(struct fetchset *fs, const char *url, const char *via)
{
	if (fs->n == FETCH_MAX)
		return;
	struct fetch_item *it = &fs->it[fs->n++];
	it->fs = fs;
	it->url = xstrdup(url);
	it->via = xstrdup(via ? via : url);
	fs->pending++;
	http_get(fs->d->http, url, disc_sources[fs->src].timeout_ms, on_fetched, it);
}

static void fetchset_local(struct fetchset *fs, const char *domain, const char *via_prefix)
{
	if (fs->n == FETCH_MAX)
		return;
	struct fetch_item *it = &fs->it[fs->n++];
	it->fs = fs;
	it->done = true;
	char *path = NULL;
	struct ms_err err;
	err_clear(&err);
	if (disc_local_lookup(fs->d, domain, &it->cfg, &path, &err)) {
		it->ok = true;
		it->via = xasprintf("%s (%s)", via_prefix, path);
		free(path);
	} else {
		it->via = xstrdup("");
		snprintf(it->why, sizeof it->why, _("no provider file for %s"), domain);
	}
}

static char *address_escaped(struct discover *d)
{
	return http_escape(d->res->address);
}

/* The domain's own autoconfig host; http too when allowed (Thunderbird
 * does the same, and the CLI warns). */
static void add_autoconfig_urls(struct fetchset *fs, const char *domain, const char *via_prefix)
{
	char *addr = address_escaped(fs->d);
	char *url =
	    xasprintf("https://autoconfig.%s/mail/config-v1.1.xml?emailaddress=%s", domain, addr);
	char *via = via_prefix ? xasprintf("%s (%s)", via_prefix, url) : NULL;
	fetchset_url(fs, url, via);
	free(url), free(via);
	if (fs->d->opt.allow_http) {
		url = xasprintf("http://autoconfig.%s/mail/config-v1.1.xml?emailaddress=%s", domain,
		                addr);
		via = via_prefix ? xasprintf("%s (%s)", via_prefix, url) : NULL;
		fetchset_url(fs, url, via);
		free(url), free(via);
	}
	free(addr);
}

static void add_well_known_urls(struct fetchset *fs, const char *domain, const char *via_prefix)
{
	static const char *const schemes[] = {"https", "http"};
	for (int i = 0; i < (fs->d->opt.allow_http ? 2 : 1); i++) {
		char *url = xasprintf("%s://%s/.well-known/autoconfig/mail/config-v1.1.xml",
		                      schemes[i], domain);
		char *via = via_prefix ? xasprintf("%s (%s)", via_prefix, url) : NULL;
		fetchset_url(fs, url, via);
		free(url), free(via);
	}
}

static void add_ispdb_url(struct fetchset *fs, const char *domain, const char *via_prefix)
{
	const char *base = fs->d->opt.ispdb_url ? fs->d->opt.ispdb_url : DISCOVER_DEFAULT_ISPDB;
	size_t bl = strlen(base);
	char *url = xasprintf("%s%s%s", base, bl && base[bl - 1] == '/' ? "" : "/", domain);
	char *via = via_prefix ? xasprintf("%s (%s)", via_prefix, url) : NULL;
	fetchset_url(fs, url, via);
	free(url), free(via);
}

static void start_autoconfig(struct discover *d)
{
	struct fetchset *fs = fetchset_new(d, DSRC_AUTOCONFIG);
	add_autoconfig_urls(fs, d->res->domain, NULL);
	fetchset_unhold(fs);
}

static void start_well_known(struct discover *d)
{
	struct fetchset *fs = fetchset_new(d, DSRC_WELL_KNOWN);
	add_well_known_urls(fs, d->res->domain, NULL);
	fetchset_unhold(fs);
}

static void start_ispdb(struct discover *d)
{
	struct fetchset *fs = fetchset_new(d, DSRC_ISPDB);
	add_ispdb_url(fs, d->res->domain, NULL);
	fetchset_unhold(fs);
}

/* ---- MX ------------------------------------------------------------------ */

static void on_mx(void *arg, const struct ms_err *err, const char *host)
{
	struct discover *d = arg;
	if (!disc_running(d, DSRC_MX))
		return;
	if (err) {
		disc_source_done(d, DSRC_MX, DSTAT_ERROR, "%s", err->msg);
		return;
	}
	if (!host) {
		disc_source_done(d, DSRC_MX, DSTAT_NOTHING, _("%s has no MX record"),
		                 d->res->domain);
		return;
	}
	if (!autoconfig_host_ok(host)) {
		disc_source_done(d, DSRC_MX, DSTAT_ERROR, "%s",
		                 _("the MX record names an invalid host"));
		return;
	}
	char *parents[2];
	size_t np = discover_parents(host, d->res->domain, parents);
	if (np == 0) {
		disc_source_done(d, DSRC_MX, DSTAT_NOTHING, _("MX %s is within %s itself"), host,
		                 d->res->domain);
		return;
	}
	struct fetchset *fs = fetchset_new(d, DSRC_MX);
	for (size_t i = 0; i < np; i++) {
		/* TRANSLATORS: "MX mx1.example.net -> example.net"; where the
		 * settings came from (a file or a URL) follows in parentheses. */
		char *fmt = xasprintf(_("MX %s -> %s"), host, parents[i]);
		fetchset_local(fs, parents[i], fmt);
		add_autoconfig_urls(fs, parents[i], fmt);
		add_well_known_urls(fs, parents[i], fmt);
		add_ispdb_url(fs, parents[i], fmt);
		free(fmt);
		free(parents[i]);
	}
	fetchset_unhold(fs);
}

static void start_mx(struct discover *d)
{
	dns_mx(d->dns, d->res->domain, on_mx, d);
}

/* ---- SRV (RFC 6186, RFC 8314) ------------------------------------------- */

static const struct {
	const char *label;
	enum ms_proto proto;
	enum ms_security sec;
} srv_services[] = {
    {"_imaps._tcp", PROTO_IMAP, SEC_TLS},
    {"_imap._tcp", PROTO_IMAP, SEC_STARTTLS}, /* RFC 6186: STARTTLS is required of us */
    {"_pop3s._tcp", PROTO_POP3, SEC_TLS},
    {"_pop3._tcp", PROTO_POP3, SEC_STARTTLS},
    {"_submissions._tcp", PROTO_SMTP, SEC_TLS}, /* RFC 8314 */
    {"_submission._tcp", PROTO_SMTP, SEC_STARTTLS},
};
#define NSRV (sizeof srv_services / sizeof srv_services[0])

struct srv_state {
	struct discover *d;
	int pending;
	int found, errors, refused;
	char first_error[ERR_MSG_MAX + 64];
	struct buf summary;
};

struct srv_op {
	struct srv_state *st;
	size_t svc;
};

static void srv_dtor(void *p)
{
	struct srv_state *st = p;
	buf_free(&st->summary);
}

static void on_srv(void *arg, const struct ms_err *err, const struct dns_srv *v, size_t n)
{
	struct srv_op *op = arg;
	struct srv_state *st = op->st;
	struct discover *d = st->d;
	st->pending--;
	if (!disc_running(d, DSRC_SRV))
		return;
	const char *label = srv_services[op->svc].label;
	if (err) {
		if (!st->errors++)
			snprintf(st->first_error, sizeof st->first_error, "%s: %s", label,
			         err->msg);
	} else if (n == 1 && strcmp(v[0].target, ".") == 0) {
		/* RFC 2782/6186: "." means the service is decidedly not offered. */
		st->refused++;
		buf_addf(&st->summary, "%s%s %s", st->summary.len ? ", " : "", label,
		         _("not offered"));
	}
	for (size_t i = 0; !err && i < n; i++) {
		char host[256];
		snprintf(host, sizeof host, "%s", v[i].target);
		size_t hl = strlen(host);
		if (hl && host[hl - 1] == '.')
			host[hl - 1] = '\0';
		if (strcmp(v[i].target, ".") == 0 || !autoconfig_host_ok(host) || v[i].port == 0)
			continue;
		char *via = xasprintf("%s.%s", label, d->res->domain);
		disc_add(d, DSRC_SRV, (int)(op->svc * 100 + i), srv_services[op->svc].proto, host,
		         v[i].port, srv_services[op->svc].sec, "", via);
		free(via);
		if (i == 0)
			buf_addf(&st->summary, "%s%s -> %s:%u", st->summary.len ? ", " : "", label,
			         host, (unsigned)v[i].port);
		st->found++;
	}
	if (st->pending)
		return;
	if (st->found)
		disc_source_done(d, DSRC_SRV, DSTAT_ANSWERED, "%s", st->summary.data);
	else if (st->errors == (int)NSRV)
		disc_source_done(d, DSRC_SRV, DSTAT_ERROR, "%s", st->first_error);
	else if (st->refused)
		disc_source_done(d, DSRC_SRV, DSTAT_NOTHING, "%s", st->summary.data);
	else
		disc_source_done(d, DSRC_SRV, DSTAT_NOTHING, _("no SRV records for %s"),
		                 d->res->domain);
}

static void start_srv(struct discover *d)
{
	struct srv_state *st = disc_alloc_dtor(d, sizeof *st, srv_dtor);
	st->d = d;
	st->pending = (int)NSRV;
	for (size_t i = 0; i < NSRV; i++) {
		struct srv_op *op = disc_alloc(d, sizeof *op);
		op->st = st;
		op->svc = i;
		char *name = xasprintf("%s.%s", srv_services[i].label, d->res->domain);
		dns_srv(d->dns, name, on_srv, op);
		free(name);
	}
}

/* ---- guessing ------------------------------------------------------------ */

/* Which services each guessed name is tried for. */
static const struct {
	const char *prefix;
	unsigned protos; /* bit per enum ms_proto */
} guess_names[] = {
    {"imap.", 1u << PROTO_IMAP}, {"pop3.", 1u << PROTO_POP3},
    {"pop.", 1u << PROTO_POP3},  {"mail.", 7u},
    {"smtp.", 1u << PROTO_SMTP}, {"", 7u},
};
#define GUESS_MAX 24

struct guess_item {
	struct guess_state *g;
	char host[300];
	enum ms_proto proto;
	enum ms_security sec;
	uint16_t port;
	int order;
	bool looked_up, probing;
	struct conn_addr *addrs;
	size_t naddrs;
	struct probe_request req;
	struct probe *probe; /* while it runs */
};

/* Shared by the discovery and each running guessing probe (refs): a probe's
 * callback may still run while disc_guess_free() cancels it. */
struct guess_state {
	struct discover *d; /* NULL once the discovery ended */
	int refs;
	bool go;
	int lookups, probes, found;
	size_t n;
	struct guess_item it[GUESS_MAX];
};

static void guess_unref(struct guess_state *g)
{
	if (--g->refs > 0)
		return;
	for (size_t i = 0; i < g->n; i++)
		free(g->it[i].addrs);
	free(g);
}

static void guess_check(struct guess_state *g)
{
	struct discover *d = g->d;
	if (!d || !g->go || g->lookups || g->probes || !disc_running(d, DSRC_GUESS))
		return;
	if (g->found)
		disc_source_done(d, DSRC_GUESS, DSTAT_ANSWERED, _("%d guessed servers answered"),
		                 g->found);
	else
		disc_source_done(d, DSRC_GUESS, DSTAT_NOTHING,
		                 _("no server answered at the usual names of %s"), d->res->domain);
}

static void on_guess_probe(void *arg, struct probe_result *r)
{
	struct guess_item *it = arg;
	struct guess_state *g = it->g;
	it->probe = NULL;
	g->probes--;
	struct discover *d = g->d;
	if (d && r->ok && disc_running(d, DSRC_GUESS)) {
		struct disc_candidate *c = disc_add(d, DSRC_GUESS, it->order, it->proto, it->host,
		                                    it->port, it->sec, "", _("guessed, answered"));
		if (!c->probe) {
			c->tested = c->verified = true;
			c->probe = r;
			r = NULL;
		}
		g->found++;
	}
	if (r)
		probe_result_free(r);
	guess_check(g);
	guess_unref(g);
}

static void guess_probe(struct guess_item *it)
{
	struct guess_state *g = it->g;
	struct discover *d = g->d;
	if (!it->looked_up || !it->naddrs || it->probing)
		return;
	it->probing = true;
	struct probe_request *q = &it->req;
	q->host = it->host;
	q->port = it->port;
	q->proto = it->proto;
	q->security = it->sec;
	q->addrs = it->addrs;
	q->naddrs = it->naddrs;
	q->tls_ctx = d->opt.tls_ctx;
	int t = d->opt.probe_timeout_ms ? d->opt.probe_timeout_ms : PROBE_DEFAULT_TIMEOUT_MS;
	q->timeout_ms = t < GUESS_PROBE_TIMEOUT_MS ? t : GUESS_PROBE_TIMEOUT_MS;
	g->probes++;
	g->refs++;
	/* NULL when on_guess_probe already ran (an immediate failure). */
	struct probe *p = probe_start(d->loop, q, d->obs, on_guess_probe, it);
	if (p)
		it->probe = p;
}

static void on_guess_addrs(void *arg, const struct ms_err *err, const struct conn_addr *v, size_t n)
{
	struct guess_item *it = arg;
	struct guess_state *g = it->g;
	g->lookups--;
	it->looked_up = true;
	if (!err && n) {
		it->addrs = xmalloc(n * sizeof *v);
		memcpy(it->addrs, v, n * sizeof *v);
		it->naddrs = n;
	}
	if (!g->d)
		return;
	if (g->go && disc_running(g->d, DSRC_GUESS))
		guess_probe(it);
	guess_check(g);
}

static void start_guess(struct discover *d)
{
	struct guess_state *g = xcalloc(1, sizeof *g);
	g->d = d;
	g->refs = 1;
	d->guess = g;
	static const enum ms_security secs[] = {SEC_TLS, SEC_STARTTLS};
	int order = 0;
	for (size_t i = 0; i < sizeof guess_names / sizeof guess_names[0]; i++)
		for (int p = PROTO_IMAP; p <= PROTO_SMTP; p++) {
			if (!(guess_names[i].protos & (1u << p)))
				continue;
			for (int s = 0; s < 2 && g->n < GUESS_MAX; s++) {
				struct guess_item *it = &g->it[g->n++];
				it->g = g;
				snprintf(it->host, sizeof it->host, "%s%s", guess_names[i].prefix,
				         d->res->domain);
				it->proto = (enum ms_proto)p;
				it->sec = secs[s];
				it->port = default_port(it->proto, it->sec);
				it->order = order++;
			}
		}
	/* Names are looked up at once (cheap); probing waits until needed. */
	g->lookups = (int)g->n;
	for (size_t i = 0; i < g->n; i++)
		dns_addrs(d->dns, g->it[i].host, g->it[i].port, on_guess_addrs, &g->it[i]);
}

void disc_guess_go(struct discover *d)
{
	struct guess_state *g = d->guess;
	if (!g || g->go || !disc_running(d, DSRC_GUESS))
		return;
	g->go = true;
	disc_rearm(d, DSRC_GUESS, disc_sources[DSRC_GUESS].timeout_ms);
	for (size_t i = 0; i < g->n; i++)
		guess_probe(&g->it[i]);
	guess_check(g);
}

void disc_guess_free(struct discover *d)
{
	struct guess_state *g = d->guess;
	if (!g)
		return;
	/* The source has ended (answered, timed out or cancelled), so the
	 * callbacks this runs add nothing; the discovery's own reference keeps
	 * g alive through them. */
	for (size_t i = 0; i < g->n; i++)
		if (g->it[i].probe)
			probe_cancel(g->it[i].probe, DIAG_NONE,
			             _("not needed")); /* on_guess_probe */
	g->d = NULL;
	d->guess = NULL;
	guess_unref(g);
}
