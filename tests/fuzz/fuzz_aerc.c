/* fuzz_aerc.c - libFuzzer harness for the aerc reader (see fuzz_reader.h). */
#define FUZZ_CLIENT RD_AERC
#include "fuzz_reader.h"
