# t_cli.sh - the everyday commands against the built binary: results, exit
# statuses, and the vault left byte-identical after every failure.
. "$(dirname "$0")/lib.sh"

V=$T/v/vault
printf 'correct horse\n' >"$T/pass"
printf 'wrong horse\n' >"$T/bad"
tp() { "$TOTP_BIN" --vault "$V" --passphrase-fd 3 "$@" 3<"$T/pass"; }
tpbad() { "$TOTP_BIN" --vault "$V" --passphrase-fd 3 "$@" 3<"$T/bad"; }
snap() { cp "$V" "$T/snap"; }
unchanged() { same_file "$V" "$T/snap" "$1: vault byte-identical"; }

# --- usage -----------------------------------------------------------------
expect 2 "no command is a usage error" "$TOTP_BIN"
expect 2 "unknown command" "$TOTP_BIN" frobnicate
expect 0 "help" "$TOTP_BIN" help
contains "$out" "verify" "help lists commands"
expect 0 "help code" "$TOTP_BIN" help code
contains "$out" "usage: totp" "help code prints usage on stdout"
expect 0 "code --help" "$TOTP_BIN" code --help
expect 0 "--version" "$TOTP_BIN" --version
contains "$out" "totp 0." "--version prints the version"
expect 2 "--passphrase-fd twice" "$TOTP_BIN" --passphrase-fd 3 --passphrase-fd 3 list
expect 2 "bad --passphrase-fd" "$TOTP_BIN" --passphrase-fd x list
expect 2 "unknown option of a command" "$TOTP_BIN" --vault "$V" list --bogus
expect 1 "list without a vault" tp list
contains "$err" "totp init" "missing vault suggests init"

# --- init ------------------------------------------------------------------
run bash -c "umask 000; \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 init --kdf-memory 8K --kdf-ops 1 3<\"$T/pass\""
[ "$rc" -eq 0 ] && ok "init" || fail "init: $err"
contains "$err" "below the recommended" "init warns about weak KDF memory"
[ "$(stat -c %a "$V")" = 600 ] && ok "vault is 0600 under umask 000" || fail "vault mode $(stat -c %a "$V")"
[ "$(stat -c %a "$T/v")" = 700 ] && ok "vault directory is 0700" || fail "dir mode $(stat -c %a "$T/v")"
snap
expect 1 "init refuses to overwrite" tp init --kdf-memory 8K --kdf-ops 1
unchanged "init over a vault"
expect 2 "init with a bad size" tp init --kdf-memory 12Q
expect 1 "init with an empty passphrase" bash -c "\"$TOTP_BIN\" --vault \"$T/empty/vault\" --passphrase-fd 0 init --kdf-memory 8K --kdf-ops 1 </dev/null"
[ ! -e "$T/empty/vault" ] && ok "no vault created for an empty passphrase" || fail "vault created with empty passphrase"
expect 0 "empty vault lists nothing" tp list
[ -z "$out" ] && ok "list of empty vault prints nothing when not a terminal" || fail "list printed: $out"

# --- add and code ------------------------------------------------------------
expect 0 "add from stdin" bash -c "echo 'jbsw y3dp-ehpk3pxp' | \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 add Example:alice@google.com 3<\"$T/pass\""
expect 0 "code at 2009-11-10T23:00:00Z" tp code --at 2009-11-10T23:00:00Z alice
[ "$out" = 528064 ] && ok "code prints only the code" || fail "code printed '$out'"
expect 0 "code --at unix seconds" tp code --at 1257894000 example:alice@google.com
[ "$out" = 528064 ] && ok "exact label match" || fail "got '$out'"
snap
expect 1 "add a duplicate label" bash -c "echo JBSWY3DPEHPK3PXQ | \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 add Example:alice@google.com 3<\"$T/pass\""
unchanged "duplicate add"
expect 1 "add with a bad secret" bash -c "echo 'JBSWY3DP!' | \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 add Other:bob 3<\"$T/pass\""
contains "$err" "invalid character" "bad secret is named"
unchanged "bad secret"
expect 2 "add --digits 11" bash -c "echo JBSWY3DPEHPK3PXP | \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 add --digits 11 x 3<\"$T/pass\""
expect 2 "add --hotp --steam" bash -c "echo JBSWY3DPEHPK3PXP | \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 add --hotp --steam x 3<\"$T/pass\""
unchanged "usage errors"
expect 1 "wrong passphrase" tpbad code alice
contains "$err" "wrong passphrase or damaged vault" "wrong passphrase message"
unchanged "wrong passphrase"
expect 0 "add sha256 8 digits 60 s" bash -c "echo GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA | \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 add --issuer RFC --algorithm SHA256 --digits 8 --period 30 sha256 3<\"$T/pass\""
expect 0 "RFC 6238 SHA256 at 1111111109" tp code --at 1111111109 RFC:sha256
[ "$out" = 68084774 ] && ok "RFC 6238 SHA256 vector through the CLI" || fail "got '$out'"
expect 0 "add steam" bash -c "echo JRZCL47CMXVOQMNPZR2F7J4RGI | \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 add --steam Boeing:Sophia 3<\"$T/pass\""
expect 0 "steam code" tp code --at 1700000000 Sophia
[ "$out" = 747JR ] && ok "Steam code through the CLI" || fail "got '$out'"

