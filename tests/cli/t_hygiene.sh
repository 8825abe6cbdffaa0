# t_hygiene.sh - secrets stay secret (RELIABILITY.md M14, M15): with a canary
# seed and passphrase, run as an unprivileged user (root bypasses the
# permission and ptrace rules under test):
#  - the canaries never appear in /proc/PID/cmdline or environ of a running
#    totp, in the output of any command but show/export, or in any file
#    other than the vault, its backup, the import input and an export;
#  - a totp holding a decrypted vault has RLIMIT_CORE 0, is not dumpable,
#    leaves no core on SIGSEGV, and cannot be traced or read by another
#    process of the same user;
#  - the vault, backup, lock, exports and rollback state are 0600 under
#    umask 000; a symbolic link as the vault, as its directory, or planted at
#    the temporary name of a save is refused or not followed.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" = 0 ]; then
	RUNAS="setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all"
	OWNER=nobody:nogroup
else
	RUNAS="" OWNER="$(id -u)"
fi
U=$T/u   # everything the unprivileged user owns
C=$T/cap # captured output, kept out of the file search
mkdir -p "$U/home/.local/share" "$U/bin" "$U/in" "$U/out" "$U/core" "$U/core2" "$C"
cp "$TOTP_BIN_REAL" "$U/bin/totp"
[ -n "$RUNAS" ] && chown -R "$OWNER" "$U"
chmod 700 "$U"
V=$U/home/.local/share/totp/vault

# Canaries, new at every run: a 20-byte seed (printable, so grep finds its
# raw bytes too) and two passphrases.
rnd() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
S_RAW=cnry$(rnd 8)
S_B32=$(printf %s "$S_RAW" | base32 | tr -d '=')
S_HEX=$(printf %s "$S_RAW" | od -An -tx1 | tr -d ' \n')
I_RAW=imp$(rnd 8)x
I_B32=$(printf %s "$I_RAW" | base32 | tr -d '=')
P1=pass-$(rnd 10)
P2=pass-$(rnd 10)
CANARIES="$S_RAW $S_B32 $S_HEX $I_RAW $I_B32 $P1 $P2"

UENV="HOME=$U/home PATH=/usr/bin:/bin TOTP_NO_KEYRING=1 LC_ALL=C TZ=UTC"
asu() { $RUNAS env -i $UENV "$@"; }
# tu CMD...: totp as the user, passphrase P1 through fd 3 (a pipe, no file).
tu() { asu "$U/bin/totp" --passphrase-fd 3 "$@" 3< <(printf '%s\n' "$P1"); }
# leaks TEXT: the canaries found in TEXT (empty when none).
leaks() {
	local c found=""
	for c in $CANARIES; do
		case $1 in *"$c"* | *"$(printf %s "$c" | tr A-Z a-z)"*) found="$found $c" ;; esac
	done
	printf %s "$found"
}
n_cmd=0
# step DESC [--secret-ok] CMD...: runs CMD, output captured in $C; checks
# its exit status is 0 and (unless --secret-ok) that no canary is printed.
step() {
	local desc=$1 secret_ok=0; shift
	[ "$1" = --secret-ok ] && { secret_ok=1; shift; }
	n_cmd=$((n_cmd + 1))
	"$@" >"$C/$n_cmd.out" 2>"$C/$n_cmd.err"
	rc=$?
	out=$(cat "$C/$n_cmd.out") err=$(cat "$C/$n_cmd.err")
	[ "$rc" -eq 0 ] && ok "$desc" || { fail "$desc (exit $rc)"; printf '#   %s\n' "$err"; }
	if [ "$secret_ok" = 0 ]; then
		local l
		l=$(leaks "$out$err")
		[ -z "$l" ] && ok "$desc: no secret in its output" || fail "$desc: prints secret(s):$l"
	fi
}
mode() { stat -c %a "$1" 2>/dev/null; }

touch "$T/start"
sleep 1 # file times have 1 s granularity on some file systems

