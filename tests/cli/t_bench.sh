# t_bench.sh - what make bench's verdicts rest on, checked fast: the vaults
# bench/mkvault builds hold exactly the accounts gen.py wrote (codes equal
# oathtool's), kdftime reads a vault's Argon2id parameters, the generated
# images carry their payloads, and bench.py's medians, ratios, verdicts and
# growth exponents are right on known samples.  No timing is judged here.
. "$(dirname "$0")/lib.sh"

MK=$TOTP_BUILD/bench/mkvault
KT=$TOTP_BUILD/bench/kdftime
PY=/usr/bin/python3  # the interpreter bench/run.sh uses, with Debian's python3-pil
[ -x "$PY" ] || PY=python3
B() { "$PY" "$TOTP_TOP/bench/bench.py" "$@"; }
G() { "$PY" "$TOTP_TOP/bench/gen.py" "$@"; }
printf 'benchmark passphrase\n' >"$T/pw"
tp() { "$TOTP_BIN" --vault "$T/v" --passphrase-fd 3 "$@" 3<"$T/pw"; }

# --- gen.py uris and mkvault ---
G uris 40 "$T/uris"
G uris 40 "$T/uris2"
check "gen.py uris: 40 distinct lines" test "$(sort -u "$T/uris" | wc -l)" -eq 40
same_file "$T/uris" "$T/uris2" "gen.py uris: the same list every time"
expect 0 "mkvault builds a vault from the list" "$MK" "$T/v" "$T/uris"
run tp list --json
n=$(printf '%s' "$out" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))' 2>/dev/null)
check "the vault holds the 40 accounts (got ${n:-none})" test "${n:-0}" -eq 40

# Every account's code at one time equals oathtool's for the secret in its URI.
t=1700000000
tp code --json --at "$t" >"$T/codes.json" 2>"$T/err" || fail "code --json --at $t: $(cat "$T/err")"
bad=$(python3 - "$T/uris" "$T/codes.json" "$t" <<'EOF'
import json, subprocess, sys, urllib.parse
codes = {(a["issuer"], a["account"]): a["code"] for a in json.load(open(sys.argv[2]))}
bad = 0
for line in open(sys.argv[1]):
    u = urllib.parse.urlsplit(line.strip())
    issuer, account = urllib.parse.unquote(u.path[1:]).split(":", 1)
    secret = urllib.parse.parse_qs(u.query)["secret"][0]
    want = subprocess.run(["oathtool", "--totp", "-b", "--now=@" + sys.argv[3], secret],
                          capture_output=True, text=True, check=True).stdout.strip()
    if codes.get((issuer, account)) != want:
        bad += 1
        print("# %s:%s: totp %s, oathtool %s" % (issuer, account, codes.get((issuer, account)), want),
              file=sys.stderr)
print(bad)
EOF
)
check "mkvault's accounts give oathtool's codes (mismatches: ${bad:-?})" test "${bad:-1}" -eq 0

printf 'otpauth://totp/ok?secret=JBSWY3DPEHPK3PXP\nnot a uri\n' >"$T/baduris"
expect 1 "mkvault: a bad line fails" "$MK" "$T/v2" "$T/baduris"
contains "$err" "baduris:2" "mkvault: the error names the file and line"
expect 2 "mkvault: usage error without arguments" "$MK"

# --- kdftime ---
expect 0 "kdftime -p reads the vault's KDF parameters" "$KT" -p "$T/v"
check "kdftime -p: mkvault's 1 pass, 8 KiB (got '$out')" test "$out" = "1 8192"
expect 0 "kdftime derives once" "$KT" "$T/v"
check "kdftime prints nothing when deriving" test -z "$out"
printf 'not a vault' >"$T/notvault"
run "$KT" -p "$T/notvault"
check "kdftime: a file that is not a vault fails (exit $rc)" test "$rc" -ne 0
run "$KT" -p "$T/missing"
check "kdftime: a missing file fails (exit $rc)" test "$rc" -ne 0

