#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# usb_scan.sh - the shipped USB rule packs against recorded USB buses.
#
# Each fixture in tests/fixtures/usb/ is a umockdev description of one USB
# device (or, for ordinary-laptop, a whole ordinary bus).  `farmhound --scan`
# runs inside umockdev-run, so libudev sees that bus instead of the real one,
# and this suite checks what the shipped rules (rules/rules.d) say about it:
#
#   kvm       exit 1, an alert at error or above, and the expected rule id
#   injector  exit 1 and an alert with the expected rule id
#   ordinary  exit 0, or exit 1 with nothing above notice
#
# The fixture -> outcome table is below; a fixture in the directory that the
# table does not mention is a failure, so a new fixture cannot go unjudged.
# Also: -t accepts the shipped rules, and --scan without any USB bus (no
# umockdev) is not an error and says so in one line on stderr.
. "$(dirname "$0")/lib.sh"

# kind      fixture                 expected rule id               its level
# ("-": no rule expected; ordinary fixtures must stay at notice or below;
# a line starting with "#" inside the table is a comment)
CASES='
kvm         pikvm                   ip-kvm-pikvm                   critical
kvm         pikvm-pico-hid          ip-kvm-pikvm-pico-hid          critical
kvm         tinypilot               ip-kvm-tinypilot               critical
kvm         jetkvm                  ip-kvm-jetkvm                  critical
kvm         nanokvm                 ip-kvm-nanokvm                 critical
kvm         glinet-comet            ip-kvm-glinet-comet            critical
kvm         blikvm                  ip-kvm-blikvm                  critical
kvm         openterface-ch9329      ip-kvm-openterface-ch9329      critical
kvm         pikvm-reidentified      usb-keyboard-absolute-pointer  error
kvm         generic-linux-gadget    usb-linux-gadget-hid           error
# cloned identities: caught by structure (21-usb-hid-fingerprints.rules)
kvm         pikvm-k120-clone        usb-hid-fp-kvmd                critical
kvm         pikvm-k120-clone-relative usb-hid-fp-kvmd-boot-mouse-keyboard critical
kvm         pikvm-k120-clone-no-msd usb-hid-fp-kvmd                critical
kvm         pikvm-k120-clone-ncm    usb-hid-fp-kvmd                critical
kvm         pikvm-k120-clone-audio  usb-hid-fp-kvmd                critical
kvm         jetkvm-k120-clone-touch usb-hid-fp-jetkvm              critical
kvm         jetkvm-k120-clone-uvc   usb-hid-fp-jetkvm              critical
kvm         nanokvm-kb216-clone     usb-hid-fp-nanokvm             critical
kvm         nanokvm-hidonly-kb216-clone usb-hid-fp-qemu-tablet-elsewhere critical
kvm         tinypilot-k120-clone    usb-hid-fp-tinypilot           critical
kvm         onekvm-k120-clone       usb-hid-fp-onekvm              critical
kvm         glkvm-comet-k120-clone  usb-hid-fp-kvmd                critical
kvm         glkvm-comet-k120-clone-relative usb-hid-fp-kvmd        critical
injector    diy-kvmd-boot-mouse     usb-hid-fp-kvmd-boot-mouse     warning
injector    flipper-badusb          injector-flipper-zero-badusb   error
injector    flipper-zero-vcp        injector-flipper-zero-serial   warning
injector    digispark-digimouse     jiggler-digispark-mouse        warning
injector    amazon-jiggler          jiggler-amazon-2g4-mouse       warning
injector    ch552-mousewiggler      jiggler-mousewiggler           warning
injector    ch32v003-mousewiggler   jiggler-mousewiggler           warning
injector    rubber-ducky            injector-rubber-ducky          error
injector    bash-bunny              injector-hak5-bash-bunny       error
injector    teensy-kbd-mouse        injector-teensy                warning
injector    arduino-leonardo        injector-arduino-hid           warning
injector    sparkfun-pro-micro      injector-arduino-hid           warning
injector    pico-ducky              injector-rp2040-python         warning
injector    rp2040-circuitpython    injector-rp2040-python         warning
ordinary    logitech-keyboard       -                              -
ordinary    logitech-mouse          -                              -
ordinary    logitech-unifying       -                              -
ordinary    yubikey                 -                              -
ordinary    lenovo-dock             -                              -
ordinary    webcam                  -                              -
ordinary    wacom-tablet            -                              -
ordinary    touchscreen             -                              -
ordinary    usb-stick               -                              -
ordinary    logitech-keyboard-kvmd-descriptor -                    -
ordinary    root-hubs               -                              -
ordinary    ordinary-laptop         -                              -
# identity against structure, new identities (22-usb-identity.rules)
kvm         clone-k120-high-speed   usb-retail-identity-speed      error
kvm         clone-k120-with-mouse   usb-retail-identity-hid-shape  error
kvm         clone-k120-extra-hid    usb-retail-identity-hid-shape  error
kvm         clone-k120-touchscreen  usb-retail-identity-hid-shape  error
kvm         clone-kb216-storage     usb-retail-identity-function   error
kvm         clone-ms600-ncm         usb-retail-identity-function   error
kvm         clone-logitech-mouse    usb-retail-identity-speed      error
kvm         clone-unifying-absolute usb-retail-identity-hid-shape  error
kvm         kbd-ncm                 usb-keyboard-network           error
kvm         kbd-uvc                 usb-keyboard-video             error
kvm         kbd-touchscreen         usb-keyboard-touchscreen       error
injector    kbd-storage-fullspeed   usb-keyboard-storage           warning
kvm         kbd-storage-high-speed  usb-keyboard-storage-high-speed error
injector    kbd-audio               usb-keyboard-audio             warning
kvm         glkvm-comet-real        ip-kvm-glinet-comet            critical
kvm         pikvm-legacy-strings    ip-kvm-pikvm                   critical
kvm         arkkvm                  ip-kvm-arkkvm                  critical
kvm         arkkvm-reidentified     ip-kvm-arkkvm                  critical
kvm         one-kvm                 ip-kvm-one-kvm                 critical
kvm         one-kvm-ch9329          ip-kvm-openterface-ch9329      critical
kvm         nanokvm-pro             ip-kvm-nanokvm                 critical
kvm         nanokvm-usb             ip-kvm-nanokvm                 critical
kvm         aurga                   ip-kvm-aurga                   critical
injector    p4wnp1                  injector-p4wnp1                error
kvm         diy-ecm-config          usb-diy-gadget-tutorial        error
kvm         diy-tutorial-serial     usb-diy-gadget-tutorial        error
injector    wiebetech-mj1           jiggler-wiebetech              warning
injector    wiebetech-mj3           jiggler-wiebetech              warning
injector    usbip-keyboard          usb-usbip-hid                  warning
ordinary    dell-kb216              -                              -
ordinary    ms-wired-600            -                              -
ordinary    corsair-k68             -                              -
ordinary    gaming-kbd-8khz         -                              -
ordinary    logitech-bolt           -                              -
ordinary    logitech-nano-mk270     -                              -
ordinary    usb-headset             -                              -
ordinary    webcam-mic              -                              -
ordinary    hub-keyboard-cardreader -                              -
ordinary    android-rndis-tether    -                              -
ordinary    huion-tablet            -                              -
ordinary    card-reader             -                              -
ordinary    webcam-snapshot-key     -                              -
ordinary    pen-tablet-driver-disc  -                              -
ordinary    office-mouse-two-hid    -                              -
kvm         usbip-qemu-tablet       usb-usbip-qemu-tablet          error
kvm         qemu-tablet-bare-metal  usb-qemu-tablet-bare-metal     error
ordinary    qemu-tablet-in-vm       -                              -
'

