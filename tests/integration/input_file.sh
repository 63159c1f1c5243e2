#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# input_file.sh - `farmhound --input FILE` with the shipped rules on every
# recording of tests/fixtures/input (evemu-record text written by gen.py
# there from the documented jiggler and paste schedules and from published
# human typing figures):
#
#   fire   exit 1 and the expected rule at its level
#   quiet  exit 0, no alert at all
#
# A fixture in the directory that the table does not mention is a failure.
# Also: the privacy contract seen from outside (the text a KVM pasted
# appears in no alert and no --explain line), exit 2 and one stderr line
# for a file that cannot be read, and a hostile file read to the end with
# its skipped lines noted.  Reads files only: binds no port, runs no daemon.
. "$(dirname "$0")/lib.sh"

# The live-* recordings are input_live.sh's: its jiggler runs 30 s, too short
# for the default jiggler_min_span (5 min; that suite sets 10 s), and the
# uinput keyboard has no events.
# kind   fixture          expected rule id             its level
CASES='
fire     pikvm-rel        input-jiggler-schedule       warning
fire     pikvm-abs        input-jiggler-schedule       warning
fire     jetkvm           input-jiggler-schedule       warning
fire     nanokvm-usb      input-jiggler-schedule       warning
fire     mechanical       input-jiggler-mechanical     warning
fire     paste-0ms        input-injected-typing        error
fire     paste-20ms       input-injected-typing        error
fire     badusb           input-injected-typing        error
fire     teleport-agent   input-pointer-teleport       warning
quiet    typist-fast      -                            -
quiet    typist-average   -                            -
quiet    mouse            -                            -
quiet    touchpad         -                            -
quiet    video            -                            -
quiet    gamepad          -                            -
quiet    clicker          -                            -
quiet    screen-reader    -                            -
quiet    autorepeat       -                            -
quiet    touchscreen      -                            -
fire     live-paste-a     input-injected-typing        error
fire     live-paste-b     input-injected-typing        error
quiet    live-jiggler     -                            -
quiet    live-uinput      -                            -
'

TIMEOUT=$((60 * FH_TIME_SCALE))
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
IN="$FIX/input"

alerts() { json_alerts "$1"; }	# lib.sh

run() {
	timeout "$TIMEOUT" "$FH" --input "$IN/$1.evemu" -r "$RULES" \
		>"$tmp/$1.out" 2>"$tmp/$1.err" </dev/null
	rc=$?
	crash_check "$rc" "$FH --input $IN/$1.evemu"
	alerts "$tmp/$1.out" >"$tmp/$1.alerts"
}

diag() {
	echo "# exit $rc; alerts:"
	sed 's/^/#   /' "$tmp/$1.alerts"
	sed -n '1,5s/^/# stderr: /p' "$tmp/$1.err"
}

while read -r kind name rule level; do
	[ -n "$kind" ] || continue
	run "$name"
	case $kind in
	fire)
		if [ "$rc" -eq 1 ] && grep -qx "$rule $level" "$tmp/$name.alerts" &&
		    ! grep -q '^BAD-JSON' "$tmp/$name.alerts"; then
			ok "$name: exit 1, $rule at $level"
		else
			not_ok "$name: exit 1, $rule at $level"
			diag "$name"
		fi ;;
	quiet)
		if [ "$rc" -eq 0 ] && [ ! -s "$tmp/$name.alerts" ]; then
			ok "$name: exit 0, no alert"
		else
			not_ok "$name: exit 0, no alert"
			diag "$name"
		fi ;;
	esac
done <<EOF
$CASES
EOF

untested=""
for f in "$IN"/*.evemu; do
	n=$(basename "$f" .evemu)
	echo "$CASES" | grep -q " $n " || untested="$untested $n"
done
check "every fixture has an expectation (untested:${untested:- none})" test -z "$untested"

# The privacy contract: words of the pasted text appear nowhere, in the
# alerts or in --explain's event lines.
"$FH" --input "$IN/paste-20ms.evemu" -r "$RULES" --explain >"$tmp/explain.out" 2>"$tmp/explain.err"
leak=$(grep -Eoi 'quick|brown|setup|token|systemctl|example' "$tmp/explain.out" "$tmp/explain.err" | head -n 3)
check "--explain shows the injected_typing event" grep -q '# event input: .*detector="injected_typing"' "$tmp/explain.out"
check "no word of the pasted text in the output (${leak:-none})" test -z "$leak"

# A file that is not there: exit 2, one line naming it.
"$FH" --input "$tmp/missing.evemu" -r "$RULES" >"$tmp/missing.out" 2>"$tmp/missing.err"
rc=$?
check "a missing file: exit 2" test "$rc" -eq 2
check "a missing file: stderr names it" grep -q 'missing.evemu' "$tmp/missing.err"

# Hostile lines: read to the end, the skipped ones noted, no alert.
{
	printf 'N: %s\n' "$(head -c 5000 /dev/zero | tr '\0' 'A')"
	printf 'E: 1.0 0002 0000 99999999999\nE: 0.5 0002 0000 1\nX: junk\n\001\002\003\n'
	printf 'E: 2.000000 0002 0000 0001\nE: 2.000000 0000 0000 0000\n'
} >"$tmp/hostile.evemu"
timeout "$TIMEOUT" "$FH" --input "$tmp/hostile.evemu" -r "$RULES" >"$tmp/hostile.out" 2>"$tmp/hostile.err"
rc=$?
crash_check "$rc" "$FH --input hostile.evemu"
check "a hostile file: exit 0" test "$rc" -eq 0
check "a hostile file: its skipped lines are noted" grep -q 'lines skipped' "$tmp/hostile.err"
finish
