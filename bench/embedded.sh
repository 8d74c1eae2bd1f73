#!/usr/bin/env bash
# The embedded PostgreSQL (no database configured): time to ready of the packaged jar on the first start (unpacks the
# binaries, makes the cluster) and on a second start (reuses them), next to the same jar on the system PostgreSQL; the
# resident size of the service and of the embedded postgres processes (after ready and one login). Loopback only.
source "$(dirname "$0")/lib.sh"
ensure_jar
RUNS="${RUNS:-3}"
work=$(mktemp -d /tmp/bench-embedded.XXXXXX)
chmod 755 "$work"
cleanup() { stop_all; rm -rf "$work"; }
trap cleanup EXIT

# proportional set size (shared pages split between the processes that map them), so the postgres processes' sum is
# not inflated by their shared buffers
pss_kb() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
pg_pss_kb() { local t=0 pm; pm=$(pgrep -f -- "-D $1/pgdata" | head -1)
  for p in $pm $(pgrep -P "$pm" || true); do t=$(( t + $(pss_kb "$p") )); done; echo "$t"; }

# start_embedded DATA PORT LOG: the jar with no POSTGRES_* at all
start_embedded() {
  env -u POSTGRES_HOST -u POSTGRES_PORT -u POSTGRES_USER -u POSTGRES_PASSWORD -u POSTGRES_DB \
    TRIGGER_DATA_DIR="$1" QUARKUS_HTTP_PORT="$2" QUARKUS_HTTP_HOST=127.0.0.1 TRIGGER_ADMIN_PASSWORD=bench-admin-pass \
    "${JAVA_BIN:-java}" $JAVA_OPTS -jar "$JAR" >"$3" 2>&1 &
  APP_PID=$!
  PIDS+=("$APP_PID")
}

timed() { # timed KIND: starts, waits for ready; sets MS, APP_PID, PORT
  local t0; t0=$(now_ms); PORT=$(free_port)
  case "$1" in
    embedded) start_embedded "$DATA" "$PORT" "$work/app.log" ;;
    system) start_app "$DB" "$PORT" "$work/app.log" TRIGGER_ADMIN_PASSWORD=bench-admin-pass ;;
  esac
  wait_ready "$PORT" 120 "$APP_PID" || { echo "embedded: $1 not ready"; tail -5 "$work/app.log"; exit 1; }
  MS=$(( $(now_ms) - t0 ))
}

stop_one() { kill -TERM "$APP_PID"; for _ in $(seq 1 100); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done; }

firsts=(); seconds=(); systems=(); sysfirsts=()
for r in $(seq 1 "$RUNS"); do
  DATA="$work/data$r"
  timed embedded; firsts+=("$MS"); stop_one
  timed embedded; seconds+=("$MS")
  curl -s -o /dev/null -XPOST "http://127.0.0.1:$PORT/api/login" -H 'content-type: application/json' \
    -d '{"username":"admin","password":"bench-admin-pass"}'
  svc=$(pss_kb "$APP_PID"); pg=$(pg_pss_kb "$DATA")
  stop_one
  DB=$(new_db embedded)
  timed system; sysfirsts+=("$MS"); stop_one
  timed system; systems+=("$MS"); stop_one; drop_db "$DB"
  echo "embedded run $r: first start ${firsts[-1]} ms, second start ${seconds[-1]} ms; system PostgreSQL first ${sysfirsts[-1]} ms," \
    "second ${systems[-1]} ms; PSS service $(( svc / 1024 )) MB + embedded postgres $(( pg / 1024 )) MB (all its processes)"
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "embedded: time to ready of the jar (median of $RUNS): first start (unpack + initdb) $(med "${firsts[@]}") ms; second start $(med "${seconds[@]}") ms; on the system PostgreSQL (a new database, then again) $(med "${sysfirsts[@]}") / $(med "${systems[@]}") ms"
echo "embedded: data directory after one start: $(du -sh "$work/data1" | cut -f1) (binaries $(du -sh "$work/data1/postgresql-"* | cut -f1), cluster $(du -sh "$work/data1/pgdata" | cut -f1))"
