#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# display_scan.sh - the shipped display rules against recorded DRM cards.
#
# Each fixture in tests/fixtures/display/ is a umockdev description of a
# laptop's card0 (eDP panel, HDMI, DP) with one monitor or IP-KVM EDID on
# HDMI (gen.py there builds them from the documented EDID values).
# `farmhound --scan` runs inside umockdev-run, so libudev sees that card
# instead of the real one, and this suite checks what the shipped rules say
# about the display events (alerts of other sources are left out: they
# describe this machine, not the fixture; the other collectors are also
# switched off in the config):
#
#   kvm       exit 1, an alert at error or above, and the expected rule id
#   warn      the expected rule at its level, nothing at error or above
#             (capture devices and KVM makers known by identity alone)
#   weak      the expected rule at its level, nothing above notice
#   ordinary  exit 0 or 1, nothing above notice
#
# A fixture in the directory that the table does not mention is a failure.
# Also: --scan without DRM in sysfs says so in one stderr line.
. "$(dirname "$0")/lib.sh"

# kind      fixture                 expected rule id                  its level
CASES='
kvm         pikvm-v2                display-kvm-pikvm                 critical
kvm         pikvm-v3                display-kvm-pikvm                 critical
kvm         pikvm-v4mini            display-kvm-pikvm                 critical
kvm         pikvm-v4plus            display-kvm-pikvm                 critical
kvm         pikvm-switch            display-kvm-pikvm                 critical
kvm         pikvm-bad-checksum      display-kvm-pikvm                 critical
kvm         pikvm-mfc-changed       display-kvm-name                  error
kvm         tinypilot               display-kvm-tinypilot             critical
kvm         jetkvm                  display-kvm-jetkvm                critical
kvm         jetkvm-v1               display-kvm-jetkvm                critical
kvm         blikvm-h2c              display-kvm-tc358743-h2c          critical
kvm         tc358743-renamed        display-capture-bridge-tc358743   error
kvm         nanokvm                 display-kvm-nanokvm               critical
kvm         nanokvm-philips         display-kvm-nanokvm-philips       critical
kvm         arkkvm-factory          display-kvm-arkkvm                critical
kvm         nanokvm-pro-factory     display-kvm-nanokvm               critical
kvm         jetkvm-preset-dell      display-kvm-jetkvm-preset         critical
kvm         pikvm-v2-imported       display-kvm-edid-body             error
kvm         pikvm-v3-imported       display-kvm-edid-body             error
kvm         pikvm-v4mini-imported   display-kvm-edid-body             error
kvm         pikvm-v4plus-imported   display-kvm-edid-body             error
kvm         pikvm-1080p-imported    display-kvm-edid-body             error
kvm         pikvm-no1920x1200-imported display-kvm-edid-body          error
kvm         tinypilot-imported      display-kvm-edid-body             error
kvm         jetkvm-imported         display-kvm-edid-body             error
kvm         blikvm-imported         display-kvm-edid-body             error
kvm         nanokvm-imported        display-kvm-edid-body             error
kvm         nanokvm-pro-imported    display-kvm-edid-body             error
kvm         arkkvm-imported         display-kvm-edid-body             error
kvm         ms2109-factory          display-capture-bridge-body       error
kvm         ms2130-factory          display-capture-bridge-body       error
kvm         ms2109-imported         display-capture-bridge-body       error
kvm         ms2130-imported         display-capture-bridge-body       error
kvm         v4l2-1.12-hdmi-factory  display-capture-bridge-body       error
kvm         v4l2-1.22-hdmi-factory  display-capture-bridge-body       error
kvm         v4l2-1.22-hdmi-imported display-capture-bridge-body       error
warn        hdmi-to-usb-renamed     display-capture-bridge-identity   warning
warn        hdmi-to-usb-name-only   display-capture-bridge-identity   warning
warn        raritan-dcim            display-kvm-console-vendor        warning
warn        raritan-rmc             display-kvm-console-vendor        warning
warn        adder-ipeps             display-kvm-console-vendor        warning
warn        avocent-dsr             display-kvm-console-vendor        warning
warn        cyclades-kvmip          display-kvm-console-vendor        warning
warn        gd-vision               display-kvm-console-vendor        warning
warn        ipmi-console            display-kvm-console-vendor        warning
warn        adder-local-kvm         display-kvm-console-vendor        warning
warn        elgato-hd60             display-capture-card-vendor       warning
warn        epiphan-dvi2usb         display-capture-card-vendor       warning
warn        blackmagic-ultrastudio  display-capture-card-vendor       warning
weak        dummy-plug              display-external-no-size          notice
weak        projector               display-external-no-size          notice
weak        dell-bad-checksum       display-edid-invalid              notice
weak        dell-truncated          display-edid-invalid              notice
ordinary    laptop-only             -                                 -
ordinary    docked-laptop           -                                 -
ordinary    dell-u2720q             -                                 -
ordinary    lg-hdr4k                -                                 -
ordinary    lnx-kernel-fhd          -                                 -
ordinary    tsb-tv                  -                                 -
ordinary    philips-342e2           -                                 -
ordinary    extron-matrix           -                                 -
ordinary    kramer-matrix           -                                 -
ordinary    crestron-dm             -                                 -
ordinary    gefen-extender          -                                 -
ordinary    dummy-plug-clone        -                                 -
'

