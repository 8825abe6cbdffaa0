# t_export_encrypted.sh - totp export --format encrypted-qr / encrypted-html:
# the part files and README.txt, payloads read by zbarimg and decoded by an
# independent Base41/header reader, the sheet printed by headless Chromium,
# nothing secret or identifying in the clear, file modes, refusals, and round
# trips through totp import where it reads these codes.
. "$(dirname "$0")/lib.sh"

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
UTIL="$PY $(dirname "$0")/export_util.py"
printf 'correct horse\n' >"$T/pass"
printf 'tr0ub4dor backup phrase\n' >"$T/bpass"
KDF="--kdf-memory 8K --kdf-ops 1"
tpv() { local v=$1; shift; "$TOTP_BIN" --vault "$v" --passphrase-fd 3 "$@" 3<"$T/pass"; }
# enc VAULT ARGS...: an encrypted export with the backup passphrase on fd 4.
enc() { local v=$1; shift; tpv "$v" export $KDF --backup-passphrase-fd 4 "$@" 4<"$T/bpass"; }
have() { command -v "$1" >/dev/null 2>&1; }
skip() { echo "ok - # SKIP $*"; }
zbar() { zbarimg -q --raw -Sdisable -Sqrcode.enable "$@" 2>/dev/null; }

# accounts N: N typical accounts (a 30-odd character label, a 20-byte
# secret), every issuer different.
accounts() {
	$PY -c 'import base64, sys
for i in range(1, int(sys.argv[1]) + 1):
    s = base64.b32encode(b"secret-number-%06d" % i).decode().rstrip("=")
    print("otpauth://totp/Service%d:person%d@example.org?secret=%s&issuer=Service%d" % (i, i, s, i))' "$1"
}

# vault_of FILE: a fresh vault in $T/v-NAME holding FILE's accounts.
vault_of() {
	local v=$T/v-$(basename "$1" .txt)/vault
	tpv "$v" init $KDF >/dev/null 2>&1 && tpv "$v" import "$1" >/dev/null 2>&1 && echo "$v"
}

# leaks ACCOUNTS-FILE FILE...: the labels, issuers, account names and
# base32 secrets of ACCOUNTS-FILE that occur in FILE... (none expected).
leaks() {
	local accts=$1; shift
	sed -e 's|^otpauth://totp/||' -e 's|?secret=| |' -e 's|&.*||' "$accts" |
		while read -r label secret; do
			printf '%s\n%s\n%s\n%s\n' "$label" "${label%%:*}" "${label#*:}" "$secret"
		done >"$T/.leak-patterns"
	cat "$@" | grep -oF -f "$T/.leak-patterns" | sort -u
}

# payloads_of_dir DIR: the payloads of DIR's parts, in part order.
payloads_of_dir() { (cd "$1" && zbar $(ls part-*.png | sort -V)); }

accounts 100 >"$T/hundred.txt"
head -15 "$T/hundred.txt" >"$T/fifteen.txt"
head -1 "$T/hundred.txt" >"$T/one.txt"
V1=$(vault_of "$T/one.txt")
V15=$(vault_of "$T/fifteen.txt")
V100=$(vault_of "$T/hundred.txt")
[ -n "$V1" ] && [ -n "$V15" ] && [ -n "$V100" ] && ok "vaults of 1, 15 and 100 accounts" || fail "vault setup"

