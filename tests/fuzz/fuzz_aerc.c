/* fuzz_aerc.c - libFuzzer harness for the aerc reader (see reader_harness.h). */
#define FUZZ_CLIENT RD_AERC
#include "reader_harness.h"
