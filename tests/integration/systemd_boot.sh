#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# systemd_boot.sh - the package as deployed: `make deb`, installed and run
# by a real systemd (the machine's own, PID 1 of a container), with the
# shipped unit's sandbox, next to what it must see.  Every other suite runs
# the agent by hand; this one checks what the unit lets it do and what
# reaches the journal.
#
# In the container (a probe unit, probe.sh below, then power-off):
# - AnyDesk at its install path /usr/bin/anydesk (a copy of sleep(1): the
#   process collector reads comm, argv[0] and the exe link), run by nobody;
#   a TCP listener on 0.0.0.0:5900 run by daemon (python3); an input node
#   /dev/input/event0 (char 13:64, root:input 0660, no driver behind it:
#   this machine has no input devices);
# - `dpkg -i` of the package (its postinst creates the users and groups,
#   enables and starts farmhound.service), then until a deadline: the
#   alerts in the journal; `systemctl show` before and after `systemctl
#   reload`; `systemd-analyze security farmhound` (online: what systemd
#   applied); and whether a process with the service's credentials, in its
#   mount namespace and cgroup (nsenter + cgroup.procs + setpriv), can open
#   the input node: ENODEV/ENXIO (the sandbox let it through to a minor
#   with no device) versus ENOENT (hidden) or EPERM/EACCES (denied).
# Asserts: active/running, no restart, before and after a reload that
# succeeds; rmm-anydesk at error or above naming user nobody and argv0
# /usr/bin/anydesk, not claiming a wrong location; the 5900 listener alert
# naming its user; exposure <= 2.0; the input node reachable; no
# collector-failed for input when the input collector is built and enabled.
# Then the same boot with packaging/examples/ptrace.conf as a drop-in: the
# service still starts, rmm-anydesk carries the exe link, and the exposure
# is the one ptrace.conf quotes; its agent log lines are printed (the
# socket owners stay unknown: see ptrace.conf).  The alert lines are printed
# as `# journal:` diagnostics for the release notes.
#
# How the container is made, and why each option (systemd 252, Debian 12):
# - the root is an overlayfs (lower: the host's /, upper: a tmpfs) in a
#   mount namespace of this suite (unshare -m): the package is installed
#   inside without touching the host, and everything vanishes with the
#   namespace.  `--volatile=overlay -D /` is what the issue suggested, but
#   nspawn refuses a container on the host's root directory ("Spawning
#   container on root directory is not supported"), and --volatile=yes or
#   =state keep /usr or /var read-only or empty, where dpkg must write.
# - --private-network: the container never binds the host's ports (other
#   suites use fixed loopback ports beside this one).
# - --register=no --keep-unit: no machined and no transient scope; without
#   --keep-unit nspawn asks the host's systemd over D-Bus for a scope and
#   fails where systemd is not PID 1 ("Failed to open system bus").
# - --link-journal=no: the container shares the host's machine-id, and the
#   default (auto) would link the host's journal directory in.
# - SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1: the container gets cgroup v2, as a
#   Debian 12 laptop boots.  On a host with cgroup v1 (hybrid) nspawn
#   would give it v1 controllers mounted read-only, and systemd inside
#   could not enforce DevicePolicy=/DeviceAllow= at all: the device checks
#   below would pass for the wrong reason.  With v2 systemd attaches its
#   BPF device program to the service's cgroup.
# - --system-call-filter=bpf: nspawn's seccomp filter refuses bpf(2) by
#   default, and systemd inside then silently runs services without any
#   device cgroup (DevicePolicy=strict let a service open /dev/null); with
#   it, the service's BPF device program is loaded and the write-open
#   control below gets its EPERM.
# - the boot is bounded (timeout; nspawn is PID 1 of a pid namespace that
#   dies with unshare, so even a SIGKILL leaves no container process
#   behind) and the probe powers the container off however it ends
#   (SuccessAction=/FailureAction=).
# Skips: without root, without systemd-nspawn (package systemd-container,
# `make deps`), where a container cannot be started (the reason is
# printed), and under make test-asan: the package is built with
# dpkg-buildflags, never with the sanitizers, so that run would boot the
# same binary again.  About 40 s here: `make deb` 20-25 s, each boot
# with its probe 6-8 s.
. "$(dirname "$0")/lib.sh"

