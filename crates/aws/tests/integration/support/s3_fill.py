"""Fill an S3-compatible server the way CloudTrail does, for tests/fetch_s3.rs
and bench/s3: reads a JSON manifest on stdin, [{"key", "file", "gzip_header"}],
and uploads each file under its key (Content-Encoding: gzip where asked);
with --report-time, prints when the last upload was answered."""

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

endpoint, bucket, region = sys.argv[1:4]
report_time = "--report-time" in sys.argv[4:]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name=region,
    aws_access_key_id="test",
    aws_secret_access_key="test",
    config=Config(max_pool_connections=16, s3={"addressing_style": "path"}),
)
# Called again on the same bucket to deliver more files (--follow tests).
existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
if bucket in existing:
    pass
elif region == "us-east-1":
    s3.create_bucket(Bucket=bucket)
else:
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})


def put(item):
    with open(item["file"], "rb") as f:
        body = f.read()
    extra = {"ContentEncoding": "gzip"} if item.get("gzip_header") else {}
    s3.put_object(Bucket=bucket, Key=item["key"], Body=body, **extra)


with ThreadPoolExecutor(8) as pool:
    list(pool.map(put, json.load(sys.stdin)))
# When the last upload was answered (UNIX seconds), for latency figures.
if report_time:
    print(f"{time.time():.6f}")
