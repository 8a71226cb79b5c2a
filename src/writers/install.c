/* install.c - the account into mutt's, neomutt's and msmtp's own
 * configuration, and what every install shares (contract in writers.h).
 *
 * Nothing here runs a client or executes a configuration: the files are
 * read as text, one line added or one block replaced, and written back
 * through safe_write_backup().
 */
#include "config.h"

#include "writers/writers.h"

#include "base/alloc.h"
#include "base/i18n.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Backups FILE.mailsetup-bak, -bak.2 ... up to this many; then refuse
 * rather than overwrite one. */
#define INSTALL_MAX_BACKUPS 99

void install_report_free(struct install_report *r)
{
	for (size_t i = 0; i < r->nchanges; i++) {
		free(r->changes[i].file);
		free(r->changes[i].backup);
		free(r->changes[i].what);
	}
	free(r->changes);
	for (size_t i = 0; i < r->ntodo; i++)
		free(r->todo[i]);
	free(r->todo);
	memset(r, 0, sizeof *r);
}

void install_report_todo(struct install_report *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct buf b = {0};
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	r->todo = xrealloc(r->todo, (r->ntodo + 1) * sizeof *r->todo);
	r->todo[r->ntodo++] = buf_steal(&b);
}

static void report_add(struct install_report *r, const char *file, enum install_action action,
                       const char *backup, const char *what)
{
	r->changes = xrealloc(r->changes, (r->nchanges + 1) * sizeof *r->changes);
	struct install_change *c = &r->changes[r->nchanges++];
	c->file = xstrdup(file);
	c->action = action;
	c->backup = backup ? xstrdup(backup) : NULL;
	c->what = xstrdup(what ? what : "");
}

char *install_real_path(const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char *real = realpath(path, NULL);
		if (real)
			return real;
	}
	return xstrdup(path);
}

/* mkdirs: the parent folders of path, mode 0700 for new ones. */
static bool mkdirs(const char *path, struct ms_err *err)
{
	char *d = xstrdup(path);
	char *slash = strrchr(d, '/');
	bool ok = true;
	if (slash && slash != d) {
		*slash = '\0';
		for (char *p = d + 1;; p++) {
			if (*p == '/' || *p == '\0') {
				char c = *p;
				*p = '\0';
				if (mkdir(d, 0700) != 0 && errno != EEXIST) {
					err_set(err, ERR_LOCAL,
					        _("cannot create the folder %s: %s"), d,
					        strerror(errno));
					ok = false;
					break;
				}
				*p = c;
				if (!c)
					break;
			}
		}
	}
	free(d);
	return ok;
}

static char *backup_name(const char *path)
{
	for (int i = 1; i <= INSTALL_MAX_BACKUPS; i++) {
		char *b = i == 1 ? xasprintf("%s.mailsetup-bak", path)
		                 : xasprintf("%s.mailsetup-bak.%d", path, i);
		struct stat st;
		if (lstat(b, &st) != 0 && errno == ENOENT)
			return b;
		free(b);
	}
	return NULL;
}

bool install_file(const char *path, const char *old, const char *text, bool secret,
                  const char *what, struct install_report *r, struct ms_err *err)
{
	if (old && strcmp(old, text) == 0) {
		report_add(r, path, INSTALL_UNCHANGED, NULL, what);
		return true;
	}
	if (!mkdirs(path, err))
		return false;
	char *bak = NULL;
	if (old) {
		bak = backup_name(path);
		if (!bak) {
			err_set(err, ERR_LOCAL,
			        _("cannot write %s: %d backups of it exist already; remove old "
			          "%s.mailsetup-bak* files"),
			        path, INSTALL_MAX_BACKUPS, path);
			return false;
		}
	}
	bool ok = safe_write_backup(path, text, strlen(text), secret, bak, err);
	if (ok)
		report_add(r, path, old ? INSTALL_CHANGED : INSTALL_CREATED, bak, what);
	free(bak);
	return ok;
}

/* read_config: the file's text (NULL and *missing when it does not
 * exist); false with err set when it exists but cannot be read. */
static bool read_config(const char *path, char **text, struct ms_err *err)
{
	*text = clients_read_file(path, INSTALL_FILE_MAX, NULL);
	if (*text || errno == ENOENT)
		return true;
	err_set(err, ERR_LOCAL, _("cannot read %s: %s"), path, strerror(errno));
	return false;
}

/* file_name_of: the address as a file name ('/' cannot be in one). */
static char *file_name_of(const char *address)
{
	char *s = xstrdup(address);
	for (char *p = s; *p; p++)
		if (*p == '/' || (p == s && *p == '.'))
			*p = '_';
	return s;
}

/* ---- mutt / neomutt ------------------------------------------------- */

/* reads_mutt_file: neomutt fell back to one of mutt's files. */
static bool reads_mutt_file(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return strcmp(base, ".muttrc") == 0 || strcmp(base, "muttrc") == 0;
}

/* has_source_line: a line of text already sources path (as written by
 * us, or by the person in ~ form). */
