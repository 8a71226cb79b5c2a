#!/bin/bash
# stop.sh DIR -- stop the servers started by tests/servers/start.sh DIR.
#
# Only processes recorded in DIR/pids/*.pid and DIR/watchdog.pid (with their
# process groups and descendants) are signalled, and only while their start
# time still matches the record, so a recycled PID is never hit.  SIGTERM
# first, SIGKILL after ~3 s.  Idempotent: a stopped set or a missing DIR is
# fine.
set -eu

[ $# -eq 1 ] || { echo "usage: stop.sh DIR" >&2; exit 2; }
DIR=${1%/}
HERE=$(cd "$(dirname "$0")" && pwd)

[ -d "$DIR" ] || exit 0

/usr/bin/python3 "$HERE/proc_helper.py" stop "$DIR"

# Short run directory used for dovecot's sockets when DIR is long.
if [ -f "$DIR/rundir" ]; then
	run=$(cat "$DIR/rundir")
	case $run in
	/tmp/mailsetup-srv.*) rm -rf "$run" ;;
	esac
	rm -f "$DIR/rundir"
fi
exit 0
