/* fuzz_msmtprc.c - libFuzzer harness for the msmtprc reader (see fuzz_reader.h). */
#define FUZZ_CLIENT RD_MSMTP
#include "fuzz_reader.h"
