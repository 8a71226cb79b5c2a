/* options.c - the options both faces take, the configuration file that
 * gives their defaults, and usage errors. */
#include "config.h"

#include "base/alloc.h"
#include "base/i18n.h"
#include "face/face.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_PASSWORD_FILE = 256,
	OPT_PASSWORD_FD,
	OPT_NO_LOGIN,
	OPT_CAFILE,
	OPT_JSON,
	OPT_ALLOW_PLAINTEXT,
	OPT_FROM,
	OPT_EHLO,
	OPT_FORMAT,
	OPT_OUTPUT,
	OPT_FORCE,
	OPT_PORTS,
	OPT_DNS_SERVER,
	OPT_ISPDB_URL,
	OPT_ALLOW_HTTP,
	OPT_RESOLVE,
	OPT_CONNECT_TO,
	OPT_ADDRESS,
	OPT_NAME,
	OPT_IMAP,
	OPT_POP3,
	OPT_SMTP,
	OPT_INCOMING_SECURITY,
	OPT_OUTGOING_SECURITY,
	OPT_FROM_JSON,
	OPT_PASSWORD_COMMAND,
	OPT_STORE_PASSWORD,
	OPT_THUNDERBIRD_PROFILE,
	OPT_TRUST_CERT,
};

static const struct option long_opts[] = {
    {"protocol", required_argument, NULL, 'p'},
    {"security", required_argument, NULL, 's'},
    {"user", required_argument, NULL, 'u'},
    {"password-file", required_argument, NULL, OPT_PASSWORD_FILE},
    {"password-fd", required_argument, NULL, OPT_PASSWORD_FD},
    {"no-login", no_argument, NULL, OPT_NO_LOGIN},
    {"cafile", required_argument, NULL, OPT_CAFILE},
    {"trust-cert", required_argument, NULL, OPT_TRUST_CERT},
    {"timeout", required_argument, NULL, 't'},
    {"json", no_argument, NULL, OPT_JSON},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"allow-plaintext", no_argument, NULL, OPT_ALLOW_PLAINTEXT},
    {"from", required_argument, NULL, OPT_FROM},
    {"ehlo", required_argument, NULL, OPT_EHLO},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"force", no_argument, NULL, OPT_FORCE},
    {"ports", required_argument, NULL, OPT_PORTS},
    {"dns-server", required_argument, NULL, OPT_DNS_SERVER},
    {"ispdb-url", required_argument, NULL, OPT_ISPDB_URL},
    {"allow-http", no_argument, NULL, OPT_ALLOW_HTTP},
    {"resolve", required_argument, NULL, OPT_RESOLVE},
    {"connect-to", required_argument, NULL, OPT_CONNECT_TO},
    {"address", required_argument, NULL, OPT_ADDRESS},
    {"name", required_argument, NULL, OPT_NAME},
    {"imap", required_argument, NULL, OPT_IMAP},
    {"pop3", required_argument, NULL, OPT_POP3},
    {"smtp", required_argument, NULL, OPT_SMTP},
    {"incoming-security", required_argument, NULL, OPT_INCOMING_SECURITY},
    {"outgoing-security", required_argument, NULL, OPT_OUTGOING_SECURITY},
    {"from-json", required_argument, NULL, OPT_FROM_JSON},
    {"password-command", required_argument, NULL, OPT_PASSWORD_COMMAND},
    {"store-password", no_argument, NULL, OPT_STORE_PASSWORD},
    {"thunderbird-profile", required_argument, NULL, OPT_THUNDERBIRD_PROFILE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void face_verror(const char *cmd, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void face_verror(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "mailsetup %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
}

void face_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	face_verror(cmd, fmt, ap);
	va_end(ap);
}

void face_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	face_verror(cmd, fmt, ap);
	va_end(ap);
	fprintf(stderr, _("Try 'mailsetup --help' for more information.\n"));
}

static bool parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* The configuration file: "key = value" lines, '#' comments.  Values
 * live until exit (they are defaults for the options). */
static char *config_values[2];
static const char *const config_keys[] = {"ispdb-url", "dns-server"};

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* load_config: $MAILSETUP_CONFIG, else $XDG_CONFIG_HOME/mailsetup/config,
 * else ~/.config/mailsetup/config.  A missing file is no error; a line
 * that is not "key = value" or an unknown key is reported and ignored. */
static void load_config(const char *cmd, struct face_opts *o)
{
	char path[4096];
	const char *env = getenv("MAILSETUP_CONFIG"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	if (env)
		snprintf(path, sizeof path, "%s", env);
	else if (xdg && *xdg)
		snprintf(path, sizeof path, "%s/mailsetup/config", xdg);
	else if (home && *home)
		snprintf(path, sizeof path, "%s/.config/mailsetup/config", home);
	else
		return;
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno != ENOENT)
			face_error(cmd, _("cannot read %s: %s"), path, strerror(errno));
		return;
	}
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		n++;
		char *l = trim(line);
		if (!*l || *l == '#')
			continue;
		char *eq = strchr(l, '=');
		size_t k = 0;
		if (eq) {
			*eq = '\0';
			char *key = trim(l), *val = trim(eq + 1);
			for (k = 0; k < sizeof config_keys / sizeof config_keys[0]; k++)
				if (strcmp(key, config_keys[k]) == 0 && *val) {
					free(config_values[k]);
					config_values[k] = xstrdup(val);
					break;
				}
		}
		if (!eq || k == sizeof config_keys / sizeof config_keys[0])
			face_error(
			    cmd,
			    _("%s:%d: ignored (expected ispdb-url = URL or dns-server = ADDR)"),
			    path, n);
	}
	fclose(f);
	o->ispdb_url = config_values[0];
	o->dns_server = config_values[1];
}