# --- generated images carry their payloads ---
if "$PY" -c 'import PIL' 2>/dev/null; then
	uri=$(sed -n 3p "$T/uris")
	G screenshot "$uri" "$T/shot.png"
	run zbarimg -q --raw -Sdisable -Sqrcode.enable "$T/shot.png"
	check "gen.py screenshot: zbarimg reads the URI back" test "$out" = "$uri"
	G migration 20 "$T/mig"
	G qrimage "$(cat "$T/mig")" "$T/mig.png"
	run zbarimg -q --raw -Sdisable -Sqrcode.enable "$T/mig.png"
	check "gen.py qrimage: the migration payload reads back" test "$out" = "$(cat "$T/mig")"
	run tp import --dry-run "$T/mig.png"
	check "gen.py migration: totp finds its 20 distinct accounts (exit $rc)" \
		test "$rc" -eq 0 -a "$(printf '%s\n' "$out" | grep -o 'Service[0-9]*:user[0-9]*' | sort -u | wc -l)" -eq 20
else
	fail "python3-pil is missing (Debian: python3-pil), gen.py cannot draw"
fi

# --- bench.py median: pooled over files, CPU time weighted by runs ---
cat >"$T/a.json" <<'EOF'
{"results": [{"command": "totp", "times": [0.001, 0.002, 0.003], "user": 0.001, "system": 0.0005},
             {"command": "ref", "times": [0.010, 0.020, 0.030], "user": 0.010, "system": 0.0}]}
EOF
cat >"$T/b.json" <<'EOF'
{"results": [{"command": "ref", "times": [0.040, 0.050], "user": 0.020, "system": 0.0},
             {"command": "totp", "times": [0.004, 0.005], "user": 0.002, "system": 0.0}]}
EOF
B median x "$T/a.json" "$T/b.json" >"$T/med"
check "median: totp's 5 pooled samples, median 3 ms, CPU 1.7 ms" \
	grep -qx "$(printf 'x\ttotp\t0.003000\t5\t0.001700')" "$T/med"
check "median: ref's 5 pooled samples, median 30 ms, CPU 14 ms" \
	grep -qx "$(printf 'x\tref\t0.030000\t5\t0.014000')" "$T/med"

# --- bench.py cmp: ratio, per account, plus, memory; verdicts at the limit ---
cmp_row() { B cmp "$@" | cut -f4,6; }
check "ratio: 0.10x within a 0.1 limit is PASS" \
	test "$(cmp_row ratio w "$T/med" x 0.1 t oathtool)" = "$(printf '0.10x (CPU 0.12x)\tPASS')"
check "ratio: 0.10x over a 0.09 limit is MISS" \
	test "$(cmp_row ratio w "$T/med" x 0.09 t oathtool | cut -f2)" = MISS
check "per: 3 ms over 10 accounts against 30 ms is 0.01x, PASS" \
	test "$(cmp_row per w "$T/med" x 10 1 t qrencode)" = "$(printf '0.01x (CPU 0.01x)\tPASS')"
check "median: paired differences, run i against ref's run i in each file" \
	grep -qx "$(printf 'x\ttotp-ref\t-0.027000\t5\t-0.013250')" "$T/med"
check "plus: 27 ms faster than the reference is within +5 ms" \
	test "$(cmp_row plus w "$T/med" x 5 t kdf | cut -f2)" = PASS
for f in a b; do
	sed 's/"totp"/"swap"/; s/"ref"/"totp"/; s/"swap"/"ref"/' "$T/$f.json" >"$T/${f}2.json"
done
B median y "$T/a2.json" "$T/b2.json" >"$T/med2"
check "plus: 27 ms slower is over +5 ms, MISS" \
	test "$(cmp_row plus w "$T/med2" y 5 t kdf | awk -F'\t' '{ print substr($1, 1, 9) $2 }')" = \
	'+27.0 ms MISS'
# Paired differences decide, not the difference of the medians: two runs
# of totp caught in slow spells put its median 279 ms above ref's, but
# three pairs in five differ by 1 ms.
cat >"$T/p.json" <<'EOF'
{"results": [{"command": "totp", "times": [0.101, 0.111, 0.400, 0.500, 0.601], "user": 0.2, "system": 0.0},
             {"command": "ref", "times": [0.100, 0.110, 0.121, 0.131, 0.600], "user": 0.2, "system": 0.0}]}
