#!/usr/bin/env bash
# Rollout benchmark: 200 server records over SSHDS OpenSSH sshd on loopback (a one-line deploy script), two replicas
# on one database (RUNNERS runners each). Needs openssh-server, python3, psql, ss (iproute2).
#  1. the plan: POST /api/rollouts?dry_run=true for 100 servers, p50 over 20 calls;
#  2. (after a warm-up: the 100 hosts all at once) a rolling rollout of 100 hosts in waves of 10: POST -> SUCCEEDED next to 10 x one wave's time (the waves'
#     median, from the deployments' own timestamps), and the gap between a wave's last host finishing and the next
#     wave's first host starting (p50, p99, max);
#     2b. the same with a deploy that takes 1 s per host (the rollout's share of real waves);
#  3. the same 100 hosts as 100 separate POST /api/deployments by a script, in waves of 10 (poll every POLL_MS ms
#     until a wave ended, then the next), and all 100 POSTed at once;
#  4. all_at_once of 200 hosts with max_in_flight 50 across the two replicas: hosts/s, the hosts each replica ran,
#     and each replica's PostgreSQL connections (most seen, sampled every 100 ms with ss).
source "$(dirname "$0")/lib.sh"
ensure_jar
for t in /usr/sbin/sshd python3 psql ssh-keygen ss; do command -v "$t" >/dev/null || { echo "missing: $t"; exit 1; }; done
SSHDS="${SSHDS:-4}" RUNNERS="${RUNNERS:-25}" POLL_MS="${POLL_MS:-100}"
export QUICK="${QUICK:-}"
DBS=(); SSHD_PID=""; EXTRA_SSHD=()
cleanup() {
  stop_all
  for p in "$SSHD_PID" "${EXTRA_SSHD[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  for d in "${DBS[@]:-}"; do drop_db "$d"; done
}
trap cleanup EXIT

sshd_up
# a one-line deploy; a version named slow-* takes a second, like a deploy that does some work (section 2b)
printf '#!/bin/sh\ncase "$REF" in slow-*) sleep 1;; esac\necho deployed "$REF"\n' > "$SSHD_DIR/app/deploy.sh"
chmod +x "$SSHD_DIR/app/deploy.sh"
ports=("$SSHD_PORT")
for k in $(seq 2 "$SSHDS"); do
  p=$(free_port)
  sed -e "s/^Port .*/Port $p/" -e "s|^PidFile .*|PidFile $SSHD_DIR/sshd$k.pid|" "$SSHD_DIR/sshd_config" > "$SSHD_DIR/sshd$k.conf"
  /usr/sbin/sshd -D -e -f "$SSHD_DIR/sshd$k.conf" 2>"$SSHD_DIR/sshd$k.log" & EXTRA_SSHD+=($!)
  ports+=("$p")
done

app_up rollout TRIGGER_SSH_PRIVATE_KEY_FILE="$SSHD_DIR/id" TRIGGER_DEPLOY_RUNNERS="$RUNNERS"
PID_A=$APP_PID
PORT_B=$(free_port)
start_app "$DB" "$PORT_B" "${LOGDIR:-/tmp}/bench-rollout-b-$$.log" TRIGGER_ADMIN_PASSWORD=bench-admin-pass \
  TRIGGER_SSH_PRIVATE_KEY_FILE="$SSHD_DIR/id" TRIGGER_DEPLOY_RUNNERS="$RUNNERS"
PID_B=$APP_PID
wait_ready "$PORT_B" 120 "$PID_B" || { echo "rollout: replica b not ready"; exit 1; }

for i in $(seq 1 200); do
  SSHD_PORT=${ports[$(( (i - 1) % SSHDS ))]}
  code=$(mkserver "$URL" "h$i" ./deploy.sh)
  [ "$code" = 201 ] || { echo "rollout: creating server h$i answered $code"; exit 1; }
done

