/* fuzz_muttrc.c - libFuzzer harness for the muttrc reader (see fuzz_reader.h). */
#define FUZZ_CLIENT RD_MUTT
#include "fuzz_reader.h"
