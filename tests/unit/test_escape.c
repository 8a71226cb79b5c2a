/* test_escape.c - untrusted text is made safe for a terminal. */
#include "config.h"

#include "base/escape.h"
#include "tap.h"

#include <stdlib.h>

/* L: a string literal and its length, NULs included. */
#define L(s) s, sizeof(s) - 1

static void check(const char *in, size_t len, const char *want, const char *what)
{
	char *got = escape_display(in, len);
	is_str(got, want, "%s", what);
	free(got);
}

int main(void)
{
	plan(16);
	check(L("* OK ready"), "* OK ready", "plain ASCII is kept");
	check(L("Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m"), "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m",
	      "valid UTF-8 letters are kept");
	check(L("a\tb\r\n"), "a\\tb\\r\\n", "tab, CR and LF become visible escapes");
	check(L("\x1b[2J\x1b]0;pwned\x07"), "\\x1b[2J\\x1b]0;pwned\\x07",
	      "ESC sequences and BEL are neutralised");
	check(L("x\x7fy"), "x\\x7fy", "DEL is escaped");
	check(L("a\0b"), "a\\x00b", "NUL in the middle is escaped, not a terminator");
	check(L("\xe2\x80\xae"
	        "gpj.exe"),
	      "\\u{202E}gpj.exe", "right-to-left override is escaped");
	check(L("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u{2066}x\\u{2069}", "bidi isolates are escaped");
	check(L("\xc2\x9b"
	        "31m"),
	      "\\u{009B}31m", "C1 control CSI (U+009B) is escaped");
	check(L("\xe2\x80\x8b"), "\\u{200B}", "zero-width space is escaped");
	check(L("\xff\xfe"), "\\xff\\xfe", "invalid bytes are escaped one by one");
	check(L("\xc3"), "\\xc3", "truncated sequence is escaped");
	check(L("\xc0\xaf"), "\\xc0\\xaf", "overlong encoding of '/' is rejected");
	check(L("\xed\xa0\x80"), "\\xed\\xa0\\x80", "UTF-16 surrogate is rejected");
	check(L("back\\slash"), "back\\\\slash",
	      "a backslash is doubled so escapes stay unambiguous");
	char *e = escape_display_str(NULL);
	is_str(e, "", "NULL becomes the empty string");
	free(e);
	return done_testing();
}
