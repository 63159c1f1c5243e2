#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# host_scan.sh - the host collector and 80-host.rules with the real binary.
#
# Fixture trees (tests/fixtures/host/NAME/{rootfs,proc}) stand in for / and
# /proc through --rootfs/--procfs:
#   kr-farm   Asia/Seoul (/etc/localtime link), ko_KR, XKB us,kr, ibus-hangul
#             and ibus-libpinyin installed (dpkg), tailscale0 and tun0
#             (sysfs), AnyDesk and Astrill on disk, a default gateway
#   us-plain  America/New_York (/etc/timezone, localtime a copied file),
#             en_US (locale.conf), keymap us, ibus-hangul only as leftover
#             config, lo/eth0/docker0/tunl0 (/proc/net/dev): nothing to say
#   cn-rhel   Asia/Shanghai (/etc/sysconfig/clock), zh_CN, xorg us,cn, the
#             fcitx5 pinyin addon file, xrdp, wg0
# with a config whose [geo] expects America/* and en_US*.
#
# The public address: a real STUN server (coturn's turnserver, STUN only,
# on a free loopback port, killed on exit) and a MaxMind database written
# at test time by tests/tools/mkmmdb.pl mapping 127.0.0.0/8 to KP, so
# --scan reports public_ip 127.0.0.1, public_country KP and the country
# alert.  And: no stun_server, no socket; a dead or silent server does not
# stall --scan (it ends well within 10x stun_timeout; a silent one is
# really waited for and sent a retransmission); the daemon re-collects and
# reports a changed gateway, and nothing when nothing changed.
#
# No check here measures the machine's speed: time bounds are hang
# detectors scaled by FH_TIME_SCALE, elapsed times are # diagnostics, and
# "nothing was reported" is judged after heartbeats that prove the daemon
# re-collected (see settled below).
. "$(dirname "$0")/lib.sh"

