#!/bin/sh
# collector_failed.sh - a collector whose source goes away: the daemon
# sends farmhound-collector-failed, keeps running (heartbeats go on and
# list the collector as failed), retries it with backoff, and sends
# farmhound-collector-recovered once the source is back.
#
# The source killed here is the net collector's live capture: a veth pair
# in a private network namespace (unshare -n), the capture on one end,
# which is then deleted (the pcap fd reports an error / hang-up).  Waits
# for the real net collector: SKIPs while `farmhound --fields net` does
# not list dst_ip, or when network namespaces / veth are unavailable.
# NET_IFACE_OPTION names the net collector's interface option.
. "$(dirname "$0")/lib.sh"

NET_IFACE_OPTION="${NET_IFACE_OPTION:-interfaces}"
T=$(mktemp -d /tmp/fh-cfail.XXXXXX)
trap 'rm -rf "$T"' EXIT
skip() { _n=$((_n + 1)); echo "ok $_n - # SKIP $*"; }

if ! "$FH" --fields net 2>/dev/null | grep -q dst_ip; then
	skip "net collector not there yet"
	finish
	exit $?
fi
if ! unshare -n sh -c 'ip link add fhA type veth peer name fhB' 2>/dev/null; then
	skip "no network namespace or veth here"
	finish
	exit $?
fi

cat >"$T/farmhound.conf" <<EOC
[agent]
heartbeat_interval = 1s
[output]
format = json
syslog_socket = $T/log.sock
[collector.net]
$NET_IFACE_OPTION = fhA
EOC
# Everything runs in one private network namespace: the receiver, the
# daemon, and the interface that is deleted under it.
cat >"$T/run.sh" <<'EOS'
T=$1 FH=$2 RULES=$3
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    d = s.recv(65536)
    with open(sys.argv[2], "ab") as f:
        f.write(d + b"\n")
' "$T/log.sock" "$T/out.log" &
rp=$!
sleep 0.3
ip link add fhA type veth peer name fhB
ip link set fhA up; ip link set fhB up
"$FH" -c "$T/farmhound.conf" -r "$RULES" 2>"$T/fh.err" &
fp=$!
echo "$fp" >"$T/fh.pid"
i=0; while ! grep -q farmhound-started "$T/out.log" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
sleep 1
ip link del fhA
i=0; while ! grep -q farmhound-collector-failed "$T/out.log" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
sleep 1.5
kill -0 "$fp" && echo alive >"$T/alive"
ip link add fhA type veth peer name fhB
ip link set fhA up; ip link set fhB up
i=0; while ! grep -q farmhound-collector-recovered "$T/out.log" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i+1)); done
kill "$fp"; sleep 0.5; kill "$rp"
EOS
timeout 60 unshare -n sh "$T/run.sh" "$T" "$FH" "$RULES"

check "collector-failed notice for net" \
	grep -q '"id":"farmhound-collector-failed".*"collector":"net"' "$T/out.log"
check "the daemon kept running" test -f "$T/alive"
check "a heartbeat lists net as failed" grep -q '"collectors_failed":\["net"\]' "$T/out.log"
check "collector-recovered once the interface is back (retry with backoff)" \
	grep -q '"id":"farmhound-collector-recovered".*"collector":"net"' "$T/out.log"
finish
