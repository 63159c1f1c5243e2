#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# realmix.sh - build the real mixed captures of `make bench`'s real-mix row
# (tests/bench/net_pcap_realmix.sh) from two public test suites.
#
# Usage: tests/bench/realmix.sh [--small] ZEEK_GIT TCPDUMP_GIT [OUT]
#   ZEEK_GIT, TCPDUMP_GIT: git directories (a clone, or a bare mirror) of
#   the two repositories below holding the pinned commits.  Without
#   --small: the full mix, OUT defaulting to $BUILD/bench/realmix.pcap
#   (build/), OUT.sources beside it naming every capture taken.  --small:
#   the committed mix, OUT defaulting to tests/bench/realmix-small.pcap and
#   its list to tests/bench/realmix.SOURCES (rebuilds the committed files).
#
# The sources (both BSD licensed: redistribution with the copyright notice,
# which tests/bench/realmix.LICENSES carries):
#   zeek/zeek@a13de64fbbdb01f90961c04719b308fbbb6d199e testing/btest/Traces/
#     BSD-3-Clause (COPYING), (c) The Regents of the University of California
#   the-tcpdump-group/tcpdump@39b50f76672bca4af7d7eb52604c5b692c6b6b2c tests/
#     BSD (LICENSE), (c) The Tcpdump Group and the authors named there
# Real traffic of many kinds: DNS, TLS, HTTP, RDP (TCP and UDP), SSH, VNC,
# ARP, DHCP, mDNS, SMB, QUIC, FTP, tunnels, IPv6, bulk TCP.  realmix.py
# keeps the classic pcaps of the link types farmhound reads, leaves out the
# files written to crash dissectors, rewrites every packet to Ethernet and
# merges them by time (its header says how).  testing/btest/Traces/modbus/
# modbus.pcap is left out: it is missing from some snapshots of the
# repository, and the mix must be the same bytes wherever it is built.
#
# Built from the commits above, the full mix is 77,090 packets, 29,336,323
# bytes (~28 MB, not committed); the small one (realmix.py --cap 6000000:
# every protocol first, then as many captures as fit) is 28,457 packets of
# 958 captures, 5,978,096 bytes, committed as tests/bench/realmix-small.pcap
# so the row runs on a fresh clone without the network.  sha256 of both
# below; the script says when the result differs.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
ZEEK_COMMIT=a13de64fbbdb01f90961c04719b308fbbb6d199e
TCPDUMP_COMMIT=39b50f76672bca4af7d7eb52604c5b692c6b6b2c
SHA256=3b0195a72b23fe979a6120ab581376c89364a7ecc1e4d815c688f6f53a8bf584
SMALL_SHA256=9db6db118b9665b57829f9608be6a8d9326efd5f095ad2bfc7512419d2e320f7
SMALL_CAP=6000000

small=
[ "${1:-}" = --small ] && { small=1; shift; }
if [ $# -lt 2 ]; then
	sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
ZG=$1 TG=$2
if [ -n "$small" ]; then
	OUT=${3:-$top/tests/bench/realmix-small.pcap}
	SOURCES=${3:+$3.sources}
	SOURCES=${SOURCES:-$top/tests/bench/realmix.SOURCES}
	CAP="--cap $SMALL_CAP" SHA256=$SMALL_SHA256
else
	OUT=${3:-$top/${BUILD:-build}/bench/realmix.pcap}
	SOURCES=$OUT.sources CAP=
fi
T=$(mktemp -d /tmp/fh-realmix.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT PIPE TERM

# extract GITDIR COMMIT PATH DEST: every file under PATH at COMMIT into
# DEST, blob by blob (a mirror may lack a few large blobs: named, skipped).
extract() {
	git --git-dir="$1" ls-tree -r "$2" -- "$3" | while read -r _mode _type obj path; do
		case $path in testing/btest/Traces/modbus/modbus.pcap) continue ;; esac
		mkdir -p "$4/$(dirname "$path")"
		git --git-dir="$1" cat-file blob "$obj" >"$4/$path" 2>/dev/null ||
			{ echo "realmix.sh: $path missing from $1, left out" >&2; rm -f "$4/$path"; }
	done
}
for g in "$ZG:$ZEEK_COMMIT" "$TG:$TCPDUMP_COMMIT"; do
	git --git-dir="${g%%:*}" cat-file -e "${g#*:}^{commit}" 2>/dev/null || {
		echo "realmix.sh: ${g%%:*} has no commit ${g#*:}" >&2
		exit 1
	}
done
extract "$ZG" "$ZEEK_COMMIT" testing/btest/Traces "$T/zeek"
extract "$TG" "$TCPDUMP_COMMIT" tests "$T/tcpdump"
mkdir -p "$(dirname "$OUT")"
# shellcheck disable=SC2086 # CAP: zero or two words
python3 "$top/tests/bench/realmix.py" $CAP "$OUT" "$SOURCES" \
	"zeek/zeek@$ZEEK_COMMIT:testing/btest/Traces=$T/zeek/testing/btest/Traces" \
	"the-tcpdump-group/tcpdump@$TCPDUMP_COMMIT:tests=$T/tcpdump/tests"
got=$(sha256sum "$OUT" | cut -d' ' -f1)
[ "$got" = "$SHA256" ] || echo "realmix.sh: $OUT differs from the reference mix (sha256 $got)" >&2
