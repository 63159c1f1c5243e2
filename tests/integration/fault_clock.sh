#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# fault_clock.sh - the wall clock jumping backwards and forwards.
#
# A small LD_PRELOAD shim, compiled here, moves the daemon's wall clock
# (clock_gettime on the CLOCK_REALTIME clocks, gettimeofday, time) by an
# offset in seconds it re-reads from a file on every call, and leaves
# CLOCK_MONOTONIC and the kernel's timers alone: the test moves the clock
# under the running daemon, -2 days, then +400 days, then back.
#
# Why not libfaketime: its timerfd_settime wrapper shifts absolute
# CLOCK_MONOTONIC deadlines by the fake offset too (checked with 0.9.10 and
# FAKETIME_DONT_FAKE_MONOTONIC=1: a 1 s monotonic timerfd set after a -2d
# jump fires two days later), which stalls any timerfd loop and would test
# libfaketime rather than farmhound.
#
# Asserts: the shim is really in effect (alert timestamps follow it);
# after each jump heartbeats neither stall nor flood (timers run on
# CLOCK_MONOTONIC: deadlines computed from the wall clock would stall for
# two days after the backward jump, and one catching up 400 days of missed
# periods would send heartbeats back to back); a 1 h cooldown is still in
# force after the clock jumped 400 days ahead (cooldowns are measured on
# CLOCK_MONOTONIC), and the held match is counted, not lost.
#
# None of it is timed: "not stalled" is two more heartbeats within a
# generous deadline; "no flood" is a fact of the loop (it sends at most one
# heartbeat per 1 s interval) checked against the test's own clock with a
# factor of 2, over the span since the jump; the cooldown's "no second
# alert" is asserted once the heartbeat counts the probe's match as held
# (or a second alert came), not after a sleep.
. "$(dirname "$0")/lib.sh"

T=$(mktemp -d /tmp/fh-fclock.XXXXXX)
recv_pid="" fh_pid="" probes=""

