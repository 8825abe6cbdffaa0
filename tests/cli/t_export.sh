# t_export.sh - totp export (png, migration, uri, html) and totp show --qr:
# round trips through totp import, independent decoders (zbarimg, a Python
# protobuf reader, headless Chromium + pdftoppm for the printed sheet),
# file modes, no clobbering, and refusals.
. "$(dirname "$0")/lib.sh"

# The system's python3 when there is one (a version manager's shim is slow).
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
UTIL="$PY $(dirname "$0")/export_util.py"
V=$T/v/vault
printf 'correct horse\n' >"$T/pass"
tpv() { local v=$1; shift; "$TOTP_BIN" --vault "$v" --passphrase-fd 3 "$@" 3<"$T/pass"; }
tp() { tpv "$V" "$@"; }
AT=1700000000
have() { command -v "$1" >/dev/null 2>&1; }
skip() { echo "ok - # SKIP $*"; }
zbar() { zbarimg -q --raw -Sdisable -Sqrcode.enable "$@" 2>/dev/null; }

# A fresh vault holding what FILE... import.
fresh() {
	local v=$1; shift
	rm -rf "$(dirname "$v")"
	tpv "$v" init --kdf-memory 8K --kdf-ops 1 >/dev/null 2>&1 &&
		tpv "$v" import "$@" >/dev/null 2>"$T/.import-err"
}

# What must survive a round trip: the accounts' parameters (sorted), every
# secret (the sorted URI list), the codes at a fixed time, and the next code
# of each HOTP account.
# HOTP codes are taken from a copy (a new path each time), so that the
# vault's counters stay put.
ncopy=0
summary() {
	local v=$1 c=$T/copy$((ncopy += 1))/vault
	tpv "$v" list --json | $UTIL json-sort
	tpv "$v" export --format uri | sort
	tpv "$v" code --at $AT | sort
	mkdir "$(dirname "$c")" && cp "$v" "$c"
	for i in 1 2; do tpv "$c" code Air; tpv "$c" code "jörg"; done
}

# same_accounts VAULT DESC: VAULT holds exactly the accounts of $V (which
# does not change after the import below, so its summary is made once).
same_accounts() {
	[ -s "$T/sum.a" ] || summary "$V" >"$T/sum.a" 2>"$T/sum.err"
	summary "$1" >"$T/sum.b" 2>>"$T/sum.err"
	if [ -s "$T/sum.a" ] && cmp -s "$T/sum.a" "$T/sum.b"; then
		ok "$2"
	else
		fail "$2"
		diff "$T/sum.a" "$T/sum.b" | sed 's/^/#   /' | head -20
	fi
}

# --- a vault with awkward accounts ----------------------------------------------
cat >"$T/accounts.txt" <<'EOF'
otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example
otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60
otpauth://hotp/Air%20Canada:Benjamin?secret=KUVJJOM753IHTNDSZVCNKL7GII&issuer=Air+Canada&algorithm=SHA256&digits=7&counter=50
otpauth://steam/Steam:gaben?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&issuer=Steam
otpauth://totp/..%2F..%2Fetc%2Fpasswd?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
otpauth://hotp/B%C3%A4nk:j%C3%B6rg%40example.com?secret=7KSQL2JTUDIS5EF65KLMRQIIGY&issuer=B%C3%A4nk&counter=4
otpauth://totp/Big:sha512?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA&issuer=Big&algorithm=SHA512&digits=8
otpauth://totp/.hidden?secret=MFRGGZDFMZTWQ2LK
otpauth://totp/a%2Fb?secret=MFRGGZDFMZTWQ2LL
otpauth://totp/a_b?secret=MFRGGZDFMZTWQ2LM
otpauth://totp/Case:X?secret=MFRGGZDFMZTWQ2LN&issuer=Case
otpauth://totp/case:x?secret=MFRGGZDFMZTWQ2LO&issuer=case
otpauth://totp/Bulk:one?secret=MFRGGZDFMZTWQ2LP&issuer=Bulk
otpauth://totp/Bulk:two?secret=MFRGGZDFMZTWQ2LQ&issuer=Bulk
otpauth://totp/-dash%20%3Cb%3E%26%22?secret=MFRGGZDFMZTWQ2LR
EOF
run bash -c "\"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 init --kdf-memory 8K --kdf-ops 1 3<\"$T/pass\""
[ "$rc" -eq 0 ] && ok "init" || fail "init: $err"
expect 0 "import the test accounts" tp import "$T/accounts.txt"
N=$(grep -c . "$T/accounts.txt")
run tp list
[ "$(printf '%s\n' "$out" | grep -c .)" -eq "$N" ] && ok "vault holds $N accounts" || fail "vault: $out"
tp export --format uri >"$T/all.uri" 2>/dev/null
[ "$(grep -c '^otpauth://' "$T/all.uri")" -eq "$N" ] && ok "uri list to a pipe" || fail "uri list"

