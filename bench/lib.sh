# Shared helpers for the bench scripts (sourced). Loopback only; every wait is bounded.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# BENCH_JAR runs another build (say, the last release's) through the same script
JAR="${BENCH_JAR:-$ROOT/target/quarkus-app/quarkus-run.jar}"
export PGHOST="${POSTGRES_HOST:-127.0.0.1}" PGPORT="${POSTGRES_PORT:-5432}" PGUSER="${POSTGRES_USER:-postgres}"
export PGPASSWORD="${POSTGRES_PASSWORD:-}"
# the options the JVM image runs with (docker/Dockerfile.jvm), minus its class-data archive
JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx256m -Xms32m -XX:+UseSerialGC}"
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
      "${JAVA_BIN:-java}" $JAVA_OPTS -jar "$JAR" >"$log" 2>&1 &
  APP_PID=$!
  PIDS+=("$APP_PID")
}

# wait_ready PORT TIMEOUT_S: returns 0 once /q/health/ready answers 200
# wait_ready PORT SECONDS [PID]: with PID, gives up as soon as that process has exited
wait_ready() {
  local port="$1" deadline=$(( $(date +%s) + $2 )) pid="${3:-}"
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/q/health/ready")" = 200 ]; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
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

# json_field FIELD: reads JSON on stdin, prints one top-level field
json_field() { python3 -c "import json,sys;print(json.load(sys.stdin)['$1'])"; }

# app_up NAME [env...]: fresh database + one jar; sets DB, PORT, URL, TOKEN (admin) and adds DB to DBS
app_up() {
  local name="$1"; shift
  DB=$(new_db "$name"); DBS+=("$DB"); PORT=$(free_port); URL="http://127.0.0.1:$PORT"
  start_app "$DB" "$PORT" "${LOGDIR:-/tmp}/bench-$name-$$.log" TRIGGER_ADMIN_PASSWORD=bench-admin-pass \
    TRIGGER_AUTH_RATE_LIMIT_MAX_FAILURES_PER_ADDRESS=1000000 "$@"
  wait_ready "$PORT" 120 || { echo "app not ready"; exit 1; }
  TOKEN=$(curl -s -XPOST "$URL/api/login" -H 'content-type: application/json' \
    -d '{"username":"admin","password":"bench-admin-pass"}' | json_field token)
  export TOKEN
}

# The account the bench's sshd logs in as: the caller, or when that is root a system user "tdbench" with /bin/sh
# (made once), because root's ~/.bashrc on a developer machine (pyenv init and the like) runs for every command sshd
# starts and would be timed as the deployment's own cost.
bench_ssh_user() {
  if [ "$(id -u)" != 0 ]; then id -un; return; fi
  id -u tdbench >/dev/null 2>&1 || useradd --system --shell /bin/sh --home-dir /nonexistent --no-create-home tdbench
  # no password, but not locked: sshd without PAM refuses the keys of a locked ('!') account too
  [ "$(getent shadow tdbench | cut -d: -f2)" = '*' ] || usermod -p '*' tdbench
  echo tdbench
}

# sshd_up: a throw-away OpenSSH sshd on loopback with generated keys; sets SSHD_DIR SSHD_PORT SSHD_PID HOSTKEY SSH_USER
sshd_up() {
  SSH_USER=$(bench_ssh_user)
  SSHD_DIR=$(mktemp -d); chmod 755 "$SSHD_DIR"; mkdir -p /run/sshd "$SSHD_DIR/app"
  ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/host_key"; ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/id"
  cp "$SSHD_DIR/id.pub" "$SSHD_DIR/authorized_keys"
  SSHD_PORT=$(free_port)
  printf 'Port %s\nListenAddress 127.0.0.1\nHostKey %s\nAuthorizedKeysFile %s\nPasswordAuthentication no\nPermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\nPidFile %s\nMaxStartups 200:30:300\nMaxSessions 200\n' \
    "$SSHD_PORT" "$SSHD_DIR/host_key" "$SSHD_DIR/authorized_keys" "$SSHD_DIR/sshd.pid" > "$SSHD_DIR/sshd_config"
  /usr/sbin/sshd -D -e -f "$SSHD_DIR/sshd_config" 2>"$SSHD_DIR/sshd.log" & SSHD_PID=$!
  HOSTKEY=$(cut -d' ' -f1,2 "$SSHD_DIR/host_key.pub")
}

# mkserver URL ALIAS COMMAND: a pinned server on the bench sshd, deploying in $SSHD_DIR/app
mkserver() {
  curl -s -o /dev/null -w '%{http_code}' -XPOST "$1/api/servers" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"name\":\"$2\",\"alias\":\"$2\",\"host\":\"127.0.0.1\",\"port\":$SSHD_PORT,\"user\":\"${SSH_USER:-$(id -un)}\",\"path\":\"$SSHD_DIR/app\",\"command\":\"$3\",\"host_key\":\"$HOSTKEY\"}"
}
