# t_watch.sh - the dashboard driven in an 80x24 tmux pane: codes, countdown
# bar, refresh, type-to-filter, Enter copying (a fake clipboard tool on
# PATH), leaving with the terminal restored, NO_COLOR, and the plain list
# when stdout is not a terminal.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null; then
	fail "tmux is not installed (apt-get install tmux)"
	exit 1
fi

V=$T/vault
printf 'pw\n' >"$T/pass"
tp() { "$TOTP_BIN" --vault "$V" --passphrase-fd 3 "$@" 3<"$T/pass"; }
tp init --kdf-memory 8K --kdf-ops 1 >/dev/null 2>&1
add() { local s=$1; shift; echo "$s" | tp add "$@" >/dev/null 2>&1; }
add JBSWY3DPEHPK3PXP Example:alice
add GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ GitHub:bob
add MFRGGZDFMZTWQ2LK --digits 8 --period 60 Mail:carol
add GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ --hotp RFC:hotp
tp list >/dev/null 2>&1 && ok "throwaway vault with 4 accounts" || fail "vault setup"

# A fake xclip that keeps the clipboard in a file.
mkdir -p "$T/bin"
cat >"$T/bin/xclip" <<EOF
#!/bin/sh
case " \$* " in
*" -out "*) cat "$T/clip" 2>/dev/null ;;
*) cat >"$T/clip"; echo "\$*" >>"$T/xclip.log" ;;
esac
EOF
chmod +x "$T/bin/xclip"

