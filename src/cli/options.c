/* options.c - the common command-line options and the password sources. */
#include "config.h"

#include "base/alloc.h"
#include "base/i18n.h"
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
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
	OPT_INSTALL,
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
    {"install", no_argument, NULL, OPT_INSTALL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void cli_verror(const char *cmd, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void cli_verror(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "mailsetup %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
}

void cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_verror(cmd, fmt, ap);
	va_end(ap);
}

void cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_verror(cmd, fmt, ap);
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
static void load_config(const char *cmd, struct cli_opts *o)
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
			cli_error(cmd, _("cannot read %s: %s"), path, strerror(errno));
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
			cli_error(
			    cmd,
			    _("%s:%d: ignored (expected ispdb-url = URL or dns-server = ADDR)"),
			    path, n);
	}
	fclose(f);
	o->ispdb_url = config_values[0];
	o->dns_server = config_values[1];
}

int cli_parse(const char *cmd, int argc, char **argv, struct cli_opts *o)
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
				cli_usage_error(cmd,
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
				cli_usage_error(cmd, _("--trust-cert is an option of probe only"));
				return -1;
			}
			if (!tls_pin_parse(optarg, o->trust_cert)) {
				cli_usage_error(cmd,
				                _("--trust-cert needs a SHA-256 fingerprint: 64 "
				                  "hexadecimal digits, colons allowed"));
				return -1;
			}
			break;
		case 't':
			if (!parse_int(optarg, 1, 3600, &v)) {
				cli_usage_error(
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
				cli_usage_error(cmd, "%s", e.msg);
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
		case OPT_INSTALL:
			o->install = true;
			break;
		case 'h':
			printf(_("Usage: mailsetup %s [OPTIONS] ...  (see 'mailsetup --help')\n"),
			       cmd);
			exit(EXIT_OK);
		case ':':
			cli_usage_error(cmd, _("option '%s' needs an argument"), argv[optind - 1]);
			net_overrides_free(&o->overrides);
			return -1;
		default:
			cli_usage_error(cmd, _("unknown option '%s'"), argv[optind - 1]);
			net_overrides_free(&o->overrides);
			return -1;
		}
	}
	return optind;
}

/* read_secret_line: the first line of fd, without its line end. */
static char *read_secret_line(int fd, const char *what)
{
	char buf[1024];
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || buf[n] == '\n')
			break;
		if (++n == sizeof buf - 1) {
			OPENSSL_cleanse(buf, sizeof buf);
			fprintf(stderr, _("mailsetup: the password from %s is too long\n"), what);
			return NULL;
		}
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	char *s = xstrdup(buf);
	OPENSSL_cleanse(buf, sizeof buf);
	return s;
}

static char *prompt_password(const char *user, const char *where)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct termios old, quiet;
	if (tcgetattr(fd, &old) != 0) {
		close(fd);
		return NULL;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	dprintf(fd, _("Password for %s at %s: "), user, where);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	char *s = read_secret_line(fd, _("the terminal"));
	tcsetattr(fd, TCSAFLUSH, &old);
	dprintf(fd, "\n");
	close(fd);
	return s;
}

char *cli_read_password(const struct cli_opts *o, const char *user, const char *where)
{
	if (o->password_fd >= 0) {
		char *s = read_secret_line(o->password_fd, "--password-fd");
		return s;
	}
	if (o->password_file) {
		int fd = open(o->password_file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, _("mailsetup: cannot read the password file %s: %s\n"),
			        o->password_file, strerror(errno));
			return NULL;
		}
		char *s = read_secret_line(fd, o->password_file);
		close(fd);
		return s;
	}
	const char *env = getenv("MAILSETUP_PASSWORD");
	if (env)
		return xstrdup(env);
	char *s = isatty(STDIN_FILENO) ? prompt_password(user, where) : NULL;
	if (!s)
		fprintf(stderr,
		        _("mailsetup: no password for %s: use --password-file, --password-fd, "
		          "MAILSETUP_PASSWORD, or --no-login\n"),
		        user);
	return s;
}

void cli_now_iso(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool cli_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && strcmp(cs, "UTF-8") == 0;
}

const char *cli_mark(bool ok)
{
	if (cli_utf8())
		return ok ? "\xe2\x9c\x93" : "\xe2\x9c\x97"; /* check mark, ballot x */
	return ok ? "ok" : "FAIL";
}

enum exit_code cli_exit_for(const struct probe_result *r)
{
	if (r->ok)
		return EXIT_OK;
	switch (r->cause) {
	case DIAG_DNS_FAILURE:
	case DIAG_CONNECTION_REFUSED:
	case DIAG_CONNECTION_TIMEOUT:
	case DIAG_CONNECTION_CLOSED:
		return EXIT_NETWORK;
	case DIAG_CERT_HOSTNAME_MISMATCH:
	case DIAG_CERT_EXPIRED:
	case DIAG_CERT_NOT_YET_VALID:
	case DIAG_CERT_SELF_SIGNED:
	case DIAG_CERT_UNTRUSTED:
	case DIAG_CERT_INCOMPLETE_CHAIN:
	case DIAG_CERT_CHANGED:
	case DIAG_TLS_HANDSHAKE_FAILED:
	case DIAG_TLS_VERSION_OLD:
		return EXIT_TLS;
	case DIAG_AUTH_FAILED:
		return EXIT_AUTH;
	case DIAG_PLAINTEXT_REFUSED:
		return r->err.cat == ERR_USAGE ? EXIT_USAGE : EXIT_CHECK_FAILED;
	default:
		return r->err.cat == ERR_LOCAL ? EXIT_LOCAL : EXIT_CHECK_FAILED;
	}
}

/* read_fd: all of fd into out, at most max bytes (then EFBIG). */
static bool read_fd(int fd, size_t max, struct buf *out)
{
	char chunk[8192];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (n == 0)
			return true;
		if (out->len + (size_t)n > max) {
			errno = EFBIG;
			return false;
		}
		buf_add(out, chunk, (size_t)n);
	}
}

bool cli_read_file(const char *path, size_t max, struct buf *out)
{
	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, max, out);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = read_fd(fd, max, out);
	int e = errno;
	close(fd);
	errno = e;
	return ok;
}
