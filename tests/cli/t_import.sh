# t_import.sh - 'totp import' from every kind of input: other apps' backups
# (tests/data/import, plain and encrypted), QR images (otpauth URIs and a
# Google Authenticator export split over three images), URI text files and
# another totp vault.  Imported codes at a fixed time are compared with
# oathtool; every failure must leave the vault byte-identical.
. "$(dirname "$0")/lib.sh"

D=${TOTP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/data/import
AT=1700000000
V=$T/v/vault
printf 'correct horse\n' >"$T/pass"
printf 'test\n' >"$T/filepw"
printf 'not it\n' >"$T/badpw"
tp() { "$TOTP_BIN" --vault "$V" --passphrase-fd 3 "$@" 3<"$T/pass"; }
# tpf FILEPW ARGS...: with a file password on descriptor 4.
tpf() { local pw=$1; shift; "$TOTP_BIN" --vault "$V" --passphrase-fd 3 "$@" 3<"$T/pass" 4<"$pw"; }
snap() { cp "$V" "$T/snap"; }
unchanged() { same_file "$V" "$T/snap" "$1: vault byte-identical"; }
fresh() { rm -f "$V" "$V.bak"; cp "$T/empty" "$V"; }

mkdir -p "$T/v"
"$TOTP_BIN" --vault "$V" --passphrase-fd 3 init --kdf-memory 8K --kdf-ops 1 3<"$T/pass" 2>/dev/null
cp "$V" "$T/empty"

# --- expected codes ----------------------------------------------------------------
# label|secret|oathtool arguments; HOTP SHA-256/512 and Steam codes, which
# oathtool cannot compute, are the known answers of FORMATS.md section 2.
ACCOUNTS='Deno:Mason|4SJHB4GSD43FZBAI7C2HLRJGPQ|--totp=sha1 -d 6 -s 30s
SPDX:James|5OM4WOOGPLQEF6UGN3CPEOOLWU|--totp=sha256 -d 7 -s 20s
Airbnb:Elijah|7ELGJSGXNCCTV3O6LKJWYFV2RA|--totp=sha512 -d 8 -s 50s
Issuu:James|YOOMIXWS5GN6RTBPUFFWKTW5M4|--hotp -d 6 -c 1
Air Canada:Benjamin|KUVJJOM753IHTNDSZVCNKL7GII|=4444976
WWE:Mason|5VAML3X35THCEBVRLV24CGBKOY|=24622277
Boeing:Sophia|JRZCL47CMXVOQMNPZR2F7J4RGI|=747JR
Steam:Sophia|JRZCL47CMXVOQMNPZR2F7J4RGI|=747JR
SPDX6:James|5OM4WOOGPLQEF6UGN3CPEOOLWU|--totp=sha1 -d 6 -s 30s
GA-SPDX:James|5OM4WOOGPLQEF6UGN3CPEOOLWU|--totp=sha256 -d 8 -s 30s
GA-Airbnb:Elijah|7ELGJSGXNCCTV3O6LKJWYFV2RA|--totp=sha512 -d 6 -s 30s'
SECRETS=$(printf '%s\n' "$ACCOUNTS" | cut -d'|' -f2 | sort -u)
have_oathtool=0
command -v oathtool >/dev/null && have_oathtool=1

# expected KEY: the code oathtool (or the known answer) gives for account KEY.
expected_uncached() {
	local line args secret
	line=$(printf '%s\n' "$ACCOUNTS" | grep -F "$1|" | head -1)
	secret=$(printf '%s' "$line" | cut -d'|' -f2)
	args=$(printf '%s' "$line" | cut -d'|' -f3)
	case "$args" in
	=*) printf '%s' "${args#=}" ;;
	*) [ "$have_oathtool" = 1 ] && oathtool $args -N "2023-11-14 22:13:20 UTC" -b "$secret" ;;
	esac
}
declare -A WANT
while IFS='|' read -r key _; do WANT[$key]=$(expected_uncached "$key"); done <<<"$ACCOUNTS"
expected() { printf '%s' "${WANT[$1]}"; }