HFIX="$FIX/host"
T=$(mktemp -d /tmp/fh-host.XXXXXX)
turn_pid="" sink_pid="" fh_pid=""
cleanup() {
	for p in $fh_pid $turn_pid $sink_pid; do kill "$p" 2>/dev/null; done
	sleep 0.1
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

printf '[geo]\ntimezones = America/*\nlocales = en_US*\n' >"$T/geo.conf"

# scan NAME CONFIG [SECONDS]: --scan --explain over fixture NAME into
# $T/NAME.out, its exit status in $T/NAME.rc, its wall time in ms in
# $T/NAME.ms.  With SECONDS, a scan still running after SECONDS (scaled by
# FH_TIME_SCALE) is killed: status 124, a hang rather than a stuck suite.
scan() {
	_t0=$(date +%s%N)
	timeout -k 5 "$(( ${3:-600} * FH_TIME_SCALE ))" \
		"$FH" --scan --explain -c "$2" -r "$RULES" --rootfs "$HFIX/$1/rootfs" \
		--procfs "$HFIX/$1/proc" >"$T/$1.out" 2>"$T/$1.err"
	echo $? >"$T/$1.rc"
	echo $(( ($(date +%s%N) - _t0) / 1000000 )) >"$T/$1.ms"
}
# finished NAME: the last scan of NAME ended by itself (was not killed).
finished() { [ "$(cat "$T/$1.rc")" != 124 ] && [ "$(cat "$T/$1.rc")" != 137 ]; }

# alerts FILE: "rule-id level" per JSON alert line of FILE.
alerts() {
	python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if line.startswith("{"):
        a = json.loads(line)
        print(a["rule"]["id"], a["log"]["level"])
' "$1"
}

# field FILE NAME: the JSON value of host field NAME in the first alert
# (compact JSON), or "-" when absent.
field() {
	python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("{"):
        f = json.loads(line)["farmhound"]["fields"]
        print(json.dumps(f[sys.argv[2]], separators=(",", ":")) if sys.argv[2] in f else "-")
        break
' "$1" "$2"
}

has_alert() { alerts "$1" | grep -x "$2 $3" >/dev/null; }
# no_alert FILE REGEX: no alert whose rule id matches REGEX (--explain's
# "missed" lines name rules too, so only alert lines are looked at).
no_alert() { ! alerts "$1" | grep -Eq "^($2) "; }
# event_lacks FILE REGEX: no "# event" line of FILE matches REGEX.
event_lacks() { ! grep '^# event ' "$1" | grep -Eq "$2"; }
# Nothing above notice: no warning, error, critical, alert, emergency.
quiet_above_notice() { ! alerts "$1" | grep -E ' (warning|error|critical|alert|emergency)$' >/dev/null; }

# ---- --fields ----
"$FH" --fields host >"$T/fields"
for f in action timezone timezone_expected locale locale_expected keyboard_layouts \
	input_methods vpn_interfaces installed gateway_mac gateway_changed public_ip \
	public_country public_country_expected; do
	grep -Eq "^ +$f +[a-z]+ " "$T/fields" || echo "$f" >>"$T/fields.missing"
done
check "--fields host lists every host field" test ! -e "$T/fields.missing"

check "-t accepts the shipped rules with 80-host.rules" \
	sh -c "'$FH' -t -c '$T/geo.conf' -r '$RULES' | grep -qx 'configuration OK'"

# ---- kr-farm: location mismatch and the weak signals ----
scan kr-farm "$T/geo.conf"
check "kr-farm: --scan exits 1" test "$(cat "$T/kr-farm.rc")" -eq 1
check "kr-farm: time zone Asia/Seoul from the /etc/localtime link" \
	test "$(field "$T/kr-farm.out" timezone)" = '"Asia/Seoul"'
check "kr-farm: ... outside [geo] (timezone_expected false)" \
	test "$(field "$T/kr-farm.out" timezone_expected)" = false
check "kr-farm: locale ko_KR.UTF-8, locale_expected false" \
	sh -c "[ '$(field "$T/kr-farm.out" locale)' = '\"ko_KR.UTF-8\"' ] && [ '$(field "$T/kr-farm.out" locale_expected)' = false ]"
check "kr-farm: time zone alert (warning)" has_alert "$T/kr-farm.out" host-timezone-unexpected warning
check "kr-farm: locale alert (warning)" has_alert "$T/kr-farm.out" host-locale-unexpected warning
check "kr-farm: keyboard layouts us,kr" test "$(field "$T/kr-farm.out" keyboard_layouts)" = '["us","kr"]'
check "kr-farm: Korean keyboard alert is only a notice" has_alert "$T/kr-farm.out" host-korean-keyboard notice
check "kr-farm: input methods from dpkg (not the removed nimf)" \
	test "$(field "$T/kr-farm.out" input_methods)" = '["ibus-hangul","ibus-libpinyin"]'
check "kr-farm: Korean input method alert is only a notice" \
	has_alert "$T/kr-farm.out" host-korean-input-method notice
check "kr-farm: Chinese input method alert is info" \
	has_alert "$T/kr-farm.out" host-chinese-input-method info
check "kr-farm: VPN interfaces from sysfs" \
	test "$(field "$T/kr-farm.out" vpn_interfaces)" = '["tailscale0","tun0"]'
check "kr-farm: overlay VPN alert (warning, tunnel)" \
	has_alert "$T/kr-farm.out" host-overlay-vpn-interface warning
check "kr-farm: installed AnyDesk and Astrill paths" \
	test "$(field "$T/kr-farm.out" installed)" = '["/usr/bin/anydesk","/usr/local/Astrill"]'
check "kr-farm: Astrill alert (warning)" has_alert "$T/kr-farm.out" host-astrill-installed warning
check "kr-farm: remote-access installed alert (notice)" \
	has_alert "$T/kr-farm.out" host-remote-access-installed notice
check "kr-farm: gateway from /proc/net/route + arp" \
	sh -c "[ '$(field "$T/kr-farm.out" gateway_ip)' = '\"192.168.0.1\"' ] && [ '$(field "$T/kr-farm.out" gateway_mac)' = '\"70:4f:57:11:22:33\"' ]"
check "kr-farm: no gateway-changed alert in a one-shot scan" \
	no_alert "$T/kr-farm.out" host-gateway-changed
check "kr-farm: no public address without a stun_server" \
	test "$(field "$T/kr-farm.out" public_ip)" = -

# Without [geo] the location rules say nothing; the weak ones stay.
scan kr-farm /nonexistent.conf
check "kr-farm without [geo]: no time zone or locale alert" \
	no_alert "$T/kr-farm.out" 'host-(timezone|locale)-unexpected'
check "kr-farm without [geo]: timezone_expected unset" \
	test "$(field "$T/kr-farm.out" timezone_expected)" = -

# ---- us-plain: an ordinary machine in the expected place ----
scan us-plain "$T/geo.conf"
check "us-plain: --scan exits 0 (nothing fired)" test "$(cat "$T/us-plain.rc")" -eq 0
check "us-plain: time zone from /etc/timezone when localtime is a copy" \
	grep -q '^# event host: .*timezone="America/New_York" timezone_expected=true' "$T/us-plain.out"
check "us-plain: locale from locale.conf, expected" \
	grep -q 'locale="en_US.UTF-8" locale_expected=true' "$T/us-plain.out"
check "us-plain: docker0/tunl0 are not VPN interfaces, removed IME not listed" \
	event_lacks "$T/us-plain.out" 'vpn_interfaces|input_methods'
check "us-plain: gateway MAC read" grep -q 'gateway_mac="00:1a:2b:3c:4d:5e"' "$T/us-plain.out"

# ---- cn-rhel: the other file locations ----
scan cn-rhel "$T/geo.conf"
check "cn-rhel: time zone from /etc/sysconfig/clock" \
	test "$(field "$T/cn-rhel.out" timezone)" = '"Asia/Shanghai"'
check "cn-rhel: layouts from xorg.conf.d" test "$(field "$T/cn-rhel.out" keyboard_layouts)" = '["us","cn"]'
check "cn-rhel: IME from the fcitx5 addon file" \
	test "$(field "$T/cn-rhel.out" input_methods)" = '["fcitx5-chinese-addons"]'
check "cn-rhel: wg0 from /proc/net/dev" test "$(field "$T/cn-rhel.out" vpn_interfaces)" = '["wg0"]'
check "cn-rhel: Chinese input method alert is info" has_alert "$T/cn-rhel.out" host-chinese-input-method info
check "cn-rhel: Chinese keyboard alert is info" has_alert "$T/cn-rhel.out" host-chinese-keyboard info
check "cn-rhel: generic tunnel and xrdp are info" \
	sh -c "grep -q '\"host-tunnel-interface\"' '$T/cn-rhel.out' && grep -q '\"host-vnc-rdp-installed\"' '$T/cn-rhel.out'"
check "cn-rhel: no overlay-VPN alert for wg0" no_alert "$T/cn-rhel.out" host-overlay-vpn-interface

# ---- this machine: a plain Debian container stays quiet above notice ----
# Only the host collector: the check is about the host rules, and the
# machine's processes and listeners (a suite or job running beside this
# one: a fake AnyDesk, a socat on 3389) are not this machine's set-up.
collectors_only host >"$T/host-only.conf"
"$FH" --scan -c "$T/host-only.conf" -r "$RULES" >"$T/here.out" 2>"$T/here.err"
check "this machine, no [geo]: nothing above notice from the host rules" quiet_above_notice "$T/here.out"

# ---- STUN against a real coturn, country from a generated MaxMind db ----
free_port() {
	python3 -c '
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        u.bind(("127.0.0.1", 0)); p = u.getsockname()[1]; t.bind(("127.0.0.1", p))
        print(p); break
    except OSError:
        pass
    finally:
        u.close(); t.close()
'
}

# stun_probe PORT: does a Binding request on PORT get an answer?
stun_probe() {
	python3 -c '
import os, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.3)
tx = os.urandom(12)
s.sendto(struct.pack("!HHI", 1, 0, 0x2112A442) + tx, ("127.0.0.1", int(sys.argv[1])))
try:
    d = s.recv(1500); sys.exit(0 if d[8:20] == tx else 1)
except OSError:
    sys.exit(1)
' "$1"
}

