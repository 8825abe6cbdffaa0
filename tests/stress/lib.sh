# lib.sh - crash-consistency, I/O-fault, allocation-failure and concurrency
# checks of the vault, shared by the fast tier (tests/cli/t_stress_fast.sh,
# run by `make check`) and the full matrix (tests/stress/run.sh, run by
# `make stress`).  Source tests/cli/lib.sh first, then this file, then call
# stress_setup.
#
# Commands under test, each against a fresh copy of one golden vault:
#   add, rm, rename, passwd, import, and `code` of an HOTP account.
# Kill points: strace -e inject=SYSCALL:signal=SIGKILL:when=K, for every
# call K of every traced syscall from the moment the vault directory is
# opened (the list comes from tracing one uninterrupted run).
# Faults: strace -e inject=SYSCALL:error=ENOSPC|EIO:when=K (once) and
# when=K+ (persistent), at every call that touches the vault directory;
# short and failing writes from shim_write.so; allocation failures from
# shim_alloc.so.

: "${TOTP_BUILD:=$(cd "$(dirname "$TOTP_BIN")" && pwd)}"
SHIM_ALLOC=$TOTP_BUILD/tests/stress/shim_alloc.so
SHIM_WRITE=$TOTP_BUILD/tests/stress/shim_write.so

W=$(cd "$T" && pwd -P)/w   # work area (real path: strace -y prints real paths)
LIVE=$W/live               # what the commands work on: vault and state
D=$LIVE/v                  # vault directory
V=$D/vault
ST=$LIVE/state             # XDG_STATE_HOME (rollback records)
GOLD=$W/gold               # the golden copy of LIVE
IN=$W/in                   # inputs, holding secrets on purpose
export XDG_STATE_HOME=$ST
export TOTP_LOCK_TIMEOUT_MS=60000

CANARY_RAW=QWCANARYSEEDQW1234
CANARY_LABEL=Canary:canary-acct-7731
HOTP_HEX=3132333435363738393031323334353637383930  # RFC 4226 "1234...890"
HOTP_B32=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
COMMANDS="add rm rename passwd import code"

# Syscalls traced for kill points; those strace does not know here are
# dropped by stress_setup.
TRACE_WANT="openat open creat write pwrite64 writev fchmod fsync fdatasync sync_file_range close
	link linkat rename renameat renameat2 unlink unlinkat mkdir mkdirat ftruncate flock"
# Classes at which I/O errors are injected (when the call touches the vault).
FAULT_WANT="openat open creat write pwrite64 writev fchmod fsync fdatasync close link linkat
	rename renameat renameat2 unlinkat flock ftruncate"

have_strace=0
# --seccomp-bpf makes strace stop only at the traced call: used for error
# injection when it works (strace 6.1 ignores signal= under it, so kills
# are injected without it).
FAULT_STRACE=""
have_oathtool=0
sanitized=0

note() { echo "# $*"; }

now_ms() { date +%s%3N; }

