/* test_folders.c - special-use folders from IMAP LIST lines (RFC 6154)
 * and modified UTF-7 mailbox names (RFC 3501 5.1.3). */
#include "config.h"

#include "probe/folders.h"

#include "tap.h"

#include <stdlib.h>
#include <string.h>

static void dec(const char *in, const char *want, const char *what)
{
	char *got = imap_mutf7_decode(in, strlen(in));
	is_str(got, want, "mUTF-7 %s: '%s'", what, in);
	free(got);
}

static void add(struct folder_scan *s, const char *line)
{
	unsigned flags;
	char *name;
	size_t lit;
	if (imap_list_line(line, strlen(line), &flags, &name, &lit) && name)
		folder_scan_add(s, flags, name, strlen(name));
	free(name);
}

int main(void)
{
	plan(31);
	dec("Sent", "Sent", "plain ASCII");
	dec("Brouillons &AOk-", "Brouillons \xc3\xa9", "&AOk- is e acute");
	dec("&-", "&", "&- is &");
	dec("Entw&APw-rfe",
	    "Entw\xc3\xbcrf"
	    "e",
	    "u umlaut inside a word");
	dec("&ZeVnLIqe-", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "three CJK characters");
	dec("&2D3eAA-", "\xf0\x9f\x98\x80", "a surrogate pair (U+1F600)");
	dec("&AOk", NULL, "unterminated");
	dec("&AOk_-", NULL, "a character outside modified base64");
	dec("&2D0-", NULL, "a lone high surrogate");
	dec("&AAo-", NULL, "an encoded line feed");
	dec("a\tb", NULL, "a raw control character");
	dec("\xc3\xa9", NULL, "raw 8-bit");
	dec("&AOkA-", NULL, "left-over bits that are not zero padding");

	unsigned flags;
	char *name;
	size_t lit;
	const char *l = "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"";
	ok(imap_list_line(l, strlen(l), &flags, &name, &lit) && flags == FOLDER_SENT && name &&
	       strcmp(name, "Sent Items") == 0,
	   "quoted name with \\Sent");
	free(name);
	l = "* list (\\noselect) \".\" INBOX.Archive";
	ok(imap_list_line(l, strlen(l), &flags, &name, &lit) && flags == FOLDER_NOSELECT && name &&
	       strcmp(name, "INBOX.Archive") == 0,
	   "atom name, lower-case keywords, \\Noselect");
	free(name);
	l = "* LIST (\\Drafts) NIL {7}";
	ok(imap_list_line(l, strlen(l), &flags, &name, &lit) && !name && lit == 7 &&
	       flags == FOLDER_DRAFTS,
	   "literal name announced with its size");
	l = "* LIST (\\Junk) \"/\" {99999999}";
	ok(!imap_list_line(l, strlen(l), &flags, &name, &lit), "a huge literal is refused");
	l = "* LIST (\\Trash \"/\" \"x\"";
	ok(!imap_list_line(l, strlen(l), &flags, &name, &lit),
	   "no closing parenthesis: not parsed");
	l = "* LIST (\\Trash) \"/\" \"a\\\"b\"";
	ok(imap_list_line(l, strlen(l), &flags, &name, &lit) && name && strcmp(name, "a\"b") == 0,
	   "backslash escape in a quoted name");
	free(name);
	ok(!imap_list_line("* LSUB () \"/\" x", 15, &flags, &name, &lit), "not a LIST line");
	l = "* LIST (\\Archive) \"/\" \"Ar\\\\chiv\" (\"CHILDINFO\" (\"SUBSCRIBED\"))";
	ok(imap_list_line(l, strlen(l), &flags, &name, &lit) && flags == FOLDER_ARCHIVE && name &&
	       strcmp(name, "Ar\\chiv") == 0,
	   "extended data after the name is ignored");
	free(name);

	struct folder_scan s = {0};
	struct ms_folders f = {0};
	add(&s, "* LIST () \"/\" INBOX");
	add(&s, "* LIST () \"/\" Sent");
	add(&s, "* LIST (\\Sent) \"/\" \"Gesendete Objekte\"");
	add(&s, "* LIST (\\Drafts) \"/\" \"Entw&APw-rfe\"");
	add(&s, "* LIST (\\Trash \\Noselect) \"/\" Trash");
	folder_scan_finish(&s, &f);
	is_str(f.sent, "Gesendete Objekte", "the marked folder wins over a common name");
	is_str(f.drafts,
	       "Entw\xc3\xbcrf"
	       "e",
	       "drafts decoded to UTF-8");
	ok(f.trash == NULL, "a \\Noselect folder is not used");
	ok(f.listed && !f.guessed, "listed, not guessed");
	ms_folders_free(&f);

	add(&s, "* LIST () \".\" INBOX");
	add(&s, "* LIST () \".\" INBOX.Sent");
	add(&s, "* LIST () \".\" \"Sent Items\"");
	add(&s, "* LIST () \".\" \"Deleted Items\"");
	add(&s, "* LIST () \".\" spam");
	folder_scan_finish(&s, &f);
	is_str(f.sent, "Sent Items", "nothing marked: a top-level common name first");
	is_str(f.trash, "Deleted Items", "nothing marked: Deleted Items as trash");
	is_str(f.junk, "spam", "common names match in any case");
	ok(f.drafts == NULL, "no guess without a folder of that name");
	ok(f.guessed, "and it says the names were guessed");
	ms_folders_free(&f);

	folder_scan_finish(&s, &f);
	ok(!ms_folders_any(&f) && f.listed && !f.guessed, "no folders at all: none, not guessed");
	ms_folders_free(&f);
	return done_testing();
}
