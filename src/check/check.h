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
	bool gone;              /* after a fix the file no longer names this server */
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
	bool login;         /* log in where the file names login_user */
	/* The one user the password is for: it goes only to the servers a
	 * file names with this user, never to another account's server. */
	const char *login_user;
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

/* ---- the setup: which files, read, and fixed ------------------------------------ */

struct client_env;

/* One configuration file to check. */
struct check_target {
	char *path;
	enum rd_client client;
	bool sniff;        /* the format is found from the name and text */
	const char *label; /* "mutt", "neomutt", "msmtp", ... (static) */
	char *profile;     /* Thunderbird: the profile directory, or NULL */
	struct rd_config *cfg;
	char *error;             /* why it could not be read, or NULL */
	struct rd_config *stale; /* internal: a replaced configuration rows still use */
};

struct check_setup {
	struct check_target *v;
	size_t n;
	char *home; /* for "~" in sourced paths, or NULL */
};

/* check_setup_add: one file (sniff: find its format); the same path twice
 * counts once (neomutt reading mutt's file). */
void check_setup_add(struct check_setup *s, const char *path, enum rd_client client, bool sniff,
                     const char *label, const char *profile);
/* check_setup_args: the files and Thunderbird profile directories named
 * on the command line; false (err set) when one does not exist. */
bool check_setup_args(struct check_setup *s, char *const *paths, int n, struct ms_err *err);
/* check_setup_find: every configuration the clients installed here read:
 * mutt, neomutt, msmtp, mbsync, aerc, each Thunderbird profile with a
 * prefs.js (clients/clients.h). */
void check_setup_find(struct check_setup *s, const struct client_env *e);
/* check_setup_read: (re)read every target (at most RD_MAX_FILE each);
 * a file that cannot be read gets target->error. */
void check_setup_read(struct check_setup *s);
/* check_target_reread: read one target again (after a fix); the rows
 * of run that pointed at its old configuration point at the new one. */
void check_target_reread(struct check_setup *s, struct check_target *t, struct check_run *run);
void check_setup_free(struct check_setup *s);
/* check_setup_prepare: check_prepare over the targets that were read. */
struct check_run *check_setup_prepare(const struct check_setup *s);
/* check_target_of: the target whose configuration cfg is. */
struct check_target *check_target_of(const struct check_setup *s, const struct rd_config *cfg);

/* check_fix_file: write the changes of every row of run for the file
 * path (or only those of row, when row is not NULL): refused while a
 * Thunderbird holds the profile; the file is read again and each edited
 * line must still read as it did (else nothing is written); written
 * through symbolic links with install_file (backup FILE.mailsetup-bak,
 * .2 ...).  *backup (malloc'ed) names the backup, *lines the lines
 * changed, *conflicts the changes left out because another change
 * touches their line. */
bool check_fix_file(const struct check_run *run, const struct check_row *row,
                    const struct check_setup *s, const char *path, char **backup, size_t *lines,
                    size_t *conflicts, struct ms_err *err);
/* check_changed_files: the distinct files the rows' changes touch
 * (malloc'ed array of paths owned by the configurations). */
size_t check_changed_files(const struct check_run *run, const char ***out);

#endif
