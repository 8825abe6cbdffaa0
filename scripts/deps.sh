#!/usr/bin/env bash
# Installs what totp needs to build and test on Debian 12 (run as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential pkg-config clang ca-certificates \
	libsodium-dev libqrencode-dev libzbar-dev libzbar0 libpng-dev libpng16-16 libjpeg-dev \
	libjansson-dev libkeyutils-dev \
	oathtool qrencode zbar-tools keyutils faketime strace valgrind mandoc \
	python3 python3-pil util-linux nodejs libclang-rt-14-dev \
	tmux xvfb xauth xclip xsel chromium poppler-utils gdb time \
	hyperfine gnupg pass pass-extension-otp otpclient-cli gnuplot-nox >/dev/null
# npm comes with the nodejs of the NodeSource build; Debian's own nodejs
# has it as a separate package.
command -v npm >/dev/null || apt-get install -y -qq --no-install-recommends npm >/dev/null
bash "$(dirname "$0")/node-deps.sh"
