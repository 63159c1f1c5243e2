#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# input_live.sh - the live input collector: the daemon in a umockdev
# testbed whose input devices replay evemu events in real time
# (umockdev-run --evemu-events; for a device plugged later, the testbed
# helper's `type` command, tests/integration/uevent.c).  Fixtures: tests/fixtures/input/gen.py
# (live-*.umockdev for sysfs, live-*.evemu for the events).
#
# - a jiggler (NanoKVM-USB's jiggle every 2 s instead of 15 s; the suite
#   sets jiggler_min_span = 10s) on the mouse of a PiKVM gadget: the input
#   alert, the USB alert of the same port (usb_port == port), and one
#   verdict naming both, without any remote-access tool;
# - a uinput keyboard present at start: virtual_device, notice;
# - a keyboard plugged while the daemon runs that pastes at machine speed:
#   injected_typing, error;
# - activity_hours: the minutes of input are kept in the state directory
#   ($STATE_DIRECTORY) at exit and reported again after a restart; a
#   corrupt state file is noted and the week starts afresh;
# - privacy: two phrases typed with the same timing give the same input
#   alerts (timestamps aside), and no alert or log line holds a word of
#   either phrase or its key codes.
# The daemon reads the events as they are replayed: waits are conditions
# with generous deadlines, never a count within a time.
. "$(dirname "$0")/lib.sh"

UEVENT="$B/tests/uevent"
IN="$FIX/input"
testbed_scratch input

# conf NAME: the daemon's configuration, only the input and usb collectors.
conf() {
	cat >"$T/$1.conf" <<EOC
$(json_daemon_conf)
$(collectors_only input usb)
[collector.input]
jiggler_min_span = 10s
EOC
}
# events NAME: the E: lines of a fixture, what umockdev replays.
events() { grep '^E:' "$IN/$1.evemu" >"$T/$1.events"; }
# field FILE RULE KEY: KEY of farmhound.fields in RULE's first alert.
field() { alert_expr "$1" "$2" "f.get('$3', '')"; }
for f in live-jiggler live-paste-a live-paste-b; do events "$f"; done

