/* readers.h - the setup a person already has, read back into servers.
 *
 * The mirror of writers/: one file per client configuration format
 * (muttrc, msmtprc, Thunderbird prefs.js, mbsyncrc, aerc accounts.conf)
 * turning the text of an existing configuration into the servers it
 * uses, each value with the file and line it came from, and, for a
 * server whose TLS mode or port turned out wrong, the exact edit of
 * those lines that sets it right.
 *
 * Contract for every reader:
 *  - pure: it works on the text given; the only file it ever asks for is
 *    a muttrc's `source`d file, through the caller's load callback;
 *  - nothing is executed: a value computed by a command (backticks, a
 *    `source "cmd |"`, an mbsync Tunnel, an aerc outgoing program) is
 *    reported as a note and skipped;
 *  - hostile input gives notes, never a crash: lines, files, servers and
 *    source depth are bounded.
 */
#ifndef MS_READERS_H
#define MS_READERS_H

#include "base/err.h"
#include "probe/probe.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rd_client { RD_MUTT, RD_MSMTP, RD_THUNDERBIRD, RD_MBSYNC, RD_AERC };

/* rd_client_name: stable: "mutt", "msmtp", "thunderbird", "mbsync", "aerc". */
const char *rd_client_name(enum rd_client c);

/* Bounds against hostile or runaway input. */
#define RD_MAX_FILE    (4u << 20) /* bytes of one configuration file */
#define RD_MAX_DEPTH   10         /* nested `source` (mutt's own limit is near) */
#define RD_MAX_FILES   64         /* files one configuration may pull in */
#define RD_MAX_SERVERS 256

/* A place in the configuration: files[file], line (1-based; 0: none). */
struct rd_pos {
	int file;
	int line;
};

struct rd_file {
	char *path; /* as given or resolved (for display and editing) */
	char *text; /* NUL-terminated copy */
	size_t len;
};

/* One server one account uses.  The *_at positions are where the reader
 * found each setting (line 0: not set, the client's default applies);
 * *_own says the line belongs to this account's own block (msmtp
 * inheritance, mutt hooks): only such a line may be edited for it. */
struct rd_server {
	char *account; /* the account's name in the file ("" if none) */
	enum ms_proto proto;
	char *host;
	uint16_t port;
	enum ms_security security;
	char *user;           /* NULL if not set */
	char *cafile;         /* trust file the client uses, NULL: system store */
	bool cafile_only;     /* the client trusts only cafile (msmtp) */
	char *pin;            /* a pinned fingerprint (msmtp tls_fingerprint), or NULL */
	struct rd_pos at;     /* the line that names the server */
	char *url;            /* mutt, aerc: the URL exactly as written */
	struct rd_pos sec_at; /* the line giving the TLS mode */
	bool sec_own;
	struct rd_pos tls_at; /* msmtp `tls`, mutt `ssl_starttls` */
	bool tls_own;
	bool tls_off;           /* msmtp tls off / mutt ssl_starttls no */
	struct rd_pos force_at; /* mutt `ssl_force_tls` */
	bool force_tls;         /* mutt ssl_force_tls yes */
	struct rd_pos port_at;
	bool port_own;
	struct rd_pos anchor; /* where a missing setting is inserted after */
	char *key;            /* thunderbird: "mail.server.server1"; mbsync: the
	                         keyword used for the mode (SSLType/TLSType) */
	bool in_hook;         /* mutt: set inside an account-/folder-hook */
};

/* A remark on the configuration: what was skipped and why. */
struct rd_note {
	struct rd_pos at;
	char *text; /* translated */
};

struct rd_config {
	enum rd_client client;
	struct rd_file *files; /* files[0] is the one read first */
	size_t nfiles;
	struct rd_server *servers;
	size_t nservers;
	struct rd_note *notes;
	size_t nnotes;
};

/* rd_load_fn: read path into a malloc'ed NUL-terminated *text of *len
 * bytes (at most RD_MAX_FILE); false with err set when it cannot. */
typedef bool (*rd_load_fn)(void *ctx, const char *path, char **text, size_t *len,
                           struct ms_err *err);

struct rd_env {
	const char *home; /* for "~" in muttrc paths; NULL: "~" not expanded */
	rd_load_fn load;  /* NULL: sourced files are noted, not read */
	void *ctx;
};

/* rd_read: read the configuration text of one file of the client's
 * format.  Never fails: what it cannot use becomes a note.  Free with
 * rd_config_free. */
struct rd_config *rd_read(enum rd_client client, const char *path, const char *text, size_t len,
                          const struct rd_env *env);
void rd_config_free(struct rd_config *c);

/* rd_sniff: the format of a file by its name, then by its text. */
enum rd_client rd_sniff(const char *path, const char *text, size_t len);

