#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# dead_code.sh - no function of the agent's objects is defined and never
# used: every global function (nm: T in $B/obj) is named somewhere in the
# C sources (lib, collectors, rules, agent, tests) besides its definition.
# Dead code is code nobody tests and everybody has to read; a helper kept
# "for tests" is named by that test, so it passes.  Issue 12 found four
# (ruleset_load_dir_sources, correlate_pending, log_debug_enabled,
# net_flow_capacity).
. "$(dirname "$0")/lib.sh"

cd "$top" || exit 2
objs=$(find "$B/obj" -name '*.o' 2>/dev/null)
if ! command -v nm >/dev/null || [ -z "$objs" ]; then
	not_ok "nm or the objects in $B/obj missing (make all first)"
	finish
	exit $?
fi
srcs=$(find lib collectors rules agent tests -name '*.c')
dead=""
for f in $(for o in $objs; do nm -g --defined-only "$o"; done |
	   awk '$2 == "T" { print $3 }' | sort -u); do
	[ "$f" = main ] && continue
	# The definition is one occurrence; a use is any other.
	n=$(cat $srcs | grep -ow "$f" | wc -l)
	[ "$n" -le 1 ] && dead="$dead $f"
done
check "every global function is used somewhere (dead:${dead:- none})" test -z "$dead"
finish
