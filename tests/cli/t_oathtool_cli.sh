# t_oathtool_cli.sh - the whole program against oathtool: random accounts
# imported as otpauth URIs, every TOTP code at random times from 1970 to
# 2100 and HOTP codes at their stored counters equal oathtool's.
# TOTP_TEST_SEED replays a run.
. "$(dirname "$0")/lib.sh"

seed=${TOTP_TEST_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "# seed $seed (TOTP_TEST_SEED=$seed replays this run)"
V=$T/vault
printf 'differential\n' >"$T/pass"
tp() { "$TOTP_BIN" --vault "$V" --passphrase-fd 3 "$@" 3<"$T/pass"; }

# One account per line: label, type, algorithm, digits, period or counter,
# base32 secret, hex secret; and the otpauth URIs to import.
python3 - "$seed" "$T/accounts" "$T/uris" <<'EOF'
import base64, random, sys
rnd = random.Random(int(sys.argv[1]))
with open(sys.argv[2], "w") as acc, open(sys.argv[3], "w") as uris:
    for i in range(60):
        secret = bytes(rnd.randrange(256) for _ in range(rnd.randint(10, 64)))
        b32 = base64.b32encode(secret).decode().rstrip("=")
        algo = rnd.choice(["SHA1", "SHA256", "SHA512"])
        digits = rnd.choice([6, 7, 8])
        label = "Iss%d:acct%d" % (i, i)
        if i % 5 == 4:
            counter = rnd.choice([0, 1, rnd.randrange(1 << 20), rnd.randrange(1 << 40)])
            uris.write("otpauth://hotp/%s?secret=%s&algorithm=%s&digits=%d&counter=%d\n"
                       % (label, b32, algo, digits, counter))
            acc.write("%s hotp %s %d %d %s %s\n" % (label, algo, digits, counter, b32, secret.hex()))
        else:
            period = rnd.randint(15, 120)
            uris.write("otpauth://totp/%s?secret=%s&algorithm=%s&digits=%d&period=%d\n"
                       % (label, b32, algo, digits, period))
            acc.write("%s totp %s %d %d %s %s\n" % (label, algo, digits, period, b32, secret.hex()))
EOF
[ -s "$T/uris" ] && ok "random accounts generated" || fail "python3 generated nothing"

expect 0 "init" tp init --kdf-memory 8K --kdf-ops 1
expect 0 "import 60 random accounts" tp import "$T/uris"

oath_algo() { case $1 in SHA1) echo sha1 ;; SHA256) echo sha256 ;; SHA512) echo sha512 ;; esac; }

# TOTP: every account at five random times, one `totp code --json` per time.
times=$(python3 -c "import random; r=random.Random($seed+1); print(' '.join(str(r.randrange(0, 4102444800)) for _ in range(5)))")
checked=0 bad=0
for t in $times; do
	tp code --json --at "$t" >"$T/codes.json" 2>/dev/null || { fail "code --json --at $t"; continue; }
	python3 -c '
import json, sys
for a in json.load(open(sys.argv[1])):
    if a["type"] == "totp":
        print("%s:%s %s" % (a["issuer"], a["account"], a["code"]))' "$T/codes.json" >"$T/ours"
	while read -r label type algo digits period b32 hex; do
		[ "$type" = totp ] || continue
		want=$(oathtool --totp="$(oath_algo "$algo")" --digits="$digits" --time-step-size="${period}s" \
			--now="@$t" "$hex")
		got=$(awk -v l="$label" '$1 == l { print $2 }' "$T/ours")
		checked=$((checked + 1))
		if [ "$got" != "$want" ]; then
			bad=$((bad + 1))
			echo "# $label at $t: totp $got, oathtool $want"
		fi
	done <"$T/accounts"
done
[ "$checked" -ge 200 ] && [ "$bad" -eq 0 ] && ok "TOTP codes equal oathtool's ($checked cases)" ||
	fail "TOTP codes: $bad of $checked differ from oathtool"

# HOTP: the stored counter gives the next code, then counter + 1.
checked=0 bad=0
while read -r label type algo digits counter b32 hex; do
	[ "$type" = hotp ] || continue
	for k in 0 1; do
		got=$(tp code "$label" 2>/dev/null)
		want=$(oathtool --hotp --digits="$digits" --counter=$((counter + k)) "$hex")
		[ "$algo" = SHA1 ] || want=$(python3 -c '
import hmac, hashlib, sys
key = bytes.fromhex(sys.argv[1]); c = int(sys.argv[2]); d = int(sys.argv[3])
h = hmac.new(key, c.to_bytes(8, "big"), getattr(hashlib, sys.argv[4].lower())).digest()
o = h[-1] & 15
print(str((int.from_bytes(h[o:o + 4], "big") & 0x7fffffff) % 10 ** d).zfill(d))' \
			"$hex" $((counter + k)) "$digits" "$algo")
		checked=$((checked + 1))
		if [ "$got" != "$want" ]; then
			bad=$((bad + 1))
			echo "# $label counter $((counter + k)): totp $got, reference $want"
		fi
	done
done <"$T/accounts"
[ "$checked" -ge 20 ] && [ "$bad" -eq 0 ] && ok "HOTP codes equal the reference ($checked cases)" ||
	fail "HOTP codes: $bad of $checked differ"
