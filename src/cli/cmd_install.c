/* cmd_install.c - `mailsetup generate --install`: the account into the
 * clients' own configuration (Thunderbird's prefs.js, the muttrc mutt or
 * neomutt reads, the msmtp configuration), through writers/ install_*.
 *
 * Each client is installed on its own: one that fails (Thunderbird
 * running, a file that cannot be written) is reported and the others
 * still go ahead.  The output names every file created or changed, its
 * backup, and what is left to do; exit 0 only when every client asked
 * for was installed.
 */
#include "config.h"

#include "account.h"
#include "base/alloc.h"
#include "base/escape.h"
#include "base/i18n.h"
#include "cli/cli.h"
#include "clients/clients.h"
#include "writers/writers.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char CMD[] = "generate";

enum target { T_THUNDERBIRD, T_MUTT, T_NEOMUTT, T_MSMTP, T_COUNT };
static const char *const target_names[T_COUNT] = {"thunderbird", "mutt", "neomutt", "msmtp"};

/* default_profile: the profile to use without --thunderbird-profile:
 * the default one, or the only one.  NULL with *why set otherwise. */
static char *default_profile(const struct client_env *e, const char **why)
{
	struct tb_profile_info *p;
	size_t n = clients_thunderbird_profiles(e, &p);
	char *dir = NULL;
	if (n == 0)
		*why = _("no Thunderbird profile was found (start Thunderbird once, or give "
		         "--thunderbird-profile DIR)");
	else if (p[0].is_default || n == 1)
		dir = xstrdup(p[0].path);
	else
		*why = _("Thunderbird has several profiles and none is the default: choose one "
		         "with --thunderbird-profile DIR");
	clients_thunderbird_profiles_free(p, n);
	return dir;
}

/* parse_targets: "thunderbird,mutt" into want[]; false after a usage
 * error. */
static bool parse_targets(const char *list, bool want[T_COUNT])
{
	char *copy = xstrdup(list);
	bool ok = true;
	for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && ok;
	     t = strtok_r(NULL, ",", &save)) {
		int found = -1;
		for (int i = 0; i < T_COUNT; i++)
			if (strcmp(t, target_names[i]) == 0)
				found = i;
		if (found < 0) {
			face_usage_error(
			    CMD,
			    _("--install cannot put the account into '%s'; it installs "
			      "into thunderbird, mutt, neomutt and msmtp (the other formats "
			      "go to a file with --output)"),
			    t);
			ok = false;
		} else {
			want[found] = true;
		}
	}
	free(copy);
	return ok;
}

/* found_targets: the clients whose configuration exists here. */
static void found_targets(const struct client_env *e, bool want[T_COUNT])
{
	struct tb_profile_info *p;
	size_t n = clients_thunderbird_profiles(e, &p);
	want[T_THUNDERBIRD] = n > 0;
	clients_thunderbird_profiles_free(p, n);
	bool exists;
	char *f = clients_config_file(e, CLIENT_MUTT, &exists);
	want[T_MUTT] = exists;
	free(f);
	/* neomutt only when it reads a file of its own (else mutt's install
	 * already serves it). */
	f = clients_config_file(e, CLIENT_NEOMUTT, &exists);
	const char *base = strrchr(f, '/');
	want[T_NEOMUTT] = exists && base && strstr(base, "neomutt");
	free(f);
	f = clients_config_file(e, CLIENT_MSMTP, &exists);
	want[T_MSMTP] = exists;
	free(f);
}

static const char *action_json(enum install_action a)
{
	return a == INSTALL_CREATED ? "created" : a == INSTALL_CHANGED ? "changed" : "unchanged";
}