# stress_setup: inputs, the golden vault, and tool probes.
stress_setup() {
	local s set=""

	mkdir -p "$W" "$IN"
	printf 'stress horse\n' >"$IN/pass.old"
	printf 'new stress horse\n' >"$IN/pass.new"
	printf '%s' "$CANARY_RAW" | base32 | tr -d '=\n' >"$IN/canary.b32"
	CANARY_B32=$(cat "$IN/canary.b32")
	echo JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP >"$IN/new.b32"
	cat >"$IN/import.txt" <<-'EOF'
		otpauth://totp/Imp:one?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Imp
		otpauth://totp/Imp:two?secret=5OM4WOOGPLQEF6UGN3CPEOOLWU&issuer=Imp&algorithm=SHA256
		otpauth://hotp/Imp:three?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&issuer=Imp&counter=5
	EOF
	if command -v strace >/dev/null && strace -qq -o /dev/null true 2>/dev/null; then
		have_strace=1
		for s in $TRACE_WANT; do
			strace -qq -o /dev/null -e trace="$s" true 2>/dev/null && set="$set,$s"
		done
		TRACE_SET=${set#,}
		if ! strace -f -qq --seccomp-bpf -o /dev/null -e trace=write -e inject=write:error=EIO \
			/bin/echo x >/dev/null 2>&1; then
			FAULT_STRACE=--seccomp-bpf
		fi
	fi
	command -v oathtool >/dev/null && have_oathtool=1
	if ldd "$TOTP_BIN" 2>/dev/null | grep -q 'libasan\|libtsan'; then
		sanitized=1
	fi
	make_golden
}

tpf() { # PASSFILE ARGS...: the CLI with the passphrase on fd 3
	local pf=$1
	shift
	"$TOTP_BIN" --vault "$V" --passphrase-fd 3 "$@" 3<"$pf"
}

make_golden() {
	rm -rf "$LIVE" "$GOLD"
	mkdir -p "$ST"
	tpf "$IN/pass.old" init --kdf-memory 8K --kdf-ops 1 >/dev/null 2>&1 &&
		tpf "$IN/pass.old" add "$CANARY_LABEL" <"$IN/canary.b32" >/dev/null 2>&1 &&
		echo JBSWY3DPEHPK3PXP | tpf "$IN/pass.old" add Old:victim >/dev/null 2>&1 &&
		echo KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ | tpf "$IN/pass.old" add Old:renameme \
			>/dev/null 2>&1 &&
		echo "$HOTP_B32" | tpf "$IN/pass.old" add --hotp --digits 8 Hotp:counter \
			>/dev/null 2>&1
	if [ $? -ne 0 ] || [ ! -f "$V" ]; then
		fail "golden vault could not be made"
		exit 1
	fi
	cp -a "$LIVE" "$GOLD"
}

restore() {
	rm -rf "$LIVE"
	cp -a "$GOLD" "$LIVE"
}

# run_cmd NAME [WRAPPER...]: run one command under test; stdout in $W/out,
# stderr in $W/err, status in $rc.
run_cmd() {
	local name=$1 asan=${ASAN_OPTIONS:-} in=/dev/null
	local -a args
	shift
	# LeakSanitizer cannot run under ptrace.
	[ "${1:-}" = strace ] && asan="${asan:+$asan:}detect_leaks=0"
	case $name in
	add) args=(add Newco:new-acct) in=$IN/new.b32 ;;
	rm) args=(rm --force Old:victim) ;;
	rename) args=(rename Old:renameme Old:renamed) ;;
	passwd) args=(passwd --kdf-memory 8K --kdf-ops 1 --new-passphrase-fd 4) ;;
	import) args=(import "$IN/import.txt") ;;
	code) args=(code Hotp:counter) ;;
	*) echo "run_cmd: unknown command $name" >&2; return 2 ;;
	esac
	# In a subshell whose own stderr is discarded: bash reports a child
	# killed by a signal ("Killed") there.
	(
		ASAN_OPTIONS=$asan "$@" "$TOTP_BIN" --vault "$V" --passphrase-fd 3 "${args[@]}" \
			3<"$IN/pass.old" 4<"$IN/pass.new" <"$in" >"$W/out" 2>"$W/err"
		exit $?
	) 2>/dev/null
	rc=$?
}

# fingerprint: "old" or "new" (the passphrase that opens the vault) and
# the account list; status 1 when neither passphrase opens it.
fingerprint() {
	local p

	for p in old new; do
		if tpf "$IN/pass.$p" list >"$W/fp" 2>/dev/null; then
			echo "$p"
			cat "$W/fp"
			return 0
		fi
	done
	return 1
}

# pass_that_opens: the passphrase file that opens the vault now.
pass_that_opens() {
	if tpf "$IN/pass.old" list >/dev/null 2>&1; then
		echo "$IN/pass.old"
	else
		echo "$IN/pass.new"
	fi
}

# strays: entries of the vault directory other than the vault, its backup
# and its lock, one per line (shell only: this runs thousands of times).
strays() {
	local f

	for f in "$D"/.* "$D"/*; do
		f=${f##*/}
		case $f in . | .. | vault | vault.bak | vault.lock | '*' | '.*') ;; *) echo "$f" ;; esac
	done
}

# odd_strays: strays that are not temporary files of a save.
odd_strays() {
	local f

	for f in $(strays); do
		case $f in .vault.tmp.[A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9]) ;;
		*) echo "$f" ;; esac
	done
}

# leaks: files of the vault or state directories that hold the canary.
leaks() {
	grep -r -a -l -F -e "$CANARY_RAW" -e "$CANARY_B32" -e "${CANARY_LABEL#*:}" "$D" "$ST" \
		2>/dev/null
}

# hotp_code C: the 8-digit HOTP code of counter C.
hotp_code() { oathtool --hotp -d 8 -c "$1" "$HOTP_HEX"; }

# hotp_counter: the stored counter of Hotp:counter (empty if the vault
# does not open).
hotp_counter() {
	local line

	line=$(tpf "$IN/pass.old" list Hotp:counter 2>/dev/null) || return 0
	echo "${line##*$'\t'}"
}

