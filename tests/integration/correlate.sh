#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# correlate.sh - correlation with the real daemon and the real usb
# collector (umockdev testbed, tests/integration/uevent.c):
#
#  --scan --explain on the PiKVM: each missed rule with its condition, the
#    verdict arithmetic ("no verdict": a KVM's USB side is one category).
#  daemon: plug the PiKVM (alerts, no verdict), unplug it (resolved), plug
#    a Flipper Zero BadUSB (an injector) -> laptop-farm-suspected naming
#    the PiKVM rule and the injector rule, once; unplug it and plug a
#    MouseWiggler (a jiggler) -> the usb-hid-injector-burst sequence
#    (2 of injector/jiggler within 1h, rules/rules.d/05-correlation.rules)
#    and the verdict re-stated with the new rules.
#
# "Once" (and "no verdict") is asserted after two more heartbeats (1 s
# here), not after a sleep: the daemon's one loop sends a heartbeat after
# the events before it were handled, so a second verdict from the same
# plug would be in the log before them.
. "$(dirname "$0")/lib.sh"

UEVENT="$B/tests/uevent"
testbed_scratch corr

# The deepest usb_device of a record: the device itself.
devpath() {
	awk '/^P: /{ p = $2 } /^E: DEVTYPE=usb_device$/{ print length(p), p }' "$1" |
		sort -n | tail -n 1 | cut -d' ' -f2
}
# evidence N: the rule ids in the evidence of the Nth verdict.
evidence() {
	grep '"id":"laptop-farm-suspected"' "$T/out.log" | sed -n "${1}p" | sed 's/^[^{]*//' |
		python3 -c 'import json, sys
a = json.loads(sys.stdin.read())
print(" ".join(sorted(e["rule"] for e in a["farmhound"]["evidence"])))' 2>/dev/null
}

# ---- --scan --explain ----
# Only the USB side: the machine's own processes, sockets and traffic (a
# remote-access test running beside this one) must not add evidence.
cat >"$T/usb-only.conf" <<EOC
$(collectors_only usb display)
EOC
# timeout: only a guard against a hang, scaled like every deadline.
timeout $((30 * FH_TIME_SCALE)) umockdev-run -d "$FIX/usb/pikvm.umockdev" -- \
	"$FH" --scan --explain -c "$T/usb-only.conf" -r "$RULES" >"$T/explain.out" 2>"$T/explain.err"
rc=$?
check "--scan --explain on the PiKVM exits 1" test "$rc" -eq 1
check "--explain names the condition a rule missed on" \
	grep -q '^#   rule ip-kvm-tinypilot: missed: manufacturer i== "tinypilot"$' "$T/explain.out"
check "--explain says when the field is not set" \
	grep -Eq '^#   rule [a-z0-9-]+: missed: .* \(field not set\)$' "$T/explain.out"
check "--explain shows the alert" grep -q '^#   rule ip-kvm-pikvm: alert$' "$T/explain.out"
check "--explain shows the verdict arithmetic once, at the end" \
	sh -c "tail -n 2 '$T/explain.out' | grep -Eq '^#   verdict: ip-kvm 80 \(ip-kvm-pikvm\) = 80 < threshold 100, 1 categories \(need 2\): no verdict$'"
check "no verdict from the PiKVM alone" \
	test "$(count "$T/explain.out" '"id":"laptop-farm-suspected"')" -eq 0

# ---- the daemon ----
dgram_receiver "$T/log.sock" "$T/out.log"
cat >"$T/farmhound.conf" <<EOC
$(json_daemon_conf)
[collector.usb]
settle = 200ms
# The scenario is the USB side: the machine's own processes, sockets and
# traffic must not add evidence to the verdict.
$(collectors_only usb display)
EOC
mkfifo "$T/ctl"
umockdev-wrapper "$UEVENT" "$T/ctl" "$T/fh.pid" "+$FIX/usb/root-hubs.umockdev" \
	"$FH" -c "$T/farmhound.conf" -r "$RULES" >"$T/fh.out" 2>"$T/fh.err" &
helper_pid=$!
check "daemon started" wait_for "$T/out.log" '"id":"farmhound-started"'

PIKVM="$FIX/usb/pikvm.umockdev"
FLIPPER="$FIX/usb/flipper-badusb.umockdev"
WIGGLER="$FIX/usb/ch552-mousewiggler.umockdev"
check "plug the PiKVM" ctl "add $PIKVM"
check "PiKVM alert" wait_for "$T/out.log" '"id":"ip-kvm-pikvm"'
check "unplug the PiKVM" ctl "remove /sys$(devpath "$PIKVM")"
check "PiKVM resolved" wait_for "$T/out.log" '"id":"ip-kvm-pikvm".*"lifecycle":"resolved"'
check "two heartbeats after the unplug" next_heartbeat "$T/out.log" 2
check "no verdict so far" test "$(count "$T/out.log" '"id":"laptop-farm-suspected"')" -eq 0

check "plug a Flipper Zero BadUSB" ctl "add $FLIPPER"
check "injector alert" wait_for "$T/out.log" '"id":"injector-flipper-zero-badusb"'
check "laptop-farm-suspected raised (KVM within the window + injector)" \
	wait_for "$T/out.log" '"id":"laptop-farm-suspected"'
e1=$(evidence 1)
check "the verdict evidence has both ($e1)" \
	sh -c "echo ' $e1 ' | grep -q ' ip-kvm-pikvm ' && echo ' $e1 ' | grep -q ' injector-flipper-zero-badusb '"
check "the verdict carries score and threshold" \
	wait_for "$T/out.log" '"verdict":\{"score":120,"threshold":100,"categories":2,"restated":false\}'
check "two heartbeats after the verdict" next_heartbeat "$T/out.log" 2
check "raised once" test "$(count "$T/out.log" '"id":"laptop-farm-suspected"')" -eq 1

check "unplug the Flipper" ctl "remove /sys$(devpath "$FLIPPER")"
check "plug a MouseWiggler" ctl "add $WIGGLER"
check "jiggler alert" wait_for "$T/out.log" '"id":"jiggler-mousewiggler"'
check "the sequence fires: two injector/jiggler rules within an hour" \
	wait_for "$T/out.log" '"id":"usb-hid-injector-burst"'
check "the sequence names both rules" \
	sh -c "grep '\"id\":\"usb-hid-injector-burst\"' '$T/out.log' | grep -q 'injector-flipper-zero-badusb' &&
	       grep '\"id\":\"usb-hid-injector-burst\"' '$T/out.log' | grep -q 'jiggler-mousewiggler'"
check "the verdict is re-stated with the new evidence" \
	wait_for "$T/out.log" '"id":"laptop-farm-suspected".*"restated":true'
check "two heartbeats after the re-statement" next_heartbeat "$T/out.log" 2
check "re-stated once" test "$(count "$T/out.log" '"id":"laptop-farm-suspected"')" -eq 2

stop_daemon "$(cat "$T/fh.pid")" "$helper_pid"
helper_pid=""
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" = 0
check "farmhound-stopping" wait_for "$T/out.log" '"id":"farmhound-stopping"'
finish
