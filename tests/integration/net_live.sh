#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# net_live.sh - the daemon capturing live on the loopback interface.
#
# A real rsyslogd with a private socket is the sink (as in daemon.sh);
# farmhound runs with [collector.net] interfaces = lo and only the net
# collector enabled.  socat plays both ends of an RDP handshake on
# 127.0.0.1:3389 (the client's X.224 Connection Request, the server's
# Connection Confirm, bytes per MS-RDPBCGR 2.2.1.1/2.2.1.2) and of a VNC
# one on 5999 (RFC 6143 7.1.1-7.2.1: the server's "RFB 003.008\n" banner,
# the client's reply, security type None offered and chosen, SecurityResult
# OK: a VNC session is only reported once its security handshake
# succeeded).  The inbound-session alert must reach rsyslog (how long
# it took is printed as a # diagnostic: latency is the bench's business,
# tests/bench, not a pass/fail here).  Each server answers the client's
# bytes rather than sleeping, so no step depends on the machine's speed.
# Without CAP_NET_RAW the collector must fail with pcap's reason.
#
# Ports: 3389 and 5999 only (other suites use 5900, 5938, 21116).
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "# live capture needs root (CAP_NET_RAW); skipped"
	ok "skipped: not root"
	finish
	exit $?
fi
T=$(mktemp -d /tmp/fh-netlive.XXXXXX)
rsyslog_pid="" fh_pid="" srv_pid="" nocap_pid=""