# --- HOTP: counter saved before the code is shown ------------------------------
expect 0 "add hotp" bash -c "echo GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ | \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 add --hotp RFC4226:hotp 3<\"$T/pass\""
codes=""
for i in 0 1 2; do run tp code hotp; codes="$codes $out"; done
[ "$codes" = " 755224 287082 359152" ] && ok "HOTP codes follow RFC 4226 counters 0,1,2" || fail "HOTP codes:$codes"
expect 0 "list shows the counter" tp list hotp
[ "$out" = "RFC4226:hotp	hotp	SHA1	6	3" ] && ok "list line for hotp" || fail "list: '$out'"
run tp code --at 1700000000
contains "$out" "hotp:" "all-codes view does not advance HOTP"
run tp list hotp
contains "$out" "	3" "counter unchanged by the all-codes view"

# --- verify --------------------------------------------------------------------
expect 0 "verify TOTP current step" tp verify --at 1257894000 alice 528064
[ "$out" = 0 ] && ok "verify prints offset 0" || fail "offset '$out'"
expect 0 "verify TOTP one step late" tp verify --at 1257894030 alice 528064
[ "$out" = -1 ] && ok "verify prints offset -1" || fail "offset '$out'"
expect 1 "verify TOTP outside the window" tp verify --at 1257894090 alice 528064
expect 1 "verify wrong code" tp verify --at 1257894000 alice 000000
# counter is 3; the code of counter 7 resynchronises to 8
expect 0 "verify HOTP look-ahead" tp verify hotp 162583
[ "$out" = 4 ] && ok "HOTP offset 4" || fail "offset '$out'"
run tp code hotp
[ "$out" = 399871 ] && ok "HOTP resynchronised to counter 8" || fail "after resync '$out'"

# --- list, json, patterns ----------------------------------------------------------
expect 0 "list" tp list
[ "$(printf '%s\n' "$out" | wc -l)" = 4 ] && ok "list shows 4 accounts" || fail "list: $out"
contains "$out" "Example:alice@google.com	totp	SHA1	6	30" "list line format"
expect 0 "list --json" tp list --json
if printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d)==4 and d[0]["issuer"]=="Example" and d[0]["account"]=="alice@google.com" and d[0]["period"]==30'; then ok "list --json parses"; else fail "list --json: $out"; fi
expect 0 "code --json" tp code --json --at 1257894000 alice
if printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[0]["code"]=="528064" and d[0]["seconds_left"]==30'; then ok "code --json parses"; else fail "code --json: $out"; fi
expect 0 "all codes" tp code --at 1257894000
contains "$out" "528064" "all codes include alice"
snap
expect 1 "ambiguous pattern" tp code R
contains "$err" "matches" "ambiguous pattern lists matches"
contains "$err" "RFC:sha256" "ambiguous pattern names candidates"
expect 1 "no match" tp code nosuchaccount
unchanged "pattern errors"

