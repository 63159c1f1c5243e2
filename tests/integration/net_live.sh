#!/bin/sh
# net_live.sh - the daemon capturing live on the loopback interface.
#
# A real rsyslogd with a private socket is the sink (as in daemon.sh);
# farmhound runs with [collector.net] interfaces = lo and only the net
# collector enabled.  socat plays both ends of an RDP handshake on
# 127.0.0.1:3389 (the client's X.224 Connection Request, the server's
# Connection Confirm, bytes per MS-RDPBCGR 2.2.1.1/2.2.1.2) and of a VNC
# one on 5999 (RFC 6143 7.1.1: the server's "RFB 003.008\n" banner, the
# client's reply).  The inbound-session alert must reach rsyslog within a
# second of the handshake.  Without CAP_NET_RAW the collector must fail
# with pcap's reason.
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
rsyslog_pid="" fh_pid="" srv_pid=""

cleanup() {
	for p in $srv_pid $fh_pid; do kill "$p" 2>/dev/null; done
	[ -f "$T/rsyslog.pid" ] && kill "$(cat "$T/rsyslog.pid")" 2>/dev/null
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

# lib.sh polls every 0.1 s; the one-second latency check wants a finer
# clock, so this suite polls every 0.05 s.
wait_for() {
	i=0; n=$((${3:-10} * 20))
	while [ $i -lt $n ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}
now_ms() { date +%s%3N; }

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
i=0; while [ ! -S "$T/log.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "rsyslogd listens on its private socket" test -S "$T/log.sock"

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
EOP

# ---- farmhound ----
mkdir "$T/rules"
cp "$RULES"/*.rules "$T/rules/"
cat >"$T/farmhound.conf" <<EOC
[agent]
hostname = fh-live
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
check "the net collector is capturing (no failure)" \
	sh -c "! grep -q 'net: .*failed' '$T/fh.err' && kill -0 $fh_pid"

# ---- RDP: Connection Request and Confirm over 127.0.0.1:3389 ----
socat TCP-LISTEN:3389,bind=127.0.0.1,reuseaddr SYSTEM:"cat '$T/cc.bin'; sleep 0.3" \
	2>"$T/socat-srv.err" &
srv_pid=$!
i=0; while ! ss -ltn 2>/dev/null | grep -q '127.0.0.1:3389 ' && [ $i -lt 50 ]; do
	sleep 0.05; i=$((i + 1)); done
t0=$(now_ms)
socat -t 0.5 - TCP:127.0.0.1:3389 <"$T/cr.bin" >"$T/rdp-reply.bin" 2>"$T/socat-cli.err" &
cli_pid=$!
if wait_for "$T/out.log" '"id":"net-inbound-remote-desktop-session".*"kind":"rdp"' 3; then
	t1=$(now_ms)
	ok "RDP session alert reaches rsyslog"
	echo "# RDP alert $((t1 - t0)) ms after the handshake began"
	check "within a second of the handshake ($((t1 - t0)) ms)" test $((t1 - t0)) -le 1000
else
	not_ok "RDP session alert reaches rsyslog"
	not_ok "within a second of the handshake"
fi
check "the alert carries the cookie and the loopback peer" \
	grep -q '"dst_port":3389.*"rdp_cookie":"mstshash=live"' "$T/out.log"
wait "$cli_pid"
check "socat's RDP server answered with the Connection Confirm" cmp -s "$T/rdp-reply.bin" "$T/cc.bin"
wait "$srv_pid" 2>/dev/null; srv_pid=""

# ---- VNC: the server's RFB banner and the client's reply on 5999 ----
socat TCP-LISTEN:5999,bind=127.0.0.1,reuseaddr SYSTEM:"cat '$T/rfb.bin'; sleep 0.3" \
	2>"$T/socat-srv2.err" &
srv_pid=$!
i=0; while ! ss -ltn 2>/dev/null | grep -q '127.0.0.1:5999 ' && [ $i -lt 50 ]; do
	sleep 0.05; i=$((i + 1)); done
t0=$(now_ms)
socat -t 0.5 - TCP:127.0.0.1:5999 <"$T/rfb.bin" >"$T/vnc-reply.bin" 2>>"$T/socat-cli.err" &
cli_pid=$!
if wait_for "$T/out.log" '"id":"net-inbound-remote-desktop-session".*"kind":"vnc"' 3; then
	t1=$(now_ms)
	ok "VNC session alert reaches rsyslog"
	echo "# VNC alert $((t1 - t0)) ms after the handshake began"
	check "within a second of the handshake ($((t1 - t0)) ms)" test $((t1 - t0)) -le 1000
else
	not_ok "VNC session alert reaches rsyslog"
	not_ok "within a second of the handshake"
fi
check "the VNC alert names the version" grep -q '"vnc_version":"003.008"' "$T/out.log"
wait "$cli_pid"
wait "$srv_pid" 2>/dev/null; srv_pid=""

kill -TERM "$fh_pid"
i=0; while kill -0 "$fh_pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "farmhound stops on SIGTERM" sh -c "! kill -0 $fh_pid 2>/dev/null"
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
	timeout 3 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$FH" -c "$T/nocap.conf" -r "$T/rules" >/dev/null 2>"$T/nocap.err"
	check "without CAP_NET_RAW: init fails with pcap's reason" \
		grep -Eq 'net: cannot capture on lo: .*(permission|Operation not permitted).*CAP_NET_RAW' "$T/nocap.err"
else
	ok "skipped: no setpriv"
fi
finish
