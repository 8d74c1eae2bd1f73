#!/usr/bin/env bash
# Time to ready and RSS of the packaged jar (fresh database, then an up-to-date one),
# and the 8-way concurrent start against one empty database (time until all are ready).
source "$(dirname "$0")/lib.sh"
ensure_jar
REPLICAS="${REPLICAS:-8}"
DBS=()
cleanup() { stop_all; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT

db=$(new_db single); DBS+=("$db")
for phase in "fresh database (migrates)" "up-to-date database (skips Liquibase)"; do
  port=$(free_port); log=$(mktemp)
  t0=$(now_ms); start_app "$db" "$port" "$log" TRIGGER_ADMIN_PASSWORD=bench-admin-pass
  wait_ready "$port" 120 || { echo "not ready; log:"; cat "$log"; exit 1; }
  t1=$(now_ms); sleep 1
  printf '%-42s ready in %5d ms   RSS after start %4s MB   (%s)\n' "$phase" $((t1 - t0)) "$(rss_mb "$APP_PID")" "$JAVA_OPTS"
  stop_all
done

db=$(new_db concurrent); DBS+=("$db")
ports=(); t0=$(now_ms)
for i in $(seq 1 "$REPLICAS"); do p=$(free_port); ports+=("$p"); start_app "$db" "$p" "$(mktemp)"; done
for p in "${ports[@]}"; do wait_ready "$p" 300 || { echo "replica on $p not ready"; exit 1; }; done
t1=$(now_ms)
admins=$(psql -tAc "SELECT count(*) FROM users WHERE role='admin'" "$db")
changes=$(psql -tAc "SELECT count(*) || ' rows, ' || count(DISTINCT id) || ' distinct' FROM databasechangelog" "$db")
total_rss=0; for p in "${PIDS[@]}"; do total_rss=$(( total_rss + $(rss_mb "$p") )); done
printf '%d replicas, one empty database:        all ready in %5d ms   admins=%s changelog=%s   total RSS %d MB\n' \
  "$REPLICAS" $((t1 - t0)) "$admins" "$changes" "$total_rss"
