#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# daemon.sh - the agent as a daemon, end to end, against a real rsyslogd.
#
# rsyslogd runs with its own configuration (a private imuxsock socket, an
# omfile action, nothing else: no imklog, no imjournal, its work directory
# in our temporary directory).  farmhound runs in the foreground inside a
# umockdev testbed (tests/integration/uevent.c, under umockdev-wrapper),
# with NOTIFY_SOCKET pointing at a datagram socket this script reads, so the
# sd_notify protocol is checked too.  The helper plugs the recorded PiKVM
# (tests/fixtures/usb/pikvm.umockdev) on command.
#
# Scenario: start -> READY=1, WATCHDOG=1 pings and farmhound-started; plug
# the PiKVM -> its JSON alert reaches rsyslog; SIGHUP with a broken rule
# file -> daemon alive, farmhound-reload-failed with file:line, old rules
# still fire;
# SIGHUP with a valid changed set -> farmhound-reload-ok and the new rule
# fires; SIGTERM -> exit 0, STOPPING=1, farmhound-stopping.
. "$(dirname "$0")/lib.sh"

UEVENT="$B/tests/uevent"
PIKVM="$FIX/usb/pikvm.umockdev"
T=$(mktemp -d /tmp/fh-daemon.XXXXXX)
rsyslog_pid="" notify_pid="" helper_pid=""