static bool has_source_line(const char *text, const char *quoted, const char *tilde)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		const char *s = line;
		line = end ? end + 1 : NULL;
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		if (n < 7 || strncmp(s, "source", 6) != 0 || (s[6] != ' ' && s[6] != '\t'))
			continue;
		char *l = xstrndup(s + 7, n - 7);
		char *a = l;
		while (*a == ' ' || *a == '\t')
			a++;
		size_t al = strlen(a);
		while (al && (a[al - 1] == ' ' || a[al - 1] == '\t' || a[al - 1] == '\r'))
			a[--al] = '\0';
		bool same = strcmp(a, quoted) == 0 || strcmp(a, tilde) == 0;
		if (!same && al >= 2 && (a[0] == '"' || a[0] == '\'') && a[al - 1] == a[0]) {
			a[al - 1] = '\0';
			same = strcmp(a + 1, tilde) == 0;
		}
		free(l);
		if (same)
			return true;
	}
	return false;
}

bool install_mutt(const struct account *a, const struct client_env *e, enum client_kind k,
                  struct install_report *r, struct ms_err *err)
{
	const char *client = clients_name(k);
	bool exists;
	char *rc_found = clients_config_file(e, k, &exists);
	char *rc = install_real_path(rc_found);
	free(rc_found);
	enum client_kind folder_of =
	    k == CLIENT_NEOMUTT && exists && reads_mutt_file(rc) ? CLIENT_MUTT : k;
	char *dir = clients_config_dir(e, folder_of);
	char *fname = file_name_of(a->address);
	char *acct = xasprintf("%s/accounts/%s.muttrc", dir, fname);
	char *secret_path = xasprintf("%s.password", acct);
	free(fname);
	free(dir);

	bool ok = false;
	char *old_rc = NULL, *old_acct = NULL, *old_secret = NULL;
	struct buf text = {0}, secret = {0}, newrc = {0}, q = {0};
	struct account tmp = *a; /* shallow: only password_file differs */
	tmp.password_file = secret_path;
	if (!read_config(rc, &old_rc, err) || !read_config(acct, &old_acct, err))
		goto out;
	if (!write_muttrc(&tmp, NULL, &text, err))
		goto out;
	if (a->password_mode == PASSWORD_STORED) {
		if (!read_config(secret_path, &old_secret, err) ||
		    !write_muttrc_secret(&tmp, &secret, err))
			goto out;
		/* The secret first: the account file must never name a missing file. */
		if (!install_file(secret_path, old_secret, secret.data, true,
		                  _("the password (mode 0600)"), r, err))
			goto out;
	}
	char *what = xasprintf(_("the %s account %s"), client, a->address);
	ok = install_file(acct, old_acct, text.data, false, what, r, err);
	free(what);
	if (!ok)
		goto out;

	muttrc_quote(&q, acct);
	char *tilde = clients_tilde(e, acct);
	bool present = old_rc && has_source_line(old_rc, q.data, tilde);
	free(tilde);
	if (old_rc)
		buf_adds(&newrc, old_rc);
	if (!present) {
		if (newrc.len && newrc.data[newrc.len - 1] != '\n')
			buf_addc(&newrc, '\n');
		if (newrc.len)
			buf_addc(&newrc, '\n');
		buf_adds(&newrc, "# ");
		buf_addf(&newrc,
		         _("mailsetup: the account %s (delete these two lines to remove it)"),
		         a->address);
		buf_addf(&newrc, "\nsource %s\n", q.data);
	}
	what = xasprintf(_("reads the %s account file (one source line)"), a->address);
	ok = install_file(rc, old_rc, newrc.data ? newrc.data : "", false, what, r, err);
	free(what);
	if (ok && a->password_mode == PASSWORD_NONE)
		install_report_todo(r, _("%s asks for the password of %s when it starts."), client,
		                    a->address);
out:
	buf_free(&text);
	buf_cleanse(&secret);
	buf_free(&newrc);
	buf_free(&q);
	free(old_rc);
	free(old_acct);
	if (old_secret) {
		explicit_bzero(old_secret, strlen(old_secret));
		free(old_secret);
	}
	free(rc);
	free(acct);
	free(secret_path);
	return ok;
}

/* ---- msmtp ------------------------------------------------------------ */

/* msmtp_account_line: the name of an "account NAME [: ...]" line, or
 * NULL; *defaults for a "defaults" line. */
static char *msmtp_account_line(const char *s, size_t n, bool *defaults)
{
	*defaults = false;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n >= 8 && strncmp(s, "defaults", 8) == 0 && (n == 8 || s[8] == ' ' || s[8] == '\t')) {
		*defaults = true;
		return NULL;
	}
	if (n < 8 || strncmp(s, "account", 7) != 0 || (s[7] != ' ' && s[7] != '\t'))
		return NULL;
	s += 8, n -= 8;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	size_t e = n;
	const char *colon = memchr(s, ':', n);
	if (colon && s[0] != '"')
		e = (size_t)(colon - s);
	while (e && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	if (e >= 2 && s[0] == '"' && s[e - 1] == '"')
		return xstrndup(s + 1, e - 2);
	return xstrndup(s, e);
}

