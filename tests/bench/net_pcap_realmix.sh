#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# net_pcap_realmix.sh - `make bench`: farmhound --pcap against a bare
# libpcap read, on a real mixed capture.
#
# pcapgen --bench (net_pcap.sh, table.sh's --pcap row) is generated bulk:
# long TCP streams that the BPF filter drops.  This row reads a real mix
# of public captures (zeek's and tcpdump's test suites: DNS, TLS, HTTP,
# RDP, SSH, VNC, ARP, DHCP, mDNS, SMB, QUIC, IPv6, tunnels, bulk), where
# farmhound's start-up, its filter and its dissectors all count:
#   default             tests/bench/realmix-small.pcap, committed: 28,457
#                       packets of 958 captures, 5.7 MiB (every protocol
#                       first, then as many captures as fit in 6 MB);
#                       sources tests/bench/realmix.SOURCES, licences
#                       tests/bench/realmix.LICENSES
#   BENCH_REALMIX=full  $BUILD/bench/realmix.pcap: all 1,040 captures,
#                       77,090 packets, ~28 MB, not committed; build it
#                       once with tests/bench/realmix.sh ZEEK_GIT TCPDUMP_GIT
#   BENCH_REALMIX=FILE  any Ethernet pcap
# Both mixes are built by tests/bench/realmix.sh (--small for the first).
# The row is skipped, with the reason, when the file is absent.
#
# Measured: CPU time (user + system, the process and its children, from
# wait4) of `tcpdump -r FILE -w /dev/null` and of `farmhound --pcap FILE`
# with only the net collector enabled and the shipped rules; BENCH_RUNS
# (11) runs each, alternating, the file in the page cache (paths with
# spaces are not supported).  The ratio is of the medians: on a busy
# machine the best of a few runs moved by a fifth from one call to the
# next (0.93x to 1.25x for the same two binaries), the median of eleven
# by a few hundredths; the best runs are shown too.  Budget (issue 14):
# farmhound at most 1.2x tcpdump.
set -u
# top, B, FH, and collectors_only (the "net only" configuration, shared
# with net_live_cpu.sh and the suites); sourcing it sets no trap.
. "$(dirname "$0")/../integration/lib.sh"
case ${BENCH_REALMIX:-small} in
small) F=$top/tests/bench/realmix-small.pcap ;;
full) F=$B/bench/realmix.pcap ;;
*) F=$BENCH_REALMIX ;;
esac
RUNS=${BENCH_RUNS:-11}

if [ ! -s "$F" ]; then
	echo "net --pcap real mix: skipped (no $F: build it with tests/bench/realmix.sh [--small] ZEEK_GIT TCPDUMP_GIT)"
	exit 0
fi
if ! command -v tcpdump >/dev/null; then
	echo "net --pcap real mix: skipped (no tcpdump)"
	exit 0
fi
T=$(mktemp -d /tmp/fh-realmix-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT PIPE TERM
collectors_only net >"$T/fh.conf"

# cpu_times A B: the median and the least CPU time (ms) of RUNS runs of
# each command line (shell words, no quoting), output discarded, and the
# ratios B/A of both (from the unrounded times): "medA medB bestA bestB
# ratio_med ratio_best".  The runs alternate, so a busy machine slows
# both alike.
cpu_times() {
	python3 -c '
import os, statistics, sys
runs = [[], []]
for _ in range(int(sys.argv[1])):
    for i, cmd in enumerate(sys.argv[2:4]):
        argv = cmd.split()
        pid = os.fork()
        if pid == 0:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.execvp(argv[0], argv)
        _, _, ru = os.wait4(pid, 0)
        ms = (ru.ru_utime + ru.ru_stime) * 1000
        runs[i].append(ms)
med = [statistics.median(r) for r in runs]
print(round(med[0]), round(med[1]), round(min(runs[0])), round(min(runs[1])),
      "%.2f" % (med[1] / med[0] if med[0] > 0 else 0),
      "%.2f" % (min(runs[1]) / min(runs[0]) if min(runs[0]) > 0 else 0))
' "$RUNS" "$1" "$2"
}

cat "$F" >/dev/null	# warm the page cache
passed=$("$FH" --pcap "$F" -c "$T/fh.conf" -r "$top/rules/rules.d" 2>&1 >/dev/null |
	 sed -n 's/.*: \([0-9]*\) packets passed.*/\1/p')
packets=$(python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
o, n = 24, 0
while o + 16 <= len(d):
    o += 16 + struct.unpack(e + "I", d[o + 8:o + 12])[0]
    n += 1
print(n)
' "$F")
set -- $(cpu_times "tcpdump -r $F -w /dev/null" "$FH --pcap $F -c $T/fh.conf -r $top/rules/rules.d")
td=$1 fh=$2 td_best=$3 fh_best=$4 ratio=$5 ratio_best=$6
bytes=$(stat -c %s "$F")
echo "net --pcap real mix: $packets packets, $bytes bytes, $passed passed the BPF filter ($(basename "$F"))"
echo "  tcpdump -r FILE -w /dev/null   ${td} ms CPU (median of $RUNS; best ${td_best})"
echo "  farmhound --pcap FILE          ${fh} ms CPU (median of $RUNS; best ${fh_best})"
echo "  ratio farmhound/tcpdump        ${ratio}x (of the medians; of the best ${ratio_best}x; budget 1.2x)"
awk -v r="$ratio" 'BEGIN { exit !(r <= 1.2) }' && echo "  within budget" || echo "  OVER BUDGET"