/* ---- edits ----------------------------------------------------------------- */

/* One changed line: line `line` of files[file], whose text (without the
 * line end) is old_text, becomes new_text, which may hold a "\n" when a
 * missing setting is inserted after the line. */
struct rd_edit {
	int file;
	int line;
	char *old_text;
	char *new_text;
};

struct rd_edits {
	struct rd_edit *v;
	size_t n;
};

/* rd_fix: the edits that make server s use security sec on port; false
 * (with *why, translated, static) when the file cannot express it by
 * changing its own lines (e.g. a value inherited from a shared block
 * another account also uses would need a new block). */
bool rd_fix(const struct rd_config *c, const struct rd_server *s, enum ms_security sec,
            uint16_t port, struct rd_edits *out, const char **why);
void rd_edits_free(struct rd_edits *e);

/* rd_apply: the text of one file with the edits for it applied (edits
 * for other files are ignored).  Fails with err when a line no longer
 * reads as old_text (the file changed since it was read).  Only the
 * edited lines change; every other byte is kept. */
char *rd_apply(const char *text, size_t len, int file, const struct rd_edits *e, size_t *outlen,
               struct ms_err *err);

/* rd_line: line `line` (1-based) of text, without its "\n" (a "\r" is
 * kept), malloc'ed; NULL past the end. */
char *rd_line(const char *text, size_t len, int line);

/* ---- helpers shared by the readers (internal) ------------------------------- */

/* A mail URL: scheme://[user@]host[:port][/path].  Offsets into the
 * string let a fix rewrite the scheme and port and keep the rest. */
struct rd_url {
	char scheme[24];
	char *user; /* percent-decoded, or NULL */
	char *host;
	uint16_t port; /* 0 when absent */
};
bool rd_url_parse(const char *s, struct rd_url *u);
void rd_url_free(struct rd_url *u);
/* rd_url_rewrite: s with its scheme replaced and, if port, its port set. */
char *rd_url_rewrite(const char *s, const char *scheme, uint16_t port);

/* Reader internals: adding files, servers and notes. */
int rd_add_file(struct rd_config *c, const char *path, const char *text, size_t len);
struct rd_server *rd_add_server(struct rd_config *c);
void rd_note(struct rd_config *c, int file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
bool rd_has_command(const char *v);

void rd_read_muttrc(struct rd_config *c, int file, const struct rd_env *env);
void rd_read_msmtprc(struct rd_config *c, int file);
void rd_read_prefs_js(struct rd_config *c, int file);
void rd_read_mbsyncrc(struct rd_config *c, int file);
void rd_read_aerc(struct rd_config *c, int file);

bool rd_fix_muttrc(const struct rd_config *c, const struct rd_server *s, enum ms_security sec,
                   uint16_t port, struct rd_edits *out, const char **why);
bool rd_fix_msmtprc(const struct rd_config *c, const struct rd_server *s, enum ms_security sec,
                    uint16_t port, struct rd_edits *out, const char **why);
bool rd_fix_prefs_js(const struct rd_config *c, const struct rd_server *s, enum ms_security sec,
                     uint16_t port, struct rd_edits *out, const char **why);
bool rd_fix_mbsyncrc(const struct rd_config *c, const struct rd_server *s, enum ms_security sec,
                     uint16_t port, struct rd_edits *out, const char **why);
bool rd_fix_aerc(const struct rd_config *c, const struct rd_server *s, enum ms_security sec,
                 uint16_t port, struct rd_edits *out, const char **why);

/* rd_edit_line: the edit of a line (created with the file's current line
 * as both old and new text on first use), whose new_text the caller
 * replaces; NULL if the line does not exist.  rd_fix drops edits that
 * end up unchanged. */
struct rd_edit *rd_edit_line(const struct rd_config *c, struct rd_edits *out, int file, int line);
/* rd_edit_insert_after: append a new line after line `line`. */
bool rd_edit_insert_after(const struct rd_config *c, struct rd_edits *out, struct rd_pos at,
                          const char *text);

/* Line iteration over a text with explicit length. */
struct rd_line {
	const char *s; /* not NUL-terminated */
	size_t len;    /* without "\n" and a trailing "\r" */
	int no;
};
bool rd_next_line(const char *text, size_t len, size_t *off, struct rd_line *l);
/* rd_keyword: split a "keyword value" line (msmtprc, mbsyncrc): false for
 * a blank line or a '#' comment; else *kw (*kwlen bytes) the first word, *rest
 * the value after the blanks that follow it, up to *end (the line's end). */
bool rd_keyword(const struct rd_line *l, const char **kw, size_t *kwlen, const char **rest,
                const char **end);

#endif
