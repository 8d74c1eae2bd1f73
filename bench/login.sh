#!/usr/bin/env bash
# Logins per second and p50/p99 at CLIENTS (default "1 8 64") concurrent clients, beside the raw bcrypt
# rate at the same cost measured in the same run; the ratio is the service's overhead. Needs wrk.
source "$(dirname "$0")/lib.sh"
ensure_jar
command -v wrk >/dev/null || { echo "wrk is required: apt-get install -y wrk"; exit 1; }
COST="${COST:-11}"; DURATION="${DURATION:-15}"; CLIENTS="${CLIENTS:-1 8 64}"
DBS=()
cleanup() { stop_all; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT
app_up login TRIGGER_AUTH_BCRYPT_COST="$COST"
curl -s -o /dev/null -XPOST "$URL/api/users" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"username":"bench","password":"bench-password-1","role":"viewer"}'
raw=$(java -cp "$ROOT/target/quarkus-app/lib/main/*" "$ROOT/bench/BcryptRate.java" "$COST" "$(nproc)" "$DURATION")
echo "login    $raw"
rate=$(echo "$raw" | sed -E 's/.*: ([0-9.]+) checks\/s.*/\1/')
for c in $CLIENTS; do
  t=$(( c < 2 ? 1 : 2 ))
  out=$(wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 60s --latency -s "$ROOT/bench/login.lua" "$URL/api/login" | grep '^LOGIN')
  rps=$(echo "$out" | sed -E 's/.*rps=([0-9.]+).*/\1/')
  # bcrypt can use at most min(clients, cores) cores: compare with the raw rate on that many
  cores=$(nproc); used=$(( c < cores ? c : cores ))
  printf 'login    %2d clients: %s  (%.0f%% of raw bcrypt on %d core(s))\n' "$c" "${out#LOGIN }" \
    "$(echo "$rps $rate $used $cores" | awk '{print 100*$1/($2*$3/$4)}')" "$used"
done
