#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# coverage.sh - source coverage of each parser reached by a fuzz corpus.
#
#   FUZZ_BUILD=build-fuzz tests/fuzz/coverage.sh [TARGET...]
#
# libFuzzer's cov:/ft: count edges in the whole binary; this says how much
# of the parser's own file the corpus exercises.  Builds the sources and
# tests/fuzz/replay.c with clang's source-based coverage
# (-fprofile-instr-generate -fcoverage-mapping) into $FUZZ_BUILD/cov,
# replays the seeds, the regression inputs and the scratch corpus a
# `make fuzz` run left in $FUZZ_BUILD/corpus/T, and prints llvm-cov's line,
# function and branch coverage of the files each target is about.
set -eu
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cov=$FUZZ_BUILD/cov
PKGS="libudev inih libpcre2-8 libsystemd libpcap libmaxminddb"
CFL="-std=c17 -D_GNU_SOURCE -iquote $top -DFARMHOUND_VERSION=\"$(cat "$top/VERSION")\" $(pkg-config --cflags $PKGS) -g -O0 -fprofile-instr-generate -fcoverage-mapping"
LIBS=$(pkg-config --libs $PKGS)

# The files that hold each target's parser.
files_of() {
	case $1 in
	rules) echo rules/ruleset_load.c rules/ruleset_build.c rules/ruleset_rule.c \
		rules/ruleset_corr.c rules/inifile.c $(files_of expr) rules/ruleset.c ;;
	expr) echo rules/expr.c rules/expr_lex.c rules/expr_value.c rules/expr_eval.c \
		rules/expr_index.c ;;
	config) echo agent/config.c ;;
	inifile) echo rules/inifile.c ;;
	hid) echo collectors/usb/hid.c ;;
	edid) echo collectors/display/edid.c ;;
	dissect_dns) echo collectors/net/dissect_dns.c ;;
	dissect_tls) echo collectors/net/dissect_tls.c ;;
	dissect_app) echo collectors/net/dissect_app.c collectors/net/dissect_sig.c ;;
	dissect_lan) echo collectors/net/dissect_lan.c collectors/net/oui.c ;;
	net_decode) echo collectors/net/net_decode.c ;;
	procfs) echo collectors/process/procfs.c ;;
	host_parse) echo collectors/host/host_parse.c ;;
	stun) echo collectors/host/stun.c ;;
	esac
}

mkdir -p "$cov/obj"
objs=""
for src in "$top"/lib/*.c "$top"/collectors/*.c "$top"/collectors/*/*.c "$top"/rules/*.c \
	   "$top"/agent/*.c; do
	case $src in */agent/main.c) continue ;; esac
	o=$cov/obj/$(basename "$(dirname "$src")")_$(basename "$src" .c).o
	[ "$o" -nt "$src" ] || clang $CFL -c -o "$o" "$src"
	objs="$objs $o"
done
[ $# -gt 0 ] || set -- $(cd "$here" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
printf '%-12s %-28s %8s %8s %8s\n' target file lines functions branches
for t in "$@"; do
	bin=$cov/replay_$t
	# shellcheck disable=SC2086
	clang $CFL -o "$bin" "$here/fuzz_$t.c" "$here/replay.c" $objs $LIBS
	dirs="$here/corpus/$t"
	[ -d "$here/regress/$t" ] && dirs="$dirs $here/regress/$t"
	[ -d "$FUZZ_BUILD/corpus/$t" ] && dirs="$dirs $FUZZ_BUILD/corpus/$t"
	rm -f "$cov/$t.profraw"
	# shellcheck disable=SC2086
	LLVM_PROFILE_FILE="$cov/$t.profraw" "$bin" $dirs >"$cov/$t.replay" 2>&1 || true
	llvm-profdata merge -sparse -o "$cov/$t.profdata" "$cov/$t.profraw"
	for f in $(files_of "$t"); do
		llvm-cov report "$bin" -instr-profile="$cov/$t.profdata" "$top/$f" 2>/dev/null |
		awk -v t="$t" -v f="$f" '$1 ~ /\.c$/ {
			# Regions Miss Cover Functions Miss Exec Lines Miss Cover Branches Miss Cover
			printf "%-12s %-28s %8s %8s %8s\n", t, f, $10, $7, $13 }'
	done
done