# --- a full sequence of commands ------------------------------------------------------
step "init under umask 000" asu sh -c 'umask 000; exec "$0" --passphrase-fd 3 init --kdf-memory 8K --kdf-ops 1' "$U/bin/totp" 3< <(printf '%s\n' "$P1")
step "add (seed on stdin)" tu add --issuer Canary acct < <(printf '%s\n' "$S_B32")
step "add hotp" tu add --hotp --issuer Canary hotp < <(printf '%s\n' "$S_B32")
step "code" tu code Canary:acct
code=$out
step "code --json" tu code --json
step "code of hotp" tu code Canary:hotp
step "list" tu list
step "list --json" tu list --json
step "verify" tu verify Canary:acct "$code"
step "show reveals the secret" --secret-ok tu show Canary:acct
contains "$out" "$S_B32" "show prints the canary (the check sees secrets)"
printf 'otpauth://totp/Imp:one?secret=%s&issuer=Imp\n' "$I_B32" >"$U/in/uris.txt"
[ -n "$RUNAS" ] && chown "$OWNER" "$U/in/uris.txt"
step "import --dry-run" tu import --dry-run "$U/in/uris.txt"
step "import" tu import "$U/in/uris.txt"
step "rename" tu rename Imp:one Imp:two
step "doctor runs (exit 0 or 1)" asu sh -c '"$0" doctor; [ $? -le 1 ]' "$U/bin/totp"
step "export --format uri under umask 000" --secret-ok asu sh -c 'umask 000; exec "$0" --passphrase-fd 3 export --format uri -o "$1"' "$U/bin/totp" "$U/out/export.txt" 3< <(printf '%s\n' "$P1")
exports="$U/out/export.txt"
[ "$(mode "$U/out/export.txt")" = 600 ] && ok "export file is 0600 under umask 000" || fail "export mode $(mode "$U/out/export.txt")"
step "passwd (new passphrase on fd 4)" tu passwd --kdf-memory 8K --kdf-ops 1 --new-passphrase-fd 4 4< <(printf '%s\n' "$P2")
P1=$P2
step "list with the new passphrase" tu list
step "rm" tu rm --force Imp:two

# --- files --------------------------------------------------------------------------------
for f in "$V" "$V.bak" "$V.lock"; do
	[ "$(mode "$f")" = 600 ] && ok "$(basename "$f") is 0600 under umask 000" || fail "$f mode $(mode "$f")"
done
[ "$(mode "$(dirname "$V")")" = 700 ] && ok "vault directory is 0700" || fail "vault dir mode $(mode "$(dirname "$V")")"
st=$(ls "$U/home/.local/state/totp"/generation-* 2>/dev/null | head -1)
[ -n "$st" ] && [ "$(mode "$st")" = 600 ] && ok "rollback state file is 0600" || fail "rollback state '$st' mode $(mode "$st")"
[ "$(mode "$U/home/.local/state/totp")" = 700 ] && ok "state directory is 0700" || fail "state dir mode $(mode "$U/home/.local/state/totp")"

# Every file the user wrote since the start under its home, /tmp and
# /dev/shm, except the vault, its backup, the import input and the exports.
printf '%s\n' $CANARIES >"$C/patterns"
asu sh -c 'printf "x%sx" "$0" >"$1"' "$S_HEX" "$U/home/planted" # the control
find "$U" /tmp /dev/shm -xdev -type f -user "${OWNER%%:*}" -newer "$T/start" 2>/dev/null | sort -u |
	grep -vxF -e "$V" -e "$V.bak" -e "$U/in/uris.txt" $(for e in $exports; do printf -- '-e %s ' "$e"; done) >"$C/files"
nfiles=$(wc -l <"$C/files")
hits=$(tr '\n' '\0' <"$C/files" | xargs -0 -r grep -laiF -f "$C/patterns" 2>/dev/null)
[ "$nfiles" -ge 3 ] && ok "$nfiles files written by the user found (lock, rollback state, ...)" || fail "only $nfiles files found: $(cat "$C/files")"
[ "$(printf '%s\n' "$hits" | grep -cxF "$U/home/planted")" = 1 ] && ok "control: a canary planted in a file is found" || fail "the search missed the planted canary"
hits=$(printf '%s\n' "$hits" | grep -vxF "$U/home/planted")
[ -z "$hits" ] && ok "no canary in any other of those $nfiles files" || fail "canary found in: $hits"
for f in "$V" "$V.bak"; do
	l=""
	for c in $CANARIES; do grep -qaiF -e "$c" "$f" && l="$l $c"; done
	[ -z "$l" ] && ok "$(basename "$f") holds no canary in the clear" || fail "$f holds$l"
done