# trace_points NAME: trace one uninterrupted run from the golden vault and
# write $W/points.NAME, one line per call after the vault directory is
# first touched: "SYSCALL K V|- TEXT" (V: the call names the vault directory).
trace_points() {
	local name=$1

	restore
	run_cmd "$name" strace -f -qq -y -s 40 -o "$W/trace.$name" -e trace="$TRACE_SET"
	if [ "$rc" -ne 0 ]; then
		fail "$name: uninterrupted traced run (exit $rc: $(head -c 300 "$W/err"))"
		return 1
	fi
	awk -v dir="$D" '
		NR == 1 { main = $1 }
		$1 != main { next }
		{
			line = $0
			sub(/^[0-9]+ +/, "", line)
			sc = line
			sub(/\(.*/, "", sc)
			if (sc !~ /^[a-z0-9_]+$/)
				next
			k = ++count[sc]
			rel = index(line, dir "/") || index(line, dir ">") || index(line, dir "\"")
			if (rel)
				started = 1
			if (!started)
				next
			gsub(/[ \t]+/, " ", line)
			printf "%s %d %s %s\n", sc, k, rel ? "V" : "-", substr(line, 1, 160)
		}' "$W/trace.$name" >"$W/points.$name"
	[ -s "$W/points.$name" ] || { fail "$name: no kill points found"; return 1; }
}

# sample_points FILE full|fast: the points to try.  fast keeps the first and
# the last, every STRESS_FAST_EVERY-th (4, or 8 in a sanitizer build, which
# runs slower), and every rename/link/fsync of the vault.
sample_points() {
	local every=${STRESS_FAST_EVERY:-$((sanitized ? 8 : 4))}

	if [ "$2" = full ]; then
		cat "$1"
		return
	fi
	awk -v every="$every" '{ line[NR] = $0; imp[NR] = ($3 == "V" && $1 ~ /^(rename|renameat|renameat2|link|linkat|fsync|fdatasync)$/) }
		END { for (i = 1; i <= NR; i++) if (i == 1 || i == NR || i % every == 1 || imp[i]) print line[i] }' "$1"
}

# ---------------------------------------------------------------------------
# Crash consistency

# crash_matrix NAME full|fast: kill NAME before each sampled call and check
# the vault afterwards.  Adds to crash_tried, crash_bad.
crash_tried=0
crash_bad=0
crash_summary=""
crash_matrix() {
	local name=$1 tier=$2 sc k vrel text fp_old fp_new fp tried=0 bad=0 nold=0 nnew=0
	local temps=0 why pf n

	[ "$name" = code ] && { hotp_crash_chain "$tier"; return; }
	restore
	fp_old=$(fingerprint) || { fail "$name: golden vault does not open"; return; }
	trace_points "$name" || return
	fp_new=$(fingerprint)
	if [ "$fp_new" = "$fp_old" ]; then
		fail "$name: the command changed nothing"
		return
	fi
	while read -r sc k vrel text; do
		restore
		run_cmd "$name" strace -f -qq -o /dev/null -e trace="$sc" \
			-e inject="$sc:signal=SIGKILL:when=$k"
		tried=$((tried + 1))
		why=""
		if [ "$rc" -ne 137 ]; then
			why="not killed (exit $rc)"
		elif ! fp=$(fingerprint); then
			why="vault does not open with either passphrase"
		elif [ "$fp" = "$fp_old" ]; then
			nold=$((nold + 1))
		elif [ "$fp" = "$fp_new" ]; then
			nnew=$((nnew + 1))
		else
			why="vault holds neither the old nor the new accounts"
		fi
		n=$(odd_strays)
		[ -n "$n" ] && why="$why; unexpected files after the kill: $n"
		if [ -n "$(strays)" ]; then
			# Temporary files of the killed save: encrypted, never plaintext.
			temps=$((temps + 1))
			n=$(leaks)
			[ -n "$n" ] && why="$why; canary in $n"
		fi
		if [ -z "$why" ]; then
			# The next command: a writer, which also clears leftovers.
			pf=$IN/pass.old
			[ "${fp%%$'\n'*}" = new ] && pf=$IN/pass.new
			if ! tpf "$pf" add "Probe:after-$sc-$k" <"$IN/new.b32" >/dev/null 2>"$W/err2"; then
				why="next command failed: $(head -c 200 "$W/err2")"
			elif [ -n "$(strays)" ]; then
				why="left after the next command: $(strays | tr '\n' ' ')"
			fi
		fi
		if [ -n "$why" ]; then
			bad=$((bad + 1))
			fail "crash $name: SIGKILL before $sc #$k [$text]: $why"
		fi
	done < <(sample_points "$W/points.$name" "$tier")
	n=$(leaks)
	[ -n "$n" ] && { bad=$((bad + 1)); fail "crash $name: canary on disk in $n"; }
	crash_tried=$((crash_tried + tried))
	crash_bad=$((crash_bad + bad))
	crash_summary="$crash_summary $name=$tried"
	[ "$bad" -eq 0 ] &&
		ok "crash $name: $tried kill points, all consistent ($nold old, $nnew new; $temps kills left temporary files, all removed by the next command)"
}

# hotp_crash_chain full|fast: kill `code` of an HOTP account before each
# sampled call, then run it normally; every printed code must be the code of
# the counter stored before that run, the counter never goes back, and no
# code is ever printed twice.  The vault is not restored between points.
hotp_crash_chain() {
	local tier=$1 sc k vrel text c0 c1 c2 got tried=0 bad=0 printed=0 by_killed=0 why i c
	local -A code_of=() seen=()

	if [ "$have_oathtool" = 1 ]; then
		i=0
		while read -r c; do
			code_of[$i]=$c
			i=$((i + 1))
		done < <(oathtool --hotp -d 8 -c 0 -w 4000 "$HOTP_HEX")
	fi
	restore
	trace_points code || return
	restore
	c0=$(hotp_counter)
	while read -r sc k vrel text; do
		why=""
		run_cmd code strace -f -qq -o /dev/null -e trace="$sc" \
			-e inject="$sc:signal=SIGKILL:when=$k"
		tried=$((tried + 1))
		got=$(<"$W/out")
		c1=$(hotp_counter)
		if [ "$rc" -ne 137 ]; then
			why="not killed (exit $rc)"
		elif [ -z "$c1" ]; then
			why="vault does not open after the kill"
		elif [ -n "$got" ]; then
			by_killed=$((by_killed + 1))
			[ "$c1" -eq $((c0 + 1)) ] || why="printed $got but counter $c0 -> $c1"
			[ -n "${code_of[$c0]:-}" ] && [ "$got" != "${code_of[$c0]}" ] &&
				why="$why; printed $got, not the code of counter $c0"
		elif [ "$c1" -ne "$c0" ] && [ "$c1" -ne $((c0 + 1)) ]; then
			why="counter $c0 -> $c1"
		fi
		if [ -n "$got" ]; then
			[ -n "${seen[$got]:-}" ] && why="$why; code $got printed twice"
			seen[$got]=1
			printed=$((printed + 1))
		fi
		n=$(odd_strays)
		[ -n "$n" ] && why="$why; unexpected files: $n"
		if [ -z "$why" ]; then
			run_cmd code
			got=$(<"$W/out")
			c2=$(hotp_counter)
			if [ "$rc" -ne 0 ]; then
				why="next code failed: $(head -c 200 "$W/err")"
			else
				[ "$c2" -eq $((c1 + 1)) ] || why="next code: counter $c1 -> $c2"
				[ -n "${code_of[$c1]:-}" ] && [ "$got" != "${code_of[$c1]}" ] &&
					why="$why; next code $got is not the code of counter $c1"
				[ -n "${seen[$got]:-}" ] && why="$why; code $got printed twice"
				seen[$got]=1
				printed=$((printed + 1))
			fi
			[ -n "$(strays)" ] && why="$why; left after the next code: $(strays | tr '\n' ' ')"
			c0=$c2
		fi
		if [ -n "$why" ]; then
			bad=$((bad + 1))
			fail "crash code (HOTP): SIGKILL before $sc #$k [$text]: $why"
			c0=$(hotp_counter)
		fi
	done < <(sample_points "$W/points.code" "$tier")
	n=$(leaks)
	[ -n "$n" ] && { bad=$((bad + 1)); fail "crash code (HOTP): canary on disk in $n"; }
	crash_tried=$((crash_tried + tried))
	crash_bad=$((crash_bad + bad))
	crash_summary="$crash_summary code=$tried"
	[ "$bad" -eq 0 ] &&
		ok "crash code (HOTP): $tried kill points, $printed codes printed ($by_killed by killed runs), none twice, each the code of the stored counter, counter never back"
}

# ---------------------------------------------------------------------------
# I/O errors

errtext() {
	case $1 in
	ENOSPC) echo "No space left on device" ;;
	EIO) echo "Input/output error" ;;
	EDQUOT) echo "Disk quota exceeded" ;;
	EROFS) echo "Read-only file system" ;;
	esac
}

