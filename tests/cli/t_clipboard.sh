# t_clipboard.sh - 'totp code PATTERN --copy' on a real X clipboard (Xvfb
# with xclip, then xsel): exactly the code is copied, it is cleared when the
# code expires only if the clipboard still holds it, and a missing tool or
# session is named.
. "$(dirname "$0")/lib.sh"

for prog in Xvfb xclip xsel; do
	if ! command -v "$prog" >/dev/null; then
		fail "$prog is not installed (apt-get install xvfb xclip xsel)"
		exit 1
	fi
done

V=$T/vault
printf 'pw\n' >"$T/pass"
tp() { "$TOTP_BIN" --vault "$V" --passphrase-fd 3 "$@" 3<"$T/pass"; }
tp init --kdf-memory 8K --kdf-ops 1 >/dev/null 2>&1
echo JBSWY3DPEHPK3PXP | tp add --period 4 Fast:four >/dev/null 2>&1
echo GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ | tp add Slow:thirty >/dev/null 2>&1

# A private X server on a free display.
Xvfb -displayfd 4 -nolisten tcp -screen 0 640x480x24 4>"$T/display" 2>/dev/null &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -s "$T/display" ] && break; sleep 0.1; done
if [ ! -s "$T/display" ]; then
	fail "Xvfb did not start"
	exit 1
fi
export DISPLAY=:$(cat "$T/display")
unset WAYLAND_DISPLAY
clip() { xclip -selection clipboard -out 2>/dev/null; }
# Start at the beginning of a 4 s step, so the copy has 4 s to live.
step_start() { while [ $(($(date +%s) % 4)) -ne 0 ]; do sleep 0.05; done; t0=$(date +%s); }
# is_code_of TEXT LABEL: TEXT is LABEL's code at some second from t0 to now.
is_code_of() {
	local t
	for t in $(seq "$t0" "$(date +%s)"); do
		[ "$1" = "$(tp code --at "$t" "$2" 2>/dev/null)" ] && return 0
	done
	return 1
}

# --- xclip ---------------------------------------------------------------------
printf 'before' | xclip -selection clipboard -in
[ "$(clip)" = before ] && ok "Xvfb clipboard works" || fail "Xvfb clipboard: '$(clip)'"
step_start
expect 0 "code --copy" tp code --copy Fast:four
now=$(clip)
[ -n "$now" ] && is_code_of "$now" Fast:four && ok "the clipboard holds exactly the code" ||
	fail "clipboard '$now', code '$(tp code Fast:four 2>/dev/null)'"
[ -z "$out" ] && ok "--copy prints nothing on stdout" || fail "stdout: $out"
contains "$err" "code of Fast:four copied" "--copy says what it copied"
contains "$err" "cleared in" "--copy says when it is cleared"
lacks "$now" "JBSWY3DP" "never the seed"
sleep 5
[ -z "$(clip)" ] && ok "cleared when the code expired" || fail "still on the clipboard: '$(clip)'"

step_start
expect 0 "code --copy again" tp code --copy Fast:four
printf 'mine' | xclip -selection clipboard -in
sleep 5
[ "$(clip)" = mine ] && ok "a clipboard changed since is left alone" || fail "clipboard '$(clip)'"

# A 30 s code stays while it is valid.
t0=$(date +%s)
expect 0 "code --copy of a 30 s account" tp code --copy Slow:thirty
sleep 0.5
is_code_of "$(clip)" Slow:thirty && ok "30 s code on the clipboard" || fail "clipboard '$(clip)'"

# --- xsel, when xclip is missing ---------------------------------------------------
mkdir -p "$T/xsel-only"
for prog in xsel sleep; do ln -s "$(command -v "$prog")" "$T/xsel-only/$prog"; done
step_start
expect 0 "code --copy with xsel" env PATH="$T/xsel-only" "$TOTP_BIN" --vault "$V" \
	--passphrase-fd 3 code --copy Fast:four 3<"$T/pass"
now=$(xsel --clipboard --output)
[ -n "$now" ] && is_code_of "$now" Fast:four && ok "xsel copies the code" ||
	fail "xsel clipboard '$(xsel --clipboard --output)'"
sleep 5
[ -z "$(xsel --clipboard --output 2>/dev/null)" ] && ok "xsel: cleared when the code expired" ||
	fail "xsel: still '$(xsel --clipboard --output)'"

# --- Wayland (a fake wl-copy/wl-paste pair recording what they get) ------------------
mkdir -p "$T/wl"
cat >"$T/wl/wl-copy" <<EOF
#!/bin/sh
echo "\$*" >>"$T/wl.log"
case " \$* " in *" --clear "*) : >"$T/wl.clip" ;; *) cat >"$T/wl.clip" ;; esac
EOF
printf '#!/bin/sh\ncat "%s"\n' "$T/wl.clip" >"$T/wl/wl-paste"
chmod +x "$T/wl/wl-copy" "$T/wl/wl-paste"
t0=$(date +%s)
expect 0 "code --copy on Wayland" env WAYLAND_DISPLAY=wayland-fake PATH="$T/wl:/usr/bin:/bin" \
	"$TOTP_BIN" --vault "$V" --passphrase-fd 3 code --copy Slow:thirty 3<"$T/pass"
is_code_of "$(cat "$T/wl.clip")" Slow:thirty && ok "wl-copy gets exactly the code" || fail "wl-copy got '$(cat "$T/wl.clip")'"
contains "$(cat "$T/wl.log")" "--type text/plain" "wl-copy is told the text type"

# --- no tool, no session -------------------------------------------------------------
mkdir -p "$T/empty"
expect 1 "no clipboard tool" env PATH="$T/empty" "$TOTP_BIN" --vault "$V" --passphrase-fd 3 \
	code --copy Slow:thirty 3<"$T/pass"
contains "$err" "no clipboard tool found: install wl-clipboard (Wayland), or xclip or xsel (X11)" \
	"no tool: the message names the tools"
lacks "$err" "$(tp code Slow:thirty 2>/dev/null)" "no tool: the code is not printed instead"
[ -z "$out" ] && ok "no tool: nothing on stdout" || fail "stdout: $out"
expect 1 "no graphical session" env -u DISPLAY -u WAYLAND_DISPLAY "$TOTP_BIN" --vault "$V" \
	--passphrase-fd 3 code --copy Slow:thirty 3<"$T/pass"
contains "$err" "no graphical session" "no session: the message says so"
expect 2 "--copy without a pattern" tp code --copy
expect 2 "--copy with --json" tp code --copy --json Slow
