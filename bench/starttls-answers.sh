#!/bin/bash
# starttls-answers.sh - how long probe takes to report a reply to STARTTLS
# that is no valid answer (an IMAP continuation "+", a wrong tag, a POP3
# line that is neither +OK nor -ERR, an SMTP 354), played by the suite's
# scripted server (tests/servers/scripted.py) on loopback.
#
#   bench/starttls-answers.sh [path/to/mailsetup]     (T=5: --timeout)
#
# Each line: the script, the finding code, the exit status and the wall
# time in ms (median of N runs).  Such a reply is an answer: it should be
# reported at once, not after the timeout.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
ms=${1:-$top/mailsetup}
T=${T:-5}
N=${N:-3}
[ -x "$ms" ] || { echo "build mailsetup first (or pass its path)" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is needed" >&2; exit 2; }

dir=$(mktemp -d /tmp/ms-bench.XXXXXX)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$dir"' EXIT
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "--timeout $T, median of $N runs ($ms)"
for c in imap-starttls-continuation:imap imap-starttls-wrong-tag:imap pop3-stls-garbage:pop3 \
	smtp-starttls-354:smtp; do
	script=${c%%:*} proto=${c##*:}
	times=()
	for _ in $(seq "$N"); do
		rm -f "$dir/port"
		/usr/bin/python3 "$top/tests/servers/scripted.py" --max-seconds 30 \
			--script "$top/tests/servers/scripts/$script.script" \
			--port-file "$dir/port" --record "$dir/rec" 2>/dev/null &
		spid=$!
		for _ in $(seq 200); do [ -s "$dir/port" ] && break; sleep 0.05; done
		t0=$(date +%s%N)
		rc=0
		out=$("$ms" probe --json --no-login -p "$proto" -s starttls -t "$T" \
			"127.0.0.1:$(cat "$dir/port")" 2>/dev/null) || rc=$?
		times+=($((($(date +%s%N) - t0) / 1000000)))
		kill "$spid" 2>/dev/null || true
		wait "$spid" 2>/dev/null || true
		spid=
	done
	code=$(printf '%s' "$out" | jq -r '.findings[0].code // "-"')
	printf '%-28s %-20s exit %d  %6d ms\n' "$script" "$code" "$rc" \
		"$(printf '%s\n' "${times[@]}" | median)"
done