int face_parse(const char *cmd, int argc, char **argv, struct face_opts *o)
{
	memset(o, 0, sizeof *o);
	o->password_fd = -1;
	o->timeout_s = PROBE_DEFAULT_TIMEOUT_MS / 1000;
	load_config(cmd, o); /* defaults; the command line overrides them */
	optind = 1;
	opterr = 0;
	int c;
	long v;
	while ((c = getopt_long(argc, argv, ":p:s:u:t:qvh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->protocol = optarg;
			break;
		case 's':
			o->security = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case OPT_PASSWORD_FILE:
			o->password_file = optarg;
			break;
		case OPT_PASSWORD_FD:
			if (!parse_int(optarg, 0, INT_MAX, &v)) {
				face_usage_error(cmd,
				                 _("--password-fd needs a file descriptor number"));
				return -1;
			}
			o->password_fd = (int)v;
			break;
		case OPT_NO_LOGIN:
			o->no_login = true;
			break;
		case OPT_CAFILE:
			o->cafile = optarg;
			break;
		case OPT_TRUST_CERT:
			if (strcmp(cmd, "probe") != 0) {
				/* A pin is for one host and port: one probe. */
				face_usage_error(cmd, _("--trust-cert is an option of probe only"));
				return -1;
			}
			if (!tls_pin_parse(optarg, o->trust_cert)) {
				face_usage_error(cmd,
				                 _("--trust-cert needs a SHA-256 fingerprint: 64 "
				                   "hexadecimal digits, colons allowed"));
				return -1;
			}
			break;
		case 't':
			if (!parse_int(optarg, 1, 3600, &v)) {
				face_usage_error(
				    cmd, _("--timeout needs a number of seconds (1 to 3600)"));
				return -1;
			}
			o->timeout_s = (int)v;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case OPT_ALLOW_PLAINTEXT:
			o->allow_plaintext = true;
			break;
		case OPT_FROM:
			o->from = optarg;
			break;
		case OPT_EHLO:
			o->ehlo = optarg;
			break;
		case OPT_FORMAT:
			o->format = optarg;
			break;
		case OPT_OUTPUT:
			o->output = optarg;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_PORTS:
			o->ports = optarg;
			break;
		case OPT_DNS_SERVER:
			o->dns_server = optarg;
			break;
		case OPT_ISPDB_URL:
			o->ispdb_url = optarg;
			break;
		case OPT_ALLOW_HTTP:
			o->allow_http = true;
			break;
		case OPT_RESOLVE:
		case OPT_CONNECT_TO: {
			struct ms_err e;
			err_clear(&e);
			bool good = c == OPT_RESOLVE
			                ? net_override_add_resolve(&o->overrides, optarg, &e)
			                : net_override_add_connect_to(&o->overrides, optarg, &e);
			if (!good) {
				face_usage_error(cmd, "%s", e.msg);
				net_overrides_free(&o->overrides);
				return -1;
			}
			break;
		}
		case OPT_ADDRESS:
			o->address = optarg;
			break;
		case OPT_NAME:
			o->name = optarg;
			break;
		case OPT_IMAP:
			o->imap = optarg;
			break;
		case OPT_POP3:
			o->pop3 = optarg;
			break;
		case OPT_SMTP:
			o->smtp = optarg;
			break;
		case OPT_INCOMING_SECURITY:
			o->incoming_security = optarg;
			break;
		case OPT_OUTGOING_SECURITY:
			o->outgoing_security = optarg;
			break;
		case OPT_FROM_JSON:
			o->from_json = optarg;
			break;
		case OPT_PASSWORD_COMMAND:
			o->password_command = optarg;
			break;
		case OPT_STORE_PASSWORD:
			o->store_password = true;
			break;
		case OPT_THUNDERBIRD_PROFILE:
			o->thunderbird_profile = optarg;
			break;
		case 'h':
			printf(_("Usage: mailsetup %s [OPTIONS] ...  (see 'mailsetup --help')\n"),
			       cmd);
			exit(EXIT_OK);
		case ':':
			face_usage_error(cmd, _("option '%s' needs an argument"), argv[optind - 1]);
			net_overrides_free(&o->overrides);
			return -1;
		default:
			face_usage_error(cmd, _("unknown option '%s'"), argv[optind - 1]);
			net_overrides_free(&o->overrides);
			return -1;
		}
	}
	return optind;
}
