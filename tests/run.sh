#!/usr/bin/env bash
# Runs every unit test binary in BUILD/tests and every CLI test script in
# tests/cli, and ends with "N passed, N failed".  A program that exits
# non-zero without reporting a failure (a crash) counts as one failure.
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
export TOTP_BIN="$top/$build/totp" TOTP_TOP="$top" TOTP_BUILD="$top/$build"
# Sanitizer builds: gcc 12's LeakSanitizer can read a bogus dynamic-TLS range
# left by a library loaded with dlopen (libjpeg, which libzbar pulls in) and
# crash at exit ("Tracer caught signal 11"); it then skips dynamic TLS.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}intercept_tls_get_addr=0"
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {
	local name=$1; shift
	echo "# $name"
	"$@" >"$log" 2>&1
	local rc=$?
	cat "$log"
	local p f
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		f=1
	fi
	if [ "$rc" -eq 0 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name ran no check"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

for t in "$top/$build"/tests/t_*; do
	[ "${TOTP_CLI_ONLY:-0}" = 1 ] && break  # make valgrind: CLI scripts only
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
for t in "$top"/tests/cli/t_*.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t")" bash "$t"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
