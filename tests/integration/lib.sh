# SPDX-License-Identifier: Apache-2.0
# Shared by the integration suites: TAP output and the paths they use.
# Source it; call ok/not_ok/check; call finish at the end.
# FH_SUITE_TOP: the project for a suite written elsewhere (harness_crash.sh).
top=${FH_SUITE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
B="$top/${BUILD:-build}"
FH="$B/farmhound"
RULES="$top/rules/rules.d"
FIX="$top/tests/fixtures"
_n=0
_fail=0

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); _fail=$((_fail + 1)); echo "not ok $_n - $*"; }
# check "description" command...: ok if the command succeeds.
check() { d=$1; shift; if "$@"; then ok "$d"; return 0; fi; not_ok "$d"; return 1; }
finish() { echo "1..$_n"; [ "$_fail" -eq 0 ]; }
# ---- crashes (tests/cores.sh) ----
# Every program a suite runs may dump core into the run's FH_CORE_DIR
# (tests/run.sh sets it up; run a single suite as tests/run.sh SUITE to
# get it); run.sh reports any core after the suite.  crash_check tells it
# where it happened: call it with the exit status of a program the suite
# ran and what it was (command line, fixture).
. "$top/tests/cores.sh"
ulimit -c unlimited 2>/dev/null
core_not_ok() { not_ok "$@"; }
# crash_check STATUS WHAT...: if STATUS is a crash (SIGSEGV, SIGABRT...),
# say so with WHAT (the command line and fixture) and report its core (a
# not_ok and the backtrace of every thread); returns 1 then.
crash_check() {
	_cc=$1; shift
	is_crash "$_cc" || return 0
	echo "# crash: status $_cc ($(signal_name "$_cc")) of: $*"
	cores_report "$(basename "$0" .sh)" &&
		not_ok "crashed on $(signal_name "$_cc") and left no core: $*"
	return 1
}
# ---- time: a test asserts behaviour, never the speed of the machine ----
# Every wait in a suite is "until a condition holds, or a deadline": the
# deadline is generous (about 10x the typical time on a quiet machine) and
# scaled by FH_TIME_SCALE, one factor for the whole run (1 by default;
# `make test-asan` raises it, since the sanitized daemon and umockdev run
# several times slower).  A deadline that passes is a failure of the
# behaviour waited for, never a measurement.
FH_TIME_SCALE=${FH_TIME_SCALE:-1}
# deadline SECONDS: SECONDS (an integer) scaled by FH_TIME_SCALE, in
# tenths of a second (the polling unit of the helpers below).
deadline() { echo $(($1 * FH_TIME_SCALE * 10)); }
# wait_until SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds
# (0) or the scaled deadline passes (1).
wait_until() {
	_wn=$(deadline "$1"); shift
	_wi=0
	while ! "$@"; do
		[ $_wi -ge $_wn ] && return 1
		sleep 0.1; _wi=$((_wi + 1))
	done
	return 0
}
# wait_for FILE REGEX [SECONDS]: until a line of FILE matches the extended
# regex REGEX (default deadline 10 s, scaled).
wait_for() { wait_until "${3:-10}" grep -Eq "$2" "$1" 2>/dev/null; }
# wait_count FILE REGEX N [SECONDS]: until FILE has at least N lines
# matching REGEX (default deadline 10 s, scaled).
wait_count() { wait_until "${4:-10}" _count_ge "$1" "$2" "$3"; }
_count_ge() { [ "$(count "$1" "$2")" -ge "$3" ]; }
# wait_gone PID [SECONDS]: until process PID has exited.
wait_gone() { wait_until "${2:-10}" _gone "$1"; }
_gone() { ! kill -0 "$1" 2>/dev/null; }
# wait_socket PATH [SECONDS]: until PATH is a socket.
wait_socket() { wait_until "${2:-10}" test -S "$1"; }
# HB: the heartbeat alert, as a regex for the helpers here.
HB='"id":"farmhound-heartbeat"'
# next_heartbeat FILE [N] [SECONDS]: until N (default 1) heartbeats more
# than FILE holds now have arrived.  A heartbeat is the daemon's "I went
# round the loop": waiting for one after an action is the sync point that
# lets a suite assert something did NOT happen (no alert, a counter
# unchanged) without a sleep standing in for "long enough".
next_heartbeat() {
	_hb0=$(count "$1" "$HB")
	wait_count "$1" "$HB" $((_hb0 + ${2:-1})) "${3:-10}"
}
# last_heartbeat FILE: the newest heartbeat line of FILE.
last_heartbeat() { grep "$HB" "$1" | tail -n 1; }
# collectors_only NAME...: configuration lines turning every other
# collector off, for a suite about one source: the machine's own
# processes, listeners and traffic (another suite running beside it) must
# not add alerts.  Print into a config file or a heredoc.
collectors_only() {
	for _c in usb display process socket host net input; do
		case " $* " in *" $_c "*) continue ;; esac
		printf '[collector.%s]\nenabled = no\n' "$_c"
	done
}
# dgram_receiver SOCKET FILE [MODE]: bind a unix datagram socket at SOCKET
# (the daemon's syslog_socket, or NOTIFY_SOCKET) and append every datagram
# to FILE as one line, in the background; its pid is left in recv_pid.
# Returns once the socket is there (up to 5 s; 1 if it never came), chmod'ed
# to MODE if given (for a daemon running as another user).
dgram_receiver() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    d = s.recv(65536)
    with open(sys.argv[2], "ab") as f:
        f.write(d + b"\n")