# --- show, rename, rm ----------------------------------------------------------------
expect 0 "show" tp show alice
[ "$out" = "otpauth://totp/Example:alice%40google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA1&digits=6&period=30" ] && ok "show prints the URI" || contains "$out" "secret=JBSWY3DPEHPK3PXP" "show prints the URI with the secret"
expect 0 "rename" tp rename alice Example:alice2
expect 0 "renamed account has the same code" tp code --at 1257894000 alice2
[ "$out" = 528064 ] && ok "rename keeps the secret" || fail "got '$out'"
snap
expect 1 "rename onto an existing label" tp rename alice2 RFC:sha256
unchanged "rename clash"
expect 1 "rm without --force and without a terminal" setsid -w "$TOTP_BIN" --vault "$V" --passphrase-fd 3 rm alice2 3<"$T/pass"
unchanged "rm not confirmed"
expect 0 "rm --force" tp rm --force alice2
expect 1 "removed account is gone" tp code alice2

# --- import --------------------------------------------------------------------------
cat >"$T/aegis.txt" <<'EOF'
# Aegis test vectors
otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno&algorithm=SHA1&digits=6&period=30

otpauth://totp/SPDX:James?secret=5OM4WOOGPLQEF6UGN3CPEOOLWU&issuer=SPDX&algorithm=SHA256&digits=7&period=20
otpauth://totp/Airbnb:Elijah?secret=7ELGJSGXNCCTV3O6LKJWYFV2RA&issuer=Airbnb&algorithm=SHA512&digits=8&period=50
otpauth://hotp/Issuu:James?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&issuer=Issuu&algorithm=SHA1&digits=6&counter=1
otpauth://hotp/Air%20Canada:Benjamin?secret=KUVJJOM753IHTNDSZVCNKL7GII&issuer=Air+Canada&algorithm=SHA256&digits=7&counter=50
otpauth://hotp/WWE:Mason?secret=5VAML3X35THCEBVRLV24CGBKOY&issuer=WWE&algorithm=SHA512&digits=8&counter=10300
otpauth://steam/Boeing:Sophia?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&issuer=Boeing&algorithm=SHA1&digits=5&period=30
EOF
expect 0 "import --dry-run without a vault" "$TOTP_BIN" --vault "$T/none/vault" import --dry-run "$T/aegis.txt"
[ "$(printf '%s\n' "$out" | grep -c '^  ')" = 7 ] && ok "dry run lists 7 accounts" || fail "dry run: $out"
lacks "$out$err" "4SJHB4GSD43FZBAI7C2HLRJGPQ" "dry run shows no secret"
[ ! -e "$T/none" ] && ok "dry run creates no vault" || fail "dry run touched the filesystem"
expect 0 "import the Aegis URIs" tp import "$T/aegis.txt"
# Boeing:Sophia was added by hand with the same secret: skipped as a duplicate
contains "$err" "imported 6, skipped 1 (1 duplicate, 0 unusable)" "import summary counts duplicates"
for row in "Deno:Mason 790195" "SPDX:James 9993814" "Airbnb:Elijah 65516786"; do
	set -- $row
	run tp code --at 1700000000 "$1"
	[ "$out" = "$2" ] && ok "imported $1 code" || fail "imported $1: got '$out' want $2"
done
run tp code "Issuu:James"; [ "$out" = 253717 ] && ok "imported Issuu hotp code" || fail "Issuu: $out"
run tp code "Air Canada:Benjamin"; [ "$out" = 4444976 ] && ok "imported Air Canada hotp code" || fail "Air Canada: $out"
run tp code "WWE:Mason"; [ "$out" = 24622277 ] && ok "imported WWE hotp code" || fail "WWE: $out"
snap
expect 0 "importing the same file again" tp import "$T/aegis.txt"
contains "$err" "imported 0, skipped 7 (7 duplicates, 0 unusable)" "re-import skips duplicates"
unchanged "re-import of duplicates"
printf 'otpauth://totp/Clash:me?secret=JBSWY3DPEHPK3PXP\n' >"$T/c1.txt"
printf 'otpauth://totp/Clash:me?secret=JBSWY3DPEHPK3PXQ\n' >"$T/c2.txt"
expect 0 "import clash 1" tp import "$T/c1.txt"
expect 0 "import clash 2" tp import "$T/c2.txt"
contains "$err" "imported as Clash:me (2)" "same label, other secret gets a distinct label"
expect 0 "clashing account kept" tp code --at 1700000000 "Clash:me (2)"
[ "$out" = 822412 ] && ok "clash kept its own secret" || fail "clash code $out"

