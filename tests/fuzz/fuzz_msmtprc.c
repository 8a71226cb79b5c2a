/* fuzz_msmtprc.c - libFuzzer harness for the msmtprc reader (see reader_harness.h). */
#define FUZZ_CLIENT RD_MSMTP
#include "reader_harness.h"