# fault_target SYSCALL TEXT: "close(vault.lock)", "openat(v, \".\")": the
# call and the file it works on, for the summary of tolerated faults.
fault_target() {
	local f=${2#*<}

	f=${f%%>*}
	f=${f##*/}
	case $1 in
	openat | linkat | renameat* | unlinkat) echo "$1($f, $(cut -d, -f2 <<<"$2" | tr -d ' '))" ;;
	*) echo "$1($f)" ;;
	esac
}

# fault_check NAME DESC ERRTEXT|"" FP_NEW: classify the run just made.
# Refused (exit non-zero, message, vault byte-identical), tolerated (exit 0,
# the new accounts) or committed (exit non-zero after the rename: the new
# vault, and a message that does not claim the old one was kept).
fault_refused=0
fault_tolerated=0
fault_committed=0
fault_bad=0
fault_tolerated_list="" # one line per tolerated fault: the call and its file
fault_where=""
fault_check() {
	local name=$1 desc=$2 want=$3 fp_new=$4 why="" fp

	if [ "$rc" -ge 128 ] || grep -q 'Sanitizer\|runtime error' "$W/err"; then
		why="crashed (exit $rc): $(head -c 300 "$W/err")"
	elif [ "$rc" -eq 0 ]; then
		fp=$(fingerprint)
		if [ "$fp" = "$fp_new" ]; then
			fault_tolerated=$((fault_tolerated + 1))
			fault_tolerated_list="$fault_tolerated_list$fault_where
"
		else
			why="exit 0 but the vault does not hold the new accounts"
		fi
	elif cmp -s "$V" "$GOLD/v/vault"; then
		if [ -n "$want" ] && ! grep -q "$want" "$W/err"; then
			why="no message naming '$want': $(head -c 300 "$W/err")"
		else
			fault_refused=$((fault_refused + 1))
		fi
	elif fp=$(fingerprint) && [ "$fp" = "$fp_new" ]; then
		if grep -q 'unchanged' "$W/err"; then
			why="the new vault is in place but the message says: $(grep unchanged "$W/err" | head -1)"
		elif [ -n "$want" ] && ! grep -q "$want" "$W/err"; then
			why="committed, no message naming '$want'"
		else
			fault_committed=$((fault_committed + 1))
		fi
	else
		why="exit $rc and the vault changed: $(head -c 300 "$W/err")"
	fi
	[ -n "$(strays)" ] && why="$why; left: $(strays | tr '\n' ' ')"
	[ -n "$(leaks)" ] && why="$why; canary on disk"
	if [ -n "$why" ]; then
		fault_bad=$((fault_bad + 1))
		fail "fault $name: $desc: $why"
		return 1
	fi
	return 0
}

