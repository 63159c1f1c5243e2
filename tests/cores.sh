# SPDX-License-Identifier: Apache-2.0
# Crash catching for every program the test suites run (sourced by
# tests/run.sh, tests/stress.sh and tests/integration/lib.sh).
#
# A crash seen once and never again is only debuggable if it left a core.
# So the harness that owns a run (the outermost run.sh or stress.sh):
#   - enables core dumps (ulimit -c unlimited, inherited by every program);
#   - points kernel.core_pattern at its own directory, FH_CORE_DIR, under
#     the temporary directory: core.PID.SIGNAL.EXE (EXE is the executable's
#     path with '!' for '/', the kernel's %E), independent of
#     systemd-coredump or apport, and restores the pattern it found at exit;
#   - after each suite (and wherever a suite sees a program die on a
#     signal), reports every new core: the executable, the command line the
#     core records, the crash site and the backtrace of every thread
#     (gdb -batch), as a "not ok" line so the suite fails.
# Reported cores move to FH_CORE_DIR/reported, so a nested harness (the
# suite that tests this one) and its parent never report one twice, and
# are kept for the developer when a run fails.
#
# The crash site (tests/crash_site.py) says whose code crashed: the object
# of the frame the fault came from is the program itself, or a library
# (umockdev's preload library, libc...).
# A crash in umockdev's preload is the test harness's, not farmhound's,
# but it still fails the run: it hides whatever the test was checking.
#
# kernel.core_pattern is one setting for the whole machine: a harness
# restores only a pattern that is still its own, to the one it found (an
# enclosing or earlier harness's, if that one still runs) or else to the
# machine's own, handed down through FH_CORE_DIR/.pattern.orig.  Without root (or with a read-only
# /proc/sys) crashes are still reported by exit status, without backtrace.

CORE_PATTERN_FILE=/proc/sys/kernel/core_pattern
# The project's top directory (run.sh and lib.sh set $top).
FH_CORE_TOP=${top:?tests/cores.sh needs \$top}

# cores_begin: set up core collection unless an enclosing harness did
# (FH_CORE_DIR exported).  Sets FH_CORE_OWNER=1 when this shell owns it.
cores_begin() {
	ulimit -c unlimited 2>/dev/null || ulimit -c "$(ulimit -H -c)" 2>/dev/null
	if [ -n "${FH_CORE_DIR:-}" ] && [ -d "$FH_CORE_DIR" ]; then
		FH_CORE_OWNER=0
		return 0
	fi
	FH_CORE_OWNER=1
	FH_CORE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/fh-cores.XXXXXX") || return 1
	# Cores are written with the crashing process's credentials: suites
	# run the daemon as uid 65534 too.
	chmod 1777 "$FH_CORE_DIR"
	mkdir -p "$FH_CORE_DIR/reported"
	export FH_CORE_DIR
	# .pattern.found: what to restore; .pattern.orig: the machine's own
	# pattern, handed down when the one found is another harness's.
	_cp_now=$(cat "$CORE_PATTERN_FILE" 2>/dev/null)
	printf '%s\n' "$_cp_now" >"$FH_CORE_DIR/.pattern.found"
	case "$_cp_now" in
	*/fh-cores.*/core.*)
		cat "${_cp_now%/core.*}/.pattern.orig" >"$FH_CORE_DIR/.pattern.orig" 2>/dev/null ||
			printf 'core\n' >"$FH_CORE_DIR/.pattern.orig" ;;
	*)	printf '%s\n' "$_cp_now" >"$FH_CORE_DIR/.pattern.orig" ;;
	esac
	if ! printf '%s/core.%%p.%%s.%%E\n' "$FH_CORE_DIR" >"$CORE_PATTERN_FILE" 2>/dev/null; then
		echo "# cores: cannot set kernel.core_pattern (it is '$_cp_now'): a crash is reported by its exit status, without a backtrace"
	fi
	command -v gdb >/dev/null 2>&1 ||
		echo "# cores: gdb not installed: a crash is reported without a backtrace"
}

# cores_end: restore the core pattern if this shell set it and it is still
# this run's; remove the core directory unless it keeps a reported core.
cores_end() {
	[ "${FH_CORE_OWNER:-0}" = 1 ] || return 0
	# Put back what was found (an enclosing harness's pattern), or the
	# machine's own if that harness has ended; never another run's.
	case "$(cat "$CORE_PATTERN_FILE" 2>/dev/null)" in
	"$FH_CORE_DIR"/*)
		_cp_back=$(cat "$FH_CORE_DIR/.pattern.found")
		case "$_cp_back" in
		*/fh-cores.*/core.*) [ -d "${_cp_back%/core.*}" ] ||
			_cp_back=$(cat "$FH_CORE_DIR/.pattern.orig") ;;
		esac
		printf '%s\n' "$_cp_back" >"$CORE_PATTERN_FILE" 2>/dev/null ;;
	esac
	if [ -n "$(ls -A "$FH_CORE_DIR/reported" 2>/dev/null)" ]; then
		echo "# cores: kept in $FH_CORE_DIR/reported"
	else
		rm -rf "$FH_CORE_DIR"
	fi
}

