#!/usr/bin/env bash
# Time to ready and RSS of the packaged jar (fresh database, then an up-to-date one), and COPIES
# (default "1 4 16") copies starting at once on an empty database: time until all ready, ERROR lines seen.
source "$(dirname "$0")/lib.sh"
ensure_jar
COPIES="${COPIES-1 4 16}" # COPIES="" skips the copies
DBS=()
cleanup() { stop_all; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT

db=$(new_db single); DBS+=("$db"); db_single="$db"
for phase in "fresh database (migrates)" "up-to-date database (skips Liquibase)"; do
  port=$(free_port); log=$(mktemp)
  t0=$(now_ms); start_app "$db" "$port" "$log" TRIGGER_ADMIN_PASSWORD=bench-admin-pass
  wait_ready "$port" 120 || { echo "not ready; log:"; cat "$log"; exit 1; }
  t1=$(now_ms); sleep 1
  printf 'startup  %-40s ready %6d ms  RSS %4s MB  (%s)\n' "$phase" $((t1 - t0)) "$(rss_mb "$APP_PID")" "$JAVA_OPTS"
  stop_all
done

# Class-data caches (docker/jvm-cache): the same jar on the up-to-date database, RUNS alternating starts
# without and with the cache, per JVM (the system java, and JDK 25 when JDK25 points at one). Medians.
RUNS="${RUNS:-3}"
JDK25="${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
jvms=(java); [ -x "$JDK25" ] && jvms+=("$JDK25")
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for jvm in "${jvms[@]}"; do
  cache_opt=$(JAVA="$jvm" "$ROOT/docker/jvm-cache" "$ROOT/target/quarkus-app" | sed -n 's/.*start with: //p')
  [ -n "$cache_opt" ] || { echo "startup  cache for $jvm could not be written"; continue; }
  version=$("$jvm" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
  for variant in plain cached; do eval "t_$variant=(); r_$variant=()"; done
  for i in $(seq 1 "$RUNS"); do
    for variant in plain cached; do
      opts="$JAVA_OPTS"; [ "$variant" = cached ] && opts="$JAVA_OPTS $cache_opt"
      port=$(free_port); log=$(mktemp)
      t0=$(now_ms); JAVA_BIN="$jvm" JAVA_OPTS="$opts" start_app "$db_single" "$port" "$log"
      wait_ready "$port" 120 || { echo "not ready; log:"; cat "$log"; exit 1; }
      t1=$(now_ms); sleep 1
      eval "t_$variant+=($((t1 - t0))); r_$variant+=($(rss_mb "$APP_PID"))"
      stop_all; rm -f "$log"
    done
  done
  printf 'startup  Java %-3s up-to-date database, no cache    ready %6d ms  RSS %4s MB  (median of %d)\n' \
    "$version" "$(median "${t_plain[@]}")" "$(median "${r_plain[@]}")" "$RUNS"
  printf 'startup  Java %-3s up-to-date database, %-10s ready %6d ms  RSS %4s MB  (median of %d; anchor: the Flask tool 2600 ms, 390 MB)\n' \
    "$version" "$(basename "${cache_opt#*=}")" "$(median "${t_cached[@]}")" "$(median "${r_cached[@]}")" "$RUNS"
done

for n in $COPIES; do
  db=$(new_db "concurrent$n"); DBS+=("$db")
  ports=(); logs=(); t0=$(now_ms)
  for i in $(seq 1 "$n"); do p=$(free_port); l=$(mktemp); ports+=("$p"); logs+=("$l"); start_app "$db" "$p" "$l"; done
  ok=0; for p in "${ports[@]}"; do wait_ready "$p" 600 && ok=$((ok + 1)); done
  t1=$(now_ms)
  errors=$(cat "${logs[@]}" | grep -c " ERROR " || true)
  banners=$(cat "${logs[@]}" | grep -c "INITIAL ADMIN PASSWORD" || true)
  admins=$(psql -tAc "SELECT count(*) FROM users WHERE role='admin'" "$db")
  dup=$(psql -tAc "SELECT count(*) - count(DISTINCT id) FROM databasechangelog" "$db")
  total_rss=0; for p in "${PIDS[@]}"; do total_rss=$(( total_rss + $(rss_mb "$p") )); done
  printf 'startup  %2d copies on an empty database      all ready %6d ms  ready=%d/%d errors=%d admins=%s password-banners=%s duplicate-changesets=%s total RSS %d MB\n' \
    "$n" $((t1 - t0)) "$ok" "$n" "$errors" "$admins" "$banners" "$dup" "$total_rss"
  stop_all; rm -f "${logs[@]}"
  # the same copies again, now on the migrated database: the empty database's extra cost is the ratio
  empty_ms=$((t1 - t0)); ports=(); logs=(); t0=$(now_ms)
  for i in $(seq 1 "$n"); do p=$(free_port); l=$(mktemp); ports+=("$p"); logs+=("$l"); start_app "$db" "$p" "$l"; done
  ok=0; for p in "${ports[@]}"; do wait_ready "$p" 600 && ok=$((ok + 1)); done
  t1=$(now_ms)
  errors=$(cat "${logs[@]}" | grep -c " ERROR " || true)
  printf 'startup  %2d copies on the migrated database  all ready %6d ms  ready=%d/%d errors=%d  empty/migrated ratio %s\n' \
    "$n" $((t1 - t0)) "$ok" "$n" "$errors" "$(awk -v a="$empty_ms" -v b=$((t1 - t0)) 'BEGIN {printf "%.2f", a / b}')"
  stop_all; rm -f "${logs[@]}"
  # and once more on a new empty database with the system JVM's class-data archive (docker/jvm-cache, above)
  if [ -f "$ROOT/target/quarkus-app/app-cds.jsa" ]; then
    db=$(new_db "cached$n"); DBS+=("$db"); ports=(); logs=(); t0=$(now_ms)
    for i in $(seq 1 "$n"); do p=$(free_port); l=$(mktemp); ports+=("$p"); logs+=("$l")
      JAVA_OPTS="$JAVA_OPTS -XX:SharedArchiveFile=$ROOT/target/quarkus-app/app-cds.jsa" start_app "$db" "$p" "$l"; done
    ok=0; for p in "${ports[@]}"; do wait_ready "$p" 600 && ok=$((ok + 1)); done
    t1=$(now_ms)
    errors=$(cat "${logs[@]}" | grep -c " ERROR " || true)
    admins=$(psql -tAc "SELECT count(*) FROM users WHERE role='admin'" "$db")
    printf 'startup  %2d copies, empty database, app-cds   all ready %6d ms  ready=%d/%d errors=%d admins=%s  (%.2f of the run without it)\n' \
      "$n" $((t1 - t0)) "$ok" "$n" "$errors" "$admins" "$(awk -v a=$((t1 - t0)) -v b="$empty_ms" 'BEGIN {printf "%.2f", a / b}')"
    stop_all; rm -f "${logs[@]}"
  fi
done
