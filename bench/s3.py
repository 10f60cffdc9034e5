#!/usr/bin/env python3
"""bench/s3: reading a trail from S3 on a local server (moto), in one run:

  A  spitzel-fetch --s3 s3://BUCKET | spitzel-filter -c
  B  aws s3 sync s3://BUCKET DIR, then spitzel-filter -c -i DIR

Reports objects/s, MB/s of gzip and CPU seconds per GB of gzip, for the
client side (spitzel or aws+spitzel) and for the server, so one can see
which side limits the run. Usage: bench/s3 [--objects N] [--smoke].
Needs moto[server], boto3 and awscli in the Python that runs it (.ci/venv).
"""

import argparse
import gzip
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_of(pid):
    """utime + stime of a process, seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


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


def run_timed(cmd, shell=False):
    c0 = children_cpu()
    t0 = time.perf_counter()
    out = subprocess.run(cmd, shell=shell, check=True, capture_output=True, text=True)
    return time.perf_counter() - t0, children_cpu() - c0, out.stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=4000)
    ap.add_argument("--records", type=int, default=20, help="records per object")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release"))
    args = ap.parse_args()
    if args.smoke:
        args.objects = 40
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
        rows = []

        srv0 = cpu_of(server.pid)
        wall, cpu, out = run_timed(f"'{fetch}' --s3 s3://bench -q | '{filt}' -c", shell=True)
        rows.append(("spitzel-fetch --s3 | spitzel-filter -c", wall, cpu, cpu_of(server.pid) - srv0, out))

        if aws:
            with tempfile.TemporaryDirectory() as d:
                srv0 = cpu_of(server.pid)
                w1, c1, _ = run_timed([aws, "s3", "sync", "s3://bench", d, "--endpoint-url", endpoint,
                                       "--only-show-errors"])
                srv = cpu_of(server.pid) - srv0
                w2, c2, out = run_timed([filt, "-c", "-i", d])
                rows.append(("aws s3 sync + spitzel-filter -c -i DIR", w1 + w2, c1 + c2, srv, out))
        else:
            print("bench/s3: aws CLI not found; only spitzel-fetch measured", file=sys.stderr)

        mb = gz_bytes / 1e6
        lines = [f"{args.objects} objects, {records} records, {mb:.1f} MB gzip, moto {server.pid and 'server'} on 127.0.0.1", "",
                 "| pipeline | wall s | objects/s | MB/s gzip | client CPU s/GB | server CPU s/GB | count |",
                 "|---|---:|---:|---:|---:|---:|---:|"]
        for name, wall, cpu, srv, out in rows:
            lines.append(f"| {name} | {wall:.2f} | {args.objects / wall:.0f} | {mb / wall:.2f} | "
                         f"{cpu / (gz_bytes / 1e9):.1f} | {srv / (gz_bytes / 1e9):.1f} | {out} |")
        if len(rows) == 2:
            lines.append("")
            lines.append(f"spitzel-fetch --s3 is {rows[1][1] / rows[0][1]:.2f}x faster than sync-then-filter")
        counts = {r[4] for r in rows}
        assert counts == {str(records)}, f"counts differ: {counts} (expected {records})"
        report = "\n".join(lines)
        print(report)
        if not args.smoke:
            with open(os.path.join(HERE, "results", "s3.md"), "w") as f:
                f.write(report + "\n")
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    main()