# fault_matrix NAME full|fast: inject errors at the calls that touch the
# vault.  full: every such call, ENOSPC and EIO, once and persistent.
# fast: in the save itself (from the creation of the temporary file on), the
# first call of each class and every rename and fsync, ENOSPC and EIO once,
# and ENOSPC persistent at the write.
fault_tried=0
fault_matrix() {
	local name=$1 tier=$2 sc k vrel text fp_new err mode when want tried=0 bad0=$fault_bad
	local classes=" ${FAULT_WANT//[$'\n\t']/ } " insave=0 done_classes=" "

	restore
	trace_points "$name" || return
	fp_new=$(fingerprint)
	while read -r sc k vrel text; do
		[ "$vrel" = V ] || continue
		case $classes in *" $sc "*) ;; *) continue ;; esac
		case $text in *'.tmp.'*O_CREAT*) insave=1 ;; esac
		if [ "$tier" = fast ]; then
			[ "$insave" = 0 ] && continue
			case "$done_classes" in
			*" $sc "*) case $sc in rename* | fsync | fdatasync) ;; *) continue ;; esac ;;
			esac
			done_classes="$done_classes$sc "
		fi
		fault_where=$(fault_target "$sc" "$text")
		for err in ENOSPC EIO; do
			for mode in once persistent; do
				if [ "$tier" = fast ] && [ "$mode" = persistent ]; then
					[ "$err" = ENOSPC ] && [ "$sc" = write ] || continue
				fi
				when=$k
				[ "$mode" = persistent ] && when="$k+"
				restore
				run_cmd "$name" strace -f -qq $FAULT_STRACE -o /dev/null -e trace="$sc" \
					-e inject="$sc:error=$err:when=$when"
				tried=$((tried + 1))
				want=$(errtext "$err")
				# A persistent write error also silences stderr.
				[ "$mode" = persistent ] && [ "$sc" = write ] && want=""
				fault_check "$name" "$err $mode at $sc #$k [$text]" "$want" "$fp_new"
			done
		done
	done < <(cat "$W/points.$name")
	fault_tried=$((fault_tried + tried))
	[ "$fault_bad" -eq "$bad0" ] && ok "faults $name: $tried injected I/O errors handled"
}