skip_all() { ok "# SKIP $*"; finish; exit $?; }
[ -z "${FH_SANITIZED:-}" ] ||
	skip_all "sanitizer run: the package is built without the sanitizers, make test boots it"
[ "$(id -u)" = 0 ] || skip_all "booting a container needs root"
command -v systemd-nspawn >/dev/null 2>&1 ||
	skip_all "no systemd-nspawn (package systemd-container; make deps)"
command -v unshare >/dev/null 2>&1 || skip_all "no unshare(1)"

T=$(mktemp -d /tmp/fh-boot.XXXXXX) || exit 2
chmod 0755 "$T"
MACHINE=$(basename "$T" | tr -c 'a-zA-Z0-9\n' -)
# nspawn leaves its propagation directory behind when it is killed.
trap 'rmdir "/run/systemd/nspawn/propagate/$MACHINE" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
trap 'exit 1' HUP INT PIPE TERM
BOOT_TIMEOUT=$((300 * FH_TIME_SCALE))
ALERT_DEADLINE=$((120 * FH_TIME_SCALE))

# ---- the probe: runs as root inside the container, writes to /out ----
mkdir -p "$T/probe"
echo "$ALERT_DEADLINE" >"$T/probe/deadline"
cat >"$T/probe/probe.service" <<'EOF'
[Unit]
Description=farmhound systemd_boot.sh probe
After=multi-user.target
SuccessAction=poweroff
FailureAction=poweroff
[Service]
Type=oneshot
TimeoutStartSec=infinity
ExecStart=/bin/sh /fhprobe/probe.sh
EOF
cat >"$T/probe/probe.sh" <<'EOF'
# probe.sh: D (seconds to wait for each alert) comes from deadline.
set -u
O=/out
exec >"$O/probe.log" 2>&1
D=$(cat /fhprobe/deadline)
# until SECONDS CMD...: poll CMD every 0.5 s up to SECONDS.
until_ok() {
	n=$(($1 * 2)); shift
	while ! "$@"; do
		n=$((n - 1)); [ "$n" -gt 0 ] || return 1
		sleep 0.5
	done
}
alerts() { journalctl -q --no-pager -o cat _TRANSPORT=syslog SYSLOG_IDENTIFIER=farmhound; }
has_alert() { alerts | grep -q "\"id\":\"$1\""; }
# wait_alert RULE: until RULE's alert is in the journal (0), or the
# deadline, or the service failed or restarted (1: no use waiting).
wait_alert() {
	until_ok "$D" alert_or_broken "$1" && has_alert "$1"
}
alert_or_broken() {
	has_alert "$1" && return 0
	case "$(systemctl show farmhound -p ActiveState,NRestarts | tr '\n' ' ')" in
	*ActiveState=failed*|*NRestarts=[1-9]*) return 0 ;;
	esac
	return 1
}
listening() { ss -Htln 'sport = :5900' | grep -q .; }
fhshow() {
	systemctl show farmhound -p ActiveState,SubState,NRestarts,StatusText,MainPID
}