# codes WHAT LABEL=KEY...: the vault holds exactly these accounts and each
# one's code at $AT is the expected one (HOTP: at its stored counter).
codes() {
	local what=$1 n bad="" item label key want got json row; shift
	json=$(tp code --json --at "$AT" 2>/dev/null)
	n=$(printf '%s' "$json" | grep -c '"issuer"')
	[ "$n" = $# ] && ok "$what: $# accounts" || fail "$what: $n accounts, want $# ($json)"
	for item in "$@"; do
		label=${item%%=*}
		key=${item#*=}
		want=$(expected "$key")
		# One JSON object a line: find this account's, then its code.
		case "$label" in
		*:*) row="{\"issuer\": \"${label%%:*}\", \"account\": \"${label#*:}\"," ;;
		*) row="{\"issuer\": \"\", \"account\": \"$label\"," ;;
		esac
		got=$(printf '%s\n' "$json" | grep -F "$row")
		case "$got" in
		*'"type": "hotp"'*) got=$(tp code "$label" 2>/dev/null) ;;
		*) got=$(printf '%s' "$got" | sed -n 's/.*"code": "\([^"]*\)".*/\1/p') ;;
		esac
		[ -n "$want" ] && [ "$got" = "$want" ] || bad="$bad $label($got/$want)"
	done
	[ -z "$bad" ] && ok "$what: codes agree with oathtool" || fail "$what: codes differ:$bad"
}
ALL7='Deno:Mason=Deno:Mason SPDX:James=SPDX:James Airbnb:Elijah=Airbnb:Elijah Issuu:James=Issuu:James Air?Canada:Benjamin=Air?Canada:Benjamin WWE:Mason=WWE:Mason Boeing:Sophia=Boeing:Sophia'
# The shell splits $ALL7 on spaces; '?' stands for the space in a label.
all7() { local a=(); for i in $ALL7; do a+=("${i//\?/ }"); done; codes "$1" "${a[@]}"; }

# no_secret TEXT WHAT: none of the fixture secrets appears in TEXT.
no_secret() {
	local s leaked=""
	for s in $SECRETS; do case "$1" in *"$s"*) leaked="$leaked $s" ;; esac; done
	[ -z "$leaked" ] && ok "$2: no secret printed" || fail "$2: printed secrets:$leaked"
}

# --- every fixture, plain ------------------------------------------------------------
for f in aegis_plain_v1.json aegis_plain_v2.json aegis_plain_v3.json andotp_plain.json \
	2fas_schema4.2fas ente_plain.txt otpauth.txt; do
	fresh
	run tp import "$D/$f" </dev/null
	[ "$rc" = 0 ] && ok "import $f" || fail "import $f: $err"
	contains "$err" "imported 7, skipped 0 (0 duplicates, 0 unusable), from" "$f: summary"
	no_secret "$out$err" "$f"
	all7 "$f"
done
fresh
expect 0 "import 2fas_schema1.json" tp import "$D/2fas_schema1.json"
contains "$err" "from 2fas" "2fas schema 1: format named"
codes "2fas schema 1 (defaults)" Deno:Mason=Deno:Mason SPDX:James=SPDX6:James
fresh
expect 0 "import 2fas_schema2.2fas" tp import "$D/2fas_schema2.2fas"
codes "2fas schema 2" Deno:Mason=Deno:Mason SPDX:James=SPDX:James Airbnb:Elijah=Airbnb:Elijah
fresh
expect 0 "import 2fas_schema3.2fas" tp import "$D/2fas_schema3.2fas"
codes "2fas schema 3" Deno:Mason=Deno:Mason SPDX:James=SPDX:James Airbnb:Elijah=Airbnb:Elijah \
	Issuu:James=Issuu:James "Air Canada:Benjamin=Air Canada:Benjamin" WWE:Mason=WWE:Mason
fresh
expect 0 "import freeotp_plus.json" tp import "$D/freeotp_plus.json"
contains "$err" "from freeotp+" "FreeOTP+: format named"
codes "FreeOTP+" Deno:Mason=Deno:Mason SPDX:James=SPDX:James Airbnb:Elijah=Airbnb:Elijah \
	Issuu:James=Issuu:James "Air Canada:Benjamin=Air Canada:Benjamin" WWE:Mason=WWE:Mason \
	Steam:Sophia=Steam:Sophia
