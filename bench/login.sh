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
raw_rate() {
  local raw; raw=$(java -cp "$ROOT/target/quarkus-app/lib/main/*" "$ROOT/bench/BcryptRate.java" "$COST" "$(nproc)" "$DURATION")
  echo "login    $raw" >&2
  echo "$raw" | sed -E 's/.*: ([0-9.]+) checks\/s.*/\1/'
}
# ROUNDS (default 3) rounds of: raw bcrypt, then the service at each CLIENTS count; raw bcrypt once more at the end.
# Each service figure is compared with the mean of the raw rates just before and just after it (this machine's speed
# drifts by 10% from one quarter of a minute to the next); the median ratio over the rounds is the figure. The service
# first gets the warm-up raw bcrypt gets (the JIT compiles the checks before anything is counted).
ROUNDS="${ROUNDS:-3}"
wrk -t2 -c"$(nproc)" -d5s --timeout 60s -s "$ROOT/bench/login.lua" "$URL/api/login" >/dev/null
raws=("$(raw_rate)")
declare -A pct
for r in $(seq 1 "$ROUNDS"); do
  outs=()
  for c in $CLIENTS; do
    t=$(( c < 2 ? 1 : 2 ))
    outs+=("$(wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 60s --latency -s "$ROOT/bench/login.lua" "$URL/api/login" | grep '^LOGIN')")
  done
  raws+=("$(raw_rate)")
  rate=$(awk -v a="${raws[$((r - 1))]}" -v b="${raws[$r]}" 'BEGIN {printf "%.2f", (a + b) / 2}')
  i=0
  for c in $CLIENTS; do
    out="${outs[$i]}"; i=$((i + 1))
    rps=$(echo "$out" | sed -E 's/.*rps=([0-9.]+).*/\1/')
    # bcrypt can use at most min(clients, cores) cores: compare with the raw rate on that many
    cores=$(nproc); used=$(( c < cores ? c : cores ))
    p=$(echo "$rps $rate $used $cores" | awk '{printf "%.0f", 100*$1/($2*$3/$4)}')
    pct[$c]="${pct[$c]:-} $p"
    printf 'login    round %d, %2d clients: %s  (%s%% of raw bcrypt on %d core(s), anchor %s checks/s on %d)\n' \
      "$r" "$c" "${out#LOGIN }" "$p" "$used" "$rate" "$cores"
  done
done
for c in $CLIENTS; do
  printf 'login    %2d clients: median %s%% of raw bcrypt over %d rounds (each:%s)\n' "$c" \
    "$(printf '%s\n' ${pct[$c]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$ROUNDS" "${pct[$c]}"
done