if ! command -v turnserver >/dev/null || ! perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null; then
	ok "# SKIP turnserver or libmaxmind-db-writer-perl missing (make deps)"
else
	port=$(free_port)
	turnserver --listening-ip 127.0.0.1 --listening-port "$port" --stun-only --no-tls \
		--no-dtls --no-cli --log-file stdout --simple-log --pidfile "$T/turn.pid" \
		--userdb "$T/turndb" >"$T/turn.log" 2>&1 &
	turn_pid=$!
	check "coturn answers STUN on 127.0.0.1:$port" wait_until 10 stun_probe "$port"

	perl "$top/tests/tools/mkmmdb.pl" "$T/test.mmdb" 127.0.0.0/8=KP 192.0.2.0/24=CN
	cat >"$T/stun.conf" <<EOF
[collector.host]
stun_server = 127.0.0.1:$port
stun_timeout = 2s

[geo]
countries = US
database = $T/test.mmdb
EOF
	scan us-plain "$T/stun.conf"
	check "STUN: --scan exits 1 (country alert)" test "$(cat "$T/us-plain.rc")" -eq 1
	check "STUN: public_ip 127.0.0.1 from coturn" test "$(field "$T/us-plain.out" public_ip)" = '"127.0.0.1"'
	check "STUN: public_country KP from the generated database" \
		test "$(field "$T/us-plain.out" public_country)" = '"KP"'
	check "STUN: public_country_expected false ([geo] countries = US)" \
		test "$(field "$T/us-plain.out" public_country_expected)" = false
	check "STUN: country alert (warning)" has_alert "$T/us-plain.out" host-public-country-unexpected warning

	# The same with [geo] countries = KP: expected, no alert.
	sed 's/^countries = US/countries = KP/' "$T/stun.conf" >"$T/stun-kp.conf"
	scan us-plain "$T/stun-kp.conf"
	check "STUN: expected country, no alert, exit 0" test "$(cat "$T/us-plain.rc")" -eq 0
	check "STUN: ... and public_country_expected=true" \
		grep -q 'public_country="KP" public_country_expected=true' "$T/us-plain.out"

	# A dead server: refused at once, or silent for at most stun_timeout
	# (2 s).  That --scan does not hang on it is the behaviour; how long it
	# took is the machine's speed, printed, not asserted: the bound is 10x
	# stun_timeout, a hang detector.
	kill "$turn_pid"; wait "$turn_pid" 2>/dev/null; turn_pid=""
	scan us-plain "$T/stun.conf" 20
	echo "# dead STUN server: --scan took $(cat "$T/us-plain.ms") ms (stun_timeout 2 s)"
	check "STUN: a dead server does not stall --scan (it ends within 10x stun_timeout)" \
		finished us-plain
	check "STUN: ... says so on stderr" grep -q 'no STUN answer from 127.0.0.1' "$T/us-plain.err"
	check "STUN: ... and reports no public address" event_lacks "$T/us-plain.out" public_ip

	# A server that never answers (no ICMP either): retransmissions, then
	# the scan gives up after stun_timeout = 2s.  It reads until killed and
	# counts the requests it got.
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[3], "w").close()
n = 0
while True:
    s.recv(1500); n += 1
    open(sys.argv[2], "w").write(str(n))