cat >"$T/bad.txt" <<'EOF'
otpauth://totp/Good:one?secret=JBSWY3DPEHPK3PXR
otpauth://totp/Bad:digits?secret=CANARYCANARYCANARY22&digits=12
not a uri at all
EOF
snap
expect 1 "import with bad lines" tp import "$T/bad.txt"
contains "$err" "line 2 (Bad:digits)" "bad line is named by number and label"
contains "$err" "line 3" "second bad line is named"
contains "$err" "nothing imported" "all or nothing"
lacks "$err" "CANARYCANARY" "error does not echo the secret"
unchanged "rejected import"
expect 0 "import --partial" tp import --partial "$T/bad.txt"
contains "$err" "imported 1, skipped 2" "partial imports the good line"
expect 0 "partially imported account works" tp code --at 1700000000 Good:one
[ "$out" = 699457 ] && ok "partial import code" || fail "partial code $out"
expect 0 "import from stdin" bash -c "printf 'otpauth://totp/Stdin:x?secret=7KSQL2JTUDIS5EF65KLMRQIIGY\n' | \"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 import - 3<\"$T/pass\""
run tp code --at 1700000000 Stdin:x; [ "$out" = 056725 ] && ok "stdin import code" || fail "stdin code $out"
expect 1 "import a missing file" tp import "$T/nonexistent"
contains "$err" "nonexistent" "missing file is named"

# --- passwd ------------------------------------------------------------------------------
printf 'new horse\n' >"$T/new"
expect 0 "passwd" bash -c "\"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 passwd --new-passphrase-fd 4 --kdf-memory 16K --kdf-ops 2 3<\"$T/pass\" 4<\"$T/new\""
expect 1 "old passphrase no longer works" tp list
expect 0 "new passphrase works" bash -c "\"$TOTP_BIN\" --vault \"$V\" --passphrase-fd 3 code --at 1700000000 Deno 3<\"$T/new\""
[ "$out" = 790195 ] && ok "codes survive passwd" || fail "after passwd '$out'"
cp "$T/new" "$T/pass"
[ -f "$V.bak" ] && ok "a backup of the previous vault exists" || fail "no $V.bak"
[ "$(stat -c %a "$V.bak")" = 600 ] && ok "backup is 0600" || fail "backup mode $(stat -c %a "$V.bak")"

# --- tampering ---------------------------------------------------------------------------
snap
size=$(stat -c %s "$V")
bad=0 total=0
for ((i = 0; i < size; i++)); do
	cp "$T/snap" "$T/flip"
	printf "$(printf '\\%03o' $(( $(od -An -tu1 -j$i -N1 "$T/snap") ^ (1 << (i % 8)) )))" |
		dd of="$T/flip" bs=1 seek=$i conv=notrunc status=none
	total=$((total + 1))
	# The bare binary even under make valgrind: hundreds of runs, and the
	# library's own test covers every bit of the file under the sanitizers.
	"$TOTP_BIN_REAL" --vault "$T/flip" --passphrase-fd 3 list 3<"$T/pass" >/dev/null 2>&1
	r=$?
	[ "$r" -eq 1 ] || bad=$((bad + 1))
done
[ "$bad" -eq 0 ] && ok "every byte's bit flip rejected ($total of $total)" || fail "$bad of $total bit flips not rejected"
bad=0
for n in 0 1 8 71 72 87 88 $((size - 1)); do
	head -c "$n" "$T/snap" >"$T/trunc"
	"$TOTP_BIN" --vault "$T/trunc" --passphrase-fd 3 list 3<"$T/pass" >/dev/null 2>&1 && bad=$((bad + 1))
done
[ "$bad" -eq 0 ] && ok "truncations rejected" || fail "$bad truncations accepted"
{ cat "$T/snap"; printf 'x'; } >"$T/long"
expect 1 "appended byte rejected" "$TOTP_BIN" --vault "$T/long" --passphrase-fd 3 list 3<"$T/pass"
unchanged "tampering tests"

