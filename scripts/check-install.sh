#!/usr/bin/env bash
# check-install.sh [BUILD] - stage 'make install' in a temporary DESTDIR,
# check every installed file, build examples/hello.c against the staged
# library with pkg-config, run it, then check that 'make uninstall' removes
# everything.  Prints "N passed, N failed"; exits non-zero on a failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${1:-build}
prefix=/usr/local
stage=$(mktemp -d "${TMPDIR:-/tmp}/totp-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
passed=0 failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
fail() { echo "not ok - $*"; failed=$((failed + 1)); }
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }

version=$(sed -n 's/^VERSION *:= *//p' Makefile)
so=$stage$prefix/lib/libtotp.so
files=(
	"$prefix/bin/totp"
	"$prefix/lib/libtotp.a"
	"$prefix/lib/libtotp.so.$version"
	"$prefix/lib/libtotp.so.0"
	"$prefix/lib/libtotp.so"
	"$prefix/lib/pkgconfig/totp.pc"
	"$prefix/include/totp.h"
	"$prefix/share/man/man1/totp.1"
	"$prefix/share/man/man5/totp-vault.5"
	"$prefix/share/bash-completion/completions/totp"
	"$prefix/share/zsh/site-functions/_totp"
	"$prefix/share/fish/vendor_completions.d/totp.fish"
)

if ! make -s BUILD="$build" install DESTDIR="$stage" PREFIX="$prefix" >"$stage.log" 2>&1; then
	fail "make install DESTDIR=... PREFIX=$prefix"
	sed 's/^/#   /' "$stage.log"
	rm -f "$stage.log"
	echo "$passed passed, $failed failed"
	exit 1
fi
rm -f "$stage.log"
ok "make install DESTDIR=... PREFIX=$prefix"
for f in "${files[@]}"; do
	check "installed $f" test -e "$stage$f"
done
check "totp is executable" test -x "$stage$prefix/bin/totp"
check "libtotp.so.0 links to the versioned library" \
	test "$(readlink "$stage$prefix/lib/libtotp.so.0")" = "libtotp.so.$version"
check "libtotp.so links to the soname" test "$(readlink "$so")" = libtotp.so.0
check "soname is libtotp.so.0" \
	test "$(objdump -p "$so.$version" | awk '$1 == "SONAME" { print $2 }')" = libtotp.so.0
check "static library holds objects" test -n "$(ar t "$stage$prefix/lib/libtotp.a" | grep '\.o$')"
check "installed header is include/totp.h" cmp -s include/totp.h "$stage$prefix/include/totp.h"
check "man pages are mdoc" grep -q '^\.Dt TOTP 1' "$stage$prefix/share/man/man1/totp.1"
check "totp.pc names the prefix" grep -qx "prefix=$prefix" "$stage$prefix/lib/pkgconfig/totp.pc"
check "no file outside the prefix" test -z "$(cd "$stage" && find . -type f -o -type l | grep -v "^\.$prefix/")"

# Build the example against the staged install, the way a packager would.
export PKG_CONFIG_PATH="$stage$prefix/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage"
export PKG_CONFIG_LIBDIR="$stage$prefix/lib/pkgconfig:$(pkg-config --variable pc_path pkg-config)"
flags=$(pkg-config --cflags --libs totp 2>&1)
check "pkg-config --cflags --libs totp" test $? -eq 0
case "$flags" in *"-I$stage$prefix/include"*) ok "cflags point into the stage" ;; *) fail "cflags: $flags" ;; esac
check "pkg-config --modversion totp is $version" test "$(pkg-config --modversion totp)" = "$version"
# shellcheck disable=SC2086
if ${CC:-cc} -std=c11 -Wall -Wextra -Werror examples/hello.c $flags -o "$stage/hello" 2>"$stage/cc.log"; then
	ok "examples/hello.c builds against the staged library"
else
	fail "examples/hello.c does not build"
	sed 's/^/#   /' "$stage/cc.log"
fi
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -static-libgcc examples/hello.c -I"$stage$prefix/include" \
	"$stage$prefix/lib/libtotp.a" $(pkg-config --libs --static totp | sed "s|-L[^ ]*||; s|-ltotp||") \
	-ldl -o "$stage/hello-static" 2>"$stage/cc.log" &&
	ok "examples/hello.c links the static library" ||
	{ fail "static link"; sed 's/^/#   /' "$stage/cc.log"; }
check "hello uses the shared libtotp" grep -q 'libtotp.so.0' <(objdump -p "$stage/hello" 2>/dev/null)
out=$(LD_LIBRARY_PATH="$stage$prefix/lib" "$stage/hello" 2>&1)
check "hello prints the RFC 6238 code ($out)" test "$out" = "libtotp $version: 528064"
out=$(LD_LIBRARY_PATH="$stage$prefix/lib" ldd "$stage/hello" | grep libtotp)
case "$out" in *"$stage"*) ok "hello runs with the staged libtotp" ;; *) fail "hello resolved libtotp as: $out" ;; esac
[ -x "$stage/hello-static" ] && out=$("$stage/hello-static") &&
	check "static hello prints the code" test "$out" = "libtotp $version: 528064"
out=$(LD_LIBRARY_PATH="$stage$prefix/lib" "$stage$prefix/bin/totp" --version | head -n 1)
check "installed totp runs ($out)" test "$out" = "totp $version (libtotp $version)"
rm -f "$stage/hello" "$stage/hello-static" "$stage/cc.log"

if make -s BUILD="$build" uninstall DESTDIR="$stage" PREFIX="$prefix" >/dev/null 2>&1; then
	ok "make uninstall"
else
	fail "make uninstall"
fi
for f in "${files[@]}"; do
	check "uninstalled $f" test ! -e "$stage$f" -a ! -L "$stage$f"
done
left=$(cd "$stage" && find . -type f -o -type l)
check "nothing left after uninstall" test -z "$left"
[ -z "$left" ] || printf '#   %s\n' $left

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
