#!/usr/bin/env python3
"""Reads a deployment's SSE stream; each output line carries the remote time it was printed
("<n> <epoch seconds>"). Prints lines/s delivered and the printed-to-received delay percentiles."""
import json, sys, time, urllib.request

url, token, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token, "Accept": "text/event-stream"})
delays, first, last, event, count = [], None, None, None, 0
deadline = time.time() + 600
with urllib.request.urlopen(req, timeout=120) as resp:
    for raw in resp:
        if time.time() > deadline:
            break
        line = raw.decode("utf-8").rstrip("\n")
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            if event == "status":
                break
            data = json.loads(line[5:])
            if data.get("stream") != "out":
                continue
            now = time.time()
            parts = data["text"].split()
            if len(parts) == 2:
                delays.append(now - float(parts[1]))
                count += 1
                first = first or now
                last = now
delays.sort()
def pct(p): return delays[min(len(delays) - 1, int(p / 100 * len(delays)))] * 1000 if delays else float("nan")
span = (last - first) if first and last and last > first else float("nan")
print(f"SSE: {count}/{expected} lines, {count / span:.0f} lines/s over {span:.1f} s; "
      f"printed->received delay p50 {pct(50):.0f} ms, p99 {pct(99):.0f} ms, max {pct(100):.0f} ms")