# Seconds one scan may take before it counts as hung (a hang detector,
# scaled by FH_TIME_SCALE like every deadline).
SCAN_TIMEOUT=$((60 * FH_TIME_SCALE))
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
# Only the display collector: the fixture is a DRM card, nothing else.
collectors_only display >"$tmp/display-only.conf"

alerts() { json_alerts "$1" display; }	# lib.sh: the display alerts only

scan() {
	timeout "$SCAN_TIMEOUT" umockdev-run -d "$FIX/display/$1.umockdev" -- \
		"$FH" --scan -c "$tmp/display-only.conf" -r "$RULES" \
		>"$tmp/$1.out" 2>"$tmp/$1.err" </dev/null
	rc=$?
	crash_check "$rc" "umockdev-run -d $FIX/display/$1.umockdev -- $FH --scan (fixture $1)"
	alerts "$tmp/$1.out" >"$tmp/$1.alerts"
}

expect() {
	d=$1; shift
	if "$@"; then ok "$d"; return 0; fi
	not_ok "$d"
	return 1
}

no_bad_json() { ! grep -q '^BAD-JSON' "$1"; }
has_rule() { grep -qx "$2 $3" "$1"; }
has_high() { grep -Eq ' (error|critical|alert|emergency)$' "$1"; }
has_above_notice() { grep -Eq ' (warning|error|critical|alert|emergency)$' "$1"; }

diag_scan() {
	echo "# exit $rc; alerts:"
	sed 's/^/#   /' "$tmp/$1.alerts"
	sed -n '1,5s/^/# stderr: /p' "$tmp/$1.err"
}

run_kvm() {
	name=$1 rule=$2 level=$3
	scan "$name"
	expect "$name: exit status 1" [ "$rc" -eq 1 ] || diag_scan "$name"
	check "$name: every output line is a JSON alert" no_bad_json "$tmp/$name.alerts"
	expect "$name: a display alert at error or above" has_high "$tmp/$name.alerts" ||
		diag_scan "$name"
	expect "$name: rule $rule fired at $level" has_rule "$tmp/$name.alerts" "$rule" "$level" ||
		diag_scan "$name"
}

quiet() {
	name=$1
	if [ "$rc" -le 1 ] && no_bad_json "$tmp/$name.alerts" &&
	    ! has_above_notice "$tmp/$name.alerts"; then
		ok "$name: nothing above notice"
	else
		not_ok "$name: nothing above notice"
		diag_scan "$name"
	fi
}

no_high() {
	name=$1
	if [ "$rc" -le 1 ] && no_bad_json "$tmp/$name.alerts" && ! has_high "$tmp/$name.alerts"; then
		ok "$name: nothing at error or above"
	else
		not_ok "$name: nothing at error or above"
		diag_scan "$name"
	fi
}

