#!/usr/bin/env python3
"""Reads a deployment's SSE stream; each output line carries the remote time it was printed
("<n> <epoch seconds>"). Prints lines/s delivered and the printed-to-received delay percentiles, and that delay split
at the moment the service read the line off the SSH channel (the event's "at"): printed->read and read->received.
Checks that the line events come exactly once and in order (their ids are 1, 2, 3, ... with no gap or repeat).

The client costs as little CPU as it can, because it shares the machine's cores with the service it measures: plain
HTTP/1.1 over a socket read in large pieces, and a regular expression over each piece for the line events of the
form the service writes; any other event (and a line event of another shape) is parsed as JSON."""
import json, re, socket, sys, time
from datetime import datetime
from urllib.parse import urlsplit

url, token, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
FAST = re.compile(rb'id: (\d+)\nevent: line\ndata: \{"line":\d+,"at":"([^"]+)","stream":"out","text":"(\d+) ([0-9.]+)"\}\n\n')
deadline = time.time() + 600
parts = urlsplit(url)
sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=120)
sock.sendall((f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
              "Accept: text/event-stream\r\n\r\n").encode())

delays, to_server, from_server = [], [], []
first = last = None
count, last_id, disorder, sample = 0, 0, 0, 0
raw = b""        # bytes off the socket, still in HTTP chunked framing
body = b""       # SSE text not yet parsed
chunked = None
finished = False


def at_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def line_event(event_id, at, printed, now):
    global count, last_id, disorder, first, last, sample
    if event_id != last_id + 1:
        disorder += 1
    last_id = event_id
    count += 1
    delays.append(now - printed)
    sample += 1
    if sample % 10 == 1:  # the split needs the service's time stamp parsed: every tenth line is enough for percentiles
        read = at_time(at)
        to_server.append(read - printed)
        from_server.append(now - read)
    first = first or now
    last = now


def slow(event, now):
    """An event the fast pattern did not match: parsed in full. Answers True at the final status."""
    global finished
    fields = {}
    for row in event.split(b"\n"):
        key, _, value = row.partition(b":")
        fields[key] = value[1:] if value.startswith(b" ") else value
    name = fields.get(b"event", b"").decode()
    if name == "status":
        finished = True
        return True
    if name == "line":
        data = json.loads(fields[b"data"])
        words = data["text"].split()
        if data.get("stream") == "out" and len(words) == 2:
            line_event(int(fields[b"id"]), data["at"], float(words[1]), now)
        else:
            global last_id
            last_id = int(fields[b"id"])
    return False


def events(now):
    """Takes the complete events off the front of the body."""
    global body
    end = body.rfind(b"\n\n")
    if end < 0:
        return
    text, body = body[:end + 2], body[end + 2:]
    pos = 0
    for m in FAST.finditer(text):
        if m.start() > pos:  # something else came between two fast-path events
            for event in text[pos:m.start()].split(b"\n\n"):
                if event.strip() and slow(event, now):
                    return
        line_event(int(m.group(1)), m.group(2).decode(), float(m.group(4)), now)
        pos = m.end()
    for event in text[pos:].split(b"\n\n"):
        if event.strip() and slow(event, now):
            return


while not finished and time.time() < deadline:
    piece = sock.recv(1 << 20)
    if not piece:
        break
    raw += piece
    if chunked is None:
        head_end = raw.find(b"\r\n\r\n")
        if head_end < 0:
            continue
        head, raw = raw[:head_end].decode("latin-1"), raw[head_end + 4:]
        status = head.split(" ", 2)[1]
        if status != "200":
            sys.exit(f"SSE: HTTP {status}")
        chunked = "transfer-encoding: chunked" in head.lower()
    if chunked:
        while True:  # whole chunks off the front of raw
            size_end = raw.find(b"\r\n")
            if size_end < 0:
                break
            size = int(raw[:size_end].split(b";")[0], 16)
            if len(raw) < size_end + 2 + size + 2:
                break
            body += raw[size_end + 2:size_end + 2 + size]
            raw = raw[size_end + 2 + size + 2:]
            if size == 0:
                finished = True
                break
    else:
        body, raw = body + raw, b""
    events(time.time())
sock.close()

for d in (delays, to_server, from_server):
    d.sort()


def pct(p, d=delays):
    return d[min(len(d) - 1, int(p / 100 * len(d)))] * 1000 if d else float("nan")


span = (last - first) if first and last and last > first else float("nan")
print(f"SSE: {count}/{expected} lines, {count / span:.0f} lines/s over {span:.1f} s; "
      f"printed->received delay p50 {pct(50):.0f} ms, p99 {pct(99):.0f} ms, max {pct(100):.0f} ms "
      f"(printed->read by the service p50 {pct(50, to_server):.0f} / p99 {pct(99, to_server):.0f} ms, "
      f"read->received p50 {pct(50, from_server):.0f} / p99 {pct(99, from_server):.0f} ms)"
      + (f"; {disorder} line events out of order or repeated" if disorder else ""))
