#!/usr/bin/env bash
# Login throughput and latency under concurrency, next to the raw bcrypt rate at the same cost on the
# same machine in the same run; then /api/me throughput alone and while logins saturate the CPU.
# Needs wrk (apt-get install wrk). Loopback only; every run is bounded by DURATION.
source "$(dirname "$0")/lib.sh"
ensure_jar
command -v wrk >/dev/null || { echo "wrk is required: apt-get install -y wrk"; exit 1; }
COST="${COST:-11}"; DURATION="${DURATION:-15}"; CONNS="${CONNS:-16}"; THREADS="${THREADS:-2}"
DBS=()
cleanup() { stop_all; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT

db=$(new_db login); DBS+=("$db")
port=$(free_port)
start_app "$db" "$port" "$(mktemp)" TRIGGER_ADMIN_PASSWORD=bench-admin-pass TRIGGER_AUTH_BCRYPT_COST="$COST" \
  TRIGGER_AUTH_RATE_LIMIT_MAX_FAILURES_PER_ADDRESS=1000000
wait_ready "$port" 120
URL="http://127.0.0.1:$port"
admin=$(curl -s -XPOST "$URL/api/login" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"bench-admin-pass"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
curl -s -o /dev/null -w 'create bench user: %{http_code}\n' -XPOST "$URL/api/users" -H "Authorization: Bearer $admin" \
  -H 'content-type: application/json' -d '{"username":"bench","password":"bench-password-1","role":"viewer"}'
export TOKEN="$admin"

echo "== machine: $(nproc) cores; bcrypt cost $COST; $CONNS connections; ${DURATION}s per run"
java -cp "$ROOT/target/quarkus-app/lib/main/*" "$ROOT/bench/BcryptRate.java" "$COST" "$(nproc)" "$DURATION"
wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$ROOT/bench/login.lua" "$URL/api/login" | grep '^LOGIN'
wrk -t1 -c8 -d"${DURATION}s" -s "$ROOT/bench/me.lua" "$URL/api/me" | grep '^ME' | sed 's/^ME/ME alone/'
wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$ROOT/bench/login.lua" "$URL/api/login" | grep '^LOGIN' | sed 's/^LOGIN/LOGIN (concurrent)/' &
LOAD=$!
sleep 1
wrk -t1 -c8 -d"$((DURATION - 2))s" -s "$ROOT/bench/me.lua" "$URL/api/me" | grep '^ME' | sed 's/^ME/ME during login load/'
wait "$LOAD"
