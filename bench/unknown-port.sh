#!/bin/bash
# unknown-port.sh - diagnose of ports given with no protocol hint (no
# standard number, no /PROTO): the suite's real Dovecot POP3S and Exim
# submissions (implicit TLS) ports.  Starts the test servers, stops them.
#
#   bench/unknown-port.sh [path/to/mailsetup]
#
# Prints the median wall time of N runs and what diagnose recommends.
# Both TLS modes start at once on such a port, so there is no 0.7 s wait
# for a plaintext greeting before the handshake is tried.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
ms=${1:-$top/mailsetup}
N=${N:-7}
[ -x "$ms" ] || { echo "build mailsetup first (or pass its path)" >&2; exit 2; }

dir=$(mktemp -d /tmp/ms-bench.XXXXXX)
trap 'bash "$top/tests/servers/stop.sh" "$dir/srv" >/dev/null 2>&1; rm -rf "$dir"' EXIT
bash "$top/tests/servers/start.sh" "$dir/srv" >/dev/null 2>&1
. "$dir/srv/servers.env"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ports="$MS_POP3S_PORT,$MS_SUBMISSIONS_PORT"
"$ms" diagnose --cafile "$MS_CA" --ports "$ports" localhost >/dev/null 2>&1 || true # warm up
t=$(for _ in $(seq "$N"); do
	t0=$(date +%s%N)
	"$ms" diagnose --cafile "$MS_CA" --ports "$ports" localhost >/dev/null 2>&1 || true
	echo $((($(date +%s%N) - t0) / 1000000))
done | median)
echo "diagnose --ports POP3S,SUBMISSIONS (no hint): ${t} ms (median of $N)"
"$ms" diagnose --cafile "$MS_CA" --ports "$ports" localhost 2>&1 | grep -E "protocol-mismatch|incoming|outgoing" || true
