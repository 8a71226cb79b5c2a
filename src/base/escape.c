#include "config.h"

#include "base/escape.h"

#include "base/buf.h"

#include <string.h>

size_t utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
	if (len == 0)
		return 0;
	unsigned c = s[0];
	size_t n;
	unsigned min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		n = 2, min = 0x80, c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3, min = 0x800, c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* Code points that change how surrounding text is displayed without being
 * visible themselves: a server could use them to disguise what it says. */
static int is_format_char(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9F) ||     /* C1 controls */
	       cp == 0x061C ||                   /* Arabic letter mark */
	       (cp >= 0x200B && cp <= 0x200F) || /* ZW space/joiners, LRM, RLM */
	       (cp >= 0x2028 && cp <= 0x202E) || /* separators, embeddings, overrides */
	       (cp >= 0x2060 && cp <= 0x2069) || /* word joiner, isolates */
	       cp == 0xFEFF;                     /* BOM / ZWNBSP */
}

char *escape_display(const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	struct buf out = {0};
	size_t i = 0;

	buf_add(&out, "", 0);
	while (i < len) {
		unsigned c = p[i];
		if (c == '\\') {
			buf_adds(&out, "\\\\");
			i++;
		} else if (c == '\t' || c == '\r' || c == '\n') {
			buf_addc(&out, '\\');
			buf_addc(&out, c == '\t' ? 't' : c == '\r' ? 'r' : 'n');
			i++;
		} else if (c < 0x20 || c == 0x7F) {
			char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
			buf_add(&out, e, 4);
			i++;
		} else if (c < 0x80) {
			buf_addc(&out, (char)c);
			i++;
		} else {
			unsigned cp;
			size_t n = utf8_decode(p + i, len - i, &cp);
			if (n == 0) {
				char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
				buf_add(&out, e, 4);
				i++;
			} else if (is_format_char(cp)) {
				buf_addf(&out, "\\u{%04X}", cp);
				i += n;
			} else {
				buf_add(&out, p + i, n);
				i += n;
			}
		}
	}
	return buf_steal(&out);
}

char *escape_display_str(const char *s)
{
	return escape_display(s ? s : "", s ? strlen(s) : 0);
}