' "$port" "$T/silent.count" "$T/silent.ready" &
	sink_pid=$!
	wait_until 10 test -e "$T/silent.ready"
	scan us-plain "$T/stun.conf" 20
	ms=$(cat "$T/us-plain.ms")
	echo "# silent STUN server: --scan took $ms ms (stun_timeout 2 s)"
	# It really waited: the give-up is due 2 s (its own monotonic clock)
	# after the first request, and a slow machine only adds to that.
	check "STUN: a silent server is waited for, stun_timeout ($ms ms >= 1900)" \
		test "$ms" -ge 1900
	check "STUN: ... and costs no more: --scan ends within 10x stun_timeout" finished us-plain
	# RFC 5389 7.2.1: the RTO starts at 500 ms and doubles, so requests are
	# due at 0, 0.5 and 1.5 s, before the 2 s give-up.  At least one
	# retransmission is a fact of the schedule (only a stall from 0.5 s to
	# past 2 s could skip both); how many the sink has read by now is not:
	# wait for it.
	silent_count() { [ "$(cat "$T/silent.count" 2>/dev/null || echo 0)" -ge "$1" ]; }
	check "STUN: ... with retransmissions (the silent server got 2 or more requests)" \
		wait_until 10 silent_count 2
	check "STUN: ... and the rest of the event still reported" \
		grep -q '^# event host: .*timezone="America/New_York"' "$T/us-plain.out"
	kill "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null; sink_pid=""
fi

