#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# fields2man.sh TEMPLATE FIELDS - write farmhound.rules(5) on stdout: the
# template with its "@FIELDS@" comment line replaced by an mdoc field
# reference built from FIELDS, the output of `farmhound --fields`.
#
# Why generated: the collectors' field tables are the rule authors' API,
# and a hand-written copy would drift.  The input is the agent's own
# output, but it is still checked: a line that is not "source:" or
# "  name type description" fails the build rather than producing a page
# that silently lacks fields.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 TEMPLATE FIELDS" >&2; exit 2; }
template=$1 fields=$2
grep -q '^\.\\" @FIELDS@$' "$template" || { echo "$0: no @FIELDS@ line in $template" >&2; exit 1; }

ref=$(awk '
function esc(s) {
	gsub(/\\/, "\\e", s)			# roff escape character
	if (s ~ /^[.'"'"']/) s = "\\&" s		# would be read as a request
	return s
}
/^$/ { next }
/^[a-z][a-z0-9_]*:$/ {
	if (open) print ".El"
	src = substr($0, 1, length($0) - 1)
	printf ".Ss %s\n.Bl -tag -width Ds\n", src
	open = 1; nsrc++
	next
}
/^  [a-z][a-z0-9_]* +[a-z]+( |$)/ {
	if (!open) { bad = NR; exit 1 }
	name = $1; type = $2
	desc = $0
	sub(/^  [^ ]+ +[^ ]+ */, "", desc)
	printf ".It Cm %s Pq Vt %s\n%s\n", name, type, (desc == "" ? "(no description)" : esc(desc))
	nfield++
	next
}
{ bad = NR; exit 1 }
END {
	if (bad) { printf "line %d: not a --fields line\n", bad > "/dev/stderr"; exit 1 }
	if (!nsrc || !nfield) { print "no sources or fields" > "/dev/stderr"; exit 1 }
	if (open) print ".El"
}' "$fields") || { echo "$0: $fields: unexpected input" >&2; exit 1; }

# Replace the marker line (awk again: the reference may contain any
# character sed would treat specially).
printf '%s\n' "$ref" | awk -v tmpl="$template" '
	{ ref = ref $0 "\n" }
	END {
		while ((getline line < tmpl) > 0) {
			if (line == ".\\\" @FIELDS@") printf "%s", ref
			else print line
		}
	}'