# The shipped rules and a probe of the activity_hours event (its own rules
# need days of data).
mkdir "$T/rules" "$T/state"
cp "$RULES"/*.rules "$T/rules/"
test_rule hours-probe input T1078 \
	'detector == "activity_hours" and active_minutes >= 1' >"$T/rules/99-probe.rules"

# ---- a jiggler on a KVM's mouse, a uinput keyboard beside it ----
conf jig
dgram_receiver "$T/log.sock" "$T/out.log"
STATE_DIRECTORY="$T/state" \
umockdev-run -d "$IN/live-jiggler.umockdev" -d "$IN/live-uinput.umockdev" \
	-e "/dev/input/event5=$T/live-jiggler.events" -- \
	"$FH" -c "$T/jig.conf" -r "$T/rules" >"$T/fh.out" 2>"$T/fh.err" &
fp=$!
check "daemon started in the testbed" wait_for "$T/out.log" '"id":"farmhound-started"' 10
check "the input collector runs (heartbeat)" \
	wait_for "$T/out.log" "$HB"'.*"collectors_active":\[[^]]*"input"'
check "the uinput keyboard is reported (input-virtual-uinput, notice)" \
	wait_for "$T/out.log" '"level":"notice"},"rule":\{"id":"input-virtual-uinput".*"device":"virtual keyboard"'
check "the replayed jiggle is caught live (input-jiggler-schedule)" \
	wait_for "$T/out.log" '"id":"input-jiggler-schedule"' 60
check "the jiggler finding measured the 2 s schedule (period_ms 1900-2100)" \
	test "$(field "$T/out.log" input-jiggler-schedule period_ms | awk '{ print ($1 >= 1900 && $1 <= 2100) }')" = 1
check "the USB side of the same KVM alerts (ip-kvm-pikvm)" \
	wait_for "$T/out.log" '"id":"ip-kvm-pikvm"'
p_in=$(field "$T/out.log" input-jiggler-schedule usb_port)
p_usb=$(field "$T/out.log" ip-kvm-pikvm port)
check "input and usb alerts name the same port ($p_in = $p_usb)" \
	test -n "$p_in" -a "$p_in" = "$p_usb"
check "one verdict from the KVM's USB identity and its jiggler, no RMM" \
	wait_for "$T/out.log" '"id":"laptop-farm-suspected".*"rule":"ip-kvm-pikvm".*"rule":"input-jiggler-schedule"'
check "a fresh state directory: no week to report at start" \
	sh -c "! grep -q '\"id\":\"hours-probe\"' '$T/out.log'"
# umockdev-run waits for its child: stop the agent itself.
stop_daemon "$(pgrep -P "$fp" -x farmhound || echo "$fp")" "$fp"
check "daemon exited cleanly (status $rc)" test "$rc" = 0

# ---- activity_hours: the week survives a restart ----
check "the active minutes were saved in the state directory at exit" \
	test -s "$T/state/activity-hours"
: >"$T/out.log"
STATE_DIRECTORY="$T/state" umockdev-run -d "$IN/live-uinput.umockdev" -- \
	"$FH" -c "$T/jig.conf" -r "$T/rules" >"$T/fh2.out" 2>"$T/fh2.err" &
fp=$!
check "after a restart the week so far is reported at start (activity_hours)" \
	wait_for "$T/out.log" '"id":"hours-probe"' 10
check "... with the minutes of the first run (days 1, histogram of 24 hours)" \
	test "$(field "$T/out.log" hours-probe days):$(field "$T/out.log" hours-probe hour_histogram | tr ',' '\n' | wc -l)" = "1:24"
stop_daemon "$(pgrep -P "$fp" -x farmhound || echo "$fp")" "$fp"
check "daemon exited cleanly (status $rc)" test "$rc" = 0
printf 'garbage\n' >"$T/state/activity-hours"
: >"$T/out.log"
STATE_DIRECTORY="$T/state" umockdev-run -d "$IN/live-uinput.umockdev" -- \
	"$FH" -c "$T/jig.conf" -r "$T/rules" >"$T/fh3.out" 2>"$T/fh3.err" &
fp=$!
check "a corrupt state file: the daemon starts, the week afresh" \
	wait_for "$T/out.log" "$HB"
check "... and says so on stderr" \
	grep -q 'activity-hours: not a valid state file' "$T/fh3.err"
check "... with no week reported" sh -c "! grep -q '\"id\":\"hours-probe\"' '$T/out.log'"
stop_daemon "$(pgrep -P "$fp" -x farmhound || echo "$fp")" "$fp"
check "daemon exited cleanly (status $rc)" test "$rc" = 0

# ---- a keyboard plugged later starts pasting ----
conf plug
: >"$T/out.log"
mkfifo "$T/ctl"
umockdev-wrapper "$UEVENT" "$T/ctl" "$T/fh.pid" "+$FIX/usb/root-hubs.umockdev" \
	"+$IN/live-uinput.umockdev" \
	"$FH" -c "$T/plug.conf" -r "$RULES" >"$T/plug.out" 2>"$T/plug.err" &
helper_pid=$!
check "daemon started for the hot-plug" wait_for "$T/out.log" '"id":"farmhound-started"' 10
check "a heartbeat: the input collector is watching" \
	wait_for "$T/out.log" "$HB"'.*"collectors_active":\[[^]]*"input"'
check "the testbed helper plugs the keyboard" ctl "add $IN/live-paste-a.umockdev"
# Its add uevent was queued before the ack: two heartbeats later the daemon
# has been round its loop and opened the node (what is written before an
# open waits in the socket; what is written to a node it then reopens
# would not).
check "two heartbeats after the plug" next_heartbeat "$T/out.log" 2
check "the keyboard pastes (the helper writes its events to the node)" \
	ctl "type /dev/input/event6 $T/live-paste-a.events"
check "the paste is caught (input-injected-typing, error)" \
	wait_for "$T/out.log" '"level":"error"},"rule":\{"id":"input-injected-typing"' 30
check "the finding names the plugged keyboard and its port 1-2" \
	test "$(field "$T/out.log" input-injected-typing usb_port)" = 1-2
stop_daemon "$(cat "$T/fh.pid")" "$helper_pid"
helper_pid=""
cp "$T/out.log" "$T/plug.alerts"
check "daemon exited cleanly (status $rc)" test "$rc" = 0
rm -f "$T/fh.pid" "$T/ctl"

# ---- privacy: what was typed never leaves the frame ----
# type_phrase NAME: the daemon, with debug logging (each alert is also
# logged), watching one phrase's keyboard; the testbed helper writes the
# phrase's events to it all at once (`burst`: the recording's own time
# stamps, no pacing for a busy machine to stretch into a pause), until
# the finding arrived.
type_phrase() {
	: >"$T/out.log"
	rm -f "$T/fh.pid" "$T/fh.pid.ack" "$T/ctl"
	mkfifo "$T/ctl"
	umockdev-wrapper "$UEVENT" "$T/ctl" "$T/fh.pid" "+$FIX/usb/root-hubs.umockdev" \
		"+$IN/$1.umockdev" "$FH" -d -c "$T/plug.conf" -r "$RULES" \
		>"$T/$1.out" 2>"$T/$1.err" &
	helper_pid=$!
	wait_for "$T/out.log" "$HB"'.*"collectors_active":\[[^]]*"input"' || return 1
	ctl "burst /dev/input/event6 $T/$1.events" || return 1
	wait_for "$T/out.log" '"id":"input-injected-typing"' 30 || return 1
	stop_daemon "$(cat "$T/fh.pid")" "$helper_pid"
	helper_pid=""
	cp "$T/out.log" "$T/$1.alerts"
	test "$rc" = 0
}
check "phrase A typed and caught" type_phrase live-paste-a
check "phrase B typed and caught" type_phrase live-paste-b
# The input alerts without the syslog header and their time stamps.
input_alerts() {
	grep '"dataset":"farmhound.input"' "$1" | sed 's/^[^{]*//; s/"@timestamp":"[^"]*"//'
}
check "the input alerts are identical for both phrases" \
	cmp -s "$(input_alerts "$T/live-paste-a.alerts" >"$T/a.cmp"; echo "$T/a.cmp")" \
	"$(input_alerts "$T/live-paste-b.alerts" >"$T/b.cmp"; echo "$T/b.cmp")"
