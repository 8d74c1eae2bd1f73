#!/usr/bin/env bash
# History queries with ROWS (1,000,000) deployments and LINES_PER (10) log lines each (10,000,000 lines):
# pages of 50 (first, deep cursor, filtered), one deployment's log, the statistics endpoint, and log searches (a rare
# phrase, a very rare one, a word prefix, a term on every line, a phrase of common words), with the sizes of the trigram
# and word indexes. Needs wrk.
source "$(dirname "$0")/lib.sh"
ensure_jar
ROWS="${ROWS:-1000000}"; LINES_PER="${LINES_PER:-10}"; DURATION="${DURATION:-10}"
DBS=()
cleanup() { stop_all; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT
app_up scale TRIGGER_DEPLOY_RUNNERS=0
curl -s -o /dev/null -XPOST "$URL/api/servers" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"name":"big","alias":"big","host":"127.0.0.1","user":"deploy","path":"/srv/app"}'
t0=$(now_ms)
psql -q "$DB" -c "INSERT INTO deployments (server_id, server_alias, status, requested_by, source, queued_at, started_at, finished_at, duration_ms, exit_code, log_lines)
  SELECT (SELECT id FROM servers WHERE alias = 'big'), 'big', CASE WHEN g % 10 = 0 THEN 'FAILED' ELSE 'SUCCEEDED' END, 'user' || (g % 20), 'api',
         now() - g * interval '2 seconds', now() - g * interval '2 seconds', now() - g * interval '2 seconds' + interval '1 second', 1000 + g % 500, 0, $LINES_PER
  FROM generate_series(1, $ROWS) g"
psql -q "$DB" -c "INSERT INTO deployment_logs (deployment_id, line_no, logged_at, stream, text)
  SELECT d.id, l, d.started_at + l * interval '1 millisecond', 'o',
         CASE WHEN (d.id * 10 + l) % 9973 = 0 THEN 'ERROR: connection refused to db-' || (d.id % 97) || ':5432'
              ELSE 'output line ' || l || ' of deployment ' || d.id END
  FROM deployments d CROSS JOIN generate_series(1, $LINES_PER) l"
psql -q "$DB" -c "ANALYZE"
echo "scale    loaded $(psql -tAc 'SELECT count(*) FROM deployments' "$DB") deployments and $(psql -tAc 'SELECT count(*) FROM deployment_logs' "$DB") log lines in $(( ($(now_ms) - t0) / 1000 )) s; table sizes: $(psql -tAc "SELECT pg_size_pretty(pg_total_relation_size('deployments')) || ' + ' || pg_size_pretty(pg_total_relation_size('deployment_logs'))" "$DB")"
mid=$(psql -tAc "SELECT id FROM deployments ORDER BY id DESC OFFSET $((ROWS / 2)) LIMIT 1" "$DB")
for q in "/api/deployments?limit=50" "/api/deployments?limit=50&cursor=$mid" "/api/deployments?limit=50&server=big&status=FAILED&user=user3" \
         "/api/deployments?limit=50&from=2026-01-01T00:00:00Z&to=2099-01-01T00:00:00Z" "/api/deployments/$mid/log" "/api/deployments/stats"; do
  PATH_QUERY="$q" wrk -t1 -c4 -d"${DURATION}s" -s "$ROOT/bench/history.lua" "$URL" | grep '^HISTORY' | sed 's/^HISTORY/scale   /'
done
echo "scale    log search over $(psql -tAc 'SELECT count(*) FROM deployment_logs' "$DB") lines; trigram index $(psql -tAc "SELECT coalesce(pg_size_pretty(pg_relation_size('deployment_logs_text_trgm')), 'absent')" "$DB"), word index $(psql -tAc "SELECT coalesce(pg_size_pretty(pg_relation_size('deployment_logs_words')), 'absent')" "$DB")"
for q in "/api/search/logs?q=%22connection%20refused%22&limit=50" "/api/search/logs?q=%22deployment%20424242%22&limit=50" \
         "/api/search/logs?q=refus*%20db-42&limit=50" "/api/search/logs?q=output%20line&limit=50" \
         "/api/search/logs?q=%22line%203%20of%20deployment%22&limit=50"; do
  PATH_QUERY="$q" wrk -t1 -c4 -d"${DURATION}s" -s "$ROOT/bench/history.lua" "$URL" | grep '^HISTORY' | sed 's/^HISTORY/scale   /'
done
