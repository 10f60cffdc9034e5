#!/usr/bin/env python3
"""spitzel-filter --live (issue 25): from writing the event that meets a
correlation's threshold into the pipe to reading the hit's line.

N rounds through one spitzel-filter process: each round writes two failed
logins from a new address, pauses, then the third (event_count gte 3 per
address) and times until the --sigma-alerts line (or, with --annotate, the
hit's third event line) comes back. Background events of no rule are fed
between rounds so the filter also reads what it drops.

    bench/live_latency.py [--binary target/release/spitzel-filter] [--rounds 200]
"""

import argparse
import json
import os
import select
import statistics
import subprocess
import tempfile
import time

RULES = """title: failed
name: failed
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: ConsoleLogin}, condition: s}
---
title: brute
correlation: {type: event_count, rules: [failed], group-by: [sourceIPAddress], timespan: 5m, condition: {gte: 3}}
"""


def event(i, name, ip):
    second = i % 3600
    return json.dumps({
        "eventTime": "2026-03-14T10:%02d:%02dZ" % (second // 60, second % 60),
        "eventSource": "signin.amazonaws.com",
        "eventName": name,
        "eventID": "e%d" % i,
        "sourceIPAddress": ip,
    }) + "\n"


def read_line(stdout, deadline):
    buf = b""
    while not buf.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            raise SystemExit("no line within the deadline")
        ready, _, _ = select.select([stdout], [], [], left)
        if ready:
            chunk = os.read(stdout.fileno(), 1)
            if not chunk:
                raise SystemExit("spitzel-filter ended")
            buf += chunk
    return buf


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/spitzel-filter")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--annotate", action="store_true",
                        help="time the hit's event line instead of the alert")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "rules.yml")
        with open(path, "w") as f:
            f.write(RULES)
        mode = ["--annotate"] if args.annotate else ["--sigma-alerts"]
        proc = subprocess.Popen([args.binary, "--sigma", path, "--live"] + mode,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        latencies = []
        n = 0
        for r in range(args.rounds):
            ip = "10.%d.%d.%d" % (r // 65536, r // 256 % 256, r % 256)
            for _ in range(20):
                proc.stdin.write(event(n, "DescribeInstances", ip).encode())
                n += 1
            for _ in range(2):
                proc.stdin.write(event(n, "ConsoleLogin", ip).encode())
                n += 1
            # The annotated mode writes the first two events with the third.
            time.sleep(0.02)
            third = event(n, "ConsoleLogin", ip).encode()
            n += 1
            start = time.monotonic()
            proc.stdin.write(third)
            lines = 1 if not args.annotate else 3
            for _ in range(lines):
                line = read_line(proc.stdout, start + 30)
            latencies.append(time.monotonic() - start)
            assert b"e%d" % (n - 1) in line, line
        proc.stdin.close()
        proc.wait()
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    print("rounds %d: median %.2f ms, p90 %.2f ms, max %.2f ms" % (
        len(ms), statistics.median(ms), ms[int(len(ms) * 0.9) - 1], ms[-1]))


if __name__ == "__main__":
    main()
