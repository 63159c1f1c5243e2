#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run test suites and print one summary line: "N passed, N failed".
#
# tests/run.sh [SUITE...]: the given suites (a cmocka binary, or a .sh
# integration suite), or every one: unit suites are cmocka binaries
# (build/tests/test_*) asked for TAP output; integration suites are
# tests/integration/*.sh, which print TAP themselves
# (tests/integration/lib.sh).  A suite that dies without saying "not ok"
# counts as one failure, so a crash is never a silent pass; and every
# program a suite runs dumps core into the run's core directory, which is
# checked after each suite (tests/cores.sh): a crash anywhere fails the
# suite with its backtrace, even where the suite did not look at the exit
# status.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
. "$top/tests/cores.sh"
passed=0 failed=0
log=$(mktemp)
B=${BUILD:-build}
FH_CORE_EXE_DIRS="$top/$B $top/$B/tests $top/$B/tests/tools $top/$B/tests/fuzz"
export FH_CORE_EXE_DIRS
cores_begin
umockdev_race_guard
trap 'rm -f "$log"; cores_end' EXIT
trap 'exit 130' INT TERM HUP

run_suite() {
	name=$1; shift
	echo "== $name"
	"$@" >"$log" 2>&1
	rc=$?
	cores_report "$name" >>"$log"
	cat "$log"
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		if is_crash "$rc"; then
			echo "not ok - $name crashed on $(signal_name "$rc") (it left no core)"
		else
			echo "not ok - $name exited with status $rc"
		fi
		f=1
	fi
	passed=$((passed + p)); failed=$((failed + f))
}

run_one() {
	case "$1" in
	*.sh) run_suite "$(basename "$1" .sh)" sh "$1" ;;
	*) CMOCKA_MESSAGE_OUTPUT=TAP run_suite "$(basename "$1")" "$1" ;;
	esac
}

if [ $# -gt 0 ]; then
	for t in "$@"; do run_one "$t"; done
else
	for t in "$B"/tests/test_*; do
		[ -x "$t" ] || continue
		run_one "$t"
	done
	for t in tests/integration/*.sh; do
		[ -f "$t" ] || continue
		case "$t" in */lib.sh) continue ;; esac
		run_one "$t"
	done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
