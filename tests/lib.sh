# lib.sh - sourced by every shell test (*.test): TAP output, the servers
# started once per `make check`, and small helpers.  Tests are run by
# automake's tap-driver.sh with top_srcdir, top_builddir and MAILSETUP set.

set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
: "${MAILSETUP:=$top_builddir/mailsetup}"
MS_RUN="$top_builddir/tests/run"
export LC_ALL=C.UTF-8
# A developer's own configuration must not change what the tests see.
export MAILSETUP_CONFIG=/dev/null

_tap_n=0
_tap_failed=0

plan() { echo "1..$1"; }

# ok COND-EXIT-STATUS DESCRIPTION: "ok $? 'what'" after a command.
ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
	fi
}

# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
	fi
}

# like TEXT EXTENDED-REGEX DESCRIPTION
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else
		ok 1 "$3"
		printf '%s\n' "$1" | head -20 | sed 's/^/#   /'
		echo "#   does not match: $2"
	fi
}

# unlike TEXT EXTENDED-REGEX DESCRIPTION
unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		ok 1 "$3"
		printf '%s\n' "$1" | grep -E -- "$2" | head -5 | sed 's/^/#   matched: /'
	else ok 0 "$3"; fi
}

diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

# cert_sha256 PEM: the certificate's SHA-256 fingerprint as mailsetup shows it.
cert_sha256() { openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2; }

bail() {
	echo "Bail out! $*"
	exit 1
}

done_testing() {
	[ "$_tap_failed" -eq 0 ]
}

# need_servers: load the environment of the servers 00-servers-up started.
need_servers() {
	[ -r "$MS_RUN/servers.env" ] || bail "test servers are not running ($MS_RUN/servers.env missing)"
	# shellcheck disable=SC1091
	. "$MS_RUN/servers.env"
}

# run_ms ARGS...: run mailsetup, capture stdout in $out, stderr in $err,
# the exit code in $rc and the wall time in milliseconds in $ms.
run_ms() {
	local t0 t1 ef
	ef=$(mktemp)
	t0=$(date +%s%N)
	out=$("$MAILSETUP" "$@" 2>"$ef" </dev/null)
	rc=$?
	t1=$(date +%s%N)
	err=$(cat "$ef")
	rm -f "$ef"
	ms=$(((t1 - t0) / 1000000))
}

# json_get FILTER: apply a jq filter to $out.
json_get() { printf '%s' "$out" | jq -r "$1"; }

# use_catalogues: run mailsetup with the build tree's message catalogues
# (po/LL.gmo, laid out in $MS_LOCALEDIR/LL/LC_MESSAGES/mailsetup.mo for
# MAILSETUP_LOCALEDIR); a catalogue older than its .po fails the test,
# since it would show old translations (make update-gmo rebuilds it).
# LANGUAGE then chooses the language: LC_ALL=C.UTF-8 above lets it apply.
# The caller removes $MS_LOCALEDIR.
use_catalogues() {
	MS_LOCALEDIR=$(mktemp -d "${TMPDIR:-/tmp}/ms-locale.XXXXXX")
	local l gmo
	for l in $(sed 's/#.*//' "$top_srcdir/po/LINGUAS"); do
		gmo=$top_builddir/po/$l.gmo
		[ -f "$gmo" ] || gmo=$top_srcdir/po/$l.gmo
		[ -f "$gmo" ] || bail "po/$l.gmo is not built (make in po/)"
		[ "$top_srcdir/po/$l.po" -nt "$gmo" ] &&
			bail "$gmo is older than po/$l.po: run make update-gmo in po/"
		mkdir -p "$MS_LOCALEDIR/$l/LC_MESSAGES"
		cp "$gmo" "$MS_LOCALEDIR/$l/LC_MESSAGES/mailsetup.mo"
	done
	export MAILSETUP_LOCALEDIR=$MS_LOCALEDIR
}
