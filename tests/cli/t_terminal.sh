# t_terminal.sh - totp --version: totp's version and the versions of the
# libraries it runs with, without loading the libraries kept for on-demand
# use (zbar, libjpeg), which 'code' never loads either.
. "$(dirname "$0")/lib.sh"

top=${TOTP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
want=$(sed -n 's/^#define TOTP_VERSION "\(.*\)"$/\1/p' "$top/include/totp.h")

expect 0 "--version" "$TOTP_BIN" --version
first=$(printf '%s\n' "$out" | head -n 1)
[ "$first" = "totp $want (libtotp $want)" ] && ok "first line names totp and libtotp $want" ||
	fail "first line '$first'"
[ -z "$err" ] && ok "--version is quiet on stderr" || fail "stderr: $err"
line() { printf '%s\n' "$out" | grep "^$1[ (]" | head -n 1; }

# The running versions; this machine builds and runs the same packages, so
# pkg-config's versions are the ones the program must report.
for pair in libsodium:libsodium jansson:jansson; do
	name=${pair%%:*} pc=${pair#*:}
	v=$(pkg-config --modversion "$pc" 2>/dev/null)
	if [ -z "$v" ]; then
		fail "pkg-config knows no $pc"
		continue
	fi
	[ "$(line "$name")" = "$name $v" ] && ok "--version: $name $v" ||
		fail "--version: '$(line "$name")', want '$name $v'"
done
[ "$(line zbar)" = "zbar (loaded on demand: libzbar.so.0)" ] &&
	ok "--version: zbar is loaded on demand" || fail "--version zbar line: '$(line zbar)'"
contains "$(line libjpeg)" "loaded on demand: libjpeg.so.62" "--version: libjpeg is loaded on demand"
[ "$(line libpng)" = "libpng (loaded on demand: libpng16.so.16)" ] &&
	ok "--version: libpng is loaded on demand" || fail "--version libpng line: '$(line libpng)'"
[ "$(line libqrencode)" = "libqrencode (loaded on demand: libqrencode.so.4)" ] &&
	ok "--version: libqrencode is loaded on demand" || fail "--version libqrencode line: '$(line libqrencode)'"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 7 ] && ok "--version prints seven lines" ||
	fail "--version printed $(printf '%s\n' "$out" | wc -l) lines"

# The dynamic loader's log shows what each run loaded and initialised (a
# lookup with RTLD_NOLOAD is logged too, but never initialises anything).
# The binary itself, not a wrapper such as valgrind.
bin=${TOTP_BIN_REAL:-$TOTP_BIN}
loaded() { LD_DEBUG=files "$@" 2>&1 >/dev/null | sed -n 's/.*calling init: //p' | sort -u; }
libs=$(loaded "$bin" --version)
start_libs=$libs
contains "$libs" "libc.so" "the loader log names linked libraries"
lacks "$libs" "libzbar" "--version does not load zbar"
lacks "$libs" "libjpeg" "--version does not load libjpeg"

V=$T/vault
printf 'pw\n' >"$T/pass"
"$TOTP_BIN" --vault "$V" --passphrase-fd 3 init --kdf-memory 8K --kdf-ops 1 3<"$T/pass" >/dev/null 2>&1
echo JBSWY3DPEHPK3PXP | "$TOTP_BIN" --vault "$V" --passphrase-fd 3 add Ex:a 3<"$T/pass" >/dev/null 2>&1
libs=$(loaded "$bin" --vault "$V" --passphrase-fd 3 code --at 1257894000 Ex:a 3<"$T/pass")
contains "$libs" "libc.so" "code: the loader log is read"
lacks "$libs" "libqrencode" "code does not load libqrencode"
lacks "$libs" "libzbar" "code does not load zbar"
lacks "$libs" "libjpeg" "code does not load libjpeg"
lacks "$libs" "libpng" "code does not load libpng"
# libm only when the program links it anyway (a sanitizer runtime does).
case $start_libs in
*libm.so*) echo "# libm is linked into this build (a sanitizer runtime): not checked" ;;
*) lacks "$libs" "libm.so" "code does not load libm" ;;
esac
run "$TOTP_BIN" --vault "$V" --passphrase-fd 3 code --at 1257894000 Ex:a 3<"$T/pass"
[ "$out" = 528064 ] && ok "code still works" || fail "code printed '$out'"
expect 2 "--version with a stray option is still a usage error" "$TOTP_BIN" --version-x
