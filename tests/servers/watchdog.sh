#!/bin/bash
# watchdog.sh DIR WATCH_PID MAX_SECONDS [NAME.pid=RECORD...] -- started
# (detached) by start.sh; each RECORD is the content of DIR/pids/NAME.pid.
#
# Runs stop.sh DIR when WATCH_PID (may be empty) is gone, when DIR has been
# removed, or when MAX_SECONDS have passed, so that no test server outlives
# an interrupted test run.  Exits quietly when the servers have been stopped
# by someone else (stop.sh also kills this watchdog).
set -u
DIR=$1 WATCH_PID=$2 MAX=$3
shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
# The remaining arguments are a copy of the PID records, so that the servers
# can be stopped even if DIR is deleted while they run.

end=$((SECONDS + MAX))
while :; do
	if [ -n "$WATCH_PID" ] && ! kill -0 "$WATCH_PID" 2>/dev/null; then
		why="process $WATCH_PID is gone"
		break
	fi
	if [ "$SECONDS" -ge "$end" ]; then
		why="$MAX seconds have passed"
		break
	fi
	if [ ! -d "$DIR/pids" ]; then
		why="$DIR/pids was removed"
		break
	fi
	if [ -z "$(ls -A "$DIR/pids")" ]; then
		exit 0 # stopped already (stop.sh removes the records)
	fi
	sleep 1
done

echo "watchdog: $why, stopping the servers in $DIR"
export MS_STOP_FROM_WATCHDOG=1
if [ -d "$DIR/pids" ]; then
	"$HERE/stop.sh" "$DIR"
fi
# Also from the copy, in case DIR (or part of it) is gone.  Records of
# processes that are already stopped are ignored by stop.sh.
tmp=$(mktemp -d)
mkdir "$tmp/pids"
for rec in "$@"; do
	echo "${rec#*=}" >"$tmp/pids/${rec%%=*}"
done
"$HERE/stop.sh" "$tmp"
rm -rf "$tmp"
rm -f "$DIR/watchdog.pid"