# Seconds one scan may take before it counts as hung (a hang detector,
# scaled by FH_TIME_SCALE like every deadline).
SCAN_TIMEOUT=$((60 * FH_TIME_SCALE))
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
collectors_only usb >"$tmp/usb-only.conf"

alerts() { json_alerts "$1"; }	# lib.sh

# scan NAME [FILE]: run the scan over fixture NAME (or the umockdev FILE);
# sets $rc, leaves the alerts summary in $tmp/NAME.alerts and stderr in
# $tmp/NAME.err.
# Only the USB collector: the machine's own processes, listeners and
# traffic (another suite's remote-access test) are not these fixtures.
scan() {
	timeout "$SCAN_TIMEOUT" umockdev-run -d "${2:-$FIX/usb/$1.umockdev}" -- \
		"$FH" --scan -c "$tmp/usb-only.conf" -r "$RULES" >"$tmp/$1.out" 2>"$tmp/$1.err" </dev/null
	rc=$?
	crash_check "$rc" "umockdev-run -d ${2:-$FIX/usb/$1.umockdev} -- $FH --scan (fixture $1)"
	alerts "$tmp/$1.out" >"$tmp/$1.alerts"
}

# expect "description" command...: like check, but also returns the
# command's verdict so a failure can be followed by a diagnosis.
expect() {
	d=$1; shift
	if "$@"; then ok "$d"; return 0; fi
	not_ok "$d"
	return 1
}

no_bad_json() { ! grep -q '^BAD-JSON' "$1"; }
# has_rule FILE RULE LEVEL
has_rule() { grep -qx "$2 $3" "$1"; }
# lacks_rule FILE RULE: RULE raised no alert at any level
lacks_rule() { ! grep -q "^$2 " "$1"; }
# any alert at error, critical, alert or emergency
has_high() { grep -Eq ' (error|critical|alert|emergency)$' "$1"; }
# any alert above notice (warning or worse)
has_above_notice() { grep -Eq ' (warning|error|critical|alert|emergency)$' "$1"; }

# Say why a check failed, as a TAP comment, so a failure is debuggable.
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
	expect "$name: an alert at error or above" has_high "$tmp/$name.alerts" ||
		diag_scan "$name"
	expect "$name: rule $rule fired at $level" has_rule "$tmp/$name.alerts" "$rule" "$level" ||
		diag_scan "$name"
}

