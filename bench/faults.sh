#!/usr/bin/env bash
# Fault scenarios: (a) kill -9 during migration, the next start recovers; (b) PostgreSQL restarted under
# load: 503 while away, recovery without restart, no queued deployment lost; (c) a replica killed
# mid-deployment is marked INTERRUPTED by another within the lease. (d), 16 replicas on an empty
# database, is in startup.sh (COPIES=16). Restarts the local PostgreSQL cluster for (b).
source "$(dirname "$0")/lib.sh"
ensure_jar
DBS=(); SSHD_PID=""
cleanup() { stop_all; [ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT
pg_restart() { pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main "$1"; }

echo "== (a) kill -9 during migration"
db=$(new_db fault_a); DBS+=("$db"); p1=$(free_port)
start_app "$db" "$p1" /tmp/fault-a1.log TRIGGER_ADMIN_PASSWORD=bench-admin-pass; victim=$APP_PID
state=""
for _ in $(seq 1 3000); do
  state=$(psql -tAc "SELECT CASE WHEN to_regclass('databasechangeloglock') IS NULL THEN '' ELSE (SELECT locked::text FROM databasechangeloglock WHERE id = 1) END" "$db" 2>/dev/null || true)
  [ "$state" = "true" ] && break
  sleep 0.01
done
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
applied=$(psql -tAc "SELECT count(*) FROM databasechangelog" "$db" 2>/dev/null || echo 0)
p2=$(free_port); t0=$(now_ms)
start_app "$db" "$p2" /tmp/fault-a2.log TRIGGER_ADMIN_PASSWORD=bench-admin-pass
if wait_ready "$p2" 120; then r="recovered, ready in $(( $(now_ms) - t0 )) ms"; else r="NOT READY"; fi
now_sets=$(psql -tAc "SELECT count(*) || ' rows / ' || count(DISTINCT id) || ' distinct' FROM databasechangelog" "$db")
errs=$(grep -c ' ERROR ' /tmp/fault-a2.log || true)
echo "faults   (a) killed with changelog lock held=$state after $applied changesets; next start $r; changelog now $now_sets; ERROR lines: $errs"
stop_all

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
echo "faults   (b) while PostgreSQL was down: trigger=$during ready=$ready_during; reads by status: $summary; non-503 5xx=$fivexx; ready again $rec ms after PostgreSQL started; queued deployments before=$queued_before after=$queued_after"
stop_all

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
echo "faults   (c) killed the runner of deployment $id; status $s after $(( $(now_ms) - t0 )) ms (lease 30 s, reaper every 5 s)"
