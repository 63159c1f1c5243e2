#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# packaging.sh - the systemd unit, `make install`, the man pages, the agent
# under the unit's privileges, and the Debian and RPM packages.
#
# - unit: `systemd-analyze security --offline=true` exposure <= 2.0, and the
#   figures the unit and the ptrace drop-in quote are the measured ones;
#   the settings the issue names are there, and the input devices
#   (read-only, group input) are the only devices it adds; `systemd-analyze
#   verify` of the unit as `make install` writes it (binary and man pages
#   found) says nothing.
# - `make install DESTDIR=`: exactly the expected files with the expected
#   modes, run as an unprivileged user so that a write outside DESTDIR
#   fails; an admin's farmhound.conf survives a reinstall; PREFIX moves
#   ExecStart=.
# - man pages: no mandoc or groff warning; the generated field reference
#   lists every source and field of `farmhound --fields`; the generator
#   escapes roff and refuses input it does not understand.
# - privileges: --scan as an unprivileged user holding only the unit's
#   capabilities still inventories the USB bus (PiKVM fixture) and nothing
#   reports a permission error.
# - packages: `make deb` (then lintian: no E: or W:, contents, conffiles,
#   maintainer scripts) and `make rpm`.  They take about 15 s here; set
#   FH_SKIP_PACKAGES=1 to leave them out.
. "$(dirname "$0")/lib.sh"

UNIT="$top/packaging/farmhound.service"
DROPIN="$top/packaging/examples/ptrace.conf"
T=$(mktemp -d /tmp/fh-packaging.XXXXXX)
chmod 0755 "$T"
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
trap 'exit 1' HUP INT PIPE TERM

# exposure UNITFILE: the overall exposure systemd-analyze prints.
exposure() {
	systemd-analyze security --offline=true "$1" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\) .*/\1/p'
}
# le A B: A <= B as decimals.
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 <= b + 0) }'; }
# as_agent CMD...: run as an unprivileged user with only the unit's
# capabilities (AmbientCapabilities/CapabilityBoundingSet=CAP_NET_RAW,
# NoNewPrivileges=yes), as systemd would start the service.
as_agent() {
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
		--inh-caps=-all,+net_raw --ambient-caps=-all,+net_raw \
		--bounding-set=-all,+net_raw --no-new-privs "$@"
}
make_fh() { make -s --no-print-directory -C "$top" BUILD="$B" "$@"; }

# ---- the unit ----
e=$(exposure "$UNIT")
check "systemd-analyze security: exposure $e <= 2.0" le "$e" 2.0
check "the unit's header quotes the measured exposure ($e)" \
	grep -q "rates it $e OK" "$UNIT"
# Drop-ins add to AmbientCapabilities= and CapabilityBoundingSet=, so the
# unit followed by the drop-in is the effective configuration.
cat "$UNIT" "$DROPIN" >"$T/farmhound.service"
ep=$(exposure "$T/farmhound.service")
check "the ptrace drop-in quotes the measured exposures ($e -> $ep)" \
	grep -q "goes from $e to $ep" "$DROPIN"
has() { grep -qx "$1" "$UNIT"; }
for line in Type=notify Restart=on-failure 'ExecStartPre=/usr/sbin/farmhound -t' \
	User=farmhound NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
	PrivateTmp=yes PrivateDevices=yes ProtectKernelTunables=yes \
	ProtectKernelModules=yes ProtectKernelLogs=yes ProtectControlGroups=yes \
	ProtectClock=yes ProtectHostname=yes RestrictNamespaces=yes \
	LockPersonality=yes MemoryDenyWriteExecute=yes \
	SystemCallFilter=@system-service SystemCallArchitectures=native \
	UMask=0077 StateDirectory=farmhound ConfigurationDirectory=farmhound \
	AmbientCapabilities=CAP_NET_RAW CapabilityBoundingSet=CAP_NET_RAW \
	'RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_PACKET AF_INET AF_INET6'; do
	check "unit sets $line" has "$line"
