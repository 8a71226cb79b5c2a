/* check.c - test every server of an existing setup at once (check.h). */
#include "config.h"

#include "check/check.h"

#include "base/alloc.h"
#include "base/i18n.h"
#include "net/tls.h"

#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One TLS context per trust setting: the system store (or --cafile),
 * plus a client's own file (mutt, mbsync), or that file only (msmtp). */
struct ctx_cache {
	char *cafile; /* NULL: the base store */
	bool only;
	SSL_CTX *ctx;
	char *error; /* why it could not be made */
};

const struct rd_server *check_row_server(const struct check_row *row)
{
	return &row->cfg->servers[row->server];
}

struct check_run *check_prepare(struct rd_config *const *cfgs, size_t ncfgs)
{
	struct check_run *run = xcalloc(1, sizeof *run);
	for (size_t i = 0; i < ncfgs; i++)
		run->n += cfgs[i]->nservers;
	run->rows = xcalloc(run->n ? run->n : 1, sizeof *run->rows);
	size_t k = 0;
	for (size_t i = 0; i < ncfgs; i++)
		for (size_t s = 0; s < cfgs[i]->nservers; s++) {
			run->rows[k].cfg = cfgs[i];
			run->rows[k].server = s;
			run->rows[k].run = run;
			k++;
		}
	return run;
}

static struct ctx_cache *ctx_for(struct check_run *run, const char *cafile, bool only)
{
	for (size_t i = 0; i < run->nctxs; i++) {
		struct ctx_cache *c = &run->ctxs[i];
		if (c->only == only &&
		    (c->cafile && cafile ? strcmp(c->cafile, cafile) == 0 : c->cafile == cafile))
			return c;
	}
	run->ctxs = xrealloc(run->ctxs, (run->nctxs + 1) * sizeof *run->ctxs);
	struct ctx_cache *c = &run->ctxs[run->nctxs++];
	memset(c, 0, sizeof *c);
	c->cafile = cafile ? xstrdup(cafile) : NULL;
	c->only = only;
	struct ms_err err;
	err_clear(&err);
	c->ctx = tls_ctx_new(only ? cafile : run->o.cafile, &err);
	if (c->ctx && cafile && !only && SSL_CTX_load_verify_locations(c->ctx, cafile, NULL) != 1) {
		err_set(&err, ERR_LOCAL, _("cannot load the certificates in %s"), cafile);
		tls_ctx_free(c->ctx);
		c->ctx = NULL;
	}
	if (!c->ctx)
		c->error = xstrdup(err.msg);
	return c;
}

static void row_reset(struct check_row *row)
{
	probe_result_free(row->r);
	row->r = NULL;
	findings_free(&row->fnd);
	rd_edits_free(&row->change);
	free(row->not_tested);
	row->not_tested = NULL;
	row->change_why = NULL;
	row->has_alternative = false;
	row->done = false;
}

static void row_finish(struct check_row *row)
{
	row->done = true;
	struct check_run *run = row->run;
	run->running--;
	run->total_ms = (int)(loop_now_ms() - run->t0);
	if (run->o.row_done)
		run->o.row_done(run->o.arg, row);
}

/* The fix: the other way, tested just now, works with a verified
 * certificate; the edit switches the configuration to it. */
static void row_conclude(struct check_row *row)
{
	const struct rd_server *s = check_row_server(row);
	struct probe_result *r = row->r;
	diag_probe(r, &row->fnd);
	const struct probe_result *a = r->alternative;
	if (!r->ok && a && a->ok && a->tls.handshake_done && a->tls.verified &&
	    (a->security != s->security || a->port != s->port)) {
		row->has_alternative = true;
		row->alt_security = a->security;
		row->alt_port = a->port;
		rd_fix(row->cfg, s, a->security, a->port, &row->change, &row->change_why);
	}
	row_finish(row);
}

