#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
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
#
# The daemon runs with -d: it logs every alert it raises ("alert: ...")
# before handing it to the sink, so "the daemon has raised these alerts"
# is a condition to wait for, whatever became of their delivery; and a
# heartbeat is the sync point before asserting that something did not
# happen.  No sleep stands in for "long enough".
#
# Last, the shutdown: stopped right after a full receiver reads again, with
# a backlog, the daemon still delivers the backlog and farmhound-stopping
# before it exits (a bounded wait for the receiver; what cannot go is
# counted).  It used to lose the notice (fault_syslog's last check failed
# on CI once).
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

alive() { kill -0 "$fh_pid" 2>/dev/null; }
started() { wait_for "$T/fh.err" 'farmhound: ready:' 10 && alive; }
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
# raised N: the daemon has raised at least N burst alerts since it started.
RAISED='alert: .*"id":"fault-burst"'
raised() { wait_count "$T/fh.err" "$RAISED" "$1" "${2:-30}"; }
# covered N BEFORE: every one of N burst alerts (after BEFORE delivered)
# arrived or is counted undelivered in a heartbeat.
covered() {
	got=$(($(count "$T/out.log" "$BURST") - $2))
	lost=$(hb_max "$T/out.log" undelivered)
	[ $((got + ${lost:-0})) -ge "$1" ]
}

cp "$(command -v sleep)" "$T/fhburst"
mkdir -p "$T/rules"
test_rule fault-burst process T1059 "action == add and comm == \"fhburst\" and argv0 == \"$T/fhburst\"" \
	>"$T/rules/burst.rules"
process_probe_conf 'hostname = fh-fault-host' >"$T/farmhound.conf"
check "the test rule pack validates (-t)" "$FH" -t -c "$T/farmhound.conf" -r "$T/rules"

# ---- missing at start: the daemon runs, alerts wait in the backlog ----
"$FH" -d -c "$T/farmhound.conf" -r "$T/rules" >"$T/fh.out" 2>"$T/fh.err" &
fh_pid=$!
check "daemon starts and keeps running with no syslog socket" started
burst 10
check "the daemon raises the 10 alerts it cannot deliver" raised 10
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
raised_before=$(count "$T/fh.err" "$RAISED")
burst 800
check "the daemon raises the 800 alerts while the receiver is full" \
	raised $((raised_before + 800)) 60
check "daemon keeps running while the receiver is full" alive
# Let it drain, then count: every burst alert arrived or was counted.
kill -CONT "$recv_pid"
check "an alerts-undelivered notice arrives once the receiver reads again" \
	wait_for "$T/out.log" '"id":"farmhound-alerts-undelivered"' 35
check "a heartbeat reports undelivered > 0" \
	wait_for "$T/out.log" '"id":"farmhound-heartbeat".*"undelivered":[1-9]' 5
# The backlog drains at the sink's retry pace (backoff up to 30 s): wait
# until every burst alert is accounted for.
wait_until 40 covered 800 "$before"
next_heartbeat "$T/out.log"	# one more, after the notice
got=$(($(count "$T/out.log" "$BURST") - before))
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
raised_before=$(count "$T/fh.err" "$RAISED")
burst 20
check "the daemon raises 20 alerts while the socket is gone" raised $((raised_before + 20))
check "daemon keeps running while the socket is gone" alive
start_receiver
check "delivery resumes by itself after the socket comes back (20 alerts held)" \
	wait_count "$T/out.log" "$BURST" $((before + 20)) 10
check "heartbeats flow again" next_heartbeat "$T/out.log"
pkill_burst

# ---- stopped right after the receiver was full: nothing lost at exit ----
# The receiver stops reading; 300 alerts fill its queue and the sink's
# backlog (the oldest overflow, counted).  It reads again, and SIGTERM
# follows at once: the sink still holds a backlog.  The stopping notice
# goes out after it, before the daemon exits.
kill -STOP "$recv_pid"
raised_before=$(count "$T/fh.err" "$RAISED")
burst 300
check "the daemon raises 300 alerts while the receiver is stopped" \
	raised $((raised_before + 300)) 60
kill -CONT "$recv_pid"
stop_daemon "$fh_pid"
fh_pid=""
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" = 0
# The notice was sent before the daemon exited; the receiver may still be
# writing the queue out: wait for the line.
check "farmhound-stopping delivered after the backlog" \
	wait_for "$T/out.log" '"id":"farmhound-stopping"' 10
check "farmhound-stopping is the last datagram" \
	sh -c "tail -n 1 '$T/out.log' | grep -q '\"id\":\"farmhound-stopping\"'"
pkill_burst
finish
