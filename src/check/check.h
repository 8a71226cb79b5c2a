/* check.h - the setup a person already has, every server tested at once.
 *
 * From the configurations the readers found (readers/readers.h) to one
 * row per server: its live test (probe_checked: the configured mode
 * first, the other mode or the implicit-TLS port when that explains the
 * failure), the findings, and - when the other way was tested just now
 * and works - the exact edit of the configuration that switches to it.
 * All probes run concurrently on one event loop; a row is reported as
 * soon as its test ends, for a face that fills in live.
 */
#ifndef MS_CHECK_H
#define MS_CHECK_H

#include "base/loop.h"
#include "diag/diag.h"
#include "net/tls.h"
#include "probe/modes.h"
#include "readers/readers.h"

struct check_row {
	struct rd_config *cfg; /* not owned */
	size_t server;         /* cfg->servers[server] */
	bool done;
	char *not_tested;       /* why the row was not tested (translated), or NULL */
	struct probe_result *r; /* NULL until done or when not tested */
	struct findings fnd;
	/* The tested alternative that works, and the edit that selects it
	 * (change.n == 0: none; change_why says why not, when there is a
	 * working alternative the file cannot take). */
	bool has_alternative;
	enum ms_security alt_security;
	uint16_t alt_port;
	struct rd_edits change;
	const char *change_why;
	struct probe_request req; /* internal */
	char pin[TLS_FPR_LEN];    /* internal */
	struct check_run *run;    /* internal */
};

typedef void (*check_row_fn)(void *arg, struct check_row *row);

struct check_opts {
	const char *cafile; /* trust these CAs instead of the system's */
	int timeout_ms;     /* per step; 0: the probe default */
	bool login;         /* log in where the file names a user */
	const char *password;
	bool allow_plaintext;
	const struct ms_observer *obs;
	check_row_fn row_done; /* each row as its test ends, or NULL */
	void *arg;
};

struct check_run {
	struct check_row *rows;
	size_t n;
	int total_ms;
	/* internal */
	struct check_opts o;
	struct ctx_cache *ctxs;
	size_t nctxs;
	int running;
	int64_t t0;
	struct loop *loop;
};

/* check_prepare: one row per server of every configuration (the
 * configurations must outlive the run). */
struct check_run *check_prepare(struct rd_config *const *cfgs, size_t ncfgs);
/* check_start: start every row's test on loop (the caller runs it);
 * o is copied (its strings must outlive the run). */
void check_start(struct check_run *run, struct loop *loop, const struct check_opts *o);
/* check_start_row: test one row (again) on loop, e.g. after its fix. */
void check_start_row(struct check_row *row, struct loop *loop);
/* check_run_all: check_start on a private loop, until every row is done. */
void check_run_all(struct check_run *run, const struct check_opts *o);
void check_run_free(struct check_run *run);

/* check_row_server: the server of a row. */
const struct rd_server *check_row_server(const struct check_row *row);

/* check_collect: every row's change for the file path, merged into edits
 * on file index 0 (for rd_apply on that file's text).  Two rows editing
 * one line differently: the first wins, *conflicts counts the rest. */
void check_collect(const struct check_run *run, const char *path, struct rd_edits *out,
                   size_t *conflicts);

#endif
