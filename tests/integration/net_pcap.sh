#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# net_pcap.sh - farmhound --pcap over the project's own captures.
#
# build/tests/tools/pcapgen writes every fixture into a temporary
# directory (tests/tools/pcapgen.c: one capture per dissector and rule,
# every link type, the hostile cases, ordinary traffic).  Each is run
# through the shipped rules: the expected rule ids fire at the expected
# levels, ordinary captures raise nothing above notice, hostile ones are
# counted (the collector's summary line on stderr), never a crash, and the
# exit codes follow DESIGN §6 (0 nothing, 1 alerts, 2 error).
. "$(dirname "$0")/lib.sh"

GEN="$B/tests/tools/pcapgen"
T=$(mktemp -d /tmp/fh-netpcap.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT PIPE TERM

check "pcapgen writes the fixtures" "$GEN" "$T"

# run NAME [farmhound options...]: alerts as "rule:level" lines in
# $T/NAME.out, stderr in $T/NAME.err, exit status in $T/NAME.rc.
run() {
	name=$1; shift
	"$FH" --pcap "$T/$name.pcap" -r "$RULES" "$@" >"$T/$name.json" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    j = json.loads(line)
    print(j["rule"]["id"] + ":" + j["log"]["level"])
' "$T/$name.json" >"$T/$name.out" 2>>"$T/$name.err"
}
rc() { cat "$T/$1.rc"; }
# fires NAME RULE LEVEL: the rule fired at that level.
fires() { grep -qx "$2:$3" "$T/$1.out"; }
# quiet NAME: nothing above notice, and exit 0 or 1.
quiet() {
	! grep -Eq ':(warning|error|critical|alert|emergency)$' "$T/$1.out" &&
	[ "$(rc "$1")" -le 1 ]
}
# expect NAME RULE:LEVEL...: each rule at its level, and exit 1, or exit 0
# when every expected rule is info (an info record is not a finding).
expect() {
	name=$1; shift
	run "$name"
	want=0
	for rl in "$@"; do
		case ${rl##*:} in info | debug) ;; *) want=1 ;; esac
	done
	if [ "$(rc "$name")" != "$want" ]; then
		not_ok "$name: exit status $want (got $(rc "$name"); $(head -c 300 "$T/$name.err"))"
		return
	fi
	for rl in "$@"; do
		check "$name: ${rl%:*} at ${rl##*:}" fires "$name" "${rl%:*}" "${rl##*:}"
	done
}

# ---- one capture per dissector and rule ----
expect dns-anydesk net-remote-access-dns:warning
expect dns-teamviewer net-remote-access-dns:warning
expect dns-rustdesk net-remote-access-dns:warning
expect dns-chrome-remote-desktop net-remote-access-dns:warning
expect dns-ngrok net-tunnel-dns:warning
expect tls-anydesk-sni net-remote-access-tls-sni:warning
expect tls-split-clienthello net-remote-access-tls-sni:warning
expect tls-anynet-relay-cert net-anydesk-relay-certificate:warning
expect http-anydesk-ua net-remote-access-user-agent:warning
expect http-teamviewer-dyngate net-remote-access-user-agent:warning
expect teamviewer-keepalive net-remote-access-wire-signature:warning
expect rustdesk-nat-test net-remote-access-wire-signature:warning
expect anydesk-discovery net-remote-access-wire-signature:warning
expect rdp-inbound net-inbound-remote-desktop-session:error
expect vnc-inbound net-inbound-remote-desktop-session:error
expect ssh-inbound net-inbound-ssh-session:error
expect rdp-outbound net-outbound-remote-desktop-session:notice
expect vnc-outbound net-outbound-remote-desktop-session:notice
expect rdp-attempt-refused net-inbound-remote-desktop-attempt:notice
check "rdp-attempt-refused: not reported as a session" \
	sh -c "! grep -q 'remote-desktop-session' '$T/rdp-attempt-refused.out'"

# ---- the 2026 cases (issue 14) ----
# not_fires NAME RULE: the rule did not fire at all.
not_fires() { ! grep -q "^$2:" "$T/$1.out"; }
# count NAME RULE:LEVEL N: the rule fired exactly N times at that level.
count() { test "$(grep -cx "$2" "$T/$1.out")" -eq "$3"; }
# RDP over UDP: SYN and SYN+ACK, both ways; a SYN alone is an attempt.
expect rdpudp-inbound net-inbound-remote-desktop-session:error
expect rdpudp-outbound net-outbound-remote-desktop-session:notice
expect rdpudp-syn-only net-inbound-remote-desktop-attempt:notice
check "rdpudp-syn-only: no session from a SYN alone" \
	not_fires rdpudp-syn-only net-inbound-remote-desktop-session
# TeamViewer's header magic: on 5938, and on 443 only both ways.
expect teamviewer-5938 net-remote-access-wire-signature:warning
expect teamviewer-443 net-remote-access-wire-signature:warning
run teamviewer-443-oneway
check "teamviewer-443-oneway: the magic one way on 443 is not enough" \
	test ! -s "$T/teamviewer-443-oneway.out"
# VNC: a session only after the security handshake succeeded.
expect vnc-auth-inbound net-inbound-remote-desktop-session:error
expect vnc-auth-failed net-inbound-remote-desktop-attempt:notice
check "vnc-auth-failed: a failed VNC authentication is NOT an inbound session" \
	not_fires vnc-auth-failed net-inbound-remote-desktop-session
expect vnc-banner-scan net-inbound-remote-desktop-scan:info
check "vnc-banner-scan: a banner read and left is a scan, not an attempt or a session" \
	sh -c "! grep -Eq 'remote-desktop-(attempt|session)' '$T/vnc-banner-scan.out'"
expect vnc-pipelined net-inbound-remote-desktop-session:error
expect rdp-neg-failure net-inbound-remote-desktop-attempt:notice
check "rdp-neg-failure: RDP_NEG_FAILURE is not a session" \
	not_fires rdp-neg-failure net-inbound-remote-desktop-session
# Overlay VPNs, Cloudflare Tunnel and the 2026 RMM domains, each name.
expect dns-overlay-vpn net-overlay-vpn-dns:notice
check "dns-overlay-vpn: Tailscale (2), ZeroTier, NetBird (2) each at notice" \
	count dns-overlay-vpn net-overlay-vpn-dns:notice 5
expect tls-overlay-vpn-sni net-overlay-vpn-dns:notice
expect dns-cloudflare-tunnel net-tunnel-dns:warning
check "dns-cloudflare-tunnel: both argotunnel.com names" count dns-cloudflare-tunnel net-tunnel-dns:warning 2
expect dns-rmm-2026 net-remote-access-dns:warning
check "dns-rmm-2026: all 17 RMM names of the 12 families" \
	count dns-rmm-2026 net-remote-access-dns:warning 17
expect tls-rmm-2026-sni net-remote-access-tls-sni:warning
check "tls-rmm-2026-sni: all 17 server names" count tls-rmm-2026-sni net-remote-access-tls-sni:warning 17
# USB/IP: the device list and the import of a remote USB device.
expect usbip-attach net-usbip-devlist:warning net-usbip-import:error
# The event fields behind them.
"$FH" --pcap "$T/vnc-auth-failed.pcap" -r "$RULES" --explain >"$T/explain.txt" 2>&1
check "vnc-auth-failed: VNC authentication chosen, outcome auth-failed" \
	grep -q 'kind="vnc" .*direction="inbound" .*vnc_security=2 session=false outcome="auth-failed"' "$T/explain.txt"
"$FH" --pcap "$T/rdpudp-inbound.pcap" -r "$RULES" --explain >"$T/explain.txt" 2>&1
check "rdpudp-inbound: kind rdp over udp, a session" \
	grep -q 'kind="rdp" .*dst_port=3389 transport="udp" direction="inbound" session=true outcome="session"' "$T/explain.txt"
"$FH" --pcap "$T/vnc-pipelined.pcap" -r "$RULES" --explain >"$T/explain.txt" 2>&1
check "vnc-pipelined: the client's banner and choice in one segment, the server's version kept" \
	grep -q 'kind="vnc" .*vnc_version="003.008" vnc_security=1 session=true outcome="session"' "$T/explain.txt"
"$FH" --pcap "$T/teamviewer-443.pcap" -r "$RULES" --explain >"$T/explain.txt" 2>&1
check "teamviewer-443: the header signature, not the keep-alive" \
	grep -q 'kind="teamviewer" .*dst_port=443 .*signature="teamviewer-protocol"' "$T/explain.txt"

expect lan-pikvm-mdns net-lan-kvm-mdns-service:error net-lan-kvm-hostname:warning
expect lan-jetkvm-mdns net-lan-kvm-hostname:warning
expect lan-glkvm-dhcp net-lan-kvm-hostname:warning net-lan-kvm-vendor-mac:notice
expect lan-raspberrypi-arp net-lan-kvm-vendor-mac:notice

# The event fields behind the alerts (--explain prints the events).
"$FH" --pcap "$T/rdp-inbound.pcap" -r "$RULES" --explain >"$T/explain.txt" 2>&1
check "rdp-inbound: cookie, protocols, session and direction in the event" \
	grep -q 'kind="rdp" src_ip=198.51.100.7 .*dst_port=3389 .*direction="inbound" rdp_cookie="mstshash=operator" rdp_protocols=3 session=true' "$T/explain.txt"
"$FH" --pcap "$T/tls-split-clienthello.pcap" -r "$RULES" --explain >"$T/explain.txt" 2>&1
check "tls-split-clienthello: SNI and ALPN reassembled from two segments" \
	grep -q 'tls_sni="remotedesktop-pa.googleapis.com" alpn="h2"' "$T/explain.txt"

# ---- bounded state ----
printf '[collector.net]\nflow_table_size = 64\n' >"$T/small.conf"
run flood-then-rdp -c "$T/small.conf"
check "a 20000-source SYN flood through a 64-flow table: the RDP session in the middle is still seen" \
	fires flood-then-rdp net-inbound-remote-desktop-session error
check "the flood itself raises nothing" test "$(wc -l <"$T/flood-then-rdp.out")" -eq 1
"$FH" --pcap "$T/dns-repeat.pcap" -r "$RULES" --explain >"$T/explain.txt" 2>&1
check "50 lookups of one name within a minute: one event" \
	test "$(grep -c '^# event net: .*dns_query=' "$T/explain.txt")" -eq 1

# ---- company laptops on the same LAN: needs fleet_hostname ----
run lan-fleet-siblings
check "lan-fleet-siblings without fleet_hostname: nothing fires" quiet lan-fleet-siblings
printf '[collector.net]\nfleet_hostname = lt-*\n' >"$T/fleet.conf"
run lan-fleet-siblings -c "$T/fleet.conf" --explain
check "fleet siblings: DHCP, NetBIOS, mDNS and LLMNR names all flagged" \
	test "$(grep -c 'fleet_sibling=true' "$T/lan-fleet-siblings.json")" -eq 4
run lan-fleet-siblings -c "$T/fleet.conf"
check "lan-fleet-siblings: net-lan-fleet-sibling at warning" \
	fires lan-fleet-siblings net-lan-fleet-sibling warning
run ordinary-lan -c "$T/fleet.conf"
check "ordinary-lan with fleet_hostname: no sibling" \
	sh -c "! grep -q fleet-sibling '$T/ordinary-lan.out'"

# ---- remote_country from a MaxMind database (written here with
# libmaxmind-db-writer-perl): 198.51.100.0/24 -> KP, 203.0.113.0/24 -> US;
# the fleet expects US ----
if perl -e '
use MaxMind::DB::Writer::Tree;
my $t = MaxMind::DB::Writer::Tree->new(ip_version => 6, record_size => 24,
  database_type => "GeoIP2-Country", languages => ["en"],
  description => { en => "farmhound net test" }, remove_reserved_networks => 0,
  alias_ipv6_to_ipv4 => 1,
  map_key_type_callback => sub { { country => "map", iso_code => "utf8_string" }->{ $_[0] } });
$t->insert_network("198.51.100.0/24", { country => { iso_code => "KP" } });
$t->insert_network("203.0.113.0/24", { country => { iso_code => "US" } });
open my $fh, ">:raw", $ARGV[0] or die; $t->write_tree($fh); close $fh or die;
' "$T/geo.mmdb" 2>"$T/mmdb.err"; then
	printf '[geo]\ncountries = US\ndatabase = %s\n' "$T/geo.mmdb" >"$T/geo.conf"
	run rdp-inbound -c "$T/geo.conf"
	check "rdp-inbound from KP with [geo] countries = US: unexpected-country at critical" \
		fires rdp-inbound net-remote-session-unexpected-country critical
	check "the alert names the country" grep -q '"remote_country":"KP","remote_country_expected":false' "$T/rdp-inbound.json"
	run tls-split-clienthello -c "$T/geo.conf"
	check "an outbound flow to US: remote_country_expected true" \
		grep -q '"remote_country":"US","remote_country_expected":true' "$T/tls-split-clienthello.json"
	run rdp-inbound
	check "without a database: no country, no location alert" \
		sh -c "! grep -q remote_country '$T/rdp-inbound.json' && ! grep -q unexpected-country '$T/rdp-inbound.out'"
else
	not_ok "write a MaxMind test database ($(head -c 200 "$T/mmdb.err"))"
fi

# ---- every link type, VLANs, IPv6 ----
for l in link-sll link-sll2 link-raw link-null link-loop link-ipv4 link-ipv6 vlan-8021q \
	ipv6-ext-headers; do
	run "$l"
	check "$l: exit status 1" test "$(rc "$l")" = 1
	case $l in
	link-ipv6|ipv6-ext-headers) ;;
	*) check "$l: DNS and RDP session decoded" sh -c \
		"grep -q net-remote-access-dns '$T/$l.out' && grep -q net-inbound-remote-desktop-session:error '$T/$l.out'" ;;
	esac
	case $l in
	link-ipv4|vlan-8021q) ;;
	*) check "$l: IPv6 decoded" sh -c "grep -Eq 'net-remote-access-(dns|tls-sni)|remote-desktop-session' '$T/$l.out'" ;;
	esac
