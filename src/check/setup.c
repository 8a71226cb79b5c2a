/* setup.c - which configuration files a check reads, and writing the
 * fixes back into them (check.h).  Engine code: files are read with
 * clients_read_file and written with install_file, never with stdio. */
#include "config.h"

#include "check/check.h"

#include "base/alloc.h"
#include "base/i18n.h"
#include "clients/clients.h"
#include "writers/writers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void check_setup_add(struct check_setup *s, const char *path, enum rd_client client, bool sniff,
                     const char *label, const char *profile)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].path, path) == 0)
			return;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	struct check_target *t = &s->v[s->n++];
	memset(t, 0, sizeof *t);
	t->path = xstrdup(path);
	t->client = client;
	t->sniff = sniff;
	t->label = label;
	t->profile = profile ? xstrdup(profile) : NULL;
}

bool check_setup_args(struct check_setup *s, char *const *paths, int n, struct ms_err *err)
{
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0) {
			err_set(err, ERR_LOCAL, _("cannot read %s: %s"), paths[i], strerror(errno));
			return false;
		}
		if (S_ISDIR(st.st_mode)) {
			/* A Thunderbird profile directory. */
			char *p = xasprintf("%s/prefs.js", paths[i]);
			check_setup_add(s, p, RD_THUNDERBIRD, false, "thunderbird", paths[i]);
			free(p);
			continue;
		}
		const char *base = strrchr(paths[i], '/');
		base = base ? base + 1 : paths[i];
		char *profile = NULL;
		if (strcmp(base, "prefs.js") == 0)
			profile = base == paths[i]
			              ? xstrdup(".")
			              : xstrndup(paths[i], (size_t)(base - paths[i] - 1));
		check_setup_add(s, paths[i], RD_MUTT, true, NULL, profile);
		free(profile);
	}
	return true;
}

void check_setup_find(struct check_setup *s, const struct client_env *e)
{
	static const struct {
		enum client_kind kind;
		enum rd_client client;
	} kinds[] = {{CLIENT_MUTT, RD_MUTT},
	             {CLIENT_NEOMUTT, RD_MUTT},
	             {CLIENT_MSMTP, RD_MSMTP},
	             {CLIENT_MBSYNC, RD_MBSYNC},
	             {CLIENT_AERC, RD_AERC}};
	free(s->home);
	s->home = e->home ? xstrdup(e->home) : NULL;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		bool exists = false;
		char *p = clients_config_file(e, kinds[i].kind, &exists);
		if (p && exists)
			check_setup_add(s, p, kinds[i].client, false, clients_name(kinds[i].kind),
			                NULL);
		free(p);
	}
	struct tb_profile_info *pr = NULL;
	size_t n = clients_thunderbird_profiles(e, &pr);
	for (size_t i = 0; i < n; i++)
		if (pr[i].has_prefs) {
			char *p = xasprintf("%s/prefs.js", pr[i].path);
			check_setup_add(s, p, RD_THUNDERBIRD, false, "thunderbird", pr[i].path);
			free(p);
		}
	clients_thunderbird_profiles_free(pr, n);
}

static bool load_file(void *ctx, const char *path, char **text, size_t *len, struct ms_err *err)
{
	(void)ctx;
	*text = clients_read_file(path, RD_MAX_FILE, len);
	if (!*text) {
		err_set(err, ERR_LOCAL, "%s", strerror(errno));
		return false;
	}
	return true;
}

static void read_target(const struct check_setup *s, struct check_target *g)
{
	rd_config_free(g->cfg);
	g->cfg = NULL;
	free(g->error);
	g->error = NULL;
	size_t len = 0;
	char *text = clients_read_file(g->path, RD_MAX_FILE, &len);
	if (!text) {
		g->error = xstrdup(strerror(errno));
		return;
	}
	if (g->sniff)
		g->client = rd_sniff(g->path, text, len);
	if (!g->label)
		g->label = rd_client_name(g->client);
	struct rd_env env = {s->home, load_file, NULL};
	g->cfg = rd_read(g->client, g->path, text, len, &env);
	free(text);
}

void check_setup_read(struct check_setup *s)
{
	for (size_t i = 0; i < s->n; i++)
		read_target(s, &s->v[i]);
}

