#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# rules2doc.sh - the alert reference, generated from the rule files.
#
#   rules2doc.sh check RULEFILE...            check only; nothing on stdout
#   rules2doc.sh readme README RULEFILE...    README with the part between
#                                             its BEGIN/END markers rebuilt
#   rules2doc.sh man TEMPLATE RULEFILE...     TEMPLATE with its "@RULES@"
#                                             comment line replaced (mdoc)
#
# Why generated: each shipped rule says what it saw (description) and
# what to do (advice) in its own file, and the alert carries that text;
# a hand-written copy in README and farmhound.rules(5) would drift, as it
# did (README had usb-gadget-reidentified counting over a day; the rule
# says ten minutes).  `make ruledoc` rewrites README.md, `make man` writes
# the page; tests/integration/ruledoc.sh fails when README is stale.
#
# Every mode checks first and writes nothing if a shipped rule lacks name,
# description, advice or references, if a description or advice is longer
# than the JSON alert carries uncut (192 and 256 bytes, escaped), or if a
# file does not open with its "; NAME - summary" line: a reference with
# holes is not built.  An admin's own rules are not held to this (the
# loader accepts rules without them; this script only reads the packs).
#
# The INI lexing mirrors rules/inifile.c for what the packs use: blank and
# comment lines (first non-blank ';' or '#') are skipped, " ;" outside
# double quotes starts a comment, an indented line continues the key above
# (joined with one space).  A line it does not understand is an error,
# like fields2man.sh's, rather than a silently thinner reference.
set -eu
usage() { echo "usage: $0 check|readme FILE|man TEMPLATE RULEFILE..." >&2; exit 2; }
[ $# -ge 2 ] || usage
mode=$1; shift
case $mode in
check) ;;
readme|man) [ $# -ge 2 ] || usage; target=$1; shift ;;
*) usage ;;
esac
# Bytes, not characters, whatever the caller's locale.
LC_ALL=C
export LC_ALL

