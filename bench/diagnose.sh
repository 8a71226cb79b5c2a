#!/bin/bash
# diagnose.sh - mailsetup diagnose against the same port x mode checks run
# one after another with openssl s_client, on the test suite's real
# Dovecot and Exim (started here, stopped on exit).
#
#   bench/diagnose.sh [path/to/mailsetup]
#
# Prints: wall time of diagnose (7 ports, each mode checked as needed, concurrently), of the
# sequential s_client checks (all 14, each bounded by T seconds, as a
# person without mailsetup would have to; and only the 7 right-mode ones),
# the slowest single `mailsetup probe`, the same seven probes run as seven
# processes at once (what concurrency on this machine allows), and peak
# RSS of diagnose and of
# one s_client connection (/usr/bin/time -v).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
ms=${1:-$top/mailsetup}
T=${T:-5}
[ -x "$ms" ] || { echo "build mailsetup first (or pass its path)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

dir=$(mktemp -d /tmp/ms-bench.XXXXXX)
trap 'bash "$top/tests/servers/stop.sh" "$dir/srv" >/dev/null 2>&1; rm -rf "$dir"' EXIT
bash "$top/tests/servers/start.sh" "$dir/srv" >/dev/null 2>&1
. "$dir/srv/servers.env"

now() { date +%s%N; }
# The standard matrix (993 tls, 143 starttls, ...) on the suite's high ports.
ports="$MS_IMAPS_PORT/imap/tls,$MS_IMAP_PORT/imap/starttls,$MS_POP3S_PORT/pop3/tls,$MS_POP3_PORT/pop3/starttls,$MS_SUBMISSIONS_PORT/smtp/tls,$MS_SUBMISSION_PORT/smtp/starttls,$MS_SMTP_PORT/smtp/starttls"
# port proto right-mode
matrix="$MS_IMAPS_PORT imap tls
$MS_IMAP_PORT imap starttls
$MS_POP3S_PORT pop3 tls
$MS_POP3_PORT pop3 starttls
$MS_SUBMISSIONS_PORT smtp tls
$MS_SUBMISSION_PORT smtp starttls
$MS_SMTP_PORT smtp starttls"

N=${N:-7} # runs of each fast measurement; the median is reported
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
elapsed() { # run "$@" once, print its wall time in ms
	local t0
	t0=$(now)
	"$@" >/dev/null 2>&1 || true
	echo $((($(now) - t0) / 1000000))
}
"$ms" diagnose --cafile "$MS_CA" --ports "$ports" localhost >/dev/null # warm up
"$ms" diagnose --cafile "$MS_CA" -t "$T" --ports "$ports" localhost >"$dir/diag.out"
diag_ms=$(for _ in $(seq "$N"); do
	elapsed "$ms" diagnose --cafile "$MS_CA" -t "$T" --ports "$ports" localhost
done | median)

s_client() { # PORT PROTO MODE
	local extra=()
	case $2 in imap) st=imap ;; pop3) st=pop3 ;; smtp) st=smtp ;; esac
	if [ "$3" = starttls ]; then extra=(-starttls "$st"); else extra=(); fi
	timeout "$T" openssl s_client -connect "127.0.0.1:$1" -CAfile "$MS_CA" \
		-verify_return_error -verify_hostname localhost -brief "${extra[@]}" </dev/null >/dev/null 2>&1 || true
}
t0=$(now)
while read -r port proto mode; do
	s_client "$port" "$proto" tls
	s_client "$port" "$proto" starttls
done <<<"$matrix"
t1=$(now)
seq_all_ms=$(((t1 - t0) / 1000000))
t0=$(now)
while read -r port proto mode; do s_client "$port" "$proto" "$mode"; done <<<"$matrix"
t1=$(now)
seq_right_ms=$(((t1 - t0) / 1000000))

probe_one() { # PORT PROTO MODE
	"$ms" probe -q --cafile "$MS_CA" -p "$2" -s "$3" "localhost:$1"
}
slowest=0 slowest_what=
while read -r port proto mode; do
	d=$(for _ in $(seq "$N"); do elapsed probe_one "$port" "$proto" "$mode"; done | median)
	[ "$d" -gt "$slowest" ] && slowest=$d slowest_what="$proto/$mode"
done <<<"$matrix"
# The floor that concurrency on this machine allows: the same seven probes
# as seven processes started together (the servers then do all their work
# at once, as they do for diagnose).
all_at_once() {
	while read -r port proto mode; do probe_one "$port" "$proto" "$mode" >/dev/null 2>&1 & done <<<"$matrix"
	wait
}
par_ms=$(for _ in $(seq "$N"); do elapsed all_at_once; done | median)

rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}'; }
diag_rss=$(rss "$ms" diagnose --cafile "$MS_CA" --ports "$ports" localhost)
sc_rss=$(/usr/bin/time -v openssl s_client -connect "127.0.0.1:$MS_IMAPS_PORT" -CAfile "$MS_CA" -brief </dev/null 2>&1 >/dev/null |
	awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}')

echo "mailsetup diagnose, 7 ports at once:                  ${diag_ms} ms (median of $N)"
echo "openssl s_client, the same 14 checks in sequence:     ${seq_all_ms} ms (each bounded by ${T} s)"
echo "openssl s_client, only the 7 right-mode checks:       ${seq_right_ms} ms"
awk -v a="$seq_all_ms" -v b="$seq_right_ms" -v d="$diag_ms" -v s="$slowest" -v w="$slowest_what" -v p="$par_ms" 'BEGIN {
	printf "ratio, all 14 checks:                   %8.1fx faster\n", a / (d ? d : 1)
	printf "ratio, 7 right-mode checks only:        %8.1fx faster\n", b / (d ? d : 1)
	printf "slowest single mailsetup probe:         %8d ms, %s (diagnose = %.2fx of it)\n", s, w, d / (s ? s : 1)
	printf "the 7 probes as 7 processes at once:    %8d ms (diagnose = %.2fx of it)\n", p, d / (p ? p : 1)
}'
awk -v a="$diag_rss" -v b="$sc_rss" 'BEGIN {
	printf "peak RSS: diagnose %d KiB, one s_client %d KiB (%.2fx)\n", a, b, a / (b ? b : 1)
}'
grep -E "incoming|outgoing" "$dir/diag.out"
