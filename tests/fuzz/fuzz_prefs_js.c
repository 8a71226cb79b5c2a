/* fuzz_prefs_js.c - libFuzzer harness for the prefs_js reader (see fuzz_reader.h). */
#define FUZZ_CLIENT RD_THUNDERBIRD
#include "fuzz_reader.h"
