#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# forward.sh - the shipped rsyslog forwarding example, end to end.
#
# Two real rsyslogd instances on loopback stand for the laptop's syslog
# daemon and the SIEM:
#
#   farmhound (daemon, in a umockdev testbed with the PiKVM plugged)
#     -> unix socket -> rsyslogd "laptop": a copy to laptop.log, and
#        packaging/rsyslog/60-farmhound.conf, only its target and port
#        changed, forwarding over TCP
#     -> rsyslogd "siem" (imtcp on 127.0.0.1, a free port) -> siem.log
#
# Checks: the example itself is valid rsyslog configuration (rsyslogd -N1);
# the agent's alerts reach the SIEM as the same JSON the laptop received
# (parsed with python3 and compared object for object, and byte for byte);
# a message from another program is not forwarded; SIGTERM -> farmhound
# exits with status 0.  Neither rsyslogd reads the host's socket, kernel
# log or journal.
#
# No sleeps: "not forwarded" is asserted once a farmhound alert sent after
# the other program's message (farmhound-reload-ok, on SIGHUP) reached the
# SIEM -- the laptop's rsyslogd handles messages in order (one main queue
# worker, set below), so a wrongly forwarded message would be there first --
# and "every alert arrives" is waited for, since the SIEM may still be
# receiving the last ones.
. "$(dirname "$0")/lib.sh"

EXAMPLE="$top/packaging/rsyslog/60-farmhound.conf"
PIKVM="$FIX/usb/pikvm.umockdev"
T=$(mktemp -d /tmp/fh-forward.XXXXXX)
run_pid=""

cleanup() {
	[ -f "$T/fh.pid" ] && kill "$(cat "$T/fh.pid")" 2>/dev/null
	for i in laptop siem; do
		[ -f "$T/$i.pid" ] && kill "$(cat "$T/$i.pid")" 2>/dev/null
	done
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM


# ---- the example is valid rsyslog configuration as shipped ----
mkdir -p "$T/check-work"
cat >"$T/check.conf" <<EOC
global(workDirectory="$T/check-work")
include(file="$EXAMPLE")
EOC
check "packaging/rsyslog/60-farmhound.conf passes rsyslogd -N1" \
	rsyslogd -N1 -f "$T/check.conf"
check "the example forwards only farmhound's messages, over TCP" \
	sh -c "grep -q \"^if \\\$programname == 'farmhound' then\" '$EXAMPLE' &&
		grep -q 'protocol=\"tcp\"' '$EXAMPLE'"

# ---- the SIEM: imtcp on a free loopback port ----
mkdir -p "$T/siem-work"
cat >"$T/siem.conf" <<EOC
global(workDirectory="$T/siem-work")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="$T/siem.port")
template(name="raw" type="string" string="%hostname% %app-name% %msg%\n")
*.* action(type="omfile" file="$T/siem.log" template="raw")
EOC
rsyslogd -n -f "$T/siem.conf" -i "$T/siem.pid" 2>"$T/siem.err" &
check "SIEM rsyslogd listens on a loopback TCP port" wait_until 10 test -s "$T/siem.port"
port=$(cat "$T/siem.port" 2>/dev/null)

# ---- the laptop: a private imuxsock socket plus the example ----
mkdir -p "$T/laptop-work"
sed -e 's/target="siem\.example\.com"/target="127.0.0.1"/' \
	-e "s/port=\"6514\"/port=\"$port\"/" "$EXAMPLE" >"$T/60-farmhound.conf"
check "only the example's target and port were changed for the test" \
	sh -c "test \"\$(diff '$EXAMPLE' '$T/60-farmhound.conf' | grep -c '^>')\" -eq 1"
cat >"$T/laptop.conf" <<EOC
global(workDirectory="$T/laptop-work")
# In order: what the test's sync point relies on.
main_queue(queue.workerThreads="1")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$T/log.sock" CreatePath="on")
template(name="raw" type="string" string="%hostname% %app-name% %msg%\n")
*.* action(type="omfile" file="$T/laptop.log" template="raw")
include(file="$T/60-farmhound.conf")
EOC
rsyslogd -n -f "$T/laptop.conf" -i "$T/laptop.pid" 2>"$T/laptop.err" &
check "laptop rsyslogd listens on its private socket" wait_socket "$T/log.sock"
check "neither rsyslogd loaded imklog or imjournal" \
	sh -c "! grep -Eq 'imklog|imjournal' /proc/\$(cat '$T/laptop.pid')/maps \
		/proc/\$(cat '$T/siem.pid')/maps"