# --- concurrency -------------------------------------------------------------------------
pids=""
for i in $(seq 1 8); do
	printf 'otpauth://totp/Par:acct%d?secret=JBSWY3DPEHPK3P%s\n' "$i" "$(printf '%s' ABCDEFGH | cut -c$i)A" >"$T/par$i.txt"
	"$TOTP_BIN" --vault "$V" --passphrase-fd 3 import "$T/par$i.txt" 3<"$T/pass" >/dev/null 2>"$T/par$i.err" &
	pids="$pids $!"
done
failed=0
for p in $pids; do wait "$p" || failed=$((failed + 1)); done
[ "$failed" -eq 0 ] && ok "8 parallel imports succeed" || fail "$failed parallel imports failed: $(cat "$T"/par*.err)"
run tp list Par:
[ "$(printf '%s\n' "$out" | grep -c '^Par:acct')" = 8 ] && ok "no parallel import lost" || fail "after parallel imports: $out"

# --- keyring unlock ----------------------------------------------------------------------
if command -v keyctl >/dev/null && keyctl show @u >/dev/null 2>&1; then
	unset TOTP_NO_KEYRING
	expect 0 "unlock" tp unlock --timeout 60s
	expect 0 "code with the cached key and no passphrase" setsid -w "$TOTP_BIN" --vault "$V" code --at 1700000000 Deno </dev/null
	[ "$out" = 790195 ] && ok "cached unlock gives the code" || fail "cached code '$out'"
	# With a cached key, code PATTERN reads only the accounts the pattern may
	# match; it must answer exactly as the whole vault does (the passphrase path).
	first=$(tp list | head -1 | cut -f1)
	for pat in Deno "$first" "${first#*:}" a E zzz-none : ''; do
		run tp code --at 1700000000 "$pat"
		want="$rc|$out|$err"
		run setsid -w "$TOTP_BIN" --vault "$V" code --at 1700000000 "$pat" </dev/null
		[ "$rc|$out|$err" = "$want" ] && ok "cached code '$pat' answers as the whole vault" ||
			fail "cached code '$pat': '$rc|$out|$err', whole vault: '$want'"
	done
	# An HOTP account found that way: the vault is reopened whole, under the lock.
	c=$(tp list RFC4226:hotp | cut -f5)
	run setsid -w "$TOTP_BIN" --vault "$V" code RFC4226:hotp </dev/null
	[ "$rc" = 0 ] && [ "$out" = "$(oathtool -c "$c" -d 6 3132333435363738393031323334353637383930)" ] &&
		ok "cached HOTP code is the one for counter $c" || fail "cached HOTP: $rc '$out' $err"
	[ "$(tp list RFC4226:hotp | cut -f5)" = $((c + 1)) ] && ok "and its advanced counter is saved" ||
		fail "counter after a cached HOTP code: $(tp list RFC4226:hotp)"
	echo JBSWY3DPEHPK3PXP | setsid -w "$TOTP_BIN" --vault "$V" add Cached:add >/dev/null 2>&1
	expect 0 "cached key survives a save" setsid -w "$TOTP_BIN" --vault "$V" code --at 1257894000 Cached:add </dev/null
	expect 0 "lock" tp lock
	expect 1 "after lock a passphrase is needed" setsid -w "$TOTP_BIN" --vault "$V" code Deno </dev/null
	contains "$err" "passphrase" "asks for a passphrase after lock"
	export TOTP_NO_KEYRING=1
else
	echo "# skip: kernel keyring not available"
fi

# --- first use on a fresh account --------------------------------------------
run env XDG_DATA_HOME="$T/fresh/data" "$TOTP_BIN" --passphrase-fd 3 init --kdf-memory 8K --kdf-ops 1 3<"$T/pass"
[ "$rc" -eq 0 ] && [ -f "$T/fresh/data/totp/vault" ] && ok "init creates the missing directories of the default path" ||
	fail "init on a fresh account: $err"
[ "$(stat -c %a "$T/fresh/data")" = 700 ] && ok "created ancestors are 0700" || fail "mode $(stat -c %a "$T/fresh/data")"