done
check "link-ipv6: inbound VNC session over IPv6" fires link-ipv6 net-inbound-remote-desktop-session error
check "ipv6-ext-headers: DNS behind a hop-by-hop header" fires ipv6-ext-headers net-remote-access-dns warning

# ---- hostile and tricky captures: counted, not crashed, not guessed ----
for h in truncated dns-compression-loop ipv4-fragments portscan-3389-5900 rdp-midstream \
	http-on-port-22; do
	run "$h"
	check "$h: exit status 0 or 1, no crash" test "$(rc "$h")" -le 1
	check "$h: nothing above notice" quiet "$h"
done
check "truncated: the cut ClientHello is counted" grep -q ', 1 cut short by the capture' "$T/truncated.err"
check "dns-compression-loop: both loops skipped and counted" grep -q ' 2 skipped' "$T/dns-compression-loop.err"
check "ipv4-fragments: the fragment is skipped and counted" grep -q ' 1 skipped' "$T/ipv4-fragments.err"
check "portscan: SYN/RST to 3389 and 5900 is not a session or an attempt" \
	test ! -s "$T/portscan-3389-5900.out"
check "rdp-midstream: no session without the handshake" test ! -s "$T/rdp-midstream.out"
"$FH" --pcap "$T/http-on-port-22.pcap" -r "$RULES" --explain >"$T/explain.txt" 2>&1
check "http-on-port-22: seen as HTTP, not SSH" \
	sh -c "grep -q 'kind=\"http\".*dst_port=22' '$T/explain.txt' && ! grep -q 'kind=\"ssh\"' '$T/explain.txt'"

