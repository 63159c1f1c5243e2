#!/bin/sh
# Run every test suite and print one summary line: "N passed, N failed".
#
# Unit suites are cmocka binaries (build/tests/test_*) asked for TAP output;
# integration suites are tests/integration/*.sh, which print TAP themselves
# (tests/integration/lib.sh).  A suite that dies without saying "not ok"
# counts as one failure, so a crash is never a silent pass.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
passed=0 failed=0
log=$(mktemp); trap 'rm -f "$log"' EXIT

run_suite() {
	name=$1; shift
	echo "== $name"
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		f=1
	fi
	passed=$((passed + p)); failed=$((failed + f))
}

B=${BUILD:-build}
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	CMOCKA_MESSAGE_OUTPUT=TAP run_suite "$(basename "$t")" "$t"
done
for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	case "$t" in */lib.sh) continue ;; esac
	run_suite "$(basename "$t" .sh)" sh "$t"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
