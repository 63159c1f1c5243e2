#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# fault_pcap.sh - a capture device that errors, then works again.
#
# collector_failed.sh deletes the capture interface.  Here it stays:
#
# 1. It is brought down (`ip link set dev fhA down`) and up again.  The
#    kernel flags the packet socket with ENETDOWN; libpcap (1.10) reads
#    that error and, the interface still existing, keeps the handle (it
#    only fails when the interface is gone).  Asserted whichever way the
#    library goes: the daemon keeps running, does not spin while the
#    interface is down (its CPU time over the outage stays small),
#    heartbeats go on and agree with what was reported (net active, or
#    net failed after a collector-failed notice), and after the link is up
#    a new handshake alerts: capture resumed by itself.
# 2. libpcap itself fails: an LD_PRELOAD shim (compiled here) makes
#    pcap_dispatch() return PCAP_ERROR, with pcap_geterr() saying
#    "injected capture error", and pcap_activate() fail the same way,
#    while $T/pcapfail exists (a device that errors and cannot be
#    re-opened for a while).  Asserted: the handshake sent while it fails
#    is not alerted, but the gap is reported (farmhound-collector-failed for
#    net, pcap's message in the daemon's log, heartbeats list net failed),
#    no busy loop, and once the errors stop the retry brings the collector
#    back (farmhound-collector-recovered) and a new handshake alerts.
#
# Two private network namespaces hold the two ends of a veth pair: fhA
# (10.77.0.1, the daemon's, where socat serves RDP on 3389) and fhB
# (10.77.0.2, a remote client).  The RDP bytes are the X.224 Connection
# Request/Confirm of MS-RDPBCGR 2.2.1.1/2.2.1.2 (as in net_live.sh), with a
# different cookie for each handshake.  A test rule (no cooldown) alerts on
# every RDP session, so a missing alert cannot be a cooldown artefact.
#
# Nothing is timed: each outage is observed over three heartbeats (however
# long they take), which are also the sync point for what the daemon
# reported, and "no busy loop" compares the daemon's CPU time with the wall
# time over them (under a fifth; see no_spin).
. "$(dirname "$0")/lib.sh"

skip() { _n=$((_n + 1)); echo "ok $_n - # SKIP $*"; }
if [ "$(id -u)" -ne 0 ]; then
	skip "live capture needs root"
	finish
	exit $?
fi
if ! unshare -n sh -c 'ip link add fhA type veth peer name fhB' 2>/dev/null ||
   ! command -v nsenter >/dev/null || ! command -v socat >/dev/null; then
	skip "no network namespace, veth, nsenter or socat here"
	finish
	exit $?
fi

