#!/bin/bash
# probe-rtt.sh - count the round trips of a live test: mailsetup probe and
# curl doing the same login, through a loopback proxy that adds 50 ms per
# round trip.  Starts the test suite's real Dovecot and Exim, stops them.
#
#   bench/probe-rtt.sh [path/to/mailsetup]
#
# Round trips = (time through the proxy - time direct) / 50 ms, median of
# RUNS runs each, so local crypto and process start-up cancel out.  The
# proxy accepts the TCP connection itself without delay, so the TCP
# handshake is not in that difference: it is added as one round trip.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
ms=${1:-$top/mailsetup}
[ -x "$ms" ] || { echo "build mailsetup first (or pass its path)" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 2; }
RUNS=${RUNS:-5}
DELAY=25 # ms each way

dir=$(mktemp -d /tmp/ms-bench.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	bash "$top/tests/servers/stop.sh" "$dir/srv" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
bash "$top/tests/servers/start.sh" "$dir/srv" >/dev/null 2>&1
. "$dir/srv/servers.env"
printf '%s\n' "$MS_PASSWORD" >"$dir/pw"
printf 'machine localhost login %s password %s\n' "$MS_USER" "$MS_PASSWORD" >"$dir/netrc"

proxy() { # proxy TARGET_PORT VAR: start a delaying proxy, its port into VAR
	rm -f "$dir/pp"
	/usr/bin/python3 "$here/delay-proxy.py" 0 127.0.0.1 "$1" "$DELAY" "$dir/pp" </dev/null >/dev/null 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$dir/pp" ] && break; sleep 0.05; done
	printf -v "$2" '%s' "$(cat "$dir/pp")"
}

# median_ms CMD...: median wall time of RUNS runs, in ms
median_ms() {
	local t=() i t0 t1
	for i in $(seq "$RUNS"); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		t+=($(((t1 - t0) / 1000000)))
	done
	printf '%s\n' "${t[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

report() { # report NAME DIRECT_MS PROXIED_MS
	awk -v n="$1" -v d="$2" -v p="$3" -v rtt=$((2 * DELAY)) \
		'BEGIN { printf "%-44s %6d ms direct %6d ms +50ms/RT  %5.1f round trips\n", n, d, p, (p - d) / rtt + 1 }'
}

proxy "$MS_IMAPS_PORT" imaps_p
proxy "$MS_SUBMISSION_PORT" sub_p

echo "round trips, TCP handshake included, measured with $((2 * DELAY)) ms added per round trip (median of $RUNS runs)"
for tool in mailsetup curl; do
	if [ $tool = mailsetup ]; then
		run() { "$ms" probe -q -p imap -s tls --cafile "$MS_CA" -u "$MS_USER" --password-file "$dir/pw" "localhost:$1"; }
	else
		run() { curl -s --cacert "$MS_CA" --netrc-file "$dir/netrc" "imaps://localhost:$1/" -X NOOP; }
	fi
	report "$tool: IMAP 993-style TLS + login" "$(median_ms run "$MS_IMAPS_PORT")" "$(median_ms run "$imaps_p")"
done
for tool in mailsetup curl; do
	if [ $tool = mailsetup ]; then
		run() { "$ms" probe -q -p smtp -s starttls --cafile "$MS_CA" -u "$MS_USER" --password-file "$dir/pw" "localhost:$1"; }
	else
		run() { curl -s --ssl-reqd --cacert "$MS_CA" --netrc-file "$dir/netrc" "smtp://localhost:$1/" -X NOOP; }
	fi
	report "$tool: SMTP 587-style STARTTLS + AUTH" "$(median_ms run "$MS_SUBMISSION_PORT")" "$(median_ms run "$sub_p")"
done