for f in bitwarden.json bitwarden.csv; do
	fresh
	expect 0 "import $f" tp import "$D/$f"
	codes "$f" Deno:Mason=Deno:Mason SPDX:James=SPDX:James Airbnb:Elijah=Airbnb:Elijah \
		Boeing:Sophia=Boeing:Sophia
done
for f in steam.maFile steam_accounts.json; do
	fresh
	expect 0 "import $f" tp import "$D/$f"
	contains "$err" "from steam" "$f: format named"
	codes "$f" Steam:Sophia=Steam:Sophia
done

# --- encrypted fixtures: right, wrong and no password -----------------------------------
for f in aegis_encrypted.json andotp_encrypted.bin andotp_encrypted_old.bin \
	2fas_schema4_encrypted.2fas ente_encrypted.txt; do
	fresh
	snap
	expect 1 "$f: wrong password" tpf "$T/badpw" import --file-passphrase-fd 4 "$D/$f"
	contains "$err" "$f" "$f: wrong password names the file"
	contains "$err" "wrong password" "$f: wrong password said"
	unchanged "$f: wrong password"
	expect 1 "$f: no password and no terminal" setsid -w "$TOTP_BIN" --vault "$V" \
		--passphrase-fd 3 import "$D/$f" 3<"$T/pass" </dev/null
	contains "$err" "without a terminal" "$f: no terminal is explained"
	contains "$err" "--file-passphrase-fd" "$f: the option is suggested"
	unchanged "$f: no password"
	expect 0 "$f: right password" tpf "$T/filepw" import --file-passphrase-fd 4 "$D/$f"
	no_secret "$out$err" "$f"
	all7 "$f"
done
fresh
expect 0 "2fas schema 2 encrypted" tpf "$T/filepw" import --file-passphrase-fd 4 \
	"$D/2fas_schema2_encrypted.2fas"
codes "2fas schema 2 encrypted" Deno:Mason=Deno:Mason SPDX:James=SPDX:James \
	Airbnb:Elijah=Airbnb:Elijah
printf 'backup\n' >"$T/aegisbackup"
fresh
expect 0 "Aegis: the backup slot's password" tpf "$T/aegisbackup" import \
	--file-passphrase-fd 4 "$D/aegis_encrypted.json"
all7 "Aegis backup slot"
# One password line serves every encrypted input of the command.
fresh
expect 0 "two encrypted files, one password line" tpf "$T/filepw" import \
	--file-passphrase-fd 4 "$D/andotp_encrypted_fast.bin" "$D/2fas_schema2_encrypted.2fas"
contains "$err" "imported 7, skipped 3 (3 duplicates, 0 unusable), from andotp-encrypted, 2fas-encrypted" \
	"two encrypted files: summary"
fresh
expect 1 "--no-prompt and an encrypted file" "$TOTP_BIN" --vault "$V" --passphrase-fd 3 \
	--no-prompt import "$D/andotp_encrypted_fast.bin" 3<"$T/pass"
contains "$err" "--no-prompt" "--no-prompt is named"

# --- bad fixtures: documented error, vault unchanged ---------------------------------
fresh
expect 0 "seed the vault" tp import "$D/otpauth.txt"
snap
bad_fixture() { # FILE WANT-IN-STDERR
	expect 1 "$1 is refused" tpf "$T/filepw" import --file-passphrase-fd 4 "$D/$1"
	contains "$err" "$1" "$1: the file is named"
	contains "$err" "$2" "$1: the cause is given"
	unchanged "$1"
}
bad_fixture aegis_encrypted_badtag.json "does not authenticate"
bad_fixture andotp_encrypted_badtag.bin "wrong password"
bad_fixture 2fas_schema4_badtag.2fas "do not authenticate"
bad_fixture 2fas_schema5.2fas "schema version 5"
bad_fixture bitwarden_encrypted.json "encrypted Bitwarden"
bad_fixture json_deep.json "nested"
bad_fixture unknown.txt "not a format totp can import"
bad_fixture aegis_bad_entries.json "nothing imported: 7 items are unusable"
for want in "entry 2 (Yandex:Ivan): type yandex is not supported" \
	"entry 3 (MOTP:Mona): type motp is not supported" \
	"entry 4 (Md5:Mason): algorithm MD5 is not supported" \
	"entry 6 (Empty:Mason): empty secret" "entry 8 (Period:Mason): period 0"; do
	contains "$err" "aegis_bad_entries.json: $want" "bad entry named: ${want%%:*}"
