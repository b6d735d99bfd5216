#!/usr/bin/env bash
# Takes the README's screenshots from a real run in headless Chromium: both columns logged in.
#   scripts/screenshot.sh        writes docs/screenshot.png (English) and docs/screenshot-ko.png (Korean)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/server.sh

mkdir -p docs
start_authlens
(cd end2end && BASE_URL="$BASE_URL" OUT_DIR="$PWD/../docs" node tools/screenshot.mjs)
