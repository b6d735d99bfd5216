#!/usr/bin/env bash
# The README's HTTP walk against a fresh authlens (the debug build, or AUTHLENS_BIN): one line
# per call with its status, error code and credential headers, random values masked. Run it
# before and after a change and diff the two: nothing a client sees on the wire should move.
#   scripts/http_walk.sh > before.txt; …change, rebuild…; scripts/http_walk.sh | diff before.txt -
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/server.sh
start_authlens >&2
python3 scripts/http_walk.py "$BASE_URL"
