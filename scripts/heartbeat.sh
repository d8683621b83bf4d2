#!/bin/sh
# heartbeat.sh LABEL COMMAND [ARGS...]: runs COMMAND and, while it runs,
# prints "LABEL: still working (Ns)" every 5 seconds, so a cold build that
# compiles for minutes never looks hung. Exits with COMMAND's status.
label=$1
shift
(
	n=0
	while sleep 5; do
		n=$((n + 5))
		echo "$label: still working (${n}s)"
	done
) &
beat=$!
"$@"
rc=$?
kill "$beat" 2>/dev/null
wait "$beat" 2>/dev/null
exit $rc
