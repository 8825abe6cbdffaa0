# t_compat.sh - never brick a vault: the fixture vaults of every released
# format version (tests/data/vaults, made by make_fixtures.c there) open in
# this totp and give the codes oathtool gives; a vault written by a newer
# totp (unknown fields) opens; a vault holding entries that today's checks
# reject opens, names them, keeps them unchanged, and the rest work.
# Also rollback detection: an older copy of a vault put back in its place
# is warned about (RELIABILITY.md M19), normal use is not.
. "$(dirname "$0")/lib.sh"

D=${TOTP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/data/vaults
printf 'totp fixture v1\n' >"$T/pass"
printf 'totp fixture v0\n' >"$T/bad"
tp() { "$TOTP_BIN" --vault "$V" --passphrase-fd 3 "$@" 3<"$T/pass"; }
hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n'; }
# fixture NAME: a private copy (the vault must belong to the user).
fixture() {
	mkdir -p "$T/$1"
	V=$T/$1/vault
	cp "$D/$1.vault" "$V" && chmod 600 "$V"
}

# --- every released format version has a fixture -----------------------------------
for f in v1; do
	[ -f "$D/$f.vault" ] && ok "fixture $f.vault present" || fail "fixture $f.vault missing"
done
# a version 2 fixture must come with the format; list them all here
for f in "$D"/v[0-9]*.vault; do
	case $(basename "$f") in v1.vault | v1-odd.vault | v1-newer.vault) ;;
	*) fail "$(basename "$f") is not checked by t_compat.sh" ;; esac
done

# --- version 1 ---------------------------------------------------------------------
fixture v1
cp "$V" "$T/v1.orig"
expect 1 "v1: wrong passphrase refused" "$TOTP_BIN" --vault "$V" --passphrase-fd 3 list 3<"$T/bad"
contains "$err" "wrong passphrase or damaged vault" "v1: wrong passphrase message"
expect 0 "v1 opens" tp list
want='RFC6238:sha1	totp	SHA1	8	30
RFC6238:sha256	totp	SHA256	8	30
RFC6238:sha512	totp	SHA512	8	30
Example:alice@google.com	totp	SHA1	6	30
RFC4226:hotp	hotp	SHA1	6	5
Bücher:zoë	totp	SHA1	7	60
Boeing:Sophia	steam	SHA1	5	30'
[ "$out" = "$want" ] && ok "v1: the seven accounts, in order, with their parameters" ||
	{ fail "v1 list"; printf '#   %s\n' "$out"; }
lacks "$err" "not valid" "v1: no account reported as odd"
# label | oathtool mode | digits | step | raw secret
rows='RFC6238:sha1|--totp=sha1|8|30s|12345678901234567890
RFC6238:sha256|--totp=sha256|8|30s|12345678901234567890123456789012
RFC6238:sha512|--totp=sha512|8|30s|1234567890123456789012345678901234567890123456789012345678901234
Bücher:zoë|--totp=sha1|7|60s|fixture-utf8-seed-01'
n=0 bad=0
for t in 59 1111111109 1111111111 1234567890 2000000000 20000000000; do
	while IFS='|' read -r label mode digits step seed; do
		run tp code --at "$t" "$label"
		want=$(oathtool "$mode" -d "$digits" -s "$step" --now="@$t" "$(hex "$seed")")
		n=$((n + 1))
		[ "$rc" -eq 0 ] && [ "$out" = "$want" ] || { bad=$((bad + 1)); echo "#   $label at $t: '$out' want '$want' $err"; }
	done <<EOF
$rows
EOF
done
[ "$bad" -eq 0 ] && ok "v1: $n TOTP codes agree with oathtool" || fail "v1: $bad of $n TOTP codes differ from oathtool"
# the short secret Hello!\xde\xad\xbe\xef is JBSWY3DPEHPK3PXP
run tp code --at 1111111109 Example:alice@google.com
[ "$out" = "$(oathtool --totp -d 6 --now=@1111111109 48656c6c6f21deadbeef)" ] && ok "v1: binary secret code agrees with oathtool" || fail "v1: alice got '$out'"
run tp code --at 1700000000 Boeing:Sophia
[ "$out" = 747JR ] && ok "v1: Steam code" || fail "v1: Steam code '$out'"
same_file "$V" "$T/v1.orig" "v1: read-only commands leave the file byte-identical"
run tp show Example:alice
contains "$out" "secret=JBSWY3DPEHPK3PXP" "v1: show gives the secret in base32"
for c in 5 6 7; do
	run tp code RFC4226:hotp
	want=$(oathtool -c "$c" -d 6 "$(hex 12345678901234567890)")
	[ "$rc" -eq 0 ] && [ "$out" = "$want" ] && ok "v1: HOTP counter $c agrees with oathtool" || fail "v1: HOTP $c: '$out' want '$want' $err"
done
expect 0 "v1: saved by this version, still opens" tp list RFC4226:hotp
[ "$out" = "RFC4226:hotp	hotp	SHA1	6	8" ] && ok "v1: counter saved as 8" || fail "v1: after save '$out'"
run "$TOTP_BIN" --vault "$V" doctor
contains "$out" "version 1, generation" "doctor reads the v1 header"