static bool is_comment_or_blank(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++, n--;
	return n == 0 || *s == '#';
}

/* msmtp_replace: text with the block of account name replaced by block
 * (or block appended).  The block runs from its account line to the next
 * account/defaults line, less the comments and blank lines just before
 * that one (they belong to it); our own comment line just above the
 * account line goes with the block. */
static char *msmtp_replace(const char *text, const char *name, const char *block)
{
	/* Index the lines. */
	size_t nl = 0, cap = 0;
	const char **ls = NULL;
	size_t *ln = NULL;
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p + 1) : strlen(p);
		if (nl == cap) {
			cap = cap ? cap * 2 : 64;
			ls = xrealloc(ls, cap * sizeof *ls);
			ln = xrealloc(ln, cap * sizeof *ln);
		}
		ls[nl] = p;
		ln[nl++] = n;
		p += n;
	}
	size_t start = nl, end = nl;
	for (size_t i = 0; i < nl && start == nl; i++) {
		bool def;
		char *acc = msmtp_account_line(ls[i], ln[i], &def);
		if (acc && strcmp(acc, name) == 0)
			start = i;
		free(acc);
	}
	struct buf out = {0};
	if (start == nl) {
		buf_adds(&out, text);
		if (out.len && out.data[out.len - 1] != '\n')
			buf_addc(&out, '\n');
		if (out.len)
			buf_addc(&out, '\n');
		buf_adds(&out, block);
		goto done;
	}
	for (end = start + 1; end < nl; end++) {
		bool def;
		char *acc = msmtp_account_line(ls[end], ln[end], &def);
		bool is_account = acc != NULL;
		free(acc);
		if (is_account || def)
			break;
	}
	if (end < nl)
		while (end > start + 1 && is_comment_or_blank(ls[end - 1], ln[end - 1]))
			end--;
	/* Our own comment line just above. */
	if (start > 0 && ls[start - 1][0] == '#' &&
	    memmem(ls[start - 1], ln[start - 1], "mailsetup", 9))
		start--;
	for (size_t i = 0; i < start; i++)
		buf_add(&out, ls[i], ln[i]);
	if (out.len && out.data[out.len - 1] != '\n')
		buf_addc(&out, '\n');
	buf_adds(&out, block);
	if (end < nl) {
		const char *t = ls[end];
		while (*t == ' ' || *t == '\t' || *t == '\r')
			t++;
		if (*t != '\n')
			buf_addc(&out, '\n');
		for (size_t i = end; i < nl; i++)
			buf_add(&out, ls[i], ln[i]);
	}
done:
	free(ls);
	free(ln);
	return out.data ? buf_steal(&out) : xstrdup("");
}

bool install_msmtp(const struct account *a, const struct client_env *e, struct install_report *r,
                   struct ms_err *err)
{
	bool exists;
	char *found = clients_config_file(e, CLIENT_MSMTP, &exists);
	char *rc = install_real_path(found);
	free(found);
	char *dir = clients_config_dir(e, CLIENT_MSMTP);
	char *fname = file_name_of(a->address);
	char *secret_path = xasprintf("%s/%s.password", dir, fname);
	free(fname);
	free(dir);
	bool ok = false;
	char *old = NULL, *old_secret = NULL, *newtext = NULL;
	struct buf block = {0}, secret = {0};
	struct account tmp = *a;
	tmp.password_file = secret_path;
	if (!read_config(rc, &old, err) || !write_msmtp(&tmp, NULL, &block, err))
		goto out;
	if (a->password_mode == PASSWORD_STORED) {
		if (!read_config(secret_path, &old_secret, err) ||
		    !write_msmtp_secret(&tmp, &secret, err) ||
		    !install_file(secret_path, old_secret, secret.data, true,
		                  _("the password (mode 0600)"), r, err))
			goto out;
	}
	newtext = msmtp_replace(old ? old : "", a->address, block.data);
	char *what = xasprintf(_("the msmtp account %s (msmtp -a %s)"), a->address, a->address);
	/* msmtp refuses a configuration others can read when it holds a
	 * password; 0600 always. */
	ok = install_file(rc, old, newtext, true, what, r, err);
	free(what);
	if (ok && a->password_mode == PASSWORD_NONE)
		install_report_todo(r,
		                    _("msmtp needs the password of %s: it asks on a terminal, or "
		                      "reads it from the keyring (secret-tool)."),
		                    a->address);
out:
	buf_free(&block);
	buf_cleanse(&secret);
	free(newtext);
	free(old);
	if (old_secret) {
		explicit_bzero(old_secret, strlen(old_secret));
		free(old_secret);
	}
	free(rc);
	free(secret_path);
	return ok;
}

const char *install_action_word(enum install_action a)
{
	switch (a) {
	case INSTALL_CREATED:
		/* TRANSLATORS: a file was created; the three words are padded to
		 * one width so that the file names after them line up. */
		return _("created  ");
	case INSTALL_CHANGED:
		return _("changed  ");
	default:
		return _("unchanged");
	}
}
