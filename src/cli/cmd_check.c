/* cmd_check.c - `mailsetup check [OPTIONS] [FILE|PROFILE_DIR]...`: the
 * setup a person already has, every server tested at once, each result
 * mapped back to its file and line; --fix applies the tested changes. */
#include "config.h"

#include "base/alloc.h"
#include "base/escape.h"
#include "base/i18n.h"
#include "check/check.h"
#include "cli/cli.h"
#include "clients/clients.h"
#include "writers/writers.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CMD "check"

/* ---- text -------------------------------------------------------------------------------- */

static const char *sec_label(enum ms_security s)
{
	return s == SEC_TLS ? _("TLS") : s == SEC_STARTTLS ? _("STARTTLS") : _("plaintext");
}

static void print_escaped(const char *prefix, const char *s)
{
	char *e = escape_display_str(s);
	printf("%s%s\n", prefix, e);
	free(e);
}

static void print_change(const struct check_row *row)
{
	const struct rd_config *c = row->cfg;
	for (size_t k = 0; k < row->change.n; k++) {
		const struct rd_edit *e = &row->change.v[k];
		char *f = escape_display_str(c->files[e->file].path);
		printf(_("      change %s line %d:\n"), f, e->line);
		free(f);
		print_escaped("        - ", e->old_text);
		/* An inserted line shows as a second "+" line. */
		char *copy = xstrdup(e->new_text), *save = NULL;
		for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			print_escaped("        + ", l);
		free(copy);
	}
}

static void print_row(const struct check_row *row)
{
	const struct rd_server *s = check_row_server(row);
	const struct rd_config *c = row->cfg;
	char *h = escape_display_str(s->host);
	char where[64];
	snprintf(where, sizeof where, "%s:%u", h, (unsigned)s->port);
	bool ok = row->r && row->r->ok;
	printf("  %s %-5s %-28s %-9s ", cli_mark(ok), proto_name(s->proto), where,
	       sec_label(s->security));
	if (s->at.file != 0) {
		char *f = escape_display_str(c->files[s->at.file].path);
		printf(_("%s line %d"), f, s->at.line);
		free(f);
	} else {
		printf(_("line %d"), s->at.line);
	}
	if (s->account[0]) {
		char *a = escape_display_str(s->account);
		printf(_("  account %s"), a);
		free(a);
	}
	putchar('\n');
	free(h);
	if (row->not_tested) {
		printf(_("      not tested: %s\n"), row->not_tested);
		return;
	}
	if (ok) {
		const struct probe_result *r = row->r;
		if (!r->tls.handshake_done)
			printf(_("      works, WITHOUT encryption (--allow-plaintext)%s\n"),
			       r->login == LOGIN_OK ? _(", login ok") : "");
		else
			printf(_("      works: %s, %s%s\n"), r->tls.version,
			       r->tls.pinned ? _("the certificate pinned in the file")
			                     : _("certificate verified"),
			       r->login == LOGIN_OK ? _(", login ok") : "");
		return;
	}
	for (size_t i = 0; i < row->fnd.n; i++) {
		const struct finding *f = &row->fnd.v[i];
		printf("      %s %s: %s\n", diag_severity_label(f->severity),
		       diag_code_name(f->code), f->message);
		if (f->fix_text[0])
			printf(_("        Fix: %s\n"), f->fix_text);
	}
	if (row->change.n)
		print_change(row);
	else if (row->has_alternative && row->change_why)
		printf(_("      %s works (tested just now), but the file cannot be changed "
		         "automatically: %s\n"),
		       sec_label(row->alt_security), row->change_why);
}

static void out_text(const struct check_setup *t, const struct check_run *run)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct check_target *g = &t->v[i];
		char *p = escape_display_str(g->path);
		printf("%s (%s)\n", p, g->label);
		free(p);
		if (g->error) {
			printf(_("  cannot read it: %s\n"), g->error);
			continue;
		}
		size_t shown = 0;
		for (size_t k = 0; k < run->n; k++)
			if (run->rows[k].cfg == g->cfg) {
				print_row(&run->rows[k]);
				shown++;
			}
		if (!shown)
			printf("  %s\n", _("no mail server found in it"));
		for (size_t k = 0; k < g->cfg->nnotes; k++) {
			const struct rd_note *n = &g->cfg->notes[k];
			char *f = escape_display_str(g->cfg->files[n->at.file].path);
			char *x = escape_display_str(n->text);
			if (n->at.file)
				printf(_("  note: %s line %d: %s\n"), f, n->at.line, x);
			else
				printf(_("  note: line %d: %s\n"), n->at.line, x);
			free(f);
			free(x);
		}
	}
	printf(_("%zu servers tested in %d ms\n"), run->n, run->total_ms);
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static json_t *jtext(const char *s)
{
	json_t *j = s ? json_string(s) : json_null();
	if (!j) { /* not UTF-8: the display form instead */
		char *e = escape_display_str(s);
		j = json_string(e);
		free(e);
	}
	return j ? j : json_null();
}

