#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# fault_flood_proc.sh - a million distinct processes through the real
# process collector, in the daemon (only that collector, rescan every 1 s,
# shipped rules).
#
# tests/tools/procflood.c plays the kernel: a --procfs tree of K + 1 = 25001
# processes that is replaced by a new generation (new pids, new start
# times) as soon as the daemon's walk has read the last one, until
# FLOOD_N (1000000) distinct processes were read: 25001 adds and 25001
# removes per walk, through the collector's bounded table (32768).  Every
# 100000th process is an AnyDesk (a distinct install path each time), and
# every one must alert (rmm-anydesk) during the flood.  The heartbeat must
# count every add, remove and inventory event: nothing skipped.
#
# Fixed amounts of work, never work per unit of time: FLOOD_N processes
# are read, however long the walks take (~45 s here, 40 walks); procflood
# gives up only when one walk took more than 30 s (x FH_TIME_SCALE), i.e.
# the daemon stopped walking.
#
# Memory must not grow with the processes seen: the daemon's peak resident
# set (VmHWM) after the whole flood stays within MARGIN_KB (1 MiB) of its
# peak after the first ~275000 processes (generation 10: the collector's
# two tables have their capacity from generation 1 on), and under 16 MiB.
# Under the sanitizers (FH_SANITIZED) memory figures mean nothing and every
# walk is several times slower: the flood is FLOOD_N=250000 there by
# default and only the counts and alerts are checked.
#
# Why 1 MiB (measured on a 2-core CI-class machine, 2026-12):
#  - Before collectors/process/process.c kept its tables between walks,
#    this check failed in 2 of the 4 runs measured here (and in CI): VmHWM
#    11.9 MB at generation 10, then a jump to 15.1-15.3 MB at a random
#    later generation (7 in one run, 21 in the other).  massif
#    (FLOOD_N=200000) showed the live heap flat at 9.57 MB from the second
#    walk on -- no leak, no table growing -- while smaps showed the [heap]
#    mapping's resident size going from 7.5 to 10.7 MB: glibc fragmentation
#    from 25000 strdup()ed exe paths per walk, allocated between the walk's
#    short-lived read buffers and events and freed a walk later.  That was
#    fixed in the collector, not absorbed by this margin.
#  - Since: 6 runs (3 quiet, 3 beside a CPU-bound `while :; do :; done`,
#    most beside fault_flood.sh or fault_flood_usb.sh runs): VmHWM
#    11356-11504 KiB, flat from generation 1; end minus generation 10 was
#    0 KiB in every run (at most +4 KiB in 3 more runs sampled every
#    0.3 s).  The kernel's RSS counters are per-CPU and batched, an error
#    that can reach a few hundred KiB on 2 CPUs: 1 MiB is well above both.
#  - A real growth is far above it: 750000 processes pass between
#    generation 10 and the end, so any allocation kept per process (32
#    bytes at least) is >= 23 MB, and a leak per walk (30 walks) is caught
#    from ~35 KiB a walk.  Planted (not committed): 100 bytes leaked per
#    new process in process_visit() took VmHWM from 41100 KiB at
#    generation 10 to 120404 KiB at the end: "not ok", by 77 MiB.
. "$(dirname "$0")/lib.sh"

PROCFLOOD="$B/tests/tools/procflood"
K=25000
if [ -n "${FH_SANITIZED:-}" ]; then N=${FLOOD_N:-250000}; else N=${FLOOD_N:-1000000}; fi
# tmpfs when there is one: the tree is 25000 directories and 100000 links,
# a disk-backed /tmp under load takes half a minute to write it.
tmp=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && tmp=/dev/shm
T=$(mktemp -d "$tmp/fh-fflproc.XXXXXX")
recv_pid="" fh_pid="" flood_pid=""
MARGIN_KB=1024	# see the top: well above the noise measured, far under a leak