# ---- ordinary traffic stays quiet ----
for o in ordinary-dns ordinary-https ordinary-bulk ordinary-lan ordinary-ssh-outbound; do
	run "$o"
	check "$o: nothing above notice" quiet "$o"
done
check "ordinary-bulk: bulk segments never reach the dissectors (5 packets pass the filter)" \
	grep -q ': 5 packets passed the filter' "$T/ordinary-bulk.err"

# ---- exit codes ----
"$FH" --pcap "$T/no-such-file.pcap" -r "$RULES" >/dev/null 2>"$T/missing.err"
check "missing capture: exit 2" test $? -eq 2
check "missing capture: says why" grep -q 'No such file' "$T/missing.err"
head -c 100 /dev/urandom >"$T/corrupt.pcap"
"$FH" --pcap "$T/corrupt.pcap" -r "$RULES" >/dev/null 2>&1
check "corrupt capture: exit 2" test $? -eq 2
head -c 200 "$T/ordinary-bulk.pcap" >"$T/cut-file.pcap"
"$FH" --pcap "$T/cut-file.pcap" -r "$RULES" >/dev/null 2>&1
check "capture file cut mid-record: exit 2" test $? -eq 2
run ordinary-dns
check "nothing fired: exit 0" test "$(rc ordinary-dns)" = 0
"$FH" --scan -r "$RULES" >/dev/null 2>"$T/scan.err"
check "--scan leaves live capture to the daemon" grep -q 'live capture runs in the daemon' "$T/scan.err"

# ---- the field table ----
"$FH" --fields net >"$T/fields.txt"
for f in action kind src_ip src_port dst_ip dst_port transport direction dns_query tls_sni \
	http_host user_agent rdp_cookie vnc_version ssh_banner neighbor_mac neighbor_vendor \
	neighbor_name mdns_service remote_country remote_country_expected session signature \
	fleet_sibling outcome vnc_security; do
	grep -q "^  $f " "$T/fields.txt" || { not_ok "--fields net lists $f"; continue; }
done
ok "--fields net lists the DESIGN §3 fields and the extras"
finish
