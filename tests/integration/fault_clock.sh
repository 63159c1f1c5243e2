#!/bin/sh
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
# heartbeats keep their 1 s period through both jumps (timers run on
# CLOCK_MONOTONIC: deadlines computed from the wall clock would stall for
# two days after the backward jump); a 1 h cooldown is still in force after
# the clock jumped 400 days ahead (cooldowns are measured on
# CLOCK_MONOTONIC), and the held match is counted, not lost.
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
HB='"id":"farmhound-heartbeat"'
# The date (YYYY-MM-DD) of the last heartbeat's @timestamp.
hb_date() {
	grep "$HB" "$T/out.log" | tail -n 1 | sed 's/^[^{]*//' |
		python3 -c 'import json, sys; print(json.loads(sys.stdin.read())["@timestamp"][:10])'
}
# hb_more N SECONDS: at least N new heartbeats within SECONDS.
hb_more() {
	n0=$(count "$T/out.log" "$HB")
	sleep "$2"
	test $(($(count "$T/out.log" "$HB") - n0)) -ge "$1"
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
test_rule fault-clock-probe process T1059 'action == add and comm == "fhprobe"' \
	'cooldown    = 1h' >"$T/rules/probe.rules"
process_probe_conf >"$T/farmhound.conf"

echo 0 >"$T/offset"
today=$(date -u +%F)
LD_PRELOAD="$T/walljump.so${LD_PRELOAD:+:$LD_PRELOAD}" WALLJUMP_FILE="$T/offset" \
	"$FH" -c "$T/farmhound.conf" -r "$T/rules" >"$T/fh.out" 2>"$T/fh.err" &
fh_pid=$!
check "daemon started with the wall-clock shim" wait_for "$T/out.log" '"id":"farmhound-started"' 10
check "a heartbeat" wait_for "$T/out.log" "$HB" 3
check "... dated today ($today)" test "$(hb_date)" = "$today"
probe
check "the first probe alerts" wait_for "$T/out.log" '"id":"fault-clock-probe"' 5

# ---- backwards two days ----
echo -172800 >"$T/offset"
back=$(date -u -d '2 days ago' +%F)
check "heartbeats keep their period after the clock jumped back 2 days" hb_more 2 3.2
check "... and carry the faked date ($back): the jump was real" test "$(hb_date)" = "$back"
check "daemon still running" alive

# ---- forwards 400 days: the 1 h cooldown is still in force ----
echo 34560000 >"$T/offset"
fwd=$(date -u -d '400 days' +%F)
check "heartbeats keep their period after the clock jumped 400 days ahead" hb_more 2 3.2
check "... and carry the faked date ($fwd)" test "$(hb_date)" = "$fwd"
probe
sleep 3
check "the 1 h cooldown outlives a 400-day wall-clock jump (no second alert)" \
	test "$(count "$T/out.log" '"id":"fault-clock-probe"')" -eq 1
check "the held match is counted as suppressed in the heartbeat" \
	sh -c "sleep 1.2; grep '$HB' '$T/out.log' | tail -n 1 | grep -q '\"suppressed\":[1-9]'"

# ---- and back to the real time ----
echo 0 >"$T/offset"
check "heartbeats keep their period back on the real clock" hb_more 2 3.2
check "... dated today again" test "$(hb_date)" = "$today"

stop_daemon "$fh_pid"
fh_pid=""
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" = 0
finish