done
check "unit sets a watchdog" grep -q '^WatchdogSec=[1-9]' "$UNIT"
# Devices: the private /dev plus the input devices, read-only, and nothing
# else (systemd_boot.sh proves under a real systemd that each of the three
# input lines is needed).
for line in BindReadOnlyPaths=-/dev/input 'DeviceAllow=char-input r' \
	SupplementaryGroups=input DevicePolicy=closed; do
	check "unit sets $line" has "$line"
done
check "the input devices are the only devices the unit adds" \
	test "$(grep -Ec '^(DeviceAllow|BindPaths|BindReadOnlyPaths|SupplementaryGroups)=' "$UNIT")" = 3
check "the sysusers file creates the input group SupplementaryGroups= needs" \
	grep -qx 'g input -' "$top/packaging/farmhound.sysusers"
check "reload checks the files first, then sends SIGHUP" \
	sh -c "test \"\$(grep '^ExecReload=' '$UNIT')\" = \
'ExecReload=/usr/sbin/farmhound -t
ExecReload=/bin/kill -HUP \$MAINPID'"
check "ProtectProc= and ProcSubset= stay at their defaults" \
	sh -c "! grep -Eq '^(ProtectProc|ProcSubset)=' '$UNIT'"

# systemd-analyze verify needs the binary and the man pages the unit names:
# install into a prefix inside $T (ExecStart= follows SBINDIR).
make_fh install PREFIX="$T/p/usr" SYSCONFDIR="$T/p/etc" >"$T/install-p.log" 2>&1
out=$(MANPATH="$T/p/usr/share/man" systemd-analyze verify \
	"$T/p/usr/lib/systemd/system/farmhound.service" 2>&1); rc=$?
check "systemd-analyze verify of the installed unit: silent, status 0" \
	test "$rc" = 0 -a -z "$out"
[ -z "$out" ] || printf '# %s\n' "$out"

