#!/usr/bin/env python3
"""Deterministic CloudTrail benchmark corpus.

Writes NDJSON (one record a line) or an S3-style tree of .json.gz CloudTrail
log files. Record shapes come from the real records in
<shared>/data/cloudtrail/*/events.ndjson when present (shared = $SPITZEL_SHARED
or ../shared beside the repository), else from shapes synthesized here. Every
record gets a fresh eventID, an eventTime spread over the window, a varied
sourceIPAddress (where the original is an IPv4 address) and a varied
userIdentity.arn, so no two lines are equal and nothing a tool caches by line
helps it.

Speed: each shape is serialized once into a %-format template with slots for
the varied fields, so a record costs one string formatting, not a JSON dump.
"""

import argparse
import calendar
import gzip
import json
import os
import random
import re
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Hand-edited edge cases (odd eventTime formats, placeholder values), not
# realistic traffic: a corpus built from them would measure oddities.
EXCLUDED_SOURCES = {"panther-analysis-tests"}

IPV4 = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")
SLOT = re.compile(r"@@SPZ(EID|TIME|IP|ARNSUF|REGION)@@")

# Share of varied IPv4 addresses drawn from each network; the rest are drawn
# from the whole unicast range. 185.220.0.0/16 is the network the CIDR query
# of bench/queries.json looks for.
IP_NETWORKS = [
    ("185.220.", 0.05),
    ("198.51.100.", 0.15),
    ("203.0.113.", 0.10),
    ("52.94.", 0.20),
]

DEFAULT_START = "2026-08-01"