# The command run in the pane: the terminal's settings around the dashboard,
# its exit status, then a pause so the pane can be read.
cat >"$T/pane.sh" <<EOF
#!/bin/sh
stty -g >"$T/stty.before"
"\$@" 3<"$T/pass"
echo "EXIT=\$?"
stty -g >"$T/stty.after"
exec sleep 60
EOF
SOCK=$T/tmux.sock
tm() { tmux -S "$SOCK" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$T"' EXIT

# fresh_server: stop the tmux server and wait until it is gone, so that a
# new session never lands on a server that is still shutting down.
fresh_server() {
	tm kill-server 2>/dev/null
	for _ in $(seq 50); do
		tm list-sessions >/dev/null 2>&1 || break
		sleep 0.1
	done
	rm -f "$SOCK"
}

# start ENV... -- ARGS: a new 80x24 session running totp ARGS.
start() {
	fresh_server
	rm -f "$T/stty.before" "$T/stty.after"
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	tm new-session -d -x 80 -y 24 env -u WAYLAND_DISPLAY DISPLAY=:fake \
		PATH="$T/bin:$PATH" "${envs[@]}" sh "$T/pane.sh" \
		"$TOTP_BIN" --vault "$V" --passphrase-fd 3 "$@"
}
screen() { tm capture-pane -p "$@"; }
# wait_for TEXT: up to 5 s for TEXT to show on the screen.
wait_for() {
	for _ in $(seq 50); do
		case "$(screen)" in *"$1"*) return 0 ;; esac
		sleep 0.1
	done
	return 1
}
# row LABEL: the line of an account in the last capture ($scr).
row() { printf '%s\n' "$scr" | grep -E "^[ >]$1 " | head -n 1; }
# too_wide N: screen lines longer than N characters (the bar's cells are
# multibyte).
too_wide() { screen | sed 's/█/#/g; s/·/./g' | awk -v n="$1" 'length($0) > n'; }
grouped() { local c=$1 h; h=$(( ${#c} > 5 ? ${#c} / 2 : ${#c} )); echo "${c:0:h} ${c:h}"; }
code_at() { tp code --at "$1" "$2" 2>/dev/null; }
# shows_code LABEL T0 T1: the row shows the code of some second in T0-1..T1.
shows_code() {
	local r t c
	r=$(row "$1")
	for t in $(seq $(($2 - 1)) "$3"); do
		c=$(grouped "$(code_at "$t" "$1")")
		case "$r" in *"$c"*) return 0 ;; esac
	done
	printf '#   row: %s\n' "$r"
	return 1
}

# --- the dashboard ------------------------------------------------------------
start -- watch
# The whole first frame, down to the last row and the status line: under
# valgrind on a loaded machine the header can show well before the rows.
wait_for "accounts" && wait_for "RFC:hotp" && wait_for "Enter copies" && ok "dashboard starts" ||
	{ fail "dashboard did not start"; screen | sed 's/^/#   /'; }
t0=$(date +%s)
scr=$(screen)
t1=$(date +%s)
contains "$scr" "totp  4/4 accounts  filter:" "header counts the accounts"
[ "$(tm display -p '#{alternate_on}')" = 1 ] && ok "alternate screen on" || fail "alternate screen off"
[ "$(tm display -p '#{cursor_flag}')" = 0 ] && ok "cursor hidden" || fail "cursor visible"
for l in Example:alice GitHub:bob Mail:carol; do
	shows_code "$l" "$t0" "$t1" && ok "$l shows its current code" || fail "$l code"
done
contains "$(row RFC:hotp)" "(hotp)" "HOTP rows show no code (no counter advanced)"
contains "$(row Example:alice)" ">Example:alice" "first row selected"
r=$(row Mail:carol)
left=$(echo "$r" | grep -oE '[0-9]+s$' | tr -d s)
want=$((60 - t0 % 60)) want1=$((60 - (t0 - 1) % 60))
[ "$left" = "$want" ] || [ "$left" = "$want1" ] || [ "$left" = $((60 - t1 % 60)) ] &&
	ok "seconds left of a 60 s account ($left)" || fail "seconds left '$left', want about $want"
full=$(echo "$r" | grep -o '█' | wc -l)
empty=$(echo "$r" | grep -o '·' | wc -l)
[ $((full + empty)) -eq 10 ] && ok "countdown bar has 10 cells" || fail "bar cells $full+$empty"
[ -n "$left" ] && [ "$full" -eq $(((left * 10 + 59) / 60)) ] && ok "bar filled in proportion ($full/10)" ||
	fail "bar $full/10 for ${left}s"
wide=$(too_wide 79 | wc -l)
[ "$wide" -eq 0 ] && ok "no line reaches the 80th column" || fail "$wide lines too wide"
contains "$(screen | tail -n 1)" "Enter copies" "status line shows the keys"

# Refresh: one second later the seconds left (or the code) changed.
scr=$(screen)
before=$(row Mail:carol)
sleep 1.1
scr=$(screen)
after=$(row Mail:carol)
[ -n "$before" ] && [ "$before" != "$after" ] && ok "the screen refreshes each second" ||
	fail "no refresh: '$before' / '$after'"

# Type to filter, arrows, Enter copies.
tm send-keys b o b
wait_for "filter: bob" && ok "typed text filters" || fail "filter not shown"
scr=$(screen)
contains "$scr" "1/4 accounts" "filter narrows the count"
contains "$scr" ">GitHub:bob" "the match is selected"
lacks "$scr" "Example:alice" "other accounts hidden"
t0=$(date +%s)
tm send-keys Enter
wait_for "copied the code of GitHub:bob" && ok "Enter copies and says so" || fail "no copy message"
t1=$(date +%s)
clip=$(cat "$T/clip" 2>/dev/null)
ok_clip=0
for t in $(seq $((t0 - 1)) "$t1"); do [ "$clip" = "$(code_at "$t" GitHub:bob)" ] && ok_clip=1; done
[ "$ok_clip" = 1 ] && ok "the clipboard holds exactly the code" || fail "clipboard '$clip'"
[ "$(wc -c <"$T/clip")" -eq 6 ] && ok "no newline on the clipboard" || fail "clipboard bytes $(wc -c <"$T/clip")"
contains "$(cat "$T/xclip.log")" "-selection clipboard" "xclip writes the CLIPBOARD selection"
tm send-keys BSpace BSpace BSpace
wait_for "4/4 accounts" && ok "backspace widens the filter again" || fail "backspace"
tm send-keys Down Down
sleep 0.3
scr=$(screen)
contains "$(row Mail:carol)" ">Mail:carol" "arrow keys move the selection"
tm send-keys -l 'ex'
wait_for "filter: ex" && ok "filter text arriving in one read" || fail "fast typing lost keys"
contains "$(screen)" "1/4 accounts" "'ex' matches one account, case-insensitively"
tm send-keys Escape
wait_for "4/4 accounts" && ok "Esc clears the filter" || fail "Esc did not clear"
contains "$(tm display -p '#{alternate_on}')" 1 "Esc with a filter stays"
tm send-keys q
wait_for "EXIT=" && ok "q leaves" || fail "q did not leave"
contains "$(screen)" "EXIT=0" "exit status 0"
[ "$(tm display -p '#{alternate_on}')" = 0 ] && ok "alternate screen off after q" || fail "still alternate"
[ "$(tm display -p '#{cursor_flag}')" = 1 ] && ok "cursor visible after q" || fail "cursor hidden"
same_file "$T/stty.before" "$T/stty.after" "terminal settings restored"
lacks "$(screen)" "GitHub:bob" "codes left the screen with the alternate screen"

# Colour on, by default: the selected row is in reverse video.
start -- watch
wait_for accounts
screen -e | grep -q $'^\033\\[[0-9;]*7m.*>Example:alice' && ok "colour terminal: selection in reverse video" ||
	fail "no reverse video on a colour terminal"
tm send-keys C-c
wait_for "EXIT=" && ok "Ctrl-C leaves" || fail "Ctrl-C did not leave"
same_file "$T/stty.before" "$T/stty.after" "terminal restored after Ctrl-C"

# NO_COLOR: no colour or attribute escapes at all.
start NO_COLOR=1 -- watch
wait_for accounts
lacks "$(screen -e)" $'\033[' "NO_COLOR: no colour escapes"
contains "$(screen)" ">Example:alice" "NO_COLOR: selection marked with '>'"
tm send-keys Escape
wait_for "EXIT=" && ok "Esc with an empty filter leaves" || fail "Esc did not leave"

# Bare 'totp' on a terminal is the dashboard; a PATTERN filters from the start.
start -- 
wait_for accounts && ok "bare totp on a terminal shows the dashboard" || fail "bare totp"
tm send-keys q
wait_for "EXIT=0" || fail "bare totp did not leave"
start -- watch mail
wait_for "filter: mail" && ok "watch PATTERN starts filtered" || fail "watch PATTERN"
contains "$(screen)" "1/4 accounts" "watch PATTERN narrows the list"
tm send-keys q
wait_for "filter: mailq" && ok "q with a filter types q" || fail "q with a filter"
lacks "$(screen)" "EXIT=" "q with a filter does not leave"
tm send-keys Escape Escape
wait_for "EXIT=0" && ok "Esc twice leaves" || fail "Esc twice"

# No clipboard tool: the status line says so, the dashboard stays.
start PATH=/usr/bin:/bin -- watch
wait_for accounts
rm -f "$T/clip"
cp "$T/bin/xclip" "$T/xclip.keep" && rm "$T/bin/xclip"
tm send-keys Enter
wait_for "cannot copy" && ok "no clipboard tool: message on the status line" || fail "no message"
[ -z "$(too_wide 79)" ] && ok "a long message is cut to the width" || fail "message wraps"
mv "$T/xclip.keep" "$T/bin/xclip"
tm send-keys q
wait_for "EXIT=0" && ok "leaves after a failed copy" || fail "did not leave"

# A narrow terminal and a long label still fit.
add JBSWY3DPEHPK3PXP "AVeryLongIssuerNameThatGoesOnAndOn:someone.with.a.long.address@example.com"
fresh_server
tm new-session -d -x 60 -y 10 sh "$T/pane.sh" "$TOTP_BIN" --vault "$V" --passphrase-fd 3 watch
wait_for accounts && ok "60x10: the dashboard starts" || fail "60x10: no dashboard: $(screen)"
[ -z "$(too_wide 59)" ] && ok "60x10: no line wraps" || fail "60x10 wraps"
contains "$(screen)" "5/5 accounts" "60x10: header intact"
tm send-keys q
wait_for "EXIT=0" || fail "60x10 did not leave"
tm kill-server 2>/dev/null

# --- not a terminal --------------------------------------------------------------
expect 0 "watch with stdout not a terminal" tp watch
lines=$(printf '%s\n' "$out" | wc -l)
[ "$lines" -eq 5 ] && ok "plain list: one line per account" || fail "plain list: $lines lines"
lacks "$out" $'\033' "plain list has no escapes"
t=$(date +%s)
contains "$out" "GitHub:bob" "plain list names accounts"
contains "$(printf '%s\n' "$out" | grep '^RFC:hotp')" "hotp" "plain list: HOTP without a code"
expect 0 "watch PATTERN, not a terminal" tp watch mail
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && contains "$out" "Mail:carol" "plain list filtered" ||
	fail "filtered plain list: $out"
run tp list RFC:hotp
contains "$out" "	0" "HOTP counter untouched by watch"
expect 2 "watch with two patterns" tp watch a b
expect 2 "watch with an option" tp watch --bogus
expect 2 "bare totp without a terminal is a usage error" tp
