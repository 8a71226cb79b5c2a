/* fuzz_muttrc.c - libFuzzer harness for the muttrc reader (see reader_harness.h). */
#define FUZZ_CLIENT RD_MUTT
#include "reader_harness.h"
