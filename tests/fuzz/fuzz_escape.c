/* fuzz_escape.c - libFuzzer harness for escape_display(): whatever a
 * server sends, the result holds no control character, no bidi or C1
 * code point and only well-formed UTF-8. */
#include "config.h"

#include "base/escape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *e = escape_display((const char *)data, size);
	const unsigned char *p = (const unsigned char *)e;
	size_t n = strlen(e);
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t l = utf8_decode(p + i, n - i, &cp);
		if (l == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
		    (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
			abort();
		i += l;
	}
	free(e);
	return 0;
}