python3 - "$URL" "$TOKEN" "$POLL_MS" "$DB" "$PID_A" "$PID_B" <<'PY'
import json, os, re, statistics, subprocess, sys, threading, time, urllib.error, urllib.request

url, token, poll_ms, db, pid_a, pid_b = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
H = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
ENDED = ("SUCCEEDED", "FAILED", "CANCELLED", "INTERRUPTED", "TIMED_OUT", "REJECTED")

def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, headers=H, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        sys.exit("rollout: %s %s answered %d: %s" % (method, path, e.code, e.read().decode("utf-8", "replace")[:500]))

def sql(q):
    return subprocess.run(["psql", "-qAtX", db, "-c", q], check=True, capture_output=True, text=True).stdout.strip()

def wait(pred, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(poll_ms / 1000)
    sys.exit("rollout: %s did not end in %d s" % (what, seconds))

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

def group(name, servers):
    status, _ = call("POST", "/api/groups", {"name": name, "servers": servers})
    assert status == 201, status

def run_rollout(body):
    t0 = time.monotonic()
    status, r = call("POST", "/api/rollouts", body)
    assert status == 201, (status, r)
    done = wait(lambda: (lambda x: x if x["status"] not in ("RUNNING", "AWAITING_APPROVAL") else None)(
        call("GET", "/api/rollouts/%d" % r["id"])[1]), 900, "rollout %d" % r["id"])
    assert done["status"] == "SUCCEEDED", done["status"]
    return r["id"], time.monotonic() - t0

# the monitor's first SSH reachability sweep of the 200 new servers (two handshakes each, 5 per replica a second)
# runs once, then every 5 minutes; measure after it, as an installation that has been running would be
t = time.monotonic()
wait(lambda: sql("SELECT count(*) FROM servers WHERE reachability_checked_at IS NULL") == "0", 300, "the first reachability sweep")
print("rollout: waited %.1f s for the monitor's first reachability sweep of the 200 servers" % (time.monotonic() - t))

names = ["h%d" % i for i in range(1, 201)]
group("hundred", names[:100])
group("all", names)

# 1. the plan
times = []
for _ in range(20):
    t = time.monotonic()
    status, plan = call("POST", "/api/rollouts?dry_run=true", {"target": {"group": "hundred"}, "strategy": "rolling", "batch": 10})
    times.append((time.monotonic() - t) * 1000)
    assert status == 200, status
print("rollout plan (dry run) of 100 servers in %d waves: p50 %.1f ms, max %.1f ms"
      % (len(plan["waves"]), statistics.median(times), max(times)))

# warm-up (JIT, SSH connections, the table statistics): the 100 hosts once, all at once
rid, warm = run_rollout({"target": {"group": "hundred"}, "strategy": "all_at_once", "ref": "v1"})
print("rollout warm-up: all_at_once of 100 hosts %.2f s" % warm)

# 2. rolling, batch 10
def cpu_by():
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            st = open("/proc/%s/stat" % pid).read()
            comm = st[st.index("(") + 1:st.rindex(")")]
            f = st[st.rindex(")") + 2:].split()
            t = sum(int(x) for x in f[11:15])
        except Exception:
            continue
        key = "java-" + pid if pid in (pid_a, pid_b) else ("postgres" if comm.startswith("postgres") else ("sshd" if "sshd" in comm else "other"))
        out[key] = out.get(key, 0) + t
    return out
c0 = cpu_by()
rid, total = run_rollout({"target": {"group": "hundred"}, "strategy": "rolling", "batch": 10, "ref": "v2"})
c1 = cpu_by()
print("CPU seconds during the rolling rollout: " + ", ".join("%s %.2f" % (k, (c1.get(k, 0) - c0.get(k, 0)) / 100.0) for k in sorted(c1)))
rows = [r.split("|") for r in sql(
    "WITH w AS (SELECT wave, min(started_at) s, max(finished_at) f FROM deployments WHERE rollout_id = %d GROUP BY wave) "
    "SELECT wave, extract(epoch FROM f - s) * 1000, coalesce(extract(epoch FROM s - lag(f) OVER (ORDER BY wave)) * 1000, -1) "
    "FROM w ORDER BY wave" % rid).splitlines()]
waves = [float(r[1]) for r in rows]
gaps = [float(r[2]) for r in rows if float(r[2]) >= 0]
ten = 10 * statistics.median(waves) / 1000
print("rollout rolling 100 hosts, batch 10: POST -> SUCCEEDED %.2f s; one wave p50 %.0f ms (min %.0f, max %.0f); "
      "total / (10 x one wave) = %.2f (goal <= 1.15)" % (total, statistics.median(waves), min(waves), max(waves), total / ten))
print("rollout gap between waves (last host finished -> next wave's first host started): p50 %.0f ms, p99 %.0f ms, max %.0f ms "
      "(goal p99 <= 100)" % (statistics.median(gaps), pct(gaps, 99), max(gaps)))
served = float(sql("SELECT extract(epoch FROM finished_at - created_at) FROM rollouts WHERE id = %d" % rid))
print("rollout waves one by one (ms): %s; the rollout's own time (created -> SUCCEEDED, no client polling) %.2f s = %.2f x the "
      "waves' sum %.2f s (what the rollout adds to its waves, whatever each wave's SSH handshakes cost)"
      % (" ".join("%.0f" % w for w in waves), served, served / (sum(waves) / 1000), sum(waves) / 1000))
split = [r.split("|") for r in sql(
    "WITH w AS (SELECT wave, max(finished_at) f, min(queued_at) q, min(started_at) s FROM deployments WHERE rollout_id = %d "
    "GROUP BY wave) SELECT extract(epoch FROM q - lag(f) OVER (ORDER BY wave)) * 1000, extract(epoch FROM s - q) * 1000 "
    "FROM w ORDER BY wave" % rid).splitlines()[1:]]
react = [float(a) for a, b in split]
dispatch = [float(b) for a, b in split]
print("rollout gap split: last host finished -> next wave queued p50 %.0f ms (max %.0f); queued -> first started p50 %.0f ms (max %.0f)"
      % (statistics.median(react), max(react), statistics.median(dispatch), max(dispatch)))
inside = [r.split("|") for r in sql(
    "SELECT extract(epoch FROM max(started_at) - min(started_at)) * 1000, percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms), "
    "max(duration_ms) FROM deployments WHERE rollout_id = %d GROUP BY wave ORDER BY wave" % rid).splitlines()]
print("rollout inside a wave: first -> last host started p50 %.0f ms (max %.0f); one host started -> finished p50 %.0f ms, "
      "the slowest host of a wave p50 %.0f ms (max %.0f)" % (statistics.median(float(a) for a, b, c in inside),
      max(float(a) for a, b, c in inside), statistics.median(float(b) for a, b, c in inside),
      statistics.median(float(c) for a, b, c in inside), max(float(c) for a, b, c in inside)))
acct = sql("SELECT extract(epoch FROM (SELECT min(started_at) FROM deployments WHERE rollout_id = r.id) - r.created_at) * 1000, "
           "extract(epoch FROM r.finished_at - (SELECT max(finished_at) FROM deployments WHERE rollout_id = r.id)) * 1000 "
           "FROM rollouts r WHERE r.id = %d" % rid).split("|")
print("rollout where the time went: created -> first host started %.0f ms; waves %.2f s in all; gaps %.2f s in all; "
      "last host finished -> rollout SUCCEEDED %.0f ms; the rest is the client's polling (every %d ms) and HTTP"
      % (float(acct[0]), sum(waves) / 1000, sum(gaps) / 1000, float(acct[1]), poll_ms))
overlap = sql("SELECT count(*) FROM deployments x JOIN deployments y ON x.rollout_id = y.rollout_id AND x.wave < y.wave "
              "AND x.finished_at > y.started_at WHERE x.rollout_id = %d" % rid)
print("rollout waves overlapping (a later wave's host started before an earlier one's ended): %s (must be 0)" % overlap)

if os.environ.get("QUICK"):  # QUICK=1: only the plan and the rolling rollout (while tuning)
    sys.exit(0)

# 2b. the same rollout where each host's deploy takes a second: the share the rollout itself adds to real waves
rid, total_slow = run_rollout({"target": {"group": "hundred"}, "strategy": "rolling", "batch": 10, "ref": "slow-2"})
slow = [float(r) for r in sql("SELECT extract(epoch FROM max(finished_at) - min(started_at)) * 1000 FROM deployments "
                              "WHERE rollout_id = %d GROUP BY wave ORDER BY wave" % rid).splitlines()]
print("rollout rolling 100 hosts, batch 10, a deploy of 1 s: POST -> SUCCEEDED %.2f s; one wave p50 %.0f ms; "
      "total / (10 x one wave) = %.2f" % (total_slow, statistics.median(slow), total_slow / (10 * statistics.median(slow) / 1000)))

# 3. the same hosts by a script: waves of 10 POSTs, then all 100 at once
def ended(ids):
    return all(call("GET", "/api/deployments/%d" % i)[1]["status"] in ENDED for i in ids)

t0 = time.monotonic()
for k in range(0, 100, 10):
    ids = [call("POST", "/api/deployments", {"server": s, "parameters": {"REF": "v3"}})[1]["id"] for s in names[k:k + 10]]
    wait(lambda: ended(ids), 300, "a scripted wave")
scripted = time.monotonic() - t0
t0 = time.monotonic()
ids = [call("POST", "/api/deployments", {"server": s, "parameters": {"REF": "v4"}})[1]["id"] for s in names[:100]]
wait(lambda: ended(ids), 300, "100 at once")
at_once = time.monotonic() - t0
print("rollout by a script: 100 POSTs in waves of 10 (poll %d ms) %.2f s (the rollout took %.0f %% of it); "
      "100 POSTs at once %.2f s" % (poll_ms, scripted, 100 * total / scripted, at_once))

# 4. all_at_once, 200 hosts, max_in_flight 50, two replicas; PostgreSQL connections per replica sampled with ss
most = {pid_a: 0, pid_b: 0}
stop = threading.Event()
def sample():
    while not stop.is_set():
        out = subprocess.run(["ss", "-tnpH", "state", "established", "( dport = :%s )" % sql("SHOW port")],
                             capture_output=True, text=True).stdout
        for pid in most:
            most[pid] = max(most[pid], len(re.findall(r"pid=%s," % pid, out)))
        stop.wait(0.1)
threading.Thread(target=sample, daemon=True).start()
rid, total = run_rollout({"target": {"group": "all"}, "strategy": "all_at_once", "max_in_flight": 50, "ref": "v5"})
stop.set()
per = dict(r.split("|") for r in sql("SELECT claimed_by, count(*) FROM deployments WHERE rollout_id = %d GROUP BY claimed_by" % rid).splitlines())
span = float(sql("SELECT extract(epoch FROM max(finished_at) - min(started_at)) FROM deployments WHERE rollout_id = %d" % rid))
print("rollout all_at_once 200 hosts, max_in_flight 50, two replicas: POST -> SUCCEEDED %.2f s, %.1f hosts/s "
      "(first start -> last end %.2f s, %.1f hosts/s); hosts per replica %s"
      % (total, 200 / total, span, 200 / span, sorted(int(n) for n in per.values())))
print("rollout PostgreSQL connections per replica (most seen): a %d, b %d (goal <= 20)" % (most[pid_a], most[pid_b]))
inflight = sql("SELECT max(n) FROM (SELECT (SELECT count(*) FROM deployments y WHERE y.rollout_id = x.rollout_id "
               "AND y.started_at <= x.started_at AND y.finished_at > x.started_at) n FROM deployments x WHERE x.rollout_id = %d) q" % rid)
print("rollout most hosts running at once: %s (max_in_flight 50)" % inflight)
PY
