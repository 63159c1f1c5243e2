#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# stress.sh - `make stress`: the scan suites' fixtures, many times at once,
# with cores on, until a rare crash shows itself (not part of `make test`).
#
#   STRESS_N=90 STRESS_JOBS=8 STRESS_KINDS="usb display net" tests/stress.sh
#
# Every fixture of usb_scan.sh (tests/fixtures/usb, plus the near miss
# vertical-mouse-1ea7-0064 derived from amazon-jiggler as that suite
# derives it), of display_scan.sh (tests/fixtures/display) and of
# net_pcap.sh (the captures build/tests/tools/pcapgen writes) is scanned
# STRESS_N times, STRESS_JOBS scans at a time (default: 4 per CPU, so the
# machine is loaded and the scheduling varies), exactly as the suites do:
# `umockdev-run -d FIXTURE -- farmhound --scan` with only that collector
# on, or `farmhound --pcap FILE`.  With STRESS_VALGRIND=1 each farmhound
# runs under valgrind --error-exitcode=99 (memory errors ASan does not
# see: uninitialised reads); `make stress-asan` runs the sanitized build.
#
# Each scan's exit status is recorded with its fixture and the pid of the
# farmhound it ran (a one-line shell wrapper writes its pid and execs
# farmhound, under umockdev's preload like farmhound itself), so a core
# (tests/cores.sh: core.PID.SIGNAL.EXE) is matched to its fixture.  At the
# end: the counts, then every crash with its fixture, command line and the
# backtrace of every thread, every hang (a scan still running after
# STRESS_TIMEOUT s) and every error exit (2) with its stderr.  Exits 1 if
# there was any of those.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B="$top/${BUILD:-build}"
FH="$B/farmhound"
RULES="$top/rules/rules.d"
FIX="$top/tests/fixtures"
. "$top/tests/cores.sh"

# ---- one scan (run by xargs: stress.sh --one KIND NAME FILE) ----
if [ "${1:-}" = --one ]; then
	kind=$2 name=$3 file=$4
	pidf=$(mktemp "$S/pid.XXXXXX")
	err=$(mktemp "$S/err.XXXXXX")
	wrap='echo $$ >"$1"; shift; exec "$@"'
	vg=""
	[ "${STRESS_VALGRIND:-0}" = 1 ] &&
		vg="valgrind -q --error-exitcode=99 --track-origins=yes --log-file=$err.vg"
	case $kind in
	net)
		timeout -k 5 "$STRESS_TIMEOUT" sh -c "$wrap" sh "$pidf" $vg \
			"$FH" --pcap "$file" -r "$RULES" >/dev/null 2>"$err" </dev/null ;;
	*)
		timeout -k 5 "$STRESS_TIMEOUT" umockdev-run -d "$file" -- sh -c "$wrap" sh "$pidf" $vg \
			"$FH" --scan -c "$S/$kind-only.conf" -r "$RULES" >/dev/null 2>"$err" </dev/null ;;
	esac
	rc=$?
	echo "$kind $name $rc $(cat "$pidf" 2>/dev/null || echo -) $err" >>"$S/results"
	case $rc in
	0 | 1) rm -f "$err" "$err.vg" ;;
	esac
	rm -f "$pidf"
	exit 0
fi

STRESS_N=${STRESS_N:-90}
STRESS_JOBS=${STRESS_JOBS:-$(($(nproc) * 4))}
STRESS_KINDS=${STRESS_KINDS:-usb display net}
STRESS_TIMEOUT=${STRESS_TIMEOUT:-120}
S=$(mktemp -d /tmp/fh-stress.XXXXXX) || exit 2
export S STRESS_TIMEOUT
FH_CORE_EXE_DIRS="$B $B/tests $B/tests/tools"
export FH_CORE_EXE_DIRS
cores_begin
umockdev_race_guard
trap 'cores_end; [ -n "${KEEP:-}" ] || rm -rf "$S"' EXIT
trap 'exit 130' INT TERM HUP

[ -x "$FH" ] || { echo "stress: no $FH (make all)"; exit 2; }
for k in usb display; do
	for c in usb display process socket host net input; do
		[ "$c" = "$k" ] || printf '[collector.%s]\nenabled = no\n' "$c"
	done >"$S/$k-only.conf"