# --- usage --------------------------------------------------------------------------------
run tpv "$V1" export --format png -o "$T/u1" --backup-passphrase-fd 4 4<"$T/bpass"
[ "$rc" -eq 2 ] && ok "--backup-passphrase-fd with png: usage error" || fail "exit $rc"
contains "$err" "only for --format encrypted-qr or encrypted-html" "the message says which formats"
expect 2 "--kdf-memory with html" tpv "$V1" export --format html -o "$T/u2.html" --kdf-memory 8K
expect 2 "--kdf-ops with uri" tpv "$V1" export --format uri --kdf-ops 1
expect 2 "encrypted-qr without -o" enc "$V1" --format encrypted-qr
expect 2 "encrypted-html without -o" enc "$V1" --format encrypted-html
expect 2 "encrypted-qr -o -" enc "$V1" --format encrypted-qr -o -
expect 2 "--kdf-memory below 8K" tpv "$V1" export --format encrypted-qr -o "$T/u3" --kdf-memory 1K
expect 2 "--kdf-ops 0" tpv "$V1" export --format encrypted-qr -o "$T/u3" --kdf-ops 0
expect 2 "--backup-passphrase-fd not a number" tpv "$V1" export --format encrypted-qr -o "$T/u3" --backup-passphrase-fd x
expect 2 "--backup-passphrase-fd given twice" tpv "$V1" export --format encrypted-qr -o "$T/u3" --backup-passphrase-fd 4 --backup-passphrase-fd 4 4<"$T/bpass"
run tpv "$V1" export --format encrypted-qr -o "$T/u3" --backup-passphrase-fd 3
[ "$rc" -eq 2 ] && ok "the vault's and the backup's passphrase on one descriptor: usage error" || fail "exit $rc"
contains "$err" "name the same descriptor" "the message says why"
[ ! -e "$T/u1" ] && [ ! -e "$T/u2.html" ] && [ ! -e "$T/u3" ] && ok "usage errors write nothing" || fail "written: $(ls "$T")"

# --- the backup passphrase ---------------------------------------------------------------
: >"$T/empty"
run tpv "$V1" export $KDF --format encrypted-qr -o "$T/e1" --backup-passphrase-fd 4 4<"$T/empty"
[ "$rc" -eq 1 ] && ok "empty backup passphrase (end of file): exit 1" || fail "exit $rc: $err"
contains "$err" "the backup passphrase is empty" "empty passphrase refused with a clear message"
printf '\n' >"$T/nl"
expect 1 "empty backup passphrase (a blank line)" tpv "$V1" export $KDF --format encrypted-html -o "$T/e2.html" --backup-passphrase-fd 4 4<"$T/nl"
expect 1 "closed --backup-passphrase-fd" tpv "$V1" export $KDF --format encrypted-qr -o "$T/e3" --backup-passphrase-fd 7
contains "$err" "file descriptor 7" "the descriptor is named"
expect 1 "--no-prompt without --backup-passphrase-fd" "$TOTP_BIN" --vault "$V1" --passphrase-fd 3 --no-prompt export $KDF --format encrypted-qr -o "$T/e4" 3<"$T/pass"
contains "$err" "--backup-passphrase-fd" "the message names the option"
if have setsid; then
	run setsid -w "$TOTP_BIN" --vault "$V1" --passphrase-fd 3 export $KDF --format encrypted-qr -o "$T/e5" 3<"$T/pass" </dev/null
	[ "$rc" -eq 1 ] && ok "no terminal and no descriptor: exit 1" || fail "exit $rc: $err"
	contains "$err" "no terminal (use --backup-passphrase-fd)" "no terminal: clear message"
else
	skip "setsid missing: no terminal"
fi
[ -z "$(ls -d "$T"/e[0-9]* 2>/dev/null)" ] && ok "nothing written when the passphrase is refused" || fail "written: $(ls -d "$T"/e*)"
# On a terminal: asked twice (the lines are typed once each prompt waits).
if have script && [ -z "${TOTP_WRAP:-}" ]; then
	run bash -c "(sleep 1; printf 'typed backup phrase\n'; sleep 0.5; printf 'typed backup phrase\n') | script -qec '\"$TOTP_BIN\" --vault \"$V1\" --passphrase-fd 3 export $KDF --format encrypted-qr -o \"$T/tty\" 3<\"$T/pass\"' /dev/null"
	[ "$rc" -eq 0 ] && [ -f "$T/tty/part-1-of-1.png" ] && ok "backup passphrase asked on the terminal" || fail "tty: exit $rc: $out"
	contains "$out" "Backup passphrase (for the encrypted QR codes): " "the prompt says which passphrase"
	contains "$out" "Repeat to confirm: " "asked twice"
	lacks "$out" "typed backup phrase" "not echoed"
	run bash -c "(sleep 1; printf 'typed backup phrase\n'; sleep 0.5; printf 'typo\n') | script -qec '\"$TOTP_BIN\" --vault \"$V1\" --passphrase-fd 3 export $KDF --format encrypted-qr -o \"$T/tty2\" 3<\"$T/pass\"' /dev/null"
	[ "$rc" -ne 0 ] && [ ! -e "$T/tty2" ] && ok "two different entries: refused, nothing written" || fail "tty mismatch: exit $rc"
	contains "$out" "the two entries differ" "the mismatch is reported"
