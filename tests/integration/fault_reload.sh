#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# fault_reload.sh - reload faults: the rules directory unreadable at reload
# (farmhound-reload-failed, the old rules stay in force) and a burst of 50
# SIGHUPs in a row (the daemon survives and ends with the new rules).
#
# root reads a mode-000 directory anyway (CAP_DAC_OVERRIDE), so the daemon
# runs as nobody (setpriv, no capabilities: with only the process collector
# it needs none) and the rules directory is nobody's.  The alerts come from
# the real process collector: a private rule fires on each process started
# from a copy of sleep(1) named fhprobe.  SKIPs without root or setpriv.
#
# No sleeps: the first probe waits for the first heartbeat (sent after the
# first walk, which reports what runs already as present, not add), and
# what the burst must not have done is asserted after two heartbeats.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	ok "# SKIP needs root and setpriv to run the daemon as nobody"
	finish
	exit $?
fi
T=$(mktemp -d /tmp/fh-freload.XXXXXX)
chmod 0755 "$T"
recv_pid="" fh_pid=""

cleanup() {
	[ -n "$fh_pid" ] && kill "$fh_pid" 2>/dev/null
	[ -n "$recv_pid" ] && kill "$recv_pid" 2>/dev/null
	[ -f "$T/probe.pids" ] && xargs -r kill 2>/dev/null <"$T/probe.pids"
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM
# The binary where nobody can reach it (the clone may be under a 0700 dir).
stage_for_others "$T/u" || { finish; exit 1; }

alive() { kill -0 "$fh_pid" 2>/dev/null; }
# probe: one fhprobe process; the process collector walks every second.
probe() { "$T/fhprobe" 600 & echo $! >>"$T/probe.pids"; }
# rule ID: a rule pack with one rule ID firing on fhprobe.
rule() {
	test_rule "$1" process T1059 "action == add and comm == \"fhprobe\" and argv0 == \"$T/fhprobe\"" \
		>"$T/rules/probe.rules"
	chown -R $NOBODY:$NOBODY "$T/rules"
}

dgram_receiver "$T/log.sock" "$T/out.log" 0666

cp "$(command -v sleep)" "$T/fhprobe"
chmod 0755 "$T/fhprobe"
mkdir -p "$T/rules"
rule fault-reload-old
process_probe_conf >"$T/farmhound.conf"
chmod 0644 "$T/farmhound.conf"

setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups --inh-caps=-all \
	--bounding-set=-all --no-new-privs \
	"$FH" -c "$T/farmhound.conf" -r "$T/rules" >"$T/fh.out" 2>"$T/fh.err" &
fh_pid=$!
check "daemon started as nobody" wait_for "$T/out.log" '"id":"farmhound-started"' 10
# The first walk is done: a probe from now on is a process started (add).
check "a heartbeat: the first walk is done" wait_for "$T/out.log" "$HB"
probe
check "the original rule fires" wait_for "$T/out.log" '"id":"fault-reload-old"'

# ---- the rules directory unreadable at reload ----
rule fault-reload-new
chmod 000 "$T/rules"
check "the rules directory is really unreadable for nobody" \
	sh -c "! setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups ls '$T/rules' >/dev/null 2>&1"
kill -HUP "$fh_pid"
check "reload-failed notice when the rules directory is unreadable" \
	wait_for "$T/out.log" '"id":"farmhound-reload-failed"'
check "... naming the directory and the reason" \
	grep -Eq '"id":"farmhound-reload-failed".*rules: cannot open rules directory: Permission denied' "$T/out.log"
check "daemon still running after the failed reload" alive
old=$(count "$T/out.log" '"id":"fault-reload-old"')
probe
check "the old rules stay in force (a new probe fires the old rule)" \
	wait_count "$T/out.log" '"id":"fault-reload-old"' $((old + 1))
check "the new rule is not in force" test "$(count "$T/out.log" '"id":"fault-reload-new"')" -eq 0

# ---- a burst of 50 SIGHUPs, the directory readable again ----
chmod 0755 "$T/rules"
oks=$(count "$T/out.log" '"id":"farmhound-reload-ok"')
j=0
while [ $j -lt 50 ]; do kill -HUP "$fh_pid" 2>/dev/null; j=$((j + 1)); done
check "at least one reload-ok after 50 SIGHUPs" \
	wait_count "$T/out.log" '"id":"farmhound-reload-ok"' $((oks + 1))
# Two heartbeats: every SIGHUP sent (all pending before the first reload)
# has been handled, so the counts below are final.
check "heartbeats go on after the burst (2 more)" next_heartbeat "$T/out.log" 2
check "daemon survives 50 SIGHUPs in a row" alive
n=$(($(count "$T/out.log" '"id":"farmhound-reload-ok"') - oks))
echo "# 50 SIGHUPs -> $n reloads (signals coalesce)"
check "no more reloads than SIGHUPs ($n <= 50)" test "$n" -le 50
check "no reload failed during the burst" \
	test "$(count "$T/out.log" '"id":"farmhound-reload-failed"')" -eq 1
probe
check "it ends with the new rules: a probe fires the new rule" \
	wait_for "$T/out.log" '"id":"fault-reload-new"'

stop_daemon "$fh_pid"
fh_pid=""
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" = 0
finish
