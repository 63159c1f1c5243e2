#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# cli.sh - the command line contract (DESIGN §6) of build/farmhound:
# -t, --fields, --version, --help, option errors, --scan on a machine
# without a USB bus, --explain markers.
. "$(dirname "$0")/lib.sh"

T=$(mktemp -d /tmp/fh-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
NOCONF="$T/absent.conf"

# -t with the shipped rules and no config file: built-in defaults.
out=$("$FH" -t -c "$NOCONF" -r "$RULES" 2>"$T/err"); rc=$?
check "-t accepts the shipped rules with a missing config file" \
	test "$rc" -eq 0 -a "$out" = "configuration OK"

# -t with errors in both files: every error as file:line, exit 1.
printf '[output]\nformat = json\nframing = carrier-pigeon\n' >"$T/bad.conf"
mkdir "$T/rules"
printf '[rule r1]\nname = r1\nsource = usb\nwhen = action == "add"\nseverity = loud\n' >"$T/rules/a.rules"
"$FH" -t -c "$T/bad.conf" -r "$T/rules" >"$T/out" 2>"$T/err"; rc=$?
check "-t with errors exits 1" test "$rc" -eq 1
check "-t reports the config error as file:line" grep -q "^$T/bad.conf:3: " "$T/err"
check "-t reports the rule error as file:line" grep -q "^$T/rules/a.rules:5: " "$T/err"
check "-t with errors prints no OK" sh -c "! grep -q 'configuration OK' '$T/out'"

# The daemon refuses to start on an invalid config, saying where.
# (timeout only stops a daemon that started anyway: scaled, never reached.)
timeout $((10 * FH_TIME_SCALE)) "$FH" -c "$T/bad.conf" -r "$RULES" >/dev/null 2>"$T/err"; rc=$?
check "the daemon exits 1 on an invalid config" test "$rc" -eq 1
check "... and reports it as file:line" grep -q "^$T/bad.conf:3: " "$T/err"

# A rule without the optional name key is not a crash.
printf '[rule nameless]\nsource = usb\nseverity = info\nwhen = action == "add"\n' >"$T/nameless.rules"
mkdir "$T/nameless" && mv "$T/nameless.rules" "$T/nameless/"
"$FH" -t -c "$NOCONF" -r "$T/nameless" >/dev/null 2>&1; rc=$?
check "-t accepts a rule without a name (no crash)" test "$rc" -eq 0

# --fields
"$FH" --fields usb >"$T/out"; rc=$?
check "--fields usb lists vendor_id with its type" \
	sh -c "[ $rc -eq 0 ] && grep -Eq '^ +vendor_id +string ' '$T/out'"
check "--fields usb lists only usb" sh -c "! grep -q '^agent:' '$T/out'"
"$FH" --fields >"$T/out"
check "--fields lists every source" sh -c "grep -q '^usb:' '$T/out' && grep -q '^agent:' '$T/out'"
"$FH" --fields nosuch >/dev/null 2>&1; rc=$?
check "--fields with an unknown source fails" test "$rc" -ne 0

# --version, --help, bad options
check "--version prints the version" sh -c "'$FH' --version | grep -Eq '^farmhound [0-9]+\.[0-9]+\.[0-9]+$'"
check "--help documents the '# ' --explain lines" sh -c "'$FH' --help | grep -q \"starting with \\\"# \\\"\""
"$FH" -f xml --scan >/dev/null 2>&1; rc=$?
check "-f with an unknown format exits 2" test "$rc" -eq 2
"$FH" --no-such-option >/dev/null 2>&1; rc=$?
check "an unknown option exits 2" test "$rc" -eq 2
"$FH" --explain >/dev/null 2>&1; rc=$?
check "--explain without --scan exits 2" test "$rc" -eq 2

# --scan here: no USB bus in this sysfs (a container) is not an error.
if [ -d /sys/bus/usb/devices ] && [ -n "$(ls /sys/bus/usb/devices 2>/dev/null)" ]; then
	ok "# SKIP this machine has a USB bus"
	ok "# SKIP this machine has a USB bus"
else
	"$FH" --scan -c "$NOCONF" -r "$RULES" >"$T/out" 2>"$T/err"; rc=$?
	check "--scan without a USB bus exits 0" test "$rc" -eq 0
	check "--scan without a USB bus says so in one stderr line" \
		sh -c "[ \$(grep -c '^farmhound: usb:' '$T/err') -eq 1 ] && grep -q '^farmhound: usb: .*skipping' '$T/err'"
fi

# --scan with a broken rule set is an error (2), not "nothing found".
"$FH" --scan -c "$NOCONF" -r "$T/rules" >/dev/null 2>&1; rc=$?
check "--scan with invalid rules exits 2" test "$rc" -eq 2

# --explain inside a testbed: event lines start with "# ", alert lines are JSON.
if command -v umockdev-run >/dev/null; then
	umockdev-run -d "$FIX/usb/pikvm.umockdev" -- \
		"$FH" --scan --explain -c "$NOCONF" -r "$RULES" >"$T/out" 2>"$T/err"; rc=$?
	check "--scan --explain on a PiKVM exits 1" test "$rc" -eq 1
	check "--explain prints the event's fields" grep -q '^# event usb: .*vendor_id="1d6b"' "$T/out"
	check "--explain prints the matched rule and outcome" grep -Eq '^#   rule [a-z0-9-]+: alert$' "$T/out"
	check "every other line is a JSON alert" \
		sh -c "grep -v '^#' '$T/out' | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]; sys.exit(0)'"
	check "alert lines are there" sh -c "grep -v '^#' '$T/out' | grep -q '\"kind\":\"alert\"'"
fi
finish
