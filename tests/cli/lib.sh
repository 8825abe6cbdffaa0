# lib.sh - helpers for CLI tests: source it, then use ok/fail/check_*.
# Every result is one "ok - ..." / "not ok - ..." line, counted by run.sh.
set -u
: "${TOTP_BIN:?TOTP_BIN must point at the built totp}"
T=$(mktemp -d "${TMPDIR:-/tmp}/totp-test.XXXXXX")
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
export HOME="$T/home" XDG_DATA_HOME="$T/home/.local/share" XDG_STATE_HOME="$T/home/.local/state"
mkdir -p "$HOME"
unset TOTP_VAULT NO_COLOR
export TOTP_NO_KEYRING=1   # tests opt in to the keyring explicitly
# TOTP_WRAP (make valgrind): a command put before every run of the binary.
# TOTP_BIN_REAL stays the binary itself, for tests of the process.
TOTP_BIN_REAL=$TOTP_BIN
if [ -n "${TOTP_WRAP:-}" ]; then
	# The wrapper by absolute path: some tests run totp with a reduced PATH.
	wrap_cmd=${TOTP_WRAP%% *}
	wrap_abs=$(command -v "$wrap_cmd" || echo "$wrap_cmd")
	printf '#!/bin/sh\nexec %s%s "%s" "$@"\n' "$wrap_abs" "${TOTP_WRAP#"$wrap_cmd"}" \
		"$TOTP_BIN_REAL" >"$T/totp-wrapped"
	chmod 755 "$T/totp-wrapped"
	TOTP_BIN=$T/totp-wrapped
fi

ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }

# check DESC CMD...: passes when CMD exits 0.
check() {
	local desc=$1; shift
	if "$@"; then ok "$desc"; else fail "$desc"; fi
}

# run CMD...: runs CMD, keeps stdout in $out, stderr in $err, status in $rc.
run() {
	"$@" >"$T/.out" 2>"$T/.err"
	rc=$?
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
}

# expect RC DESC CMD...: runs CMD and checks its exit status.
expect() {
	local want=$1 desc=$2; shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then
		ok "$desc"
	else
		fail "$desc (exit $rc, want $want)"
		printf '#   stdout: %s\n#   stderr: %s\n' "$out" "$err"
	fi
}

# same_file A B DESC: byte-identical files.
same_file() {
	if cmp -s "$1" "$2"; then ok "$3"; else fail "$3"; fi
}

# contains HAYSTACK NEEDLE DESC
contains() {
	case "$1" in *"$2"*) ok "$3" ;; *) fail "$3"; printf '#   in: %s\n#   missing: %s\n' "$1" "$2" ;; esac
}
lacks() {
	case "$1" in *"$2"*) fail "$3"; printf '#   unexpected: %s\n' "$2" ;; *) ok "$3" ;; esac
}
