#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# privilege.sh - the agent inside the systemd unit's privileges: an
# unprivileged user with only CAP_NET_RAW (ambient, bounding set reduced,
# no-new-privs), as packaging/farmhound.service starts it.  Every collector
# must still produce events there (the heartbeat counts events per source),
# and without CAP_NET_RAW the daemon must refuse to start, saying what to
# grant.  The USB and display collectors see a PiKVM through umockdev; the
# net collector captures on lo while a VNC banner crosses it.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	ok "# SKIP dropping privileges needs root and setpriv"
	finish
	exit $?
fi
T=$(mktemp -d /tmp/fh-priv.XXXXXX)
rp="" fp="" sp="" lp=""
cleanup() {
	[ -n "$fp" ] && pkill -TERM -P "$fp" 2>/dev/null
	for p in $sp $lp $fp $rp; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT
trap 'exit 1' HUP INT PIPE TERM
# The binary, rules and fixtures where uid $NOBODY can reach them.
stage_for_others "$T" || { finish; exit 1; }

# as_unit CMD...: the unit's user and capabilities.
as_unit() {
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
		--inh-caps=-all,+net_raw --ambient-caps=-all,+net_raw \
		--bounding-set=-all,+net_raw --no-new-privs "$@"
}

mkdir "$T/rules"
cp "$RULES"/*.rules "$T/rules/"
cat >"$T/farmhound.conf" <<EOC
[agent]
heartbeat_interval = 2s
[output]
syslog_socket = $T/log.sock
[collector.net]
interfaces = lo
[collector.process]
rescan_interval = 1s
[collector.socket]
rescan_interval = 1s
EOC
chmod 0644 "$T/farmhound.conf" "$T/rules"/*.rules
dgram_receiver "$T/log.sock" "$T/out.log" 0666
rp=$recv_pid

# A listener of this test's own for the socket collector to report, open
# from before the daemon starts until the checks are done: the machine may
# have no other socket at all (a fresh network namespace has none), and the
# VNC exchange below is over before a socket walk may see it.
socat TCP-LISTEN:5901,bind=127.0.0.1,reuseaddr,fork /dev/null 2>/dev/null &
lp=$!
wait_until 5 sh -c "ss -ltn | grep -q '127.0.0.1:5901 '"

# umockdev-run inside the drop, so its testbed belongs to that user.
as_unit umockdev-run -d "$FIX/usb/pikvm.umockdev" -d "$FIX/display/pikvm-v4plus.umockdev" -- \
	"$FH" -c "$T/farmhound.conf" -r "$T/rules" 2>"$T/fh.err" &
fp=$!
check "the daemon starts as uid $NOBODY with only CAP_NET_RAW" \
	wait_for "$T/out.log" '"id":"farmhound-started"' 10
# The started notice precedes the collectors' start; the first heartbeat
# follows it, so the capture on lo is open by then.
check "a heartbeat arrives" wait_for "$T/out.log" "$HB" 10
printf 'RFB 003.008\n' >"$T/rfb.bin"
# A VNC session is reported once its security handshake succeeded (RFC
# 6143 7.1.2-7.2.1): the client answers with its version, chooses security
# None and sends ClientInit; the server offers None and, once the client is
# done, SecurityResult OK.  Each side reads the other's bytes: no sleep
# standing in for "the bytes arrived".
printf 'RFB 003.008\n\001\001' >"$T/rfb-cli.bin"
printf '\001\001' >"$T/rfb-types.bin"
printf '\000\000\000\000' >"$T/rfb-ok.bin"
socat -t 30 TCP-LISTEN:5999,bind=127.0.0.1,reuseaddr \
	SYSTEM:"cat '$T/rfb.bin'; head -c 12 >/dev/null; cat '$T/rfb-types.bin'; cat >/dev/null; cat '$T/rfb-ok.bin'" \
	2>/dev/null &
sp=$!
wait_until 5 sh -c "ss -ltn | grep -q '127.0.0.1:5999 '"
timeout $((30 * FH_TIME_SCALE)) socat -t 30 - TCP:127.0.0.1:5999 <"$T/rfb-cli.bin" >/dev/null 2>&1
wait "$sp" 2>/dev/null; sp=""
# hb_events SRC: the newest heartbeat counts events from SRC.  Polled, not
# slept on: each collector reports on its own schedule (the host collector
# at start, the net one once the handshake is captured).
hb_events() {
	last_heartbeat "$T/out.log" | python3 -c '
import json, sys
line = sys.stdin.read()
a = json.loads(line[line.index("{"):])
ev = dict(e.split("=") for e in a["farmhound"]["fields"]["events"])
sys.exit(0 if int(ev.get(sys.argv[1], 0)) > 0 else 1)' "$1" 2>/dev/null
}
for src in usb display process socket host net; do
	check "the $src collector produced events inside the sandboxed privileges" \
		wait_until 20 hb_events "$src"
done
check "no collector failed" sh -c "! grep -q 'farmhound-collector-failed' '$T/out.log'"
kill "$lp" 2>/dev/null; wait "$lp" 2>/dev/null; lp=""
check "the PiKVM gadget alert arrived" wait_for "$T/out.log" '"id":"ip-kvm-pikvm"'
check "the PiKVM EDID alert arrived" wait_for "$T/out.log" '"id":"display-kvm-pikvm"'
check "the VNC handshake on lo was seen by the capture" \
	wait_for "$T/out.log" '"id":"net-inbound-remote-desktop-session".*"kind":"vnc"'
# umockdev-run waits for its child: stop the agent itself.
pkill -TERM -P "$fp" 2>/dev/null; kill "$fp" 2>/dev/null; wait "$fp" 2>/dev/null; fp=""

# Without CAP_NET_RAW the enabled net collector cannot capture: refuse.
timeout 10 setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups --inh-caps=-all \
	--bounding-set=-all --no-new-privs \
	"$FH" -c "$T/farmhound.conf" -r "$T/rules" >/dev/null 2>"$T/nocap.err"
rc=$?
check "without CAP_NET_RAW the daemon refuses to start (exit $rc)" test "$rc" -eq 1
check "... saying which privilege and which collector" \
	grep -q 'cannot start: the net collector lacks a privilege it needs.*CAP_NET_RAW.*\[collector.net\] enabled = no' "$T/nocap.err"
check "... after pcap's own reason" grep -q 'net: cannot capture on lo: .*(needs CAP_NET_RAW)' "$T/nocap.err"
printf '[collector.net]\nenabled = no\n[output]\nsyslog_socket = %s/log.sock\n' "$T" >"$T/nonet.conf"
chmod 0644 "$T/nonet.conf"
timeout 3 setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups --inh-caps=-all \
	--bounding-set=-all --no-new-privs "$FH" -c "$T/nonet.conf" -r "$T/rules" >/dev/null 2>&1
rc=$?
check "with the net collector disabled it runs without any capability (timeout, exit $rc)" \
	test "$rc" -eq 124
finish
