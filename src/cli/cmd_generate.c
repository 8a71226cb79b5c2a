/* cmd_generate.c - `mailsetup generate [OPTIONS]`: settings for a client.
 *
 * The account comes from --from-json (a diagnose/discover report or an
 * account object), then the options override it field by field.  The
 * chosen writer renders it; --output writes through safe_write(), else
 * it goes to stdout.  Exit 2 for anything wrong with the request, 6 when
 * a local file cannot be read or written.
 */
#include "config.h"

#include "account.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "cli/cli.h"
#include "writers/writers.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A report or a prefs.js larger than this is not what we are looking for. */
#define GENERATE_INPUT_MAX (8u * 1024 * 1024)

static const char CMD[] = "generate";

/* server_option: --imap/--pop3/--smtp HOST[:PORT] into s. */
static bool server_option(const char *opt, const char *arg, enum ms_proto proto,
                          struct account_server *s)
{
	char *host;
	uint16_t port;
	if (!cli_split_host_port(arg, &host, &port)) {
		face_usage_error(CMD, _("%s needs HOST or HOST:PORT, not '%s'"), opt, arg);
		return false;
	}
	s->set = true;
	s->proto = proto;
	free(s->host);
	s->host = host;
	s->port = port;
	s->verified = false; /* what a report verified was another server */
	account_set(&s->verified_at, NULL);
	return true;
}

static bool security_option(const char *opt, const char *arg, bool port_given,
                            struct account_server *s)
{
	if (!security_parse(arg, &s->security)) {
		face_usage_error(CMD, _("%s must be tls, starttls or plain, not '%s'"), opt, arg);
		return false;
	}
	/* A port from a report belongs to the report's security mode. */
	if (!port_given)
		s->port = 0;
	return true;
}

static char *absolute_path(const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		return xstrdup(path);
	char *p = xasprintf("%s/%s", cwd, path);
	free(cwd);
	return p;
}

static char *now_iso(void)
{
	/* SOURCE_DATE_EPOCH: reproducible output for tests and packagers. */
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	struct tm tm;
	char s[32];
	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(s);
}

static int usage_formats(const char *format)
{
	face_usage_error(CMD, _("unknown format '%s'"), format);
	fprintf(stderr, _("Formats:\n"));
	for (size_t i = 0; i < writers_count; i++)
		fprintf(stderr, "  %-12s %s\n", writers[i].name, _(writers[i].description));
	return EXIT_USAGE;
}

/* apply_options: the command line over whatever --from-json gave. */
static bool apply_options(const struct face_opts *o, struct account *a)
{
	if (o->imap && o->pop3) {
		face_usage_error(CMD, "%s", _("give --imap or --pop3, not both"));
		return false;
	}
	if (o->address)
		account_set(&a->address, o->address);
	if (o->name)
		account_set(&a->name, o->name);
	if (o->imap && !server_option("--imap", o->imap, PROTO_IMAP, &a->in))
		return false;
	if (o->pop3 && !server_option("--pop3", o->pop3, PROTO_POP3, &a->in))
		return false;
	if (o->smtp && !server_option("--smtp", o->smtp, PROTO_SMTP, &a->out))
		return false;
	bool in_port = (o->imap || o->pop3) && a->in.port;
	bool out_port = o->smtp && a->out.port;
	if (o->incoming_security &&
	    !security_option("--incoming-security", o->incoming_security, in_port, &a->in))
		return false;
	if (o->outgoing_security &&
	    !security_option("--outgoing-security", o->outgoing_security, out_port, &a->out))
		return false;
	if (o->user) {
		account_set(&a->in.username, o->user);
		account_set(&a->out.username, o->user);
	}
	if (o->cafile) {
		/* The client reads it from wherever it runs: an absolute path. */
		free(a->cafile);
		a->cafile = absolute_path(o->cafile);
	}
	return true;
}