done
lacks "$err" "WJIAWXJRJUBTTLOOZOCGNYHU4Y" "a rejected entry's secret is not printed"
lacks "$err" "3132333435363738" "a rejected mOTP secret is not printed"
fresh
expect 0 "--partial imports the usable entries" tp import --partial "$D/aegis_bad_entries.json"
contains "$err" "skipping $D/aegis_bad_entries.json: entry 2 (Yandex:Ivan)" "--partial lists the skipped"
contains "$err" "imported 2, skipped 7 (0 duplicates, 7 unusable), from aegis" "--partial summary"
codes "--partial" Deno:Mason=Deno:Mason WWE:Mason=WWE:Mason
fresh
snap
expect 1 "--format forces a format" tp import --format 2fas "$D/aegis_plain_v1.json"
contains "$err" "schemaVersion" "forced format's error"
unchanged "forced wrong format"
expect 2 "--format with an unknown name" tp import --format keepass "$D/otpauth.txt"
expect 0 "--format andotp" tp import --format andotp "$D/andotp_plain.json"
expect 1 "missing file" tp import "$T/nonexistent"
contains "$err" "nonexistent" "missing file named"
expect 2 "no file" tp import
expect 2 "- with --file-passphrase-fd 0" tp import --file-passphrase-fd 0 -

# --- URI text files ------------------------------------------------------------------
cat >"$T/bad.txt" <<'EOF'
# accounts
otpauth://totp/Good:one?secret=JBSWY3DPEHPK3PXR

otpauth://totp/Bad:digits?secret=CANARYCANARYCANARY22&digits=12
not a uri at all
EOF
fresh
snap
expect 1 "text file with bad lines" tp import "$T/bad.txt"
contains "$err" "bad.txt: line 4 (Bad:digits): number of digits out of range" "bad line 4 named with its label"
contains "$err" "bad.txt: line 5: not an otpauth://" "bad line 5 named"
contains "$err" "nothing imported: 2 items are unusable" "all or nothing"
lacks "$err" "CANARY" "the bad line's secret is not printed"
unchanged "text file with bad lines"
expect 0 "text file --partial" tp import --partial "$T/bad.txt"
contains "$err" "imported 1, skipped 2 (0 duplicates, 2 unusable), from otpauth" "text --partial summary"
expect 0 "stdin" bash -c "printf 'otpauth://totp/Stdin:x?secret=7KSQL2JTUDIS5EF65KLMRQIIGY\n' | \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 import - 3<\"$T/pass\""
run tp code --at "$AT" Stdin:x
[ "$out" = 056725 ] && ok "stdin import code" || fail "stdin code '$out'"

# --- duplicates and label clashes -------------------------------------------------------
fresh
expect 0 "the same file twice in one command" tp import "$D/otpauth.txt" "$D/aegis_plain_v1.json"
contains "$err" "imported 7, skipped 7 (7 duplicates, 0 unusable), from otpauth, aegis" \
	"duplicates within one import are counted"
snap
expect 0 "importing again" tp import "$D/andotp_plain.json"
contains "$err" "imported 0, skipped 7 (7 duplicates, 0 unusable), from andotp" "re-import: all duplicates"
unchanged "re-import of duplicates"
printf 'otpauth://totp/Deno:Mason?secret=JBSWY3DPEHPK3PXP\n' >"$T/clash.txt"
expect 0 "same label, another secret" tp import "$T/clash.txt"
contains "$err" "Deno:Mason already exists with another secret; imported as Deno:Mason (2)" \
	"the clash is reported with its new label"
run tp code --at "$AT" "Deno:Mason (2)"
[ "$out" = "$(oathtool --totp -N '2023-11-14 22:13:20 UTC' -b JBSWY3DPEHPK3PXP 2>/dev/null || echo x)" ] &&
	ok "the clashing account keeps its own secret" || fail "clash code '$out'"
