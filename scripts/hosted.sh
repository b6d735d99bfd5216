#!/usr/bin/env bash
# The hosted deployment of the README's "Hosting on several processes", tested as a visitor
# meets it: a real redis-server, two authlens processes (the last debug build) and HAProxy
# with deploy/haproxy.cfg terminating TLS for https://authlens.test:<port> and
# https://attacker.test:<port>, with a certificate made here for both names. Chromium maps
# both names to 127.0.0.1 (end2end/hosted.config.ts) and runs the home page's experiments, the
# lab's claims and end2end/hosted/hosted.spec.ts, which stops one authlens by its PID.
# Everything listens on 127.0.0.1 and is stopped by its PID at exit.
#   scripts/hosted.sh [playwright args…]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/server.sh
source scripts/lib/redis.sh

for tool in haproxy openssl; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/setup.sh" >&2; exit 1; }
done

work=target/hosted
rm -rf "$work"
mkdir -p "$work"
# One certificate covering both names, as the README tells an operator to get.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=authlens.test" -addext "subjectAltName=DNS:authlens.test,DNS:attacker.test" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
cat "$work/cert.pem" "$work/key.pem" >"$work/authlens.pem"
# Every process signs and verifies with the same secret.
head -c 48 /dev/urandom >"$work/jwt-secret"

https_port=$(free_port)
http_port=$(free_port)
start_redis
shared=(--redis-url "$REDIS_URL" --redis-prefix "hosted:" --jwt-secret-file "$work/jwt-secret"
  --trusted-proxy 127.0.0.1 --attacker-origin "https://attacker.test:$https_port")
start_authlens "${shared[@]}"
first_url=$BASE_URL first_pid=$SERVER_PID
start_authlens "${shared[@]}"
second_url=$BASE_URL second_pid=$SERVER_PID

AUTHLENS_HTTPS_BIND="127.0.0.1:$https_port" AUTHLENS_HTTP_BIND="127.0.0.1:$http_port" \
  AUTHLENS_CERT="$work/authlens.pem" AUTHLENS_1="${first_url#http://}" AUTHLENS_2="${second_url#http://}" \
  haproxy -f deploy/haproxy.cfg -db >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
stop_at_exit "kill $haproxy_pid 2>/dev/null || true; wait $haproxy_pid 2>/dev/null || true"

site="https://authlens.test:$https_port"
resolve=(--resolve "authlens.test:$https_port:127.0.0.1" --resolve "attacker.test:$https_port:127.0.0.1")
for _ in $(seq 1 100); do
  if curl -fsS --cacert "$work/cert.pem" "${resolve[@]}" "$site/api/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$haproxy_pid" 2>/dev/null; then
    echo "haproxy exited during start-up:" >&2
    cat "$work/haproxy.log" >&2
    exit 1
  fi
  sleep 0.1
done
curl -fsS --cacert "$work/cert.pem" "${resolve[@]}" "$site/api/health" >/dev/null
echo "haproxy on $site (pid $haproxy_pid, log $work/haproxy.log) in front of $first_url and $second_url"

(cd end2end && BASE_URL="$site" AUTHLENS_PIDS="$first_pid,$second_pid" \
  AUTHLENS_BACKENDS="$first_url,$second_url" REDIS_PORT="$REDIS_PORT" REDIS_PIDFILE="$REDIS_PIDFILE" \
  npx playwright test --config hosted.config.ts "$@")

# The home page really was served round robin by both processes (HAProxy's log, a line each).
echo "requests served, by backend/process (HAProxy's log):"
grep -oE " authlens(_lab)?/authlens[12] " "$work/haproxy.log" | sort | uniq -c
for process in authlens1 authlens2; do
  if ! grep -q " authlens/$process " "$work/haproxy.log"; then
    echo "the home page was never served by $process: not round robin" >&2
    exit 1
  fi
done