def parse_size(text):
    """'1G', '50M', '300K' or bytes; decimal units, as MB/s is reported."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"bad size {text!r} (e.g. 1G, 50M, 300K)")
    scale = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def shared_dir():
    env = os.environ.get("SPITZEL_SHARED")
    return env if env else os.path.join(REPO_ROOT, "..", "shared")


def load_real_records():
    base = os.path.join(shared_dir(), "data", "cloudtrail")
    records = []
    if not os.path.isdir(base):
        return records
    for name in sorted(os.listdir(base)):
        path = os.path.join(base, name, "events.ndjson")
        if name in EXCLUDED_SOURCES or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if not line:
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict):
                    records.append(record)
    return records


def synthesized_records():
    """A small set of realistic shapes for when the shared data is absent."""
    account = "210987654321"
    user = {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLEPRINCIPAL1",
        "arn": f"arn:aws:iam::{account}:user/analyst",
        "accountId": account,
        "accessKeyId": "AKIAEXAMPLEKEY000001",
        "userName": "analyst",
    }
    role = {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLEROLE00001:i-0a1b2c3d4e5f67890",
        "arn": f"arn:aws:sts::{account}:assumed-role/app-server/i-0a1b2c3d4e5f67890",
        "accountId": account,
        "accessKeyId": "ASIAEXAMPLEKEY000002",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEROLE00001",
                "arn": f"arn:aws:iam::{account}:role/app-server",
                "accountId": account,
                "userName": "app-server",
            },
            "attributes": {"creationDate": "2026-08-01T00:00:00Z", "mfaAuthenticated": "false"},
        },
    }
    calls = [
        ("ec2", "DescribeInstances", user, {"instancesSet": {}, "filterSet": {}}, None),
        ("ec2", "DescribeSecurityGroups", role, {"securityGroupSet": {}}, None),
        ("ec2", "RunInstances", user, {"instanceType": "t3.micro"}, "Client.UnauthorizedOperation"),
        ("s3", "GetObject", role, {"bucketName": "data-lake", "key": "raw/part-0001.parquet"}, None),
        ("s3", "ListObjects", role, {"bucketName": "data-lake", "prefix": "raw/"}, None),
        ("s3", "PutBucketPolicy", user, {"bucketName": "data-lake"}, "AccessDenied"),
        ("iam", "ListUsers", user, {}, None),
        ("iam", "CreateAccessKey", user, {"userName": "analyst"}, None),
        ("sts", "GetCallerIdentity", role, None, None),
        ("kms", "Decrypt", role, {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, None),
        ("secretsmanager", "GetSecretValue", role, {"secretId": "prod/db"}, "AccessDeniedException"),
        ("ssm", "GetParameters", role, {"names": ["/app/config"], "withDecryption": True}, None),
    ]
    records = []
    for service, name, identity, params, error in calls:
        record = {
            "eventVersion": "1.09",
            "userIdentity": identity,
            "eventTime": "2026-08-01T00:00:00Z",
            "eventSource": f"{service}.amazonaws.com",
            "eventName": name,
            "awsRegion": "us-east-1",
            "sourceIPAddress": "192.0.2.10",
            "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64",
            "requestParameters": params,
            "responseElements": None,
            "requestID": "00000000-0000-4000-8000-000000000000",
            "eventID": "00000000-0000-4000-8000-000000000000",
            "readOnly": name.startswith(("Describe", "Get", "List")),
            "eventType": "AwsApiCall",
            "managementEvent": service != "s3" or name == "PutBucketPolicy",
            "recipientAccountId": account,
            "eventCategory": "Management",
        }
        if error:
            record["errorCode"] = error
            record["errorMessage"] = "You are not authorized to perform this operation."
        records.append(record)
    return records


def make_template(record):
    """The record as a %-format string with named slots for the varied fields."""
    record = json.loads(json.dumps(record))  # deep copy
    record["eventID"] = "@@SPZEID@@"
    record["eventTime"] = "@@SPZTIME@@"
    if isinstance(record.get("sourceIPAddress"), str) and IPV4.match(record["sourceIPAddress"]):
        record["sourceIPAddress"] = "@@SPZIP@@"
    identity = record.get("userIdentity")
    if isinstance(identity, dict) and isinstance(identity.get("arn"), str):
        identity["arn"] += "@@SPZARNSUF@@"
    region = record.get("awsRegion") if isinstance(record.get("awsRegion"), str) else None
    if region is not None:
        record["awsRegion"] = "@@SPZREGION@@"
    text = json.dumps(record, separators=(",", ":"), ensure_ascii=False).replace("%", "%%")
    fmt = SLOT.sub(lambda m: "%(" + m.group(1).lower() + ")s", text)
    return fmt, region or "us-east-1"


def format_time(epoch):
    t = time.gmtime(epoch)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (t[0], t[1], t[2], t[3], t[4], t[5])


class RecordStream:
    """Yields (epoch, region, line) in eventTime order, deterministically."""

    def __init__(self, templates, size, seed, start, days, regions):
        self.templates = templates
        self.size = size
        self.rng = random.Random(seed)
        self.start = start
        self.span = days * 86400
        self.regions = regions
        sample = {"eid": "0" * 36, "time": "0" * 20, "ip": "0" * 13, "arnsuf": "-000", "region": "us-east-1"}
        average = sum(len(fmt % sample) for fmt, _ in templates) / len(templates)
        # Times rise evenly over the window for the estimated record count.
        self.step = self.span / max(1.0, size / (average + 1))

    def random_ip(self):
        rng = self.rng
        roll = rng.random()
        for prefix, share in IP_NETWORKS:
            if roll < share:
                tail = 4 - prefix.count(".")
                return prefix + ".".join(str(rng.randrange(1, 255)) for _ in range(tail))
            roll -= share
        return "%d.%d.%d.%d" % (
            rng.choice((3, 13, 18, 34, 44, 54, 91, 100, 104, 146, 176, 195)),
            rng.randrange(256),
            rng.randrange(256),
            rng.randrange(1, 255),
        )

    def __iter__(self):
        rng = self.rng
        written = 0
        index = 0
        end = self.start + self.span - 1
        while written < self.size:
            fmt, own_region = rng.choice(self.templates)
            epoch = min(end, self.start + int((index + rng.random()) * self.step))
            uid = "%032x" % rng.getrandbits(128)
            region = rng.choice(self.regions) if self.regions else own_region
            values = {
                "eid": f"{uid[:8]}-{uid[8:12]}-4{uid[13:16]}-{uid[16:20]}-{uid[20:]}",
                "time": format_time(epoch),
                "ip": self.random_ip(),
                "arnsuf": "-%d" % rng.randrange(1000),
                "region": region,
            }
            line = fmt % values
            written += len(line) + 1
            index += 1
            yield epoch, region, line


def write_ndjson(stream, out):
    batch = []
    batch_bytes = 0
    count = 0
    for _, _, line in stream:
        batch.append(line)
        batch_bytes += len(line)
        count += 1
        if batch_bytes > 4_000_000:
            out.write(("\n".join(batch) + "\n").encode("utf-8"))
            batch, batch_bytes = [], 0
    if batch:
        out.write(("\n".join(batch) + "\n").encode("utf-8"))
    return count


def write_tree(stream, root, account, seed, slot_seconds=300):
    """One {"Records":[...]} .json.gz per region and delivery slot (CloudTrail: 5 minutes)."""
    name_rng = random.Random(seed + 1)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    files = 0
    count = 0
    pending = {}
    current_slot = None

    def flush(slot):
        nonlocal files
        delivered = (slot + 1) * slot_seconds
        stamp = time.strftime("%Y%m%dT%H%MZ", time.gmtime(delivered))
        day = time.strftime("%Y/%m/%d", time.gmtime(delivered))
        for region in sorted(pending):
            suffix = "".join(name_rng.choice(alphabet) for _ in range(16))
            folder = os.path.join(root, "AWSLogs", account, "CloudTrail", region, day)
            os.makedirs(folder, exist_ok=True)
            name = f"{account}_CloudTrail_{region}_{stamp}_{suffix}.json.gz"
            body = '{"Records":[' + ",".join(pending[region]) + "]}"
            with open(os.path.join(folder, name), "wb") as handle:
                handle.write(gzip.compress(body.encode("utf-8"), compresslevel=6, mtime=0))
            files += 1
        pending.clear()

    for epoch, region, line in stream:
        slot = epoch // slot_seconds
        if current_slot is not None and slot != current_slot:
            flush(current_slot)
        current_slot = slot
        pending.setdefault(region, []).append(line)
        count += 1
    if pending:
        flush(current_slot)
    return count, files


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("1G"),
                        help="bytes of NDJSON to write (decimal units: 1G, 50M; default 1G)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="-", help="NDJSON output file ('-' = stdout)")
    parser.add_argument("--tree", metavar="DIR",
                        help="write an S3-style tree of .json.gz log files under DIR instead")
    parser.add_argument("--start", default=DEFAULT_START, help="first day, YYYY-MM-DD (UTC)")
    parser.add_argument("--days", type=int, default=90, help="days the eventTimes span")
    parser.add_argument("--regions", default="",
                        help="comma-separated awsRegion values to spread records over "
                             "(default: each shape keeps its own; tree default: 4 regions)")
    parser.add_argument("--account", default="123456789012", help="account id in tree paths")
    parser.add_argument("--slot-minutes", type=int, default=5,
                        help="minutes of events per tree file and region (default 5, as CloudTrail)")
    parser.add_argument("--synthetic", action="store_true",
                        help="use the built-in shapes even when the shared records exist")
    args = parser.parse_args()

    try:
        start = calendar.timegm(time.strptime(args.start, "%Y-%m-%d"))
    except ValueError:
        parser.error(f"--start {args.start!r}: expected YYYY-MM-DD")
    if args.days < 1:
        parser.error("--days must be at least 1")
    if args.slot_minutes < 1:
        parser.error("--slot-minutes must be at least 1")

    records = [] if args.synthetic else load_real_records()
    origin = "shared CloudTrail records"
    if not records:
        records = synthesized_records()
        origin = "synthesized shapes"
    templates = [make_template(r) for r in records]
    regions = [r for r in args.regions.split(",") if r]
    if args.tree and not regions:
        regions = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]

    stream = RecordStream(templates, args.size, args.seed, start, args.days, regions)
    began = time.monotonic()
    if args.tree:
        count, files = write_tree(stream, args.tree, args.account, args.seed, args.slot_minutes * 60)
        what = f"{count} records in {files} files under {args.tree}"
    elif args.out == "-":
        count = write_ndjson(stream, sys.stdout.buffer)
        what = f"{count} records to stdout"
    else:
        tmp = args.out + ".partial"
        with open(tmp, "wb") as out:
            count = write_ndjson(stream, out)
        os.replace(tmp, args.out)  # a half-written corpus never looks finished
        what = f"{count} records to {args.out}"
    elapsed = time.monotonic() - began
    print(f"gen_corpus: {what} from {len(templates)} {origin}, seed {args.seed}, "
          f"{elapsed:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(0)
    except OSError as err:
        print(f"gen_corpus: {err}", file=sys.stderr)
        sys.exit(2)