run tp code --at "$AT" Deno:Mason
[ "$out" = "$(expected Deno:Mason)" ] && ok "the original account is untouched" || fail "original '$out'"
snap
expect 0 "the clashing file again" tp import "$T/clash.txt"
contains "$err" "imported 0, skipped 1 (1 duplicate, 0 unusable)" "a renamed account is a duplicate later"
unchanged "clash re-import"
printf 'otpauth://totp/Twin:a?secret=JBSWY3DPEHPK3PXP\notpauth://totp/Twin:a?secret=JBSWY3DPEHPK3PXQ\n' >"$T/twins.txt"
expect 0 "a clash inside one file" tp import "$T/twins.txt"
contains "$err" "imported as Twin:a (2)" "clash inside one import renamed"

# --- --dry-run -----------------------------------------------------------------------
expect 0 "dry run without a vault" "$TOTP_BIN" --vault "$T/none/vault" import --dry-run \
	"$D/otpauth.txt" "$D/aegis_plain_v1.json"
[ ! -e "$T/none" ] && ok "dry run creates nothing" || fail "dry run touched the filesystem"
contains "$out" "$D/otpauth.txt (otpauth): 7 accounts" "dry run groups by file"
contains "$out" "$D/aegis_plain_v1.json (aegis): 0 accounts" "dry run: duplicates are not listed again"
contains "$out" "Air Canada:Benjamin	hotp	SHA256	7 digits	counter 50" "dry run shows type, algorithm, digits, counter"
contains "$out" "SPDX:James	totp	SHA256	7 digits	20 s" "dry run shows the period"
contains "$err" "would import 7, skipped 7 (7 duplicates, 0 unusable)" "dry run summary"
no_secret "$out$err" "dry run"
snap
expect 0 "dry run with a vault" tpf "$T/filepw" import --dry-run --file-passphrase-fd 4 "$D/aegis_encrypted.json"
unchanged "dry run"
no_secret "$out$err" "dry run of an encrypted file"
expect 1 "dry run of bad entries" tp import --dry-run "$D/aegis_bad_entries.json"
contains "$err" "nothing would be imported" "dry run says the import would be refused"
unchanged "dry run of bad entries"

# --- QR images -----------------------------------------------------------------------
if command -v qrencode >/dev/null && command -v python3 >/dev/null; then
	Q=$T/qr
	mkdir -p "$Q"
	qrencode -o "$Q/deno.png" 'otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno'
	qrencode -o "$Q/steam.png" 'otpauth://steam/Boeing:Sophia?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&issuer=Boeing'
	qrencode -o "$Q/hotp.png" 'otpauth://hotp/Issuu:James?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&issuer=Issuu&counter=1'
	qrencode -o "$Q/hello.png" 'hello, not an authenticator'
	qrencode -o "$Q/badqr.png" 'otpauth://totp/Bad:qr?secret=CANARYCANARYCANARY22&digits=12'
	# Google Authenticator export payloads, protobuf written out by hand
	# (FORMATS.md section 5), independent of libtotp's writer.
	cat >"$Q/mig.py" <<'EOF'
import base64, struct, sys, urllib.parse, zlib
def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b, n = n & 0x7f, n >> 7
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)
def field(num, wire, val):
    key = varint(num << 3 | wire)
    return key + (varint(val) if wire == 0 else varint(len(val)) + val)
def otp(secret, name, issuer, algo, digits, typ, counter=0):
    m = field(1, 2, base64.b32decode(secret + '=' * (-len(secret) % 8)))
    m += field(2, 2, name.encode()) + field(3, 2, issuer.encode())
    m += field(4, 0, algo) + field(5, 0, digits) + field(6, 0, typ)
    if typ == 1:
        m += field(7, 0, counter)
    return field(1, 2, m)
def payload(otps, size, index, bid):
    pb = b''.join(otps) + field(2, 0, 1) + field(3, 0, size) + field(4, 0, index) + field(5, 0, bid)
    return 'otpauth-migration://offline?data=' + urllib.parse.quote(base64.b64encode(pb).decode(), safe='')
