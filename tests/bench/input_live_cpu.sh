#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# input_live_cpu.sh - `make bench`: the input collector's cost.
#
# The daemon (only the input collector on, alerts to a throw-away
# datagram socket) runs in a umockdev testbed holding one USB mouse
# (tests/fixtures/input/live-jiggler.umockdev):
#   idle    nobody touches it for BENCH_INPUT_SECONDS (30): CPU share of
#           one core, against the same daemon with the input collector
#           off (the budget: unchanged while no one types);
#   motion  the mouse moves continuously, BENCH_INPUT_RATE (1000) frames a
#           second (REL_X, REL_Y, SYN_REPORT each), replayed by umockdev
#           for the same time: CPU share of one core (budget: below 1 %)
#           and VmHWM, which must not grow with the events (memory per
#           device is fixed).
# CPU is utime + stime from /proc/PID/stat over the wall time of the
# window, measured after start-up.
set -u
# top, B, FH, and collectors_only (the "every other collector off"
# lines, shared with the suites); sourcing it sets no trap.
. "$(dirname "$0")/../integration/lib.sh"
SECS=${BENCH_INPUT_SECONDS:-30}
RATE=${BENCH_INPUT_RATE:-1000}
DEV="$top/tests/fixtures/input/live-jiggler.umockdev"

if ! command -v umockdev-run >/dev/null; then
	echo "input CPU benchmark: skipped (needs umockdev)"
	exit 0
fi
T=$(mktemp -d /tmp/fh-ibench.XXXXXX)
run_pid="" sink_pid=""
cleanup() {
	for p in $run_pid $sink_pid; do kill "$p" 2>/dev/null; done
	pkill -P "$$" 2>/dev/null
	sleep 0.2
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

# The alerts' socket (lib.sh), discarding what it receives.
dgram_receiver "$T/log.sock" /dev/null || exit 1
sink_pid=$recv_pid

# conf NAME yes|no: on stdout, only the input collector on (or none).
conf() {
	printf '[output]\nsyslog_socket = %s/log.sock\n' "$T"
	collectors_only input
	printf '[collector.input]\nenabled = %s\n' "$2"
}
conf on yes >"$T/on.conf"
conf off no >"$T/off.conf"

# Continuous motion: small moves in varying directions, RATE frames/s.
python3 - "$SECS" "$RATE" >"$T/motion.events" <<'EOP'
import math, sys
secs, rate = float(sys.argv[1]), int(sys.argv[2])
for i in range(int(secs * rate) + rate):
    t = 0.5 + i / rate
    dx = int(round(6 * math.cos(i / 50.0))) or 1
    dy = int(round(6 * math.sin(i / 70.0))) or 1
    us = int(round(t * 1e6))
    s = "%d.%06d" % (us // 1000000, us % 1000000)
    print("E: %s 0002 0000 %d" % (s, dx))
    print("E: %s 0002 0001 %d" % (s, dy))
    print("E: %s 0000 0000 0000" % s)
EOP

# cpu_ticks PID: utime + stime of PID in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# measure NAME CONF [EVENTS]: the daemon's CPU share (percent of one
# core) and VmHWM over SECS seconds, after a second of start-up.
measure() {
	if [ -n "${3:-}" ]; then
		umockdev-run -d "$DEV" -e "/dev/input/event5=$3" -- \
			"$FH" -c "$2" -r "$top/rules/rules.d" >/dev/null 2>"$T/$1.err" &
	else
		umockdev-run -d "$DEV" -- \
			"$FH" -c "$2" -r "$top/rules/rules.d" >/dev/null 2>"$T/$1.err" &
	fi
	run_pid=$!
	sleep 1
	fh=$(pgrep -P "$run_pid" -x farmhound)
	if [ -z "$fh" ]; then
		echo "input CPU benchmark: the daemon did not start ($(head -n 1 "$T/$1.err"))"
		return 1
	fi
	hz=$(getconf CLK_TCK)
	c0=$(cpu_ticks "$fh"); t0=$(date +%s.%N)
	sleep "$SECS"
	c1=$(cpu_ticks "$fh"); t1=$(date +%s.%N)
	hwm=$(hwm_kb "$fh")
	kill "$fh" 2>/dev/null
	wait "$run_pid" 2>/dev/null
	run_pid=""
	awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" -v n="$1" -v h="$hwm" \
		'BEGIN { printf "%s %.3f %s\n", n, 100 * (c1 - c0) / hz / (t1 - t0), h }'
}

measure idle-off "$T/off.conf" >"$T/rows" || exit 0
measure idle-on "$T/on.conf" >>"$T/rows" || exit 0
measure motion "$T/on.conf" "$T/motion.events" >>"$T/rows" || exit 0
awk -v secs="$SECS" -v rate="$RATE" '
	{ cpu[$1] = $2; hwm[$1] = $3 }
	END {
		printf "input idle: %.2f%% of a core with the collector, %.2f%% without (%d s); VmHWM %d kB\n",
			cpu["idle-on"], cpu["idle-off"], secs, hwm["idle-on"]
		printf "input motion: %.2f%% of a core at %d frames/s for %d s (budget < 1%%); VmHWM %d kB\n",
			cpu["motion"], rate, secs, hwm["motion"]
	}' "$T/rows"