# --- written by a newer totp: unknown fields, another field order ---------------------------
fixture v1-newer
expect 0 "vault with unknown fields opens" tp list
[ "$out" = 'RFC6238:sha1	totp	SHA1	8	30
RFC4226:hotp	hotp	SHA1	6	5' ] && ok "unknown fields skipped, known ones read" || fail "newer list: $out"
run tp code --at 1111111109 RFC6238:sha1
[ "$out" = 07081804 ] && ok "newer: TOTP code" || fail "newer: '$out'"
run tp code RFC4226:hotp
[ "$out" = "$(oathtool -c 5 -d 6 "$(hex 12345678901234567890)")" ] && ok "newer: HOTP code, saved" || fail "newer hotp: '$out' $err"
expect 0 "newer: reopens after the save" tp list RFC4226:hotp
[ "$out" = "RFC4226:hotp	hotp	SHA1	6	6" ] && ok "newer: counter 6 after the save" || fail "newer after save: $out"

# --- entries that today's checks reject -----------------------------------------------------
fixture v1-odd
expect 0 "vault with odd entries opens" tp list
[ "$(printf '%s\n' "$out" | wc -l)" = 8 ] && ok "odd: all 8 accounts listed" || fail "odd list: $out"
for w in "2 (Odd:digits11)" "3 (Odd:bad" "4 (Odd:type7)" "5 (Odd:algo9)" "6 (Odd:period0)" "7 (Odd:nosecret)"; do
	contains "$err" "account $w" "odd: account $w reported"
done
contains "$err" "text is not valid UTF-8" "odd: the reason is given"
[ "$(printf '%s\n' "$err" | grep -c 'is not valid here')" = 6 ] && ok "odd: exactly 6 accounts reported" || fail "odd report: $err"
run tp code --at 1111111109 Good:one
[ "$rc" -eq 0 ] && [ "$out" = 081804 ] && ok "odd: Good:one works" || fail "odd Good:one '$out' $err"
run tp code --at 1111111109 Good:two
[ "$out" = 68084774 ] && ok "odd: Good:two works" || fail "odd Good:two '$out'"
# With a cached key, code reads only the accounts it may match, but still
# names every odd one, numbered by its place in the vault (Good:one,
# account 1, is not read).
if command -v keyctl >/dev/null && keyctl show @u >/dev/null 2>&1; then
	want="$out|$err"
	TOTP_NO_KEYRING= tp unlock --timeout 60s >/dev/null 2>&1
	run env -u TOTP_NO_KEYRING setsid -w "$TOTP_BIN" --vault "$V" code --at 1111111109 Good:two </dev/null
	[ "$out|$err" = "$want" ] && ok "odd: cached code of Good:two answers and warns as the whole vault" ||
		fail "odd cached: '$out|$err', want '$want'"
	env -u TOTP_NO_KEYRING "$TOTP_BIN" --vault "$V" lock >/dev/null 2>&1
else
	echo "# skip: kernel keyring not available"
fi
expect 1 "odd: code of the 11-digit account fails" tp code --at 1111111109 Odd:digits11
contains "$err" "Odd:digits11: number of digits out of range" "odd: the failure names the account"
expect 1 "odd: code of the period-0 account fails cleanly" tp code --at 1111111109 Odd:period0
expect 1 "odd: code of the unknown type fails cleanly" tp code --at 1111111109 Odd:type7
expect 1 "odd: code of the unknown algorithm fails cleanly" tp code --at 1111111109 Odd:algo9
expect 1 "odd: all-codes view reports the odd ones" tp code --at 1111111109
contains "$out" "68084774" "odd: all-codes view still shows the good ones"
run tp list --json
before=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.dumps([e for e in json.load(sys.stdin) if e["issuer"]=="Odd"], sort_keys=True))' 2>&1)
expect 0 "odd: a change to another account saves" tp rm --force Good:one
run tp list --json
after=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.dumps([e for e in json.load(sys.stdin) if e["issuer"]=="Odd"], sort_keys=True))' 2>&1)
[ -n "$before" ] && [ "$before" = "$after" ] && ok "odd: the odd accounts are kept unchanged by the save" || fail "odd entries changed: $before / $after"
case $before in *digits11*period0*) ok "odd: json shows the odd accounts" ;; *) fail "odd json: $before" ;; esac
[ "$(printf '%s\n' "$err" | grep -c 'is not valid here')" = 6 ] && ok "odd: still 6 odd accounts after the save" || fail "odd after save: $err"

