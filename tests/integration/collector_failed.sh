#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# collector_failed.sh - a collector whose source goes away: the daemon
# sends farmhound-collector-failed, keeps running (heartbeats go on and
# list the collector as failed), retries it with backoff, and sends
# farmhound-collector-recovered once the source is back.
#
# The source killed here is the net collector's live capture: a veth pair
# in a private network namespace, the capture on one end, which is then
# deleted (the pcap fd reports an error / hang-up).  Waits for the real net
# collector: SKIPs while `farmhound --fields net` does not list dst_ip, or
# when network namespaces / veth are unavailable.
# NET_IFACE_OPTION names the net collector's interface option.
#
# Every step waits for the previous one to have happened, not for a fixed
# time: the namespace is held by a sleeping process and entered with
# nsenter, so the waits are the ordinary wait_for on the receiver's log.
# (The first version slept 1 s after farmhound-started, which the daemon
# sends before its collectors start, and waited at most 5 s for it: on a
# loaded machine the veth could be deleted and re-created before the net
# collector had even opened it, and no notice came at all.)
. "$(dirname "$0")/lib.sh"

NET_IFACE_OPTION="${NET_IFACE_OPTION:-interfaces}"
T=$(mktemp -d /tmp/fh-cfail.XXXXXX)
ns_pid="" recv_pid="" fh_pid=""
cleanup() {
	for p in $fh_pid $recv_pid $ns_pid; do kill "$p" 2>/dev/null; done
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM
skip() { _n=$((_n + 1)); echo "ok $_n - # SKIP $*"; }

if ! "$FH" --fields net 2>/dev/null | grep -q dst_ip; then
	skip "net collector not there yet"
	finish
	exit $?
fi
if ! unshare -n sh -c 'ip link add fhA type veth peer name fhB' 2>/dev/null ||
   ! command -v nsenter >/dev/null; then
	skip "no network namespace, veth or nsenter here"
	finish
	exit $?
fi

# The private network namespace: alive as long as this sleep is.
unshare -n sleep 600 &
ns_pid=$!
inns() { nsenter -t "$ns_pid" -n "$@"; }
inns_ready() { inns true 2>/dev/null; }
wait_until 5 inns_ready
veth_up() {
	inns ip link add fhA type veth peer name fhB && inns ip link set fhA up &&
		inns ip link set fhB up
}

dgram_receiver "$T/log.sock" "$T/out.log"

# Only the net collector: the others add start-up time and nothing here.
cat >"$T/farmhound.conf" <<EOC
$(json_daemon_conf)
[collector.net]
$NET_IFACE_OPTION = fhA
$(collectors_only net)
EOC
check "veth pair created in the private namespace" veth_up
# nsenter execs farmhound: $! is the daemon itself.
nsenter -t "$ns_pid" -n "$FH" -c "$T/farmhound.conf" -r "$RULES" 2>"$T/fh.err" &
fh_pid=$!
# The first heartbeat comes after every collector's init: net is capturing.
check "the net collector is capturing (a heartbeat lists it active)" \
	wait_for "$T/out.log" '"id":"farmhound-heartbeat".*"collectors_active":\["net"\]' 30
inns ip link del fhA
check "collector-failed notice for net" \
	wait_for "$T/out.log" '"id":"farmhound-collector-failed".*"collector":"net"' 30
check "a heartbeat lists net as failed" \
	wait_for "$T/out.log" '"collectors_failed":\["net"\]' 10
check "the daemon kept running" kill -0 "$fh_pid"
check "veth pair created again" veth_up
# Retries at 5 s, then 10 s, 20 s... after the failure: the first or second
# one finds the interface back.
check "collector-recovered once the interface is back (retry with backoff)" \
	wait_for "$T/out.log" '"id":"farmhound-collector-recovered".*"collector":"net"' 40

stop_daemon "$fh_pid"
fh_pid=""
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" -eq 0
finish
