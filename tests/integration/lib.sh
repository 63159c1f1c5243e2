# Shared by the integration suites: TAP output and the paths they use.
# Source it; call ok/not_ok/check; call finish at the end.
top=$(cd "$(dirname "$0")/../.." && pwd)
B="$top/${BUILD:-build}"
FH="$B/farmhound"
RULES="$top/rules/rules.d"
FIX="$top/tests/fixtures"
_n=0
_fail=0

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); _fail=$((_fail + 1)); echo "not ok $_n - $*"; }
# check "description" command...: ok if the command succeeds.
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
finish() { echo "1..$_n"; [ "$_fail" -eq 0 ]; }
# wait_for FILE REGEX [SECONDS]: poll FILE (every 0.1 s, up to SECONDS,
# default 10) until a line matches the extended regex REGEX.
wait_for() {
	i=0; n=$((${3:-10} * 10))
	while [ $i -lt $n ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
# collectors_only NAME...: configuration lines turning every other
# collector off, for a suite about one source: the machine's own
# processes, listeners and traffic (another suite running beside it) must
# not add alerts.  Print into a config file or a heredoc.
collectors_only() {
	for _c in usb display process socket host net; do
		case " $* " in *" $_c "*) continue ;; esac
		printf '[collector.%s]\nenabled = no\n' "$_c"
	done
}