cleanup() {
	[ -f "$T/fh.pid" ] && kill "$(cat "$T/fh.pid")" 2>/dev/null
	for p in $helper_pid $notify_pid; do kill "$p" 2>/dev/null; done
	[ -f "$T/rsyslog.pid" ] && kill "$(cat "$T/rsyslog.pid")" 2>/dev/null
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

# count FILE REGEX: matching lines.
# ctl COMMAND: send a command to the testbed helper and wait for its ack.
# json_ok REGEX: the message of the last rsyslog line matching REGEX (after
# "host app-name ") parses as JSON.
json_ok() {
	grep -E "$1" "$T/out.log" | tail -n 1 | cut -d' ' -f3- |
		python3 -c 'import json, sys; json.loads(sys.stdin.read())' 2>/dev/null
}
alive() { kill -0 "$(cat "$T/fh.pid")" 2>/dev/null; }
shipped_fired() {
	grep '"source":"usb"' "$T/out.log" | grep -v test-kvm-plug | grep -q PiKVM
}
reloading_ready() { grep -A3 '^RELOADING=1' "$T/notify.log" | grep -q '^READY=1'; }

# ---- rsyslogd ----
mkdir -p "$T/rsyslog-work"
cat >"$T/rsyslog.conf" <<EOC
global(workDirectory="$T/rsyslog-work")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$T/log.sock" CreatePath="on" UseSpecialParser="off")
template(name="fh" type="string" string="%hostname% %app-name% %msg%\n")
*.* action(type="omfile" file="$T/out.log" template="fh")
EOC
rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslog.pid" 2>"$T/rsyslog.err" &
check "rsyslogd listens on its private socket" wait_socket "$T/log.sock"
# Our rsyslogd must not touch the host: no kernel log, no journal.
# (rsyslogd binds the socket before it writes its pid file: wait for both.)
check "rsyslogd wrote its pid file" wait_until 10 test -s "$T/rsyslog.pid"
check "rsyslogd loaded imuxsock but neither imklog nor imjournal" \
	sh -c "grep -q imuxsock.so /proc/\$(cat '$T/rsyslog.pid')/maps &&
		! grep -Eq 'imklog|imjournal' /proc/\$(cat '$T/rsyslog.pid')/maps"

# ---- sd_notify receiver ----
dgram_receiver "$T/notify.sock" "$T/notify.log"
notify_pid=$recv_pid

# ---- farmhound in a umockdev testbed ----
mkdir "$T/rules"
cp "$RULES"/*.rules "$T/rules/"
# Test rules without cooldown, so every plug and unplug alerts.
cat >"$T/rules/zz-test.rules" <<'EOR'
[rule test-kvm-plug]
name = test: PiKVM plugged
source = usb
when = action == "add" and manufacturer contains "PiKVM"
severity = critical
confidence = high
category = ip-kvm
EOR
cat >"$T/farmhound.conf" <<EOC
[agent]
hostname = fh-test-host
[output]
format = json
syslog_socket = $T/log.sock
framing = rfc5424
tag = farmhound
[collector.usb]
settle = 200ms
EOC
mkfifo "$T/ctl"
NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=400000 \
	umockdev-wrapper "$UEVENT" "$T/ctl" "$T/fh.pid" "+$FIX/usb/root-hubs.umockdev" \
	"$FH" -c "$T/farmhound.conf" -r "$T/rules" >"$T/fh.out" 2>"$T/fh.err" &
helper_pid=$!

check "READY=1 sent after the first inventory" wait_for "$T/notify.log" '^READY=1'
check "STATUS names collectors and rules" \
	wait_for "$T/notify.log" '^STATUS=[0-9]+ collectors, [0-9]+ rules, [0-9]+ alerts'
# Pings keep coming: 5 of them, every 200 ms (half of WATCHDOG_USEC) on a
# quiet machine.  Nothing else wakes this daemon (no heartbeat, no rescan
# for minutes), so 5 pings are the watchdog timer at work; how fast they
# come is the machine's business (notify_watchdog_interval_ms() is
# unit-tested for the half).
check "WATCHDOG=1 pings keep coming (5 of them)" \
	wait_count "$T/notify.log" '^WATCHDOG=1' 5
check "farmhound-started alert reaches rsyslog" \
	wait_for "$T/out.log" '"rule":\{"id":"farmhound-started"'
check "alerts carry the configured host and tag" \
	wait_for "$T/out.log" '^fh-test-host farmhound \{'

# ---- plug the PiKVM ----
check "testbed helper adds the PiKVM" ctl "add $PIKVM"
check "PiKVM alert reaches rsyslog" \
	wait_for "$T/out.log" '"rule":\{"id":"test-kvm-plug".*PiKVM'
check "PiKVM alert is one valid JSON object" json_ok '"id":"test-kvm-plug"'
check "shipped rules fire on the PiKVM too" wait_until 10 shipped_fired

# ---- reload with a broken rule file ----
printf '[rule broken]\nname = broken\nseverity = info\nsource = usb\nwhen = no_such_field == "x"\n' \
	>"$T/rules/zz-broken.rules"
kill -HUP "$(cat "$T/fh.pid")"
check "reload-failed alert names file:line" \
	wait_for "$T/out.log" '"farmhound-reload-failed".*zz-broken\.rules:5: '
check "reload-failed alert is valid JSON" json_ok '"farmhound-reload-failed"'
check "daemon still running after a failed reload" alive
# The notify socket has its own receiver: wait for it, do not assume the
# datagrams are written by the time the alert was.
check "RELOADING=1 then READY=1 around the reload" wait_until 10 reloading_ready
# The PiKVM itself: the deepest usb_device of the record (above it: the
# root hub and the controller; below it: its interfaces).
dev=$(awk '/^P: /{ p = $2 } /^E: DEVTYPE=usb_device$/{ print length(p), p }' "$PIKVM" |
	sort -n | tail -n 1 | cut -d' ' -f2)
check "testbed helper unplugs the PiKVM ($dev)" ctl "remove /sys$dev"
check "testbed helper plugs it again" ctl "add $PIKVM"
check "old rules still fire after the failed reload (second plug alerted)" \
	wait_count "$T/out.log" '"id":"test-kvm-plug"' 2

# ---- reload with a valid, changed rule set ----
rm "$T/rules/zz-broken.rules"
cat >"$T/rules/zz-new.rules" <<'EOR'
[rule test-kvm-unplug]
name = test: PiKVM unplugged
source = usb
when = action == "remove" and vendor_id == "1d6b"
severity = warning
confidence = medium
category = ip-kvm
EOR
# The config changes too: the new tag proves the sink was rebuilt from it.
sed -i 's/^tag = farmhound$/tag = fh-reloaded/' "$T/farmhound.conf"
kill -HUP "$(cat "$T/fh.pid")"
check "reload-ok alert after a valid change, sent with the new config's tag" \
	wait_for "$T/out.log" '^fh-test-host fh-reloaded .*"rule":\{"id":"farmhound-reload-ok"'
ctl "remove /sys$dev" >/dev/null
check "the new rule is in force after the reload" \
	wait_for "$T/out.log" '"rule":\{"id":"test-kvm-unplug"'

# ---- stop ----
stop_daemon "$(cat "$T/fh.pid")" "$helper_pid"
helper_pid=""
check "SIGTERM: daemon exits cleanly (status $rc)" test "$rc" = 0
check "STOPPING=1 sent" wait_for "$T/notify.log" '^STOPPING=1'
check "farmhound-stopping alert reaches rsyslog" \
	wait_for "$T/out.log" '"rule":\{"id":"farmhound-stopping"'
check "operational log stays off the alert feed (no alert JSON on stderr)" \
	sh -c "! grep -q '\"event\":{\"kind\"' '$T/fh.err'"
finish