# short_writes NAME: write(2) on regular files misbehaving (shim_write.so).
short_writes() {
	local name=$1 fp_new m ok_all=1 bad0=$fault_bad

	[ -f "$SHIM_WRITE" ] || { ok "short writes $name # SKIP $SHIM_WRITE not built"; return; }
	restore
	run_cmd "$name"
	fp_new=$(fingerprint)
	for m in short:1 short:7 short:100 eintr; do
		restore
		STRESS_WRITE=$m STRESS_WRITE_COUNT=$W/wcount run_cmd "$name" env LD_PRELOAD="$SHIM_WRITE" \
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
		fault_tried=$((fault_tried + 1))
		if [ "$rc" -ne 0 ] || [ "$(fingerprint)" != "$fp_new" ]; then
			fail "short writes $name: STRESS_WRITE=$m: exit $rc, $(head -c 200 "$W/err")"
			ok_all=0
		elif [ "$(cat "$W/wcount" 2>/dev/null || echo 0)" -lt 2 ] && [ "$m" != eintr ]; then
			fail "short writes $name: STRESS_WRITE=$m: the shim saw $(cat "$W/wcount" 2>/dev/null) writes"
			ok_all=0
		elif [ -n "$(strays)" ]; then
			fail "short writes $name: STRESS_WRITE=$m: left $(strays | tr '\n' ' ')"
			ok_all=0
		fi
	done
	for m in enospc:1 enospc:50 zero; do
		restore
		STRESS_WRITE=$m run_cmd "$name" env LD_PRELOAD="$SHIM_WRITE" \
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
		fault_tried=$((fault_tried + 1))
		fault_where="write(STRESS_WRITE=$m)"
		case $m in
		enospc:*) fault_check "$name" "STRESS_WRITE=$m" "No space left on device" "$fp_new" ;;
		zero) fault_check "$name" "STRESS_WRITE=$m" "Input/output error" "$fp_new" ;;
		esac || ok_all=0
		if [ "$rc" -eq 0 ]; then
			fail "short writes $name: STRESS_WRITE=$m: a failing write went unnoticed"
			ok_all=0
		fi
	done
	[ "$ok_all" = 1 ] && [ "$fault_bad" -eq "$bad0" ] &&
		ok "short writes $name: 1-, 7- and 100-byte writes and EINTR complete the save; a write cut short by ENOSPC and a zero-byte write are refused with the vault byte-identical"
}

# ---------------------------------------------------------------------------
# Allocation failures

