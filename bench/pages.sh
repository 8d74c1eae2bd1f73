#!/usr/bin/env bash
# Server-rendered pages under load with a browser session: the dashboard, its 5-second refresh fragment, the
# history, analytics (page and API) and services, with 20 servers, 2000 deployments and 10 watched services
# (each checked once, then idle). CONNS (16) clients for DURATION (20 s) per page: requests/s, p50/p99, non-2xx.
source "$(dirname "$0")/lib.sh"
ensure_jar
command -v wrk >/dev/null || { echo "wrk is required: apt-get install -y wrk"; exit 1; }
DURATION="${DURATION:-20}"; CONNS="${CONNS:-16}"
DBS=()
cleanup() { stop_all; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT
app_up pages TRIGGER_DEPLOY_RUNNERS=0 TRIGGER_MONITOR_ALLOW_NETWORKS=127.0.0.0/8 TRIGGER_MONITOR_SERVER_INTERVAL=0s
for i in $(seq 1 20); do
  curl -s -o /dev/null -XPOST "$URL/api/servers" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"name\":\"Server $i\",\"alias\":\"s$i\",\"host\":\"127.0.0.1\",\"user\":\"deploy\",\"path\":\"/srv/app\",\"environment\":\"prod\"}"
done
for i in $(seq 1 10); do
  curl -s -o /dev/null -XPOST "$URL/api/services" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"name\":\"svc$i\",\"kind\":\"http\",\"target\":\"$URL/q/health/live\",\"interval_seconds\":3600}"
done
psql -q "$DB" -c "INSERT INTO deployments (server_id, server_alias, status, requested_by, source, queued_at, started_at, finished_at, duration_ms, exit_code, error)
  SELECT s.id, s.alias, CASE WHEN g % 7 = 0 THEN 'FAILED' ELSE 'SUCCEEDED' END, 'bench', 'api',
         now() - g * interval '10 minutes', now() - g * interval '10 minutes', now() - g * interval '10 minutes' + (g % 50) * interval '1 second',
         (g % 50) * 1000, CASE WHEN g % 7 = 0 THEN 1 ELSE 0 END, CASE WHEN g % 7 = 0 THEN 'Command exited with status 1' END
  FROM generate_series(1, 2000) g JOIN servers s ON s.alias = 's' || (1 + g % 20)"
COOKIE=$(curl -s -o /dev/null -c - -d 'username=admin&password=bench-admin-pass' "$URL/login" | awk '$6 == "td_session" {print $7}')
[ -n "$COOKIE" ] || { echo "no session cookie"; exit 1; }
export COOKIE
sleep 3 # the services' first checks
for q in "/" "/partials/dashboard" "/deployments" "/analytics?days=30" "/services"; do
  PATH_QUERY="$q" wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$ROOT/bench/pages.lua" "$URL" | grep '^PAGES' \
    | sed "s/^PAGES/pages    $CONNS clients/"
done
PATH_QUERY="/api/analytics?days=30" wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$ROOT/bench/history.lua" "$URL" | grep '^HISTORY' \
  | sed "s/^HISTORY/pages    $CONNS clients/"
echo "pages    RSS after the runs: $(rss_mb "$APP_PID") MB"