# --- usage ---------------------------------------------------------------------------
expect 2 "export without --format" tp export -o "$T/x"
expect 2 "export --format bogus" tp export --format bogus -o "$T/x"
expect 2 "png without -o" tp export --format png
expect 2 "html without -o" tp export --format html
expect 2 "export with two patterns" tp export --format uri a b
expect 1 "export of a pattern matching nothing" tp export --format uri -o "$T/none.txt" nosuch
[ ! -e "$T/none.txt" ] && ok "nothing written for no match" || fail "file written for no match"
expect 0 "export a pattern" tp export --format uri -o "$T/one.txt" alice
[ "$(grep -c . "$T/one.txt")" -eq 1 ] && ok "pattern selects one account" || fail "one.txt: $(cat "$T/one.txt")"
contains "$(cat "$T/one.txt")" "secret=JBSWY3DPEHPK3PXP" "the selected account is alice"

# --- uri ----------------------------------------------------------------------------
run bash -c "umask 000; \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 export --format uri -o \"$T/u.txt\" 3<\"$T/pass\""
[ "$rc" -eq 0 ] && ok "uri export to a file" || fail "uri export: $err"
contains "$err" "wrote $N otpauth URIs to $T/u.txt, verified" "uri export reports what it wrote"
same_file "$T/u.txt" "$T/all.uri" "uri file equals the list on a pipe"
[ "$(stat -c %a "$T/u.txt")" = 600 ] && ok "uri file 0600 under umask 000" || fail "mode $(stat -c %a "$T/u.txt")"
fresh "$T/vu/vault" "$T/u.txt" && ok "uri list imports" || fail "uri import: $(cat "$T/.import-err")"
same_accounts "$T/vu/vault" "uri round trip: identical accounts, secrets and codes"
echo sentinel >"$T/u2.txt"
expect 1 "uri export does not replace a file" tp export --format uri -o "$T/u2.txt"
[ "$(cat "$T/u2.txt")" = sentinel ] && ok "existing file untouched" || fail "file clobbered"
expect 0 "uri export --force replaces it" tp export --format uri -o "$T/u2.txt" --force
same_file "$T/u2.txt" "$T/all.uri" "replaced file is the list"
expect 1 "uri export into a missing directory" tp export --format uri -o "$T/nodir/u.txt"
if have script; then
	run script -qec "\"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 export --format uri 3<\"$T/pass\"" /dev/null
	[ "$rc" -eq 1 ] && ok "uri to a terminal refused" || fail "uri to a tty: exit $rc"
	contains "$out" "refusing to print secrets on a terminal" "refusal says why"
	lacks "$out" "otpauth://" "no URI on the terminal"
	run script -qec "\"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 export --format uri --force 3<\"$T/pass\"" /dev/null
	contains "$out" "secret=JBSWY3DPEHPK3PXP" "uri to a terminal with --force"
else
	skip "script(1) missing: uri to a terminal"
fi

