#!/usr/bin/env bash
# Two builds of authlens side by side, on the same machine in the same run: session /me and JWT
# /me, rounds interleaved (A, B, A, B, …) so a neighbour's load falls on both alike, and the
# median requests per second of each printed. In memory, on loopback, bounded in time.
#   scripts/ab.sh /tmp/authlens-before target/release/authlens
#   AB_SECONDS=8 AB_ROUNDS=7 AB_CONNECTIONS=32 scripts/ab.sh A B
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: scripts/ab.sh BUILD_A BUILD_B" >&2; exit 2; }
SECONDS_PER_RUN=${AB_SECONDS:-6}
ROUNDS=${AB_ROUNDS:-5}
CONNECTIONS=${AB_CONNECTIONS:-32}
source scripts/lib/server.sh
export AUTHLENS_WRAP="taskset -c 0" RUST_LOG=warn AUTHLENS_ACCESS_TTL=1h AUTHLENS_LOGIN_BURST=0

JSON='content-type: application/json'
ALICE='{"username":"alice","password":"wonderland"}'
session_cookie() { curl -fsS -D - -o /dev/null "$1/api/session/login" -H "$JSON" -d "$ALICE" | sed -n 's/^set-cookie: \(\(__Host-\)\{0,1\}authlens_sid=[^;]*\).*/\1/Ip'; }
access_token() { curl -fsS "$1/api/jwt/login" -H "$JSON" -d "$ALICE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'; }
# Requests per second of one wrk run (wrk on CPU 1, the servers on CPU 0).
rate() {
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -H "$2" "$1" | awk '/^Requests\/sec/ {print $2}'
}

declare -A url cookie bearer
for side in A B; do
  if [ $side = A ]; then AUTHLENS_BIN=$1; else AUTHLENS_BIN=$2; fi
  export AUTHLENS_BIN
  start_authlens >&2
  url[$side]=$BASE_URL
  cookie[$side]="cookie: $(session_cookie "$BASE_URL")"
  bearer[$side]="authorization: Bearer $(access_token "$BASE_URL")"
done

results=$(mktemp -d)
stop_at_exit "rm -rf '$results'"
for round in $(seq 1 "$ROUNDS"); do
  for side in A B; do
    rate "${url[$side]}/api/session/me" "${cookie[$side]}" >>"$results/session-$side"
    rate "${url[$side]}/api/jwt/me" "${bearer[$side]}" >>"$results/jwt-$side"
  done
  echo "round $round of $ROUNDS done" >&2
done

median() { sort -n "$1" | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
printf '%-14s %12s %12s %8s   (median req/s of %s rounds, %s s each, %s connections)\n' endpoint A B B/A "$ROUNDS" "$SECONDS_PER_RUN" "$CONNECTIONS"
for endpoint in session jwt; do
  a=$(median "$results/$endpoint-A"); b=$(median "$results/$endpoint-B")
  printf '%-14s %12.0f %12.0f %8.3f\n' "$endpoint /me" "$a" "$b" "$(echo "$b / $a" | bc -l)"
done