done

# The fixture list, "KIND NAME FILE" per line.
: >"$S/fixtures"
for k in $STRESS_KINDS; do
	case $k in
	usb | display)
		for f in "$FIX/$k"/*.umockdev; do
			echo "$k $(basename "$f" .umockdev) $f"
		done >>"$S/fixtures"
		if [ "$k" = usb ]; then
			sed 's/2\.4G Mouse/Vertical Mouse/' "$FIX/usb/amazon-jiggler.umockdev" \
				>"$S/vertical-mouse-1ea7-0064.umockdev"
			echo "usb vertical-mouse-1ea7-0064 $S/vertical-mouse-1ea7-0064.umockdev" >>"$S/fixtures"
		fi ;;
	net)
		mkdir -p "$S/pcap" && "$B/tests/tools/pcapgen" "$S/pcap" >/dev/null ||
			{ echo "stress: pcapgen failed (make $B/tests/tools/pcapgen)"; exit 2; }
		for f in "$S/pcap"/*.pcap; do
			echo "net $(basename "$f" .pcap) $f"
		done >>"$S/fixtures" ;;
	*) echo "stress: unknown kind $k (usb, display, net)"; exit 2 ;;
	esac
done
nfix=$(wc -l <"$S/fixtures")
echo "stress: $nfix fixtures ($STRESS_KINDS) x $STRESS_N, $STRESS_JOBS at a time, $FH${STRESS_VALGRIND:+ (valgrind)}"

t0=$(date +%s)
: >"$S/results"
i=0
while [ "$i" -lt "$STRESS_N" ]; do
	cat "$S/fixtures"
	i=$((i + 1))
done | xargs -P "$STRESS_JOBS" -n 3 sh "$0" --one
t1=$(date +%s)

# ---- the figures ----
total=$(wc -l <"$S/results")
by_kind() { awk -v k="$1" '$1 == k' "$S/results" | wc -l; }
status_count() { awk -v s="$1" '$3 == s' "$S/results" | wc -l; }
crashes=0 hangs=0 errors=0 vgerrs=0 other=0
while read -r kind name rc pid err; do
	case $rc in
	0 | 1) ;;
	124 | 137) hangs=$((hangs + 1))
		echo "not ok - hang: $kind $name (pid $pid) still running after ${STRESS_TIMEOUT}s" ;;
	2) errors=$((errors + 1))
		echo "not ok - error exit: $kind $name (pid $pid)"
		sed -n '1,5s/^/#   stderr: /p' "$err" ;;
	99) vgerrs=$((vgerrs + 1))
		echo "not ok - valgrind error: $kind $name (pid $pid)"
		sed 's/^/#   /' "$err.vg" | head -n 40 ;;
	*)	if is_crash "$rc"; then
			crashes=$((crashes + 1))
			echo "not ok - crash: $kind $name (pid $pid): status $rc ($(signal_name "$rc"))"
			sed -n '1,5s/^/#   stderr: /p' "$err"
			for c in "$FH_CORE_DIR"/core."$pid".*; do
				[ -f "$c" ] && core_report "stress $kind $name" "$c"
			done
		else
			other=$((other + 1))
			echo "not ok - unexpected exit $rc: $kind $name (pid $pid)"
			sed -n '1,5s/^/#   stderr: /p' "$err"
		fi ;;
	esac
done <"$S/results"
# Cores no scan's pid accounts for (umockdev-run itself, the wrapper).
cores_report "stress (a core of no farmhound scan)" || crashes=$((crashes + 1))

echo "stress: $total scans ($(by_kind usb) usb, $(by_kind display) display, $(by_kind net) net) in $((t1 - t0)) s"
echo "  exit 0: $(status_count 0), exit 1: $(status_count 1), errors: $errors, hangs: $hangs, crashes: $crashes, valgrind errors: $vgerrs, other: $other"
[ "$total" -eq $((nfix * STRESS_N)) ] ||
	{ echo "stress: $((nfix * STRESS_N)) scans planned, $total recorded"; exit 1; }
[ $((crashes + hangs + errors + vgerrs + other)) -eq 0 ]
