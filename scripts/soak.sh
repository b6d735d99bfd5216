#!/usr/bin/env bash
# Soak: users on both flows (login, /me, cart, refresh, logout) at 64 connections for 60 s,
# once against the memory store and once against Redis. Passes when there is no 5xx, no dropped
# connection, no timeout and no answer other than the one each step must get, and when, after
# everything the run created has expired and been purged, the server's memory is back where it
# was after a warm-up run (and Redis holds no keys).
#   scripts/soak.sh                          SOAK_SECONDS=60 SOAK_CONNECTIONS=64 by default
# Reports: target/soak/{memory,redis}.json (loadgen's report) and target/soak/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/under_load.sh
SECONDS_PER_RUN=${SOAK_SECONDS:-60}
CONNECTIONS=${SOAK_CONNECTIONS:-64}
# Short lives, so that everything the run creates expires soon after it: sessions idle out
# after 5 s, refresh families after 10 s.
export AUTHLENS_SESSION_IDLE=5s AUTHLENS_REFRESH_TTL=10s
mkdir -p target/soak
summary=target/soak/summary.txt
: >"$summary"
failed=0

# soak NAME: warm-up, measured run, purge, and the verdict, against the server at $BASE_URL.
soak() {
  local name=$1
  loadgen --duration 10s --out "target/soak/$name-warmup.json" >/dev/null
  wait_until_purged
  local before; before=$(rss_kib "$SERVER_PID")
  loadgen --duration "${SECONDS_PER_RUN}s" --out "target/soak/$name.json" >/dev/null
  local peak; peak=$(rss_kib "$SERVER_PID")
  wait_until_purged
  local after; after=$(rss_kib "$SERVER_PID")
  python3 scripts/soak/verdict.py "target/soak/$name.json" "$name" "$before" "$peak" "$after" \
    "${REDIS_PORT:-}" | tee -a "$summary" || failed=1
}

loadgen() {
  target/release/examples/loadgen --url "$BASE_URL" --connections "$CONNECTIONS" "$@"
}

step "memory store: ${SECONDS_PER_RUN} s at $CONNECTIONS connections"
start_authlens
soak memory

step "Redis store: ${SECONDS_PER_RUN} s at $CONNECTIONS connections"
start_redis
start_authlens --redis-url "$REDIS_URL"
soak redis

step "summary (also in $summary)"
cat "$summary"
exit "$failed"
