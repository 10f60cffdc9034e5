#!/usr/bin/env python3
"""spitzel-fetch's pacing under network jitter (issue 10).

The emulator admits at most RATE LookupEvents requests in any rolling second,
and each request waits a uniform 0..JITTER ms before it reaches that limit,
as on a real network path. spitzel-fetch reads one region at --rate RATE,
once with the fixed pace of before (SPITZEL_FETCH_PACING=fixed) and once with
the adaptive pace, in the same run. Reported per mode: events/s as a share
of the ceiling (RATE x 50 events a page; wall time of the whole process),
the paced share (admitted requests per second from the first request to
the last, over RATE: the pace without process start-up) and the share of
requests the emulator throttled. Goal: >= 95% of the ceiling with <= 1% throttled.

    bench/pacing.py                       # debug build, rate 10, jitter 30 ms, 20,000 events
    bench/pacing.py --release --events 30000 --runs 3

Pacing is bound by the clock, not the CPU, so a debug build measures it as
well as a release one (the client spends about 1 ms of CPU on a page).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
GOAL_FRACTION = 0.95
GOAL_THROTTLED = 0.01


def target_dir():
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                          cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return json.loads(meta.stdout)["target_directory"]


def build(release):
    argv = ["cargo", "build", "--quiet", "-p", "spitzel-aws", "--bin", "spitzel-fetch",
            "--example", "cloudtrail_emulator"] + (["--release"] if release else [])
    print("building: " + " ".join(argv), file=sys.stderr)
    subprocess.run(argv, cwd=REPO_ROOT, check=True)
    return os.path.join(target_dir(), "release" if release else "debug")


def one_run(build_dir, mode, rate, jitter_ms, events):
    emulator = subprocess.Popen(
        [os.path.join(build_dir, "examples", "cloudtrail_emulator"), "--port", "0",
         "--rate", str(rate), "--limit", "rolling", "--jitter-ms", str(jitter_ms),
         "--regions", "us-east-1", "--events-per-region", str(events)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        banner = emulator.stdout.readline().split()
        address = banner[-1]
        env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDBENCHMARK", AWS_SECRET_ACCESS_KEY="bench",
                   AWS_EC2_METADATA_DISABLED="true", SPITZEL_FETCH_PACING=mode)
        env.pop("AWS_PROFILE", None)
        began = time.perf_counter()
        done = subprocess.run(
            [os.path.join(build_dir, "spitzel-fetch"), "--endpoint-url", f"http://{address}",
             "--region", "us-east-1", "--rate", str(rate), "-q"],
            stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=3600)
        seconds = time.perf_counter() - began
        emulator.stdin.close()
        counters = json.loads(emulator.stdout.readline())
        emulator.wait(timeout=10)
    finally:
        if emulator.poll() is None:
            emulator.kill()
    written = done.stdout.count(b"\n")
    if done.returncode != 0 or written != events:
        raise SystemExit(f"spitzel-fetch ({mode}) exited {done.returncode} after {written} of "
                         f"{events} events: {done.stderr.decode(errors='replace').strip()}")
    requests = sum(counters["requests"].values())
    admitted = requests - counters["throttled"]
    return {
        "mode": mode,
        "seconds": seconds,
        "fraction_of_ceiling": events / seconds / (rate * 50),
        # Admitted requests per second between the first and the last
        # request, over the rate: the pace alone, without process start-up.
        "paced_fraction": (admitted - 1) / counters["request_span_s"] / rate,
        "requests": requests,
        "throttled": counters["throttled"],
        "throttled_fraction": counters["throttled"] / requests,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, default=10, help="requests/s, limit and --rate (10)")
    parser.add_argument("--jitter-ms", type=int, default=30, help="arrival jitter, ms (30)")
    parser.add_argument("--events", type=int, default=20000, help="events in the region (20000)")
    parser.add_argument("--runs", type=int, default=1, help="runs per mode, interleaved (1)")
    parser.add_argument("--release", action="store_true", help="release build")
    parser.add_argument("--json", help="also write the runs to this file")
    args = parser.parse_args()
    build_dir = build(args.release)
    runs = []
    for _ in range(args.runs):
        for mode in ("fixed", "adaptive"):
            run = one_run(build_dir, mode, args.rate, args.jitter_ms, args.events)
            print(f"{mode:>8}: {run['seconds']:.1f} s, {100 * run['fraction_of_ceiling']:.1f}% of "
                  f"the ceiling ({100 * run['paced_fraction']:.1f}% paced), {run['throttled']} of {run['requests']} requests throttled "
                  f"({100 * run['throttled_fraction']:.2f}%)", file=sys.stderr)
            runs.append(run)
    print(f"rate {args.rate}/s, rolling-second limit {args.rate}, jitter 0-{args.jitter_ms} ms, "
          f"{args.events} events, {'release' if args.release else 'debug'} build")
    ok = True
    for mode in ("fixed", "adaptive"):
        mine = [r for r in runs if r["mode"] == mode]
        fraction = statistics.median(r["fraction_of_ceiling"] for r in mine)
        paced = statistics.median(r["paced_fraction"] for r in mine)
        throttled = statistics.median(r["throttled_fraction"] for r in mine)
        met = fraction >= GOAL_FRACTION and throttled <= GOAL_THROTTLED
        print(f"| {mode} | {100 * fraction:.1f}% of the ceiling | {100 * paced:.1f}% paced "
              f"| {100 * throttled:.2f}% throttled | {'meets' if met else 'misses'} the goal |")
        ok = ok and (met or mode == "fixed")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"args": vars(args), "runs": runs}, handle, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
