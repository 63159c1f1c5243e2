#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run.sh - run libFuzzer targets for a fixed time each (`make fuzz`).
#
#   FUZZ_BUILD=build-fuzz FUZZ_TIME=60 tests/fuzz/run.sh TARGET...
#
# Each target starts from its committed seeds (tests/fuzz/corpus/T) and
# regression inputs (tests/fuzz/regress/T), with tests/fuzz/T.dict as
# libFuzzer dictionary when there is one; what it finds goes to a scratch
# corpus ($FUZZ_BUILD/corpus/T, first on the command line, so libFuzzer
# writes there and never into the repository) and crashing inputs to
# $FUZZ_BUILD/artifacts/T/.  The log of each run is $FUZZ_LOGDIR/T.log.
# Prints one summary line per target: executions (libFuzzer's
# stat::number_of_executed_units), coverage (cov:/ft: of the last status
# line) and whether it crashed.  Exits 1 if any target crashed.
set -u
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_TIME=${FUZZ_TIME:-60}
FUZZ_LOGDIR=${FUZZ_LOGDIR:-$FUZZ_BUILD/logs}
here=$(dirname "$0")
failed=0

mkdir -p "$FUZZ_LOGDIR"
for t in "$@"; do
	bin=$FUZZ_BUILD/fuzz_$t
	log=$FUZZ_LOGDIR/$t.log
	mkdir -p "$FUZZ_BUILD/corpus/$t" "$FUZZ_BUILD/artifacts/$t"
	dirs="$FUZZ_BUILD/corpus/$t $here/corpus/$t"
	[ -d "$here/regress/$t" ] && dirs="$dirs $here/regress/$t"
	dict=
	[ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
	# -timeout: an input taking 10 s is a hang, reported like a crash.
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$FUZZ_TIME" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$FUZZ_BUILD/artifacts/$t/" \
		$dict $dirs >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	if [ $rc -eq 0 ]; then
		status=ok
	else
		status="CRASH (rc $rc, see $log and $FUZZ_BUILD/artifacts/$t/)"
		failed=1
	fi
	printf '%-12s %4ss execs %-11s cov %-5s ft %-6s %s\n' "$t" "$FUZZ_TIME" \
		"${execs:-?}" "${cov:-?}" "${ft:-?}" "$status"
done
exit $failed