else
	skip "script(1) missing or a wrapper in use: the terminal prompt"
fi
printf 'short\n' >"$T/short"
run tpv "$V1" export $KDF --format encrypted-qr -o "$T/w1" --backup-passphrase-fd 4 4<"$T/short"
[ "$rc" -eq 0 ] && ok "a short backup passphrase is accepted" || fail "exit $rc: $err"
contains "$err" "easy to guess" "a short backup passphrase is warned about"
rm -rf "$T/w1"

# --- one account ----------------------------------------------------------------------------
D1=$T/one
run bash -c "umask 000; \"$TOTP_BIN\" --vault \"$V1\" --passphrase-fd 3 export $KDF --format encrypted-qr -o \"$D1\" --backup-passphrase-fd 4 3<\"$T/pass\" 4<\"$T/bpass\""
[ "$rc" -eq 0 ] && ok "encrypted-qr export of 1 account" || fail "exit $rc: $err"
contains "$err" "as 1 QR code and README.txt to $D1, verified" "the export reports what it wrote"
lacks "$err" "easy to guess" "no warning for a passphrase of 23 characters"
[ "$(ls -A "$D1" | tr '\n' ' ')" = "README.txt part-1-of-1.png " ] && ok "exactly part-1-of-1.png and README.txt" || fail "files: $(ls -A "$D1")"
[ "$(stat -c %a "$D1")" = 700 ] && ok "directory 0700 under umask 000" || fail "dir mode $(stat -c %a "$D1")"
[ "$(stat -c %a "$D1"/* | sort -u | tr '\n' ' ')" = "600 " ] && ok "files 0600 under umask 000" || fail "modes $(stat -c %a "$D1"/*)"
p1=$(zbar "$D1/part-1-of-1.png")
case "$p1" in TOTPBACKUP1:*) ok "zbarimg reads a TOTPBACKUP1: payload" ;; *) fail "payload: $p1" ;; esac
h1=$(printf '%s\n' "$p1" | $UTIL backup-header)
id1=$(echo "$h1" | cut -d' ' -f3)
[ "$(echo "$h1" | cut -d' ' -f1,2,4-7)" = "1 1 1 1 1 8" ] && ok "header: version 1, Argon2id, part 1 of 1, 1 pass, 8 KiB" || fail "header: $h1"
readme=$(cat "$D1/README.txt")
contains "$err" "backup id $id1" "the reported backup id is the payload's"
contains "$readme" "Backup id:  $id1" "README.txt names the backup id"
contains "$readme" "$(date -u +%Y-%m-%d)" "README.txt is dated"
contains "$readme" "Parts:      1 QR code" "README.txt counts the parts"
contains "$readme" "totp import DIR/part-*.png" "README.txt says how to restore"
printf '%s\n' "$p1" >"$T/p1"
lk=$(leaks "$T/one.txt" "$T/p1" "$D1/README.txt")
[ -z "$lk" ] && ok "no label or secret in the payload or README.txt" || fail "leaked: $lk"
[ -z "$(ls -A "$D1" | grep '^\.totp-export')" ] && ok "no temporary files left" || fail "temp files"

