# Shared helpers for the bench scripts (sourced). Loopback only; every wait is bounded.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
export PGHOST="${POSTGRES_HOST:-127.0.0.1}" PGPORT="${POSTGRES_PORT:-5432}" PGUSER="${POSTGRES_USER:-postgres}"
export PGPASSWORD="${POSTGRES_PASSWORD:-}"
JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx256m}"
PIDS=()

ensure_jar() {
  if [ ! -f "$JAR" ]; then
    (cd "$ROOT" && ./mvnw -q -B package -DskipTests)
  fi
}

new_db() { local db="bench_$1_$$_$RANDOM"; psql -qc "CREATE DATABASE $db" postgres; echo "$db"; }
drop_db() { psql -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" postgres >/dev/null 2>&1 || true; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
now_ms() { date +%s%3N; }

# start_app DB PORT LOG [extra env...]: starts the jar in the background, sets APP_PID
start_app() {
  local db="$1" port="$2" log="$3"; shift 3
  env POSTGRES_HOST="$PGHOST" POSTGRES_PORT="$PGPORT" POSTGRES_USER="$PGUSER" POSTGRES_PASSWORD="$PGPASSWORD" \
      POSTGRES_DB="$db" QUARKUS_HTTP_PORT="$port" QUARKUS_HTTP_HOST=127.0.0.1 "$@" \
      java $JAVA_OPTS -jar "$JAR" >"$log" 2>&1 &
  APP_PID=$!
  PIDS+=("$APP_PID")
}

# wait_ready PORT TIMEOUT_S: returns 0 once /q/health/ready answers 200
wait_ready() {
  local port="$1" deadline=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/q/health/ready")" = 200 ]; then return 0; fi
    sleep 0.05
  done
  return 1
}

rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

stop_all() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  PIDS=()
}
