#!/usr/bin/env bash
# Hostile clients beside normal visitors against one authlens with the product's default limits,
# on loopback only, for ABUSE_SECONDS (60 by default); prints memory, the normal visitors'
# latencies and wrong answers against their budgets (scripts/abuse/abuse.py says which).
# Not run by `make test`: it takes a minute and measures, it does not check behaviour.
#   AUTHLENS_BIN=target/debug/authlens scripts/abuse.sh   to try a debug build
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/server.sh

export AUTHLENS_BIN=${AUTHLENS_BIN:-target/release/authlens}
if [ ! -x "$AUTHLENS_BIN" ]; then
  cargo leptos build --release --precompress --split
fi
# The product's defaults, not the e2e suite's roomier ones; EdDSA makes bulk signing costly.
AUTHLENS_LOGIN_BURST=30 AUTHLENS_MAX_BULK_RUNS=2 start_authlens --jwt-alg eddsa
python3 scripts/abuse/abuse.py --base "$BASE_URL" --pid "$SERVER_PID" --seconds "${ABUSE_SECONDS:-60}"
