#!/usr/bin/env python3
"""CPU time by process name while it runs: samples /proc every 20 ms (so processes that start and end in between,
such as an sshd session or the deploy script, are counted too) and, on SIGTERM/SIGINT, prints the CPU seconds each
command name used since it started, and the share of the machine's CPU time over the same wall time.
JAVA_THREADS=1 adds a line per Java thread name (numbers stripped), e.g. java/vert.x-eventloop-thread-.
Usage: python3 bench/cpu_by_process.py & pid=$!; ...; kill $pid; wait $pid"""
import os, signal, sys, time

TICK = os.sysconf("SC_CLK_TCK")
THREADS = os.environ.get("JAVA_THREADS") == "1"  # also by thread name inside each java process (names end in "java/")
CORES = os.cpu_count() or 1
first, last, names = {}, {}, {}
own = os.getpid()


def sample():
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == own:
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        used = (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
        key = (entry, fields[19])  # pid and its start time: a reused pid is another process
        if key not in first:
            first[key] = 0.0 if started else used  # a process born while sampling counts from zero
        last[key], names[key] = used, name
        if name == "java" and THREADS:
            sample_threads(entry)


def sample_threads(pid):
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = "java/" + stat[stat.index("(") + 1:stat.rindex(")")].rstrip("0123456789-")
        fields = stat[stat.rindex(")") + 2:].split()
        used = (int(fields[11]) + int(fields[12])) / TICK
        key = ("t" + tid, fields[19])
        if key not in first:
            first[key] = 0.0 if started else used
        last[key], names[key] = used, name


started = False
sample()
started = True
t0 = time.time()
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
signal.signal(signal.SIGINT, lambda *_: stop.append(1))
deadline = t0 + 3600
while not stop and time.time() < deadline:
    time.sleep(0.02)
    sample()
wall = time.time() - t0
by_name = {}
for key, used in last.items():
    by_name[names[key]] = by_name.get(names[key], 0.0) + used - first[key]
total = sum(v for k, v in by_name.items() if not k.startswith("java/"))
print(f"CPU over {wall:.1f} s wall on {CORES} cores ({wall * CORES:.1f} CPU-s available, {total:.1f} used):")
for name, used in sorted(by_name.items(), key=lambda kv: -kv[1]):
    if used >= 0.05:
        print(f"  {name:<18} {used:6.2f} CPU-s  {100 * used / (wall * CORES):5.1f} %")
sys.stdout.flush()