int cmd_generate_install(const struct face_opts *o, const char *formats, struct account *a)
{
	struct client_env e;
	if (!client_env_from_process(&e)) {
		face_error(CMD, "%s", _("HOME is not set: cannot find the clients' configuration"));
		return EXIT_LOCAL;
	}
	bool want[T_COUNT] = {false};
	if (formats) {
		if (!parse_targets(formats, want))
			return EXIT_USAGE;
	} else {
		found_targets(&e, want);
		if (o->thunderbird_profile)
			want[T_THUNDERBIRD] = true;
	}
	bool any = false;
	for (int i = 0; i < T_COUNT; i++)
		any = any || want[i];
	if (!any) {
		face_usage_error(
		    CMD, "%s",
		    _("no Thunderbird profile, muttrc or msmtp configuration was found "
		      "here; choose with --format thunderbird,mutt,neomutt,msmtp"));
		return EXIT_USAGE;
	}
	if (o->thunderbird_profile && !want[T_THUNDERBIRD]) {
		face_usage_error(CMD, "%s",
		                 _("--thunderbird-profile goes with --format thunderbird"));
		return EXIT_USAGE;
	}

	int rc = EXIT_OK;
	struct install_report r = {0};
	bool done[T_COUNT] = {false};
	json_t *errors = json_array();
	for (int t = 0; t < T_COUNT; t++) {
		if (!want[t])
			continue;
		struct ms_err err;
		err_clear(&err);
		bool ok = false;
		if (t == T_THUNDERBIRD) {
			const char *why = NULL;
			char *dir = o->thunderbird_profile ? xstrdup(o->thunderbird_profile)
			                                   : default_profile(&e, &why);
			if (!dir) {
				err_set(&err, ERR_LOCAL, "%s", why);
			} else if (access(dir, R_OK | W_OK | X_OK) != 0) {
				err_set(&err, ERR_LOCAL,
				        _("cannot use the Thunderbird profile %s: %s"), dir,
				        strerror(errno));
			} else {
				ok = install_thunderbird(a, dir, &r, &err);
			}
			free(dir);
		} else if (t == T_MSMTP) {
			ok = install_msmtp(a, &e, &r, &err);
		} else {
			ok = install_mutt(a, &e, t == T_MUTT ? CLIENT_MUTT : CLIENT_NEOMUTT, &r,
			                  &err);
		}
		done[t] = ok;
		if (!ok) {
			char *m = escape_display_str(err.msg);
			if (!o->json)
				fprintf(stderr, "mailsetup %s: %s: %s\n", CMD, target_names[t], m);
			json_t *je = json_object();
			json_object_set_new(je, "client", json_string(target_names[t]));
			json_object_set_new(je, "error", json_string(m));
			json_array_append_new(errors, je);
			free(m);
			if (rc == EXIT_OK)
				rc = err.cat == ERR_USAGE ? EXIT_USAGE : EXIT_LOCAL;
		}
	}

	if (o->json) {
		json_t *root = json_object();
		json_t *files = json_array();
		for (size_t i = 0; i < r.nchanges; i++) {
			const struct install_change *c = &r.changes[i];
			json_t *f = json_object();
			json_object_set_new(f, "file", json_string(c->file));
			json_object_set_new(f, "action", json_string(action_json(c->action)));
			json_object_set_new(f, "backup",
			                    c->backup ? json_string(c->backup) : json_null());
			json_object_set_new(f, "what", json_string(c->what));
			json_array_append_new(files, f);
		}
		json_t *installed = json_array();
		for (int t = 0; t < T_COUNT; t++)
			if (done[t])
				json_array_append_new(installed, json_string(target_names[t]));
		json_t *todo = json_array();
		for (size_t i = 0; i < r.ntodo; i++)
			json_array_append_new(todo, json_string(r.todo[i]));
		json_object_set_new(root, "installed", installed);
		json_object_set_new(root, "files", files);
		json_object_set_new(root, "todo", todo);
		json_object_set_new(root, "errors", errors);
		errors = NULL;
		char *s = json_dumps(root, JSON_INDENT(2));
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(root);
	} else if (!o->quiet) {
		for (size_t i = 0; i < r.nchanges; i++) {
			const struct install_change *c = &r.changes[i];
			char *f = clients_tilde(&e, c->file);
			printf("  %s %s  (%s)\n", install_action_word(c->action), f, c->what);
			if (c->backup) {
				char *b = clients_tilde(&e, c->backup);
				printf(_("            the old file is kept as %s\n"), b);
				free(b);
			}
			free(f);
		}
		struct buf set = {0};
		for (int t = 0; t < T_COUNT; t++)
			if (done[t])
				buf_addf(&set, "%s%s", set.len ? ", " : "", target_names[t]);
		/* "set up" only for verified settings: an unverified one says so. */
		char *note_in = account_unverified_note(&a->in, _("incoming"));
		char *note_out = account_unverified_note(&a->out, _("outgoing"));
		if (set.len && (note_in || note_out))
			printf(_("The account %s is added to: %s, with settings that are NOT "
			         "VERIFIED:\n"),
			       a->address, set.data);
		else if (set.len &&
		         ((a->in.set && !a->in.verified) || (a->out.set && !a->out.verified)))
			/* Settings typed on the command line, never tested. */
			printf(_("The account %s is added to: %s. mailsetup did not test these "
			         "settings; 'mailsetup check' tests them.\n"),
			       a->address, set.data);
		else if (set.len)
			printf(_("The account %s is set up in: %s.\n"), a->address, set.data);
		if (set.len && note_in)
			printf("  %s\n", note_in);
		if (set.len && note_out)
			printf("  %s\n", note_out);
		free(note_in), free(note_out);
		buf_free(&set);
		if (r.ntodo) {
			printf("%s\n", _("Left to do:"));
			for (size_t i = 0; i < r.ntodo; i++)
				printf("  - %s\n", r.todo[i]);
		}
	}
	json_decref(errors);
	install_report_free(&r);
	return rc;
}
