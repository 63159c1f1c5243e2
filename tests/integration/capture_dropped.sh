#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# capture_dropped.sh - packets the kernel dropped before farmhound read
# them are not lost silently: the daemon capturing on lo is stopped
# (SIGSTOP) while tens of thousands of TCP SYNs (which pass the BPF filter)
# cross lo, so its capture ring overflows; once resumed, pcap_stats() shows
# the drops and a farmhound-capture-dropped notice with the count reaches
# syslog, and the heartbeat carries the total.
#
# No sleeps: the absence of a notice before the flood is asserted after two
# heartbeats (the daemon reads its capture statistics at least once per
# heartbeat, before sending it), and the total is asserted on the first
# heartbeat after the notice.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	ok "# SKIP live capture needs root"
	finish
	exit $?
fi
T=$(mktemp -d /tmp/fh-drop.XXXXXX)
rp="" fp=""
cleanup() {
	[ -n "$fp" ] && kill -CONT "$fp" 2>/dev/null
	for p in $fp $rp; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM
# The first heartbeat from now on counts drops.
next_hb_counts_drops() {
	next_heartbeat "$T/out.log" && last_heartbeat "$T/out.log" | grep -q '"dropped":[1-9]'
}

cat >"$T/farmhound.conf" <<EOC
[agent]
heartbeat_interval = 1s
[output]
syslog_socket = $T/log.sock
[collector.net]
interfaces = lo
$(collectors_only net)
EOC
dgram_receiver "$T/log.sock" "$T/out.log"
rp=$recv_pid
"$FH" -c "$T/farmhound.conf" -r "$RULES" 2>"$T/fh.err" &
fp=$!
check "the daemon captures on lo" wait_for "$T/out.log" '"id":"farmhound-started"' 10
check "two heartbeats (the statistics were read since the start)" \
	next_heartbeat "$T/out.log" 2
check "no drop notice while nothing is dropped" \
	test "$(count "$T/out.log" farmhound-capture-dropped)" -eq 0
kill -STOP "$fp"
# Connection attempts to a closed port: a SYN and a RST each, both pass
# the kernel filter (TCP flags), about 40000 packets in all.
python3 -c '
import socket
for i in range(20000):
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", 9))
    except OSError:
        pass
    s.close()
'
kill -CONT "$fp"
check "a farmhound-capture-dropped notice reaches syslog" \
	wait_for "$T/out.log" '"id":"farmhound-capture-dropped"'
check "... naming the net collector and a count" \
	grep -q '"id":"farmhound-capture-dropped".*"collector":"net".*"dropped":[1-9]' "$T/out.log"
# Every heartbeat sent after the notice counts the drops it announced.
check "the next heartbeat carries the total dropped" next_hb_counts_drops
check "the daemon kept running" kill -0 "$fp"
stop_daemon "$fp"
fp=""
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" = 0
finish
