#!/bin/bash
# silent.sh - what a port that accepts connections and never speaks costs:
# mailsetup probe in each mode and diagnose (with and without a mode hint)
# against a loopback listener that accepts and stays silent.
#
#   bench/silent.sh [path/to/mailsetup]      (T=3 by default: --timeout)
#
# Each line: the command, its exit status and its wall time in ms (median
# of N runs).  One timeout is the floor: the other TLS mode runs alongside
# the first one, so the answer should cost about T s plus the 0.7 s after
# which the second attempt starts, not 2 x T.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
ms=${1:-$top/mailsetup}
T=${T:-3}
N=${N:-3}
[ -x "$ms" ] || { echo "build mailsetup first (or pass its path)" >&2; exit 2; }

dir=$(mktemp -d /tmp/ms-bench.XXXXXX)
lpid=
trap '[ -n "$lpid" ] && kill "$lpid" 2>/dev/null; rm -rf "$dir"' EXIT
/usr/bin/python3 -c '
import os, socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
tmp = sys.argv[1] + ".tmp"
open(tmp, "w").write(str(s.getsockname()[1]))
os.rename(tmp, sys.argv[1])
held = []
while True:
    held.append(s.accept()[0])    # accept, keep open, never send
' "$dir/port" &
lpid=$!
for _ in $(seq 200); do [ -s "$dir/port" ] && break; sleep 0.05; done
port=$(cat "$dir/port")

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
measure() { # LABEL ARGS...
	local label=$1 t0 rc=0
	shift
	local times=()
	for _ in $(seq "$N"); do
		t0=$(date +%s%N)
		rc=0
		"$ms" "$@" >/dev/null 2>&1 || rc=$?
		times+=($((($(date +%s%N) - t0) / 1000000)))
	done
	printf '%-44s exit %d  %6d ms  (%.2f x the timeout)\n' "$label" "$rc" \
		"$(printf '%s\n' "${times[@]}" | median)" \
		"$(printf '%s\n' "${times[@]}" | median | awk -v t="$T" '{ print $1 / (t * 1000) }')"
}
echo "silent port 127.0.0.1:$port, --timeout $T, median of $N runs ($ms)"
measure "probe --security starttls" probe --no-login --security starttls -t "$T" "127.0.0.1:$port"
measure "probe --security tls" probe --no-login --security tls -t "$T" "127.0.0.1:$port"
measure "diagnose --ports PORT/imap (STARTTLS first)" diagnose -t "$T" --ports "$port/imap" 127.0.0.1
measure "diagnose --ports PORT/imap/tls (TLS first)" diagnose -t "$T" --ports "$port/imap/tls" 127.0.0.1
measure "diagnose --ports PORT (no hint)" diagnose -t "$T" --ports "$port" 127.0.0.1
