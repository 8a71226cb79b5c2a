/* folders.h - the special-use folders of an IMAP account (RFC 6154),
 * from the LIST responses after a login.  Pure functions, exposed for the
 * IMAP probe and the unit tests. */
#ifndef MS_PROBE_FOLDERS_H
#define MS_PROBE_FOLDERS_H

#include "probe/probe.h"

#include <stdbool.h>
#include <stddef.h>

/* A mailbox name longer than this is not one a person chose; skipped. */
#define FOLDER_NAME_MAX 1000
/* LIST lines read after a login: an account with more folders than this
 * is cut short (the special-use ones usually come first anyway). */
#define FOLDER_LIST_MAX_LINES 20000

/* imap_mutf7_decode: an IMAP mailbox name (modified UTF-7, RFC 3501
 * 5.1.3: "&" base64-of-UTF-16 "-", "&-" for "&") as UTF-8, malloc'ed;
 * NULL when it is not valid modified UTF-7 or decodes to a control
 * character. */
char *imap_mutf7_decode(const char *s, size_t n);

enum folder_flag {
	FOLDER_SENT = 1 << 0,
	FOLDER_DRAFTS = 1 << 1,
	FOLDER_TRASH = 1 << 2,
	FOLDER_JUNK = 1 << 3,
	FOLDER_ARCHIVE = 1 << 4,
	FOLDER_NOSELECT = 1 << 5, /* \Noselect or \NonExistent */
};

/* imap_list_line: parse one "* LIST (attributes) delimiter mailbox"
 * line.  Returns false when it is not a LIST line.  On true, *flags holds
 * the attributes; the mailbox name is in *name (raw, still modified
 * UTF-7, malloc'ed) or, when it comes as a literal {N}, *name is NULL and
 * *literal is N (the name is the start of the next line). */
bool imap_list_line(const char *line, size_t len, unsigned *flags, char **name, size_t *literal);

/* A scan of LIST responses. */
struct folder_scan {
	struct ms_folders f;
	int guess_rank[5]; /* best common-name match per role, 0: none */
	char *guess[5];
	size_t lines;
	bool marked; /* at least one special-use attribute was seen */
};
/* folder_scan_add: one mailbox (raw modified UTF-7 name) with its flags. */
void folder_scan_add(struct folder_scan *s, unsigned flags, const char *raw, size_t n);
/* folder_scan_finish: move the result to out (listed set; the common
 * names used only when no folder was marked, then guessed set); frees s. */
void folder_scan_finish(struct folder_scan *s, struct ms_folders *out);
void folder_scan_free(struct folder_scan *s);

#endif
