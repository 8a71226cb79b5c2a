#!/bin/bash
# run.sh SRCDIR BUILDDIR SECONDS CC "OPENSSL_LIBS" - build every libFuzzer
# harness (with ASan+UBSan) and run each on its corpus for SECONDS.
# Exits non-zero on the first crash, leak or failed build; the crashing
# input is left in BUILDDIR/tests/fuzz/ as crash-*.
set -eu
src=$1 build=$2 secs=$3 cc=$4 libs=$5
declare -A sources=(
	[caps]="src/probe/caps.c src/base/alloc.c"
	[greeting]="src/probe/caps.c src/base/alloc.c"
	[escape]="src/base/escape.c src/base/buf.c src/base/alloc.c"
	[autoconfig]="src/discover/autoconfig_xml.c src/base/buf.c src/base/alloc.c src/base/err.c"
)
readers="src/readers/readers.c src/readers/muttrc.c src/readers/msmtprc.c src/readers/prefs_js.c
	src/readers/mbsyncrc.c src/readers/aerc.c src/base/buf.c src/base/alloc.c src/base/err.c"
for r in muttrc msmtprc prefs_js mbsyncrc aerc; do sources[$r]=$readers; done
out="$build/tests/fuzz"
mkdir -p "$out"
for h in caps greeting escape autoconfig muttrc msmtprc prefs_js mbsyncrc aerc; do
	files=()
	for f in ${sources[$h]}; do files+=("$src/$f"); done
	# shellcheck disable=SC2086
	"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I"$src/src" -I"$build" -o "$out/fuzz_$h" "$src/tests/fuzz/fuzz_$h.c" "${files[@]}" $libs
	mkdir -p "$out/run-$h"
	echo "fuzzing $h for $secs s"
	(cd "$out" && ./"fuzz_$h" -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
		"run-$h" "$src/tests/fuzz/corpus/$h" >"fuzz_$h.out" 2>&1) ||
		{ tail -40 "$out/fuzz_$h.out"; echo "fuzz_$h FAILED"; exit 1; }
	grep -E '^stat::number_of_executed_units|^Done' "$out/fuzz_$h.out" | tail -2
done
