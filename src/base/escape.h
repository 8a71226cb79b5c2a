/* escape.h - make untrusted text safe to show in a terminal.
 *
 * Everything a server sends (greetings, replies, certificate fields) may
 * carry bytes that a terminal interprets: ESC sequences that move the
 * cursor or retitle the window, C1 controls, bidirectional overrides that
 * reorder what the reader sees, or invalid UTF-8.  escape_display() keeps
 * printable text (including non-ASCII letters such as "Zoë") and replaces
 * everything else with a visible escape:
 *
 *   \t \r \n \\           for tab, CR, LF and the backslash itself
 *   \xHH                  other C0 controls, DEL, and bytes of invalid UTF-8
 *   \u{HHHH}              C1 controls and bidi / invisible format characters
 *                         (U+061C, U+200B-U+200F, U+202A-U+202E,
 *                          U+2060-U+2069, U+FEFF)
 *
 * The result is a fresh NUL-terminated string (caller frees); it contains
 * only printable ASCII and well-formed, harmless UTF-8.
 */
#ifndef MS_ESCAPE_H
#define MS_ESCAPE_H

#include <stddef.h>

char *escape_display(const char *s, size_t len);
/* escape_display_str: the same for a NUL-terminated string (NULL -> ""). */
char *escape_display_str(const char *s);
/* utf8_decode: decode one well-formed UTF-8 sequence at s (at most len
 * bytes).  Returns its length and stores the code point, or returns 0 for
 * a malformed, overlong, surrogate or truncated sequence. */
size_t utf8_decode(const unsigned char *s, size_t len, unsigned *cp);

#endif