# algo 1 SHA1 2 SHA256 3 SHA512 4 MD5; digits 1 six 2 eight; type 1 HOTP 2 TOTP
parts = [
    [otp('4SJHB4GSD43FZBAI7C2HLRJGPQ', 'Deno:Mason', 'Deno', 1, 1, 2),
     otp('YOOMIXWS5GN6RTBPUFFWKTW5M4', 'Issuu:James', 'Issuu', 1, 1, 1, 1)],
    [otp('5OM4WOOGPLQEF6UGN3CPEOOLWU', 'GA-SPDX:James', 'GA-SPDX', 2, 2, 2)],
    [otp('7ELGJSGXNCCTV3O6LKJWYFV2RA', 'Elijah', 'GA-Airbnb', 3, 1, 2)],
]
out = sys.argv[1]
with open(out + '/parts.txt', 'w') as f:
    for i, p in enumerate(parts):
        print(payload(p, 3, i, -1558849573), file=f)
with open(out + '/md5.txt', 'w') as f:
    print(payload([otp('4SJHB4GSD43FZBAI7C2HLRJGPQ', 'Md5:Mason', 'Md5', 4, 1, 2),
                   otp('JBSWY3DPEHPK3PXP', 'Ok:one', 'Ok', 1, 1, 2)], 1, 0, 7), file=f)
# A white 64x64 PNG without a code.
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
raw = b''.join(b'\0' + b'\xff' * 64 for _ in range(64))
with open(out + '/blank.png', 'wb') as f:
    f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 64, 64, 8, 0, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
EOF
	python3 "$Q/mig.py" "$Q"
	i=0
	while read -r u; do i=$((i + 1)); qrencode -o "$Q/ga$i.png" "$u"; done <"$Q/parts.txt"
	qrencode -o "$Q/md5.png" "$(cat "$Q/md5.txt")"
	# A PNG cut short.
	head -c 100 "$Q/deno.png" >"$Q/cut.png"

	fresh
	expect 0 "QR images with otpauth URIs" tp import "$Q/deno.png" "$Q/steam.png" "$Q/hotp.png"
	contains "$err" "imported 3, skipped 0 (0 duplicates, 0 unusable), from QR image" "QR summary"
	codes "QR images" Deno:Mason=Deno:Mason Boeing:Sophia=Boeing:Sophia Issuu:James=Issuu:James

	fresh
	expect 0 "Google Authenticator export, images shuffled" tp import "$Q/ga3.png" "$Q/ga1.png" "$Q/ga2.png"
	codes "GA export" Deno:Mason=Deno:Mason Issuu:James=Issuu:James GA-SPDX:James=GA-SPDX:James \
		GA-Airbnb:Elijah=GA-Airbnb:Elijah
	expect 0 "GA export dry run" "$TOTP_BIN" --vault "$T/none/vault" import --dry-run "$Q/ga2.png" "$Q/ga3.png" "$Q/ga1.png"
	contains "$out" "ga1.png (QR image): 2 accounts" "dry run attributes accounts to their image"
	contains "$out" "ga2.png (QR image): 1 account" "dry run: second image"
	no_secret "$out$err" "GA dry run"
	fresh
	snap
	expect 1 "GA export with a part missing" tp import "$Q/ga3.png" "$Q/ga1.png"
	contains "$err" "part 2 of 3 missing" "the missing part is named by number"
	contains "$err" "nothing imported" "nothing imported without the missing part"
	unchanged "GA export with a part missing"
	expect 0 "GA export with a part missing, --partial" tp import --partial "$Q/ga3.png" "$Q/ga1.png"
	contains "$err" "imported 3, skipped 1 (0 duplicates, 1 unusable)" "--partial imports the parts present"
	codes "GA --partial" Deno:Mason=Deno:Mason Issuu:James=Issuu:James GA-Airbnb:Elijah=GA-Airbnb:Elijah

	fresh
	snap
	expect 1 "a QR code that is not an authenticator's" tp import "$Q/deno.png" "$Q/hello.png"
	contains "$err" "hello.png: QR code is not an otpauth://" "non-OTP QR named"
	lacks "$err" "not an authenticator" "the payload is not echoed"
	unchanged "non-OTP QR"
	expect 1 "an image without a QR code" tp import "$Q/blank.png"
	contains "$err" "blank.png: no QR code found" "image without a code named"
	unchanged "image without a code"
	expect 1 "a truncated PNG" tp import "$Q/cut.png"
	contains "$err" "cut.png: cannot decode the image" "undecodable image named"
	unchanged "truncated PNG"
	expect 1 "an otpauth QR with a bad entry" tp import "$Q/badqr.png"
	contains "$err" "badqr.png" "bad QR entry: file named"
	lacks "$err" "CANARY" "bad QR entry: no secret"
	unchanged "bad QR entry"
	expect 1 "a migration entry with MD5" tp import "$Q/md5.png"
	contains "$err" "md5.png, entry 1 (Md5:Mason): algorithm MD5 is not supported" "MD5 entry named"
	unchanged "MD5 migration entry"
	expect 0 "--partial skips what cannot be read" tp import --partial "$Q/blank.png" "$Q/hello.png" \
		"$Q/md5.png" "$Q/deno.png"
	contains "$err" "imported 2, skipped 3 (0 duplicates, 3 unusable)" "--partial with bad images: summary"
	expect 1 "--partial with nothing usable" tp import --partial "$Q/blank.png"
	contains "$err" "no accounts found" "--partial with nothing usable fails"

	# Migration URIs in a text file go through the same decoder.
	fresh
	{ echo '# exported'; sed -n 2p "$Q/parts.txt"; sed -n 1p "$Q/parts.txt"; sed -n 3p "$Q/parts.txt"; } >"$Q/parts-text.txt"
	expect 0 "migration URIs in a text file" tp import "$Q/parts-text.txt"
	codes "migration text" Deno:Mason=Deno:Mason Issuu:James=Issuu:James GA-SPDX:James=GA-SPDX:James \
		GA-Airbnb:Elijah=GA-Airbnb:Elijah
	fresh
	{ sed -n 1p "$Q/parts.txt"; echo 'otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ'; } >"$Q/part1.txt"
	expect 0 "a text part and an image part of one export" tp import "$Q/part1.txt" "$Q/ga3.png" "$Q/ga2.png"
	contains "$err" "imported 4, skipped 1 (1 duplicate, 0 unusable)" "text and image parts reassemble"
