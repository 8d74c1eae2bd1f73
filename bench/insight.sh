#!/usr/bin/env bash
# Release insight at scale: ROWS (1,000,000) deployments over the last year on SERVERS (20) servers in two environments
# (staging and production, promoted from one to the other), a new version every 10 deployments, one in ten failed, a
# rollback now and then, a watched service per server with a DOWN and an UP check every day, and a commit time for
# each version. Then GET /api/insight for the year (production, and everything), its weekly trend and the release
# matrix, each asked CALLS (30) times one after another: p50, p99 and max (goal for /api/insight over a year:
# p99 <= 200 ms).
source "$(dirname "$0")/lib.sh"
ensure_jar
ROWS="${ROWS:-1000000}"; SERVERS="${SERVERS:-20}"; CALLS="${CALLS:-30}"
DBS=()
# KEEP_DB=1 keeps the database (its name is printed) to look at the statements with psql
cleanup() { stop_all; if [ "${KEEP_DB:-0}" = 1 ]; then echo "insight  kept database ${DBS[*]}"; return; fi; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT
# a year of rows: the hourly retention (30 days by default) must not delete them under the figures
app_up insight TRIGGER_DEPLOY_RUNNERS=0 TRIGGER_DEPLOY_LOG_RETENTION_DAYS=400 TRIGGER_MONITOR_RETENTION_DAYS=400
for i in $(seq 1 "$SERVERS"); do
  env=$([ $((i % 2)) = 0 ] && echo production || echo staging)
  curl -s -o /dev/null -XPOST "$URL/api/servers" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"name\":\"s$i\",\"alias\":\"s$i\",\"host\":\"127.0.0.1\",\"user\":\"deploy\",\"path\":\"/srv/app\",\"environment\":\"$env\"}"
done
t0=$(now_ms)
psql -q "$DB" <<SQL
INSERT INTO deployments (server_id, server_alias, status, requested_by, source, environment, ref, origin, requested_at, queued_at,
                         started_at, finished_at, duration_ms, exit_code, log_lines)
SELECT s.id, s.alias, CASE WHEN g % 10 = 3 THEN 'FAILED' ELSE 'SUCCEEDED' END, 'user' || (g % 20), 'api', s.environment,
       'v' || (g / 10), CASE WHEN g % 97 = 0 THEN 'rollback' END,
       t, t, t, t + interval '20 seconds', 20000, CASE WHEN g % 10 = 3 THEN 1 ELSE 0 END, 0
FROM generate_series(1, $ROWS) g
CROSS JOIN LATERAL (SELECT now() - interval '365 days' + g * (interval '365 days' / $ROWS) AS t) tt
JOIN servers s ON s.alias = 's' || (1 + g % $SERVERS);
INSERT INTO ref_commits (ref, committed_at) SELECT 'v' || v, now() - interval '366 days' + v * (interval '365 days' / ($ROWS / 10)) - interval '2 hours'
FROM generate_series(0, $ROWS / 10) v;
INSERT INTO services (name, kind, target, interval_seconds, timeout_ms, server_id, active)
SELECT 'svc-' || alias, 'tcp', '127.0.0.1:9', 60, 1000, id, false FROM servers;
INSERT INTO service_checks (service_id, checked_at, status, cause)
SELECT sv.id, now() - d * interval '1 day' + x.o, x.st, 'schedule' FROM services sv CROSS JOIN generate_series(1, 365) d
CROSS JOIN (VALUES (interval '1 hour', 'DOWN'), (interval '80 minutes', 'UP')) x(o, st);
ANALYZE;
SQL
echo "insight  loaded $(psql -tAc 'SELECT count(*) FROM deployments' "$DB") deployments, $(psql -tAc 'SELECT count(*) FROM service_checks' "$DB") checks in $(( ($(now_ms) - t0) / 1000 )) s"
from=$(date -u -d '365 days ago' +%Y-%m-%d)
[ "$CALLS" = 0 ] && exit 0
python3 - "$URL" "$TOKEN" "$CALLS" "$from" <<'PY'
import sys, time, urllib.request
url, token, calls, since = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
t = time.monotonic()
with urllib.request.urlopen(urllib.request.Request(url + "/api/insight", headers={"Authorization": "Bearer " + token}), timeout=900) as r:
    r.read()
print("insight  first call after loading: %.1f s (builds the facts of every deployment, once)" % (time.monotonic() - t))
for q in ("/api/insight?environment=production", "/api/insight/releases", "/api/insight?environment=production&from=" + since,
          "/api/insight?from=" + since, "/api/insight/trend?environment=production"):
    times = []
    for _ in range(calls):
        t = time.monotonic()
        with urllib.request.urlopen(urllib.request.Request(url + q, headers={"Authorization": "Bearer " + token}), timeout=600) as r:
            r.read()
            assert r.status == 200, r.status
        times.append((time.monotonic() - t) * 1000)
    times.sort()
    p = lambda x: times[min(len(times) - 1, int(round(x / 100 * (len(times) - 1))))]
    print("insight  %-52s p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms  (%d calls)" % (q, p(50), p(99), times[-1], calls))
PY
