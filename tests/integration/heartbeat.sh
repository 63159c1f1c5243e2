#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# heartbeat.sh - self-monitoring and the alert lifecycle, end to end: the
# daemon in a umockdev testbed (tests/integration/uevent.c) sending to a
# unix datagram socket read by a small receiver.
#
# Scenario: heartbeat_interval = 1s -> heartbeats with every counter
# (events per source, alerts, suppressed, undelivered, rules, collectors,
# memory, uptime, skipped); a garbage stat appears in the process
# collector's --procfs fixture tree -> skipped counts it, and the message
# names the collector; plug the PiKVM -> its alerts, and no laptop-farm
# verdict (a KVM's USB side alone is one category); SIGHUP (state survives
# the reload; the process collector, its settings changed, is restarted and
# the skipped total goes on from where it was); unplug -> a "resolved"
# notice for each rule that fired, carrying farmhound.lifecycle = resolved;
# the heartbeat counts the usb events; SIGTERM -> exit status 0.
. "$(dirname "$0")/lib.sh"

UEVENT="$B/tests/uevent"
PIKVM="$FIX/usb/pikvm.umockdev"
testbed_scratch hb

# jq_last REGEX EXPR: evaluate a python expression over the JSON of the
# last line matching REGEX (bound to "a"); prints the result.
jq_last() {
	grep -E "$1" "$T/out.log" | tail -n 1 | sed 's/^[^{]*//' |
		python3 -c 'import json, sys; a = json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$2" 2>/dev/null
}
alive() { kill -0 "$(cat "$T/fh.pid")" 2>/dev/null; }

# ---- the receiver: one line per datagram ----
dgram_receiver "$T/log.sock" "$T/out.log"

# The process collector walks a fixture tree (--procfs), never the machine's
# /proc: empty but for the boot time, until a garbage entry is put in.
mkdir -p "$T/proc"
printf 'cpu  10 0 10 100 0 0 0 0 0 0\nbtime 1795434600\n' >"$T/proc/stat"

cat >"$T/farmhound.conf" <<EOC
[agent]
hostname = fh-hb-host
heartbeat_interval = 1s
[output]
format = json
syslog_socket = $T/log.sock
[collector.usb]
settle = 200ms
# Only the USB side and the fixture /proc are under test: the machine's own
# sockets and traffic must not add evidence to the verdict.
[collector.process]
rescan_interval = 1s
$(collectors_only usb display process)
EOC
mkfifo "$T/ctl"
umockdev-wrapper "$UEVENT" "$T/ctl" "$T/fh.pid" "+$FIX/usb/root-hubs.umockdev" \
	"$FH" -c "$T/farmhound.conf" -r "$RULES" --procfs "$T/proc" >"$T/fh.out" 2>"$T/fh.err" &
helper_pid=$!

check "farmhound-started names the version and the rule count" \
	wait_for "$T/out.log" '"id":"farmhound-started".*"version":"[0-9.]+","rule_count":[1-9]'
check "a heartbeat arrives" wait_for "$T/out.log" "$HB"
hb=$HB
check "heartbeat counts events per source" \
	test "$(jq_last "$hb" "[e for e in a['farmhound']['fields']['events'] if e.startswith('usb=')][0]")" != ""
check "heartbeat carries alerts, suppressed, undelivered, events_total, uptime, dropped, skipped" \
	test "$(jq_last "$hb" "all(k in a['farmhound']['fields'] for k in ('alerts','suppressed','undelivered','events_total','uptime','rule_count','dropped','skipped'))")" = True
check "skipped is 0 while no input was malformed, and the message names none" \
	test "$(jq_last "$hb" "a['farmhound']['fields']['skipped'] == 0 and 'skipped' not in a['message']")" = True
check "heartbeat lists the usb collector as active" \
	test "$(jq_last "$hb" "'usb' in a['farmhound']['fields']['collectors_active']")" = True
# ASan's shadow memory and quarantine inflate RSS: the ceiling holds only for
# the ordinary build (make test-asan exports FH_SANITIZED=1); the field must
# still be there and positive.
if [ -n "${FH_SANITIZED:-}" ]; then
	check "heartbeat reports resident memory (VmRSS), positive" \
		test "$(jq_last "$hb" "0 < a['farmhound']['fields']['rss_kb']")" = True
	ok "# SKIP VmRSS under 8 MB: sanitizer build (FH_SANITIZED)"
else
	check "heartbeat reports resident memory (VmRSS) under 8 MB" \
		test "$(jq_last "$hb" "0 < a['farmhound']['fields']['rss_kb'] < 8192")" = True
fi
# Heartbeats repeat: a count reached, however long a busy machine takes
# (1 s apart, so the deadline is 10x the typical 3 s).
check "heartbeats keep coming (3 of them)" wait_count "$T/out.log" "$hb" 3 30

# ---- malformed input: a /proc entry whose stat does not parse ----
# (cut short before the ')' that ends comm: procfs_parse_stat rejects it,
# so every walk skips it and counts it.)
mkdir "$T/proc/4242"
printf '4242 (fh-garbage S 1' >"$T/proc/4242/stat"
check "a heartbeat counts the skipped entry (skipped > 0)" \
	wait_for "$T/out.log" "$hb"'.*"skipped":[1-9]'