# The input node, as udev would make it (group input once it exists).
mkdir -p /dev/input
mknod -m 0660 /dev/input/event0 c 13 64; echo "mknod $?"
# AnyDesk at its install path, run by another user; a VNC-port listener
# of a third one.
cp /bin/sleep /usr/bin/anydesk
systemd-run -q --unit=fh-anydesk --uid=nobody /usr/bin/anydesk 3600
systemd-run -q --unit=fh-vnc --uid=daemon /usr/bin/python3 -c '
import socket, time
s = socket.socket()
s.bind(("0.0.0.0", 5900))
s.listen()
time.sleep(3600)'
until_ok 30 listening; echo "listener $?"
if [ -d /fhprobe/dropin ]; then
	mkdir -p /etc/systemd/system/farmhound.service.d
	cp /fhprobe/dropin/*.conf /etc/systemd/system/farmhound.service.d/
fi
DEBIAN_FRONTEND=noninteractive dpkg -i /fhprobe/farmhound.deb >"$O/dpkg.log" 2>&1
echo $? >"$O/dpkg.rc"
getent group input >/dev/null && chgrp input /dev/input/event0
ls -ln /dev/input/event0
# Started by the postinst; start it if that did not (no-op otherwise).
systemctl start farmhound; echo "start $?"
wait_alert rmm-anydesk; echo "rmm-anydesk $?"
wait_alert listener-remote-desktop-port; echo "listener alert $?"
fhshow >"$O/show-before"

# The input nodes, opened with the service's credentials in its mount
# namespace and cgroup: event0 (there before the start) and event1 (made
# now: udev adds nodes while the agent runs) for reading, and event0 for
# writing, which the unit does not allow (the control: it must fail with
# EPERM, or the device cgroup is not enforced here at all).
mknod -m 0660 /dev/input/event1 c 13 65
getent group input >/dev/null && chgrp input /dev/input/event1
pid=$(systemctl show -p MainPID --value farmhound)
if [ "${pid:-0}" -gt 0 ]; then
	cg=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
	gid=$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")
	grp=$(awk '/^Groups:/ { $1 = ""; gsub(/^ +| +$/, ""); gsub(/ +/, ","); print }' \
		"/proc/$pid/status")
	echo "service: pid $pid uid $uid gid $gid groups '$grp' cgroup $cg"
	if [ -n "$grp" ]; then g="--groups=$grp"; else g=--clear-groups; fi
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$cg" \
		nsenter -t "$pid" -m -- setpriv --reuid="$uid" --regid="$gid" "$g" \
		--inh-caps=-all --bounding-set=-all \
		python3 -c '
import errno, os
for name, flags in (("event0", os.O_RDONLY), ("event1", os.O_RDONLY),
                    ("event0-write", os.O_RDWR)):
    try:
        os.close(os.open("/dev/input/" + name.split("-")[0], flags | os.O_NONBLOCK))
        r = "opened"
    except OSError as e:
        r = errno.errorcode.get(e.errno, str(e.errno))
    print(name, r)' >"$O/input-open" 2>&1
	cat "$O/input-open"
fi

systemctl reload farmhound; echo $? >"$O/reload.rc"
wait_alert farmhound-reload-ok; echo "reload-ok $?"
fhshow >"$O/show-after"
journalctl -q --no-pager -u farmhound -o short-iso >"$O/journal-unit"
alerts >"$O/alerts"
systemd-analyze security --no-pager farmhound >"$O/security" 2>&1
echo done >"$O/done"
EOF

boot_script() {
	cat <<EOF
set -e
o=\$1; shift
mount -t tmpfs -o mode=0755 tmpfs '$T/ov'
mkdir '$T/ov/up' '$T/ov/work'
mount -t overlay overlay -o lowerdir=/,upperdir='$T/ov/up',workdir='$T/ov/work' '$T/root'
exec env SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 systemd-nspawn -q -M '$MACHINE' \
	--system-call-filter=bpf \
	--register=no --keep-unit --link-journal=no --private-network \
	-D '$T/root' --bind="\$o:/out" --bind-ro='$T/probe:/fhprobe' \
	--bind-ro='$T/probe/probe.service:/etc/systemd/system/probe.service' \
	"\$@"
EOF
}
mkdir -p "$T/ov" "$T/root"
boot_script >"$T/boot.sh"
# nspawn OUTDIR ARGS...: a container on the overlay, OUTDIR at /out;
# status 124 when it had to be stopped.  nspawn runs as PID 1 of a pid
# namespace of its own, which dies with unshare (--kill-child): a SIGKILL
# to nspawn alone would leave the container's processes running.
nspawn() {
	_o=$1; shift
	mkdir -p "$_o"
	timeout -k 10 "$BOOT_TIMEOUT" unshare -m -p -f --kill-child --mount-proc \
		--propagation private sh "$T/boot.sh" "$_o" "$@"
}

# ---- can this machine start a container at all? ----
nspawn "$T/try" /bin/true >"$T/try.log" 2>&1 ||
	skip_all "systemd-nspawn cannot start a container here: $(grep -v 'remove disk file system' "$T/try.log" | grep . | tail -n 1)"

# ---- the package ----
P="$T/pkgbuild"
make -s --no-print-directory -C "$top" BUILD="$P" deb >"$T/deb.log" 2>&1
check "make deb builds" test $? = 0 || { sed 's/^/# /' "$T/deb.log" | tail -n 20; finish; exit 1; }
cp "$(ls "$P"/deb/farmhound_*.deb | head -n 1)" "$T/probe/farmhound.deb"
rm -rf "$T/x"; dpkg-deb -x "$T/probe/farmhound.deb" "$T/x"

# boot NAME: boot with the probe; its files land in $T/NAME.
boot() {
	nspawn "$T/$1" -b systemd.wants=probe.service \
		>"$T/$1.console" 2>&1
	_brc=$?
	check "$1: the container booted, ran the probe and powered off (status $_brc)" \
		test "$_brc" = 0 -a -f "$T/$1/done" ||
		{ tail -n 30 "$T/$1.console" | sed 's/^/# console: /'
		  sed 's/^/# probe: /' "$T/$1/probe.log" 2>/dev/null; }
}
# show NAME FILE KEY: a value of `systemctl show`.
show() { sed -n "s/^$3=//p" "$T/$1/$2" 2>/dev/null; }
# alert NAME RULE: the first alert of RULE in the journal of boot NAME.
alert() { grep -m 1 "\"id\":\"$2\"" "$T/$1/alerts" 2>/dev/null; }
# jget JSON KEY...: a member of an alert (e.g. message, or farmhound
# fields exe), empty when absent.
jget() {
	python3 -c 'import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2:]:
    v = v.get(k, "") if isinstance(v, dict) else ""
print(v)' "$@" 2>/dev/null
}
level() { jget "$1" log level; }
# says TEXT REGEX: TEXT matches the extended REGEX.
says() { echo "$1" | grep -Eq -- "$2"; }
at_least_error() { case "$1" in error|critical|alert|emergency) return 0 ;; esac; return 1; }
exposure_of() {
	sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\) .*/\1/p' "$T/$1/security"
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 <= b + 0) }'; }

