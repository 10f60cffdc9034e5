#!/usr/bin/env python3
"""bench/s3: reading a trail from S3 on a local server (moto), in one run:

  A  spitzel-fetch --s3 s3://BUCKET | spitzel-filter -c
  B  aws s3 sync s3://BUCKET DIR, then spitzel-filter -c -i DIR

Reports objects/s, MB/s of gzip and CPU seconds per GB of gzip, for the
client side (spitzel or aws+spitzel) and for the server, so one can see
which side limits the run. Usage: bench/s3 [--objects N] [--runs N] [--smoke].
Needs moto[server], boto3 and awscli in the Python that runs it (.ci/venv).
"""

import argparse
import gzip
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import cpu_of, free_port, median, rounds, wait_usage  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def record(rng, account, region, t, n):
    names = [("s3.amazonaws.com", "GetObject"), ("iam.amazonaws.com", "ListUsers"),
             ("ec2.amazonaws.com", "DescribeInstances"), ("sts.amazonaws.com", "AssumeRole")]
    source, name = names[n % len(names)]
    return {
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:session-%d" % (n % 50),
                         "arn": "arn:aws:sts::%s:assumed-role/Role%d/s" % (account, n % 7),
                         "accountId": account, "accessKeyId": "ASIA%016d" % (n % 999)},
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)),
        "eventSource": source, "eventName": name, "awsRegion": region,
        "sourceIPAddress": "10.%d.%d.%d" % (n % 250, n % 199, n % 97),
        "userAgent": "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5",
        "requestParameters": {"bucketName": "data-%d" % (n % 9), "key": "k/%d" % rng.randrange(10**6)},
        "responseElements": None,
        "requestID": "%032x" % rng.getrandbits(128),
        "eventID": "%08x-%04x-%04x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16),
                                                    rng.getrandbits(16), rng.getrandbits(16),
                                                    rng.getrandbits(48)),
        "readOnly": True, "eventType": "AwsApiCall", "managementEvent": True,
        "recipientAccountId": account, "eventCategory": "Management",
    }


def build(objects, per_file):
    rng = random.Random(7)
    accounts = ["111111111111", "222222222222"]
    regions = ["us-east-1", "eu-west-1"]
    start = 1_719_792_000  # 2024-07-01
    files = []
    n = 0
    per_unit = objects // (len(accounts) * len(regions))
    for account in accounts:
        for region in regions:
            for i in range(per_unit):
                t = start + i * 300
                stamp = time.strftime("%Y%m%dT%H%MZ", time.gmtime(t))
                day = time.strftime("%Y/%m/%d", time.gmtime(t))
                recs = []
                for _ in range(per_file):
                    n += 1
                    recs.append(record(rng, account, region, t - rng.randrange(300), n))
                body = gzip.compress(json.dumps({"Records": recs}).encode(), 6)
                key = (f"AWSLogs/o-bench1234/{account}/CloudTrail/{region}/{day}/"
                       f"{account}_CloudTrail_{region}_{stamp}_{i:06x}.json.gz")
                files.append((key, body))
    return files, n


def run_fetch(fetch, filt):
    """spitzel-fetch --s3 | spitzel-filter -c: wall, fetch CPU, filter CPU, count."""
    t0 = time.perf_counter()
    a = subprocess.Popen([fetch, "--s3", "s3://bench", "-q"], stdout=subprocess.PIPE)
    b = subprocess.Popen([filt, "-c"], stdin=a.stdout, stdout=subprocess.PIPE, text=True)
    a.stdout.close()
    out = b.stdout.read().strip()
    b.stdout.close()
    cpu_b = wait_usage(b)
    cpu_a = wait_usage(a)
    wall = time.perf_counter() - t0
    if a.returncode or b.returncode:
        sys.exit(f"bench/s3: spitzel-fetch exited {a.returncode}, spitzel-filter {b.returncode}")
    return wall, cpu_a, cpu_b, out