# signal_name STATUS: the signal behind an exit status of 128+N ("SIGSEGV"),
# or nothing.
signal_name() {
	[ "$1" -gt 128 ] 2>/dev/null || return 0
	_sn=$(kill -l $(($1 - 128)) 2>/dev/null) && echo "SIG$_sn"
}

# is_crash STATUS: the status of a program killed by a signal that means a
# fault in the program (the ones that dump core), not one a test sends to
# stop it (TERM, KILL, INT, HUP, PIPE, ALRM) or timeout(1)'s 124.
is_crash() {
	case "$(signal_name "$1")" in
	SIGSEGV | SIGBUS | SIGILL | SIGFPE | SIGABRT | SIGSYS | SIGTRAP | SIGQUIT | SIGXCPU | SIGXFSZ) return 0 ;;
	esac
	return 1
}

# core_not_ok TEXT: the failure line (lib.sh numbers it as its suite's).
core_not_ok() { echo "not ok - $*"; }

# core_exe CORE: the executable a core's name records (%E), or the
# program of that name in FH_CORE_EXE_DIRS when the file is gone (a suite
# may have removed a staged copy by now: the same program in the build
# tree has the same symbols).
core_exe() {
	_ce=$(basename "$1"); _ce=${_ce#core.*.*.}
	_ce=$(echo "$_ce" | tr '!' '/')
	if [ ! -f "$_ce" ]; then
		for _d in ${FH_CORE_EXE_DIRS:-}; do
			[ -f "$_d/${_ce##*/}" ] && { echo "$_d/${_ce##*/}"; return; }
		done
	fi
	echo "$_ce"
}

# core_story EXE CORE: one gdb pass over the core: the "Core was generated
# by" line gdb prints on loading it, tests/crash_site.py's origin, crash
# site and "crashed in" lines, then the backtrace of every thread.  Empty
# without gdb.
core_story() {
	command -v gdb >/dev/null 2>&1 || return 0
	gdb -batch -nx -x "$FH_CORE_TOP/tests/crash_site.py" -ex 'thread apply all bt' \
		"$1" "$2" 2>&1
}

# core_report LABEL CORE: one "not ok" line and the core's story as TAP
# comments (the core moves to reported/); or, for a signal the process
# re-raised on itself without abort() (crash_site.py's origin: umockdev-run
# dies by its child's crash signal to pass it on; the child left its own
# core), one comment and the core removed.  Returns 0 if it was a crash.
core_report() {
	_cf=$(basename "$2")
	_rest=${_cf#core.}; _pid=${_rest%%.*}; _rest=${_rest#*.}
	_signame=SIG$(kill -l "${_rest%%.*}" 2>/dev/null)
	_exe=$(core_exe "$2")
	_story=$(core_story "$_exe" "$2")
	if printf '%s\n' "$_story" | grep -q '^origin: re-raised'; then
		echo "# $_exe (pid $_pid) re-raised $_signame on itself (passing on a child's crash; the child's own core says where)"
		rm -f "$2"
		return 1
	fi
	core_not_ok "$1: $_exe (pid $_pid) crashed on $_signame"
	case ${_exe##*/} in
	umockdev*) echo "# a crash of the test harness (${_exe##*/}), not of farmhound: see umockdev_race_guard in tests/cores.sh" ;;
	esac
	_kept="$FH_CORE_DIR/reported/$_cf"
	mv "$2" "$_kept" 2>/dev/null
	echo "# core: $_kept"
	if [ -z "$_story" ]; then
		echo "# (no gdb: no backtrace)"
		return 0
	fi
	printf '%s\n' "$_story" |
		grep -E '^(Core was generated by |origin: |crash site: |crashed in: )' | sed 's/^/# /'
	echo "# backtrace of every thread:"
	printf '%s\n' "$_story" |
		awk '/^Thread /{t=1} t && /^(Thread |#[0-9])/{print "#   " $0}'
	return 0
}

# cores_report LABEL: report every core not reported yet; returns 1 if
# one was a crash.
cores_report() {
	[ -n "${FH_CORE_DIR:-}" ] || return 0
	_found=0
	for _c in "$FH_CORE_DIR"/core.*; do
		[ -f "$_c" ] || continue
		core_report "$1" "$_c" && _found=1
	done
	[ "$_found" -eq 0 ]
}

# umockdev_race_guard: export UMOCKDEV_DIR empty before any testbed exists.
#
# umockdev 0.17.16 (Debian 12) starts a testbed's worker thread before it
# sets UMOCKDEV_DIR; when that setenv() has to grow the environment array,
# realloc() frees the array the worker's getenv() is walking, and the
# process (umockdev-run, or a test binary holding a testbed) dies on
# SIGSEGV before the program under test ever ran: umockdev issue #206,
# fixed upstream in 0.17.17 (commit bd8757a), seen once in CI as
# "usb_scan: vertical-mouse-1ea7-0064: exit 139" and reproduced here with
# a core (getenv in the worker, realloc in __add_to_environ in the main
# thread).  With the variable already present, setenv() only swaps one
# entry's string and never moves the array.  Empty is harmless where no
# testbed exists: the preload library then maps every path to itself.
umockdev_race_guard() {
	[ -n "${UMOCKDEV_DIR+set}" ] || { UMOCKDEV_DIR=; export UMOCKDEV_DIR; }
}