# ---- the shipped unit ----
boot unit
check "dpkg -i of the package succeeds" test "$(cat "$T/unit/dpkg.rc" 2>/dev/null)" = 0 ||
	sed 's/^/# dpkg: /' "$T/unit/dpkg.log" 2>/dev/null
for when in before after; do
	f=show-$when
	check "$when reload: ActiveState=active SubState=running NRestarts=0 (got $(show unit $f ActiveState)/$(show unit $f SubState)/$(show unit $f NRestarts))" \
		test "$(show unit $f ActiveState)/$(show unit $f SubState)/$(show unit $f NRestarts)" = active/running/0
done
check "systemctl reload farmhound: status 0" test "$(cat "$T/unit/reload.rc" 2>/dev/null)" = 0
check "... and the agent said farmhound-reload-ok" test -n "$(alert unit farmhound-reload-ok)"
check "StatusText is the agent's (sd_notify STATUS=): '$(show unit show-after StatusText)'" \
	test -n "$(show unit show-after StatusText)"

a=$(alert unit rmm-anydesk)
check "rmm-anydesk reached the journal" test -n "$a"
check "... at error or above (got '$(level "$a")')" at_least_error "$(level "$a")"
m=$(jget "$a" message)
echo "# rmm-anydesk message: $m"
check "... its message names argv[0] /usr/bin/anydesk and user nobody" \
	sh -c 'echo "$1" | grep -q "argv\[0\] /usr/bin/anydesk" && echo "$1" | grep -q "user nobody"' sh "$m"
check "... says the exe path was not readable" says "$m" "exe path not readable"
check "... does not claim it runs outside its install location" \
	sh -c '! echo "$1" | grep -qi "outside its install location"' sh "$m"
check "no rmm-name-elsewhere for the installed AnyDesk" test -z "$(alert unit rmm-name-elsewhere)"
l=$(jget "$(alert unit listener-remote-desktop-port)" message)
echo "# listener message: $l"
check "the 0.0.0.0:5900 listener alert names its user (daemon)" says "$l" "0\.0\.0\.0:5900.*user daemon"
e=$(exposure_of unit)
check "systemd-analyze security farmhound (online): exposure $e <= 2.0" le "$e" 2.0
check "... the same figure as the unit's header quotes" \
	grep -q "rates it $e OK" "$T/x/lib/systemd/system/farmhound.service"
