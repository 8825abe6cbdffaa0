#!/usr/bin/env bash
# Quick start on a fresh Debian 12 machine: install the dependencies, build,
# and run the main job (a throwaway vault, a bundled account, its code).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then
	bash scripts/deps.sh
else
	sudo bash scripts/deps.sh
fi
make -j"$(nproc)"
bash scripts/demo.sh
