#!/usr/bin/env bash
# Deployment benchmarks against a real OpenSSH sshd on loopback (needs openssh-server, wrk, python3, perl):
#  1. overhead: POST -> SUCCEEDED for a one-line script, next to plain `ssh` running the same command;
#  1b. the same with 20 parameters and a secret (sent over stdin), alternating with the plain one;
#  1c. the same through a jump host, alternating with the direct one, next to `ssh -J`;
#  2. 50 deployments on 50 servers at once: total time, and whether Vert.x reported a blocked event loop;
#  3a. a deployment printing a steady 10,000 lines/s for 5 s: printed->received delay over SSE, next to the ssh CLI;
#  3. a deployment printing 100,000 lines: lines/s over SSE and printed->received delay;
#  4. GET /api/deployments page of 50 with 1,000,000 rows in the table: p50/p99.
source "$(dirname "$0")/lib.sh"
ensure_jar
for t in /usr/sbin/sshd wrk python3 perl ssh-keygen; do command -v "$t" >/dev/null || { echo "missing: $t"; exit 1; }; done
N="${N:-20}"
DBS=(); SSHD_PID=""
JUMP_PID=""
cleanup() { stop_all; [ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null; [ -n "$JUMP_PID" ] && kill "$JUMP_PID" 2>/dev/null; for d in "${DBS[@]:-}"; do drop_db "$d"; done; }
trap cleanup EXIT

dir=$(mktemp -d); mkdir -p /run/sshd "$dir/app"
ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"; ssh-keygen -q -t ed25519 -N '' -f "$dir/id"
cp "$dir/id.pub" "$dir/authorized_keys"
sport=$(free_port)
cat > "$dir/sshd_config" <<CFG
Port $sport
ListenAddress 127.0.0.1
HostKey $dir/host_key
AuthorizedKeysFile $dir/authorized_keys
PasswordAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile $dir/sshd.pid
MaxStartups 200:30:300
MaxSessions 200
CFG
/usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>"$dir/sshd.log" & SSHD_PID=$!
# a second sshd as the jump host of 1c (OpenSSH refuses a jump host that is the target itself: "jumphost loop")
jport=$(free_port)
sed -e "s/^Port .*/Port $jport/" -e "s|^PidFile .*|PidFile $dir/jump.pid|" "$dir/sshd_config" > "$dir/jump_config"
/usr/sbin/sshd -D -e -f "$dir/jump_config" 2>"$dir/jump.log" & JUMP_PID=$!
printf '#!/bin/sh\necho hello\n' > "$dir/app/deploy.sh"; chmod +x "$dir/app/deploy.sh"
printf '#!/bin/sh\nsleep 1\necho done\n' > "$dir/app/sleep.sh"; chmod +x "$dir/app/sleep.sh"
# 100,000 time-stamped lines as fast as perl prints them, after 0.5 s in which the stream connects (as in 3a: a stream
# that connects after the burst began reads the lines it missed from PostgreSQL, so the figure would time the race)
printf '#!/bin/sh\nexec perl -MTime::HiRes=time,sleep -e '"'"'$|=1; sleep(0.5); for (1..100000) { printf "%%d %%.6f\\n", $_, time }'"'"'\n' > "$dir/app/lines.sh"
chmod +x "$dir/app/lines.sh"
# a steady 10,000 time-stamped lines/s for 5 s (paced in steps of 100 lines), after 0.5 s in which the stream connects
printf '#!/bin/sh\nexec perl -MTime::HiRes=time,sleep -e '"'"'$|=1; sleep(0.5); my $t0 = time; for my $n (1..50000) { printf "%%d %%.6f\\n", $n, time; if ($n %% 100 == 0) { my $w = $t0 + $n / 10000 - time; sleep($w) if $w > 0 } }'"'"'\n' > "$dir/app/steady.sh"
chmod +x "$dir/app/steady.sh"

db=$(new_db deploy); DBS+=("$db"); port=$(free_port)
head -c 32 /dev/urandom > "$dir/secrets.key"
start_app "$db" "$port" "$dir/app.log" TRIGGER_ADMIN_PASSWORD=bench-admin-pass TRIGGER_SSH_PRIVATE_KEY_FILE="$dir/id" \
  TRIGGER_SECRETS_KEY_FILE="$dir/secrets.key" \
  TRIGGER_DEPLOY_RUNNERS="${RUNNERS:-4}"
wait_ready "$port" 120
# NO_WORD_INDEX=1 drops log search's word index (changelog 0020), to measure what it costs the log writes
[ "${NO_WORD_INDEX:-0}" = 1 ] && psql -q "$db" -c 'DROP INDEX deployment_logs_words' && echo "(word index dropped)"
# BARE_LOG_TABLE=1 (an experiment, not a configuration): also the trigram index and the foreign key, leaving the
# primary key alone, to see what the burst's figures would be if storing a line cost PostgreSQL almost nothing
[ "${BARE_LOG_TABLE:-0}" = 1 ] && psql -q "$db" -c 'DROP INDEX IF EXISTS deployment_logs_words' \
  -c 'DROP INDEX deployment_logs_text_trgm' -c 'ALTER TABLE deployment_logs DROP CONSTRAINT deployment_logs_deployment_id_fkey' \
  && echo "(log table bare: primary key only)"
URL="http://127.0.0.1:$port"
TOKEN=$(curl -s -XPOST "$URL/api/login" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"bench-admin-pass"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
export TOKEN
HOSTKEY=$(cut -d' ' -f1,2 "$dir/host_key.pub")
mkserver() { # alias command
  curl -s -o /dev/null -w '%{http_code}' -XPOST "$URL/api/servers" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"name\":\"$1\",\"alias\":\"$1\",\"host\":\"127.0.0.1\",\"port\":$sport,\"user\":\"$(id -un)\",\"path\":\"$dir/app\",\"command\":\"$2\",\"host_key\":\"$HOSTKEY\"}"
}
trigger() { curl -s -XPOST "$URL/api/deployments" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d "{\"server\":\"$1\"}" | sed -E 's/^\{"id":([0-9]+).*/\1/'; }
status() { curl -s "$URL/api/deployments/$1" -H "Authorization: Bearer $TOKEN" | sed -E 's/.*"status":"([A-Z_]+)".*/\1/'; }

# POST -> SUCCEEDED, polled every POLL_MS ms (20, as issue 16 defines the figure: a faster poll is itself a load on the
# 2 cores the remote shell runs on); the given servers (label=server[=parameters JSON]) alternate, N runs each
measure() {
POLL_MS="${POLL_MS:-20}" python3 - "$URL" "$TOKEN" "$N" "$@" <<'PY'
import json, os, sys, time, urllib.request
poll = int(os.environ["POLL_MS"]) / 1000
url, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
cases = []
for arg in sys.argv[4:]:
    label, server, *params = arg.split("=", 2)
    cases.append((label, server, json.loads(params[0]) if params else None))
def call(method, path, body=None):
    req = urllib.request.Request(url + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
times = {label: [] for label, _, _ in cases}
for _ in range(n):
    for label, server, params in cases:
        body = {"server": server}
        if params:
            body["parameters"] = params
        t0 = time.time()
        d = call("POST", "/api/deployments", body)
        while d["status"] in ("QUEUED", "RUNNING"):
            time.sleep(poll)
            d = call("GET", "/api/deployments/%d" % d["id"])
        assert d["status"] == "SUCCEEDED", d
        times[label].append(time.time() - t0)
med = {}
for label, t in times.items():
    t.sort()
    med[label] = t[len(t)//2]
    print("%-40s median %.0f ms, p90 %.0f ms, min %.0f ms" % (label + " POST->SUCCEEDED:", t[len(t)//2]*1000,
          t[int(len(t)*0.9)]*1000, t[0]*1000))
if len(cases) > 1:
    base = cases[0][0]
    for label, _, _ in cases[1:]:
        print("%s / %s: %.2f" % (label, base, med[label] / med[base]))
PY
}

echo "[127.0.0.1]:$sport $HOSTKEY" > "$dir/known_hosts"
if [ "${ONLY_LINES:-0}" != 1 ]; then # ONLY_LINES=1: sections 3a and 3 only
echo "== 1. overhead of one deployment ($N runs each, one-line script)"
mkserver one ./deploy.sh >/dev/null
measure "trigger-deploy=one"
ssh_times=()
for i in $(seq 1 "$N"); do
  t0=$(date +%s%N)
  ssh -q -i "$dir/id" -p "$sport" -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$dir/known_hosts" \
    "$(id -un)@127.0.0.1" "cd '$dir/app' && './deploy.sh'" >/dev/null
  ssh_times+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
printf '%s\n' "${ssh_times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "plain ssh same command:        median %d ms, p90 %d ms, min %d ms\n", a[int((NR+1)/2)], a[int(NR*0.9)], a[1]}'

echo "== 1b. a deployment with 20 parameters and a secret vs the plain one ($N alternating runs each)"
params='['; values='{'
for i in $(seq -w 1 20); do
  params+="{\"name\":\"P$i\",\"type\":\"string\",\"pattern\":\"[a-z0-9.-]+\"},"; values+="\"P$i\":\"value-$i.x\","
done
params+='{"name":"TOKEN_S","type":"secret"}]'; values+='"TOKEN_S":"s3cr3t-value-for-the-bench"}'
mkserver withparams ./deploy.sh >/dev/null
sid=$(curl -s "$URL/api/servers/withparams" -H "Authorization: Bearer $TOKEN" | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
code=$(curl -s -o "$dir/patch.out" -w '%{http_code}' -XPATCH "$URL/api/servers/$sid" -H "Authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' -d "{\"parameters\":$params}")
[ "$code" = 200 ] || { echo "declaring the parameters failed: $code $(cat "$dir/patch.out")"; exit 1; }
measure "plain=one" "20 parameters + a secret=withparams=$values"

echo "== 1c. through a jump host vs direct ($N alternating runs each; the jump host is a second sshd on loopback)"
code=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$URL/api/servers" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d "{\"name\":\"bastion\",\"alias\":\"bastion\",\"host\":\"127.0.0.1\",\"port\":$jport,\"user\":\"$(id -un)\",\"path\":\"/tmp\",\"host_key\":\"$HOSTKEY\"}")
[ "$code" = 201 ] || { echo "creating the jump host failed: $code"; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$URL/api/servers" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d "{\"name\":\"jumped\",\"alias\":\"jumped\",\"host\":\"127.0.0.1\",\"port\":$sport,\"user\":\"$(id -un)\",\"path\":\"$dir/app\",\"command\":\"./deploy.sh\",\"host_key\":\"$HOSTKEY\",\"jump_host\":\"bastion\"}")
[ "$code" = 201 ] || { echo "creating the jumped server failed: $code"; exit 1; }
measure "direct=one" "through the jump host=jumped"
# -J hands -F (not -i or -o) to the ssh that reaches the jump host: both hops read their key and pins from this file
printf 'Host *\n  IdentityFile %s\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n  BatchMode yes\n' "$dir/id" "$dir/known_hosts" > "$dir/ssh_config"
echo "[127.0.0.1]:$jport $HOSTKEY" >> "$dir/known_hosts"
ssh_times=()
for i in $(seq 1 "$N"); do
  t0=$(date +%s%N)
  ssh -q -F "$dir/ssh_config" -p "$sport" -J "$(id -un)@127.0.0.1:$jport" "$(id -un)@127.0.0.1" "cd '$dir/app' && './deploy.sh'" >/dev/null
  ssh_times+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
printf '%s\n' "${ssh_times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "ssh -J same command:           median %d ms, p90 %d ms, min %d ms\n", a[int((NR+1)/2)], a[int(NR*0.9)], a[1]}'

[ "${ONLY_OVERHEAD:-0}" = 1 ] && exit 0 # sections 1-1c only

echo "== 2. 50 deployments on 50 servers at once (runners per replica: ${RUNNERS:-4}; each script sleeps 1 s)"
for i in $(seq 1 50); do mkserver "fan$i" ./sleep.sh >/dev/null; done
t0=$(now_ms)
for i in $(seq 1 50); do trigger "fan$i" > "$dir/id$i" & done
wait_jobs() { for p in $(jobs -p); do [ "$p" = "$APP_PID" ] || [ "$p" = "$SSHD_PID" ] || [ "$p" = "$JUMP_PID" ] || wait "$p"; done; }
wait_jobs
t1=$(now_ms); ids=(); for i in $(seq 1 50); do ids+=($(cat "$dir/id$i")); done
for id in "${ids[@]}"; do
  for _ in $(seq 1 1200); do s=$(status "$id"); [ "$s" != QUEUED ] && [ "$s" != RUNNING ] && break; sleep 0.1; done
  [ "$s" = SUCCEEDED ] || echo "deployment $id ended $s"
done
t2=$(now_ms)
blocked=$(grep -c "has been blocked" "$dir/app.log" || true)
echo "50 concurrent triggers accepted in $((t1 - t0)) ms; all 50 SUCCEEDED after $((t2 - t0)) ms; blocked-event-loop warnings: $blocked"
fi

echo "== 3a. one deployment printing a steady 10,000 lines/s for 5 s, followed over SSE"
mkserver steady ./steady.sh >/dev/null
for run in first second; do # the first run also warms the JIT up for the streaming path
  id=$(trigger steady)
  printf '%s run: ' "$run"
  python3 "$ROOT/bench/sse_client.py" "$URL/api/deployments/$id/events" "$TOKEN" 50000
  for _ in $(seq 1 100); do s=$(status "$id"); [ "$s" != QUEUED ] && [ "$s" != RUNNING ] && break; sleep 0.1; done
  echo "final status: $s"
done
# the anchor: the same script's lines read straight off the ssh CLI's stdout
plain_ssh() { # script
  ssh -q -i "$dir/id" -p "$sport" -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$dir/known_hosts" \
    "$(id -un)@127.0.0.1" "cd '$dir/app' && './$1'" | python3 -c '
import sys, time
d, first, last = [], None, None
for line in sys.stdin:
    p = line.split()
    if len(p) == 2:
        now = time.time()
        d.append(now - float(p[1]))
        first = first or now
        last = now
d.sort()
pct = lambda q: d[min(len(d) - 1, int(q / 100 * len(d)))] * 1000
print(f"plain ssh, same script: {len(d)} lines, {len(d) / max(last - first, 1e-9):.0f} lines/s; "
      f"printed->received delay p50 {pct(50):.0f} ms, p99 {pct(99):.0f} ms, max {pct(100):.0f} ms")'
}
plain_ssh steady.sh

echo "== 3. one deployment printing 100,000 lines, followed over SSE"
mkserver lines ./lines.sh >/dev/null
for run in ${BURSTS:-1}; do # BURSTS="1 2 3" repeats the burst (the first one also warms the JIT up)
  # CPU=1: CPU seconds per process (and per Java thread) while the burst runs (bench/cpu_by_process.py)
  [ "${CPU:-0}" = 1 ] && { JAVA_THREADS=1 python3 "$ROOT/bench/cpu_by_process.py" > "$dir/cpu.txt" & CPU_PID=$!; }
  id=$(trigger lines)
  printf 'burst %s: ' "$run"
  python3 "$ROOT/bench/sse_client.py" "$URL/api/deployments/$id/events" "$TOKEN" 100000
  [ "${CPU:-0}" = 1 ] && { kill "$CPU_PID"; wait "$CPU_PID"; cat "$dir/cpu.txt"; }
  for _ in $(seq 1 100); do s=$(status "$id"); [ "$s" != QUEUED ] && [ "$s" != RUNNING ] && break; sleep 0.1; done
  echo "final status: $s"
done
plain_ssh lines.sh
[ "${ONLY_LINES:-0}" = 1 ] && exit 0

echo "== 4. history with 1,000,000 rows"
psql -q "$db" -c "INSERT INTO deployments (server_id, server_alias, status, requested_by, source, queued_at, started_at, finished_at, duration_ms, exit_code)
  SELECT (SELECT id FROM servers WHERE alias = 'one'), 'one', CASE WHEN g % 10 = 0 THEN 'FAILED' ELSE 'SUCCEEDED' END, 'bench', 'api',
         now() - (g * interval '1 second'), now() - (g * interval '1 second'), now() - (g * interval '1 second') + interval '2 seconds', 2000, 0
  FROM generate_series(1, 1000000) g" && psql -q "$db" -c "ANALYZE deployments"
mid=$(psql -tAc "SELECT id FROM deployments ORDER BY id DESC OFFSET 500000 LIMIT 1" "$db")
for q in "/api/deployments?limit=50" "/api/deployments?limit=50&cursor=$mid" "/api/deployments?limit=50&server=one&status=FAILED"; do
  PATH_QUERY="$q" wrk -t1 -c4 -d10s -s "$ROOT/bench/history.lua" "$URL" | grep '^HISTORY'
done
