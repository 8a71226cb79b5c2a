/* writers.h - account settings in the formats mail clients read.
 *
 * One writer per format behind one interface (STYLE.md: tables over
 * branches): writer_find("mutt")->write(...) renders an account into a
 * buffer; writing the buffer to disk is safe_write()'s job, never the
 * writer's.  Every value taken from the account is escaped for the
 * format (muttrc double-quoted strings, XML entities, JavaScript string
 * escapes, msmtprc quoting); account_validate() is expected to have
 * passed, but a writer stays safe without it.
 */
#ifndef MS_WRITERS_H
#define MS_WRITERS_H

#include "account.h"
#include "base/buf.h"
#include "base/err.h"
#include "clients/clients.h"

#include <stdbool.h>
#include <sys/types.h>

/* What a Thunderbird profile already holds (thunderbird_profile_scan). */
struct tb_profile {
	char *accounts;        /* mail.accountmanager.accounts, NULL if unset */
	char *smtpservers;     /* mail.smtpservers, NULL if unset */
	char *default_account; /* mail.accountmanager.defaultaccount */
	char **keys;           /* every account/server/identity/smtp key in use */
	size_t nkeys;
};

/* Extra input for a writer beyond the account itself. */
struct writer_opts {
	/* thunderbird: the profile being extended, or NULL for a new one. */
	const struct tb_profile *profile;
	/* text: when the settings were generated ("" or NULL: not shown). */
	const char *generated_at;
};

struct writer {
	const char *name;        /* --format value */
	const char *description; /* N_() marked; translate on display */
	/* Formats whose output can carry a password command or a stored
	 * password (mutt, neomutt, msmtp); the others refuse both. */
	bool password_capable;
	/* write: append the rendering of a to out.  Returns false with err
	 * set when the account cannot be expressed in this format. */
	bool (*write)(const struct account *a, const struct writer_opts *o, struct buf *out,
	              struct ms_err *err);
	/* write_secret: the separate mode-0600 file for PASSWORD_STORED
	 * (NULL: the format has none). */
	bool (*write_secret)(const struct account *a, struct buf *out, struct ms_err *err);
};

extern const struct writer writers[];
extern const size_t writers_count;
/* writer_find: by --format name, or NULL. */
const struct writer *writer_find(const char *name);

/* The writers (one file each). */
bool write_muttrc(const struct account *a, const struct writer_opts *o, struct buf *out,
                  struct ms_err *err);
bool write_muttrc_secret(const struct account *a, struct buf *out, struct ms_err *err);
bool write_thunderbird_prefs(const struct account *a, const struct writer_opts *o, struct buf *out,
                             struct ms_err *err);
bool write_autoconfig(const struct account *a, const struct writer_opts *o, struct buf *out,
                      struct ms_err *err);
bool write_text(const struct account *a, const struct writer_opts *o, struct buf *out,
                struct ms_err *err);
bool write_msmtp(const struct account *a, const struct writer_opts *o, struct buf *out,
                 struct ms_err *err);
bool write_msmtp_secret(const struct account *a, struct buf *out, struct ms_err *err);

/* line_comment: prefix ("# ", "// ") before every line of a (translated)
 * text, so that a translation cannot leave a line outside the comment. */
void line_comment(struct buf *out, const char *prefix, const char *text);

/* Escapers, exposed for the tests.  Each appends s to out. */
/* muttrc: inside "...": \ " ` $ escaped, control characters as \ooo. */
void muttrc_quote(struct buf *out, const char *s);
/* URL user info: everything but unreserved characters as %XX ('@' %40). */
void url_userinfo(struct buf *out, const char *s);
/* XML text and attribute values: & < > " ' as entities; characters XML
 * 1.0 cannot hold and invalid UTF-8 become U+FFFD. */
void xml_escape(struct buf *out, const char *s);
/* JavaScript string literal contents for prefs files: \ " ' escaped,
 * control characters and U+2028/U+2029 as \uXXXX. */
void js_escape(struct buf *out, const char *s);
/* POSIX shell single-quoted word, quotes included. */
void sh_quote(struct buf *out, const char *s);

/* thunderbird_profile_scan: read the text of a profile's prefs.js into p
 * (lists and keys in use).  Never fails: what it cannot parse it skips. */
void thunderbird_profile_scan(const char *prefs_js, struct tb_profile *p);
void thunderbird_profile_free(struct tb_profile *p);

