/* common.c - what the CLI commands share: the password sources, the
 * check marks of the text output, and the exit status of a probe. */
#include "config.h"

#include "base/alloc.h"
#include "base/i18n.h"
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

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

char *cli_read_password(const struct face_opts *o, const char *user, const char *where)
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

const char *cli_mark(bool ok)
{
	if (face_utf8())
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