# --- fifteen typical accounts fit one code ------------------------------------------------
D15=$T/fifteen
expect 0 "encrypted-qr export of 15 accounts" enc "$V15" --format encrypted-qr -o "$D15"
[ "$(ls "$D15" | grep -c '\.png$')" -eq 1 ] && [ -f "$D15/part-1-of-1.png" ] && ok "15 typical accounts: exactly one part" || fail "files: $(ls "$D15")"
p15=$(zbar "$D15/part-1-of-1.png")
[ "$(printf '%s\n' "$p15" | $UTIL backup-header | cut -d' ' -f4,5)" = "1 1" ] && ok "15 accounts: part 1 of 1" || fail "header"
[ "${#p15}" -le 1437 ] && ok "15 accounts: payload of ${#p15} characters (at most 1437)" || fail "payload ${#p15} characters"

# --- a hundred accounts: several parts ----------------------------------------------------
D100=$T/hundred
expect 0 "encrypted-qr export of 100 accounts" enc "$V100" --format encrypted-qr -o "$D100"
n=$(ls "$D100" | grep -c '^part-.*\.png$')
[ "$n" -gt 1 ] && ok "100 accounts: $n parts" || fail "parts: $(ls "$D100")"
want=$(for k in $(seq 1 "$n"); do echo "part-$k-of-$n.png"; done; echo README.txt)
[ "$(ls "$D100" | sort -V)" = "$(echo "$want" | sort -V)" ] && ok "files part-1-of-$n.png .. part-$n-of-$n.png and README.txt" || fail "files: $(ls "$D100")"
payloads_of_dir "$D100" >"$T/p100"
[ "$(grep -c '^TOTPBACKUP1:' "$T/p100")" -eq "$n" ] && ok "every part decodes with zbarimg to a TOTPBACKUP1: payload" || fail "payloads: $(cut -c1-20 "$T/p100")"
[ "$(sort -u "$T/p100" | wc -l)" -eq "$n" ] && ok "the parts are all different" || fail "duplicate parts"
$UTIL backup-header <"$T/p100" >"$T/h100"
id100=$(head -1 "$T/h100" | cut -d' ' -f3)
[ "$(cut -d' ' -f3 "$T/h100" | sort -u)" = "$id100" ] && ok "one backup id in every part" || fail "ids: $(cut -d' ' -f3 "$T/h100")"
[ "$(cut -d' ' -f4,5 "$T/h100" | tr '\n' ' ')" = "$(for k in $(seq 1 "$n"); do printf '%s %s ' "$k" "$n"; done)" ] && ok "file K of N holds part K of N" || fail "parts: $(cut -d' ' -f4,5 "$T/h100")"
[ "$(awk '$8 > 950' "$T/h100")" = "" ] && ok "no part over 950 bytes" || fail "sizes: $(cut -d' ' -f8 "$T/h100")"
readme=$(cat "$D100/README.txt")
contains "$readme" "Backup id:  $id100" "README.txt: backup id of the parts"
contains "$readme" "Accounts:   100" "README.txt: number of accounts"
contains "$readme" "Parts:      $n QR codes, part-1-of-$n.png to part-$n-of-$n.png" "README.txt: number of parts"
lk=$(leaks "$T/hundred.txt" "$T/p100" "$D100/README.txt")
[ -z "$lk" ] && ok "no label or secret in the 100-account payloads or README.txt" || fail "leaked: $(echo "$lk" | head -3)"

