#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# net_live_cpu.sh - `make bench`: the live agent's CPU while bulk traffic
# crosses the loopback interface.
#
# farmhound runs as a daemon capturing on lo (only the net collector on,
# alerts to a throw-away datagram socket); iperf3 pushes several GB
# through 127.0.0.1.  The agent's CPU time (utime + stime from
# /proc/PID/stat) over the transfer's wall time is its share of one core.
# Budget: under 1%, because the kernel BPF filter keeps the bulk segments
# out of user space.  Needs root (CAP_NET_RAW) and iperf3.
set -u
# top, B, FH, and collectors_only (the "net only" configuration, shared
# with net_pcap_realmix.sh and the suites); sourcing it sets no trap.
. "$(dirname "$0")/../integration/lib.sh"
BYTES=${BENCH_BYTES:-8G}
PORT=${BENCH_PORT:-5299}

if [ "$(id -u)" != 0 ] || ! command -v iperf3 >/dev/null; then
	echo "net live CPU benchmark: skipped (needs root and iperf3)"
	exit 0
fi
T=$(mktemp -d /tmp/fh-bench.XXXXXX)
fh_pid="" srv_pid="" sink_pid=""
cleanup() {
	for p in $fh_pid $srv_pid $sink_pid; do kill "$p" 2>/dev/null; done
	sleep 0.2
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

# The alerts' socket (lib.sh), discarding what it receives.
dgram_receiver "$T/log.sock" /dev/null || exit 1
sink_pid=$recv_pid
cat >"$T/fh.conf" <<EOC
[output]
syslog_socket = $T/log.sock
[collector.net]
interfaces = lo
EOC
collectors_only net >>"$T/fh.conf"
"$FH" -c "$T/fh.conf" -r "$top/rules/rules.d" >/dev/null 2>"$T/fh.err" &
fh_pid=$!
iperf3 -s -1 -p "$PORT" -B 127.0.0.1 >/dev/null 2>&1 &
srv_pid=$!
sleep 1
ticks() { awk '{ print $14 + $15 }' "/proc/$fh_pid/stat"; }
hz=$(getconf CLK_TCK)
c0=$(ticks)
t0=$(date +%s%N)
iperf3 -c 127.0.0.1 -p "$PORT" -n "$BYTES" -f g >"$T/iperf.txt" 2>&1
t1=$(date +%s%N)
c1=$(ticks)
wall_ms=$(((t1 - t0) / 1000000))
cpu_ms=$(((c1 - c0) * 1000 / hz))
rate=$(grep -E 'sender' "$T/iperf.txt" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /bits\/sec/) print $(i - 1), $i }' | tail -1)
pct=$(awk -v c="$cpu_ms" -v w="$wall_ms" 'BEGIN { printf "%.2f", (w > 0 ? 100 * c / w : 0) }')
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$fh_pid/status")
echo "net live CPU benchmark: iperf3 $BYTES over 127.0.0.1 ($rate), farmhound capturing on lo"
echo "  transfer wall time             ${wall_ms} ms"
echo "  farmhound CPU (user+sys)       ${cpu_ms} ms (clock tick $((1000 / hz)) ms)"
echo "  share of one core              ${pct}% (budget < 1%)"
echo "  farmhound resident memory      ${rss} KiB"
awk -v p="$pct" 'BEGIN { exit !(p < 1.0) }' && echo "  within budget" || echo "  OVER BUDGET"
