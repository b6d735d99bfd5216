#!/usr/bin/env bash
# Runs the Playwright suite against a freshly started authlens (debug build by default).
# Starts the server on a free loopback port, waits until it answers, and stops it by PID.
#   scripts/e2e.sh [playwright args…]      AUTHLENS_BIN=target/release/authlens to test a release build
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${AUTHLENS_BIN:-target/debug/authlens}
[ -x "$BIN" ] || { echo "e2e: $BIN is missing; build with 'cargo leptos build' first" >&2; exit 1; }
[ -f target/site/pkg/authlens.wasm ] || { echo "e2e: target/site has no built front end" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

LOG_DIR=target/e2e
mkdir -p "$LOG_DIR"
PORT=$(free_port)
BASE_URL="http://127.0.0.1:$PORT"

AUTHLENS_ADDR="127.0.0.1:$PORT" AUTHLENS_SITE_ROOT=target/site RUST_LOG=${RUST_LOG:-info,tower_http=warn} \
  "$BIN" >"$LOG_DIR/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true' EXIT

# Wait for the server to answer (argon2 seeding takes a moment), or for it to die.
for _ in $(seq 1 300); do
  if curl -fsS "$BASE_URL/api/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "e2e: the server exited during start-up:" >&2
    cat "$LOG_DIR/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
curl -fsS "$BASE_URL/api/health" >/dev/null

echo "e2e: authlens on $BASE_URL (pid $SERVER_PID)"
(cd end2end && BASE_URL="$BASE_URL" npx playwright test "$@")
