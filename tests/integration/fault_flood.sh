#!/bin/sh
# fault_flood.sh - floods against the memory bounds: a million distinct DNS
# names and a million distinct flows (pcapgen --flood, read with --pcap).
#
# Resident memory must not grow with the flood: the peak (VmHWM, from
# /usr/bin/time -v or the kernel's ru_maxrss) of the 1M-item run stays
# within 1 MiB of a 1000-item run of the same kind, and under 16 MiB; and
# alerts keep flowing: every 100000th item is detectable (an AnyDesk relay
# lookup, an inbound RDP session) and all ten are seen.  Under the
# sanitizers (FH_SANITIZED) memory figures mean nothing: only the alerts
# are checked.
. "$(dirname "$0")/lib.sh"

if [ ! -x /usr/bin/time ]; then
	not_ok "/usr/bin/time missing (Debian package time, in DEPS_TEST)"
	finish
	exit $?
fi

PCAPGEN="$B/tests/tools/pcapgen"
N=${FLOOD_N:-1000000}
T=$(mktemp -d /tmp/fh-fflood.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
trap 'exit 1' HUP INT PIPE TERM

# run KIND COUNT: flood file, then farmhound --pcap; peak RSS (KiB) in
# $T/KIND-COUNT.rss, alerts in $T/KIND-COUNT.out.
run() {
	f="$T/$1-$2.pcap"
	"$PCAPGEN" --flood "$1" "$f" "$2" >/dev/null || return 1
	# /usr/bin/time: the peak resident set (ru_maxrss, KiB) of farmhound
	# itself (a small parent, so the pre-exec fork copy does not count).
	/usr/bin/time -f %M -o "$T/$1-$2.rss" "$FH" --pcap "$f" -r "$RULES" \
		>"$T/$1-$2.out" 2>"$T/$1-$2.err"
	echo $? >"$T/$1-$2.rc"
	rm -f "$f"
}
rss() { tail -n 1 "$T/$1-$2.rss"; }	# time adds "Command exited..." first

# ---- a million distinct DNS names ----
run dns 1000
run dns "$N"
check "--pcap reads $N distinct DNS lookups (exit $(cat "$T/dns-$N.rc"): alerts)" \
	test "$(cat "$T/dns-$N.rc")" -eq 1
check "... $((2 * N)) packets passed, none skipped" \
	grep -q ": $((2 * N)) packets passed the filter, 0 skipped" "$T/dns-$N.err"
want=$((N / 100000))
got=$(grep -c '"id":"net-remote-access-dns"' "$T/dns-$N.out")
check "alerts keep flowing: every AnyDesk lookup among the flood alerted ($got of $want)" \
	test "$got" -eq "$want"
echo "# dns: 1000 names peak $(rss dns 1000) KiB, $N names peak $(rss dns "$N") KiB"
if [ -n "${FH_SANITIZED:-}" ]; then
	ok "# SKIP memory bound: sanitizer build"
else
	check "memory does not grow with the names ($(rss dns "$N") - $(rss dns 1000) KiB < 1024)" \
		test $(($(rss dns "$N") - $(rss dns 1000))) -lt 1024
	check "peak resident memory under 16 MiB ($(rss dns "$N") KiB)" test "$(rss dns "$N")" -lt 16384
fi

# ---- a million distinct flows ----
run flows 1000
run flows "$N"
check "--pcap reads $N distinct flows" grep -q "packets passed the filter, 0 skipped" "$T/flows-$N.err"
check "alerts keep flowing: all $want inbound RDP sessions among the flood were seen" \
	grep -q "\"id\":\"rdp-inbound-repeated\".*($want times)" "$T/flows-$N.out"
echo "# flows: 1000 flows peak $(rss flows 1000) KiB, $N flows peak $(rss flows "$N") KiB"
if [ -n "${FH_SANITIZED:-}" ]; then
	ok "# SKIP memory bound: sanitizer build"
else
	check "memory does not grow with the flows ($(rss flows "$N") - $(rss flows 1000) KiB < 1024)" \
		test $(($(rss flows "$N") - $(rss flows 1000))) -lt 1024
	check "peak resident memory under 16 MiB ($(rss flows "$N") KiB)" test "$(rss flows "$N")" -lt 16384
fi
finish