# parse FILE...: one line per file ("F file summary") and per rule ("R
# file line id name severity score category alert description advice
# references"), tab-separated; or "E file:line: message" for a problem.
parse() {
	awk '
	function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
	# The text before an inline comment; q is the double-quote state,
	# carried across the continuation lines of one value.
	function strip(s,   i, n, c) {
		n = length(s)
		for (i = 1; i <= n; i++) {
			c = substr(s, i, 1)
			if (q && c == "\\" && i < n) { i++; continue }
			if (c == "\"") q = !q
			else if (!q && c == ";" && (i == 1 || substr(s, i - 1, 1) ~ /[ \t]/)) break
		}
		return trim(substr(s, 1, i - 1))
	}
	function emit() {
		if (id != "")
			print "R", file, sline, id, v["name"], v["severity"], v["score"], \
			      v["category"], v["alert"], v["description"], v["advice"], v["references"]
		id = ""
		split("", v)
	}
	function bad(msg) { print "E", file ":" FNR ": " msg; err = 1 }
	BEGIN { OFS = "\t" }
	FNR == 1 {
		emit()
		if (prev != "") print "F", prev, summary
		file = FILENAME; sub(/.*\//, "", file); prev = file
		summary = ""; key = ""; sect = ""
		# "; NAME - summary", continued by "; " lines up to a bare ";".
		if (substr($0, 1, length("; " file " - ")) == "; " file " - ") {
			summary = substr($0, length("; " file " - ") + 1); head = 1
			next
		}
		bad("the file does not open with \"; " file " - summary\"")
	}
	{ sub(/\r$/, ""); gsub(/\t/, " ") }
	head && /^; ./ { summary = summary " " substr($0, 3); next }
	{ head = 0 }
	/^[ ]*$/ || /^[ ]*[;#]/ { next }
	/^ / {
		if (key == "") { bad("indented line continues nothing"); next }
		s = strip(trim($0))
		if (sect == "rule" && s != "") v[key] = v[key] " " s
		next
	}
	/^\[/ {
		emit(); key = ""
		if (!match($0, /^\[[a-z]+ +[^] ]+\]/)) { bad("not a [kind id] header"); sect = ""; next }
		h = substr($0, 2, RLENGTH - 2); sect = h; sub(/ .*/, "", sect)
		if (sect == "rule") { id = h; sub(/^[a-z]+ +/, "", id); sline = FNR }
		next
	}
	{
		q = 0; s = strip($0); eq = index(s, "=")
		if (!eq || sect == "") { bad("not a key = value line inside a section"); key = ""; next }
		key = trim(substr(s, 1, eq - 1))
		if (sect == "rule") v[key] = trim(substr(s, eq + 1))
	}
	END {
		emit()
		if (prev != "") print "F", prev, summary
		exit err
	}' "$@"
}

# check: the problems, as "file:line: message" lines, on stdout.
check() {
	awk -F '\t' '
	function jsonlen(s,   t) { t = s; return length(s) + gsub(/["\\]/, "", t) }
	$1 == "E" { print substr($0, 3); next }
	$1 == "F" { files++; next }
	{
		where = $2 ":" $3 ": [rule " $4 "]"
		if ($5 == "") print where " has no name"
		if ($10 == "") print where " has no description"
		if ($11 == "") print where " has no advice"
		if ($12 == "") print where " has no references"
		# Words only: they go on an mdoc macro line.
		if ($6 !~ /^[a-z]+$/) print where " severity is not one word"
		if ($8 !~ /^[a-z0-9-]*$/) print where " category is not one lower-case word"
		if ($7 !~ /^[0-9]*$/) print where " score is not a number"
		if (jsonlen($10) > 192) print where " description is " jsonlen($10) " bytes in JSON (at most 192)"
		if (jsonlen($11) > 256) print where " advice is " jsonlen($11) " bytes in JSON (at most 256)"
		rules++
	}
	END { if (!files || !rules) print "no rule files or no rules" }'
}

# markdown: one table per file.
markdown() {
	awk -F '\t' '
	function md(s) {
		gsub(/\\/, "\\&#92;", s); gsub(/\|/, "\\|", s); gsub(/\*/, "\\*", s)
		gsub(/_/, "\\_", s); gsub(/</, "\\&lt;", s)
		return s
	}
	function cap(s) { return toupper(substr(s, 1, 1)) substr(s, 2) }
	$1 == "F" { sum[$2] = $3; next }
	{ n++; f[n] = $2; row[n] = $0 }
	END {
		for (i = 1; i <= n; i++) {
			split(row[i], c, "\t")
			if (f[i] != f[i - 1]) {
				if (i > 1) print ""
				print "#### `" f[i] "`"
				print ""
				print md(cap(sum[f[i]]))
				print ""
				print "| rule | severity / score | category | what it means | what to do |"
				print "|---|---|---|---|---|"
			}
			sc = c[7] == "" ? 0 : c[7]
			print "| `" c[4] "` | " c[6] " / " sc (c[9] == "no" ? ", silent" : "") \
			      " | " (c[8] == "" ? "-" : md(c[8])) " | **" md(c[5]) ".** " md(c[10]) \
			      " | " md(c[11]) " |"
		}
	}'
}

# mdoc: one subsection per file, a tagged list of its rules.
mdoc() {
	awk -F '\t' '
	function esc1(s) {
		gsub(/\\/, "\\e", s)
		if (s ~ /^[.'"'"']/) s = "\\&" s
		return s
	}
	# One sentence per line (mdoc: "new sentence, new line").
	function esc(s,   out) {
		out = ""
		while (match(s, /[.!?]["\047)\]]* +/)) {
			out = out esc1(substr(s, 1, RSTART + RLENGTH - 1)) "\n"
			s = substr(s, RSTART + RLENGTH)
		}
		gsub(/ +\n/, "\n", out)
		return out esc1(s)
	}
	function cap(s) { return toupper(substr(s, 1, 1)) substr(s, 2) }
	$1 == "F" { sum[$2] = $3; next }
	{ n++; f[n] = $2; row[n] = $0 }
	END {
		for (i = 1; i <= n; i++) {
			split(row[i], c, "\t")
			if (f[i] != f[i - 1]) {
				if (i > 1) print ".El"
				print ".Ss " f[i]
				print esc(cap(sum[f[i]]))
				print ".Bl -tag -width Ds"
			}
			sc = c[7] == "" ? 0 : c[7]
			print ".It Cm " c[4] " Pq " c[6] ", score " sc (c[8] == "" ? "" : ", " c[8]) \
			      (c[9] == "no" ? ", silent" : "")
			print esc(c[5] ".")
			print esc(c[10])
			print ".Pp"
			print esc("What to do: " c[11])
		}
		if (n) print ".El"
	}'
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
parse "$@" >"$tmp" || true
problems=$(check <"$tmp")
if [ -n "$problems" ]; then
	printf '%s\n' "$problems" | sed "s|^|$0: |" >&2
	exit 1
fi
case $mode in
check) ;;
readme)
	# The reference replaces what lies between the markers; the markers
	# and everything else stay as they are.
	begin='<!-- BEGIN rules reference'
	end='<!-- END rules reference -->'
	[ "$(grep -c "^$begin" "$target")" = 1 ] && [ "$(grep -cx "$end" "$target")" = 1 ] || {
		echo "$0: $target needs one \"$begin ...\" and one \"$end\" line" >&2; exit 1; }
	markdown <"$tmp" | awk -v doc="$target" -v begin="$begin" -v end="$end" '
		{ ref = ref $0 "\n" }
		END {
			while ((getline line < doc) > 0) {
				if (index(line, begin) == 1) { print line; printf "\n%s\n", ref; skip = 1; continue }
				if (line == end) { skip = 0; if (!seen++) { print line; continue } }
				if (!skip) print line
			}
		}'
	;;
man)
	grep -q '^\.\\" @RULES@$' "$target" || { echo "$0: no @RULES@ line in $target" >&2; exit 1; }
	mdoc <"$tmp" | awk -v tmpl="$target" '
		{ ref = ref $0 "\n" }
		END {
			while ((getline line < tmpl) > 0) {
				if (line == ".\\\" @RULES@") printf "%s", ref
				else print line
			}
		}'
	;;
esac