cleanup() {
	[ -n "$fh_pid" ] && kill "$fh_pid" 2>/dev/null
	[ -n "$recv_pid" ] && kill "$recv_pid" 2>/dev/null
	for p in $probes; do kill "$p" 2>/dev/null; done
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

alive() { kill -0 "$fh_pid" 2>/dev/null; }
probe() { "$T/fhprobe" 600 & probes="$probes $!"; }
# The date (YYYY-MM-DD) of the last heartbeat's @timestamp.
hb_date() {
	grep "$HB" "$T/out.log" | tail -n 1 | sed 's/^[^{]*//' |
		python3 -c 'import json, sys; print(json.loads(sys.stdin.read())["@timestamp"][:10])'
}
# hb_more: two more heartbeats (the timers are not stalled).
hb_more() { next_heartbeat "$T/out.log" 2 20; }
# The test's own monotonic clock, in hundredths of a second (the shim is
# in the daemon only).
now_cs() { sed 's/ .*//; s/\.//' /proc/uptime; }
# jump OFFSET: move the daemon's wall clock by OFFSET seconds; the time and
# heartbeat count at the jump are kept for not_flood.
jump() {
	echo "$1" >"$T/offset"
	jump_cs=$(now_cs); jump_hb=$(count "$T/out.log" "$HB")
}
# not_flood: the heartbeats since the jump are at most 2 per second of it,
# plus 2 (one in flight at the jump, the receiver writing in bursts): the
# loop sends at most one per 1 s interval, a flood thousands.
not_flood() {
	_hbs=$(($(count "$T/out.log" "$HB") - jump_hb))
	_cs=$(($(now_cs) - jump_cs))
	echo "# $_hbs heartbeats in $((_cs / 100)).$((_cs % 100 / 10)) s since the jump"
	[ $((_hbs * 100)) -le $((2 * _cs + 200)) ]
}
# The suppressed count of the last heartbeat.
hb_suppressed() { last_heartbeat "$T/out.log" | sed -n 's/.*"suppressed":\([0-9]*\).*/\1/p'; }
probe_alerts() { count "$T/out.log" '"id":"fault-clock-probe"'; }
# The probe's match went through the rules: held (suppressed rose past
# suppressed0) or, if the cooldown broke, alerted a second time.
held() { [ "$(hb_suppressed)" -gt "$suppressed0" ] 2>/dev/null; }
held_or_alerted() { held || [ "$(probe_alerts)" -ge 2 ]; }
# probe_story: on a failure, what each probe alert was (lifecycle, kind,
# pid, exe, message) and the heartbeats' counts, to tell a second alert
# from a resolved notice or a changed entity.
probe_story() {
	grep '"id":"fault-clock-probe"' "$T/out.log" | sed 's/^[^{]*//' | python3 -c '
import json, sys
for line in sys.stdin:
    a = json.loads(line)
    f, fh = a["farmhound"].get("fields", {}), a["farmhound"]
    print("# probe alert: %s lifecycle=%s pid=%s comm=%s exe=%s suppressed=%s: %s" % (
        a["@timestamp"], fh.get("lifecycle", "-"), f.get("pid"), f.get("comm"),
        f.get("exe"), fh.get("suppressed", "-"), a["message"]))'
	last_heartbeat "$T/out.log" | sed 's/^/# last heartbeat: /' | cut -c1-400
}

dgram_receiver "$T/log.sock" "$T/out.log"

# ---- the shim ----
cat >"$T/walljump.c" <<'EOC'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

/* The offset in seconds, from $WALLJUMP_FILE, re-read on every call. */
static long offset(void)
{
	const char *p = getenv("WALLJUMP_FILE");
	FILE *f = p ? fopen(p, "re") : NULL;
	long v = 0;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	int r;

	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	r = real(id, ts);
	if (r == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += offset();
	return r;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	(void)tz;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -1;
	if (tv) {
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = ts.tv_nsec / 1000;
	}
	return 0;
}

time_t time(time_t *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}
EOC
build_shim walljump

cp "$(command -v sleep)" "$T/fhprobe"
mkdir -p "$T/rules"
test_rule fault-clock-probe process T1059 "action == add and comm == \"fhprobe\" and argv0 == \"$T/fhprobe\"" \
	'cooldown    = 1h' >"$T/rules/probe.rules"
process_probe_conf >"$T/farmhound.conf"

# dated OFFSET: the newest heartbeat carries the date of now + OFFSET
# seconds, or of two minutes before that (a run crossing midnight UTC).
dated() {
	_t=$(($(date -u +%s) + $1))
	_d=$(hb_date)
	[ "$_d" = "$(date -u -d "@$_t" +%F)" ] || [ "$_d" = "$(date -u -d "@$((_t - 120))" +%F)" ]
}

echo 0 >"$T/offset"
LD_PRELOAD="$T/walljump.so${LD_PRELOAD:+:$LD_PRELOAD}" WALLJUMP_FILE="$T/offset" \
	"$FH" -c "$T/farmhound.conf" -r "$T/rules" >"$T/fh.out" 2>"$T/fh.err" &
fh_pid=$!
check "daemon started with the wall-clock shim" wait_for "$T/out.log" '"id":"farmhound-started"' 10
check "a heartbeat" wait_for "$T/out.log" "$HB"
check "... dated today ($(hb_date))" dated 0
probe
check "the first probe alerts" wait_for "$T/out.log" '"id":"fault-clock-probe"'

# ---- backwards two days ----
jump -172800
check "heartbeats keep coming after the clock jumped back 2 days" hb_more
check "... and carry the faked date, 2 days back ($(hb_date)): the jump was real" dated -172800
check "... and do not flood" not_flood
check "daemon still running" alive

# ---- forwards 400 days: the 1 h cooldown is still in force ----
jump 34560000
check "heartbeats keep coming after the clock jumped 400 days ahead" hb_more
check "... and carry the faked date, 400 days ahead ($(hb_date))" dated 34560000
suppressed0=$(hb_suppressed)
probe
# The rescan (every second) sees the probe; the heartbeat after it counts
# the held match.  Its sync point for the absence of a second alert.
check "the second probe's match went through the rules" wait_until 20 held_or_alerted
check "the 1 h cooldown outlives a 400-day wall-clock jump (no second alert)" \
	test "$(probe_alerts)" -eq 1 || probe_story
check "the held match is counted as suppressed in the heartbeat ($suppressed0 -> $(hb_suppressed))" held
check "no heartbeat flood since the jump ahead" not_flood

# ---- and back to the real time ----
jump 0
check "heartbeats keep coming back on the real clock" hb_more
check "... dated today again" dated 0
check "... and do not flood" not_flood

stop_daemon "$fh_pid"
fh_pid=""
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" = 0
finish