# --- a running totp holding the decrypted vault ----------------------------------------
# passwd has unlocked the vault and waits for the new passphrase on fd 4: a
# FIFO opened read-write, so the read blocks until we write.
pid="" ctl=""
trap 'kill -9 $pid $ctl 2>/dev/null; rm -rf "$T"' EXIT
mkfifo "$U/fifo"
[ -n "$RUNAS" ] && chown "$OWNER" "$U/fifo"
# (not through asu: $! must be the process that becomes totp)
$RUNAS env -i $UENV sh -c 'ulimit -c unlimited; cd "$1" && exec "$0" --passphrase-fd 3 passwd --kdf-memory 8K --kdf-ops 1 --new-passphrase-fd 4 4<>"$2"' \
	"$U/bin/totp" "$U/core" "$U/fifo" 3< <(printf '%s\n' "$P1") >"$C/blocked.out" 2>"$C/blocked.err" &
pid=$!
blocked=0
for _ in $(seq 100); do
	if [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$U/bin/totp" ] &&
		read -r nr fd _ <"/proc/$pid/syscall" 2>/dev/null && [ "$nr" = 0 ] && [ "$fd" = 0x4 ]; then
		blocked=1
		break
	fi
	sleep 0.05
done
[ "$blocked" = 1 ] && ok "totp passwd is blocked reading fd 4 with the vault open" || fail "totp did not block as expected"

args=$(tr '\0' ' ' <"/proc/$pid/cmdline")
contains "$args" "--new-passphrase-fd" "cmdline is readable (the check can see it)"
l=$(leaks "$args"); [ -z "$l" ] && ok "no canary in /proc/PID/cmdline" || fail "cmdline holds$l"
if [ -n "$RUNAS" ]; then
	envs=$(tr '\0' '\n' <"/proc/$pid/environ")
	contains "$envs" "TOTP_NO_KEYRING=1" "environ is readable by root (the check can see it)"
	l=$(leaks "$envs"); [ -z "$l" ] && ok "no canary in /proc/PID/environ" || fail "environ holds$l"
fi
core_lim=$(awk '/^Max core file size/ {print $5, $6}' "/proc/$pid/limits")
[ "$core_lim" = "0 0" ] && ok "RLIMIT_CORE is 0 (soft and hard)" || fail "core limit '$core_lim'"

# A plain process of the same user, started the same way: the control.
$RUNAS env -i $UENV sh -c 'ulimit -c unlimited; cd "$0" && exec sleep 30' "$U/core2" &
ctl=$!
for _ in $(seq 100); do
	[ "$(readlink "/proc/$ctl/exe" 2>/dev/null)" = "$(readlink -f "$(command -v sleep)")" ] && break
	sleep 0.05
done
uid=$(id -u "${OWNER%%:*}")
if [ "$uid" != 0 ]; then
	# proc(5): the files of a process that is not dumpable belong to root.
	[ "$(stat -c %u "/proc/$pid/status")" = 0 ] && [ "$(stat -c %u "/proc/$ctl/status")" = "$uid" ] &&
		ok "not dumpable: its /proc files belong to root, a plain process's to the user" ||
		fail "dumpable? /proc/$pid/status owned by $(stat -c %u "/proc/$pid/status"), control $(stat -c %u "/proc/$ctl/status")"
fi
py=/usr/bin/python3
[ -x "$py" ] || py=python3
cat >"$T/attach.py" <<'EOF'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
pid = int(sys.argv[1])
if libc.ptrace(16, pid, None, None) != 0:  # PTRACE_ATTACH
    print(os.strerror(ctypes.get_errno())); sys.exit(1)
os.waitpid(pid, 0)
libc.ptrace(17, pid, None, None)            # PTRACE_DETACH
print("attached"); sys.exit(0)
EOF
chmod 644 "$T/attach.py"
run asu "$py" "$T/attach.py" "$ctl"
[ "$rc" -eq 0 ] && ok "control: the user can ptrace its own plain process" || fail "control ptrace failed: $out $err"
run asu "$py" "$T/attach.py" "$pid"
[ "$rc" -eq 1 ] && [ "$out" = "Operation not permitted" ] && ok "ptrace attach to totp: EPERM" || fail "ptrace attach to totp: rc $rc $out $err"
run asu "$py" -c 'import sys; open("/proc/%s/mem" % sys.argv[1], "rb")' "$pid"
contains "$err" "PermissionError" "/proc/PID/mem of totp cannot be opened by the user"
run asu cat "/proc/$pid/environ"
[ "$rc" -ne 0 ] && ok "/proc/PID/environ of totp is not readable by the user" || fail "user read environ of totp"
if command -v gdb >/dev/null; then
	run asu gdb -q -n -batch -p "$pid" -ex 'info proc'
	contains "$out$err" "ptrace: Operation not permitted" "gdb -p as the same user is refused"
else
	ok "# SKIP gdb not installed"
fi

kill -SEGV "$pid"
{ wait "$pid"; } 2>/dev/null
src=$?
# A sanitizer build catches the signal itself, reports and exits 1.
asan=$(ldd "$U/bin/totp" 2>/dev/null | awk '/libasan/ {print $3}')
[ "$src" = 139 ] || { [ -n "$asan" ] && [ "$src" = 1 ]; } && ok "SIGSEGV kills totp (status $src)" || fail "status after SIGSEGV: $src"
kill -SEGV "$ctl"
{ wait "$ctl"; } 2>/dev/null
pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
if [ -n "$(ls "$U/core2")" ]; then
	ok "control: a plain process dumps core here (core_pattern '$pattern')"
	[ -z "$(ls "$U/core")" ] && ok "no core file from totp" || fail "core file left: $(ls "$U/core")"
else
	ok "# SKIP this machine writes no core files in the cwd (core_pattern '$pattern'); RLIMIT_CORE and dumpable checked above"
fi
l=$(leaks "$(cat "$C/blocked.out" "$C/blocked.err")"); [ -z "$l" ] && ok "no canary in the killed process's output" || fail "output holds$l"
step "vault opens after the kill" tu list
contains "$out" "Canary:acct" "vault intact after the kill"

# --- symbolic links -----------------------------------------------------------------
cp "$V" "$T/vault.before"
asu ln -s vault "$(dirname "$V")/link"
run tu --vault "$(dirname "$V")/link" list
[ "$rc" -eq 1 ] && ok "a symlinked vault path is refused" || fail "symlinked vault: exit $rc"
contains "$err" "unsafe" "the refusal says why"
asu ln -s "$(dirname "$V")" "$U/dirlink"
run tu --vault "$U/dirlink/vault" list
[ "$rc" -eq 1 ] && ok "a symlinked vault directory is refused" || fail "symlinked dir: exit $rc ($out)"

# A symlink planted at the temporary name of a save: an LD_PRELOAD shim
# creates it just before totp opens that name.
if command -v "${CC:-cc}" >/dev/null; then
	cat >"$T/shim.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static int planted;
int openat(int dirfd, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	const char *base = strrchr(path, '/'), *target = getenv("SHIM_TARGET");
	const char *times = getenv("SHIM_TIMES");
	mode_t mode = 0;
	va_list ap;

	va_start(ap, flags);
	if (flags & O_CREAT)
		mode = va_arg(ap, mode_t);
	va_end(ap);
	if (!real)
		real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	base = base ? base + 1 : path;
	if (target && (flags & O_CREAT) && base[0] == '.' && strstr(base, ".tmp.") &&
	    planted < atoi(times ? times : "1") && symlinkat(target, dirfd, path) == 0)
		dprintf(2, "shim: planted %d\n", ++planted);
	return real(dirfd, path, flags, mode);
}
EOF
	"${CC:-cc}" -shared -fPIC -o "$T/shim.so" "$T/shim.c" -ldl && chmod 755 "$T/shim.so"
	printf 'precious\n' >"$U/target"
	[ -n "$RUNAS" ] && chown "$OWNER" "$U/target"
	cp "$U/target" "$T/target.orig"
	tus() { $RUNAS env -i HOME="$U/home" PATH=/usr/bin:/bin TOTP_NO_KEYRING=1 LD_PRELOAD="${asan:+$asan }$T/shim.so" SHIM_TARGET="$U/target" SHIM_TIMES="$1" "$U/bin/totp" --passphrase-fd 3 "${@:2}" 3< <(printf '%s\n' "$P1"); }
	run tus 1 rename Canary:acct Canary:acct2
	contains "$err" "shim: planted 1" "a symlink was planted at the temporary name"
	[ "$rc" -eq 0 ] && ok "save goes on under another temporary name" || fail "save with a planted symlink: exit $rc $err"
	same_file "$U/target" "$T/target.orig" "the symlink's target is untouched"
	expect 0 "vault opens after that save" tu list Canary:acct2
	find "$(dirname "$V")" -type l -name '.vault.tmp.*' -delete
	cp "$V" "$T/vault.before"
	run tus 1000 rename Canary:acct2 Canary:acct3
	[ "$rc" -eq 1 ] && ok "save fails cleanly when every temporary name is a symlink" || fail "every name planted: exit $rc"
	same_file "$U/target" "$T/target.orig" "the target is still untouched"
	same_file "$V" "$T/vault.before" "the vault is byte-identical after the failed save"
	find "$(dirname "$V")" -type l -name '.vault.tmp.*' -delete
else
	ok "# SKIP no C compiler for the LD_PRELOAD shim"
fi
