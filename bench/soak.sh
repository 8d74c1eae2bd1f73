#!/usr/bin/env bash
# SECONDS_TOTAL (600) of mixed load on one replica: logins, authenticated reads, deployments on an OpenSSH
# target, SSE clients connecting and leaving. Prints RSS at start and end, errors, open connections at the end.
source "$(dirname "$0")/lib.sh"
ensure_jar
command -v wrk >/dev/null || { echo "wrk is required"; exit 1; }
SECONDS_TOTAL="${SECONDS_TOTAL:-600}"
DBS=(); SSHD_PID=""
cleanup() { stop_all; [ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT
sshd_up
printf '#!/bin/sh\nfor i in 1 2 3 4 5; do echo "step $i"; sleep 0.2; done\n' > "$SSHD_DIR/app/deploy.sh"; chmod +x "$SSHD_DIR/app/deploy.sh"
app_up soak TRIGGER_SSH_PRIVATE_KEY_FILE="$SSHD_DIR/id" TRIGGER_AUTH_BCRYPT_COST=8
for i in 1 2 3 4; do mkserver "$URL" "soak$i" ./deploy.sh >/dev/null; done
curl -s -o /dev/null -XPOST "$URL/api/users" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"username":"bench","password":"bench-password-1","role":"viewer"}'
sleep 2; rss0=$(rss_mb "$APP_PID"); end=$(( $(date +%s) + SECONDS_TOTAL ))
out=$(mktemp -d)
wrk -t1 -c4 -d"${SECONDS_TOTAL}s" -s "$ROOT/bench/login.lua" "$URL/api/login" > "$out/login" &
PATH_QUERY="/api/deployments?limit=50" wrk -t1 -c8 -d"${SECONDS_TOTAL}s" -s "$ROOT/bench/history.lua" "$URL" > "$out/reads" &
( ok=0; bad=0; while [ "$(date +%s)" -lt "$end" ]; do
    for i in 1 2 3 4; do
      c=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$URL/api/deployments" -H "Authorization: Bearer $TOKEN" \
        -H 'content-type: application/json' -d "{\"server\":\"soak$i\"}")
      [ "$c" = 202 ] && ok=$((ok + 1)) || bad=$((bad + 1))
    done; sleep 2; done; echo "triggers ok=$ok failed=$bad" > "$out/deploys" ) &
( n=0; while [ "$(date +%s)" -lt "$end" ]; do
    id=$(psql -tAc "SELECT max(id) FROM deployments" "$DB"); [ -n "$id" ] || { sleep 1; continue; }
    timeout 3 curl -s -N "$URL/api/deployments/$id/events" -H "Authorization: Bearer $TOKEN" > /dev/null || true; n=$((n + 1))
  done; echo "sse connections=$n" > "$out/sse" ) &
for p in $(jobs -p); do [ "$p" = "$APP_PID" ] || [ "$p" = "$SSHD_PID" ] || wait "$p" || true; done
sleep 5
rss1=$(rss_mb "$APP_PID")
finals=$(psql -tAc "SELECT string_agg(status || '=' || n, ' ') FROM (SELECT status, count(*) n FROM deployments GROUP BY status ORDER BY 1) s" "$DB")
conns=$(ss -Htn state established "( sport = :$PORT )" | wc -l)
pgconns=$(psql -tAc "SELECT count(*) FROM pg_stat_activity WHERE datname = '$DB'" "$DB")
errors=$(grep -c " ERROR " "${LOGDIR:-/tmp}/bench-soak-$$.log" || true)
echo "soak     ${SECONDS_TOTAL}s: RSS start ${rss0} MB end ${rss1} MB; $(grep '^LOGIN' "$out/login" | sed 's/LOGIN /logins: /')"
echo "soak     $(grep '^HISTORY' "$out/reads" | sed 's/HISTORY /reads /'); $(cat "$out/deploys"); $(cat "$out/sse")"
echo "soak     deployments by status: $finals; ERROR log lines: $errors; open HTTP connections at end: $conns; PostgreSQL connections: $pgconns"
