#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tick_failed.sh - a collector whose periodic work fails (on_tick returning
# an error) is treated like one that cannot start: exactly one
# farmhound-collector-failed notice, heartbeats list it as failed and not
# active, it is retried with the start-up backoff (without a notice per
# retry), and farmhound-collector-recovered goes out once it works again.
#
# The process collector works only through its tick (a walk of /proc
# every rescan_interval).  The daemon reads /proc through --procfs
# $T/proc, a symlink to /proc: removing the symlink makes the walk fail
# (opendir: ENOENT), putting it back makes it work.  (Before the fix the
# failure was only logged: no notice, and heartbeats kept listing process
# as active.)
. "$(dirname "$0")/lib.sh"

T=$(mktemp -d /tmp/fh-tickf.XXXXXX)
recv_pid="" fh_pid=""
cleanup() {
	for p in $fh_pid $recv_pid; do kill "$p" 2>/dev/null; done
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

# hb_has / hb_not active|failed: the newest heartbeat lists process among
# the active or failed collectors / does not.
hb_has() { last_heartbeat "$T/out.log" | grep -q "\"collectors_$1\":\[\"process\"\]"; }
hb_not() { ! hb_has "$1"; }
FAILED='"id":"farmhound-collector-failed".*"collector":"process"'
RECOVERED='"id":"farmhound-collector-recovered".*"collector":"process"'

ln -s /proc "$T/proc"
mkdir -p "$T/rules"
test_rule tick-probe process T1059 "action == add and comm == \"fhtickprobe\" and argv0 == \"$T/fhtickprobe\"" \
	>"$T/rules/probe.rules"
process_probe_conf >"$T/farmhound.conf"
dgram_receiver "$T/log.sock" "$T/out.log"
# -d: the retries are logged at debug level ("failed again"), the sync
# point for "retried, and no second notice".
"$FH" -d -c "$T/farmhound.conf" -r "$T/rules" --procfs "$T/proc" 2>"$T/fh.err" &
fh_pid=$!
check "a heartbeat lists process as active" \
	wait_for "$T/out.log" "$HB"'.*"collectors_active":\["process"\]' 20

rm "$T/proc"
check "one collector-failed notice for process once its walk fails" \
	wait_for "$T/out.log" "$FAILED" 20
check "the notice names the periodic work and the reason" \
	grep -Eq "$FAILED"'.*periodic work failed: No such file or directory' "$T/out.log"
check "a heartbeat lists process as failed" \
	wait_for "$T/out.log" "$HB"'.*"collectors_failed":\["process"\]' 10
next_heartbeat "$T/out.log"
check "the latest heartbeat does not list process as active" hb_not active
# Retries at 5 s, then 10 s after the failure: wait for two of them.
check "the collector is retried with backoff (two retries logged)" \
	wait_count "$T/fh.err" 'process: .*failed again' 2 40
check "the daemon kept running" kill -0 "$fh_pid"
next_heartbeat "$T/out.log"
check "no alert flood: still exactly one collector-failed notice ($(count "$T/out.log" "$FAILED"))" \
	test "$(count "$T/out.log" "$FAILED")" -eq 1

ln -s /proc "$T/proc"
# The next retry is 20 s after the second one.
check "collector-recovered once /proc is back" wait_for "$T/out.log" "$RECOVERED" 60
check "a heartbeat lists process as active again" \
	wait_for "$T/out.log" "$RECOVERED"'|'"$HB"'.*"collectors_active":\["process"\]' 10
next_heartbeat "$T/out.log"
check "the newest heartbeat lists process as active" hb_has active
check "the newest heartbeat does not list process as failed" hb_not failed
cp "$(command -v sleep)" "$T/fhtickprobe"
"$T/fhtickprobe" 30 &
probe=$!
check "the process collector alerts again after recovering" \
	wait_for "$T/out.log" '"id":"tick-probe"' 20
kill "$probe" 2>/dev/null
check "exactly one collector-failed notice in all" \
	test "$(count "$T/out.log" "$FAILED")" -eq 1
check "exactly one collector-recovered notice" \
	test "$(count "$T/out.log" "$RECOVERED")" -eq 1

stop_daemon "$fh_pid"
fh_pid=""
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" = 0
finish
