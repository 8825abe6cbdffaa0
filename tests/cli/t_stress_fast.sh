# t_stress_fast.sh - the fast tier of the crash, I/O-fault, allocation and
# concurrency tests (tests/stress/lib.sh): a sample of kill points per
# command, I/O errors at the calls of a save, every allocation of `add`,
# 32 parallel imports and a held lock.  `make stress` runs the full matrix.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../stress/lib.sh"

if [ -n "${TOTP_WRAP:-}" ]; then
	# Under make valgrind every run would be valgrind's: nothing to trace.
	ok "stress fast tier # SKIP under TOTP_WRAP"
	exit 0
fi
t_start=$(now_ms)
stress_setup
if [ "$have_strace" = 1 ]; then
	for c in $COMMANDS; do
		crash_matrix "$c" fast
	done
	fault_matrix add fast
else
	ok "crash and I/O-fault injection # SKIP strace missing or ptrace not permitted"
fi
short_writes add
alloc_matrix add fast 1
concurrent_imports 1 32
busy_lock 3 1000
note "fast tier: crash points tried: $crash_tried ($crash_summary ), inconsistent: $crash_bad;" \
	"I/O faults: $fault_tried ($fault_refused refused, $fault_committed after the rename," \
	"$fault_tolerated tolerated), bad: $fault_bad; allocation failures: $alloc_tried, bad: $alloc_bad;" \
	"$(($(now_ms) - t_start)) ms"