/* safe_write: write len bytes of data to path so that path holds either
 * its old content or all of the new one, whatever happens:
 *  - the data goes to a temporary file in path's directory, is flushed
 *    with fsync, and renamed over path (then the directory is synced);
 *  - an existing path is refused unless force; with force its old content
 *    stays in path + ".bak" (replacing an older .bak);
 *  - mode is 0600 when secret, else 0666 less the umask, and never wider
 *    than an existing file's;
 *  - on failure the temporary file is removed, path is untouched, and err
 *    (ERR_LOCAL) names the path and the reason.
 * For tests only: MAILSETUP_TEST_PAUSE_BEFORE_RENAME=N in the environment
 * sleeps N seconds between the fsync and the rename. */
bool safe_write(const char *path, const char *data, size_t len, bool force, bool secret,
                struct ms_err *err);
/* safe_write_backup: safe_write with force, except that the old content
 * (if any) is kept as backup, which must not exist yet (it is never
 * replaced), or not kept when backup is NULL. */
bool safe_write_backup(const char *path, const char *data, size_t len, bool secret,
                       const char *backup, struct ms_err *err);

/* ---- installing into the clients (DESIGN.md "Installing into the
 * clients") ------------------------------------------------------------
 * Each install merges the account into the configuration the client
 * really reads (clients/clients.h), through safe_write_backup: a changed
 * file keeps its old content as FILE.mailsetup-bak (or .mailsetup-bak.2,
 * ... when that exists: a backup is never overwritten).  Installing the
 * same account again replaces what the first install wrote; when nothing
 * would change, nothing is written.  Every file touched is reported. */
enum install_action { INSTALL_CREATED, INSTALL_CHANGED, INSTALL_UNCHANGED };
/* install_action_word: "created  ", "changed  ", "unchanged" (translated,
 * padded to one width so that the file names line up). */
const char *install_action_word(enum install_action a);

struct install_change {
	char *file; /* absolute path */
	enum install_action action;
	char *backup; /* the old content, or NULL (new or unchanged file) */
	char *what;   /* translated: what the file holds or got */
};

struct install_report {
	struct install_change *changes;
	size_t nchanges;
	char **todo; /* translated sentences: what is left for the person */
	size_t ntodo;
};
void install_report_free(struct install_report *r);
/* install_report_todo: add a sentence (printf format) to r->todo. */
void install_report_todo(struct install_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* install_thunderbird: add a to the profile's prefs.js (created when the
 * profile has none).  Refused (ERR_LOCAL, "close Thunderbird and try
 * again", nothing changed) while a Thunderbird holds the profile.  The
 * lists mail.accountmanager.accounts and mail.smtpservers get the new
 * keys appended, every other line stays byte for byte; an account this
 * profile already has for the same incoming server and user is replaced
 * when mailsetup wrote it, and left alone (reported unchanged) when not. */
bool install_thunderbird(const struct account *a, const char *profile_dir, struct install_report *r,
                         struct ms_err *err);
/* install_mutt: k is CLIENT_MUTT or CLIENT_NEOMUTT.  The account file
 * goes to the client's folder (accounts/ADDRESS.muttrc under $XDG/mutt,
 * or $XDG/neomutt when neomutt reads a file of its own), and one source
 * line for it into the file the client reads (created when none). */
bool install_mutt(const struct account *a, const struct client_env *e, enum client_kind k,
                  struct install_report *r, struct ms_err *err);
/* install_msmtp: the account block (named after the address) added to
 * the msmtp configuration, or replacing the block of that name; other
 * accounts untouched; mode 0600. */
bool install_msmtp(const struct account *a, const struct client_env *e, struct install_report *r,
                   struct ms_err *err);

/* install_file: write text to path as described above (parent folders
 * created, mode 0700), recording the change in r with what.  old is the
 * file's current content, or NULL when it does not exist. */
bool install_file(const char *path, const char *old, const char *text, bool secret,
                  const char *what, struct install_report *r, struct ms_err *err);
/* install_real_path: a symlinked configuration file (dotfile managers) is
 * written through to its target: the resolved path, malloc'ed. */
char *install_real_path(const char *path);

/* Largest configuration file an install reads. */
#define INSTALL_FILE_MAX (8u * 1024 * 1024)

#endif
