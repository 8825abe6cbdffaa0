#!/usr/bin/env bash
# node-deps.sh - install the npm package the differential test
# tests/cli/t_node_otpauth.sh compares against, pinned, into
# tests/node/node_modules (ignored by git).  otpauth 9.5.2 pins its only
# dependency (@noble/hashes 2.4.0) exactly, so no lock file is needed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
OTPAUTH_VERSION=9.5.2
have=$(node -p "try { require('$top/tests/node/node_modules/otpauth/package.json').version } catch (e) { '' }" 2>/dev/null || true)
if [ "$have" = "$OTPAUTH_VERSION" ]; then
	echo "otpauth $OTPAUTH_VERSION already in tests/node/node_modules"
	exit 0
fi
npm install --prefix "$top/tests/node" --no-audit --no-fund --no-save --no-package-lock \
	--loglevel=error "otpauth@$OTPAUTH_VERSION"