# --- png ----------------------------------------------------------------------------
P=$T/png
run bash -c "umask 000; \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 export --format png -o \"$P\" 3<\"$T/pass\""
[ "$rc" -eq 0 ] && ok "png export" || fail "png export: $err"
contains "$err" "wrote $N QR codes and index.txt to $P, verified" "png export reports what it wrote"
[ "$(stat -c %a "$P")" = 700 ] && ok "new directory 0700 under umask 000" || fail "dir mode $(stat -c %a "$P")"
modes=$(stat -c %a "$P"/* | sort -u | tr '\n' ' ')
[ "$modes" = "600 " ] && ok "every file 0600 under umask 000" || fail "modes: $modes"
[ "$(ls "$P" | grep -c '\.png$')" -eq "$N" ] && ok "one PNG per account" || fail "$(ls "$P")"
grep -v '^#' "$P/index.txt" | cut -f1 >"$T/names"
grep -v '^#' "$P/index.txt" | cut -f2 >"$T/labels"
[ "$(grep -c . "$T/names")" -eq "$N" ] && ok "index.txt lists every file" || fail "index: $(cat "$P/index.txt")"
tp list | cut -f1 >"$T/vault-labels"
same_file "$T/labels" "$T/vault-labels" "index.txt labels are the vault's, in order"
bad=$(grep -E '^[.-]|/|[[:cntrl:]]|[^A-Za-z0-9._@+-]' "$T/names")
[ -z "$bad" ] && ok "file names: safe characters, no leading dot or dash" || fail "unsafe names: $bad"
dups=$(sort -f "$T/names" | uniq -di)
[ -z "$dups" ] && ok "file names unique ignoring case" || fail "duplicate names: $dups"
grep -qx 'etc_passwd.png' "$T/names" && ok "path traversal label flattened" || fail "names: $(cat "$T/names")"
grep -qx 'hidden.png' "$T/names" && ok "leading dot dropped" || fail "no hidden.png"
grep -qx 'a_b-2.png' "$T/names" && ok "colliding names numbered" || fail "no a_b-2.png"
[ -z "$(ls -A "$P" | grep '^\.totp-export')" ] && ok "no temporary files left" || fail "temp files: $(ls -A "$P")"
# zbarimg, an independent decoder, reads each file back to the URI (same order).
(cd "$P" && zbar $(cat "$T/names")) >"$T/png.uris"
same_file "$T/png.uris" "$T/all.uri" "zbarimg decodes every PNG to its account's URI"
fresh "$T/vp/vault" "$P"/*.png && ok "totp import of the PNG files" || fail "png import: $(cat "$T/.import-err")"
same_accounts "$T/vp/vault" "png round trip: identical accounts, secrets and codes"
# no clobbering: an existing file (the last name) stops the export before any write
rm -rf "$T/png2" && mkdir "$T/png2" && echo sentinel >"$T/png2/$(tail -1 "$T/names")"
expect 1 "png export into a directory with one of its names" tp export --format png -o "$T/png2"
contains "$err" "already exists" "existing file named"
[ "$(ls -A "$T/png2" | wc -l)" -eq 1 ] && ok "nothing else written" || fail "written: $(ls -A "$T/png2")"
expect 1 "a second export into the same directory" tp export --format png -o "$P"
same_file <(cd "$P" && zbar $(cat "$T/names")) "$T/all.uri" "first export intact"
expect 0 "png export --force" tp export --format png -o "$T/png2" --force
[ "$(zbar "$T/png2/$(tail -1 "$T/names")")" = "$(tail -1 "$T/all.uri")" ] && ok "--force replaced the file" || fail "not replaced"

# --- migration (Google Authenticator transfer codes) -----------------------------------
M=$T/mig
expect 0 "migration export" tp export --format migration -o "$M"
contains "$err" "verified" "migration export verified"
contains "$err" "cannot go in a Google Authenticator transfer code" "unsupported accounts announced"
ls "$M" | grep '^google-authenticator-' >"$T/mig.files"
[ "$(grep -c . "$T/mig.files")" -eq 2 ] && ok "two transfer codes for more than 10 accounts" || fail "codes: $(cat "$T/mig.files")"
(cd "$M" && zbar $(sort -V "$T/mig.files")) >"$T/mig.uris"
[ "$(grep -c '^otpauth-migration://offline?data=' "$T/mig.uris")" -eq 2 ] && ok "zbarimg reads both transfer codes" || fail "$(cat "$T/mig.uris")"
$UTIL mig-decode <"$T/mig.uris" >"$T/mig.decoded" 2>&1
$UTIL mig-expect <"$T/all.uri" >"$T/mig.expected" 2>&1
same_file "$T/mig.decoded" <(grep -v '^other' "$T/mig.expected") \
	"independent protobuf decoder: secrets, names, batch fields as expected"
contains "$(head -1 "$T/mig.decoded")" "batch consistent codes=2" "one batch_id, indices 0..1, size 2, version 1"
grep '^other' "$T/mig.expected" | cut -f2 | sort >"$T/others.want"
grep -v '^#' "$M/MANIFEST.txt" | grep -v '^google-authenticator-' | cut -f2 | sort >"$T/others.got"
same_file "$T/others.got" "$T/others.want" "MANIFEST.txt names the accounts a transfer code cannot hold"
[ "$(grep -v '^#' "$M/MANIFEST.txt" | cut -f2 | sort | uniq | wc -l)" -eq "$N" ] && ok "MANIFEST.txt lists every account once" || fail "$(cat "$M/MANIFEST.txt")"
grep -v '^#' "$M/MANIFEST.txt" | grep -v '^google-authenticator-' | cut -f1 >"$T/others.files"
(cd "$M" && zbar $(cat "$T/others.files")) | sort >"$T/others.uris"
grep -v -e '^otpauth://totp/[^?]*?[^ ]*digits=[68]&period=30$' -e '^otpauth://hotp/[^?]*?[^ ]*digits=[68]&' "$T/all.uri" | sort >"$T/others.uris.want"
same_file "$T/others.uris" "$T/others.uris.want" "the other accounts' PNGs decode to their URIs"
modes=$(stat -c %a "$M"/* | sort -u | tr '\n' ' ')
[ "$modes" = "600 " ] && ok "migration files 0600" || fail "modes: $modes"
fresh "$T/vm/vault" "$M"/*.png && ok "totp import of the migration directory" || fail "migration import: $(cat "$T/.import-err")"
same_accounts "$T/vm/vault" "migration round trip: identical accounts, secrets and codes"

# --- html ----------------------------------------------------------------------------
H=$T/sheet.html
expect 0 "html export" tp export --format html -o "$H"
contains "$err" "wrote a backup sheet of $N accounts to $H, verified" "html export reports"
[ "$(stat -c %a "$H")" = 600 ] && ok "sheet 0600" || fail "mode $(stat -c %a "$H")"
html=$(cat "$H")
contains "$html" "totp backup: $N accounts" "sheet header names it and counts accounts"
contains "$html" "totp import" "sheet says how to restore"
contains "$html" "$(date -u +%Y-%m-%d)" "sheet is dated"
contains "$html" "JBSW Y3DP EHPK 3PXP" "secret in groups of four"
contains "$html" "-dash &lt;b&gt;&amp;&quot;" "labels HTML-escaped"
lacks "$html" "<b>&\"" "no raw markup from a label"
contains "$html" "break-inside: avoid" "print CSS keeps a code on one page"
[ "$(grep -c '<svg' "$H")" -eq "$N" ] && ok "one inline SVG per account" || fail "svg count"
if have chromium && have pdftoppm; then
	timeout 180 chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
		--user-data-dir="$T/chrome" --print-to-pdf="$T/sheet.pdf" "file://$H" >/dev/null 2>&1
	[ -s "$T/sheet.pdf" ] && ok "Chromium prints the sheet to PDF" || fail "no PDF"
	pdftoppm -r 150 -gray -png "$T/sheet.pdf" "$T/page" 2>/dev/null
	zbar "$T"/page*.png | sort >"$T/html.uris"
	same_file "$T/html.uris" <(sort "$T/all.uri") "zbarimg reads every account's URI from the printed pages"
	fresh "$T/vh/vault" "$T/html.uris" && ok "import the URIs read from the printout" || fail "html import: $(cat "$T/.import-err")"
	same_accounts "$T/vh/vault" "html round trip through print: identical accounts and codes"
else
	skip "chromium or pdftoppm missing (Debian: chromium poppler-utils)"
fi

# --- a larger export: files synced together ---------------------------------------------
for i in $(seq 1 20); do echo "otpauth://totp/Many:user$i?secret=MFRGGZDFMZTWQ2$(printf '%02d' $i | tr 0-9 A-J)&issuer=Many"; done >"$T/many.txt"
fresh "$T/vn/vault" "$T/many.txt" && ok "vault of 20 accounts" || fail "many: $(cat "$T/.import-err")"
expect 0 "png export of 20 accounts" tpv "$T/vn/vault" export --format png -o "$T/many"
[ "$(ls "$T/many" | wc -l)" -eq 21 ] && ok "20 PNGs and index.txt" || fail "$(ls "$T/many")"
[ "$(cd "$T/many" && zbar *.png | sort)" = "$(sort "$T/many.txt" | sed 's/$/\&algorithm=SHA1\&digits=6\&period=30/' | sort)" ] && ok "20 PNGs decode to their URIs" || fail "many decode"

# --- a read-back that finds no code ---------------------------------------------------
# A libzbar.so.0 first on the library path whose scans find nothing: every
# image written fails its check, so export stops, names the file and leaves
# no image behind.
if have cc; then
	mkdir -p "$T/blindzbar"
	cat >"$T/blindzbar/zbar.c" <<'CODE'
#include <stddef.h>
static int scanner, image;
void *zbar_image_scanner_create(void) { return &scanner; }
void zbar_image_scanner_destroy(void *s) { (void)s; }
int zbar_image_scanner_set_config(void *s, int sym, int cfg, int val) { (void)s; (void)sym; (void)cfg; (void)val; return 0; }
void *zbar_image_create(void) { return &image; }
void zbar_image_destroy(void *i) { (void)i; }
void zbar_image_set_format(void *i, unsigned long f) { (void)i; (void)f; }
void zbar_image_set_size(void *i, unsigned w, unsigned h) { (void)i; (void)w; (void)h; }
void zbar_image_set_data(void *i, const void *d, unsigned long n, void *c) { (void)i; (void)d; (void)n; (void)c; }
int zbar_scan_image(void *s, void *i) { (void)s; (void)i; return 0; }
const void *zbar_image_first_symbol(const void *i) { (void)i; return NULL; }
const void *zbar_symbol_next(const void *s) { (void)s; return NULL; }
int zbar_symbol_get_type(const void *s) { (void)s; return 0; }
const char *zbar_symbol_get_data(const void *s) { (void)s; return ""; }
unsigned zbar_symbol_get_data_length(const void *s) { (void)s; return 0; }
unsigned zbar_symbol_get_loc_size(const void *s) { (void)s; return 0; }
int zbar_symbol_get_loc_x(const void *s, unsigned i) { (void)s; (void)i; return 0; }
int zbar_symbol_get_loc_y(const void *s, unsigned i) { (void)s; (void)i; return 0; }
CODE
	cc -shared -fPIC -o "$T/blindzbar/libzbar.so.0" "$T/blindzbar/zbar.c"
	blind() { LD_LIBRARY_PATH="$T/blindzbar" "$TOTP_BIN" --vault "$V" --passphrase-fd 3 "$@" 3<"$T/pass"; }
	run blind export --format png -o "$T/blind"
	[ "$rc" -eq 1 ] && ok "png export whose read-back fails: exit 1" || fail "exit $rc: $err"
	contains "$err" "the QR code read back cannot be decoded" "the failed check is named"
	contains "$err" "$T/blind/" "the file is named"
	[ -z "$(ls -A "$T/blind" 2>/dev/null)" ] && ok "no image left behind" || fail "left: $(ls -A "$T/blind")"
	run blind export --format migration -o "$T/blindm"
	[ "$rc" -eq 1 ] && ok "migration export whose read-back fails: exit 1" || fail "exit $rc: $err"
	[ -z "$(ls -A "$T/blindm" 2>/dev/null)" ] && ok "no transfer code left behind" || fail "left: $(ls -A "$T/blindm")"
else
	skip "no C compiler for the blind libzbar"
fi

# --- refusals as an unprivileged user ----------------------------------------------
if [ "$(id -u)" = 0 ] && have setpriv && id nobody >/dev/null 2>&1; then
	mkdir -p "$T/nob" "$T/ro"
	cp "$V" "$T/nob/vault"
	chown -R nobody "$T/nob"
	chmod 755 "$T/ro"
	asnobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
	run asnobody "$TOTP_BIN" --vault "$T/nob/vault" --passphrase-fd 3 export --format png -o "$T/ro/out" 3<"$T/pass"
	[ "$rc" -eq 1 ] && ok "png into an unwritable parent: exit 1" || fail "exit $rc: $err"
	contains "$err" "$T/ro/out: cannot create the directory" "clear error for the directory"
	contains "$err" "Permission denied" "the reason is given"
	run asnobody "$TOTP_BIN" --vault "$T/nob/vault" --passphrase-fd 3 export --format png -o "$T/ro" 3<"$T/pass"
	[ "$rc" -eq 1 ] && ok "png into an unwritable directory: exit 1" || fail "exit $rc: $err"
	contains "$err" "$T/ro: cannot create a file" "clear error for the file"
	run asnobody "$TOTP_BIN" --vault "$T/nob/vault" --passphrase-fd 3 export --format uri -o "$T/ro/u.txt" 3<"$T/pass"
	[ "$rc" -eq 1 ] && ok "uri into an unwritable directory: exit 1" || fail "exit $rc: $err"
	lacks "$err" "JBSWY3DP" "no secret in the error"
	[ -z "$(ls -A "$T/ro")" ] && ok "nothing left in the unwritable directory" || fail "$(ls -A "$T/ro")"
else
	skip "not root or no setpriv: unwritable directory"
fi

# --- show --qr --------------------------------------------------------------------------
URI=$(tp show alice)
expect 0 "show --qr to a pipe" tp show --qr --background light alice
printf '%s\n' "$out" >"$T/qr-light.txt"
lacks "$out" $'\x1b' "no escape codes without a terminal"
lacks "$out" "JBSWY3DP" "the secret is only in the drawing"
$UTIL term2png "$T/qr-light.txt" "$T/qr-light.png"
[ "$(zbar "$T/qr-light.png")" = "$URI" ] && ok "light background: drawing decodes to the URI" || fail "light drawing does not decode"
# Row 2 of text holds module rows 4-5: the left edge of the finder pattern.
[ "$($UTIL cell "$T/qr-light.txt" 3 5)" = "█" ] && ok "light background: dark modules are blocks" || fail "polarity light: $(sed -n 3p "$T/qr-light.txt")"
expect 0 "show --qr --background dark" tp show --qr --background dark alice
printf '%s\n' "$out" >"$T/qr-dark.txt"
[ "$($UTIL cell "$T/qr-dark.txt" 3 5)" = "." ] && ok "dark background: light modules are blocks" || fail "polarity dark: $(sed -n 3p "$T/qr-dark.txt")"
$UTIL term2png "$T/qr-dark.txt" "$T/qr-dark.png" --invert
[ "$(zbar "$T/qr-dark.png")" = "$URI" ] && ok "dark background: drawing decodes to the URI" || fail "dark drawing does not decode"
env COLORFGBG='0;15' "$TOTP_BIN" --vault "$V" --passphrase-fd 3 show --qr alice 3<"$T/pass" >"$T/qr-env.txt" 2>&1
[ "$($UTIL cell "$T/qr-env.txt" 3 5)" = "█" ] && ok "COLORFGBG light background honoured" || fail "COLORFGBG"
tp show --qr alice >"$T/qr-def.txt" 2>&1
[ "$($UTIL cell "$T/qr-def.txt" 3 5)" = "." ] && ok "default without colour: dark background" || fail "default polarity"
expect 2 "--background without --qr" tp show --background dark alice
expect 2 "--background bogus" tp show --qr --background grey alice
expect 1 "show --qr of an ambiguous pattern" tp show --qr Bulk
if have script; then
	run script -qec "stty cols 120 rows 60; \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 show --qr alice 3<\"$T/pass\"" /dev/null
	[ "$rc" -eq 0 ] && ok "show --qr on a terminal" || fail "tty exit $rc: $out"
	contains "$out" $'\x1b[30;47;107m' "explicit black on white on a colour terminal"
	printf '%s\n' "$out" >"$T/qr-tty.txt"
	$UTIL term2png "$T/qr-tty.txt" "$T/qr-tty.png"
	[ "$(zbar "$T/qr-tty.png")" = "$URI" ] && ok "terminal rendering decodes to the URI" || fail "tty drawing does not decode"
	run script -qec "stty cols 120 rows 60; NO_COLOR=1 \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 show --qr --background light alice 3<\"$T/pass\"" /dev/null
	lacks "$out" $'\x1b[' "NO_COLOR: no colour codes"
	printf '%s\n' "$out" >"$T/qr-nc.txt"
	$UTIL term2png "$T/qr-nc.txt" "$T/qr-nc.png"
	[ "$(zbar "$T/qr-nc.png")" = "$URI" ] && ok "NO_COLOR rendering decodes to the URI" || fail "NO_COLOR drawing"
	run script -qec "stty cols 30 rows 60; \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 show --qr alice 3<\"$T/pass\"" /dev/null
	[ "$rc" -eq 1 ] && ok "narrow terminal refused" || fail "narrow: exit $rc"
	contains "$out" "the terminal is 30 columns wide" "narrow terminal: clear message"
	lacks "$out" "█" "narrow terminal: nothing drawn"
else
	skip "script(1) missing: show --qr on a terminal"
fi