# --- rollback: an older copy put back ----------------------------------------------------
V=$T/rb/vault
printf 'rollback pass\n' >"$T/pass"
export XDG_STATE_HOME=$T/rbstate
ST=$XDG_STATE_HOME/totp
addacct() { tp add "$1" < <(echo JBSWY3DPEHPK3PXP); }
quiet=0 nq=0
# no_warning DESC CMD...: CMD succeeds and warns about no rollback.
no_warning() {
	local desc=$1; shift
	run "$@"
	nq=$((nq + 1))
	case $rc:$err in 0:*"rolled back"*) ;; 0:*) quiet=$((quiet + 1)); return ;; esac
	echo "#   $desc: exit $rc $err"
}
no_warning init tp init --kdf-memory 8K --kdf-ops 1
no_warning "add a" addacct a
cp "$V" "$T/gen2"
no_warning "add b" addacct b
no_warning list tp list
no_warning "code" tp code --at 1111111109 a
no_warning "rename" tp rename b c
no_warning "list again" tp list
[ "$quiet" = "$nq" ] && ok "normal use: no rollback warning ($quiet of $nq commands)" || fail "normal use warned ($quiet of $nq quiet)"
st=$(ls "$ST"/generation-* 2>/dev/null)
[ "$(printf '%s\n' "$st" | wc -l)" = 1 ] && [ "$(stat -c %a "$st")" = 600 ] && ok "one state file, mode 0600" || fail "state files: $st"
contains "$(cat "$st")" "generation 4" "state records the highest generation (4)"
cp "$V" "$T/gen4"
cp "$T/gen2" "$V"
expect 0 "an older copy still opens" tp list
contains "$err" "vault generation 2 is older than generation 4 seen on" "rollback warned with both generations"
contains "$err" "the file may have been rolled back (an old copy restored)" "rollback warning says what it means"
[ "$out" = "a	totp	SHA1	6	30" ] && ok "the old copy's accounts are shown" || fail "old copy list: $out"
run "$TOTP_BIN" --vault "$V" doctor
contains "$out" "WARNING  rollback   vault generation 2 is older than generation 4" "doctor reports the rollback"
expect 0 "still warned at the next open" tp code --at 1111111109 a
contains "$err" "rolled back" "warning repeats until a save"
expect 0 "a save of the restored copy" addacct d
no_warning "after the save" tp list
[ "$rc" = 0 ] && ! [[ $err == *"rolled back"* ]] && ok "warning stops once the restored vault is saved" || fail "still warned: $err"
contains "$(cat "$st")" "generation 3" "state follows the saved generation"
cp "$V.bak" "$V"
expect 0 "backup put back opens" tp list
contains "$err" "vault generation 2 is older than generation 3" "restoring vault.bak is detected too"
cp "$T/gen4" "$V"
run tp list
lacks "$err" "rolled back" "a newer generation is not a rollback"
run "$TOTP_BIN" --vault "$V" doctor
contains "$out" "ok       rollback   highest generation seen: 4" "doctor shows the highest generation"
rm -f "$V" "$V.bak"
quiet=0 nq=0
no_warning "init again at the same path" tp init --kdf-memory 8K --kdf-ops 1
no_warning "list the new vault" tp list
no_warning "add to the new vault" addacct e
[ "$quiet" = "$nq" ] && ok "a new vault (new salt, generation 1) is not a rollback" || fail "new vault warned"
# a second vault is tracked on its own
V2=$V
V=$T/rb2/vault
quiet=0 nq=0
no_warning "other vault init" tp init --kdf-memory 8K --kdf-ops 1
no_warning "other vault list" tp list
[ "$quiet" = "$nq" ] && [ "$(ls "$ST" | grep -c '^generation-')" = 2 ] && ok "each vault has its own record" || fail "records: $(ls "$ST")"
# state that cannot be written or read: commands work as before
V=$V2
printf 'not a directory\n' >"$T/afile"
quiet=0 nq=0
no_warning "state under a file" env XDG_STATE_HOME="$T/afile/state" "$TOTP_BIN" --vault "$V" --passphrase-fd 3 list 3<"$T/pass"
no_warning "save with the state under a file" env XDG_STATE_HOME="$T/afile/state" bash -c 'echo JBSWY3DPEHPK3PXP | "$0" --vault "$1" --passphrase-fd 3 add f 3<"$2"' "$TOTP_BIN" "$V" "$T/pass"
mkdir -p "$T/st2"
printf 'junk' >"$T/st2/totp"
no_warning "state dir is a file" env XDG_STATE_HOME="$T/st2" "$TOTP_BIN" --vault "$V" --passphrase-fd 3 list 3<"$T/pass"
for f in "$ST"/generation-*; do printf 'garbage\n\0\377' >"$f"; done
no_warning "garbled state" tp list
no_warning "garbled state, other vault" "$TOTP_BIN" --vault "$T/rb2/vault" --passphrase-fd 3 list 3<"$T/pass"
[ "$quiet" = "$nq" ] && ok "unwritable or garbled state: every command works, nothing warned ($nq)" || fail "state errors broke a command"
contains "$(cat "$ST"/generation-* 2>/dev/null)" "totp-rollback-state 1" "a garbled record is replaced"
if [ "$(id -u)" != 0 ]; then
	chmod 500 "$ST"
	no_warning "read-only state dir" tp list
	chmod 700 "$ST"
fi