# --- refusals in a directory already used --------------------------------------------------
expect 1 "a second export into the same directory" enc "$V100" --format encrypted-qr -o "$D100"
contains "$err" "already exists" "existing files named"
cmp -s <(payloads_of_dir "$D100") "$T/p100" && ok "the first export is intact" || fail "first export changed"
cp -r "$D1" "$T/stale" && mv "$T/stale/part-1-of-1.png" "$T/stale/part-9-of-9.png"
run enc "$V1" --format encrypted-qr -o "$T/stale" --force
[ "$rc" -eq 1 ] && ok "a part of another backup in the directory: refused even with --force" || fail "exit $rc"
contains "$err" "part-9-of-9.png is part of another backup" "the old part is named"
[ "$(ls -A "$T/stale" | tr '\n' ' ')" = "README.txt part-9-of-9.png " ] && ok "nothing written next to it" || fail "$(ls -A "$T/stale")"
cp "$D1/README.txt" "$T/readme.before"
expect 0 "--force replaces an earlier backup of the same shape" enc "$V1" --format encrypted-qr -o "$D1" --force
[ "$(zbar "$D1/part-1-of-1.png")" != "$p1" ] && ok "a new backup: new salt and id" || fail "same payload twice"
cmp -s "$D1/README.txt" "$T/readme.before" && fail "README.txt not replaced" || ok "README.txt replaced"

# --- the printable sheet -------------------------------------------------------------------
H=$T/sheet.html
run bash -c "umask 000; \"$TOTP_BIN\" --vault \"$V100\" --passphrase-fd 3 export $KDF --format encrypted-html -o \"$H\" --backup-passphrase-fd 4 3<\"$T/pass\" 4<\"$T/bpass\""
[ "$rc" -eq 0 ] && ok "encrypted-html export of 100 accounts" || fail "exit $rc: $err"
contains "$err" "to $H, verified" "the sheet export reports it was verified"
[ "$(stat -c %a "$H")" = 600 ] && ok "sheet 0600 under umask 000" || fail "mode $(stat -c %a "$H")"
html=$(cat "$H")
ns=$(grep -o '<svg' "$H" | wc -l)
[ "$ns" -eq "$n" ] && ok "one inline SVG per part ($ns)" || fail "$ns SVGs for $n parts"
contains "$html" "totp encrypted backup: 100 accounts in $n QR codes" "sheet says what it is and counts"
contains "$html" "$(date -u +%Y-%m-%d)" "sheet is dated"
contains "$html" "totp import photo.jpg" "sheet says how to restore from a photo"
contains "$html" "Part $n of $n" "each code is captioned with its part"
contains "$html" "break-inside: avoid" "print CSS keeps a code on one page"
lk=$(leaks "$T/hundred.txt" "$H")
[ -z "$lk" ] && ok "no label or secret in the sheet" || fail "leaked: $(echo "$lk" | head -3)"
lacks "$html" "person1@" "no account name on the sheet"
cnt=$($UTIL svg2png "$H" "$T/svg")
zbar "$T"/svg*.png | sort >"$T/sheet.payloads"
[ "$cnt" -eq "$n" ] && [ "$(grep -c '^TOTPBACKUP1:' "$T/sheet.payloads")" -eq "$n" ] && ok "an independent SVG renderer + zbarimg read every part" || fail "svg decode: $cnt drawn, $(grep -c . "$T/sheet.payloads") read"
$UTIL backup-header <"$T/sheet.payloads" >"$T/hs"
idh=$(head -1 "$T/hs" | cut -d' ' -f3)
[ "$(cut -d' ' -f3 "$T/hs" | sort -u)" = "$idh" ] && [ "$idh" != "$id100" ] && ok "the sheet is one new backup" || fail "ids: $(cut -d' ' -f3 "$T/hs" | sort -u)"
[ "$(cut -d' ' -f4 "$T/hs" | sort -n | tr '\n' ' ')" = "$(seq 1 "$n" | tr '\n' ' ')" ] && ok "the sheet holds parts 1..$n" || fail "parts $(cut -d' ' -f4 "$T/hs")"
contains "$html" "<code>$idh</code>" "sheet names the backup id of its codes"
if have chromium && have pdftoppm; then
	timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--no-pdf-header-footer --user-data-dir="$T/chrome" --print-to-pdf="$T/sheet.pdf" \
		"file://$H" >/dev/null 2>&1
	[ -s "$T/sheet.pdf" ] && ok "Chromium prints the sheet to PDF" || fail "no PDF"
	# Pages as a flatbed scanner gives them (300 dpi, grey).
	pdftoppm -r 300 -gray -png "$T/sheet.pdf" "$T/page" 2>/dev/null
	zbar "$T"/page*.png | sort -u >"$T/print.payloads"
	if cmp -s "$T/print.payloads" "$T/sheet.payloads"; then
		ok "the printed pages decode with zbarimg to the sheet's payloads"
	else
		fail "the printed pages decode with zbarimg to the sheet's payloads"
		for pg in "$T"/page*.png; do
			echo "#   $(basename "$pg"): $(zbar "$pg" | wc -l) codes read"
		done
		echo "#   read $(wc -l <"$T/print.payloads"), $(comm -12 "$T/print.payloads" "$T/sheet.payloads" | wc -l) of them the sheet's; want $n"
	fi
