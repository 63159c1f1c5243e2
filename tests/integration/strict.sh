#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# strict.sh - StrictModes (agent/strict.c) as the agent applies it: when it
# runs privileged, -t and the daemon refuse config and rule files (and the
# directories holding them) that are not root's or that group or others
# may write, naming the file and the fix; --scan and unprivileged runs are
# not judged.  Needs root (it is the privileged case).
. "$(dirname "$0")/lib.sh"

T=$(mktemp -d /tmp/fh-strict.XXXXXX)
trap 'rm -rf "$T"' EXIT

if [ "$(id -u)" -ne 0 ]; then
	ok "# SKIP StrictModes applies to privileged runs: needs root"
	finish
	exit $?
fi

chmod 0755 "$T"	# the unprivileged run below must read it
mkdir "$T/rules"
cp "$RULES"/*.rules "$T/rules/"
printf '[output]\nsyslog_socket = %s/none.sock\n' "$T" >"$T/farmhound.conf"

check "root-owned 0644 files: -t says configuration OK" \
	sh -c "'$FH' -t -c '$T/farmhound.conf' -r '$T/rules' | grep -qx 'configuration OK'"

chmod g+w "$T/rules/10-ip-kvm.rules"
"$FH" -t -c "$T/farmhound.conf" -r "$T/rules" >"$T/t.out" 2>"$T/t.err"; rc=$?
check "a group-writable rule file: -t exits 1" test "$rc" -eq 1
check "... naming the file and the fix" \
	grep -q "^$T/rules/10-ip-kvm.rules: refused (StrictModes): writable by its group (mode 0664); run chmod g-w" "$T/t.err"
check "... and no 'configuration OK'" test ! -s "$T/t.out"
"$FH" -c "$T/farmhound.conf" -r "$T/rules" >"$T/d.out" 2>"$T/d.err" &
pid=$!
# It must exit by itself: still running after the (scaled) deadline counts
# as started (rc=0), however slow the machine.
if wait_gone $pid; then wait $pid; rc=$?; else kill $pid; wait $pid; rc=0; fi
check "the daemon refuses to start on it (exit $rc)" test "$rc" -ne 0
check "... and says why" grep -q "refused (StrictModes)" "$T/d.err"
"$FH" --scan -c "$T/farmhound.conf" -r "$T/rules" >/dev/null 2>"$T/s.err"; rc=$?
check "--scan, an admin's one-off run, is not judged (exit $rc)" test "$rc" -ne 2
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
	"$FH" -t -c "$T/farmhound.conf" -r "$T/rules" >"$T/u.out" 2>&1
check "an unprivileged -t is not judged" grep -qx 'configuration OK' "$T/u.out"
chmod g-w "$T/rules/10-ip-kvm.rules"

chmod o+w "$T/farmhound.conf"
"$FH" -t -c "$T/farmhound.conf" -r "$T/rules" >/dev/null 2>"$T/c.err"; rc=$?
check "a world-writable farmhound.conf is refused" \
	sh -c "[ $rc -eq 1 ] && grep -q '^$T/farmhound.conf: refused (StrictModes): writable by others' '$T/c.err'"
chmod o-w "$T/farmhound.conf"

chmod 0777 "$T/rules"
"$FH" -t -c "$T/farmhound.conf" -r "$T/rules" >/dev/null 2>"$T/r.err"; rc=$?
check "a world-writable rules directory is refused (anyone could add a file)" \
	sh -c "[ $rc -eq 1 ] && grep -q '^$T/rules: refused (StrictModes): writable by others' '$T/r.err'"
chmod 0755 "$T/rules"

chown 65534 "$T/rules/20-usb-structure.rules"
"$FH" -t -c "$T/farmhound.conf" -r "$T/rules" >/dev/null 2>"$T/o.err"; rc=$?
check "a rule file owned by another user is refused" \
	sh -c "[ $rc -eq 1 ] && grep -q '^$T/rules/20-usb-structure.rules: refused (StrictModes)' '$T/o.err'"
chown 0 "$T/rules/20-usb-structure.rules"
check "fixed again: configuration OK" \
	sh -c "'$FH' -t -c '$T/farmhound.conf' -r '$T/rules' | grep -qx 'configuration OK'"
finish
