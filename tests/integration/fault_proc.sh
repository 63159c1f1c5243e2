#!/bin/sh
# fault_proc.sh - /proc entries vanishing mid-read.
#
# 1. The process collector's walk, run back to back against the real /proc
#    while thousands of processes are forked, exit and are reaped
#    (tests/tools/proc_churn.c): every walk succeeds, and the entries that
#    vanished between readdir() and the read of PID/stat are counted in
#    stats().skipped (the race must really have been hit: skipped > 0).
# 2. The daemon (process collector walking every second) through the same
#    churn: it keeps running, heartbeats keep coming, the process collector
#    is never reported failed, and a process started afterwards still alerts.
. "$(dirname "$0")/lib.sh"

CHURN="$B/tests/tools/proc_churn"
T=$(mktemp -d /tmp/fh-fproc.XXXXXX)
recv_pid="" fh_pid="" probe_pid=""

cleanup() {
	[ -n "$fh_pid" ] && kill "$fh_pid" 2>/dev/null
	[ -n "$recv_pid" ] && kill "$recv_pid" 2>/dev/null
	[ -n "$probe_pid" ] && kill "$probe_pid" 2>/dev/null
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

alive() { kill -0 "$fh_pid" 2>/dev/null; }
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$T/churn.out"; }

# ---- 1. the walk itself under churn ----
"$CHURN" 3 >"$T/churn.out" 2>"$T/churn.err"
rc=$?
echo "# $(cat "$T/churn.out")"
check "walks under churn all succeed (exit $rc)" test "$rc" -eq 0
check "thousands of processes came and went ($(field spawned))" test "$(field spawned)" -ge 1000
check "many walks ran ($(field walks))" test "$(field walks)" -ge 10
check "vanished entries were skipped and counted ($(field skipped) > 0)" test "$(field skipped)" -gt 0
check "no walk error" test "$(field errors)" -eq 0

# ---- 2. the daemon through the churn ----
dgram_receiver "$T/log.sock" "$T/out.log"

cp "$(command -v sleep)" "$T/fhprobe"
mkdir -p "$T/rules"
test_rule fault-proc-probe process T1059 'action == add and comm == "fhprobe"' \
	>"$T/rules/probe.rules"
process_probe_conf >"$T/farmhound.conf"
"$FH" -c "$T/farmhound.conf" -r "$T/rules" >"$T/fh.out" 2>"$T/fh.err" &
fh_pid=$!
check "daemon started" wait_for "$T/out.log" '"id":"farmhound-started"' 10
hb0=$(count "$T/out.log" '"id":"farmhound-heartbeat"')
"$CHURN" 5 >"$T/churn2.out" 2>&1
echo "# during the daemon run: $(cat "$T/churn2.out")"
check "daemon kept running through the churn" alive
hb1=$(count "$T/out.log" '"id":"farmhound-heartbeat"')
check "heartbeats kept coming during the churn ($((hb1 - hb0)) in 5 s)" test $((hb1 - hb0)) -ge 3
check "the process collector was never reported failed" \
	test "$(count "$T/out.log" '"id":"farmhound-collector-failed"')" -eq 0
check "the last heartbeat lists process as active" \
	sh -c "grep farmhound-heartbeat '$T/out.log' | tail -n 1 | grep -q '\"collectors_active\":\[[^]]*\"process\"'"
"$T/fhprobe" 600 &
probe_pid=$!
check "a process started after the churn still alerts" \
	wait_for "$T/out.log" '"id":"fault-proc-probe"' 5

stop_daemon "$fh_pid"
fh_pid=""
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" = 0
finish
