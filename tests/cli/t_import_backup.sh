# t_import_backup.sh - 'totp import' of encrypted backup codes
# (totp-backup(5)): written by tests/tools/mkbackup through the library (and
# by 'totp export --format encrypted-qr' when it exists), rendered as QR
# PNGs with qrencode or kept as text, and restored in any order.  Every
# restored account's code at a fixed time is compared with RFC 6238 codes
# computed by the test (checked against oathtool); every
# refused import must leave the vault byte-identical.
. "$(dirname "$0")/lib.sh"

top=${TOTP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
MK=${TOTP_BUILD:-$top/build}/tests/tools/mkbackup
if [ ! -x "$MK" ] || ! command -v oathtool >/dev/null || ! command -v qrencode >/dev/null ||
	! command -v python3 >/dev/null; then
	ok "# SKIP mkbackup (make check builds it), oathtool, qrencode or python3 missing"
	exit 0
fi
AT=1700000000
NOW="2023-11-14 22:13:20 UTC"
V=$T/v/vault
B=$T/b
mkdir -p "$T/v" "$B"
printf 'correct horse\n' >"$T/pass"
printf 'backup staple\n' >"$T/bpass"
printf 'other battery\n' >"$T/bpass2"
printf 'not it\n' >"$T/badpw"
tp() { "$TOTP_BIN" --vault "$V" --passphrase-fd 3 "$@" 3<"$T/pass"; }
# tpb PASSFILE ARGS...: import with the backup passphrase on descriptor 4.
tpb() { local pw=$1; shift; "$TOTP_BIN" --vault "$V" --passphrase-fd 3 import \
	--file-passphrase-fd 4 "$@" 3<"$T/pass" 4<"$pw"; }
snap() { cp "$V" "$T/snap"; }
unchanged() { same_file "$V" "$T/snap" "$1: vault byte-identical"; }
fresh() { rm -f "$V" "$V.bak"; cp "$T/empty" "$V"; }
"$TOTP_BIN" --vault "$V" --passphrase-fd 3 init --kdf-memory 8K --kdf-ops 1 3<"$T/pass" >/dev/null 2>&1
cp "$V" "$T/empty"

# gen NAME:N...: N accounts as otpauth URIs in $B/NAME.uris, and in
# $B/NAME.want each one's "Issuer:account|code" at $AT, computed here by
# RFC 6238 (a few are checked against oathtool below).  Issuers repeat (the
# format shares them); algorithms, digits and periods vary.
cat >"$T/gen.py" <<'EOF'
import base64, hashlib, hmac, struct, sys
out, at = sys.argv[1], int(sys.argv[2])
kinds = [('SHA256', 8, 30), ('SHA1', 6, 60), ('SHA512', 7, 30), ('SHA1', 6, 30), ('SHA1', 6, 30)]
for arg in sys.argv[3:]:
    name, n = arg.split(':')
    with open(f'{out}/{name}.uris', 'w') as uris, open(f'{out}/{name}.want', 'w') as want:
        for i in range(1, int(n) + 1):
            key = f'{name}-{i:04d}-0123456789abcdef'.encode()[:20]
            secret = base64.b32encode(key).decode().rstrip('=')
            iss, acct = f'Issuer{i % 9}', f'user{i}@{name}.example'
            algo, digits, period = kinds[i % 5]
            print(f'otpauth://totp/{iss}:{acct}?secret={secret}&issuer={iss}'
                  f'&algorithm={algo}&digits={digits}&period={period}', file=uris)
            mac = hmac.new(key, struct.pack('>Q', at // period), algo.lower()).digest()
            off = mac[-1] & 15
            v = struct.unpack('>I', mac[off:off + 4])[0] & 0x7fffffff
            print(f'{iss}:{acct}|{v % 10 ** digits:0{digits}d}', file=want)
EOF
gen() { python3 "$T/gen.py" "$B" "$AT" "$@"; }
# mk NAME PASSFILE [PART_BYTES]: the backup of NAME's accounts, one part a
# line in $B/NAME.txt (part order), its id in $B/NAME.id, and part K as
# $B/NAME-K.png.
mk() {
	local k=0 line
	"$MK" ${3:-} <"$B/$1.uris" >"$B/$1.txt" 2>"$B/$1.id" 3<"$2" || fail "mkbackup $1"
	while read -r line; do
		k=$((k + 1))
		qrencode -o "$B/$1-$k.png" "$line"
	done <"$B/$1.txt"
}
parts() { wc -l <"$B/$1.txt" | tr -d ' '; }
id() { cat "$B/$1.id"; }

# codes WHAT WANTFILE...: the vault holds exactly the accounts of the want
# files, each with the code oathtool gives at $AT.
codes() {
	local what=$1 got want; shift
	got=$(tp code --json --at "$AT" 2>/dev/null |
		sed -n 's/.*"issuer": "\([^"]*\)", "account": "\([^"]*\)".*"code": "\([^"]*\)".*/\1:\2|\3/p' |
		sort)
	want=$(cat "$@" | sort)
	if [ -n "$got" ] && [ "$got" = "$want" ]; then
		ok "$what: $(printf '%s\n' "$want" | wc -l) accounts, codes agree with oathtool"
	else
		fail "$what: accounts or codes differ"
		diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -5 | sed 's/^/#   /'
	fi
}

gen one:1 fifteen:15 hundred:100 other:4
# The reference codes agree with oathtool's (one account of each kind).
bad=""
for i in 1 2 3 4 5; do
	u=$(sed -n "${i}p" "$B/hundred.uris")
	sec=$(printf '%s' "$u" | sed 's/.*secret=\([A-Z2-7]*\).*/\1/')
	alg=$(printf '%s' "$u" | sed 's/.*algorithm=\([A-Z0-9]*\).*/\1/')
	dig=$(printf '%s' "$u" | sed 's/.*digits=\([0-9]*\).*/\1/')
	per=$(printf '%s' "$u" | sed 's/.*period=\([0-9]*\).*/\1/')
	want=$(sed -n "${i}p" "$B/hundred.want" | cut -d'|' -f2)
	got=$(oathtool --totp="${alg,,}" -d "$dig" -s "${per}s" -N "$NOW" -b "$sec")
	[ "$got" = "$want" ] || bad="$bad $i($got/$want)"
done
[ -z "$bad" ] && ok "reference codes agree with oathtool" || fail "reference codes differ:$bad"
mk one "$T/bpass"
mk fifteen "$T/bpass"
mk hundred "$T/bpass"
mk other "$T/bpass2"
# The other accounts again, under the first passphrase, one account a part.
cp "$B/other.uris" "$B/shared.uris"
cp "$B/other.want" "$B/shared.want"
mk shared "$T/bpass" 128
[ "$(parts one)" = 1 ] && [ "$(parts fifteen)" = 1 ] && ok "1 and 15 accounts fit one code" ||
	fail "1 and 15 accounts: $(parts one) and $(parts fifteen) parts"
np=$(parts hundred)
[ "$np" -ge 3 ] && ok "100 accounts take $np codes" || fail "100 accounts: $np parts"
ns=$(parts shared)
[ "$ns" -ge 2 ] && ok "a second backup in $ns parts" || fail "second backup: $ns parts"

# --- round trips -----------------------------------------------------------------------
fresh
expect 0 "1 account from a PNG" tpb "$T/bpass" "$B/one-1.png"
contains "$err" "imported 1, skipped 0 (0 duplicates, 0 unusable), from encrypted backup" \
	"summary names the encrypted backup"
codes "1 account" "$B/one.want"
fresh
expect 0 "15 accounts from a PNG" tpb "$T/bpass" "$B/fifteen-1.png"
codes "15 accounts" "$B/fifteen.want"
# The parts in a shuffled order.
shuf=()
for k in $(seq 1 "$np" | awk 'BEGIN { srand(7) } { print rand() "\t" $0 }' | sort | cut -f2); do
	shuf+=("$B/hundred-$k.png")
done
fresh
expect 0 "100 accounts from $np PNGs, shuffled" tpb "$T/bpass" "${shuf[@]}"
contains "$err" "imported 100, skipped 0 (0 duplicates, 0 unusable), from encrypted backup" \
	"100 accounts: summary"
codes "100 accounts from PNGs" "$B/hundred.want"
fresh
{ echo '# encrypted backup, parts reversed'; tac "$B/hundred.txt"; } >"$B/hundred-rev.txt"
expect 0 "100 accounts from a text file" tpb "$T/bpass" "$B/hundred-rev.txt"
contains "$err" "from encrypted backup" "text file: summary"
codes "100 accounts from text" "$B/hundred.want"
fresh
# Part 1 as text on standard input, the others as images.
stdin_and_images() {
	head -n 1 "$B/hundred.txt" | tpb "$T/bpass" - $(seq 2 "$np" | sed "s|.*|$B/hundred-&.png|")
}
expect 0 "parts split between text on stdin and images" stdin_and_images
codes "stdin and images" "$B/hundred.want"
snap
expect 0 "the same backup again" tpb "$T/bpass" "$B/hundred.txt"
contains "$err" "imported 0, skipped 100 (100 duplicates, 0 unusable)" "a restored backup is all duplicates"
unchanged "the same backup again"

# A backup together with an otpauth QR code and a URI line.
fresh
qrencode -o "$B/plain.png" 'otpauth://totp/Plain:qr?secret=JBSWY3DPEHPK3PXP&issuer=Plain'
{ echo 'otpauth://totp/Plain:text?secret=JBSWY3DPEHPK3PXQ&issuer=Plain'; cat "$B/fifteen.txt"; } \
	>"$B/mixed.txt"
expect 0 "a backup beside other inputs" tpb "$T/bpass" "$B/plain.png" "$B/mixed.txt"
contains "$err" "imported 17, skipped 0 (0 duplicates, 0 unusable), from QR image, otpauth and encrypted backup" \
	"mixed inputs: every format named"

# --- dry run ---------------------------------------------------------------------------
expect 0 "dry run" "$TOTP_BIN" --vault "$T/none/vault" import --dry-run --file-passphrase-fd 4 \
	"$B/hundred-2.png" "$B/hundred-1.png" $(seq 3 "$np" | sed "s|.*|$B/hundred-&.png|") 4<"$T/bpass"
[ ! -e "$T/none" ] && ok "dry run creates nothing" || fail "dry run touched the filesystem"
contains "$out" "hundred-2.png (encrypted backup): 100 accounts; encrypted backup $(id hundred), $np of $np parts" \
	"dry run: the backup's accounts under its first input"
contains "$out" "hundred-1.png (encrypted backup): 0 accounts; part of encrypted backup $(id hundred), listed under $B/hundred-2.png" \
	"dry run: the other parts point to it"
contains "$out" "Issuer3:user3@hundred.example	totp	SHA1	6 digits	30 s" "dry run lists the accounts"
contains "$err" "would import 100, skipped 0" "dry run summary"
lacks "$out$err" "$(head -n 1 "$B/hundred.uris" | sed 's/.*secret=\([A-Z2-7]*\).*/\1/')" "dry run prints no secret"
expect 1 "dry run without a passphrase" setsid -w "$TOTP_BIN" --vault "$T/none/vault" import \
	--dry-run "$B/one-1.png" </dev/null
contains "$err" "encrypted backup $(id one): cannot ask for its passphrase without a terminal" \
	"dry run needs the passphrase"

# --- refused: nothing imported, the vault unchanged ------------------------------------
fresh
expect 0 "seed the vault" tpb "$T/bpass" "$B/one-1.png"
snap
missing=$((np / 2 + 1))
rest=()
for k in $(seq 1 "$np"); do [ "$k" = "$missing" ] || rest+=("$B/hundred-$k.png"); done
expect 1 "one part missing" tpb "$T/bpass" "${rest[@]}"
contains "$err" "encrypted backup $(id hundred): part $missing of $np missing" "the missing part is named by number"
contains "$err" "nothing imported: 1 item is unusable" "nothing imported without the missing part"
unchanged "one part missing"
expect 1 "one part missing, --partial" tpb "$T/bpass" --partial "${rest[@]}"
contains "$err" "skipping encrypted backup $(id hundred): part $missing of $np missing" "--partial skips the backup"
contains "$err" "no accounts found" "an incomplete backup adds nothing, even with --partial"
unchanged "one part missing, --partial"
expect 0 "--partial imports the other inputs" tpb "$T/bpass" --partial "${rest[@]}" "$B/fifteen-1.png"
contains "$err" "imported 15, skipped 1 (0 duplicates, 1 unusable)" "--partial: the complete backup only"
fresh
snap

expect 1 "wrong passphrase" tpb "$T/badpw" "$B/fifteen-1.png"
contains "$err" "encrypted backup $(id fifteen): wrong passphrase" "wrong passphrase: the backup is named"
contains "$err" "read from $B/fifteen-1.png" "wrong passphrase: its files are named"
unchanged "wrong passphrase"

expect 1 "no passphrase and no terminal" setsid -w "$TOTP_BIN" --vault "$V" --passphrase-fd 3 \
	import "$B/fifteen-1.png" 3<"$T/pass" </dev/null
contains "$err" "without a terminal" "no terminal is explained"
contains "$err" "--file-passphrase-fd" "the option is suggested"
unchanged "no terminal"
expect 1 "--no-prompt" "$TOTP_BIN" --vault "$V" --passphrase-fd 3 --no-prompt import \
	"$B/fifteen-1.png" 3<"$T/pass"
contains "$err" "--no-prompt" "--no-prompt is named"
unchanged "--no-prompt"

# One character changed: the value of its Base41 triple moves by one, so the
# text still decodes and only authentication can tell.
tamper() { # LINE -> the line with the character at offset 90 changed
	local l=$1 c=${1:90:1} a=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+-./: r before
	before=${a%%"$c"*}
	if [ "$c" = 0 ]; then r=1; else r=${a:$((${#before} - 1)):1}; fi
	printf '%s%s%s\n' "${l:0:90}" "$r" "${l:91}"
}
{ sed -n 1p "$B/hundred.txt"; tamper "$(sed -n 2p "$B/hundred.txt")"; sed -n '3,$p' "$B/hundred.txt"; } \
	>"$B/tampered.txt"
cmp -s "$B/tampered.txt" "$B/hundred.txt" && fail "the tampered copy differs" || ok "the tampered copy differs"
expect 1 "a tampered code" tpb "$T/bpass" "$B/tampered.txt"
contains "$err" "tampered.txt line 2: encrypted backup $(id hundred), part 2 of $np is damaged or was altered" \
	"the altered part is named"
unchanged "a tampered code"
tamper "$(cat "$B/fifteen.txt")" >"$B/fifteen-t.txt"
qrencode -o "$B/fifteen-t.png" "$(cat "$B/fifteen-t.txt")"
expect 1 "a tampered QR code" tpb "$T/bpass" "$B/fifteen-t.png"
contains "$err" "fifteen-t.png: encrypted backup $(id fifteen), part 1 of 1 is damaged or was altered" \
	"the altered image is named"
unchanged "a tampered QR code"
printf 'TOTPBACKUP1:NOT*BASE41\n' >"$B/garbled.txt"
expect 1 "a malformed code" tpb "$T/bpass" "$B/garbled.txt"
contains "$err" "garbled.txt line 1: malformed encrypted backup code" "malformed code named"
unchanged "a malformed code"
printf 'TOTPBACKUP2:0000\n' >"$B/v2.txt"
expect 1 "a newer format version" tpb "$T/bpass" "$B/v2.txt"
contains "$err" "version not supported" "newer version said"
unchanged "a newer format version"

# --- two backups -----------------------------------------------------------------------
# --file-passphrase-fd gives one line, used for every backup of the command.
fresh
mixed=()
for k in $(seq 1 "$ns"); do mixed+=("$B/shared-$k.png"); [ "$k" -le "$np" ] && mixed+=("$B/hundred-$k.png"); done
for k in $(seq $((ns + 1)) "$np"); do mixed+=("$B/hundred-$k.png"); done
expect 0 "two backups mixed, one passphrase" tpb "$T/bpass" "${mixed[@]}"
contains "$err" "imported 104, skipped 0" "two backups: summary"
codes "two backups" "$B/hundred.want" "$B/shared.want"
fresh
snap
expect 1 "a second backup with another passphrase" tpb "$T/bpass" "$B/fifteen-1.png" "$B/other-1.png"
contains "$err" "encrypted backup $(id other): wrong passphrase" "the other backup is named"
lacks "$err" "encrypted backup $(id fifteen): wrong" "the first backup opened"
unchanged "a second backup with another passphrase"
expect 0 "--partial restores the backup whose passphrase was given" tpb "$T/bpass" --partial \
	"$B/fifteen-1.png" "$B/other-1.png"
codes "--partial, two passphrases" "$B/fifteen.want"
fresh
snap
expect 1 "a part of another backup" tpb "$T/bpass" "$B/fifteen-1.png" "$B/shared-1.png"
contains "$err" "encrypted backup $(id shared): part 2 of $ns missing; read from $B/shared-1.png" \
	"the stray part's backup and file are named"
unchanged "a part of another backup"

# --- label clashes ---------------------------------------------------------------------
fresh
printf 'otpauth://totp/Issuer1:user1@one.example?secret=JBSWY3DPEHPK3PXP&issuer=Issuer1\n' >"$B/clash.txt"
expect 0 "seed a clashing label" tp import "$B/clash.txt"
expect 0 "a backup account whose label is taken" tpb "$T/bpass" "$B/one-1.png"
contains "$err" "Issuer1:user1@one.example already exists with another secret; imported as Issuer1:user1@one.example (2)" \
	"the clash is renamed"
run tp code --at "$AT" "Issuer1:user1@one.example (2)"
[ "$out" = "$(cut -d'|' -f2 "$B/one.want")" ] && ok "the renamed account keeps its secret" ||
	fail "renamed account's code '$out'"

# --- the terminal ----------------------------------------------------------------------
# ttyrun ANSWERS CMD...: CMD on a new terminal, each "Passphrase for"
# prompt answered with the next line of ANSWERS; prints what it showed.
cat >"$T/ttyrun.py" <<'EOF'
import os, pty, select, signal, sys, termios, time
answers = open(sys.argv[1]).read().splitlines()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
def echo_off():
    # Typed ahead of the prompt's tcsetattr(TCSAFLUSH), an answer is lost.
    for _ in range(500):
        if not termios.tcgetattr(fd)[3] & termios.ECHO:
            return
        time.sleep(0.01)
out, given = b'', 0
while True:
    r, _, _ = select.select([fd], [], [], 10)
    if not r:
        os.kill(pid, signal.SIGKILL)
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    while out.count(b'Passphrase for') > given and given < len(answers):
        echo_off()
        os.write(fd, answers[given].encode() + b'\n')
        given += 1
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 99)
EOF
fresh
printf 'nope\nstill not\nbackup staple\n' >"$T/answers"
expect 0 "the terminal: third try right" python3 "$T/ttyrun.py" "$T/answers" "$TOTP_BIN" \
	--vault "$V" --passphrase-fd 3 import "$B/fifteen-1.png" 3<"$T/pass"
contains "$out" "Passphrase for encrypted backup $(id fifteen) (1 part, from $B/fifteen-1.png):" \
	"the prompt names the backup, its parts and files"
n=$(printf '%s\n' "$out" | grep -c 'wrong passphrase; try again')
[ "$n" = 2 ] && ok "two retries announced" || fail "retries announced: $n"
codes "restored from the terminal" "$B/fifteen.want"
fresh
snap
printf 'a\nb\nc\nd\n' >"$T/answers"
expect 1 "the terminal: three wrong tries" python3 "$T/ttyrun.py" "$T/answers" "$TOTP_BIN" \
	--vault "$V" --passphrase-fd 3 import "$B/fifteen-1.png" 3<"$T/pass"
n=$(printf '%s\n' "$out" | grep -c 'Passphrase for')
[ "$n" = 3 ] && ok "asked three times" || fail "asked $n times"
contains "$out" "encrypted backup $(id fifteen): wrong passphrase" "the last failure is reported"
unchanged "three wrong tries"

# --- the export side -------------------------------------------------------------------
fresh
tpb "$T/bpass" "$B/hundred.txt" 2>/dev/null
mkdir -p "$T/exp"
expect 0 "totp export --format encrypted-qr" tp export --format encrypted-qr -o "$T/exp/out" \
	--backup-passphrase-fd 4 --kdf-memory 8K --kdf-ops 1 4<"$T/bpass2"
pngs=$(find "$T/exp" -name '*.png' | sort -r)
n=$(printf '%s\n' "$pngs" | grep -c 'png$')
[ "$n" -ge 3 ] && ok "the export wrote $n PNGs" || fail "the export wrote $n PNGs"
fresh
expect 0 "its PNGs restore, last part first" tpb "$T/bpass2" $pngs
codes "export round trip" "$B/hundred.want"