EOF
B median p "$T/p.json" >"$T/medp"
check "plus: judged on the paired differences (+1 ms), not the medians (400 and 121 ms)" \
	test "$(cmp_row plus w "$T/medp" p 5 t kdf)" = \
	"$(printf '+1.0 ms (3.306x; CPU +0.0 ms)\tPASS')"
# An A/A row: the reference timed against itself bounds the noise.
aa_med() { # TOTP-REF_S AA-REF_S
	printf 'z\ttotp\t0.5\t5\t0.5\nz\tref\t0.5\t5\t0.5\nz\ttotp-ref\t%s\t5\t%s\nz\taa-ref\t%s\t5\t0\n' \
		"$1" "$1" "$2" >"$T/med3"
}
aa_med 0.008 0.0035
check "plus, A/A: 8 ms over the reference with a 3.5 ms A/A gap is within noise" \
	test "$(cmp_row plus w "$T/med3" z 5 t kdf)" = \
	"$(printf '+8.0 ms (1.000x; CPU +8.0 ms; A/A 3.5 ms)\twithin noise (A/A 3.5 ms)')"
aa_med 0.008 -0.0005
check "plus, A/A: 8 ms over with a 0.5 ms A/A gap is MISS" \
	test "$(cmp_row plus w "$T/med3" z 5 t kdf | cut -f2)" = MISS
aa_med 0.004 -0.010
check "plus, A/A: 4 ms over is PASS, whatever the A/A gap" \
	test "$(cmp_row plus w "$T/med3" z 5 t kdf | cut -f2)" = PASS
check "mem: 4096 KiB within 4096 KiB is PASS" \
	test "$(B cmp mem w - - 4096 - 4096 t note | cut -f2,6)" = "$(printf '4.00 MiB\tPASS')"
check "mem: 4097 KiB over 4096 KiB is MISS, ratio to the reference" \
	test "$(B cmp mem w - - 4097 8194 4096 t zbarimg | cut -f4,6)" = "$(printf '0.50x\tMISS')"

# --- bench.py growth: local exponents and the linear verdict ---
printf 'lin\t10\t0.001\nlin\t1000\t0.1\nquad\t10\t0.001\nquad\t100\t0.1\nflat\t10\t0.003\nflat\t100000\t0.004\n' \
	>"$T/scale"
run B growth "$T/scale"
check "growth: linear cost has exponent 1.00, PASS" grep -qx 'lin .* exponents 1.00 PASS' <<<"$out"
check "growth: quadratic cost has exponent 2.00, MISS" grep -qx 'quad .* exponents 2.00 MISS' <<<"$out"
check "growth: start-up dominated cost is PASS" grep -qx 'flat .* exponents 0.03 PASS' <<<"$out"

# --- bench.py render: the rows and scaling land in the template ---
printf 'row one\t1 ms\t2 ms\t0.50x\t<= 1x\tPASS\n' >"$T/rows"
printf 'machine line\n' >"$T/machine"
run B render "$TOTP_TOP/bench/results.md.in" "$T/rows" "$T/scale" "$T/machine" "$T/res.md"
check "render: the table row" grep -qxF '| row one | 1 ms | 2 ms | 0.50x | <= 1x | PASS |' "$T/res.md"
check "render: the machine" grep -qxF 'machine line' "$T/res.md"
check "render: the scaling verdict" grep -qF '| quad | 1.000 ms | 100.0 ms | - | - | 2.00 | worse than linear: MISS |' "$T/res.md"
lacks "$(cat "$T/res.md")" "@" "render: no placeholder left"

# --- bench.py loop (used without hyperfine): runs, warm-up, order ---
B loop --runs 3 --warmup 1 --export-json "$T/loop.json" -n fast true -n slow "sleep 0.02"
check "loop: 3 timed runs of each command, the slow one at least 20 ms" python3 - "$T/loop.json" <<'EOF'
import json, sys
r = {x["command"]: x["times"] for x in json.load(open(sys.argv[1]))["results"]}
sys.exit(not (len(r["fast"]) == 3 and len(r["slow"]) == 3 and min(r["slow"]) >= 0.02))
EOF
