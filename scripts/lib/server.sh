# Sourced by scripts that need a running authlens: starts it on a free loopback port,
# waits until it answers, and stops it by its own PID when the calling script exits.
#   start_authlens [extra server args…]   sets BASE_URL and SERVER_PID
#   AUTHLENS_BIN picks the binary (default: the debug build); AUTHLENS_WRAP a command that execs
#   it (e.g. "taskset -c 0", so the PID stays the server's).
# Several may be started; each is stopped at exit (see stop_at_exit).

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# Commands run when the script exits, newest first; one trap for all of them.
AT_EXIT=()
stop_at_exit() {
  AT_EXIT=("$1" "${AT_EXIT[@]}")
  trap 'for command in "${AT_EXIT[@]}"; do eval "$command"; done' EXIT
}

start_authlens() {
  local bin=${AUTHLENS_BIN:-target/debug/authlens}
  [ -x "$bin" ] || { echo "$bin is missing; build with 'cargo leptos build' first" >&2; exit 1; }
  compgen -G "target/site/pkg/*.wasm" >/dev/null || { echo "target/site has no built front end; run 'cargo leptos build'" >&2; exit 1; }

  local log_dir=target/e2e
  mkdir -p "$log_dir"
  local port
  port=$(free_port)
  BASE_URL="http://127.0.0.1:$port"
  local log="$log_dir/server-$port.log"

  # A short access-token life so experiment 5 (the token outliving logout) ends in seconds,
  # and a login allowance above what the whole suite uses from one address in a minute
  # (the limit itself is tested in server/tests/login_limit.rs), and room for the bulk runs the
  # two Playwright workers start at once (the ceiling itself is tested in server/tests/visitors.rs).
  # Every Playwright visitor comes from 127.0.0.1, one address, which may hold only a share of
  # each ceiling (half the bulk runs, a quarter of the clusters, half the lab nodes): the
  # ceilings are raised so that one address's share holds the suite's visitors (each lab test
  # keeps its cluster until it idles out). The shares are tested in server/tests/visitors.rs.
  AUTHLENS_ADDR="127.0.0.1:$port" AUTHLENS_SITE_ROOT=target/site RUST_LOG=${RUST_LOG:-info,tower_http=warn} \
    AUTHLENS_ACCESS_TTL=${AUTHLENS_ACCESS_TTL:-10s} AUTHLENS_LOGIN_BURST=${AUTHLENS_LOGIN_BURST:-300} \
    AUTHLENS_MAX_BULK_RUNS=${AUTHLENS_MAX_BULK_RUNS:-8} AUTHLENS_MAX_CLUSTERS=${AUTHLENS_MAX_CLUSTERS:-64} \
    AUTHLENS_MAX_LAB_NODES=${AUTHLENS_MAX_LAB_NODES:-256} \
    ${AUTHLENS_WRAP:-} "$bin" "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  stop_at_exit "kill $SERVER_PID 2>/dev/null || true; wait $SERVER_PID 2>/dev/null || true"

  # Wait for the server to answer (argon2 seeding takes a moment), or for it to die.
  for _ in $(seq 1 300); do
    if curl -fsS "$BASE_URL/api/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "authlens exited during start-up:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  curl -fsS "$BASE_URL/api/health" >/dev/null
  echo "authlens on $BASE_URL (pid $SERVER_PID, log $log)"
}
