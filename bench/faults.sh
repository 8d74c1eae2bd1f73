#!/usr/bin/env bash
# Fault scenarios: (a) kill -9 during migration, the next start recovers; (b) PostgreSQL restarted under
# load: 503 while away, recovery without restart, no queued deployment lost; (c) a replica killed
# mid-deployment is marked INTERRUPTED by another within the lease. (d), 16 replicas on an empty
# database, is in startup.sh (COPIES=16). Restarts the local PostgreSQL cluster for (b).
# SCENARIOS="a c" runs some of them; POINTS="0 5 10" sets where (a) kills; BENCH_JAR runs another build.
# Exits non-zero when any scenario fails, and prints the failing ones last.
source "$(dirname "$0")/lib.sh"
ensure_jar
DBS=(); SSHD_PID=""
cleanup() { stop_all; [ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT
pg_restart() { pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main "$1"; }

FAILED=()   # one line per failed scenario, printed last
fail() { FAILED+=("$1"); }
want() { [[ " ${SCENARIOS:-a b c} " == *" $1 "* ]]; }

if want a; then
echo "== (a) kill -9 during the first migration, at several points (POINTS: changesets recorded before the kill)"
total=$(grep -c '<changeSet ' "$ROOT"/src/main/resources/db/changelog/*.xml | awk -F: '{n+=$2} END {print n}')
ready_points=0; tried=0
for n in ${POINTS:-0 5 10 15 20 25}; do
  db=$(new_db fault_a); DBS+=("$db"); p1=$(free_port)
  start_app "$db" "$p1" /tmp/fault-a1.log TRIGGER_ADMIN_PASSWORD=bench-admin-pass; victim=$APP_PID
  # n = 0: kill as soon as Liquibase holds its changelog lock; else once n changesets are recorded
  if [ "$n" = 0 ]; then
    q="SELECT CASE WHEN to_regclass('databasechangeloglock') IS NULL THEN 0 ELSE (SELECT locked::int FROM databasechangeloglock WHERE id = 1) END"
  else
    q="SELECT CASE WHEN to_regclass('databasechangelog') IS NULL THEN 0 ELSE (SELECT (count(*) >= $n)::int FROM databasechangelog) END"
  fi
  hit=0
  for _ in $(seq 1 6000); do
    [ "$(psql -tAc "$q" "$db" 2>/dev/null || true)" = 1 ] && { hit=1; break; }
    kill -0 "$victim" 2>/dev/null || break
    sleep 0.005
  done
  kill -9 "$victim" 2>/dev/null || true; wait "$victim" 2>/dev/null || true
  held=$(psql -tAc "SELECT CASE WHEN to_regclass('databasechangeloglock') IS NULL THEN 'no table' ELSE (SELECT locked::text FROM databasechangeloglock WHERE id = 1) END" "$db" 2>/dev/null || echo '?')
  applied=$(psql -tAc "SELECT CASE WHEN to_regclass('databasechangelog') IS NULL THEN 0 ELSE (SELECT count(*) FROM databasechangelog) END" "$db" 2>/dev/null || echo 0)
  p2=$(free_port); t0=$(now_ms)
  start_app "$db" "$p2" /tmp/fault-a2.log TRIGGER_ADMIN_PASSWORD=bench-admin-pass
  ok=1
  if wait_ready "$p2" 120 "$APP_PID"; then r="ready in $(( $(now_ms) - t0 )) ms"; else r="NOT READY"; ok=0; fi
  rows=$(psql -tAc "SELECT count(*) || ' rows / ' || count(DISTINCT id) || ' distinct' FROM databasechangelog" "$db" 2>/dev/null || echo "no changelog")
  [ "$rows" = "$total rows / $total distinct" ] || ok=0
  admins=$(psql -tAc "SELECT count(*) FROM users WHERE role = 'admin'" "$db" 2>/dev/null || echo 0)
  [ "$admins" = 1 ] || ok=0
  errs=$(grep -c ' ERROR ' /tmp/fault-a2.log || true)
  [ "$errs" = 0 ] || ok=0
  line="faults   (a) point $n: killed with changelog lock held=$held after $applied changesets recorded$([ $hit = 1 ] || echo ' (the point was not reached: killed at the end)'); next start $r; changelog $rows of $total; admins $admins; ERROR lines $errs"
  echo "$line"
  [ "$ok" = 0 ] && { fail "$line"; grep ' ERROR ' /tmp/fault-a2.log | head -3 | sed 's/^/           /'; }
  tried=$((tried + 1)); ready_points=$((ready_points + ok))
  stop_all; drop_db "$db"
done
echo "faults   (a) $ready_points of $tried crash points recovered (ready, every changeset once, one admin, no ERROR)"
fi

if want b; then
echo "== (b) PostgreSQL restarted under load"
app_up fault_b TRIGGER_DEPLOY_RUNNERS=0
curl -s -o /dev/null -XPOST "$URL/api/servers" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"name":"q","alias":"q","host":"127.0.0.1","user":"deploy","path":"/srv/app"}'
for i in $(seq 1 20); do curl -s -o /dev/null -XPOST "$URL/api/deployments" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"server":"q"}'; done
queued_before=$(psql -tAc "SELECT count(*) FROM deployments WHERE status = 'QUEUED'" "$DB")
codes=$(mktemp)
( end=$(( $(date +%s) + 25 )); while [ "$(date +%s)" -lt "$end" ]; do
    echo "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$URL/api/deployments?limit=5" -H "Authorization: Bearer $TOKEN") $(now_ms)"
    sleep 0.05; done > "$codes" ) & LOAD=$!
sleep 3; t_down=$(now_ms); pg_restart stop; sleep 5
during=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$URL/api/deployments" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"server":"q"}')
ready_during=$(curl -s -o /dev/null -w '%{http_code}' "$URL/q/health/ready")
pg_restart start; t_up=$(now_ms)
rec=""; for _ in $(seq 1 600); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/q/health/ready")" = 200 ] && { rec=$(( $(now_ms) - t_up )); break; }; sleep 0.05; done
wait "$LOAD"
queued_after=$(psql -tAc "SELECT count(*) FROM deployments WHERE status = 'QUEUED'" "$DB")
summary=$(awk '{c[$1]++} END {for (k in c) printf "%s×%d ", k, c[k]}' "$codes")
fivexx=$(awk '$1 >= 500 && $1 != 503 {n++} END {print n+0}' "$codes")
line="faults   (b) while PostgreSQL was down: trigger=$during ready=$ready_during; reads by status: $summary; non-503 5xx=$fivexx; ready again $rec ms after PostgreSQL started; queued deployments before=$queued_before after=$queued_after"
echo "$line"
if [ -z "$rec" ] || [ "$fivexx" != 0 ] || [ "$during" != 503 ] || [ "$queued_after" -lt "$queued_before" ]; then fail "$line"; fi
stop_all
fi

if want c; then

echo "== (c) a replica killed mid-deployment"
sshd_up
printf '#!/bin/sh\necho start\nsleep 60\n' > "$SSHD_DIR/app/long.sh"; chmod +x "$SSHD_DIR/app/long.sh"
db=$(new_db fault_c); DBS+=("$db")
pa=$(free_port); pb=$(free_port)
start_app "$db" "$pa" /tmp/fault-ca.log TRIGGER_ADMIN_PASSWORD=bench-admin-pass TRIGGER_SSH_PRIVATE_KEY_FILE="$SSHD_DIR/id"; pida=$APP_PID
start_app "$db" "$pb" /tmp/fault-cb.log TRIGGER_ADMIN_PASSWORD=bench-admin-pass TRIGGER_SSH_PRIVATE_KEY_FILE="$SSHD_DIR/id"; pidb=$APP_PID
wait_ready "$pa" 120; wait_ready "$pb" 120
TOKEN=$(curl -s -XPOST "http://127.0.0.1:$pa/api/login" -H 'content-type: application/json' -d '{"username":"admin","password":"bench-admin-pass"}' | json_field token)
mkserver "http://127.0.0.1:$pa" long ./long.sh >/dev/null
id=$(curl -s -XPOST "http://127.0.0.1:$pa/api/deployments" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"server":"long"}' | json_field id)
for _ in $(seq 1 300); do [ "$(psql -tAc "SELECT status FROM deployments WHERE id = $id" "$db")" = RUNNING ] && break; sleep 0.1; done
replica=$(psql -tAc "SELECT claimed_by FROM deployments WHERE id = $id" "$db")
if [[ "$replica" == */$pida/* ]]; then victim=$pida; other=$pb; else victim=$pidb; other=$pa; fi
t0=$(now_ms); kill -9 "$victim"; wait "$victim" 2>/dev/null || true
for _ in $(seq 1 600); do s=$(psql -tAc "SELECT status FROM deployments WHERE id = $id" "$db"); [ "$s" = INTERRUPTED ] && break; sleep 0.1; done
line="faults   (c) killed the runner of deployment $id; status $s after $(( $(now_ms) - t0 )) ms (lease 30 s, reaper every 5 s)"
echo "$line"
[ "$s" = INTERRUPTED ] || fail "$line"
fi

if [ "${#FAILED[@]}" -gt 0 ]; then
  echo "faults   FAILED: ${#FAILED[@]} scenario(s):"
  for f in "${FAILED[@]}"; do echo "  $f"; done
  exit 1
fi
echo "faults   all scenarios passed"
