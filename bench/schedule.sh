#!/usr/bin/env bash
# Scheduling accuracy: SCHEDULES (1,000) cron schedules ("every minute") on SERVERS (100) servers, two replicas on one
# database ticking, MINUTES (2) minute boundaries. Prints due -> created lag p50/p99/max, runs per minute (each due
# run once: SCHEDULES per minute) and duplicates (must be 0). Runners are off: this measures creating runs, not SSH.
source "$(dirname "$0")/lib.sh"
ensure_jar
SCHEDULES="${SCHEDULES:-1000}"; SERVERS="${SERVERS:-100}"; MINUTES="${MINUTES:-2}"
DBS=()
cleanup() { stop_all; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT
app_up schedule TRIGGER_DEPLOY_RUNNERS=0
P2=$(free_port)
start_app "$DB" "$P2" "${LOGDIR:-/tmp}/bench-schedule-b-$$.log" TRIGGER_ADMIN_PASSWORD=bench-admin-pass TRIGGER_DEPLOY_RUNNERS=0
wait_ready "$P2" 120 || { echo "second replica not ready"; exit 1; }
for i in $(seq 1 "$SERVERS"); do
  curl -s -o /dev/null -XPOST "$URL/api/servers" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"name\":\"s$i\",\"alias\":\"s$i\",\"host\":\"127.0.0.1\",\"user\":\"deploy\",\"path\":\"/srv/app\"}"
done
# the schedules go in by SQL (the API would take a while for a thousand); both replicas pick them up at the next minute
psql -q "$DB" -c "INSERT INTO schedules (server_id, cron, time_zone, next_run_at, created_by)
  SELECT (SELECT id FROM servers WHERE alias = 's' || (1 + g % $SERVERS)), '* * * * *', 'UTC',
         date_trunc('minute', now()) + interval '1 minute', 'admin' FROM generate_series(1, $SCHEDULES) g"
first=$(psql -tAc "SELECT min(next_run_at) FROM schedules" "$DB")
echo "schedule $SCHEDULES schedules on $SERVERS servers, two replicas, first due $first; waiting $MINUTES minute boundaries"
deadline=$(( $(date +%s) + 60 * MINUTES + 75 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  n=$(psql -tAc "SELECT count(*) FROM deployments WHERE source = 'schedule'" "$DB")
  [ "$n" -ge $(( SCHEDULES * MINUTES )) ] && break
  sleep 2
done
RUNS="SELECT substring(note from '\\(schedule #([0-9]+),') AS schedule, substring(note from 'due ([^)]+)\\)')::timestamptz AS due,
             queued_at FROM deployments WHERE source = 'schedule'"
psql -tA "$DB" -c "
  SELECT 'schedule lag due->created p50=' || round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM queued_at - due))::numeric) || 'ms'
      || ' p99=' || round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM queued_at - due))::numeric) || 'ms'
      || ' max=' || round(1000 * max(extract(epoch FROM queued_at - due))::numeric) || 'ms runs=' || count(*)
      || ' expected=' || $SCHEDULES * $MINUTES FROM ($RUNS) r WHERE due < '$first'::timestamptz + $MINUTES * interval '1 minute'"
psql -tA "$DB" -c "SELECT 'schedule runs per minute: ' || string_agg(to_char(due, 'HH24:MI') || '=' || n, ' ' ORDER BY due)
  FROM (SELECT due, count(*) n FROM ($RUNS) r GROUP BY due) m"
psql -tA "$DB" -c "SELECT 'schedule duplicates (same schedule, same due time): ' || count(*)
  FROM (SELECT schedule, due FROM ($RUNS) r GROUP BY 1, 2 HAVING count(*) > 1) d"
