/* fuzz_mbsyncrc.c - libFuzzer harness for the mbsyncrc reader (see fuzz_reader.h). */
#define FUZZ_CLIENT RD_MBSYNC
#include "fuzz_reader.h"