# opened NAME: how the probe's open of NAME ended, e.g. ENXIO.
opened() { sed -n "s/^$1 //p" "$T/unit/input-open" 2>/dev/null; }
# let_through RESULT: the open reached the (absent) driver: ENODEV/ENXIO.
# ENOENT: the node is hidden; EPERM: the device cgroup denied it; EACCES:
# the file mode (not in the input group).
let_through() { case "$1" in ENODEV|ENXIO|opened) return 0 ;; esac; return 1; }
for n in event0 event1; do
	r=$(opened $n)
	check "the service (its credentials, mount namespace and cgroup) can read /dev/input/$n$([ $n = event1 ] && echo ", made after the start"): reached the driver (got ${r:-nothing})" \
		let_through "$r"
done
r=$(opened event0-write)
check "... but not open it for writing: EPERM from the device cgroup (got ${r:-nothing})" \
	test "$r" = EPERM
# The live input collector, once the agent has it: its fields, a
# configuration that knows [collector.input], and the shipped one not
# turning it off.
printf '[collector.input]\nenabled = yes\n' >"$T/input.conf"
if "$T/x/usr/sbin/farmhound" --fields input >/dev/null 2>&1 &&
	"$T/x/usr/sbin/farmhound" -t -c "$T/input.conf" -r "$T/x/etc/farmhound/rules.d" \
		>/dev/null 2>&1 &&
	! awk '/^\[/ { s = $0 } s == "[collector.input]" && /^enabled *= *no/ { f = 1 }
		END { exit !f }' "$T/x/etc/farmhound/farmhound.conf"; then
	check "the input collector runs in the sandbox (journal: collectors running: ... input)" \
		grep -Eq 'farmhound\[[0-9]+\]: collectors running: .*\binput\b' "$T/unit/journal-unit"
	check "... no collector-failed for input" \
		sh -c "! grep '\"id\":\"farmhound-collector-failed\"' '$T/unit/alerts' | grep -q input"
	check "... and the agent logged no input error (permission, open)" \
		sh -c "! grep -Ei 'farmhound\[[0-9]+\]: input: .*(denied|not permitted|fail|cannot|error)' \
			'$T/unit/journal-unit'"
	grep -E 'farmhound\[[0-9]+\]: input: ' "$T/unit/journal-unit" | sed 's/^/# journal: /'
else
	ok "# SKIP no live input collector in this build ([collector.input] unknown or off): collector-failed not checked"
fi
grep -E '"id":"(rmm-[a-z-]*|listener-remote-desktop-port)"' "$T/unit/alerts" | sed 's/^/# journal: /'
grep -E ' farmhound\[[0-9]+\]: [a-z]+: ' "$T/unit/journal-unit" | grep -v '"id"' | sed 's/^/# journal: /'

# ---- the ptrace drop-in: what CAP_SYS_PTRACE adds ----
mkdir -p "$T/probe/dropin"
cp "$T/x/usr/share/doc/farmhound/examples/ptrace.conf" "$T/probe/dropin/"
boot ptrace
check "ptrace drop-in: active/running, NRestarts=0 after reload" \
	test "$(show ptrace show-after ActiveState)/$(show ptrace show-after SubState)/$(show ptrace show-after NRestarts)" = active/running/0
ep=$(exposure_of ptrace)
check "ptrace drop-in: systemd-analyze security (online) gives the figure ptrace.conf quotes ($e -> $ep)" \
	grep -q "goes from $e to $ep" "$T/x/usr/share/doc/farmhound/examples/ptrace.conf"
a=$(alert ptrace rmm-anydesk)
check "ptrace drop-in: rmm-anydesk at error or above (got '$(level "$a")')" at_least_error "$(level "$a")"
check "... and it read the exe link (fields exe /usr/bin/anydesk)" \
	test "$(jget "$a" farmhound fields exe)" = /usr/bin/anydesk
echo "# ptrace rmm-anydesk message: $(jget "$a" message)"
echo "$a" | sed 's/^/# ptrace journal: /'
grep -E ' farmhound\[[0-9]+\]: [a-z]+: ' "$T/ptrace/journal-unit" | grep -v '"id"' |
	sed 's/^/# ptrace journal: /'
finish