static void starttls_done(void *arg, struct probe_result *alt)
{
	struct check_row *row = arg;
	if (alt->ok) {
		probe_result_free(row->r->alternative);
		row->r->alternative = alt;
	} else {
		probe_result_free(alt);
	}
	row_conclude(row);
}

static void probe_done(void *arg, struct probe_result *r)
{
	struct check_row *row = arg;
	row->r = r;
	/* A plaintext setting is never tested as such: try STARTTLS on the
	 * same port, which is what the fix would be. */
	if (r->cause == DIAG_PLAINTEXT_REFUSED && row->req.tls_ctx) {
		row->req.security = SEC_STARTTLS;
		row->req.login = false;
		probe_checked_start(row->run->loop, &row->req, NULL, starttls_done, row);
		return;
	}
	row_conclude(row);
}

void check_start_row(struct check_row *row, struct loop *loop)
{
	struct check_run *run = row->run;
	row_reset(row);
	const struct rd_server *s = check_row_server(row);
	run->running++;
	run->loop = loop;
	if (row->gone) {
		row->not_tested = xstrdup(_("the file no longer names this server"));
		row_finish(row);
		return;
	}
	struct ctx_cache *c = ctx_for(run, s->cafile && !run->o.cafile ? s->cafile : NULL,
	                              s->cafile_only && !run->o.cafile);
	if (!c->ctx) {
		row->not_tested = xstrdup(c->error);
		row_finish(row);
		return;
	}
	struct probe_request *q = &row->req;
	memset(q, 0, sizeof *q);
	q->host = s->host;
	q->port = s->port;
	q->proto = s->proto;
	q->security = s->security;
	q->timeout_ms = run->o.timeout_ms;
	q->allow_plaintext = run->o.allow_plaintext;
	q->tls_ctx = c->ctx;
	if (s->pin && tls_pin_parse(s->pin, row->pin))
		q->pin_sha256 = row->pin;
	if (run->o.login && s->user && run->o.password && run->o.login_user &&
	    strcasecmp(s->user, run->o.login_user) == 0) {
		q->user = s->user;
		q->password = run->o.password;
		q->login = true;
	}
	probe_checked_start(loop, q, run->o.obs, probe_done, row);
}

void check_start(struct check_run *run, struct loop *loop, const struct check_opts *o)
{
	run->o = *o;
	run->t0 = loop_now_ms();
	for (size_t i = 0; i < run->n; i++)
		check_start_row(&run->rows[i], loop);
}

void check_run_all(struct check_run *run, const struct check_opts *o)
{
	struct loop *loop = loop_new();
	check_start(run, loop, o);
	loop_run(loop);
	loop_free(loop);
	run->total_ms = (int)(loop_now_ms() - run->t0);
}

void check_run_free(struct check_run *run)
{
	if (!run)
		return;
	for (size_t i = 0; i < run->n; i++)
		row_reset(&run->rows[i]);
	for (size_t i = 0; i < run->nctxs; i++) {
		free(run->ctxs[i].cafile);
		free(run->ctxs[i].error);
		tls_ctx_free(run->ctxs[i].ctx);
	}
	free(run->ctxs);
	free(run->rows);
	free(run);
}

void check_collect(const struct check_run *run, const char *path, struct rd_edits *out,
                   size_t *conflicts)
{
	*conflicts = 0;
	for (size_t i = 0; i < run->n; i++) {
		const struct check_row *row = &run->rows[i];
		for (size_t k = 0; k < row->change.n; k++) {
			const struct rd_edit *e = &row->change.v[k];
			if (strcmp(row->cfg->files[e->file].path, path) != 0)
				continue;
			bool skip = false;
			for (size_t j = 0; j < out->n; j++)
				if (out->v[j].line == e->line) {
					skip = true;
					if (strcmp(out->v[j].new_text, e->new_text) != 0)
						(*conflicts)++;
				}
			if (skip)
				continue;
			out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
			out->v[out->n++] = (struct rd_edit){0, e->line, xstrdup(e->old_text),
			                                    xstrdup(e->new_text)};
		}
	}
}