static json_t *edit_json(const struct rd_config *c, const struct rd_edit *e)
{
	json_t *o = json_object();
	json_object_set_new(o, "file", jtext(c->files[e->file].path));
	json_object_set_new(o, "line", json_integer(e->line));
	json_object_set_new(o, "old", jtext(e->old_text));
	json_object_set_new(o, "new", jtext(e->new_text));
	return o;
}

static json_t *accounts_json(const struct check_setup *t, const struct check_run *run)
{
	json_t *a = json_array();
	for (size_t k = 0; k < run->n; k++) {
		const struct check_row *row = &run->rows[k];
		const struct rd_server *s = check_row_server(row);
		const char *label = "";
		for (size_t i = 0; i < t->n; i++)
			if (t->v[i].cfg == row->cfg)
				label = t->v[i].label;
		json_t *o = json_object();
		json_object_set_new(o, "client", json_string(label));
		json_object_set_new(o, "file", jtext(row->cfg->files[s->at.file].path));
		json_object_set_new(o, "line", json_integer(s->at.line));
		json_object_set_new(o, "account", jtext(s->account));
		json_object_set_new(o, "protocol", json_string(proto_name(s->proto)));
		json_object_set_new(o, "host", jtext(s->host));
		json_object_set_new(o, "port", json_integer(s->port));
		json_object_set_new(o, "security", json_string(security_name(s->security)));
		json_object_set_new(o, "user", jtext(s->user));
		json_object_set_new(o, "result",
		                    json_string(row->not_tested ? "not-tested"
		                                : row->r->ok    ? "ok"
		                                                : "failed"));
		if (row->not_tested)
			json_object_set_new(o, "reason", json_string(row->not_tested));
		json_object_set_new(o, "findings", findings_to_json(&row->fnd));
		if (row->change.n) {
			json_t *ch = edit_json(row->cfg, &row->change.v[0]);
			json_object_set_new(ch, "security",
			                    json_string(security_name(row->alt_security)));
			json_object_set_new(ch, "port", json_integer(row->alt_port));
			json_object_set_new(ch, "tested", json_true());
			json_t *all = json_array();
			for (size_t e = 0; e < row->change.n; e++)
				json_array_append_new(all, edit_json(row->cfg, &row->change.v[e]));
			json_object_set_new(ch, "edits", all);
			json_object_set_new(o, "change", ch);
		} else {
			json_object_set_new(o, "change", json_null());
		}
		if (row->r) {
			struct findings none = {0};
			json_object_set_new(o, "probe", probe_to_json(row->r, &none));
		}
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *report_json(const struct check_setup *t, const struct check_run *run)
{
	json_t *o = json_object();
	json_object_set_new(o, "accounts", accounts_json(t, run));
	json_t *files = json_array(), *notes = json_array();
	for (size_t i = 0; i < t->n; i++) {
		const struct check_target *g = &t->v[i];
		json_t *f = json_object();
		json_object_set_new(f, "file", jtext(g->path));
		json_object_set_new(f, "client", json_string(g->label));
		json_object_set_new(f, "error", g->error ? jtext(g->error) : json_null());
		json_array_append_new(files, f);
		for (size_t k = 0; g->cfg && k < g->cfg->nnotes; k++) {
			const struct rd_note *n = &g->cfg->notes[k];
			json_t *j = json_object();
			json_object_set_new(j, "file", jtext(g->cfg->files[n->at.file].path));
			json_object_set_new(j, "line", json_integer(n->at.line));
			json_object_set_new(j, "text", jtext(n->text));
			json_array_append_new(notes, j);
		}
	}
	json_object_set_new(o, "files", files);
	json_object_set_new(o, "notes", notes);
	json_object_set_new(o, "ms", json_integer(run->total_ms));
	return o;
}

/* ---- the run ------------------------------------------------------------------------------------
 */

static enum exit_code worst(const struct check_setup *t, const struct check_run *run)
{
	int code = EXIT_OK;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].error)
			code = EXIT_LOCAL;
	for (size_t k = 0; k < run->n; k++) {
		int c = run->rows[k].not_tested ? EXIT_LOCAL : (int)cli_exit_for(run->rows[k].r);
		if (c > code)
			code = c;
	}
	return (enum exit_code)code;
}

static struct check_run *run_checks(struct check_setup *t, const struct check_opts *co)
{
	struct check_run *run = check_setup_prepare(t);
	check_run_all(run, co);
	return run;
}

/* confirm: ask on the terminal; false without one. */
static bool confirm(void)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return false;
	printf("%s", _("Apply these changes? [y/N] "));
	fflush(stdout);
	char line[16];
	if (!fgets(line, sizeof line, stdin))
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

/* apply: write every file that has changes; returns the number written,
 * -1 when one failed. */
