#!/usr/bin/env bash
# Runs the Playwright suites against freshly started authlens servers.
#   scripts/e2e.sh [main|lab] [playwright args…]   both suites when neither is named
#   AUTHLENS_BIN=target/release/authlens scripts/e2e.sh   to test a release build
# main: end2end/tests against a server with in-memory stores.
# lab:  end2end/lab (claims 11-14) one test at a time against a server whose central store is
#       a private redis-server, which the tests may kill and restart by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/server.sh
source scripts/lib/redis.sh

suites=(main lab)
if [ "${1:-}" = main ] || [ "${1:-}" = lab ]; then suites=("$1"); shift; fi

for suite in "${suites[@]}"; do
  if [ "$suite" = main ]; then
    start_authlens
    (cd end2end && BASE_URL="$BASE_URL" npx playwright test "$@")
  else
    start_redis
    start_authlens --redis-url "$REDIS_URL"
    (cd end2end && BASE_URL="$BASE_URL" REDIS_PORT="$REDIS_PORT" REDIS_PIDFILE="$REDIS_PIDFILE" \
      npx playwright test --config lab.config.ts "$@")
  fi
done
