#!/bin/sh
# capture_dropped.sh - packets the kernel dropped before farmhound read
# them are not lost silently: the daemon capturing on lo is stopped
# (SIGSTOP) while tens of thousands of TCP SYNs (which pass the BPF filter)
# cross lo, so its capture ring overflows; once resumed, pcap_stats() shows
# the drops and a farmhound-capture-dropped notice with the count reaches
# syslog, and the heartbeat carries the total.
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
check "no drop notice while nothing is dropped" \
	sh -c "sleep 1.5; ! grep -q farmhound-capture-dropped '$T/out.log'"
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
	wait_for "$T/out.log" '"id":"farmhound-capture-dropped"' 8
check "... naming the net collector and a count" \
	grep -q '"id":"farmhound-capture-dropped".*"collector":"net".*"dropped":[1-9]' "$T/out.log"
check "a later heartbeat carries the total dropped" \
	sh -c "sleep 1.5; grep '\"id\":\"farmhound-heartbeat\"' '$T/out.log' | tail -1 | grep -q '\"dropped\":[1-9]'"
check "the daemon kept running" kill -0 "$fp"
stop_daemon "$fp"
fp=""
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" = 0
finish