void check_target_reread(struct check_setup *s, struct check_target *t, struct check_run *run)
{
	struct rd_config *old = t->cfg;
	t->cfg = NULL; /* keep the old one until the rows moved */
	struct check_target tmp = *t;
	tmp.cfg = NULL;
	tmp.error = NULL;
	read_target(s, &tmp);
	t->error = tmp.error;
	t->cfg = tmp.cfg;
	t->client = tmp.client;
	t->label = tmp.label;
	for (size_t i = 0; run && i < run->n; i++) {
		struct check_row *row = &run->rows[i];
		if (row->cfg != old)
			continue;
		row->cfg = t->cfg;
		if (!t->cfg || row->server >= t->cfg->nservers) {
			/* The file no longer holds this server: nothing to test. */
			row->cfg = t->cfg ? t->cfg : old;
			row->gone = true;
		}
	}
	if (!run || !t->cfg) {
		if (t->cfg)
			rd_config_free(old);
		else
			t->cfg = old;
		return;
	}
	/* Rows marked gone keep pointing at old: keep it alive with them. */
	bool used = false;
	for (size_t i = 0; i < run->n; i++)
		used = used || run->rows[i].cfg == old;
	if (used)
		t->stale = old;
	else
		rd_config_free(old);
}

void check_setup_free(struct check_setup *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].path);
		free(s->v[i].profile);
		free(s->v[i].error);
		rd_config_free(s->v[i].cfg);
		rd_config_free(s->v[i].stale);
	}
	free(s->v);
	free(s->home);
	memset(s, 0, sizeof *s);
}

struct check_run *check_setup_prepare(const struct check_setup *s)
{
	struct rd_config **cfgs = xcalloc(s->n ? s->n : 1, sizeof *cfgs);
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].cfg)
			cfgs[n++] = s->v[i].cfg;
	struct check_run *run = check_prepare(cfgs, n);
	free(cfgs);
	return run;
}

struct check_target *check_target_of(const struct check_setup *s, const struct rd_config *cfg)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].cfg == cfg)
			return &s->v[i];
	return NULL;
}

size_t check_changed_files(const struct check_run *run, const char ***out)
{
	const char **paths = NULL;
	size_t np = 0;
	for (size_t k = 0; k < run->n; k++) {
		const struct check_row *row = &run->rows[k];
		for (size_t e = 0; e < row->change.n; e++) {
			const char *p = row->cfg->files[row->change.v[e].file].path;
			bool seen = false;
			for (size_t i = 0; i < np; i++)
				seen = seen || strcmp(paths[i], p) == 0;
			if (!seen) {
				paths = xrealloc(paths, (np + 1) * sizeof *paths);
				paths[np++] = p;
			}
		}
	}
	*out = paths;
	return np;
}

bool check_fix_file(const struct check_run *run, const struct check_row *row,
                    const struct check_setup *s, const char *path, char **backup, size_t *lines,
                    size_t *conflicts, struct ms_err *err)
{
	*backup = NULL;
	*lines = 0;
	*conflicts = 0;
	/* Thunderbird rewrites prefs.js when it exits: never behind its back. */
	for (size_t g = 0; g < s->n; g++)
		if (s->v[g].profile && strcmp(s->v[g].path, path) == 0 &&
		    clients_thunderbird_running(s->v[g].profile)) {
			err_set(err, ERR_LOCAL,
			        _("Thunderbird is running with this profile and would overwrite "
			          "prefs.js when it exits; close it and try again"));
			return false;
		}
	struct rd_edits edits = {0};
	if (row) {
		struct check_run one = {.rows = (struct check_row *)row, .n = 1};
		check_collect(&one, path, &edits, conflicts);
	} else {
		check_collect(run, path, &edits, conflicts);
	}
	/* A symbolic link (dotfile managers) keeps pointing at its file:
	 * that file is the one replaced. */
	char *real = install_real_path(path);
	size_t len = 0;
	char *text = clients_read_file(real, RD_MAX_FILE, &len);
	bool ok = false;
	if (!text) {
		err_set(err, ERR_LOCAL, _("cannot read %s: %s"), real, strerror(errno));
	} else if (strlen(text) != len) {
		err_set(err, ERR_LOCAL, _("%s holds a NUL byte; it was left alone"), real);
	} else {
		size_t outlen = 0;
		char *out = rd_apply(text, len, 0, &edits, &outlen, err);
		struct install_report rep = {0};
		if (out &&
		    install_file(real, text, out, false, _("TLS settings corrected"), &rep, err)) {
			ok = true;
			*lines = edits.n;
			if (rep.nchanges && rep.changes[0].backup)
				*backup = xstrdup(rep.changes[0].backup);
		}
		install_report_free(&rep);
		free(out);
	}
	free(text);
	free(real);
	rd_edits_free(&edits);
	return ok;
}