cleanup() {
	for p in $flood_pid $fh_pid $recv_pid; do kill "$p" 2>/dev/null; done
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

# hwm_at G: the daemon's VmHWM (KiB) that procflood saw after generation G
hwm_at() { sed -n "s/^generation $1 [0-9]* vmhwm_kb=\([0-9-]*\)$/\1/p" "$T/flood.out"; }
# jq_last REGEX EXPR: a python expression over the JSON of the last line
# of out.log matching REGEX (bound to "a").
jq_last() {
	grep -E "$1" "$T/out.log" | tail -n 1 | sed 's/^[^{]*//' |
		python3 -c 'import json, sys; a = json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$2" 2>/dev/null
}

dgram_receiver "$T/log.sock" "$T/out.log"

cat >"$T/farmhound.conf" <<EOC
$(json_daemon_conf)
$(collectors_only process)
[collector.process]
rescan_interval = 1s
EOC

FH_TIME_SCALE=$FH_TIME_SCALE "$PROCFLOOD" "$T/fl" "$K" "$N" 100000 "$T/fh.pid" \
	>"$T/flood.out" 2>"$T/flood.err" &
flood_pid=$!
check "procflood wrote the first generation" wait_for "$T/flood.out" '^ready$' 60
"$FH" -c "$T/farmhound.conf" -r "$RULES" --procfs "$T/fl/proc" >"$T/fh.out" 2>"$T/fh.err" &
fh_pid=$!
echo "$fh_pid" >"$T/fh.pid"
wait "$flood_pid"; rc=$?
flood_pid=""
summary=$(tail -n 1 "$T/flood.out")
echo "# $summary"
field() { echo "$summary" | sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
procs=$(field processes) gens=$(field generations) planted=$(field planted)
check "the daemon read every generation: $procs distinct processes (exit $rc)" \
	test "$rc" -eq 0 -a "${procs:-0}" -ge "$N"
[ -s "$T/flood.err" ] && echo "# procflood: $(head -n 3 "$T/flood.err")"

# Every walk: K+1 adds and K+1 removes; the first, K+1 present.
want_ev=$(((K + 1) * (2 * gens - 1)))
check "the heartbeat counts every process event ($want_ev: none skipped)" \
	wait_for "$T/out.log" "\"process=$want_ev\"" 10
hwm_end=$(awk '/^VmHWM/ { print $2 }' "/proc/$fh_pid/status")
hwm_10=$(hwm_at 10)
echo "# VmHWM: after generation 0 (25001 processes) $(hwm_at 0) KiB, generation 4 $(hwm_at 4) KiB, generation 10 ${hwm_10:-?} KiB, end ($procs processes) $hwm_end KiB"

want=$((N / 100000))
check "procflood planted $want AnyDesks ($planted)" test "${planted:-0}" -eq "$want"
got=$(grep '"id":"rmm-anydesk"' "$T/out.log" | grep -vc '"lifecycle":"resolved"')
check "alerts kept flowing: every AnyDesk among the flood alerted ($got of $want)" \
	test "$got" -eq "$want"
check "... each one its own program (distinct exe)" \
	test "$(grep '"id":"rmm-anydesk"' "$T/out.log" | grep -v '"lifecycle":"resolved"' |
		grep -o '/opt/anydesk/flood-[0-9]*' | sort -u | wc -l)" -eq "$want"
check "the process collector was never reported failed" \
	test "$(count "$T/out.log" '"id":"farmhound-collector-failed"')" -eq 0
check "nothing dropped (heartbeat dropped = 0)" \
	test "$(jq_last farmhound-heartbeat 'a["farmhound"]["fields"]["dropped"]')" = 0

if [ -n "${FH_SANITIZED:-}" ]; then
	ok "# SKIP memory bound: sanitizer build"
elif [ -z "$hwm_10" ] || [ "$hwm_10" -lt 0 ]; then
	not_ok "no VmHWM after generation 10 (FLOOD_N=$N too small for the memory check?)"
else
	check "memory does not grow with the processes seen ($hwm_end - $hwm_10 KiB < $MARGIN_KB)" \
		test $((hwm_end - hwm_10)) -lt "$MARGIN_KB"
	check "peak resident memory under 16 MiB with 25001 live processes ($hwm_end KiB)" \
		test "$hwm_end" -lt 16384
fi

kill -TERM "$fh_pid"
wait "$fh_pid"; rc=$?
fh_pid=""
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" -eq 0
finish