' "$1" "$2" &
	recv_pid=$!
	wait_socket "$1" 5 || return 1
	[ -z "${3:-}" ] || chmod "$3" "$1"
}
# stop_daemon PID [WAITPID]: SIGTERM to PID (the daemon), then wait up to
# 10 s (scaled) for WAITPID (default PID; a child of this shell: the daemon itself,
# or the testbed helper that exits with the daemon's status) and leave its
# exit status in rc, "timeout" if it had to be killed.  Suites assert rc is
# 0: under make test-asan a leak or error report at exit aborts the daemon
# (status 134), which nothing else would notice.
stop_daemon() {
	kill -TERM "$1" 2>/dev/null
	_w=${2:-$1}
	if ! wait_gone "$_w" 10; then
		kill -KILL "$1" "$_w" 2>/dev/null
		wait "$_w" 2>/dev/null
		rc=timeout
	else
		wait "$_w"; rc=$?
		crash_check "$rc" "the daemon (pid $1)"
	fi
}
# count FILE REGEX: how many lines of FILE match the extended REGEX (0
# when none, or no file yet).
count() { c=$(grep -Ec "$2" "$1" 2>/dev/null); echo "${c:-0}"; }
# testbed_scratch NAME: for a suite running the daemon in a umockdev
# testbed through tests/integration/uevent.c (which writes the daemon's
# pid to $T/fh.pid): T, a fresh directory, and an exit trap that stops the
# daemon, $helper_pid and $recv_pid and removes $T (KEEP=1 keeps it).
testbed_scratch() {
	T=$(mktemp -d "/tmp/fh-$1.XXXXXX") || exit 2
	recv_pid="" helper_pid=""
	trap _testbed_cleanup EXIT
	trap 'exit 1' HUP INT PIPE TERM
}
_testbed_cleanup() {
	[ -f "$T/fh.pid" ] && kill "$(cat "$T/fh.pid")" 2>/dev/null
	for _p in $helper_pid $recv_pid; do kill "$_p" 2>/dev/null; done
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
# ctl COMMAND: one command to the testbed helper (uevent.c) through
# $T/ctl; true once it acknowledged it "done" in $T/fh.pid.ack.
ctl() {
	before=$(count "$T/fh.pid.ack" .)
	# Opening a fifo for writing blocks while nobody reads it (the helper
	# died): bound it.
	timeout 5 sh -c 'echo "$1" >"$2"' _ "$1" "$T/ctl" || return 1
	wait_count "$T/fh.pid.ack" . $((before + 1)) 5
	tail -n 1 "$T/fh.pid.ack" 2>/dev/null | grep -q '^done'
}
# build_shim NAME [LIBS...]: compile $T/NAME.c into the LD_PRELOAD
# library $T/NAME.so; if the compiler refuses, the suite fails here
# (not_ok, finish, exit).
build_shim() {
	_s=$1; shift
	${CC:-cc} -shared -fPIC -O2 -o "$T/$_s.so" "$T/$_s.c" -ldl "$@" 2>"$T/$_s.cc.err" && return 0
	not_ok "cannot build the $_s shim: $(head -n 1 "$T/$_s.cc.err")"
	finish
	exit $?
}
# test_rule ID SOURCE MITRE WHEN [LINE...]: a rule for a suite's own
# probe (notice, category test, score 0), on stdout; LINEs ("cooldown =
# 1h") are appended to it.
test_rule() {
	printf '[rule %s]\nname        = test probe %s\nsource      = %s\nwhen        = %s\n' \
		"$1" "$1" "$2" "$4"
	printf 'severity    = notice\nconfidence  = low\ncategory    = test\nscore       = 0\n'
	printf 'mitre       = %s\nreferences  = tests/integration/%s\n' "$3" "$(basename "$0")"
	shift 4
	for _l in "$@"; do printf '%s\n' "$_l"; done
}
# json_daemon_conf [LINE...]: the head of a daemon configuration, on
# stdout: heartbeats every second, JSON alerts to $T/log.sock; LINEs go
# into [agent].
json_daemon_conf() {
	printf '[agent]\nheartbeat_interval = 1s\n'
	for _l in "$@"; do printf '%s\n' "$_l"; done
	printf '[output]\nformat = json\nsyslog_socket = %s/log.sock\n' "$T"
}
# process_probe_conf [LINE...]: the configuration of the suites that watch
# processes start, on stdout: heartbeats every second, JSON alerts to
# $T/log.sock, only the process collector, walking /proc every second;
# LINEs go into [agent].
process_probe_conf() {
	json_daemon_conf "$@"
	collectors_only process
	printf '[collector.process]\nrescan_interval = 1s\n'
}
# alert_expr FILE RULE EXPR: the python expression EXPR over the first alert
# of RULE in FILE (JSON lines, a syslog header before the "{" allowed), with
# `a` the alert and `f` its farmhound.fields; nothing if RULE never fired.
alert_expr() {
	python3 -c '
import json, sys
for line in open(sys.argv[1], errors="replace"):
    try:
        a = json.loads(line[line.index("{"):])
    except ValueError:
        continue
    if a.get("rule", {}).get("id") == sys.argv[2]:
        f = a.get("farmhound", {}).get("fields", {})
        print(eval(sys.argv[3]))
        break' "$1" "$2" "$3" 2>/dev/null
}
# json_alerts FILE [SOURCE]: one "rule-id level" line per JSON alert line of
# FILE (only SOURCE's alerts when given), or "BAD-JSON <line number>" for a
# line that is not a JSON alert.  The scan suites judge these lines.
json_alerts() {
	python3 -c '
import json, sys
src = sys.argv[2] if len(sys.argv) > 2 else None
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for n, line in enumerate(f, 1):
        if not line.strip():
            continue
        try:
            a = json.loads(line)
            if src is None or a["farmhound"]["source"] == src:
                print(a["rule"]["id"], a["log"]["level"])
        except (ValueError, KeyError, TypeError):
            print("BAD-JSON", n)
' "$@"
}
# ---- running as another user ----
# NOBODY: the uid (and gid) suites drop to, as the unit's User= would.
NOBODY=65534
# as_nobody CMD...: CMD as uid/gid $NOBODY, no supplementary groups (the
# caller adds capability options where the suite needs them).
as_nobody() { setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$@"; }
# stage_for_others DIR: a clone may sit under a directory only root can
# enter (mktemp -d makes them 0700), where uid $NOBODY cannot reach
# build/farmhound, the shipped rules or the fixtures.  Copy the three into
# DIR (made 0755 here; DIR itself must be somewhere others can traverse,
# such as /tmp) and point FH, RULES and FIX at the copies.  Returns 1 after
# a not_ok naming the cause if $NOBODY still cannot run the copy, so a
# suite never reports "the daemon does not start" for a path problem.
stage_for_others() {
	mkdir -p "$1" && chmod 0755 "$1" &&
		mkdir -p "$1/stage/bin" &&
		cp "$FH" "$1/stage/bin/farmhound" &&
		cp -r "$RULES" "$1/stage/rules.d" &&
		cp -r "$FIX" "$1/stage/fixtures" &&
		chmod -R a+rX "$1/stage" || {
		not_ok "cannot stage the binary, rules and fixtures in $1"
		return 1
	}
	FH="$1/stage/bin/farmhound" RULES="$1/stage/rules.d" FIX="$1/stage/fixtures"
	if ! as_nobody "$FH" --version >/dev/null 2>"$1/stage.err"; then
		not_ok "uid $NOBODY cannot run $FH (a parent of $1 not searchable by others?): $(head -n 1 "$1/stage.err")"
		return 1
	fi
}
