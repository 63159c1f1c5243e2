#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# net_pcap.sh - `make bench`: farmhound --pcap against a bare libpcap read.
#
# pcapgen --bench writes a large mixed capture (default 600000 packets:
# bulk HTTPS downloads and their ACKs, with DNS lookups, new TLS
# connections and the odd inbound RDP session between them).  Both
# programs read the same file from the page cache; each is timed three
# times and the best run kept.  Budget (DESIGN §8): farmhound at most 2x
# tcpdump -r FILE -w /dev/null.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B="$top/${BUILD:-build}"
FH="$B/farmhound"
N=${BENCH_PACKETS:-600000}
F="$B/bench/mixed-$N.pcap"

mkdir -p "$B/bench"
if [ ! -s "$F" ]; then
	"$B/tests/tools/pcapgen" --bench "$F" "$N" >/dev/null || exit 1
fi
now_ns() { date +%s%N; }
# best CMD...: the fastest of three runs, in ms.
best() {
	b=""
	for i in 1 2 3; do
		t0=$(now_ns)
		"$@" >/dev/null 2>&1
		t1=$(now_ns)
		ms=$(((t1 - t0) / 1000000))
		if [ -z "$b" ] || [ "$ms" -lt "$b" ]; then b=$ms; fi
	done
	echo "$b"
}
cat "$F" >/dev/null	# warm the page cache
packets=$(tcpdump -r "$F" -w /dev/null 2>&1 | head -1 >/dev/null; "$FH" --pcap "$F" -r "$top/rules/rules.d" 2>&1 >/dev/null | sed -n 's/.*: \([0-9]*\) packets passed.*/\1/p')
td=$(best tcpdump -r "$F" -w /dev/null)
fh=$(best "$FH" --pcap "$F" -r "$top/rules/rules.d")
size=$(($(stat -c %s "$F") / 1048576))
echo "net --pcap benchmark: $N packets, $size MiB, $packets passed the BPF filter"
echo "  tcpdump -r FILE -w /dev/null   ${td} ms"
echo "  farmhound --pcap FILE          ${fh} ms"
ratio=$(awk -v a="$fh" -v b="$td" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
echo "  ratio farmhound/tcpdump        ${ratio}x (budget 2x)"
awk -v r="$ratio" 'BEGIN { exit !(r <= 2.0) }' && echo "  within budget" || echo "  OVER BUDGET"
