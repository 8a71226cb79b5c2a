/* fuzz_mbsyncrc.c - libFuzzer harness for the mbsyncrc reader (see reader_harness.h). */
#define FUZZ_CLIENT RD_MBSYNC
#include "reader_harness.h"
