#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# fuzz_replay.sh - every fuzz target's seed corpus and regression inputs
# (tests/fuzz/corpus/T, tests/fuzz/regress/T) fed through the target by the
# plain replay driver ($BUILD/tests/fuzz/replay_T, tests/fuzz/replay.c): no
# libFuzzer or clang needed, so a parser change that brings a fixed crash
# back fails `make test`.  One ok line per target: it ran every input
# (the driver's count equals the files) and exited 0 (a crash is a signal,
# a hang is caught by timeout, scaled by FH_TIME_SCALE).  Under `make test-asan` the same binaries
# carry the sanitizers.
. "$(dirname "$0")/lib.sh"

FZ="$top/tests/fuzz"
ntargets=0
for src in "$FZ"/fuzz_*.c; do
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	ntargets=$((ntargets + 1))
	bin="$B/tests/fuzz/replay_$t"
	dirs="$FZ/corpus/$t"
	[ -d "$FZ/regress/$t" ] && dirs="$dirs $FZ/regress/$t"
	# shellcheck disable=SC2086
	want=$(find $dirs -maxdepth 1 -type f ! -name '.*' | wc -l)
	if [ ! -x "$bin" ]; then
		not_ok "$t: replay binary $bin missing"
		continue
	fi
	# shellcheck disable=SC2086
	out=$(timeout $((120 * FH_TIME_SCALE)) "$bin" $dirs 2>&1); rc=$?
	if [ "$rc" -eq 0 ] && [ "$want" -gt 0 ] && [ "$out" = "$want inputs" ]; then
		ok "$t: $want seed and regression inputs replayed"
	else
		not_ok "$t: replay exited $rc after '$out' (want $want inputs)"
	fi
done
check "there is a fuzz target per parser (14 or more)" test "$ntargets" -ge 14

# The driver is not a yes-man: an unreadable input is an error.
timeout $((10 * FH_TIME_SCALE)) "$B/tests/fuzz/replay_hid" "$FZ/corpus/hid/does-not-exist" >/dev/null 2>&1; rc=$?
check "the replay driver fails on an input it cannot read" test "$rc" -eq 1
finish
