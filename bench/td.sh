#!/usr/bin/env bash
# The td command line, as served by the service (/cli/td.jar), on this JVM: `td --help` and `td status` (time of the
# whole command, RUNS times, median and max), and what `td deploy --wait` adds to a deployment: from the deployment's
# finished_at (the service's clock) to td's exit, and the whole command next to the deployment's own queued -> finished.
# A loopback sshd and a one-line deploy script.
source "$(dirname "$0")/lib.sh"
ensure_jar
RUNS="${RUNS:-10}"
for t in /usr/sbin/sshd python3 psql; do command -v "$t" >/dev/null || { echo "missing: $t"; exit 1; }; done
DBS=(); SSHD_PID=""
cleanup() { stop_all; [ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null; for d in "${DBS[@]:-}"; do drop_db "$d"; done; rm -f "$TDJAR"; }
trap cleanup EXIT
sshd_up
printf '#!/bin/sh\necho deployed "$REF"\n' > "$SSHD_DIR/app/deploy.sh"; chmod +x "$SSHD_DIR/app/deploy.sh"
app_up td TRIGGER_SSH_PRIVATE_KEY_FILE="$SSHD_DIR/id"
[ "$(mkserver "$URL" td-web ./deploy.sh)" = 201 ] || { echo "td: creating the server failed"; exit 1; }
TDJAR=$(mktemp /tmp/td-bench.XXXXXX.jar)
curl -fsS -o "$TDJAR" "$URL/cli/td.jar"
JAVA_TD="${JAVA_BIN:-java} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar $TDJAR"
export TD_URL="$URL" TD_TOKEN="$TOKEN"

python3 - "$RUNS" "$DB" "$JAVA_TD" <<'PY'
import statistics, subprocess, sys, time
runs, db, td = int(sys.argv[1]), sys.argv[2], sys.argv[3].split()

def timed(args):
    t = time.monotonic()
    p = subprocess.run(td + args, capture_output=True, text=True)
    return (time.monotonic() - t) * 1000, p

def sql(q):
    return subprocess.run(["psql", "-qAtX", db, "-c", q], check=True, capture_output=True, text=True).stdout.strip()

def show(name, xs, goal):
    print("td %s: p50 %.0f ms, max %.0f ms over %d runs (goal <= %s)" % (name, statistics.median(xs), max(xs), len(xs), goal))

helps = [timed(["--help"])[0] for _ in range(runs)]
show("--help", helps, "500 ms")
wall, added, own = [], [], []
for i in range(runs):
    ms, p = timed(["deploy", "td-web", "--ref", "v%d" % i, "--wait", "--json"])
    assert p.returncode == 0, p.stderr
    exited = time.time()
    dep = int(p.stdout.split('"id":')[1].split(",")[0])
    fin, q = sql("SELECT extract(epoch FROM finished_at), extract(epoch FROM finished_at - queued_at) * 1000 FROM deployments WHERE id = %d" % dep).split("|")
    wall.append(ms)
    own.append(float(q))
    added.append((exited - float(fin)) * 1000)
statuses = [timed(["status", str(dep)])[0] for _ in range(runs)]
show("status", statuses, "1000 ms")
print("td deploy --wait: the whole command p50 %.0f ms (the JVM's start and td's own calls included); the deployment's own "
      "queued -> finished p50 %.0f ms; from finished_at to td's exit p50 %.0f ms, max %.0f ms (goal <= 100 ms added)"
      % (statistics.median(wall), statistics.median(own), statistics.median(added), max(added)))
PY
