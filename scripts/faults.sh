#!/usr/bin/env bash
# Fault injection, each fault under real load or real state, each with a verdict:
#   1. Redis killed mid-load (SIGKILL), then restarted on the same port: session routes answer
#      503 JSON within a bounded time while it is down, JWT verification is unaffected, and
#      sessions work again without restarting authlens.
#   2. authlens restarted (same JWT secret): sessions and refresh families in memory are gone,
#      those in Redis survive; access tokens verify either way (they live in the browser).
#   3. Graceful shutdown: requests in flight when SIGTERM arrives still get their answers.
#   scripts/faults.sh            about 1 minute after the release build
# Reports: target/faults/*.json and target/faults/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/under_load.sh
# One signing secret for every server here, so a restart keeps tokens verifiable (scenario 2).
mkdir -p target/faults
head -c 32 /dev/urandom >target/faults/jwt-secret
export AUTHLENS_JWT_SECRET_FILE=target/faults/jwt-secret AUTHLENS_ACCESS_TTL=1h
summary=target/faults/summary.txt
: >"$summary"
now() { date +%s.%N; }

step "1. Redis killed under load, then restarted"
start_redis
start_authlens --redis-url "$REDIS_URL" --redis-timeout 1s
started=$(now)
# Users who logged in once and keep calling /me (a store read per session call, a signature
# check per token call), with 5 ms of think time so the machine is busy but not saturated.
target/release/examples/loadgen --url "$BASE_URL" --connections 32 --duration 24s --think 5ms \
  --flows session-me,jwt-me --out target/faults/redis-outage.json >/dev/null &
load=$!
# Wait until both flows are answering, then pull the plug.
sleep 6
killed=$(now)
kill -KILL "$(cat "$REDIS_PIDFILE")"
sleep 8
restarted=$(now)
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
  --pidfile "$REDIS_PIDFILE" --daemonize no >>"target/e2e/redis-$REDIS_PORT.log" 2>&1 &
disown $!
wait "$load"
python3 scripts/faults/verdict.py outage target/faults/redis-outage.json \
  "$(python3 -c "print($killed - $started)")" "$(python3 -c "print($restarted - $started)")" \
  | tee -a "$summary"

step "2. authlens restarted: memory forgets, Redis remembers"
JSON='content-type: application/json'
ALICE='{"username":"alice","password":"wonderland"}'
restart_scenario() {
  local store=$1
  shift
  start_authlens "$@"
  local cookie tokens access refresh
  cookie=$(curl -fsS -D - -o /dev/null "$BASE_URL/api/session/login" -H "$JSON" -d "$ALICE" \
    | sed -n 's/^set-cookie: \(\(__Host-\)\{0,1\}authlens_sid=[^;]*\).*/\1/Ip')
  tokens=$(curl -fsS "$BASE_URL/api/jwt/login" -H "$JSON" -d "$ALICE")
  access=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["access_token"])' "$tokens")
  refresh=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["refresh_token"])' "$tokens")
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
  start_authlens "$@"
  local session_me jwt_me jwt_refresh
  session_me=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE_URL/api/session/me" -H "cookie: $cookie")
  jwt_me=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE_URL/api/jwt/me" -H "authorization: Bearer $access")
  jwt_refresh=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE_URL/api/jwt/refresh" -H "$JSON" \
    -d "{\"refresh_token\":\"$refresh\"}")
  python3 scripts/faults/verdict.py restart "$store" "$session_me" "$jwt_me" "$jwt_refresh" | tee -a "$summary"
}
restart_scenario memory
restart_scenario redis --redis-url "$REDIS_URL"

step "3. graceful shutdown drains requests in flight"
start_authlens
# 48 logins (argon2, queued on two cores: about a second of work) in flight when SIGTERM
# arrives; each records its status and when its answer came.
clients=()
for n in $(seq 1 48); do
  (curl -sS -o /dev/null -w '%{http_code}' "$BASE_URL/api/session/login" -H "$JSON" -d "$ALICE" \
    || true; echo " $(now)") >"target/faults/drain-login-$n.out" &
  clients+=($!)
done
sleep 0.2
open_connections=$(ss -Htn state established "( sport = :${BASE_URL##*:} )" | wc -l)
terminated=$(now)
kill -TERM "$SERVER_PID"
exit_status=0
wait "$SERVER_PID" || exit_status=$?
stopped=$(now)
for client in "${clients[@]}"; do wait "$client"; done
after=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE_URL/api/health" 2>/dev/null || true)
python3 scripts/faults/verdict.py drain "$open_connections" "$exit_status" "$terminated" "$stopped" \
  "$after" target/faults/drain-login-*.out | tee -a "$summary"

step "summary (also in $summary)"
cat "$summary"
! grep -q FAIL "$summary"
