#!/bin/bash
# trust-store.sh - what the system trust store costs a run: mailsetup
# probe --no-login of the suite's real Dovecot (IMAPS, loopback) with the
# system store and with --cafile.  Starts the test servers, stops them.
#
#   bench/trust-store.sh [path/to/mailsetup]
#
# The test CA is put in a scratch hashed directory named by SSL_CERT_DIR
# (openssl rehash), so the system-store run verifies for real; SSL_CERT_FILE
# is unset, so the rest of the system store (the bundle file, the default
# CApath /etc/ssl/certs) is what OpenSSL uses by default on this machine.
# Prints wall and CPU time per run, the mean of N runs of each.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
ms=${1:-$top/mailsetup}
N=${N:-50}
[ -x "$ms" ] || { echo "build mailsetup first (or pass its path)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

dir=$(mktemp -d /tmp/ms-bench.XXXXXX)
trap 'bash "$top/tests/servers/stop.sh" "$dir/srv" >/dev/null 2>&1; rm -rf "$dir"' EXIT
bash "$top/tests/servers/start.sh" "$dir/srv" >/dev/null 2>&1
. "$dir/srv/servers.env"
mkdir "$dir/certs"
cp "$MS_CA" "$dir/certs/mailsetup-test-ca.pem"
openssl rehash "$dir/certs" >/dev/null 2>&1

# measure ARGS...: "WALL CPU" per run in ms, averaged over N runs in one
# loop (CPU = user + system of the runs, which other load on the machine
# disturbs much less than wall time; /usr/bin/time counts in 10 ms steps,
# so only the total over N runs is precise).
measure() {
	/usr/bin/time -f '%e %U %S' -o "$dir/cpu" env -u SSL_CERT_FILE bash -c '
		n=$1; shift
		for _ in $(seq "$n"); do env "$@" >/dev/null 2>&1 || echo "failed: $*" >&2; done' \
		_ "$N" "$@"
	awk -v n="$N" '{ printf "%d %.1f", $1 * 1000 / n, ($2 + $3) * 1000 / n }' "$dir/cpu"
}
target="localhost:$MS_IMAPS_PORT"
env SSL_CERT_DIR="$dir/certs" "$ms" probe -q --no-login "$target" >/dev/null # warm up
sys=$(measure SSL_CERT_DIR="$dir/certs" "$ms" probe -q --no-login "$target")
caf=$(measure "$ms" probe -q --no-login --cafile "$MS_CA" "$target")
n=$(grep -c 'BEGIN CERTIFICATE' /etc/ssl/certs/ca-certificates.crt 2>/dev/null || echo '?')
printf 'probe --no-login, system store (SSL_CERT_DIR=test CA): %5d ms wall, %5.1f ms CPU\n' $sys
printf 'probe --no-login, --cafile:                            %5d ms wall, %5.1f ms CPU\n' $caf
echo "(mean of $N runs each)"
echo "(system bundle: $n certificates; $ms)"
