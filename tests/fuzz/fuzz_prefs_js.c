/* fuzz_prefs_js.c - libFuzzer harness for the prefs_js reader (see reader_harness.h). */
#define FUZZ_CLIENT RD_THUNDERBIRD
#include "reader_harness.h"