static int apply(const struct check_setup *t, const struct check_run *run, json_t *jout)
{
	int written = 0;
	bool failed = false;
	const char **paths = NULL;
	size_t np = check_changed_files(run, &paths);
	for (size_t i = 0; i < np; i++) {
		char *shown = escape_display_str(paths[i]);
		char *bak = NULL;
		size_t lines = 0, conflicts = 0;
		struct ms_err err;
		err_clear(&err);
		json_t *j = json_object();
		json_object_set_new(j, "file", jtext(paths[i]));
		if (check_fix_file(run, NULL, t, paths[i], &bak, &lines, &conflicts, &err)) {
			written++;
			if (!jout) {
				char *b = escape_display_str(bak ? bak : "-");
				printf(_("Changed %s (lines changed: %zu); the old file is %s\n"),
				       shown, lines, b);
				free(b);
			}
			json_object_set_new(j, "backup", jtext(bak));
			json_object_set_new(j, "lines", json_integer((json_int_t)lines));
		} else {
			failed = true;
			if (!jout)
				face_error(CMD, _("%s was not changed: %s"), shown, err.msg);
			json_object_set_new(j, "error", jtext(err.msg));
		}
		if (conflicts && !jout)
			printf(_("%s: %zu changes touch a line another change also touches; run "
			         "check again for them\n"),
			       shown, conflicts);
		if (jout)
			json_array_append_new(jout, j);
		else
			json_decref(j);
		free(bak);
		free(shown);
	}
	free(paths);
	return failed ? -1 : written;
}

int cmd_check(int argc, char **argv)
{
	struct face_opts o;
	int first = face_parse(CMD, argc, argv, &o);
	if (first < 0)
		return EXIT_USAGE;
	if (o.login && !o.user) {
		/* One password for every account would hand it to the servers
		 * of other accounts, other providers even. */
		face_usage_error(CMD, "%s",
		                 _("--login needs --user NAME: the password is sent only to the "
		                   "servers configured for that user"));
		net_overrides_free(&o.overrides);
		return EXIT_USAGE;
	}
	struct client_env env = {0};
	bool have_env = client_env_from_process(&env);
	/* On a terminal, the live screen; scripts (and --json, --fix) get the
	 * report. */
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && !o.json && !o.fix && !o.login &&
	    !o.quiet) {
		int rc = tui_check(&o, argv + first, argc - first);
		net_overrides_free(&o.overrides);
		return rc;
	}
	struct check_setup t = {0};
	struct ms_err err;
	err_clear(&err);
	if (!check_setup_args(&t, argv + first, argc - first, &err)) {
		face_error(CMD, "%s", err.msg);
		check_setup_free(&t);
		return EXIT_LOCAL;
	}
	if (first == argc) {
		if (!have_env) {
			face_error(CMD, "%s", _("HOME is not set; name the files to check"));
			return EXIT_USAGE;
		}
		check_setup_find(&t, &env);
	}
	if (!t.n) {
		printf("%s\n", _("No configuration of mutt, neomutt, msmtp, mbsync, aerc or "
		                 "Thunderbird was found; name the files to check."));
		return EXIT_OK;
	}
	char *password = NULL;
	if (o.login) {
		password = cli_read_password(&o, o.user, _("the servers configured for this user"));
		if (!password) {
			check_setup_free(&t);
			return EXIT_USAGE;
		}
	}
	struct check_opts co = {
	    .cafile = o.cafile,
	    .timeout_ms = o.timeout_s * 1000,
	    .login = o.login,
	    .login_user = o.user,
	    .password = password,
	    .allow_plaintext = o.allow_plaintext,
	    .obs = o.verbose ? &cli_verbose_observer : NULL,
	};
	if (have_env && !t.home)
		t.home = xstrdup(env.home);
	check_setup_read(&t);
	struct check_run *run = run_checks(&t, &co);
	int code = worst(&t, run);
	json_t *j = o.json ? report_json(&t, run) : NULL;
	if (!o.json)
		out_text(&t, run);
	if (o.fix) {
		size_t changes = 0;
		for (size_t k = 0; k < run->n; k++)
			changes += run->rows[k].change.n;
		bool go = changes && (o.yes || (!o.json && confirm()));
		if (!changes) {
			if (!o.json)
				printf("%s\n", _("Nothing to change automatically."));
		} else if (!go) {
			if (!o.json)
				printf("%s\n", isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)
				                   ? _("Nothing was changed.")
				                   : _("Nothing was changed: there is no terminal "
				                       "to confirm on "
				                       "(use --yes to apply the changes shown)."));
			if (j)
				json_object_set_new(j, "applied", json_array());
		} else {
			json_t *applied = j ? json_array() : NULL;
			int w = apply(&t, run, applied);
			if (j)
				json_object_set_new(j, "applied", applied);
			/* Test again what the files now say. */
			check_setup_read(&t);
			check_run_free(run);
			run = run_checks(&t, &co);
			code = worst(&t, run);
			if (w < 0 && code == EXIT_OK)
				code = EXIT_LOCAL;
			if (j) {
				json_object_set_new(j, "after", report_json(&t, run));
			} else {
				printf("\n%s\n", _("After the changes:"));
				out_text(&t, run);
			}
		}
	}
	if (j) {
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(j);
	}
	secret_free(password);
	check_run_free(run);
	check_setup_free(&t);
	net_overrides_free(&o.overrides);
	return code;
}
