#!/usr/bin/env bash
# Hostile clients beside normal visitors against one authlens with the product's default limits,
# on loopback only, for ABUSE_SECONDS (60 by default) per pass; prints memory, listeners, the
# normal visitors' latencies and wrong answers against their budgets (scripts/abuse/abuse.py
# says which). Two passes: in-memory stores, then a private Redis (its keys and clients too).
# Not run by `make test`: it takes minutes and measures, it does not check behaviour.
#   AUTHLENS_BIN=target/debug/authlens scripts/abuse.sh   to try a debug build
#   ABUSE_PASSES=redis scripts/abuse.sh                    one pass only
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/server.sh
source scripts/lib/redis.sh

export AUTHLENS_BIN=${AUTHLENS_BIN:-target/release/authlens}
if [ ! -x "$AUTHLENS_BIN" ]; then
  cargo leptos build --release --precompress --split
fi

failed=0
for pass in ${ABUSE_PASSES:-memory redis}; do
  printf '\n\033[1m== abuse: %s stores\033[0m\n' "$pass"
  args=(--jwt-alg eddsa)  # EdDSA makes bulk signing costly
  redis_port=0
  if [ "$pass" = redis ]; then
    start_redis
    args+=(--redis-url "$REDIS_URL")
    redis_port=$REDIS_PORT
  fi
  # The product's defaults, not the e2e suite's roomier ones; a short lab idle time so the
  # hostile clients' clusters have stopped when the listeners are counted after the run.
  AUTHLENS_LOGIN_BURST=30 AUTHLENS_MAX_BULK_RUNS=2 AUTHLENS_MAX_CLUSTERS=8 AUTHLENS_MAX_LAB_NODES=24 \
    AUTHLENS_LAB_IDLE=4s start_authlens "${args[@]}"
  python3 scripts/abuse/abuse.py --base "$BASE_URL" --pid "$SERVER_PID" --seconds "${ABUSE_SECONDS:-60}" \
    --redis-port "$redis_port" || failed=1
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
done
exit "$failed"
