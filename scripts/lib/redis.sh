# Sourced after server.sh: starts a private redis-server on a free loopback port, without
# persistence, and stops it at exit by the PID in its pidfile (a test that kills and restarts
# it writes the new PID there, so the one running at exit is the one stopped).
#   start_redis   sets REDIS_PORT, REDIS_URL and REDIS_PIDFILE

start_redis() {
  REDIS_PORT=$(free_port)
  REDIS_URL="redis://127.0.0.1:$REDIS_PORT/"
  mkdir -p target/e2e
  REDIS_PIDFILE="$PWD/target/e2e/redis-$REDIS_PORT.pid"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --pidfile "$REDIS_PIDFILE" --daemonize no >"target/e2e/redis-$REDIS_PORT.log" 2>&1 &
  local pid=$!
  disown "$pid"  # a test may kill it; no "Killed" notice from this shell
  stop_at_exit "[ -f '$REDIS_PIDFILE' ] && kill \$(cat '$REDIS_PIDFILE') 2>/dev/null; kill $pid 2>/dev/null || true"
  for _ in $(seq 1 100); do
    if redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
      echo "redis-server on $REDIS_URL (pid $pid)"
      return
    fi
    sleep 0.05
  done
  echo "redis-server did not start:" >&2
  cat "target/e2e/redis-$REDIS_PORT.log" >&2
  exit 1
}
