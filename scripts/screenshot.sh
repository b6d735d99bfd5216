#!/usr/bin/env bash
# Takes the README's screenshots from a real run in headless Chromium.
#   scripts/screenshot.sh   writes docs/screenshot.png (English), docs/screenshot-ko.png (Korean),
#                           experiments.png, comparison.png, inspect-ko.png, lab.png and cost.png
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/server.sh

mkdir -p docs
start_authlens
(cd end2end && BASE_URL="$BASE_URL" OUT_DIR="$PWD/../docs" node tools/screenshot.mjs)