diff "$T/a.cmp" "$T/b.cmp" | head -n 6 | sed 's/^/# /'
check "and they are not empty" test -s "$T/a.cmp"
# Every word of 4+ letters of the phrases, and each phrase's key codes as
# a decimal sequence (what a log of codes would hold).
leaks() {
	python3 - "$IN" "$@" <<'EOP'
import re, sys
sys.path.insert(0, sys.argv[1])
import gen
needles = set()
for phrase in (gen.PHRASE_A, gen.PHRASE_B):
    needles |= {w for w in re.findall(r"[a-z0-9]+", phrase) if len(w) >= 4}
    codes = [gen.KEYMAP[c][0] for c in phrase]
    needles.add(",".join(map(str, codes[:6])))
    needles.add(" ".join(map(str, codes[:6])))
found = []
for path in sys.argv[2:]:
    text = open(path, errors="replace").read().lower()
    found += ["%s in %s" % (n, path.rsplit("/", 1)[-1]) for n in needles if n in text]
print("\n".join(found))
sys.exit(1 if found else 0)
EOP
}
check "no alert, log line or output holds a typed word or the key codes" \
	leaks "$T/live-paste-a.alerts" "$T/live-paste-b.alerts" "$T/live-paste-a.err" \
	"$T/live-paste-b.err" "$T/live-paste-a.out" "$T/live-paste-b.out" \
	"$T/plug.out" "$T/plug.err" "$T/plug.alerts"
kill "$recv_pid" 2>/dev/null
finish
