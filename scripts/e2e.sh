#!/usr/bin/env bash
# Runs the Playwright suite against a freshly started authlens (debug build by default).
#   scripts/e2e.sh [playwright args…]      AUTHLENS_BIN=target/release/authlens to test a release build
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/server.sh

start_authlens
(cd end2end && BASE_URL="$BASE_URL" npx playwright test "$@")
