#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# verdict.sh - the laptop-farm verdict end to end with the real collectors:
# a PiKVM gadget (usb), PiKVM's EDID (display) and an AnyDesk process
# (process) in one --scan give exactly one laptop-farm-suspected naming
# all three; the PiKVM alone gives none.
#
# Only the collectors of the fixtures are on: the machine's own listeners,
# traffic and processes (another suite or job running beside this one: a
# fake AnyDesk, a VNC port) must not add evidence to a "no verdict" case.
. "$(dirname "$0")/lib.sh"

PIKVM="$FIX/usb/pikvm.umockdev"
DISPLAY_FIX="$FIX/display/pikvm-v4plus.umockdev"
USB_RULE="${USB_RULE:-ip-kvm-pikvm}"
T=$(mktemp -d /tmp/fh-verdict.XXXXXX)
anydesk_pid=""
cleanup() {
	[ -n "$anydesk_pid" ] && kill "$anydesk_pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT


mkdir "$T/rules"
cp "$RULES"/*.rules "$T/rules/"
collectors_only usb display process >"$T/three.conf"
collectors_only usb display >"$T/kvm.conf"

# A process whose comm is "anydesk" (a copy of sleep under that name),
# alive until killed.  Until the exec is done its comm is the shell's: the
# scan waits for the name, or it could miss the process on a busy machine.
cp "$(command -v sleep)" "$T/anydesk"
"$T/anydesk" infinity &
anydesk_pid=$!
check "the fake AnyDesk process runs under its name" \
	wait_until 10 grep -qx anydesk "/proc/$anydesk_pid/comm"

umockdev-run -d "$PIKVM" -d "$DISPLAY_FIX" -- \
	"$FH" --scan -c "$T/three.conf" -r "$T/rules" >"$T/all.out" 2>"$T/all.err"
rc=$?
check "--scan exits 1 (alerts fired)" test "$rc" -eq 1
check "exactly one laptop-farm-suspected" \
	test "$(grep -c '"id":"laptop-farm-suspected"' "$T/all.out")" -eq 1
v=$(grep '"id":"laptop-farm-suspected"' "$T/all.out")
ids=$(printf '%s' "$v" | python3 -c '
import json, sys
a = json.loads(sys.stdin.read())
print(" ".join(e["rule"] for e in a["farmhound"]["evidence"]))' 2>/dev/null)
check "the verdict names the PiKVM gadget ($USB_RULE)" sh -c "echo '$ids' | grep -qw '$USB_RULE'"
# evidence_has CATEGORY: the verdict $v lists evidence of CATEGORY.  (The
# alert travels on stdin: its text quotes the rules' advice, apostrophes
# included, which no shell quoting of it survives.)
evidence_has() {
	printf '%s' "$v" | python3 -c '
import json, sys
a = json.loads(sys.stdin.read())
sys.exit(0 if any(e.get("category") == sys.argv[1] for e in a["farmhound"]["evidence"]) else 1)' "$1"
}
check "the verdict names a display rule" evidence_has ip-kvm-video
check "the verdict names a remote-access rule (AnyDesk)" evidence_has remote-access

# Gone (reaped), not just signalled, before the scans without it.
kill "$anydesk_pid" 2>/dev/null; wait "$anydesk_pid" 2>/dev/null; anydesk_pid=""
umockdev-run -d "$PIKVM" -- "$FH" --scan -c "$T/kvm.conf" -r "$T/rules" >"$T/one.out" 2>&1
check "the PiKVM alone: no verdict" \
	test "$(grep -c '"id":"laptop-farm-suspected"' "$T/one.out")" -eq 0
check "... although the PiKVM raised its critical alert" \
	grep -q '"id":"ip-kvm-pikvm"' "$T/one.out"
umockdev-run -d "$DISPLAY_FIX" -- "$FH" --scan -c "$T/kvm.conf" -r "$T/rules" >"$T/edid.out" 2>&1
check "PiKVM's EDID alone: no verdict" \
	test "$(grep -c '"id":"laptop-farm-suspected"' "$T/edid.out")" -eq 0
umockdev-run -d "$PIKVM" -d "$DISPLAY_FIX" -- \
	"$FH" --scan -c "$T/kvm.conf" -r "$T/rules" >"$T/kvm.out" 2>&1
check "the KVM's two cables (gadget + EDID), no remote-access tool: one verdict" \
	test "$(grep -c '"id":"laptop-farm-suspected"' "$T/kvm.out")" -eq 1
finish