run_warn() {
	name=$1 rule=$2 level=$3
	scan "$name"
	expect "$name: rule $rule fired at $level" has_rule "$tmp/$name.alerts" "$rule" "$level" ||
		diag_scan "$name"
	no_high "$name"
}

run_weak() {
	name=$1 rule=$2 level=$3
	scan "$name"
	expect "$name: rule $rule fired at $level" has_rule "$tmp/$name.alerts" "$rule" "$level" ||
		diag_scan "$name"
	quiet "$name"
}

run_ordinary() {
	name=$1
	scan "$name"
	expect "$name: exit status 0 or 1, not an error" [ "$rc" -le 1 ] || diag_scan "$name"
	quiet "$name"
	# The fleet inventory's info record (45-fleet-inventory.rules) is
	# the one display alert an ordinary monitor may give.
	expect "$name: no display alert but the fleet inventory record" \
		sh -c "! grep -vx 'fleet-edid-fingerprint info' '$tmp/$name.alerts' | grep -q ." ||
		diag_scan "$name"
}

# ---- the fields and the rules ----
"$FH" --fields display >"$tmp/fields" 2>&1
for f in action connector connector_type is_external status edid_vendor edid_product \
	edid_serial monitor_name monitor_serial width_cm height_cm year edid_valid \
	edid_body_fingerprint; do
	expect "--fields display lists $f" grep -Eq "^ +$f +" "$tmp/fields" ||
		sed 's/^/# /' "$tmp/fields"
done
"$FH" -t -r "$RULES" >"$tmp/t.out" 2>&1
expect "-t accepts the shipped rules with 50-display.rules and 51-display-structure.rules" grep -q '^configuration OK' "$tmp/t.out" ||
	sed 's/^/# /' "$tmp/t.out"

# ---- --scan without DRM ----
if [ -d /sys/class/drm ]; then
	ok "# SKIP this machine has DRM in sysfs: no-DRM notice not checked"
else
	"$FH" --scan -c "$tmp/display-only.conf" -r "$RULES" >"$tmp/nodrm.out" 2>"$tmp/nodrm.err" </dev/null
	nd_rc=$?
	expect "--scan without DRM: exit 0 or 1, never 2" [ "$nd_rc" -le 1 ] ||
		sed 's/^/# stderr: /' "$tmp/nodrm.err"
	n=$(grep -ci 'no DRM in sysfs' "$tmp/nodrm.err")
	expect "--scan without DRM says so in one stderr line" [ "$n" -eq 1 ] ||
		sed 's/^/# stderr: /' "$tmp/nodrm.err"
fi

# ---- fixtures ----
set -f
# shellcheck disable=SC2086  # word splitting of the table is the point
set -- $CASES
set +f
known=' '
while [ $# -ge 4 ]; do
	kind=$1 name=$2 rule=$3 level=$4
	shift 4
	known="$known$name "
	if [ ! -f "$FIX/display/$name.umockdev" ]; then
		not_ok "$name: fixture $FIX/display/$name.umockdev exists"
		continue
	fi
	case $kind in
	kvm) run_kvm "$name" "$rule" "$level" ;;
	warn) run_warn "$name" "$rule" "$level" ;;
	weak) run_weak "$name" "$rule" "$level" ;;
	ordinary) run_ordinary "$name" ;;
	*) not_ok "$name: unknown kind '$kind' in the table" ;;
	esac
done

for f in "$FIX"/display/*.umockdev; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .umockdev)
	case $known in
	*" $name "*) ;;
	*) not_ok "$name: fixture has an expected outcome in display_scan.sh" ;;
	esac
done

# ---- timing and memory of one scan over a docked laptop ----
if command -v /usr/bin/time >/dev/null 2>&1; then
	/usr/bin/time -f '%e %M' -o "$tmp/time" umockdev-run -d "$FIX/display/docked-laptop.umockdev" -- \
		"$FH" --scan -c "$tmp/display-only.conf" -r "$RULES" >/dev/null 2>&1 </dev/null
	read -r secs kb <"$tmp/time"
	echo "# display --scan of docked-laptop under umockdev-run: ${secs}s, max RSS ${kb} KB (umockdev-run included)"
fi

finish