# ---- the daemon: re-collection, change, gateway_changed ----
# A copy of kr-farm's /proc whose ARP entry for the gateway is swapped
# while the daemon runs with rescan_interval = 1s; the alerts go to a unix
# datagram socket this script reads.
cp -r "$HFIX/kr-farm/proc" "$T/proc"
dgram_receiver "$T/log.sock" "$T/sink.log"
sink_pid=$recv_pid
# Heartbeats every second: the sync points of the "nothing reported" checks.
# Only the host collector: with the others on, the machine's processes and
# listeners (another suite beside this one) raise alerts, and a verdict
# naming host-astrill-installed as evidence would count as a second report.
{
	printf '[agent]\nheartbeat_interval = 1s\n[output]\nsyslog_socket = %s\n' "$T/log.sock"
	collectors_only host
	printf '[collector.host]\nrescan_interval = 1s\n'
} >"$T/daemon.conf"
# With coturn, the daemon's non-blocking STUN round is exercised too.
daemon_stun=""
if command -v turnserver >/dev/null; then
	port=$(free_port)
	turnserver --listening-ip 127.0.0.1 --listening-port "$port" --stun-only --no-tls \
		--no-dtls --no-cli --log-file stdout --simple-log --pidfile "$T/turn.pid" \
		--userdb "$T/turndb" >"$T/turn.log" 2>&1 &
	turn_pid=$!
	wait_until 10 stun_probe "$port" || echo "# coturn does not answer on $port yet"
	printf 'stun_server = 127.0.0.1:%s\n' "$port" >>"$T/daemon.conf"
	daemon_stun=1
fi
# The shipped rules plus one that alerts on every change event, so an
# event no shipped rule cares about is still seen here.
mkdir "$T/rules"
cp "$RULES"/*.rules "$T/rules/"
printf '[rule zz-test-host-change]\nsource = host\nwhen = action == "change"\nseverity = debug\n' \
	>"$T/rules/zz-test.rules"
"$FH" -c "$T/daemon.conf" -r "$T/rules" --rootfs "$HFIX/kr-farm/rootfs" --procfs "$T/proc" \
	>"$T/daemon.out" 2>"$T/daemon.err" &
fh_pid=$!
check "daemon: start-up inventory reported (present)" \
	wait_for "$T/sink.log" '"rule":\{"id":"host-astrill-installed".*"action":"present"'
if [ -n "$daemon_stun" ]; then
	check "daemon: public_ip from a non-blocking STUN round" \
		wait_for "$T/sink.log" '"action":"present".*"public_ip":"127.0.0.1"'
else
	ok "# SKIP turnserver missing (make deps)"
fi
# settled: the sync point before a "nothing was reported" check.  The loop
# runs a due re-collection before the heartbeat of the same timer tick, and
# heartbeats are at least heartbeat_interval (1 s) apart in the daemon's
# own clock: 3 more heartbeats span 2 s of it, past a due re-collection
# (every 1 s) and its STUN round on loopback, and whatever it reported was
# sent before the last of them.
settled() { next_heartbeat "$T/sink.log" 3 30; }
check "daemon: heartbeats after the start-up inventory (sync point)" settled
check "daemon: an unchanged re-collection reports nothing" \
	sh -c "[ \$(grep -c 'host-astrill-installed' '$T/sink.log') -eq 1 ] && ! grep -q 'zz-test-host-change' '$T/sink.log'"
sed -i 's/70:4f:57:11:22:33/d8:58:d7:00:00:01/' "$T/proc/net/arp"
check "daemon: a new gateway MAC raises host-gateway-changed (info)" \
	wait_for "$T/sink.log" '"log":\{"level":"info"\},"rule":\{"id":"host-gateway-changed"'
check "daemon: ... as a change naming gateway_mac" \
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    a = json.loads(line[line.index("{"):])
    f = a["farmhound"]["fields"]
    if a["rule"]["id"] == "host-gateway-changed":
        sys.exit(0 if f["action"] == "change" and f["gateway_mac"] == "d8:58:d7:00:00:01"
                 and f["gateway_changed"] is True and f["changed"] == ["gateway_mac"] else 1)
sys.exit(1)
' "$T/sink.log"
# The gateway's ARP entry expires (same route): not a change.
grep -v '^192.168.0.1 ' "$T/proc/net/arp" >"$T/arp.new" && cat "$T/arp.new" >"$T/proc/net/arp"
check "daemon: heartbeats after the ARP entry expired (sync point)" settled
check "daemon: an expired ARP entry for the same gateway is not a change" \
	test "$(grep -c 'zz-test-host-change' "$T/sink.log")" -eq 1
stop_daemon "$fh_pid"; fh_pid=""
check "daemon: exits 0 on SIGTERM (status $rc)" test "$rc" = 0

# A bad stun_server is a config error (file:line), caught by -t.
printf '[collector.host]\nstun_server = no-port-here\n' >"$T/bad.conf"
"$FH" -t -c "$T/bad.conf" -r "$RULES" >/dev/null 2>"$T/bad.err"; rc=$?
check "-t rejects stun_server without a port, as file:line" \
	sh -c "[ $rc -eq 1 ] && grep -q '^$T/bad.conf:2: ' '$T/bad.err'"

finish
