/* fuzz_greeting.c - libFuzzer harness for greeting classification and
 * SMTP reply-line splitting: arbitrary first lines from a server. */
#include "config.h"

#include "probe/caps.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	enum greeting_kind k = greeting_classify(s, size);
	if (k > GREET_SMTP_REFUSED)
		abort();
	bool last = false;
	const char *text = NULL;
	int code = smtp_reply_line(s, size, &last, &text);
	if (code != -1) {
		if (code < 100 || code > 599)
			abort();
		if (text < s || text > s + size)
			abort();
	}
	return 0;
}
