#!/bin/sh
# fault_syslog.sh - the syslog socket missing at start, full, and vanishing
# and coming back: the daemon keeps running, holds alerts in its bounded
# backlog, counts what it had to drop (the farmhound-alerts-undelivered
# notice and the heartbeat's undelivered counter), and delivers again by
# itself once a receiver is back.  Nothing is lost silently: every burst
# alert either arrives or is counted as undelivered.
#
# The alerts come from the real process collector walking the real /proc:
# a private rule fires on every process started from a copy of sleep(1)
# under $T (comm "fhburst"), so a shell loop makes as many alerts as needed.
# The receiver is a small python reader of a unix datagram socket; "full"
# is that reader stopped (SIGSTOP) until the socket buffer fills.
. "$(dirname "$0")/lib.sh"

T=$(mktemp -d /tmp/fh-fsys.XXXXXX)
recv_pid="" fh_pid=""

cleanup() {
	[ -n "$fh_pid" ] && kill "$fh_pid" 2>/dev/null
	[ -n "$recv_pid" ] && { kill -CONT "$recv_pid" 2>/dev/null; kill "$recv_pid" 2>/dev/null; }
	pkill_burst
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
# The burst processes, by their recorded pids only.
pkill_burst() {
	[ -f "$T/burst.pids" ] && xargs -r kill 2>/dev/null <"$T/burst.pids"
	rm -f "$T/burst.pids"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

# wait_count FILE REGEX N SECONDS: until FILE has at least N matching lines.
wait_count() {
	i=0; n=$(($4 * 10))
	while [ "$(count "$1" "$2")" -lt "$3" ] && [ $i -lt $n ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(count "$1" "$2")" -ge "$3" ]
}
alive() { kill -0 "$fh_pid" 2>/dev/null; }
# The largest value of a heartbeat counter seen so far in FILE.
hb_max() {
	grep '"id":"farmhound-heartbeat"' "$1" | grep -o "\"$2\":[0-9]*" | cut -d: -f2 |
		sort -n | tail -n 1
}
start_receiver() {
	dgram_receiver "$T/log.sock" "$T/out.log"
}
# burst N: N processes named fhburst, sleeping until killed.
burst() {
	j=0
	while [ $j -lt "$1" ]; do
		"$T/fhburst" 600 &
		echo $! >>"$T/burst.pids"
		j=$((j + 1))
	done
}
BURST='"id":"fault-burst"'

cp "$(command -v sleep)" "$T/fhburst"
mkdir -p "$T/rules"
test_rule fault-burst process T1059 'action == add and comm == "fhburst"' \
	>"$T/rules/burst.rules"
process_probe_conf 'hostname = fh-fault-host' >"$T/farmhound.conf"
check "the test rule pack validates (-t)" "$FH" -t -c "$T/farmhound.conf" -r "$T/rules"

# ---- missing at start: the daemon runs, alerts wait in the backlog ----
"$FH" -c "$T/farmhound.conf" -r "$T/rules" >"$T/fh.out" 2>"$T/fh.err" &
fh_pid=$!
sleep 1.5
check "daemon starts and keeps running with no syslog socket" alive
burst 10
sleep 2.5
check "daemon still running after alerts it cannot deliver" alive
start_receiver
check "delivery resumes by itself: farmhound-started (framed at start) arrives" \
	wait_for "$T/out.log" '"id":"farmhound-started"' 10
check "the 10 alerts raised while the socket was missing arrive" \
	wait_count "$T/out.log" "$BURST" 10 10
check "nothing was dropped while the backlog had room (no undelivered notice)" \
	test "$(count "$T/out.log" '"id":"farmhound-alerts-undelivered"')" -eq 0
pkill_burst

# ---- full: the receiver stops reading; 800 alerts overflow socket + backlog ----
before=$(count "$T/out.log" "$BURST")
kill -STOP "$recv_pid"
burst 800
sleep 3
check "daemon keeps running while the receiver is full" alive
# Let it drain, then count: every burst alert arrived or was counted.
kill -CONT "$recv_pid"
check "an alerts-undelivered notice arrives once the receiver reads again" \
	wait_for "$T/out.log" '"id":"farmhound-alerts-undelivered"' 35
check "a heartbeat reports undelivered > 0" \
	wait_for "$T/out.log" '"id":"farmhound-heartbeat".*"undelivered":[1-9]' 5
# The backlog drains at the sink's retry pace (backoff up to 30 s): wait
# until every burst alert is accounted for, or 40 s.
i=0
while [ $i -lt 400 ]; do
	got=$(($(count "$T/out.log" "$BURST") - before))
	lost=$(hb_max "$T/out.log" undelivered)
	[ $((got + ${lost:-0})) -ge 800 ] && break
	sleep 0.1; i=$((i + 1))
done
sleep 1.5	# a heartbeat after the notice
lost=$(hb_max "$T/out.log" undelivered)
echo "# full: 800 burst alerts, $got delivered, undelivered counter $lost"
check "some alerts were held back and delivered late ($got > 0)" test "$got" -gt 0
check "delivered + counted undelivered covers every burst alert ($got + $lost >= 800)" \
	test $((got + lost)) -ge 800
check "no burst alert was delivered twice ($got <= 800)" test "$got" -le 800
# The undelivered notice names a count that the heartbeat total includes.
n1=$(grep '"id":"farmhound-alerts-undelivered"' "$T/out.log" | head -n 1 |
	sed -n 's/.*"message":"\([0-9]*\) alerts could not.*/\1/p')
check "the notice says how many were lost (${n1:-none} <= $lost)" \
	sh -c "test -n '$n1' && test '$n1' -ge 1 && test '$n1' -le '$lost'"
pkill_burst

# ---- vanishing and coming back ----
kill "$recv_pid"; wait "$recv_pid" 2>/dev/null; recv_pid=""
rm -f "$T/log.sock"
before=$(count "$T/out.log" "$BURST")
burst 20
sleep 2.5
check "daemon keeps running while the socket is gone" alive
start_receiver
check "delivery resumes by itself after the socket comes back (20 alerts held)" \
	wait_count "$T/out.log" "$BURST" $((before + 20)) 10
n=$(count "$T/out.log" farmhound-heartbeat)
check "heartbeats flow again" \
	sh -c "i=0; while [ \$(grep -c farmhound-heartbeat '$T/out.log') -le $n ] && [ \$i -lt 350 ]; do sleep 0.1; i=\$((i+1)); done;
		[ \$(grep -c farmhound-heartbeat '$T/out.log') -gt $n ]"
pkill_burst

stop_daemon "$fh_pid"
fh_pid=""
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" = 0
check "farmhound-stopping delivered" wait_for "$T/out.log" '"id":"farmhound-stopping"' 5
finish