# ---- make install DESTDIR= ----
expected() {
	cat <<EOF
./etc/farmhound/farmhound.conf 644
./usr/lib/systemd/system/farmhound.service 644
./usr/lib/sysusers.d/farmhound.conf 644
./usr/sbin/farmhound 755
./usr/share/doc/farmhound/examples/60-farmhound.conf 644
./usr/share/doc/farmhound/examples/farmhound.conf 644
./usr/share/doc/farmhound/examples/ptrace.conf 644
./usr/share/man/man5/farmhound.conf.5 644
./usr/share/man/man5/farmhound.rules.5 644
./usr/share/man/man8/farmhound.8 644
EOF
	for r in "$RULES"/*.rules; do
		echo "./etc/farmhound/rules.d/$(basename "$r") 644"
	done
}
make_fh all man
D="$T/dest"
mkdir "$D"
# As nobody, when nobody can read the tree: then any write outside DESTDIR
# (and the world-writable /tmp) is refused and fails the install.
if as_agent test -r "$top/Makefile" -a -x "$B"; then
	chown $NOBODY "$D"
	as_agent make -s --no-print-directory -C "$top" BUILD="$B" install \
		DESTDIR="$D" PREFIX=/usr >"$T/install.log" 2>&1
	check "make install DESTDIR= PREFIX=/usr succeeds as an unprivileged user" test $? = 0
else
	make_fh install DESTDIR="$D" PREFIX=/usr >"$T/install.log" 2>&1
	check "make install DESTDIR= PREFIX=/usr succeeds" test $? = 0
	ok "# SKIP install as nobody: the tree is not readable by uid $NOBODY"
fi
(cd "$D" && find . -type f -exec stat -c '%n %a' {} + | sort) >"$T/got"
expected | sort >"$T/want"
check "make install installs exactly the expected files, with their modes" \
	cmp -s "$T/want" "$T/got"
cmp -s "$T/want" "$T/got" || diff "$T/want" "$T/got" | sed 's/^/# /'
check "no other kind of file (links, devices) is installed" \
	test -z "$(cd "$D" && find . ! -type f ! -type d)"
check "the installed unit runs /usr/sbin/farmhound" \
	grep -qx 'ExecStart=/usr/sbin/farmhound' "$D/usr/lib/systemd/system/farmhound.service"
echo "; changed by the admin" >>"$D/etc/farmhound/farmhound.conf"
make_fh install DESTDIR="$D" PREFIX=/usr >>"$T/install.log" 2>&1
check "a reinstall keeps the admin's farmhound.conf" \
	grep -q 'changed by the admin' "$D/etc/farmhound/farmhound.conf"
make_fh install DESTDIR="$T/dest-local" >>"$T/install.log" 2>&1
check "default PREFIX /usr/local: the unit runs /usr/local/sbin/farmhound" \
	grep -qx 'ExecStart=/usr/local/sbin/farmhound' \
	"$T/dest-local/usr/local/lib/systemd/system/farmhound.service"

# ---- man pages ----
for page in "$D"/usr/share/man/man*/*; do
	name=$(basename "$page")
	check "$name: mandoc -T lint -W warning says nothing" \
		test -z "$(mandoc -T lint -W warning "$page" 2>&1)"
	check "$name: man --warnings -l says nothing" \
		test -z "$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)"
done
RULES5="$D/usr/share/man/man5/farmhound.rules.5"
"$FH" --fields >"$T/fields"
# Every field of every source, with its type, under its source's heading.
awk '
	FNR == NR {
		if ($0 ~ /^[a-z_]+:$/) { src = substr($0, 1, length($0) - 1); want[src] = 1 }
		else if ($0 ~ /^  /) { want[src "/" $1 " " $2] = 1 }
		next
	}
	/^\.Ss / { src = $2; if (src in want) seen[src] = 1 }
	/^\.It Cm / { if ((src "/" $3 " " $6) in want) seen[src "/" $3 " " $6] = 1 }
	END {
		for (k in want) if (!(k in seen)) { print "# missing: " k; bad = 1 }
		exit bad
	}' "$T/fields" "$RULES5" >"$T/missing"
check "farmhound.rules(5) lists every source and field of --fields" test $? = 0
cat "$T/missing"
check "... $(grep -c '^[a-z]' "$T/fields") sources, $(grep -c '^  ' "$T/fields") fields" \
	test "$(grep -c '^\.It Cm ' "$RULES5")" -ge "$(grep -c '^  ' "$T/fields")"
printf 'evil:\n  x                        string  .so /etc/passwd \\fBbold\n' >"$T/evil"
check "fields2man escapes a description that looks like a request" \
	sh -c "sh '$top/packaging/man/fields2man.sh' '$top/packaging/man/farmhound.rules.5.in' \
		'$T/evil' | grep -qx '\\\\&\\.so /etc/passwd \\\\efBbold'"
printf 'usb:\n  action string ok\nstray line\n' >"$T/bad"
check "fields2man refuses input that is not --fields output" \
	sh -c "! sh '$top/packaging/man/fields2man.sh' \
		'$top/packaging/man/farmhound.rules.5.in' '$T/bad' >/dev/null 2>&1"

# ---- the agent under the unit's privileges ----
# From a clone nobody can reach (under a 0700 directory), a staged copy of
# the binary and fixtures stands in for this section only.
fh_root=$FH rules_root=$RULES fix_root=$FIX
if as_agent test -r "$FIX/usb/pikvm.umockdev" -a -x "$FH" || stage_for_others "$T/u"; then
	as_agent umockdev-run -d "$FIX/usb/pikvm.umockdev" -- \
		"$FH" --scan -r "$RULES" >"$T/scan.out" 2>"$T/scan.err"
	rc=$?
	check "--scan as uid $NOBODY with only CAP_NET_RAW: alerts, exit 1 (got $rc)" \
		test "$rc" = 1
	check "... the USB collector still sees the PiKVM" \
		grep -q '"rule":{"id":"ip-kvm-pikvm"' "$T/scan.out"
	check "... no collector reports a permission error" \
		sh -c "! grep -Eiq 'permission denied|operation not permitted' '$T/scan.err'"
	sed 's/^/# /' "$T/scan.err"
fi
FH=$fh_root RULES=$rules_root FIX=$fix_root

# ---- packages ----
if [ -n "${FH_SKIP_PACKAGES:-}" ]; then
	ok "# SKIP packages: FH_SKIP_PACKAGES is set"
	finish; exit $?
fi
P="$T/pkgbuild"
make -C "$top" BUILD="$P" deb >"$T/deb.log" 2>&1
check "make deb builds" test $? = 0
deb=$(ls "$P"/deb/farmhound_*.deb 2>/dev/null | head -n 1)
if [ -n "$deb" ]; then
	lintian "$deb" >"$T/lintian.out" 2>&1
	check "lintian: no E: and no W: lines" sh -c "! grep -E '^[EW]: ' '$T/lintian.out'"
	sed 's/^/# /' "$T/lintian.out"
	dpkg-deb -c "$deb" | awk '{ print $NF }' >"$T/deb.files"
	for f in ./usr/sbin/farmhound ./lib/systemd/system/farmhound.service \
		./usr/lib/sysusers.d/farmhound.conf ./etc/farmhound/farmhound.conf \
		./usr/share/man/man8/farmhound.8.gz ./usr/share/man/man5/farmhound.conf.5.gz \
		./usr/share/man/man5/farmhound.rules.5.gz \
		./usr/share/doc/farmhound/examples/ptrace.conf; do
		check "the .deb ships $f" grep -qx "$f" "$T/deb.files"
	done
	rm -rf "$T/ctl"; dpkg-deb -e "$deb" "$T/ctl"
	check "the config and every shipped rule file are conffiles" sh -c "
		grep -qx /etc/farmhound/farmhound.conf '$T/ctl/conffiles' &&
		for r in '$RULES'/*.rules; do
			grep -qx \"/etc/farmhound/rules.d/\$(basename \"\$r\")\" '$T/ctl/conffiles' || exit 1
		done"
	check "postinst creates the user before it enables and starts the unit" \
		awk '/systemd-sysusers .*farmhound.conf/ { u = NR }
		     /deb-systemd-helper enable/ { e = NR }
		     /deb-systemd-invoke \$_dh_action/ { s = NR }
		     END { exit !(u && e && s && u < e && e < s) }' "$T/ctl/postinst"
	check "postinst starts the unit only when systemd runs" \
		grep -q 'if \[ -d /run/systemd/system \]; then' "$T/ctl/postinst"
	check "postrm purge removes /var/lib/farmhound" \
		sh -c "grep -A2 '\"purge\"' '$T/ctl/postrm' | grep -q 'rm -rf /var/lib/farmhound'"
	rm -rf "$T/x"; dpkg-deb -x "$deb" "$T/x"
	check "the packaged sysusers file (which postinst applies) creates the input group" \
		grep -qx 'g input -' "$T/x/usr/lib/sysusers.d/farmhound.conf"
	check "the packaged binary is built with the hardening flags (BIND_NOW, fortify)" \
		sh -c "readelf -d '$T/x/usr/sbin/farmhound' | grep -q BIND_NOW &&
			nm -D '$T/x/usr/sbin/farmhound' | grep -q ' U __[a-z]*_chk@'"
fi
if command -v rpmbuild >/dev/null 2>&1; then
	make -C "$top" BUILD="$P" rpm >"$T/rpm.log" 2>&1
	check "make rpm builds" test $? = 0
	rpmf=$(ls "$P"/rpm/RPMS/*/farmhound-*.rpm 2>/dev/null | head -n 1)
	check "the .rpm ships the binary, the unit, the config as %config" sh -c "
		rpm -qlp '$rpmf' | grep -qx /usr/sbin/farmhound &&
		rpm -qlp '$rpmf' | grep -qx /usr/lib/systemd/system/farmhound.service &&
		rpm -qcp '$rpmf' | grep -qx /etc/farmhound/farmhound.conf"
	check "the .rpm has the systemd scriptlets" sh -c "
		rpm -qp --scripts '$rpmf' | grep -q 'preset farmhound.service' &&
		rpm -qp --scripts '$rpmf' | grep -q 'try-restart farmhound.service'"
else
	ok "# SKIP make rpm: no rpmbuild"
fi
finish