sk='"id":"farmhound-heartbeat".*"skipped":[1-9]'
check "the message names the collector that skipped, with the total" \
	test "$(jq_last "$sk" "('(process=%d)' % a['farmhound']['fields']['skipped']) in a['message'] and ('%d input records skipped' % a['farmhound']['fields']['skipped']) in a['message']")" = True
check "the garbage entry raised no process event" \
	test "$(jq_last "$sk" "[e for e in a['farmhound']['fields']['events'] if e.startswith('process=')][0]")" = process=0

# ---- plug the PiKVM: alerts, no verdict from its USB side alone ----
check "testbed helper adds the PiKVM" ctl "add $PIKVM"
# The sync point: a heartbeat is sent after the loop went round past the
# plug, so every alert and verdict the plug caused is in the log before it
# (one socket, in order).  Two, in case the first was already on its way.
check "the PiKVM alert arrives" wait_for "$T/out.log" '"id":"ip-kvm-pikvm"'
check "heartbeats follow the plug (sync point)" next_heartbeat "$T/out.log" 2
check "no laptop-farm verdict from one KVM's USB side" \
	test "$(count "$T/out.log" '"id":"laptop-farm-suspected"')" -eq 0
fired=$(grep -E '"source":"usb"' "$T/out.log" | grep -o '"rule":{"id":"[^"]*"' | sort -u | wc -l)
check "several usb rules fired on the PiKVM ($fired)" test "$fired" -ge 2
# alerts counts every line sent before the heartbeat (its own kind too), so
# the last heartbeat's count is at least the lines above it in the log: the
# usb alerts among them.  (A fixed floor such as fired + 1 would be met by
# the heartbeats alone.)
cp "$T/out.log" "$T/snap.log"
hb_alerts=$(last_heartbeat "$T/snap.log" | grep -o '"alerts":[0-9]*' | cut -d: -f2)
above=$(($(grep -n "$hb" "$T/snap.log" | tail -n 1 | cut -d: -f1) - 1))
check "a later heartbeat counts the usb alerts (${hb_alerts:-none} >= $above lines sent before it)" \
	test "${hb_alerts:-0}" -ge "$above"

# ---- reload, then unplug: resolved notices ----
# The process collector's settings change: the reload restarts it, and its
# own counter starts again at 0.  With a 10 s walk, only the restart's
# inventory walks before the next heartbeats: the total goes on from the
# last read (the counter is read once more when the collector stops).
sed -i 's/^rescan_interval = 1s$/rescan_interval = 10s/' "$T/farmhound.conf"
kill -HUP "$(cat "$T/fh.pid")"
check "reload ok" wait_for "$T/out.log" '"id":"farmhound-reload-ok"'
# skipped_of WHICH: the skipped field of the last heartbeat before the
# reload-ok notice (before), or of the first one after it (after).
skipped_of() {
	if [ "$1" = before ]; then
		sed -n '/"id":"farmhound-reload-ok"/q; /"id":"farmhound-heartbeat"/p' "$T/out.log" | tail -n 1
	else
		sed '1,/"id":"farmhound-reload-ok"/d' "$T/out.log" | grep '"id":"farmhound-heartbeat"' | head -n 1
	fi | sed -n 's/.*"skipped":\([0-9]*\).*/\1/p'
}
has_heartbeat_after_reload() { [ -n "$(skipped_of after)" ]; }
wait_until 10 has_heartbeat_after_reload
sk_before=$(skipped_of before) sk_after=$(skipped_of after)
check "skipped is a total across the restart ($sk_before before, $sk_after after the reload)" \
	test "${sk_after:-0}" -gt "${sk_before:-0}"
dev=$(awk '/^P: /{ p = $2 } /^E: DEVTYPE=usb_device$/{ print length(p), p }' "$PIKVM" |
	sort -n | tail -n 1 | cut -d' ' -f2)
check "testbed helper unplugs the PiKVM" ctl "remove /sys$dev"
check "a resolved notice for the PiKVM rule (state survived the reload)" \
	wait_for "$T/out.log" '"id":"ip-kvm-pikvm".*"lifecycle":"resolved"'
# The other rules' notices may still be on their way: count them after the
# next heartbeat (sent after the unplug was handled), not at once.
next_heartbeat "$T/out.log"
resolved=$(grep -c '"lifecycle":"resolved"' "$T/out.log")
check "one resolved notice per rule that fired ($resolved of $fired)" test "$resolved" -eq "$fired"
check "the resolved notice is one valid JSON object, message says resolved" \
	test "$(jq_last '"lifecycle":"resolved"' "a['message'].startswith('resolved: ') and a['event']['action'] == 'remove'")" = True
check "the resolved notice is not critical (notice level)" \
	test "$(jq_last '"id":"ip-kvm-pikvm".*"lifecycle":"resolved"' "a['log']['level']")" = notice
check "daemon still running" alive

stop_daemon "$(cat "$T/fh.pid")" "$helper_pid"
helper_pid=""
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" = 0
check "farmhound-stopping" wait_for "$T/out.log" '"id":"farmhound-stopping"'
finish
