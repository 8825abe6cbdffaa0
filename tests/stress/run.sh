#!/usr/bin/env bash
# run.sh BUILD - the full crash, I/O-fault, allocation-failure and
# concurrency matrix (make stress): every kill point of every command, every
# I/O error once and persistent, every allocation once and persistent,
# STRESS_ROUNDS rounds (default 5) of 32 parallel imports, the lock timeout
# at its default.  Ends with the figures and "N passed, N failed".
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
export TOTP_BIN="$top/$build/totp" TOTP_TOP="$top" TOTP_BUILD="$top/$build"
rounds=${STRESS_ROUNDS:-5}

. "$top/tests/cli/lib.sh"
. "$top/tests/stress/lib.sh"

passed=0
failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
fail() { echo "not ok - $*"; failed=$((failed + 1)); }
section() { echo "# --- $* ($(($(now_ms) - t_start)) ms so far)"; }

t_start=$(now_ms)
stress_setup
note "totp: $TOTP_BIN$([ "$sanitized" = 1 ] && echo ' (sanitizer build)')"
if [ "$have_strace" = 1 ]; then
	section "crash consistency: SIGKILL before every traced call"
	for c in $COMMANDS; do
		crash_matrix "$c" full
	done
	section "I/O errors: ENOSPC and EIO at every call on the vault, once and persistent"
	for c in $COMMANDS; do
		fault_matrix "$c" full
	done
else
	fail "strace is missing or cannot trace here: no crash or I/O-fault injection"
fi
section "short and failing writes"
for c in $COMMANDS; do
	short_writes "$c"
done
section "allocation failures"
for c in $COMMANDS; do
	case $c in add | code) alloc_matrix "$c" full 6 ;; *) alloc_matrix "$c" full ;; esac
done
section "concurrency"
concurrent_imports "$rounds" 32
busy_lock 3 1000
busy_lock 12 default
t_total=$(($(now_ms) - t_start))

echo "#"
echo "# crash points tried: $crash_tried ($crash_summary ), $([ "$crash_bad" -eq 0 ] && echo "all consistent" || echo "$crash_bad INCONSISTENT")"
echo "# I/O faults tried: $fault_tried: $fault_refused refused with the vault byte-identical," \
	"$fault_committed failed after the rename with the new vault in place, $fault_tolerated" \
	"tolerated (exit 0, new vault), $fault_bad wrong"
if [ -n "$fault_tolerated_list" ]; then
	echo "# tolerated faults (exit 0 with the new vault), by call:"
	printf '%s' "$fault_tolerated_list" | sort | uniq -c | sed 's/^/#   /'
fi
echo "# allocation failures tried: $alloc_tried ($alloc_summary ), $alloc_bad wrong"
echo "# concurrency: $conc_accounts accounts imported by parallel processes"
echo "# make stress: $((t_total / 1000)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