int cmd_generate(int argc, char **argv)
{
	struct face_opts o;
	int first = face_parse(CMD, argc, argv, &o);
	if (first < 0)
		return EXIT_USAGE;
	if (first < argc) {
		face_usage_error(CMD, _("unexpected argument '%s' (generate takes options only)"),
		                 argv[first]);
		return EXIT_USAGE;
	}
	const char *format = o.format ? o.format : "text";
	const struct writer *w = writer_find(format);
	if (!w)
		return usage_formats(format);
	if (o.password_command && o.store_password) {
		face_usage_error(CMD, "%s",
		                 _("give --password-command or --store-password, not both"));
		return EXIT_USAGE;
	}
	if ((o.password_command || o.store_password) && !w->password_capable) {
		face_usage_error(
		    CMD,
		    _("the %s format cannot carry a password (Thunderbird keeps passwords "
		      "in its own password manager)"),
		    format);
		return EXIT_USAGE;
	}
	if (o.store_password && !o.output) {
		face_usage_error(CMD, "%s",
		                 _("--store-password needs --output FILE (the password goes to a "
		                   "separate file beside it)"));
		return EXIT_USAGE;
	}
	if (o.thunderbird_profile && strcmp(format, "thunderbird") != 0) {
		face_usage_error(CMD, "%s",
		                 _("--thunderbird-profile goes with --format thunderbird"));
		return EXIT_USAGE;
	}

	int rc = EXIT_USAGE;
	struct account a;
	struct ms_err err;
	struct buf text = {0}, secret = {0};
	struct tb_profile profile = {0};
	bool have_profile = false;
	char *generated_at = NULL;
	account_init(&a);
	err_clear(&err);

	if (o.from_json) {
		struct buf in = {0};
		if (!face_read_file(o.from_json, GENERATE_INPUT_MAX, &in)) {
			face_error(CMD, _("cannot read %s: %s"),
			           strcmp(o.from_json, "-") ? o.from_json : _("standard input"),
			           strerror(errno));
			buf_free(&in);
			rc = EXIT_LOCAL;
			goto out;
		}
		bool ok = account_from_json_text(&a, in.data ? in.data : "", in.len, &err);
		buf_free(&in);
		if (!ok) {
			face_usage_error(CMD, "%s", err.msg);
			goto out;
		}
	}
	if (!apply_options(&o, &a))
		goto out;

	if (o.password_command) {
		a.password_mode = PASSWORD_COMMAND;
		account_set(&a.password_command, o.password_command);
	}
	if (!account_validate(&a, o.allow_plaintext, &err)) {
		face_usage_error(CMD, "%s", err.msg);
		goto out;
	}
	if (o.store_password) {
		const struct account_server *s = a.in.set ? &a.in : &a.out;
		a.password = cli_read_password(&o, account_username(&a, s), s->host);
		if (!a.password)
			goto out;
		char *abs = absolute_path(o.output);
		a.password_file = xasprintf("%s.password", abs);
		free(abs);
		a.password_mode = PASSWORD_STORED;
		if (!account_validate(&a, o.allow_plaintext, &err)) {
			face_usage_error(CMD, "%s", err.msg);
			goto out;
		}
		fprintf(stderr,
		        _("mailsetup %s: warning: the password will be stored unencrypted in %s "
		          "(readable only by you, mode 0600). A password manager with "
		          "--password-command is safer.\n"),
		        CMD, a.password_file);
	}

	if (o.thunderbird_profile) {
		char *prefs = xasprintf("%s/prefs.js", o.thunderbird_profile);
		struct buf in = {0};
		if (access(o.thunderbird_profile, R_OK | X_OK) != 0) {
			face_error(CMD, _("cannot use the Thunderbird profile %s: %s"),
			           o.thunderbird_profile, strerror(errno));
			free(prefs);
			rc = EXIT_LOCAL;
			goto out;
		}
		/* A profile Thunderbird never started has no prefs.js yet. */
		if (!face_read_file(prefs, GENERATE_INPUT_MAX, &in) && errno != ENOENT) {
			face_error(CMD, _("cannot read %s: %s"), prefs, strerror(errno));
			buf_free(&in);
			free(prefs);
			rc = EXIT_LOCAL;
			goto out;
		}
		free(prefs);
		thunderbird_profile_scan(in.data ? in.data : "", &profile);
		have_profile = true;
		buf_free(&in);
	}

	generated_at = now_iso();
	struct writer_opts wo = {
	    .profile = have_profile ? &profile : NULL,
	    .generated_at = generated_at,
	};
	if (!w->write(&a, &wo, &text, &err)) {
		face_usage_error(CMD, "%s", err.msg);
		goto out;
	}
	if (a.password_mode == PASSWORD_STORED && w->write_secret &&
	    !w->write_secret(&a, &secret, &err)) {
		face_usage_error(CMD, "%s", err.msg);
		goto out;
	}

	if (!o.output) {
		fwrite(text.data, 1, text.len, stdout);
		rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_LOCAL;
		goto out;
	}
	/* The secret first: the snippet must never name a missing file. */
	if (a.password_mode == PASSWORD_STORED) {
		if (!safe_write(a.password_file, secret.data, secret.len, o.force, true, &err)) {
			fprintf(stderr, "mailsetup %s: %s\n", CMD, err.msg);
			rc = EXIT_LOCAL;
			goto out;
		}
		if (!o.quiet)
			printf(_("Wrote %s (the password, mode 0600)\n"), a.password_file);
	}
	if (!safe_write(o.output, text.data, text.len, o.force, false, &err)) {
		fprintf(stderr, "mailsetup %s: %s\n", CMD, err.msg);
		rc = EXIT_LOCAL;
		goto out;
	}
	if (!o.quiet)
		printf(_("Wrote %s (%s)\n"), o.output, w->name);
	rc = EXIT_OK;
out:
	buf_free(&text);
	buf_cleanse(&secret);
	thunderbird_profile_free(&profile);
	free(generated_at);
	account_free(&a);
	return rc;
}
