#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# layers.sh - the source layers point one way, as the data flows (DESIGN
# §2): lib/ (helpers with no policy) <- collectors/ <- rules/ <- agent/.
# Every #include "..." of every .c and .h of the four layers is resolved
# the way the compiler resolves it (the including file's directory, then
# the in-tree directories FH_CFLAGS names with -iquote or -I, read from the
# Makefile) and must land in the same layer or one below; and a
# collector's folder (collectors/usb/, collectors/net/, ...) includes
# nothing from another collector's folder: what collectors share sits at
# the top of collectors/.  Each include that breaks this is one "not ok"
# naming file:line, the include and where it landed.  An include that
# resolves to nothing in the tree is one too: a check that cannot see
# where an include goes cannot vouch for it.
#
# The same for the linker: every function or variable an object ($B/obj,
# from `make all`) uses from another object must be defined in its own
# layer or below, and not in another collector's folder, so a prototype
# written by hand cannot get round the includes.
#
# FH_SUITE_TOP=DIR sh tests/integration/layers.sh checks another tree (an
# older checkout, to show what the check finds there).
. "$(dirname "$0")/lib.sh"

cd "$top" || exit 2
LAYERS="lib collectors rules agent"	# low to high

# layer_rank DIR: the position of a top-level directory in LAYERS, or
# nothing if it is not a source layer.
layer_rank() {
	_r=0
	for _l in $LAYERS; do
		[ "$_l" = "$1" ] && { echo "$_r"; return; }
		_r=$((_r + 1))
	done
}

# The in-tree quote-include search directories of the build, in order.
cflags=$(printf 'fh-print-cflags:\n\t@echo $(FH_CFLAGS)\n' |
	 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory \
	 -f Makefile -f - fh-print-cflags 2>/dev/null)
search=""
set -- $cflags
while [ $# -gt 0 ]; do
	case $1 in
	-iquote|-I) d=${2:-}; shift ;;
	-iquote*) d=${1#-iquote} ;;
	-I*) d=${1#-I} ;;
	*) d="" ;;
	esac
	shift
	case $d in ''|/*) ;; *) search="$search $d" ;; esac
done
if [ -z "$cflags" ]; then
	not_ok "could not read FH_CFLAGS from the Makefile"
	finish
	exit $?
fi
echo "# search path after the file's own directory:${search:- (none)}"

# resolve FILE NAME: the tree-relative path NAME includes from FILE, or
# nothing if no such file.
resolve() {
	for _d in "$(dirname "$1")" $search; do
		if [ -f "$_d/$2" ]; then
			realpath -m --relative-to="$top" "$_d/$2"
			return
		fi
	done
}

# collector_folder PATH: "usb" for collectors/usb/..., nothing for the top
# of collectors/ or another layer.
collector_folder() {
	case $1 in
	collectors/*/*) _f=${1#collectors/}; echo "${_f%%/*}" ;;
	esac
}

tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.out"' EXIT
files=$(for l in $LAYERS; do [ -d "$l" ] && find "$l" -name '*.[ch]'; done | sort)
nincl=0
for f in $files; do
	from=${f%%/*}
	rf=$(layer_rank "$from")
	ff=$(collector_folder "$f")
	grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		sed -E 's/^([0-9]+):[^"]*"([^"]*)".*/\1 \2/' >"$tmp"
	while read -r line name; do
		nincl=$((nincl + 1))
		to=$(resolve "$f" "$name")
		where="$f:$line: #include \"$name\""
		if [ -z "$to" ]; then
			not_ok "$where resolves to no file of the tree"
			continue
		fi
		rt=$(layer_rank "${to%%/*}")
		if [ -z "$rt" ]; then
			not_ok "$where -> $to: outside the source layers ($LAYERS)"
		elif [ "$rt" -gt "$rf" ]; then
			not_ok "$where -> $to points up: $from/ may not include from ${to%%/*}/"
		fi
		tf=$(collector_folder "$to")
		if [ -n "$ff" ] && [ -n "$tf" ] && [ "$ff" != "$tf" ]; then
			not_ok "$where -> $to crosses from collectors/$ff/ to collectors/$tf/"
		fi
	done <"$tmp"
done

check "includes checked: $nincl in $(echo "$files" | wc -w) files of $LAYERS" \
	test "$nincl" -gt 0

# ---- symbols ----
# Objects of sources that still exist (a moved file leaves its old object
# behind in a build directory that is not clean).
objs=$(cd "$B/obj" 2>/dev/null && find . -name '*.o' | sed 's|^\./||' | sort |
       while read -r o; do [ -f "$top/${o%.o}.c" ] && echo "$o"; done)
if ! command -v nm >/dev/null || [ -z "$objs" ]; then
	not_ok "nm or the objects in $B/obj missing (make all first)"
	finish
	exit $?
fi
# "D symbol object" for every definition, "U symbol object" for every use.
for o in $objs; do
	nm -g "$B/obj/$o" | awk -v o="$o" '
		$1 == "U" { print "U", $2, o; next }
		NF == 3 && $2 ~ /^[A-TV-Z]$/ { print "D", $3, o }'
done >"$tmp"
awk -v layers="$LAYERS" '
	function rank(p,   d) { d = p; sub(/\/.*/, "", d); return (d in R) ? R[d] : -1 }
	function folder(p) { return p ~ /^collectors\/[^\/]+\// ? p : "" }
	function cfold(p,   f) { f = p; sub(/^collectors\//, "", f); sub(/\/.*/, "", f); return f }
	BEGIN { n = split(layers, L, " "); for (i = 1; i <= n; i++) R[L[i]] = i }
	$1 == "D" { def[$2] = $3; next }
	{ use[++nu] = $2 " " $3 }
	END {
		for (i = 1; i <= nu; i++) {
			split(use[i], u, " ")
			if (!(u[1] in def))
				continue
			d = def[u[1]]
			if (rank(d) > rank(u[2]))
				printf "%s uses %s, defined in %s: points up\n", u[2], u[1], d
			else if (folder(u[2]) && folder(d) && cfold(u[2]) != cfold(d))
				printf "%s uses %s, defined in %s: another collector\x27s folder\n", u[2], u[1], d
		}
		print "checked " nu " uses"
	}' "$tmp" >"$tmp.out"
while read -r line; do
	case $line in
	"checked "*) nuses=${line#checked }; nuses=${nuses% uses} ;;
	*) not_ok "$line" ;;
	esac
done <"$tmp.out"
rm -f "$tmp.out"
check "symbol uses checked: ${nuses:-0} in $(echo "$objs" | wc -w) objects" \
	test "${nuses:-0}" -gt 0
finish
