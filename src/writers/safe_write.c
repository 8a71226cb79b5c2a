/* safe_write.c - replace a file so that it is never half written.
 *
 * The contract is in writers.h.  The order of operations is what makes
 * it safe: everything that can fail (creating, writing, flushing the new
 * content) happens in a temporary file beside the target; the target is
 * only touched by rename(2), which is atomic within a directory.  A
 * process killed at any point leaves the old file (and at worst a stray
 * ".NAME.XXXXXX" temporary file) behind.
 */
#include "config.h"

#include "writers/writers.h"

#include "base/alloc.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* copy_file: the fall-back backup when a hard link is impossible. */
static bool copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return false;
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out < 0) {
		close(in);
		return false;
	}
	char buf[8192];
	ssize_t n;
	bool ok = true;
	while (ok && (n = read(in, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ok = false;
			break;
		}
		ok = write_all(out, buf, (size_t)n);
	}
	int e = errno;
	close(in);
	if (close(out) != 0)
		ok = false;
	if (!ok) {
		unlink(to);
		errno = e;
	}
	return ok;
}

static mode_t current_umask(void)
{
	mode_t m = umask(077);
	umask(m);
	return m;
}

static void test_pause(void)
{
	const char *s = getenv("MAILSETUP_TEST_PAUSE_BEFORE_RENAME");
	if (s && *s) {
		unsigned n = (unsigned)strtoul(s, NULL, 10);
		while (n)
			n = sleep(n);
	}
}

/* write_replace: the common body.  bak: where the old content goes
 * (replace_bak: an older file of that name is replaced), or NULL to keep
 * no copy. */
static bool write_replace(const char *path, const char *data, size_t len, bool force, bool secret,
                          const char *bak_name, bool replace_bak, struct ms_err *err);

bool safe_write(const char *path, const char *data, size_t len, bool force, bool secret,
                struct ms_err *err)
{
	char *bak = xasprintf("%s.bak", path);
	bool ok = write_replace(path, data, len, force, secret, bak, true, err);
	free(bak);
	return ok;
}

bool safe_write_backup(const char *path, const char *data, size_t len, bool secret,
                       const char *backup, struct ms_err *err)
{
	return write_replace(path, data, len, true, secret, backup, false, err);
}

static bool write_replace(const char *path, const char *data, size_t len, bool force, bool secret,
                          const char *bak_name, bool replace_bak, struct ms_err *err)
{
	struct stat old;
	bool exists = lstat(path, &old) == 0;
	if (exists && S_ISDIR(old.st_mode)) {
		err_set(err, ERR_LOCAL, _("cannot write %s: it is a directory"), path);
		return false;
	}
	if (exists && !force) {
		err_set(err, ERR_LOCAL,
		        _("%s already exists; it was left as it is (use --force to replace it, "
		          "keeping a copy as %s.bak)"),
		        path, path);
		return false;
	}

	const char *slash = strrchr(path, '/');
	char *tmp = slash ? xasprintf("%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1)
	                  : xasprintf(".%s.XXXXXX", path);
	if (slash == path) /* a file in "/" */
		memmove(tmp, tmp + 1, strlen(tmp));
	char *bak = NULL;
	const char *step = NULL;
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		err_set(err, ERR_LOCAL,
		        _("cannot write %s: cannot create a file in its directory: %s"), path,
		        strerror(e));
		free(tmp);
		return false;
	}
	mode_t mode = secret ? 0600 : (0666 & ~current_umask());
	if (exists && S_ISREG(old.st_mode))
		mode &= old.st_mode & 0777; /* never wider than what was there */

	if (fchmod(fd, mode) != 0)
		step = "chmod";
	else if (!write_all(fd, data, len))
		step = "write";
	else if (fsync(fd) != 0)
		step = "fsync";
	int e = errno;
	if (close(fd) != 0 && !step) {
		step = "close";
		e = errno;
	}
	if (step)
		goto fail;

	test_pause();

	if (exists && bak_name) {
		bak = xstrdup(bak_name);
		if (replace_bak && unlink(bak) != 0 && errno != ENOENT) {
			step = "backup";
			e = errno;
			goto fail;
		}
		/* A hard link keeps the old content under the new name without
		 * a moment in which neither name has it. */
		if (link(path, bak) != 0 && !copy_file(path, bak, old.st_mode & 0777)) {
			step = "backup";
			e = errno;
			goto fail;
		}
	}
	if (rename(tmp, path) != 0) {
		step = "rename";
		e = errno;
		goto fail;
	}
	/* Make the rename itself durable. */
	char *dir =
	    slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
	free(tmp);
	free(bak);
	return true;

fail:
	unlink(tmp);
	if (strcmp(step, "backup") == 0)
		err_set(err, ERR_LOCAL, _("cannot write %s: cannot keep the old file as %s: %s"),
		        path, bak, strerror(e));
	else
		err_set(err, ERR_LOCAL, _("cannot write %s (%s failed): %s; nothing was changed"),
		        path, step, strerror(e));
	free(tmp);
	free(bak);
	return false;
}