T=$(mktemp -d /tmp/fh-fpcap.XXXXXX)
nsa="" nsb="" recv_pid="" fh_pid="" srv_pid=""
cleanup() {
	for p in $srv_pid $fh_pid $recv_pid $nsa $nsb; do kill "$p" 2>/dev/null; done
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

alive() { kill -0 "$fh_pid" 2>/dev/null; }
# CPU time (user + system) of the daemon, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$fh_pid/stat"; }

# Two namespaces, each alive as long as its sleep is.
unshare -n sleep 600 &
nsa=$!
unshare -n sleep 600 &
nsb=$!
ina() { nsenter -t "$nsa" -n "$@"; }
inb() { nsenter -t "$nsb" -n "$@"; }
ns_ready() { { ina true && inb true; } 2>/dev/null; }
wait_until 5 ns_ready
setup_net() {
	ina ip link add fhA type veth peer name fhB &&
	ina ip link set fhB netns "$nsb" &&
	ina ip addr add 10.77.0.1/24 dev fhA && inb ip addr add 10.77.0.2/24 dev fhB &&
	ina ip link set lo up && inb ip link set lo up &&
	ina ip link set fhA up && inb ip link set fhB up
}
check "veth pair between two private namespaces" setup_net

python3 - "$T" <<'EOP'
import sys
t = sys.argv[1]
def cr(user):
    cookie = b"Cookie: mstshash=" + user + b"\r\n"
    x224 = bytes([0xe0, 0, 0, 0, 0, 0]) + cookie + bytes([1, 0, 8, 0, 3, 0, 0, 0])
    return bytes([3, 0]) + (4 + 1 + len(x224)).to_bytes(2, "big") + bytes([len(x224)]) + x224
for name in (b"before", b"afterdown", b"during", b"after"):
    open(t + "/cr-" + name.decode() + ".bin", "wb").write(cr(name))
open(t + "/cc.bin", "wb").write(bytes([3, 0, 0, 0x13, 0x0e, 0xd0, 0, 0, 0x12, 0x34,
                                       0, 2, 0x1f, 8, 0, 1, 0, 0, 0]))
EOP

cat >"$T/pcapfail.c" <<'EOC'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>
#include <pcap/pcap.h>

/* While $PCAPFAIL_FILE exists, the capture fails: reads and opens. */
static int failing(void)
{
	const char *f = getenv("PCAPFAIL_FILE");

	return f && access(f, F_OK) == 0;
}

static int injected;

int pcap_dispatch(pcap_t *p, int cnt, pcap_handler cb, u_char *user)
{
	static int (*real)(pcap_t *, int, pcap_handler, u_char *);

	if (!real)
		real = (int (*)(pcap_t *, int, pcap_handler, u_char *))dlsym(RTLD_NEXT, "pcap_dispatch");
	injected = failing();
	return injected ? PCAP_ERROR : real(p, cnt, cb, user);
}

int pcap_activate(pcap_t *p)
{
	static int (*real)(pcap_t *);

	if (!real)
		real = (int (*)(pcap_t *))dlsym(RTLD_NEXT, "pcap_activate");
	injected = failing();
	return injected ? PCAP_ERROR : real(p);
}

char *pcap_geterr(pcap_t *p)
{
	static char *(*real)(pcap_t *);
	static char msg[] = "injected capture error";

	if (!real)
		real = (char *(*)(pcap_t *))dlsym(RTLD_NEXT, "pcap_geterr");
	return injected ? msg : real(p);
}
EOC
build_shim pcapfail -lpcap

dgram_receiver "$T/log.sock" "$T/out.log"

mkdir "$T/rules"
test_rule fault-pcap-rdp net T1021.001 'kind == rdp and session' >"$T/rules/probe.rules"
cat >"$T/farmhound.conf" <<EOC
$(json_daemon_conf)
[collector.net]
interfaces = fhA
$(collectors_only net)
EOC
# nsenter execs farmhound: $! is the daemon itself.
LD_PRELOAD="$T/pcapfail.so${LD_PRELOAD:+:$LD_PRELOAD}" PCAPFAIL_FILE="$T/pcapfail" \
	nsenter -t "$nsa" -n "$FH" -c "$T/farmhound.conf" -r "$T/rules" 2>"$T/fh.err" &
fh_pid=$!
check "the net collector is capturing on fhA (a heartbeat lists it active)" \
	wait_for "$T/out.log" '"id":"farmhound-heartbeat".*"collectors_active":\["net"\]' 30

# The server answers with the Connection Confirm, then reads until the
# client is done (not "sleep 0.3, hoping the request arrived by then").
nsenter -t "$nsa" -n socat TCP-LISTEN:3389,bind=10.77.0.1,reuseaddr,fork \
	SYSTEM:"cat '$T/cc.bin'; cat >/dev/null" 2>"$T/socat-srv.err" &
srv_pid=$!
listening() { ina ss -ltn 2>/dev/null | grep -q '10.77.0.1:3389 '; }
wait_until 5 listening
# handshake NAME: the client in the other namespace sends cr-NAME.bin and
# half-closes; it ends when the server has answered and closed (-t and
# connect-timeout are only guards against a hang, scaled like every
# deadline).
handshake() {
	inb socat -t $((10 * FH_TIME_SCALE)) - \
		TCP:10.77.0.1:3389,connect-timeout=$((10 * FH_TIME_SCALE)) <"$T/cr-$1.bin" \
		>"$T/reply-$1.bin" 2>"$T/socat-$1.err"
}
handshake before
check "RDP handshake across the veth alerts (capture works)" \
	wait_for "$T/out.log" '"id":"fault-pcap-rdp".*"rdp_cookie":"mstshash=before"' 10

# no_spin WHAT: over the next three heartbeats (three turns of the
# daemon's loop, however long they take) its CPU time stays under a fifth
# of the wall time the test measured: an idle loop uses well under 1 %
# (under ASan too), a loop spinning on a dead fd all the CPU it is given.
# The heartbeats are also the sync point for what the daemon reported.
hz=$(getconf CLK_TCK)
now_cs() { sed 's/ .*//; s/\.//' /proc/uptime; }
no_spin() {
	c0=$(cpu_ticks); t0=$(now_cs)
	check "$1: heartbeats keep coming (3 more)" next_heartbeat "$T/out.log" 3 30
	c1=$(cpu_ticks); t1=$(now_cs)
	cpu=$(((c1 - c0) * 1000 / hz)) wall=$(((t1 - t0) * 10))
	check "$1: no busy loop (CPU $cpu ms < a fifth of $wall ms)" \
		test $((cpu * 5)) -lt "$wall"
	check "$1: the daemon keeps running" alive
}
failed_n() { count "$T/out.log" '"id":"farmhound-collector-failed".*"collector":"net"'; }
recovered_n() { count "$T/out.log" '"id":"farmhound-collector-recovered".*"collector":"net"'; }

# ---- 1. the capture interface goes down, then up ----
ina ip link set dev fhA down
no_spin "link down"
# After three heartbeats whatever the daemon made of the outage is in the log.
f1=$(failed_n)
if [ "$f1" -eq 0 ]; then
	echo "# link down: libpcap kept the handle (no error): no collector-failed"
	check "link down, handle kept: the last heartbeat lists net active" \
		sh -c "grep farmhound-heartbeat '$T/out.log' | tail -n 1 | grep -q '\"collectors_active\":\[\"net\"\]'"
else
	echo "# link down: the capture failed: collector-failed"
	check "link down, capture failed: a heartbeat lists net as failed" \
		wait_for "$T/out.log" '"collectors_failed":\["net"\]'
fi
ina ip link set dev fhA up
if [ "$f1" -gt 0 ]; then
	check "link up: collector-recovered for net (retry with backoff)" \
		wait_for "$T/out.log" '"id":"farmhound-collector-recovered".*"collector":"net"' 40
fi
handshake afterdown
check "link up: a new RDP handshake alerts (capture resumed by itself)" \
	wait_for "$T/out.log" '"id":"fault-pcap-rdp".*"rdp_cookie":"mstshash=afterdown"' 10

# ---- 2. libpcap returns errors for a while ----
f0=$(failed_n); r0=$(recovered_n)
touch "$T/pcapfail"
handshake during
check "pcap errors: collector-failed notice for net" \
	wait_for "$T/out.log" '"id":"farmhound-collector-failed".*"collector":"net".*reading events' 10
check "pcap errors: pcap's own message is in the daemon's log" \
	wait_for "$T/fh.err" 'net: fhA: injected capture error'
check "pcap errors: a heartbeat lists net as failed" \
	wait_for "$T/out.log" '"id":"farmhound-heartbeat".*"collectors_failed":\["net"\]'
no_spin "pcap errors"
check "pcap errors: exactly one notice for this failure ($(($(failed_n) - f0)))" \
	test $(($(failed_n) - f0)) -eq 1
check "pcap errors: the handshake during the failure did not alert (reported as the gap)" \
	test "$(count "$T/out.log" 'mstshash=during')" -eq 0
rm -f "$T/pcapfail"
# Retries at 5 s, then 10 s, 20 s... after the failure.
check "errors over: collector-recovered for net (retry with backoff)" \
	wait_for "$T/out.log" '"id":"farmhound-collector-recovered".*"collector":"net"' 40
handshake after
check "errors over: a new RDP handshake alerts again (capture resumed)" \
	wait_for "$T/out.log" '"id":"fault-pcap-rdp".*"rdp_cookie":"mstshash=after"' 10
check "errors over: a heartbeat after that" next_heartbeat "$T/out.log"
check "errors over: one recovery notice ($(($(recovered_n) - r0)))" \
	test $(($(recovered_n) - r0)) -eq 1
check "socat's server answered every handshake" \
	sh -c "for n in before afterdown during after; do cmp -s '$T/reply-'\$n.bin '$T/cc.bin' || exit 1; done"

stop_daemon "$fh_pid"
fh_pid=""
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" -eq 0
finish
