/* fuzz_caps.c - libFuzzer harness for the capability parsers.
 *
 * The first byte picks the parser (IMAP capability words, IMAP response
 * code, POP3 CAPA line, SMTP EHLO line); the rest is one server line.
 * Invariants checked beyond "no crash": the lists stay bounded and every
 * mechanism is upper case.
 */
#include "config.h"

#include "probe/caps.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct caps c = {0};
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	switch (data[0] & 3) {
	case 0:
		caps_imap_words(&c, s, n);
		break;
	case 1:
		caps_imap_response_code(&c, s, n);
		break;
	case 2:
		caps_pop3_line(&c, s, n);
		break;
	case 3:
		caps_smtp_ehlo_line(&c, s, n);
		break;
	}
	if (c.nitems > CAPS_MAX_ITEMS || c.nauth > CAPS_MAX_ITEMS)
		abort();
	for (size_t i = 0; i < c.nauth; i++)
		for (const char *p = c.auth[i]; *p; p++)
			if (islower((unsigned char)*p))
				abort();
	struct caps copy = {0};
	caps_copy(&copy, &c);
	caps_clear(&copy);
	caps_clear(&c);
	return 0;
}