# ---- farmhound, default framing (rfc3164), with the PiKVM plugged ----
cat >"$T/farmhound.conf" <<EOC
[agent]
hostname = fh-forward-host
[output]
syslog_socket = $T/log.sock
EOC
umockdev-run -d "$PIKVM" -- sh -c 'echo $$ >"$1"; shift; exec "$@"' _ "$T/fh.pid" \
	"$FH" -c "$T/farmhound.conf" -r "$RULES" >"$T/fh.out" 2>"$T/fh.err" &
run_pid=$!
check "farmhound-started reaches the SIEM" \
	wait_for "$T/siem.log" '"rule":\{"id":"farmhound-started"'
check "the PiKVM alert reaches the SIEM" \
	wait_for "$T/siem.log" '"rule":\{"id":"ip-kvm-pikvm"'
logger -u "$T/log.sock" -t not-farmhound "unrelated message"
check "another program's message reaches the laptop log" \
	wait_for "$T/laptop.log" ' not-farmhound +unrelated message'
# The sync point: an alert farmhound sends after that message.
kill -HUP "$(cat "$T/fh.pid")"
check "an alert sent after it (reload-ok on SIGHUP) reaches the SIEM" \
	wait_for "$T/siem.log" '"rule":\{"id":"farmhound-reload-ok"'
check "... but not the other program's message" \
	sh -c "! grep -q 'unrelated message' '$T/siem.log'"
# RFC 3164 from /dev/log carries no host name (as syslog(3)): the laptop's
# rsyslogd adds its own, and the SIEM must see that one, not its own.
check "the SIEM sees the laptop's host name and the program name farmhound" \
	sh -c "test \"\$(grep -m1 '\"farmhound-started\"' '$T/laptop.log' | cut -d' ' -f1-2)\" = \
		\"\$(grep -m1 '\"farmhound-started\"' '$T/siem.log' | cut -d' ' -f1-2)\" &&
		grep -m1 '\"farmhound-started\"' '$T/siem.log' | grep -q '^[^ ]* farmhound '"

# Every alert the laptop received arrived at the SIEM, as the same JSON:
# same objects once parsed, and the same bytes (rsyslog's RFC 3164 message
# property keeps the blank after "farmhound:", so it is stripped).
compare() {
	python3 - "$T/laptop.log" "$T/siem.log" <<'EOP'
import json, sys

def alerts(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            host, app, msg = line.rstrip("\n").split(" ", 2)
            if app != "farmhound":
                continue
            msg = msg.lstrip(" ")
            obj = json.loads(msg)
            out[(obj["rule"]["id"], obj["@timestamp"])] = (msg, obj)
    return out

laptop, siem = alerts(sys.argv[1]), alerts(sys.argv[2])
if len(laptop) < 2:
    sys.exit("only %d alerts at the laptop" % len(laptop))
for key, (msg, obj) in laptop.items():
    if key not in siem:
        sys.exit("%s missing at the SIEM" % (key,))
    if siem[key][1] != obj:
        sys.exit("%s differs once parsed" % (key,))
    if siem[key][0] != msg:
        sys.exit("%s differs in its bytes" % (key,))
    if obj["farmhound"]["source"] == "usb" and obj["farmhound"]["fields"].get("serial") != "CAFEBABE":
        sys.exit("%s lost its fields" % (key,))
EOP
}
compare_quiet() { compare 2>"$T/compare.err"; }
if wait_until 10 compare_quiet; then
	ok "every alert arrives at the SIEM intact (JSON parsed and compared)"
else
	not_ok "every alert arrives at the SIEM intact: $(tail -n 1 "$T/compare.err")"
fi

# umockdev-run exits with farmhound's status (the signal number if killed).
stop_daemon "$(cat "$T/fh.pid")" "$run_pid"
check "farmhound exits cleanly on SIGTERM (status $rc)" test "$rc" = 0
finish
