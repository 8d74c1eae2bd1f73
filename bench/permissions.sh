#!/usr/bin/env bash
# The cost of permissions on GET /api/deployments: SERVERS (1,000) servers in 10 environments, ROWS (200,000) deployments,
# 100 teams of 300 users. Measures an operator's history page (limit 50) with wrk (CONNS connections, DURATION s, after a
# warm-up) three ways in one run: open (no grant anywhere: today's behaviour), restricted (every environment grants
# deploy to 10 teams, plus 100 one-server grants; the operator is in 10 teams and sees 100 of the 1,000 servers), and
# an admin (never filtered) for reference. Prints req/s, p50/p99 and each case as a ratio of the open one.
source "$(dirname "$0")/lib.sh"
ensure_jar
command -v wrk >/dev/null || { echo "wrk is required: apt-get install -y wrk"; exit 1; }
SERVERS="${SERVERS:-1000}"; ROWS="${ROWS:-200000}"; CONNS="${CONNS:-16}"; DURATION="${DURATION:-15}"; WARMUP="${WARMUP:-5}"
DBS=()
cleanup() { stop_all; [ "${KEEP_DB:-0}" = 1 ] && echo "kept database ${DBS[*]}" && return; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT
app_up permissions TRIGGER_DEPLOY_RUNNERS=0
for i in $(seq 0 9); do
  curl -s -o /dev/null -XPOST "$URL/api/environments" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "{\"name\":\"env$i\"}"
done
for i in $(seq 1 "$SERVERS"); do
  curl -s -o /dev/null -XPOST "$URL/api/servers" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"name\":\"s$i\",\"alias\":\"s$i\",\"host\":\"127.0.0.1\",\"user\":\"deploy\",\"path\":\"/srv/app\",\"environment\":\"env$((i % 10))\"}"
done
curl -s -o /dev/null -XPOST "$URL/api/users" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"username":"bench-op","password":"bench-operator-pass","role":"operator"}'
OP=$(curl -s -XPOST "$URL/api/login" -H 'content-type: application/json' -d '{"username":"bench-op","password":"bench-operator-pass"}' | json_field token)
psql -q "$DB" -c "INSERT INTO deployments (server_id, server_alias, status, requested_by, source, queued_at, started_at, finished_at, duration_ms, exit_code)
  SELECT s.id, s.alias, CASE WHEN g % 10 = 0 THEN 'FAILED' ELSE 'SUCCEEDED' END, 'bench', 'api',
         now() - (g * interval '1 second'), now() - (g * interval '1 second'), now() - (g * interval '1 second') + interval '2 seconds', 2000, 0
  FROM generate_series(1, $ROWS) g JOIN servers s ON s.alias = 's' || (1 + g % $SERVERS)"
psql -q "$DB" -c "INSERT INTO teams (name) SELECT 'team' || g FROM generate_series(0, 99) g"
psql -q "$DB" -c "INSERT INTO users (username, password_hash, role) SELECT 'u' || g, 'x', 'operator' FROM generate_series(1, 300) g"
psql -q "$DB" -c "INSERT INTO team_members (team_id, user_id) SELECT t.id, u.id FROM teams t JOIN users u
  ON (substring(u.username from 2)::int % 100) = substring(t.name from 5)::int AND u.username ~ '^u[0-9]+$'"
psql -q "$DB" -c "INSERT INTO team_members (team_id, user_id) SELECT t.id, (SELECT id FROM users WHERE username = 'bench-op') FROM teams t
  WHERE substring(t.name from 5)::int < 10"
psql -q "$DB" -c "ANALYZE"
echo "permissions: $SERVERS servers in 10 environments, $(psql -tAc 'SELECT count(*) FROM deployments' "$DB") deployments, 100 teams, $(psql -tAc 'SELECT count(*) FROM team_members' "$DB") memberships"

run() { # label token
  local q="/api/deployments?limit=50"
  PATH_QUERY="$q" TOKEN="$2" wrk -t2 -c"$CONNS" -d"${WARMUP}s" -s "$ROOT/bench/history.lua" "$URL" >/dev/null
  PATH_QUERY="$q" TOKEN="$2" wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$ROOT/bench/history.lua" "$URL" | grep '^HISTORY' \
    | sed "s/^HISTORY [^ ]*/permissions $1/" | tee -a "$OUT"
}
OUT=$(mktemp)
# warm the JIT up first, so the first case measured is not the slow one
PATH_QUERY="/api/deployments?limit=50" TOKEN="$OP" wrk -t2 -c"$CONNS" -d"${WARMUP_FIRST:-20}s" -s "$ROOT/bench/history.lua" "$URL" >/dev/null
PATH_QUERY="/api/deployments?limit=50" TOKEN="$TOKEN" wrk -t2 -c"$CONNS" -d"${WARMUP_FIRST:-20}s" -s "$ROOT/bench/history.lua" "$URL" >/dev/null
run "open (no grants), operator" "$OP"
psql -q "$DB" -c "INSERT INTO grants (environment_id, team_id, permission) SELECT e.id, t.id, 'deploy' FROM environments e JOIN teams t
  ON substring(t.name from 5)::int / 10 = substring(e.name from 4)::int"
psql -q "$DB" -c "INSERT INTO grants (server_id, team_id, permission) SELECT s.id, (SELECT id FROM teams WHERE name = 'team99'), 'view'
  FROM servers s WHERE substring(s.alias from 2)::int % 10 = 5 LIMIT 100"
psql -q "$DB" -c "ANALYZE grants"
seen=$(curl -s "$URL/api/servers" -H "Authorization: Bearer $OP" | python3 -c 'import json,sys;print(len(json.load(sys.stdin)))')
echo "restricted: $(psql -tAc 'SELECT count(*) FROM grants' "$DB") grants; the operator sees $seen of $SERVERS servers"
run "restricted, operator" "$OP"
run "admin (no check at all, as before permissions)" "$TOKEN"
python3 - "$OUT" <<'PY'
import re, sys
rows = [l for l in open(sys.argv[1])]
vals = {}
for l in rows:
    label = l.split(" requests=")[0].replace("permissions ", "")
    rps = float(re.search(r"rps=([\d.]+)", l).group(1)); p99 = float(re.search(r"p99=([\d.]+)", l).group(1))
    vals[label] = (rps, p99)
base = vals.get("open (no grants), operator")
for k, (rps, p99) in vals.items():
    print("permissions ratio %s / open: throughput %.2f, p99 %.2f" % (k, rps / base[0], p99 / base[1]))
PY
rm -f "$OUT"