cleanup() {
	for p in $srv_pid $fh_pid $nocap_pid; do kill "$p" 2>/dev/null; done
	[ -f "$T/rsyslog.pid" ] && kill "$(cat "$T/rsyslog.pid")" 2>/dev/null
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

now_ms() { date +%s%3N; }
# listening PORT: something listens on 127.0.0.1:PORT (TCP).
listening() { ss -ltn 2>/dev/null | grep -q "127.0.0.1:$1 "; }

# ---- rsyslogd ----
mkdir -p "$T/rsyslog-work"
cat >"$T/rsyslog.conf" <<EOC
global(workDirectory="$T/rsyslog-work")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$T/log.sock" CreatePath="on" UseSpecialParser="off")
template(name="fh" type="string" string="%app-name% %msg%\n")
*.* action(type="omfile" file="$T/out.log" template="fh")
EOC
rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslog.pid" 2>"$T/rsyslog.err" &
check "rsyslogd listens on its private socket" wait_socket "$T/log.sock"

# ---- the handshake bytes ----
python3 - "$T" <<'EOP'
import sys
t = sys.argv[1]
cookie = b"Cookie: mstshash=live\r\n"
x224 = bytes([0xe0, 0, 0, 0, 0, 0]) + cookie + bytes([1, 0, 8, 0, 3, 0, 0, 0])
cr = bytes([3, 0]) + (4 + 1 + len(x224)).to_bytes(2, "big") + bytes([len(x224)]) + x224
cc = bytes([3, 0, 0, 0x13, 0x0e, 0xd0, 0, 0, 0x12, 0x34, 0, 2, 0x1f, 8, 0, 1, 0, 0, 0])
open(t + "/cr.bin", "wb").write(cr)
open(t + "/cc.bin", "wb").write(cc)
open(t + "/rfb.bin", "wb").write(b"RFB 003.008\n")
# the client: its version, security type None (1), ClientInit shared (1)
open(t + "/rfb-cli.bin", "wb").write(b"RFB 003.008\n\x01\x01")
# the server: one security type, None; SecurityResult OK
open(t + "/rfb-types.bin", "wb").write(b"\x01\x01")
open(t + "/rfb-ok.bin", "wb").write(b"\x00\x00\x00\x00")
EOP

# ---- farmhound ----
mkdir "$T/rules"
cp "$RULES"/*.rules "$T/rules/"
cat >"$T/farmhound.conf" <<EOC
[agent]
hostname = fh-live
heartbeat_interval = 1s
[output]
format = json
syslog_socket = $T/log.sock
[collector.net]
interfaces = lo
$(collectors_only net)
EOC
"$FH" -c "$T/farmhound.conf" -r "$T/rules" >"$T/fh.out" 2>"$T/fh.err" &
fh_pid=$!
check "farmhound-started reaches rsyslog" wait_for "$T/out.log" '"id":"farmhound-started"'
# farmhound-started goes out before the collectors start: the first
# heartbeat comes after, and says whether the capture is on.  Traffic sent
# before it could go unseen.
net_capturing() {
	last_heartbeat "$T/out.log" | grep -q '"collectors_active":\[[^]]*"net"' &&
		! grep -q 'net: .*failed' "$T/fh.err" && kill -0 "$fh_pid"
}
check "a heartbeat follows the collectors' start" wait_for "$T/out.log" "$HB"
check "the net collector is capturing (active, no failure)" net_capturing

# ---- RDP: Connection Request and Confirm over 127.0.0.1:3389 ----
# The server reads the whole Connection Request, then sends the Confirm and
# closes (the order of MS-RDPBCGR); the client sends the Request and reads
# until the server closes (-t only bounds a server that never does).
crlen=$(wc -c <"$T/cr.bin")
socat TCP-LISTEN:3389,bind=127.0.0.1,reuseaddr \
	SYSTEM:"head -c $crlen >/dev/null; cat '$T/cc.bin'" 2>"$T/socat-srv.err" &
srv_pid=$!
check "socat listens on 127.0.0.1:3389" wait_until 10 listening 3389
t0=$(now_ms)
socat -t 30 - TCP:127.0.0.1:3389 <"$T/cr.bin" >"$T/rdp-reply.bin" 2>"$T/socat-cli.err" &
cli_pid=$!
check "RDP session alert reaches rsyslog" \
	wait_for "$T/out.log" '"id":"net-inbound-remote-desktop-session".*"kind":"rdp"'
echo "# RDP alert $(($(now_ms) - t0)) ms after the handshake began (noted, not judged)"
check "the alert carries the cookie and the loopback peer" \
	grep -q '"dst_port":3389.*"rdp_cookie":"mstshash=live"' "$T/out.log"
wait_gone "$cli_pid"
wait "$cli_pid"
check "socat's RDP server answered with the Connection Confirm" cmp -s "$T/rdp-reply.bin" "$T/cc.bin"
wait "$srv_pid" 2>/dev/null; srv_pid=""

# ---- VNC: banners, security None, SecurityResult OK on 5999 ----
# The server sends its banner, reads the client's reply, offers one
# security type (None), reads to the client's end, sends SecurityResult 0
# (-t 30: the client's end of input must not cut the server's reply short).
socat -t 30 TCP-LISTEN:5999,bind=127.0.0.1,reuseaddr \
	SYSTEM:"cat '$T/rfb.bin'; head -c 12 >/dev/null; cat '$T/rfb-types.bin'; cat >/dev/null; cat '$T/rfb-ok.bin'" \
	2>"$T/socat-srv2.err" &
srv_pid=$!
check "socat listens on 127.0.0.1:5999" wait_until 10 listening 5999
t0=$(now_ms)
socat -t 30 - TCP:127.0.0.1:5999 <"$T/rfb-cli.bin" >"$T/vnc-reply.bin" 2>>"$T/socat-cli.err" &
cli_pid=$!
check "VNC session alert reaches rsyslog" \
	wait_for "$T/out.log" '"id":"net-inbound-remote-desktop-session".*"kind":"vnc"'
echo "# VNC alert $(($(now_ms) - t0)) ms after the handshake began (noted, not judged)"
check "the VNC alert names the version" grep -q '"vnc_version":"003.008"' "$T/out.log"
wait_gone "$cli_pid"
wait "$cli_pid"
wait "$srv_pid" 2>/dev/null; srv_pid=""

stop_daemon "$fh_pid"
check "farmhound stops on SIGTERM (status $rc)" test "$rc" != timeout
fh_pid=""

# ---- without CAP_NET_RAW ----
if command -v setpriv >/dev/null 2>&1; then
	cat >"$T/nocap.conf" <<EOC
[output]
syslog_socket = $T/nobody.sock
[collector.net]
interfaces = lo
$(collectors_only net)
EOC
	chmod 755 "$T"
	chmod 644 "$T/nocap.conf" "$T"/rules/*.rules
	chmod 755 "$T/rules"
	# Until the reason is logged (the daemon may go on without the
	# collector), then stopped: not a fixed 3 s to start and fail in.
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$FH" -c "$T/nocap.conf" -r "$T/rules" >/dev/null 2>"$T/nocap.err" &
	nocap_pid=$!
	check "without CAP_NET_RAW: init fails with pcap's reason" \
		wait_for "$T/nocap.err" 'net: cannot capture on lo: .*(permission|Operation not permitted).*CAP_NET_RAW'
	stop_daemon "$nocap_pid"; nocap_pid=""
else
	ok "skipped: no setpriv"
fi
finish
