# Sourced after server.sh: what the soak and fault scripts read off a running server.
#   rss_kib PID              resident memory of a process, in KiB
#   store_counts             "sessions refresh_families" live at $BASE_URL
#   wait_until_purged        waits (up to 60 s) until $BASE_URL holds no live session or family
#   redis_used_memory PORT   bytes Redis holds for data (INFO memory's used_memory)

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

store_counts() {
  local sessions families
  sessions=$(curl -fsS "$BASE_URL/api/session/store" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
  families=$(curl -fsS "$BASE_URL/api/jwt/refresh-store" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
  echo "$sessions $families"
}

wait_until_purged() {
  for _ in $(seq 1 120); do
    if [ "$(store_counts)" = "0 0" ]; then
      # The memory stores drop expired rows on a 1 s tick: give it two.
      sleep 2
      return
    fi
    sleep 0.5
  done
  echo "rows still live 60 s after the run: $(store_counts)" >&2
  return 1
}

redis_used_memory() { redis-cli -p "$1" info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p'; }