alloc_tried=0
alloc_bad=0
alloc_summary=""
# alloc_matrix NAME full|fast [valgrind-sample-count]
alloc_matrix() {
	local name=$1 tier=$2 vg=${3:-0} total fp_new n mode tried=0 bad=0 why tol=0 refused=0 vgn=0
	local modes="once"

	[ "$tier" = full ] && modes="once persistent"
	if [ ! -f "$SHIM_ALLOC" ]; then
		ok "allocation failures $name # SKIP $SHIM_ALLOC not built"
		return
	fi
	if [ "$sanitized" = 1 ]; then
		ok "allocation failures $name # SKIP sanitizer build (its allocator cannot be interposed)"
		return
	fi
	export STRESS_ALLOC_PROG=${TOTP_BIN##*/}
	restore
	rm -f "$W/alog"
	STRESS_ALLOC_LOG=$W/alog run_cmd "$name" env LD_PRELOAD="$SHIM_ALLOC"
	total=$(wc -l <"$W/alog" 2>/dev/null || echo 0)
	if [ "$rc" -ne 0 ] || [ "$total" -lt 1 ]; then
		fail "allocation failures $name: dry run (exit $rc, $total allocations counted)"
		return
	fi
	fp_new=$(fingerprint)
	for mode in $modes; do
		for n in $(seq 1 "$total"); do
			local spec=$n
			[ "$mode" = persistent ] && spec="$n+"
			restore
			rm -f "$W/alog"
			STRESS_ALLOC_FAIL=$spec STRESS_ALLOC_LOG=$W/alog run_cmd "$name" env LD_PRELOAD="$SHIM_ALLOC"
			tried=$((tried + 1))
			why=""
			if [ "$rc" -ge 128 ]; then
				why="crashed (exit $rc)"
			elif [ "$rc" -eq 0 ]; then
				if [ "$(fingerprint)" = "$fp_new" ]; then tol=$((tol + 1)); else why="exit 0, wrong accounts"; fi
			elif [ "$rc" -ne 1 ]; then
				why="exit $rc"
			elif ! cmp -s "$V" "$GOLD/v/vault"; then
				why="vault changed"
			elif ! grep -q 'out of memory' "$W/err"; then
				why="no 'out of memory' message: $(grep -v warning "$W/err" | head -c 200)"
			else
				refused=$((refused + 1))
			fi
			[ -n "$(strays)" ] && why="$why; left: $(strays | tr '\n' ' ')"
			if [ -n "$why" ]; then
				bad=$((bad + 1))
				fail "allocation $name: failing call $spec [$(grep FAILED "$W/alog" | head -1)]: $why"
			fi
		done
	done
	if [ "$vg" -gt 0 ] && command -v valgrind >/dev/null; then
		local step=$(((total + vg - 1) / vg))
		# valgrind follows env's exec into totp; the shim is loaded there
		# only, so valgrind's own allocations are not counted.
		for n in $(seq 1 "$step" "$total"); do
			restore
			STRESS_ALLOC_FAIL=$n run_cmd "$name" valgrind -q --trace-children=yes \
				--error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
				--show-leak-kinds=definite,indirect env LD_PRELOAD="$SHIM_ALLOC"
			tried=$((tried + 1))
			vgn=$((vgn + 1))
			if [ "$rc" -eq 99 ] || [ "$rc" -ge 128 ] || grep -q '^==[0-9]*== ' "$W/err"; then
				bad=$((bad + 1))
				fail "allocation $name under valgrind: failing call $n: exit $rc: $(grep -m4 '^==' "$W/err" | tr '\n' ' ')"
			fi
		done
		alloc_summary="$alloc_summary $name: $vgn of them under valgrind;"
	fi
	alloc_tried=$((alloc_tried + tried))
	alloc_bad=$((alloc_bad + bad))
	alloc_summary="$alloc_summary $name=$total allocations ($modes);"
	[ "$bad" -eq 0 ] &&
		ok "allocation failures $name: $total allocations, each failed in turn ($modes): $refused refused with 'out of memory' and the vault byte-identical, $tol tolerated$([ "$vgn" -gt 0 ] && echo "; $vgn runs under valgrind: 0 errors, 0 definite/indirect leaks")"
}

# ---------------------------------------------------------------------------
# Concurrency

# concurrent_imports ROUNDS PROCS: PROCS parallel `import` processes, each of
# one distinct account, ROUNDS times; HOTP `code` runs race with them.  Every
# account must end up in the vault exactly once.
conc_accounts=0
concurrent_imports() {
	local rounds=$1 procs=$2 r i pids start0 n0 n1 lost dup nfail=0 t0 t1 ms=0 codes=0
	local want="$W/conc.want"

	restore
	n0=$(tpf "$IN/pass.old" list | wc -l)
	start0=$(hotp_counter)
	: >"$want"
	: >"$W/conc.codes"
	mkdir -p "$IN/conc"
	for r in $(seq 1 "$rounds"); do
		pids=""
		for i in $(seq 1 "$procs"); do
			printf 'otpauth://totp/Conc:r%dp%d?secret=%s&issuer=Conc\n' "$r" "$i" \
				"$(printf 'C%03d%03dSTRESSPAD' "$r" "$i" | base32 | tr -d '=')" >"$IN/conc/$r-$i.txt"
			echo "Conc:r${r}p$i" >>"$want"
		done
		t0=$(now_ms)
		for i in $(seq 1 "$procs"); do
			tpf "$IN/pass.old" import "$IN/conc/$r-$i.txt" >"$W/conc.$i.out" 2>&1 &
			pids="$pids $!"
			if [ $((i % 8)) -eq 0 ]; then
				tpf "$IN/pass.old" code Hotp:counter >>"$W/conc.codes" 2>"$W/conc.c$i.err" &
				pids="$pids $!"
				codes=$((codes + 1))
			fi
		done
		for i in $pids; do
			wait "$i" || nfail=$((nfail + 1))
		done
		t1=$(now_ms)
		ms=$((ms + t1 - t0))
	done
	tpf "$IN/pass.old" list | awk -F'\t' '{ print $1 }' >"$W/conc.have"
	n1=$(wc -l <"$W/conc.have")
	lost=$(LC_ALL=C sort "$want" | LC_ALL=C comm -23 - <(LC_ALL=C sort "$W/conc.have") | wc -l)
	dup=$(LC_ALL=C sort "$W/conc.have" | uniq -d | wc -l)
	conc_accounts=$((conc_accounts + rounds * procs))
	if [ "$nfail" -eq 0 ] && [ "$lost" -eq 0 ] && [ "$dup" -eq 0 ] &&
		[ "$n1" -eq $((n0 + rounds * procs)) ] && [ -z "$(strays)" ] &&
		[ "$(hotp_counter)" -eq $((start0 + codes)) ] &&
		[ -z "$(sort "$W/conc.codes" | uniq -d)" ] &&
		[ "$(wc -l <"$W/conc.codes")" -eq "$codes" ]; then
		ok "concurrency: $rounds x $procs parallel imports (+$((procs / 8)) HOTP codes each round): $n0 -> $n1 accounts, 0 lost, 0 duplicated, $codes distinct codes, counter +$codes, ${ms} ms"
	else
		fail "concurrency: $rounds x $procs imports: $nfail failed processes, $lost lost, $dup duplicated, $n0 -> $n1 accounts, counter $start0 -> $(hotp_counter), codes printed: $(wc -l <"$W/conc.codes") (twice: $(sort "$W/conc.codes" | uniq -d | tr '\n' ' ')), strays: $(strays | tr '\n' ' ')"
		cat "$W"/conc.*.out "$W"/conc.c*.err 2>/dev/null | grep -v '^imported' | head -5 | sed 's/^/#   /'
	fi
}

# busy_lock HOLD_S TIMEOUT_MS|default: another process holds the lock;
# a writer gives up after the timeout with a "busy" message, the vault
# unchanged; a reader is not blocked; a writer with a long timeout waits and
# then succeeds.
busy_lock() {
	local hold=$1 tmo=$2 holder t0 t1 el lo hi

	restore
	flock -x -o "$V.lock" sleep "$hold" &
	holder=$!
	for _ in $(seq 1 200); do
		flock -n -x "$V.lock" true 2>/dev/null || break
		sleep 0.01
	done
	t0=$(now_ms)
	if [ "$tmo" = default ]; then
		(unset TOTP_LOCK_TIMEOUT_MS; run_cmd add; echo "$rc" >"$W/busy.rc")
		lo=10000
	else
		TOTP_LOCK_TIMEOUT_MS=$tmo run_cmd add
		echo "$rc" >"$W/busy.rc"
		lo=$tmo
	fi
	t1=$(now_ms)
	el=$((t1 - t0))
	hi=$((lo + 1500))
	rc=$(cat "$W/busy.rc")
	if [ "$rc" -eq 1 ] && grep -qi 'busy' "$W/err" && [ "$el" -ge "$lo" ] && [ "$el" -le "$hi" ] &&
		cmp -s "$V" "$GOLD/v/vault"; then
		ok "busy lock: writer gave up after $el ms (timeout $lo ms$([ "$tmo" = default ] && echo ', the default')): $(grep -i -m1 busy "$W/err")"
	else
		fail "busy lock: exit $rc after $el ms (want 1 within $lo..$hi ms), stderr: $(head -c 200 "$W/err")"
	fi
	t0=$(now_ms)
	if tpf "$IN/pass.old" list >/dev/null 2>&1 && [ $(($(now_ms) - t0)) -lt 2000 ]; then
		ok "busy lock: a reader is not blocked ($(($(now_ms) - t0)) ms)"
	else
		fail "busy lock: list failed or waited while the lock was held"
	fi
	t0=$(now_ms)
	TOTP_LOCK_TIMEOUT_MS=$(((hold + 10) * 1000)) run_cmd add
	el=$(($(now_ms) - t0))
	wait "$holder"
	if [ "$rc" -eq 0 ]; then
		ok "busy lock: a patient writer waited $el ms for the lock and saved"
	else
		fail "busy lock: patient writer exit $rc: $(head -c 200 "$W/err")"
	fi
}
