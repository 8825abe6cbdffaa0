#!/bin/sh
# exports.sh [--map] HEADER - the functions a C header declares, one a line,
# sorted: every totp_ name followed by '(' outside comments.  With --map,
# a GNU ld version script that exports exactly those and hides the rest.
# The build makes libtotp.so's version script with it, and
# tests/cli/t_exports.sh compares the shared library's symbols with it.
set -eu
map=0
if [ "${1:-}" = --map ]; then
	map=1
	shift
fi
[ $# -eq 1 ] || { echo "usage: exports.sh [--map] HEADER" >&2; exit 2; }

names=$(awk '
	# Drop /* ... */ comments (also across lines) and // comments.
	{
		line = $0; out = ""
		while (line != "") {
			if (incomment) {
				i = index(line, "*/")
				if (i == 0) { line = ""; break }
				line = substr(line, i + 2); incomment = 0
			} else {
				i = index(line, "/*")
				if (i == 0) { out = out line; break }
				out = out substr(line, 1, i - 1) " "
				line = substr(line, i + 2); incomment = 1
			}
		}
		sub(/\/\/.*/, "", out)
		while (match(out, /totp_[A-Za-z0-9_]+[ \t]*\(/)) {
			name = substr(out, RSTART, RLENGTH)
			sub(/[ \t]*\($/, "", name)
			print name
			out = substr(out, RSTART + RLENGTH)
		}
	}' "$1" | LC_ALL=C sort -u)

if [ -z "$names" ]; then
	echo "exports.sh: no functions found in $1" >&2
	exit 1
fi
if [ "$map" -eq 0 ]; then
	printf '%s\n' "$names"
	exit 0
fi
printf '/* Generated from %s by scripts/exports.sh: the public functions only. */\n{\n\tglobal:\n' "$1"
printf '%s\n' "$names" | sed 's/^/\t\t/; s/$/;/'
printf '\tlocal:\n\t\t*;\n};\n'
