#!/usr/bin/env bash
# Authenticated reads at CONNS (64) concurrent clients for DURATION (30 s) each: /api/me,
# /api/deployments?limit=50 and /api/servers: requests/s, p50/p99, non-2xx (must be 0), each after WARMUP
# (10) seconds of the same load, printed as "cold". Needs wrk.
source "$(dirname "$0")/lib.sh"
ensure_jar
command -v wrk >/dev/null || { echo "wrk is required: apt-get install -y wrk"; exit 1; }
DURATION="${DURATION:-30}"; CONNS="${CONNS:-64}"
DBS=()
cleanup() { stop_all; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT
app_up api TRIGGER_DEPLOY_RUNNERS=0
for i in $(seq 1 20); do
  curl -s -o /dev/null -XPOST "$URL/api/servers" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"name\":\"s$i\",\"alias\":\"s$i\",\"host\":\"127.0.0.1\",\"user\":\"deploy\",\"path\":\"/srv/app\"}"
done
sid=$(psql -tAc "SELECT min(id) FROM servers" "$DB")
psql -q "$DB" -c "INSERT INTO deployments (server_id, server_alias, status, requested_by, source, queued_at, started_at, finished_at, duration_ms, exit_code)
  SELECT $sid, 's1', 'SUCCEEDED', 'bench', 'api', now() - g * interval '1 minute', now() - g * interval '1 minute',
         now() - g * interval '1 minute' + interval '3 seconds', 3000, 0 FROM generate_series(1, 1000) g"
# WARMUP seconds per path first (JIT still compiling: printed as "cold"), then DURATION measured warm
for q in "/api/me" "/api/deployments?limit=50" "/api/servers"; do
  [ "${WARMUP:-10}" -gt 0 ] && PATH_QUERY="$q" wrk -t2 -c"$CONNS" -d"${WARMUP:-10}s" -s "$ROOT/bench/history.lua" "$URL" | grep '^HISTORY' \
    | sed "s/^HISTORY/api      $CONNS clients (cold, first ${WARMUP:-10} s)/"
  PATH_QUERY="$q" wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$ROOT/bench/history.lua" "$URL" | grep '^HISTORY' \
    | sed "s/^HISTORY/api      $CONNS clients/"
done