else
	ok "# SKIP qrencode or python3 missing"
fi

# --- merging another totp vault ---------------------------------------------------------
W=$T/w/vault
mkdir -p "$T/w"
printf 'other horse\n' >"$T/wpass"
"$TOTP_BIN" --vault "$W" --passphrase-fd 3 init --kdf-memory 8K --kdf-ops 1 3<"$T/wpass" 2>/dev/null
"$TOTP_BIN" --vault "$W" --passphrase-fd 3 import "$D/andotp_plain.json" 3<"$T/wpass" 2>/dev/null
echo 7KSQL2JTUDIS5EF65KLMRQIIGY | "$TOTP_BIN" --vault "$W" --passphrase-fd 3 add Only:there 3<"$T/wpass" >/dev/null
cp "$W" "$T/wsnap"
fresh
expect 0 "seed" tp import "$D/otpauth.txt"
snap
expect 1 "merge with the wrong passphrase" tpf "$T/badpw" import --file-passphrase-fd 4 "$W"
contains "$err" "$W: wrong passphrase" "wrong vault passphrase named"
unchanged "merge with the wrong passphrase"
expect 1 "merge without a terminal" setsid -w "$TOTP_BIN" --vault "$V" --passphrase-fd 3 import "$W" 3<"$T/pass" </dev/null
contains "$err" "without a terminal" "merge without a terminal explained"
unchanged "merge without a terminal"
expect 1 "a vault on standard input" bash -c "\"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 import - <\"$W\" 3<\"$T/pass\""
contains "$err" "give its path" "vault on stdin refused"
unchanged "vault on stdin"
expect 0 "merge another vault" tpf "$T/wpass" import --file-passphrase-fd 4 "$W"
contains "$err" "imported 1, skipped 7 (7 duplicates, 0 unusable), from totp vault" "merge summary"
run tp code --at "$AT" Only:there
[ "$out" = 056725 ] && ok "merged account's code" || fail "merged code '$out'"
run tp list
[ "$(printf '%s\n' "$out" | grep -c .)" = 8 ] && ok "merge: 8 accounts" || fail "merge: $out"
same_file "$W" "$T/wsnap" "the merged vault is only read"
snap
expect 0 "merging the same vault again" tpf "$T/wpass" import --file-passphrase-fd 4 "$W"
contains "$err" "imported 0, skipped 8 (8 duplicates, 0 unusable)" "second merge: all duplicates"
unchanged "second merge"
