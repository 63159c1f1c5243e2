#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# version.sh - the version is written once (VERSION) and every place that
# shows it agrees; the licence is Apache-2.0 everywhere it is declared.
#
# - VERSION holds one MAJOR.MINOR.PATCH line;
# - `farmhound --version`, the JSON alert's agent.version and the CEF
#   header say it (the alerts from --scan of the PiKVM fixture under
#   umockdev-run);
# - `make versioned` (the man pages, the Debian changelog, the RPM spec,
#   built from their @VERSION@ templates into $BUILD) says it: .Os of each
#   page, the changelog's newest entry, the spec's Version and newest
#   %changelog entry; no @VERSION@ is left in them;
# - no file that builds the binary, the packages or the man pages (the
#   tree but tests/ and build directories) spells the version;
#   documentation (*.md) may quote an example alert;
# - LICENSE is the Apache License 2.0 text; debian/copyright and the spec
#   declare Apache-2.0; every source file (C, shell, Python, Perl, the
#   Makefile, .ci/run; test fixtures aside) opens with its SPDX line, after
#   the #! line where there is one.
# Binds no port, runs no daemon.
. "$(dirname "$0")/lib.sh"

T=$(mktemp -d /tmp/fh-version.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT PIPE TERM

V=$(cat "$top/VERSION")
check "VERSION holds one MAJOR.MINOR.PATCH line ($V)" \
	sh -c "[ \$(wc -l <'$top/VERSION') = 1 ] && echo '$V' | grep -Eqx '[0-9]+\.[0-9]+\.[0-9]+'"

# ---- the binary ----
check "--version says farmhound $V" test "$("$FH" --version)" = "farmhound $V"
conf="$T/usb-only.conf"
collectors_only usb >"$conf"
for f in json cef; do
	umockdev-run -d "$FIX/usb/pikvm.umockdev" -- \
		"$FH" --scan -f $f -c "$conf" -r "$RULES" >"$T/scan.$f" 2>"$T/scan.err" </dev/null
	crash_check $? "umockdev-run -d $FIX/usb/pikvm.umockdev -- $FH --scan -f $f"
done
check "the JSON alerts' agent.version is $V" python3 -c '
import json, sys
v = {json.loads(l)["agent"]["version"] for l in open(sys.argv[1])}
assert v == {sys.argv[2]}, v' "$T/scan.json" "$V"
check "the CEF alerts' header version is $V" \
	sh -c "[ -s '$T/scan.cef' ] && ! grep -v '^CEF:0|farmhound|farmhound|$V|' '$T/scan.cef'"

# ---- what make fills in ----
make -s --no-print-directory -C "$top" BUILD="$B" versioned >"$T/make.log" 2>&1
check "make versioned builds the man pages, the changelog and the spec" test $? = 0
sed 's/^/# /' "$T/make.log"
for page in farmhound.8 farmhound.conf.5 farmhound.rules.5; do
	check "$page: .Os farmhound $V" grep -qx "\.Os farmhound $V" "$B/man/$page"
done
check "debian/changelog: the newest entry is $V" \
	sh -c "head -n 1 '$B/pkg/debian/changelog' | grep -q '^farmhound ($V) '"
check "the RPM spec: Version $V, and the newest %changelog entry $V-1" \
	sh -c "grep -qx 'Version: *$V' '$B/pkg/farmhound.spec' &&
		sed -n '/^%changelog/,\$p' '$B/pkg/farmhound.spec' | grep -m1 '^\* ' | grep -q ' - $V-1\$'"
check "no @VERSION@ is left in what make fills in" \
	sh -c "! grep -l '@VERSION@' '$B'/man/farmhound.8 '$B'/man/farmhound.conf.5 \
		'$B'/man/farmhound.rules.5 '$B'/pkg/debian/changelog '$B'/pkg/farmhound.spec"

# ---- written once ----
(cd "$top" && grep -rnwF -e "$V" --exclude-dir=.git --exclude-dir=tests \
	--exclude-dir='build*' --exclude='*.md' --exclude=VERSION --exclude=LICENSE . \
	2>/dev/null) >"$T/spelled"
check "no source but VERSION spells $V" test ! -s "$T/spelled"
sed 's/^/# /' "$T/spelled"

# ---- licence ----
if [ -r /usr/share/common-licenses/Apache-2.0 ]; then
	check "LICENSE is the Apache License 2.0 text" \
		cmp -s "$top/LICENSE" /usr/share/common-licenses/Apache-2.0
else
	check "LICENSE is the Apache License 2.0 text" \
		sh -c "grep -q 'Apache License' '$top/LICENSE' &&
			grep -q 'Version 2.0, January 2004' '$top/LICENSE'"
fi
check "debian/copyright: Files: * under Apache-2.0" \
	sh -c "sed -n '/^Files: \*\$/,/^\$/p' '$top/packaging/debian/copyright' | grep -qx 'License: Apache-2.0'"
check "the RPM spec: License Apache-2.0, and it ships LICENSE" \
	sh -c "grep -qx 'License: *Apache-2.0' '$top/packaging/rpm/farmhound.spec' &&
		grep -qx '%license LICENSE' '$top/packaging/rpm/farmhound.spec'"

# The SPDX line: within the first two lines, so a reader (and a licence
# scanner) sees it before anything else.  Build output and fixtures aside.
spdx_missing() {
	(cd "$top" && find . \( -name .git -o -name 'build*' -o -path ./tests/fixtures \) -prune -o \
		-type f \( -name '*.[ch]' -o -name '*.sh' -o -name '*.py' -o -name '*.pl' \
		-o -path ./Makefile -o -path ./.ci/run \) -print) |
	while read -r f; do
		head -n 2 "$top/$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' || echo "$f"
	done
}
missing=$(spdx_missing)
check "every source file opens with SPDX-License-Identifier: Apache-2.0 ($(echo "$missing" | grep -c .) without)" \
	test -z "$missing"
[ -z "$missing" ] || echo "$missing" | sed 's/^/# no SPDX line: /'
finish
