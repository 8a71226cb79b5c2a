/* fuzz_autoconfig.c - libFuzzer harness for the autoconfig parser, the
 * one engine parser fed by documents from the network.  Build with
 * `make fuzz`; run: tests/fuzz/fuzz_autoconfig WORKDIR tests/fuzz/corpus
 * (libFuzzer adds new inputs to the first directory). */
#include "config.h"

#include "discover/autoconfig_xml.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ac_config c;
	struct ms_err err;
	err_clear(&err);
	if (autoconfig_parse((const char *)data, size, "zoe", "example.org", &c, &err)) {
		/* Every server that came out must satisfy the header's promises. */
		for (size_t i = 0; i < c.n; i++)
			if (!autoconfig_host_ok(c.v[i].host) || c.v[i].port == 0 ||
			    !c.v[i].username)
				__builtin_trap();
		if (c.n > AUTOCONFIG_MAX_SERVERS)
			__builtin_trap();
	}
	autoconfig_free(&c);
	return 0;
}
