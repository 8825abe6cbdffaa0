#!/usr/bin/env bash
# Runs libFuzzer targets built by `make fuzz`:
#     tests/fuzz/run.sh BUILD SECONDS TARGET...
# Each target runs SECONDS with -rss_limit_mb=512 -timeout=1, its
# dictionary and max_len, seeded from BUILD/fuzz-seeds/TARGET and
# tests/fuzz/regress/TARGET; new inputs accumulate in BUILD/fuzz-corpus/TARGET.
# Any crash, leak, timeout or out-of-memory fails the run; the input is kept
# in BUILD/fuzz-artifacts/TARGET/.  FUZZ_JOBS=N runs N targets at a time
# (default 1); FUZZ_ARGS adds libFuzzer options.
set -u
build=$1 secs=$2
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
jobs=${FUZZ_JOBS:-1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TMPDIR=${TMPDIR:-/tmp}

options() {
	case $1 in
	uri) echo "-max_len=4096 -dict=tests/fuzz/uri.dict" ;;
	base32) echo "-max_len=512" ;;
	migration) echo "-max_len=8192 -dict=tests/fuzz/migration.dict" ;;
	vault) echo "-max_len=8192 -dict=tests/fuzz/vault.dict" ;;
	png) echo "-max_len=16384 -dict=tests/fuzz/png.dict" ;;
	jpeg) echo "-max_len=16384 -dict=tests/fuzz/jpeg.dict" ;;
	import_andotp) echo "-max_len=4096" ;;
	import_*) echo "-max_len=16384 -dict=tests/fuzz/import.dict" ;;
	*) echo "-max_len=4096" ;;
	esac
}

run_target() {
	local t=$1 bin=$build/fuzz/fuzz_$1 corpus=$build/fuzz-corpus/$1
	local art=$build/fuzz-artifacts/$1 log=$build/fuzz-logs/$1.log rc
	mkdir -p "$corpus" "$art" "$build/fuzz-logs"
	mkdir -p "tests/fuzz/regress/$t"
	touch "$art/.start"
	# shellcheck disable=SC2046
	"$bin" -max_total_time="$secs" -rss_limit_mb=512 -malloc_limit_mb=512 -timeout=1 \
		-print_final_stats=1 -artifact_prefix="$art/" $(options "$t") ${FUZZ_ARGS:-} \
		"$corpus" "$build/fuzz-seeds/$t" "tests/fuzz/regress/$t" >"$log" 2>&1
	rc=$?
	local execs cov ft speed
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	if [ "$rc" -eq 0 ]; then
		printf 'ok   %-14s %10s execs %7s/s  cov %5s  ft %6s\n' "$t" "${execs:-?}" \
			"${speed:-?}" "${cov:-?}" "${ft:-?}"
	else
		printf 'FAIL %-14s exit %s after %s execs (log: %s)\n' "$t" "$rc" "${execs:-?}" "$log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*fuzz invariant failed|.*runtime error|.*leaked|ALARM|Test unit written|.*-timeout|.*out-of-memory)' \
			"$log" | head -8 | sed 's/^/     /'
		find "$art" -type f -newer "$art/.start" ! -name '.*' | while read -r f; do
			echo "     input saved: $f"
			echo "     once fixed, keep it as a regression input:"
			echo "         cp '$f' tests/fuzz/regress/$t/"
		done
	fi
	return "$rc"
}

failed=0
running=0
for t in "$@"; do
	if [ ! -x "$build/fuzz/fuzz_$t" ]; then
		echo "FAIL $t: $build/fuzz/fuzz_$t not built"
		failed=1
		continue
	fi
	if [ "$jobs" -le 1 ]; then
		run_target "$t" || failed=1
		continue
	fi
	run_target "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n || failed=1
		running=$((running - 1))
	fi
done
while [ "$running" -gt 0 ]; do
	wait -n || failed=1
	running=$((running - 1))
done
if [ "$failed" -ne 0 ]; then
	echo "fuzz: FAILED (inputs in $build/fuzz-artifacts/; copy each into tests/fuzz/regress/<target>/ once fixed)"
	exit 1
fi
echo "fuzz: all $# targets ran ${secs}s with no crash, leak, timeout or OOM"
