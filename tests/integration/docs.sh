#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# docs.sh - the developer documents keep up with the tree.
#
# - tests/README.md names every unit suite (tests/unit/test_*.c) and every
#   integration suite (tests/integration/*.sh): a new suite is explained
#   where a newcomer looks for it;
# - collectors/README.md ("Layout") names every source file of lib/,
#   collectors/, rules/ and agent/ (with its folder for the collector
#   subfolders), so the layout table cannot silently fall behind;
# - every relative link in README.md, tests/README.md, collectors/README.md
#   and the collector folders' READMEs resolves to a file of the tree.
# Reads files only: binds no port, runs no daemon.
. "$(dirname "$0")/lib.sh"

missing_in() {	# DOC NAME...: the NAMEs DOC does not mention
	doc=$1; shift
	for n in "$@"; do
		grep -qF -- "$n" "$top/$doc" || echo "$n"
	done
}

suites=$(cd "$top" && ls tests/unit/test_*.c tests/integration/*.sh | sed 's|.*/||; s|\.c$||')
m=$(missing_in tests/README.md $suites)
check "tests/README.md names every unit and integration suite ($(echo "$m" | grep -c .) missing)" test -z "$m"
[ -z "$m" ] || echo "$m" | sed 's/^/# not in tests\/README.md: /'

srcs=$(cd "$top" && ls lib/*.[ch] agent/*.[ch] rules/*.[ch] collectors/*.[ch] collectors/*/*.[ch] |
	sed 's|^collectors/\([^/]*\)/|\1/|; s|^[a-z]*/\([^/]*\)$|\1|')
m=$(missing_in collectors/README.md $srcs)
check "collectors/README.md's layout names every source file ($(echo "$m" | grep -c .) missing)" test -z "$m"
[ -z "$m" ] || echo "$m" | sed 's/^/# not in collectors\/README.md: /'

# Relative markdown links: [text](path) or [text](path#anchor), not URLs.
broken=$(cd "$top" && for doc in README.md tests/README.md collectors/README.md collectors/*/README.md; do
	dir=$(dirname "$doc")
	grep -o '](\([^)]*\))' "$doc" | sed 's/^](//; s/)$//; s/#.*//' | grep -v '^[a-z]*:' | grep . |
	while read -r target; do
		[ -e "$dir/$target" ] || echo "$doc -> $target"
	done
done)
check "every relative link of the READMEs resolves ($(echo "$broken" | grep -c .) broken)" test -z "$broken"
[ -z "$broken" ] || echo "$broken" | sed 's/^/# broken link: /'
finish
