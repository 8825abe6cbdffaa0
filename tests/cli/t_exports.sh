# t_exports.sh - libtotp.so exports exactly the functions include/totp.h
# declares (no internal totp_ helpers, no data), under its soname.
. "$(dirname "$0")/lib.sh"

top=${TOTP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${TOTP_BUILD:-$(dirname "$TOTP_BIN")}
exports() { sh "$top/scripts/exports.sh" "$@"; }

# --- the header parser ------------------------------------------------------
cat >"$T/h.h" <<'EOF'
/* totp_in_comment(void) is not declared
 * totp_in_block(int) neither */
int totp_one(void); /* totp_trailing(x) */
const char *totp_two (int a,
		      int b) TOTP_WUR;
struct totp_thing { int x; };  // totp_slashes(1)
void totp_three(struct totp_thing *t); /* one */ int totp_four(void);
#define TOTP_X totp_macro_arg
EOF
run exports "$T/h.h"
[ "$out" = "totp_four
totp_one
totp_three
totp_two" ] && ok "exports.sh finds declarations, skips comments" || fail "exports.sh: '$out'"
run exports --map "$T/h.h"
contains "$out" "global:" "version script has a global section"
contains "$out" "		totp_two;" "version script lists the functions"
contains "$out" "local:
		*;" "version script hides everything else"
printf '/* nothing */\n' >"$T/empty.h"
expect 1 "exports.sh fails on a header without functions" exports "$T/empty.h"

# --- the built shared library -------------------------------------------------
so=$(ls "$build"/libtotp.so.*.*.* 2>/dev/null | head -n 1)
if [ -z "$so" ]; then
	fail "no shared library in $build (make builds it)"
	exit 1
fi
exports "$top/include/totp.h" >"$T/header"
nm -D --defined-only "$so" | awk '{ print $NF }' | LC_ALL=C sort -u >"$T/dynsym"
if cmp -s "$T/header" "$T/dynsym"; then
	ok "libtotp.so exports exactly the header's $(wc -l <"$T/header") functions"
else
	fail "libtotp.so exports differ from include/totp.h"
	diff "$T/header" "$T/dynsym" | sed 's/^/#   /'
fi
run sh -c "nm -D --defined-only '$so' | awk '\$2 != \"T\"'"
[ -z "$out" ] && ok "every exported symbol is a function" || fail "non-function exports: $out"
run sh -c "nm -D --defined-only '$so' | grep -v ' totp_'"
[ -z "$out" ] && ok "nothing outside the totp_ prefix is exported" || fail "foreign exports: $out"
soname=$(objdump -p "$so" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = libtotp.so.0 ] && ok "soname libtotp.so.0" || fail "soname '$soname'"
grep -q 'totp_imp_\|totp_vfile_\|totp_json_' "$T/header" &&
	fail "header parser picked up internal helpers" || ok "no internal helper in the export list"
run sh -c "nm -D --defined-only '$so' | grep -c ' totp_'"
[ "${out:-0}" -ge 70 ] && ok "the public API is exported ($out functions)" || fail "only $out exported"