run_injector() {
	name=$1 rule=$2 level=$3
	scan "$name"
	expect "$name: exit status 1" [ "$rc" -eq 1 ] || diag_scan "$name"
	expect "$name: rule $rule fired at $level" has_rule "$tmp/$name.alerts" "$rule" "$level" ||
		diag_scan "$name"
}

run_ordinary() {
	name=$1
	scan "$name" "$2"
	expect "$name: exit status 0 or 1, not an error" [ "$rc" -le 1 ] ||
		diag_scan "$name"
	if [ "$rc" -le 1 ] && no_bad_json "$tmp/$name.alerts" &&
	    ! has_above_notice "$tmp/$name.alerts"; then
		ok "$name: nothing above notice"
	else
		not_ok "$name: nothing above notice"
		diag_scan "$name"
	fi
}

# ---- the shipped rules load ----
"$FH" -t -r "$RULES" >"$tmp/t.out" 2>&1
t_rc=$?
expect "-t -r rules/rules.d exits 0" [ "$t_rc" -eq 0 ] || sed 's/^/# /' "$tmp/t.out"
check "-t -r rules/rules.d prints configuration OK" grep -q '^configuration OK' "$tmp/t.out"

# ---- --scan without a USB bus ----
# Outside umockdev this machine may or may not have a USB bus; the suite
# only asks for the promise that holds either way, and for the one-line
# notice when there is none.
"$FH" --scan -r "$RULES" >"$tmp/nobus.out" 2>"$tmp/nobus.err" </dev/null
nb_rc=$?
expect "--scan on the real machine: exit 0 or 1, never 2" [ "$nb_rc" -le 1 ] ||
	sed 's/^/# stderr: /' "$tmp/nobus.err"
if [ -d /sys/bus/usb/devices ] && [ -n "$(ls /sys/bus/usb/devices 2>/dev/null)" ]; then
	ok "# SKIP this machine has a USB bus: no-bus notice not checked"
else
	n=$(grep -Eci 'no usb bus|usb bus.*(missing|not found|absent|unavailable)' "$tmp/nobus.err")
	expect "--scan without a USB bus says so in one stderr line" [ "$n" -eq 1 ] ||
		sed 's/^/# stderr: /' "$tmp/nobus.err"
fi

# ---- fixtures ----
set -f
# shellcheck disable=SC2046,SC2086  # word splitting of the table is the point
set -- $(printf '%s\n' "$CASES" | sed 's/#.*//')  # "# ..." lines are comments
set +f
known=' '
while [ $# -ge 4 ]; do
	kind=$1 name=$2 rule=$3 level=$4
	shift 4
	known="$known$name "
	if [ ! -f "$FIX/usb/$name.umockdev" ]; then
		not_ok "$name: fixture $FIX/usb/$name.umockdev exists"
		continue
	fi
	case $kind in
	kvm) run_kvm "$name" "$rule" "$level" ;;
	injector) run_injector "$name" "$rule" "$level" ;;
	ordinary) run_ordinary "$name" ;;
	*) not_ok "$name: unknown kind '$kind' in the table" ;;
	esac
done

# ---- near misses ----
# Fixtures edited into the ordinary device that an identity rule must tell
# apart from the tool: each proves a rule keys on the whole identity, not on
# the vendor:product id alone.
# derive NAME FROM SED-SCRIPT: $tmp/NAME.umockdev from fixture FROM.
derive() {
	sed "$3" "$FIX/usb/$2.umockdev" >"$tmp/$1.umockdev"
}
near_miss() {
	name=$1 rule=$2
	if [ ! -f "$FIX/usb/$3.umockdev" ]; then
		not_ok "$name: fixture $FIX/usb/$3.umockdev exists"
		return
	fi
	derive "$name" "$3" "$4"
	run_ordinary "$name" "$tmp/$name.umockdev"
	expect "$name: rule $rule did not fire" \
		lacks_rule "$tmp/$name.alerts" "$rule" ||
		diag_scan "$name"
}
# A real Logitech receiver on 046d:c529 names itself; Flipper's BadUSB does not.
near_miss logitech-c529-with-strings injector-flipper-zero-badusb flipper-badusb \
	'/^A: idVendor=046d$/a\
A: manufacturer=Logitech\
A: product=USB Receiver'
# 0483:5740 is STMicro's stock virtual COM port, on many STM32 gadgets.
near_miss stm32-vcp injector-flipper-zero-serial flipper-zero-vcp \
	'/flip_\|Flipper/d'
# usb.ids gives 1ea7:0064 to a real vertical mouse.
near_miss vertical-mouse-1ea7-0064 jiggler-amazon-2g4-mouse amazon-jiggler \
	's/2\.4G Mouse/Vertical Mouse/'

# Every fixture on disk has an expected outcome in the table.
for f in "$FIX"/usb/*.umockdev; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .umockdev)
	case $known in
	*" $name "*) ;;
	*) not_ok "$name: fixture has an expected outcome in usb_scan.sh" ;;
	esac
done

finish
