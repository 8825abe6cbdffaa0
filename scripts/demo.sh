#!/usr/bin/env bash
# The main job in miniature: create a vault, import an account from an
# otpauth URI, and print its current code.  Uses a throwaway vault and a
# demo passphrase passed on a file descriptor, never on the command line.
set -euo pipefail
cd "$(dirname "$0")/.."
totp=${TOTP_BIN:-build/totp}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
vault=$dir/vault
echo "demo passphrase" >"$dir/pass"
run() { "$totp" --vault "$vault" --passphrase-fd 3 "$@" 3<"$dir/pass"; }
run init --kdf-memory 64M --kdf-ops 1
run import examples/demo-accounts.txt
echo "--- totp list"
run list
echo "--- totp code Example:alice@google.com"
run code Example:alice@google.com
echo "--- totp code (every account, with seconds left)"
run code