else
	skip "chromium or pdftoppm missing (Debian: chromium poppler-utils)"
fi
expect 1 "encrypted-html does not replace a file" enc "$V1" --format encrypted-html -o "$H"
cmp -s <(cat "$H") <(printf '%s\n' "$html") && ok "existing sheet untouched" || fail "sheet clobbered"
expect 1 "encrypted-html into a missing directory" enc "$V1" --format encrypted-html -o "$T/nodir/s.html"

# --- round trips through totp import ------------------------------------------------------
# restore VAULT FILES...: a fresh vault with the backup's accounts.
restore() {
	local v=$1; shift
	rm -rf "$(dirname "$v")"
	tpv "$v" init $KDF >/dev/null 2>&1 &&
		tpv "$v" import --file-passphrase-fd 4 "$@" 4<"$T/bpass" >/dev/null 2>"$T/.import-err"
}
same_as() { cmp -s <(tpv "$1" export --format uri 2>/dev/null | sort) <(tpv "$2" export --format uri 2>/dev/null | sort); }
restore "$T/r1/vault" "$D1/part-1-of-1.png" && same_as "$T/r1/vault" "$V1" && ok "1 account: totp import restores it" || fail "1 account: $(cat "$T/.import-err")"
restore "$T/r15/vault" "$D15"/*.png && same_as "$T/r15/vault" "$V15" && ok "15 accounts round trip" || fail "15: $(cat "$T/.import-err")"
restore "$T/r100/vault" $(ls "$D100"/part-*.png | sort -R) && same_as "$T/r100/vault" "$V100" && ok "100 accounts round trip, parts shuffled" || fail "100: $(cat "$T/.import-err")"
if [ -s "$T/sheet.pdf" ]; then
	restore "$T/rp/vault" "$T"/page*.png && same_as "$T/rp/vault" "$V100" && ok "the printed sheet restores every account" || fail "print: $(cat "$T/.import-err")"
fi
restore "$T/rm/vault" $(ls "$D100"/part-*.png | sed 1d)
[ $? -ne 0 ] && [ -z "$(tpv "$T/rm/vault" list 2>/dev/null)" ] && ok "one part missing: nothing imported" || fail "missing part imported"
if [ -f "$T/tty/part-1-of-1.png" ]; then
	printf 'typed backup phrase\n' >"$T/typed"
	rm -rf "$T/rt" && tpv "$T/rt/vault" init $KDF >/dev/null 2>&1
	tpv "$T/rt/vault" import --file-passphrase-fd 4 "$T/tty/part-1-of-1.png" 4<"$T/typed" >/dev/null 2>&1 &&
		same_as "$T/rt/vault" "$V1" && ok "the passphrase typed on the terminal restores the backup" || fail "tty round trip"
fi
printf 'wrong\n' >"$T/wrong"
rm -rf "$T/rw" && tpv "$T/rw/vault" init $KDF >/dev/null 2>&1
run tpv "$T/rw/vault" import --file-passphrase-fd 4 "$D1/part-1-of-1.png" 4<"$T/wrong"
[ "$rc" -ne 0 ] && [ -z "$(tpv "$T/rw/vault" list 2>/dev/null)" ] && ok "wrong backup passphrase: nothing imported" || fail "wrong passphrase: exit $rc"