def run_sync(aws, endpoint, filt):
    """aws s3 sync to a fresh directory, then spitzel-filter -c -i DIR."""
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        a = subprocess.Popen([aws, "s3", "sync", "s3://bench", d, "--endpoint-url", endpoint,
                              "--only-show-errors"])
        cpu_a = wait_usage(a)
        if a.returncode:
            sys.exit(f"bench/s3: aws s3 sync exited {a.returncode}")
        b = subprocess.Popen([filt, "-c", "-i", d], stdout=subprocess.PIPE, text=True)
        out = b.stdout.read().strip()
        b.stdout.close()
        cpu_b = wait_usage(b)
        wall = time.perf_counter() - t0
    return wall, cpu_a, cpu_b, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=4000)
    ap.add_argument("--records", type=int, default=20, help="records per object")
    ap.add_argument("--runs", type=int, default=3, help="rounds; medians are reported")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release"))
    args = ap.parse_args()
    if args.smoke:
        args.objects, args.runs = 40, 1
    fetch = os.path.join(args.bin, "spitzel-fetch")
    filt = os.path.join(args.bin, "spitzel-filter")
    aws = shutil.which("aws", path=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=log)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        files, records = build(args.objects, args.records)
        gz_bytes = sum(len(b) for _, b in files)
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="bench", aws_secret_access_key="bench",
                          config=Config(max_pool_connections=16, s3={"addressing_style": "path"}))
        s3.create_bucket(Bucket="bench")
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda kb: s3.put_object(Bucket="bench", Key=kb[0], Body=kb[1]), files))
        env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                   AWS_REGION="us-east-1", AWS_ENDPOINT_URL_S3=endpoint, AWS_EC2_METADATA_DISABLED="true")
        os.environ.update(env)
        if not aws:
            print("bench/s3: aws CLI not found; only spitzel-fetch measured", file=sys.stderr)
        load0 = os.getloadavg()[0]
        # rows[name] = list of (wall, client CPU, of which the first tool, server CPU, count)
        def measured(run):
            def one():
                srv0 = cpu_of(server.pid)
                wall, c1, c2, out = run()
                return wall, c1 + c2, c1, cpu_of(server.pid) - srv0, out
            return one

        pipelines = {"A": measured(lambda: run_fetch(fetch, filt))}
        if aws:
            pipelines["B"] = measured(lambda: run_sync(aws, endpoint, filt))
        rows = {"A": [], "B": []}
        rows.update(rounds(pipelines, args.runs, warm_up=False, after_round=lambda i: None))
        load1 = os.getloadavg()[0]

        mb = gz_bytes / 1e6
        gb = gz_bytes / 1e9
        names = {"A": ("spitzel-fetch --s3 \\| spitzel-filter -c", "spitzel-fetch"),
                 "B": ("aws s3 sync + spitzel-filter -c -i DIR", "aws s3 sync")}
        lines = [f"{args.objects} objects, {records} records, {mb:.1f} MB gzip on moto {moto_version()} "
                 f"(one Python process) on 127.0.0.1; {args.runs} rounds, medians; "
                 f"{os.cpu_count()} cores, load average {load0:.1f} before, {load1:.1f} after", "",
                 "| pipeline | wall s | objects/s | MB/s gzip | client CPU s/GB | of which | server CPU s/GB | server busy | count |",
                 "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for key in ("A", "B"):
            runs = rows[key]
            if not runs:
                continue
            wall = median([r[0] for r in runs])
            cpu = median([r[1] for r in runs])
            first = median([r[2] for r in runs])
            srv = median([r[3] for r in runs])
            busy = median([r[3] / r[0] for r in runs])
            name, tool = names[key]
            lines.append(f"| {name} | {wall:.2f} | {args.objects / wall:.0f} | {mb / wall:.2f} | "
                         f"{cpu / gb:.0f} | {tool} {first / gb:.0f} | {srv / gb:.0f} | {busy:.0%} | {runs[0][4]} |")
        if rows["B"]:
            ratios = [b[0] / a[0] for a, b in zip(rows["A"], rows["B"])]
            cpu_ratios = [b[1] / a[1] for a, b in zip(rows["A"], rows["B"])]
            lines.append("")
            lines.append(f"Same-run ratio, sync-then-filter wall over spitzel-fetch wall: median "
                         f"{median(ratios):.2f}x (rounds: {', '.join(f'{r:.2f}' for r in ratios)}); "
                         f"client CPU: {median(cpu_ratios):.1f}x.")
        counts = {r[4] for runs in rows.values() for r in runs}
        assert counts == {str(records)}, f"counts differ: {counts} (expected {records})"
        report = "\n".join(lines)
        print(report)
        if not args.smoke:
            with open(os.path.join(HERE, "results", "s3.md"), "w") as f:
                f.write(report + "\n")
    finally:
        server.kill()
        server.wait()


def moto_version():
    import moto
    return moto.__version__


if __name__ == "__main__":
    main()
