#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# fleet.sh - the shipped fleet inventory pack (45-fleet-inventory.rules)
# gives the SIEM each laptop's fingerprints, and stays out of the way.
#
# With the shipped rules, `--scan` of:
#   - an ordinary keyboard (umockdev): fleet-hid-fingerprint, info, score 0,
#     category inventory, carrying hid_fingerprints (the SHA-256 prefix of
#     the fixture's report descriptor, computed here from the fixture) and
#     vid_pid; exit 0, since an info record is not a finding;
#   - an ordinary external monitor: fleet-edid-fingerprint with
#     edid_body_fingerprint and the monitor's serial; the laptop's own eDP
#     panel alone gives none (external monitors only);
#   - a host tree with a default gateway (--rootfs/--procfs):
#     fleet-network-fingerprint with gateway_mac;
#   - a KVM: the fleet record beside the detections, exit 1;
# and no fleet record is above info or scores.
# Binds no port, runs no daemon.
. "$(dirname "$0")/lib.sh"

T=$(mktemp -d /tmp/fh-fleet.XXXXXX) || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT PIPE TERM

collectors_only usb >"$T/usb.conf"
collectors_only display >"$T/display.conf"
collectors_only host >"$T/host.conf"

# scan NAME CONF UMOCKDEV|-- [ARGS...]: --scan -f json into $T/NAME.json,
# status in $T/NAME.rc.
scan() {
	name=$1 conf=$2 dev=$3; shift 3
	if [ "$dev" = -- ]; then
		"$FH" --scan -f json -c "$conf" -r "$RULES" "$@" >"$T/$name.json" 2>"$T/$name.err" </dev/null
	else
		umockdev-run -d "$dev" -- "$FH" --scan -f json -c "$conf" -r "$RULES" "$@" \
			>"$T/$name.json" 2>"$T/$name.err" </dev/null
	fi
	rc=$?
	crash_check "$rc" "$FH --scan ($name)"
	echo "$rc" >"$T/$name.rc"
}

# field NAME RULE EXPR: print the python expression over the first alert of
# RULE in NAME's output (a = the alert, f = its fields), or nothing.
field() { alert_expr "$T/$1.json" "$2" "$3"; }

# The SHA-256 prefix of every report descriptor in a fixture, computed from
# the fixture's own hex (H: lines of report_descriptor), not by farmhound.
fixture_fps() {
	python3 -c '
import hashlib, sys
for line in open(sys.argv[1]):
    if line.startswith("H: report_descriptor="):
        print(hashlib.sha256(bytes.fromhex(line.split("=", 1)[1].strip())).hexdigest()[:16])' "$1" | sort -u
}

# ---- USB ----
scan kbd "$T/usb.conf" "$FIX/usb/logitech-keyboard.umockdev"
check "ordinary keyboard: fleet-hid-fingerprint at info" \
	test "$(field kbd fleet-hid-fingerprint 'a["log"]["level"]')" = info
check "... score 0, category inventory" \
	test "$(field kbd fleet-hid-fingerprint 'str(a["farmhound"]["score"]) + " " + a["rule"]["category"]')" = "0 inventory"
want=$(fixture_fps "$FIX/usb/logitech-keyboard.umockdev" | tr '\n' ' ')
got=$(field kbd fleet-hid-fingerprint '" ".join(sorted(set(f["hid_fingerprints"]))) + " "')
check "... carrying the fixture's descriptor fingerprints ($want)" \
	sh -c "[ -n '$want' ] && [ '$got' = '$want' ]"
check "... and its claimed vid_pid" test "$(field kbd fleet-hid-fingerprint 'f["vid_pid"]')" = "046d:c31c"
check "ordinary keyboard: exit 0 (an info record is not a finding)" test "$(cat "$T/kbd.rc")" = 0

scan kvm "$T/usb.conf" "$FIX/usb/pikvm-k120-clone.umockdev"
check "PiKVM behind a K120 identity: the fleet record beside the detection" \
	test "$(field kvm fleet-hid-fingerprint 'a["log"]["level"]')" = info
check "... and exit 1 for the detection" test "$(cat "$T/kvm.rc")" = 1

# ---- display ----
scan mon "$T/display.conf" "$FIX/display/dell-u2720q.umockdev"
check "external monitor: fleet-edid-fingerprint at info" \
	test "$(field mon fleet-edid-fingerprint 'a["log"]["level"]')" = info
check "... with the body fingerprint (16 hex digits)" \
	sh -c "echo '$(field mon fleet-edid-fingerprint 'f["edid_body_fingerprint"]')' | grep -Eqx '[0-9a-f]{16}'"
check "... and the monitor's claimed identity" \
	test -n "$(field mon fleet-edid-fingerprint 'f["edid_vendor"] + f["edid_product"]')"
scan panel "$T/display.conf" "$FIX/display/laptop-only.umockdev"
check "the laptop's own panel alone: no fleet record (external monitors only)" \
	test -z "$(field panel fleet-edid-fingerprint 'a["rule"]["id"]')"

# ---- host ----
scan host "$T/host.conf" -- --rootfs "$FIX/host/us-plain/rootfs" --procfs "$FIX/host/us-plain/proc"
check "host with a default gateway: fleet-network-fingerprint at info" \
	test "$(field host fleet-network-fingerprint 'a["log"]["level"]')" = info
check "... carrying the gateway's MAC from the ARP table" \
	test "$(field host fleet-network-fingerprint 'f["gateway_mac"]')" = "00:1a:2b:3c:4d:5e"

# ---- never more than a record ----
check "no fleet record is above info or scores" python3 -c '
import json, sys
for p in sys.argv[1:]:
    for line in open(p):
        a = json.loads(line)
        if a["rule"]["id"].startswith("fleet-"):
            assert a["log"]["level"] == "info" and a["farmhound"]["score"] == 0, line
' "$T"/*.json
finish
