# t_node_otpauth.sh - differential test against the otpauth npm package:
# random accounts (SHA1/256/512, 6-8 digits, many periods, HOTP counters,
# labels that need escaping) written as URIs by otpauth and imported; totp's
# codes at random and edge times equal otpauth's; otpauth parses the URIs
# 'totp show' prints back to the same accounts.  Needs node and
# tests/node/node_modules (scripts/node-deps.sh); fails without them unless
# TOTP_SKIP_NODE=1.  TOTP_NODE_SEED replays a run.
. "$(dirname "$0")/lib.sh"

top=${TOTP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
js=$top/tests/node/otpauth-diff.js
if [ "${TOTP_SKIP_NODE:-0}" = 1 ]; then
	ok "# SKIP TOTP_SKIP_NODE=1"
	exit 0
fi
if ! command -v node >/dev/null; then
	fail "node is not installed (apt-get install nodejs; or TOTP_SKIP_NODE=1)"
	exit 1
fi
if [ ! -f "$top/tests/node/node_modules/otpauth/package.json" ]; then
	fail "the otpauth package is missing: run scripts/node-deps.sh (or TOTP_SKIP_NODE=1)"
	exit 1
fi
echo "# otpauth $(node -p "require('$top/tests/node/node_modules/otpauth/package.json').version")"

seed=${TOTP_NODE_SEED:-$(( $(date +%s) % 1000000 ))}
echo "# seed $seed (TOTP_NODE_SEED=$seed replays this run)"
V=$T/vault
printf 'pw\n' >"$T/pass"
tp() { "$TOTP_BIN" --vault "$V" --passphrase-fd 3 "$@" 3<"$T/pass"; }
tp init --kdf-memory 8K --kdf-ops 1 >/dev/null 2>&1

node "$js" gen "$seed" 40 >"$T/accounts" || fail "generate accounts"
node "$js" uris "$T/accounts" >"$T/uris" || fail "otpauth writes URIs"
expect 0 "import otpauth's URIs" tp import "$T/uris"
run tp list
n=$(printf '%s\n' "$out" | grep -c .)
[ "$n" -eq 40 ] && ok "40 accounts imported" || fail "$n accounts imported"

# TOTP: every account at each test time, in one 'code --json' per time.
mkdir -p "$T/codes"
for t in $(node "$js" times "$seed" 16); do
	tp code --json --at "$t" >"$T/codes/$t.json" 2>"$T/codes.err" ||
		fail "code --json --at $t: $(cat "$T/codes.err")"
done
node "$js" codes "$T/accounts" "$T/codes"

# HOTP: three codes in a row from the stored counter (each call saves
# counter+1), then otpauth parses what 'totp show' prints (HOTP counters
# moved by 3).
node "$js" labels "$T/accounts" >"$T/labels"
grep -q '^hotp' "$T/labels" && ok "some HOTP accounts ($(grep -c '^hotp' "$T/labels"))" ||
	fail "no HOTP account generated"
: >"$T/hotp"
: >"$T/shown"
while IFS=$'\t' read -r type label; do
	if [ "$type" = hotp ]; then
		line=$label
		for _ in 1 2 3; do line=$line$'\t'$(tp code "$label" 2>/dev/null); done
		printf '%s\n' "$line" >>"$T/hotp"
	fi
	uri=$(tp show "$label" 2>"$T/show.err")
	[ -n "$uri" ] || fail "show $label: $(cat "$T/show.err")"
	printf '%s\t%s\t%s\n' "$label" "$([ "$type" = hotp ] && echo 3 || echo 0)" "$uri" >>"$T/shown"
done <"$T/labels"
node "$js" hotp "$T/accounts" "$T/hotp"
node "$js" show "$T/accounts" "$T/shown"
