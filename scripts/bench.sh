#!/usr/bin/env bash
# What each approach costs, measured side by side on loopback, checked against the budgets, and
# written to bench/results.json (the app's /cost page shows that file).
#   scripts/bench.sh                 about 4 minutes after the release build
#   BENCH_SECONDS=20 BENCH_ROUNDS=5 BENCH_CONNECTIONS=64 scripts/bench.sh
# Each endpoint runs BENCH_ROUNDS times, the endpoints interleaved, and the median round counts:
# on a shared machine one run can lose a tenth of its speed to a neighbour.
# The server runs on CPU 0, wrk and redis-server on CPU 1 (taskset), so neither eats the
# server's time. Micro benchmarks are separate: cargo bench -p server.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
SECONDS_PER_RUN=${BENCH_SECONDS:-6}
ROUNDS=${BENCH_ROUNDS:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
SESSIONS=100000
TOKENS=100000
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "release build (what make run serves) and the plain axum hello-world it is compared with"
# One cargo run builds both binaries: built apart, with other flags than cargo-leptos passes, the
# hello-world would recompile the server crates (minutes, with the release profile's LTO).
cargo leptos build --release --precompress --split --bin-cargo-args=--bin=hello-world
source scripts/lib/server.sh
source scripts/lib/redis.sh
export AUTHLENS_BIN=target/release/authlens AUTHLENS_WRAP="taskset -c 0" RUST_LOG=warn
export AUTHLENS_ACCESS_TTL=1h AUTHLENS_LOGIN_BURST=0   # tokens outlive the runs; the flood is not rate limited
results=$(mktemp -d)
stop_at_exit "rm -rf '$results'"

JSON='content-type: application/json'
ALICE='{"username":"alice","password":"wonderland"}'
session_cookie() { curl -fsS -D - -o /dev/null "$1/api/session/login" -H "$JSON" -d "$ALICE" | sed -n 's/^set-cookie: \(\(__Host-\)\{0,1\}authlens_sid=[^;]*\).*/\1/Ip'; }
access_token() { curl -fsS "$1/api/jwt/login" -H "$JSON" -d "$ALICE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'; }

# The CPU time a process has used so far, in clock ticks (user + system).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICKS_PER_SECOND=$(getconf CLK_TCK)

# load NAME PID URL [wrk options]: one wrk run against the server with that PID; its JSON line,
# with the server's CPU seconds during the run added, goes to $results/NAME.json
load() {
  local name=$1 pid=$2 url=$3
  shift 3
  local before line
  before=$(cpu_ticks "$pid")
  line=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s scripts/bench/report.lua "$@" "$url" \
    | sed -n 's/^RESULT //p')
  local cpu_seconds
  cpu_seconds=$(python3 -c "print(($(cpu_ticks "$pid") - $before) / $TICKS_PER_SECOND)")
  echo "${line%\}},\"server_cpu_s\":$cpu_seconds}" >"$results/$name.json"
  printf '%-34s %s\n' "$name" "$(cat "$results/$name.json")"
}

step "servers: memory + HS256, Redis + HS256, memory + EdDSA"
start_redis
taskset -cp 1 "$(cat "$REDIS_PIDFILE")" >/dev/null   # with wrk: CPU 0 stays the server's alone
start_authlens; MEMORY=$BASE_URL; MEMORY_PID=$SERVER_PID
start_authlens --redis-url "$REDIS_URL"; REDIS=$BASE_URL; REDIS_PID=$SERVER_PID
start_authlens --jwt-alg eddsa; EDDSA=$BASE_URL; EDDSA_PID=$SERVER_PID
# The limit: axum with no layers, on the same CPU, answering the same JSON; and the same with
# the security headers authlens puts on every JSON answer (the same bytes, still no layer).
# start_hello NAME [args]: sets NAME (its URL) and NAME_PID
start_hello() {
  local name=$1 log
  shift
  log=$(mktemp)
  taskset -c 0 target/release/hello-world 127.0.0.1:0 "$@" >"$log" &
  local pid=$!
  stop_at_exit "kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f '$log'"
  for _ in $(seq 1 100); do grep -q listening "$log" && break; sleep 0.05; done
  printf -v "$name" '%s' "$(sed -n 's/^listening on //p' "$log")"
  printf -v "${name}_PID" '%s' "$pid"
  curl -fsS "${!name}/api/health" >/dev/null
}
start_hello HELLO
start_hello HELLO_HEADERS --security-headers

step "throughput and latency ($CONNECTIONS connections, ${SECONDS_PER_RUN} s per run, $ROUNDS rounds)"
MEMORY_COOKIE=$(session_cookie "$MEMORY")
REDIS_COOKIE=$(session_cookie "$REDIS")
HS256_TOKEN=$(access_token "$MEMORY")
EDDSA_TOKEN=$(access_token "$EDDSA")
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d2s "$MEMORY/api/health" >/dev/null   # warm-up
for round in $(seq 1 "$ROUNDS"); do
  load "hello_world.$round" "$HELLO_PID" "$HELLO/api/health"
  load "hello_world_headers.$round" "$HELLO_HEADERS_PID" "$HELLO_HEADERS/api/health"
  load "health.$round" "$MEMORY_PID" "$MEMORY/api/health"
  load "session_memory_me.$round" "$MEMORY_PID" "$MEMORY/api/session/me" -H "Cookie: $MEMORY_COOKIE"
  load "session_redis_me.$round" "$REDIS_PID" "$REDIS/api/session/me" -H "Cookie: $REDIS_COOKIE"
  load "jwt_hs256_me.$round" "$MEMORY_PID" "$MEMORY/api/jwt/me" -H "Authorization: Bearer $HS256_TOKEN"
  load "jwt_eddsa_me.$round" "$EDDSA_PID" "$EDDSA/api/jwt/me" -H "Authorization: Bearer $EDDSA_TOKEN"
done

step "session /me while 4 connections flood the login (argon2id) on the same server"
taskset -c 1 wrk -t1 -c4 -d"$((SECONDS_PER_RUN + 2))s" -s scripts/bench/login.lua "$MEMORY/api/session/login" \
  | sed -n 's/^RESULT //p' >"$results/login_flood.json" &
flood=$!
sleep 1   # the flood is under way before the measurement starts
load session_memory_me_under_login_flood "$MEMORY_PID" "$MEMORY/api/session/me" -H "Cookie: $MEMORY_COOKIE"
wait $flood
printf '%-34s %s\n' login_flood "$(cat "$results/login_flood.json")"

step "memory: $SESSIONS sessions, then $TOKENS JWTs, each on a fresh server"
start_authlens
curl -fsS "$BASE_URL/api/lab/bulk" -H "$JSON" -d "{\"kind\":\"sessions\",\"count\":$SESSIONS}" >"$results/memory_sessions.json"
echo "sessions: $(cat "$results/memory_sessions.json")"
start_authlens
# A first round warms the allocator (buffers it keeps for reuse); the second shows what each
# further JWT costs the server, which is what "grows per JWT" means.
curl -fsS "$BASE_URL/api/lab/bulk" -H "$JSON" -d "{\"kind\":\"tokens\",\"count\":$TOKENS}" >/dev/null
curl -fsS "$BASE_URL/api/lab/bulk" -H "$JSON" -d "{\"kind\":\"tokens\",\"count\":$TOKENS}" >"$results/memory_tokens.json"
echo "tokens:   $(cat "$results/memory_tokens.json")"

step "front end: release wasm size, bytes on the wire, and time until interactive in Chromium"
scripts/wasm_size.sh --json >"$results/wasm.json"
(cd end2end && BASE_URL="$MEMORY" node tools/interactive.mjs) >"$results/interactive.json"
echo "wasm: $(cat "$results/wasm.json")  interactive: $(cat "$results/interactive.json")"

step "results and budgets"
mkdir -p bench
python3 scripts/bench/report.py "$results" bench/results.json \
  --connections "$CONNECTIONS" --seconds "$SECONDS_PER_RUN" --rounds "$ROUNDS" --sessions "$SESSIONS" --tokens "$TOKENS"
