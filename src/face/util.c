/* util.c - small services both faces need: reading a file, the time
 * stamp, the terminal's character set and the width of a string. */
#include "config.h"

#include "base/i18n.h"
#include "face/face.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

void face_now_iso(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool face_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && strcmp(cs, "UTF-8") == 0;
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

bool face_read_file(const char *path, size_t max, struct buf *out)
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

int face_width(const char *s)
{
	mbstate_t st = {0};
	int cols = 0;
	while (*s) {
		wchar_t w;
		size_t n = mbrtowc(&w, s, strlen(s), &st);
		if (n == (size_t)-1 || n == (size_t)-2) { /* not in this locale: a byte a column */
			memset(&st, 0, sizeof st);
			cols++, s++;
			continue;
		}
		int cw = wcwidth(w);
		cols += cw < 0 ? 1 : cw;
		s += n ? n : 1;
	}
	return cols;
}

const char *face_step_label(const char *id)
{
	static const struct {
		const char *id, *label;
	} t[] = {
	    {"connect", N_("connect")},     {"tls", N_("TLS handshake")},
	    {"greeting", N_("greeting")},   {"capability", N_("capabilities")},
	    {"ehlo", N_("EHLO")},           {"starttls", N_("STARTTLS")},
	    {"login", N_("login")},         {"folders", N_("folders")},
	    {"mail-from", N_("MAIL FROM")}, {"rcpt-to", N_("RCPT TO")},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].id, id) == 0)
			return _(t[i].label);
	return id;
}
