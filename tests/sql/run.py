#!/usr/bin/env python3
"""Differential test of --emit-sql against the real engines.

For every query (the match expressions found in the project's own tests,
plus generated combinations), the records spitzel-filter keeps must equal
the rows each engine returns on the same data, or the emission must be
refused (exit 2, one line). Compared as multisets of parsed JSON.

  run.py FILTER_BINARY WORKDIR

DuckDB runs the duckdb statements directly. Athena statements are parsed by
sqlglot (read="athena"), transpiled to DuckDB and run over a table with the
Athena documentation's CloudTrail schema, loaded from the same records as
Athena's JSON SerDe would load them. Spark: see the report line.
"""

import concurrent.futures
import contextlib
import functools
import gzip
import itertools
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def die(msg):
    print(f"sql-engines: FAIL: {msg}")
    sys.exit(1)


class Phases:
    """Wall seconds per phase, a nested phase's time counted in it only (the
    step's budget is spent where the report line says), and the CPU seconds
    of this process, of the filter runs and of Spark's JVM."""

    def __init__(self):
        self.wall = Counter()
        self.lock = threading.Lock()
        self.local = threading.local()
        self.jvm = None
        self.jvm_seconds = 0.0
        self.started = time.perf_counter()

    @contextlib.contextmanager
    def __call__(self, name):
        stack = self.local.__dict__.setdefault("stack", [])
        start = time.perf_counter()
        stack.append(0.0)
        try:
            yield
        finally:
            spent = time.perf_counter() - start
            with self.lock:
                self.wall[name] += spent - stack.pop()
            if stack:
                stack[-1] += spent

    def jvm_cpu(self):
        """The JVM's CPU seconds so far (it is not waited for, so
        os.times() does not count it)."""
        try:
            with open(f"/proc/{self.jvm}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            self.jvm_seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, TypeError, IndexError, ValueError):
            pass  # no JVM, or gone: the last reading stands
        return self.jvm_seconds

    def report(self):
        t = os.times()
        wall = time.perf_counter() - self.started
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"sql-engines: time: {wall:.0f} s wall (load average {load}); CPU s: python "
              f"{t.user + t.system:.0f}, filter runs {t.children_user + t.children_system:.0f}, "
              f"JVM {self.jvm_cpu():.0f}")
        print("sql-engines: time by phase (wall s, summed over threads: phases overlap): "
              + ", ".join(f"{k} {v:.1f}" for k, v in self.wall.most_common()))


PHASES = Phases()


# ---------------------------------------------------------------- data

def edge_records():
    """Records that probe the places where SQL semantics differ."""
    base = {
        "eventVersion": "1.08", "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
        "awsRegion": "us-east-1", "eventTime": "2026-03-14T10:00:00Z",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/Alice", "userName": "Alice"},
        "recipientAccountId": "111122223333", "readOnly": True,
    }
    variants = [
        {},
        {"errorCode": "AccessDenied", "n": 1, "f": 2.5, "tags": ["a", "b"], "obj": {"k": [1, 2]}},
        {"errorCode": None, "n": 1.0, "readOnly": False, "tags": [], "obj": {"k": [1, 2.0]}},
        {"n": True, "f": "2.5", "tags": ["a"], "sourceIPAddress": "10.1.2.3"},
        {"n": "1", "errorMessage": "Denied\n", "sourceIPAddress": "010.1.2.3"},
        {"n": -0, "errorMessage": "x\u0661y", "sourceIPAddress": "2001:db8::7"},
        {"n": 18446744073709551615, "errorMessage": "Denied", "sourceIPAddress": "AWS Internal"},
        # Past 64 bits (DuckDB types them DOUBLE), inside 128.
        {"n": 18446744073709551617, "f": -9223372036854775809},
        {"n": 18446744073709551616, "f": 170141183460469231731687303715884105727},
        {"n": 3, "f": 3, "errorMessage": "caf\u00e9 \u2615", "sourceIPAddress": "192.168.0.255"},
        {"n": 2.75, "errorMessage": "a\tb c", "sourceIPAddress": "10.255.255.255"},
        {"resources": [{"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::public"},
                       {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::bucket/secret.txt"}]},
        {"resources": [{"type": None, "ARN": "arn:x"}]},
        {"resources": [{"ARN": "arn:y"}]},
        {"resources": []},
        {"eventTime": "2026-03-14T11:30:00.5Z"},
        {"eventTime": "2026-02-30T10:00:00Z"},
        {"eventTime": "2026-03-15T00:00:00Z", "errorCode": "Throttling"},
        {"eventTime": 5},
        {"eventName": "UpdateFunctionConfiguration20150331v2", "eventSource": "lambda.amazonaws.com"},
        {"eventName": "PutMetricAlarm", "eventSource": "monitoring.amazonaws.com"},
        {"userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/Admin/bob",
                          "sessionContext": {"sessionIssuer": {"userName": "Admin", "type": "Role"}}}},
        {"userIdentity": {"type": "Root"}, "errorCode": "accessdenied", "readOnly": None},
        {"requestParameters": {"bucketName": "b1", "key": "a.pem"}, "errorMessage": "K\u212a"},
        {"requestParameters": {"bucketName": None, "key": ["a.pem"], "list": ["b1", 2]}},
        {"requestParameters": {"bucketName": 5, "key": {"k": "a.pem"}, "list": [{"bucketName": "b1"}]}},
        {"requestParameters": {"bucketName": True, "key": "caf\u00e9\n", "ip": "10.1.2.3"}},
        {"requestParameters": {"bucketName": "B1", "ip": "192.168.0.300"}, "responseElements": None},
        {"requestParameters": None, "responseElements": {"credentials": {"accessKeyId": "ASIAX"}}},
        {"requestParameters": [], "additionalEventData": {"MFAUsed": "No", "bucketName": "b1"}},
        {"errorMessage": "Is\u0130 \u017f", "n": [1, 2]},
        {"eventSource": "MONITORING.amazonaws.com", "eventName": "describealarms"},
        {"eventSource": "s3", "eventName": "HeadBucket"},
        {"eventSource": "", "eventName": "GetObject"},
        {"eventSource": "lambda.amazonaws.com", "eventName": "12345678v123456789"},
        {"eventSource": "lambda.amazonaws.com", "eventName": "Invoke"},
        {"eventSource": "lambda.amazonaws.com", "eventName": "GetFunction20150331"},
        {"eventSource": "cloudfront.amazonaws.com", "eventName": "CreateDistribution2020_05_31"},
        {"eventSource": "s3.amazonaws.com", "eventName": "CopyObject"},
        {"eventSource": "ec2.amazonaws.com", "eventName": "DescribeVpcs"},
        {"eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances"},
        {"eventSource": "s\u212a.amazonaws.com", "eventName": "GetObject"},
        # Doubles beside integers no double holds (2^53 + 1, 2^64 + 1).
        {"n": 9007199254740992.0, "f": 1.8446744073709552e19},
        {"n": -9007199254740994.0, "f": 9007199254740994},
        # Texts for (?i) with characters that have no case and a non-ASCII
        # letter whose folding reaches ASCII (the Kelvin sign and k).
        {"errorMessage": "costs 5 \u20ac"},
        {"errorMessage": "S3 is down"},
        {"errorMessage": "kms: key disabled"},
        {"errorMessage": "\u212aMS key"},
        {"errorMessage": "_"},
        # Action names folded: ASCII only (the Kelvin sign, the long s and
        # the dotted I fold to ASCII letters in SQL's lower/upper).
        {"eventSource": "iam.amazonaws.com", "eventName": "CreateUser"},
        {"eventSource": "IAM.amazonaws.com", "eventName": "createuser"},
        {"eventSource": "iam.amazonaws.com", "eventName": "CreateU\u017fer"},
        {"eventSource": "\u0130am.amazonaws.com", "eventName": "CreateUser"},
        {"eventSource": "s3.amazonaws.com", "eventName": "HeadObject"},
        {"eventSource": "S3.amazonaws.com", "eventName": "\u212aeadObject"},
        {"eventSource": "cloudfront.amazonaws.com", "eventName": "GetDistribution2019_03_26"},
        {"eventSource": "Monitoring.amazonaws.com", "eventName": "PutMetricData"},
        {"eventSource": "cloudwatch.amazonaws.com", "eventName": "PutMetricData"},
    ]
    out = []
    for i, v in enumerate(variants):
        r = dict(base)
        r["eventID"] = f"e{i:03d}"
        r.update(v)
        for k in [k for k, val in v.items() if val == "__drop__"]:
            del r[k]
        out.append(r)
    # A record without the usual members.
    out.append({"eventID": "bare", "eventTime": "2026-03-14T10:00:00Z"})
    # Every eventTime spelling the filter reads (an offset, a space or a
    # lowercase t for T, lowercase z, up to nine fraction digits), the
    # nanosecond range's ends, and near misses it does not read.
    for i, t in enumerate(EVENT_TIMES):
        out.append(dict(base, eventID=f"t{i:03d}", eventTime=t))
    return out


EVENT_TIMES = [
    "2026-03-14T12:00:00+02:00", "2026-03-14 10:20:00", "2026-03-14t10:20:00.25z", "2026-03-14T05:20:00-0500",
    "2026-03-14T10:20:00.123456789+00:00", "2026-03-14T11:59:59.999999999+02:00", "2026-03-13T23:59:59-10:30",
    "2026-03-14T10:20:00.5", "2026-03-14T10:20:00z", "2026-03-14T10:20:00+0000", "2026-03-14T10:20:00-00:00",
    "2026-03-15T01:30:00+01:30", "2026-03-14T10:30:00.000000000-00:10", "2026-03-14 10:20:00Z",
    "2024-02-29T10:00:00+01:00", "2024-02-29 09:00:00", "2000-02-29T00:00:00-23:59", "1970-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59", "2262-04-11T23:47:16.854775807Z",
    "2262-04-11T23:47:17Z", "1677-09-21T00:12:43.145224192Z", "1677-09-21T00:12:43.145224191Z",
    "2026-03-14T10:20:00+24:00", "2026-03-14T10:20:00.1234567890Z", "2026-03-14T10:20:00 Z",
    "2026-03-14T10:20:00+5:30", "2026-03-14T10:20:00ZZ", " 2026-03-14T10:20:00Z", "2026-03-14T10:20:00\n",
    "2026-03-14T25:00:00Z", "2026-03-14T10:20:00.Z", "2025-02-29T10:00:00Z", "2026-03-14T10:20:00+02:60",
    "2026-03-14T10:20", "2026-03-14", "2026-03-14T10:20:00UTC", "2026-03-14\u00a010:20:00",
]


def utc_day(et):
    """The UTC day of an eventTime the filter reads, as the S3 key layout
    spells it (the Athena table's date partition), or None."""
    from datetime import datetime, timedelta
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.\d{1,9})?"
                     r"(?:[Zz]|([+-])(\d\d):?(\d\d))?", et, re.A) if isinstance(et, str) else None
    if not m or int(m[1]) < 1:
        return None
    try:
        t = datetime(*(int(m[k]) for k in range(1, 7)))
    except ValueError:
        return None
    if m[7]:
        off = timedelta(hours=int(m[8]), minutes=int(m[9]))
        try:
            t = t - off if m[7] == "+" else t + off
        except OverflowError:
            return None
    return t.strftime("%Y/%m/%d")


def spark_reads(path):
    """Spark's inputs: NDJSON named for its compression (Records files and
    misnamed files are refused there; tests/integration/sql_cli.rs checks)."""
    name = os.path.basename(path)
    return name != "records.json" and "-inside." not in name


def spark_inputs_of(work, files):
    """The plain NDJSON files joined into one, beside the gzip ones: Spark
    runs a task per file and statement, and with five files task start-up
    was most of the Spark phase (300 tasks for a 60-statement job)."""
    joined = os.path.join(work, "spark-plain.ndjson")
    with open(joined, "w") as out:
        for f in files:
            if not f.endswith(".gz"):
                with open(f) as part:
                    out.writelines(part)
    return [joined] + [f for f in files if f.endswith(".gz")]


def write_data(work):
    """Three files of one data set: NDJSON, gzip NDJSON, a Records file."""
    sample = [json.loads(l) for l in open(os.path.join(ROOT, "examples", "sample.ndjson")) if l.strip()]
    edge = edge_records()
    files = []
    p = os.path.join(work, "sample.ndjson")
    with open(p, "w") as f:
        for r in sample[:15]:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    files.append(p)
    # Names that belie the content: spitzel-filter goes by the bytes, the
    # DuckDB statement must too (Spark refuses them: not in its inputs).
    p = os.path.join(work, "gzip-inside.ndjson")
    with gzip.open(p, "wt") as f:
        for r in sample[15:20]:
            f.write(json.dumps(r) + "\n")
    files.append(p)
    p = os.path.join(work, "text-inside.ndjson.gz")
    with open(p, "w") as f:
        for r in sample[20:25]:
            f.write(json.dumps(r) + "\n")
    files.append(p)
    p = os.path.join(work, "edge.ndjson.gz")
    with gzip.open(p, "wt") as f:
        for r in edge:
            f.write(json.dumps(r) + "\n")
    files.append(p)
    p = os.path.join(work, "records.json")
    with open(p, "w") as f:
        json.dump({"Records": sample[25:]}, f, indent=1)
    files.append(p)
    records = sample + edge
    # Real records where ../shared is beside the repository.
    shared = os.path.join(os.environ.get("SPITZEL_SHARED") or os.path.join(os.path.dirname(ROOT), "shared"),
                          "data", "cloudtrail")
    for name in ["stratus-red-team-detonation-logs", "invictus-aws-dataset", "panther-analysis-tests"]:
        src = os.path.join(shared, name, "events.ndjson")
        if os.path.exists(src):
            lines = [l for l in open(src) if l.strip()][:400]
            if name.startswith("panther"):
                # Its hand-edited eventTime spellings; the rest adds little.
                lines = [l for l in lines if not re.search(r'"eventTime": ?"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"', l)]
            p = os.path.join(work, name + ".ndjson")
            with open(p, "w") as f:
                f.writelines(lines)
            files.append(p)
            records += [json.loads(l) for l in lines]
    return files, records


# ---------------------------------------------------------------- queries

def project_expressions():
    """Every string literal in the project's match-language and CLI tests
    that looks like a match expression."""
    sources = [os.path.join(ROOT, "crates", "core", "src", "expr", "tests.rs"),
               os.path.join(ROOT, "tests", "integration", "filter_cli.rs")]
    found = []
    lit = re.compile(r'r(#*)"(.*?)"\1|"((?:[^"\\]|\\.)*)"', re.S)
    for path in sources:
        if not os.path.exists(path):
            die(f"{path} moved: update tests/sql/run.py")
        text = open(path).read()
        for m in lit.finditer(text):
            if m.group(2) is not None:
                s = m.group(2)
            else:
                try:
                    s = json.loads('"' + m.group(3) + '"')
                except ValueError:
                    continue
            s = s.strip()
            if (s.startswith("$") or s.startswith("not ") or s.startswith("(")) and " " in s and "\n" not in s:
                found.append(s)
    return list(dict.fromkeys(found))


def generated_queries():
    paths = ["$.errorCode", "$.n", "$.f", "$.readOnly", "$.tags", "$.missing", "$.userIdentity.type",
             "$.resources[*].type", "$.resources[0].ARN", "$.errorMessage", "$.sourceIPAddress",
             "$['userIdentity']['arn']", "$.obj.k[*]", "$.eventName"]
    ops = ['== "AccessDenied"', "== None", "!= None", "== 1", "== 1.0", "== True", "!= False",
           "< 3", ">= 2.5", '> "D"', 'in ["AccessDenied", None]', 'not in ["Throttling"]',
           'contains "a"', "contains 1", 'regex "^Den.*d$"', r'regex "\d"', 'regex "(?i)denied"',
           r'regex "\s"', 'cidr "10.0.0.0/8"', 'cidr ["192.168.0.0/24", "10.1.2.3"]',
           "== ['a', 'b']", "== {'k': [1, 2]}", 'regex "(?=x)"', r'regex "\bx"',
           r'regex "^[A-Z][a-z]{2,}"', r'regex "(?i)[^a-c]S"', r'regex "\w+\s\w"', 'regex "e.y$"',
           r'regex "(?s)x.y"', r'regex "(?i)k"', 'regex "Denied$"', r'regex "^[A-Z]{,}e"', r'regex "e{,2}n"']
    queries = [{"match": [f"{p} {o}"]} for p, o in itertools.product(paths, ops)]
    # Members inside Athena's JSON-text columns.
    json_paths = ["$.requestParameters.bucketName", "$.requestParameters.key", "$.requestParameters.list[0]",
                  "$.requestParameters.list[1].bucketName", "$.responseElements.credentials.accessKeyId",
                  "$.additionalEventData.MFAUsed", "$.requestParameters.ip"]
    json_ops = ['== "b1"', "== None", "!= None", "== True", "!= False", 'in ["b1", None]', 'not in ["b1"]',
                '>= "B"', 'regex "^[a-z]"', 'regex "(?i)B1$"', 'cidr "10.0.0.0/8"', "== 5", 'contains "a"']
    queries += [{"match": [f"{p} {o}"]} for p, o in itertools.product(json_paths, json_ops)]
    # Integers past 64 bits against integer and float literals.
    big_ops = ["== 18446744073709551616", "> 1e19", "== 1.8446744073709552e19", "< -9.2e18",
               "== -9223372036854775809", ">= 170141183460469231731687303715884105727"]
    queries += [{"match": [f"{p} {o}"], "spark_stops": p == "$.f" and "1701411834604" in o}
                for p, o in itertools.product(["$.n", "$.f"], big_ops)]
    # Orderings against integers no double holds, beside doubles; a literal
    # past DECIMAL(38,0) (Spark, ANSI); negative indexes; a literal no
    # double holds at all (refused everywhere).
    exact_ops = ["< 9007199254740993", "<= 9007199254740993", "> 9007199254740993", ">= -9007199254740993",
                 "< 18446744073709551617", ">= 18446744073709551617", "> -9223372036854775809",
                 "in [1000, 10000.0, 170141183460469231731687303715884105727]",
                 "< 100000000000000000000000000000000000000", "> -100000000000000000000000000000000000000"]
    queries += [{"match": [f"$.n {o}"]} for o in exact_ops]
    # $.f holds 2^127 - 1, which Spark reads as a double: a comparison
    # with a literal near it stops the Spark query instead.
    queries += [{"match": [f"$.f {o}"], "spark_stops": "1e38" in o or "000000000000000000000000000000" in o
                 or "170141183460469231731687303715884105727" in o} for o in exact_ops]
    queries += [{"match": ["$.requestParameters.maxResults in [1000, 10000.0, "
                           "170141183460469231731687303715884105727]"]},
                {"match": ["$.resources[-1].type == 'AWS::S3::Object'"]},
                {"match": ["$.resources[-2].ARN != None"]},
                {"match": ["$.resources[-1].ARN == None"]},
                {"match": ["$.tags[-1] == 'b'", "$.obj.k[-2] == 1"]},
                {"match": ["$.requestParameters.list[-1] == 2"]},
                {"match": ["$.n == 1e400"], "refuse": ALL},
                # The exactness holes: alike in every dialect.
                {"match": ['$.errorMessage regex "(?i)\u20ac|^s3"'], "refuse": []},
                {"match": ['$.errorMessage regex "(?i)^\u212ams"'], "refuse": []},
                {"match": ['$.errorMessage regex "(?i)^KMS"'], "refuse": []},
                {"match": [r'$.errorMessage regex "^[\W\d]"'], "refuse": []},
                {"match": [r'$.errorMessage regex "[^\W]\Z"'], "refuse": []},
                {"match": [r'$.errorMessage regex "^[\S\D]{1,2}$"'], "refuse": []},
                {"match": ["$.resources[-1].type == 'AWS::S3::Object'"], "refuse": []},
                {"match": ["$.errorCode == 1e400"], "refuse": ALL},
                {"match": ["$.errorCode in ['AccessDenied', -1e400]"], "refuse": ALL},
                {"match": ["$.errorCode != [1, {'k': 1e999}]"], "refuse": ALL},
                {"match": ["$.errorCode == 340282366920938463463374607431768211456"], "refuse": ALL},
                {"match": ["$.n < -1e400"], "refuse": ALL}]
    queries += [
        {"match": ["not $.errorCode == 'AccessDenied'"]},
        {"match": ["$.errorCode == None or $.n > 1 and not $.readOnly == True"]},
        {"match": ["$.n == 1"], "invert": True},
        {"from": "2026-03-14 10:00:00", "to": "2026-03-14T11:30:00"},
        {"from": "2026-03-14T10:20:00.5Z", "invert": True},
        {"to": "2026-03-14"},
        {"from": "2026-03-14T12:00:00+02:00", "match": ["$.errorCode != None"]},
        {"match": ["$.resources[*].type == 'AWS::S3::Object'", "$.errorCode == None"], "from": "2026-03-14"},
        # Bounds at the spellings of the eventTime records above.
        {"from": "2026-03-14T10:00:00Z"},
        {"to": "2026-03-14T10:20:00.25Z"},
        {"from": "2026-03-14T10:20:00.25", "to": "2026-03-14T10:29:59+00:00"},
        {"from": "2026-03-14T10:20:00.123456789Z", "to": "2026-03-14 10:20:00.123456789"},
        {"from": "2000-01-01", "to": "2100-01-01", "invert": True},
        {"to": "2026-03-15T00:00:00Z"},
        {"from": "2026-03-15T00:00:00.000000001Z"},
        {"from": "1677-09-21T00:12:43.145224192Z", "to": "1970-01-01"},
        {"from": "2024-02-29T09:00:00Z", "to": "2024-02-29T09:00:00Z"},
        {"from": "2000-02-29 23:59:00-00:01", "to": "2000-02-29T23:59:00Z"},
        {"from": "2262-04-11T23:47:16.854775807Z"},
        # Criteria that pin the Athena table's account and region partitions.
        {"match": ["$.recipientAccountId == '111122223333'"], "from": "2026-03-14", "partitions": ["account", "timestamp"]},
        {"match": ["$.awsRegion in ['us-east-1', 'eu-west-1']", "$.errorCode != None"], "partitions": ["region"]},
        {"match": ["$.recipientAccountId in ['111122223333', '012345678901'] and $.awsRegion == 'us-east-1'"],
         "partitions": ["account", "region"]},
        {"match": ["$.awsRegion == 'us-east-1' or $.errorCode != None"], "partitions": []},
        # --sql-order time: rows by eventTime's instant, unreadable last.
        {"order": True},
        {"order": True, "match": ["$.errorCode != None"], "from": "2026-03-14T10:00:00Z"},
        {"order": True, "actions": ["s3:Get*"], "invert": True},
    ]
    globs = ["s3:Get*", "s3:List*", "cloudwatch:*", "monitoring:*", "lambda:UpdateFunctionConfiguration",
             "ec2:Describe[IV]*", "s3:GetObject", "iam:*", "*:Get*", "s?:*", "sts:AssumeRole", "s3:ListBucket",
             "signin:ConsoleLogin", "LAMBDA:invoke*", "lambda:InvokeFunction", "cloudfront:CreateDistribution",
             "s3:[!g]*", "*", "iam:CreateUser", "monitoring:Put*", "cloudwatch:PutMetricData",
             "lambda:Invoke*", "cloudfront:GetDistribution", "s3:HeadObject", "S3:get*"]
    queries += [{"actions": [g]} for g in globs]
    queries += [{"actions": ["s3:Get*", "iam:*"], "match": ["$.errorCode != None"]},
                {"actions": ["lambda:*"], "invert": True},
                {"actions": ["s3:ListBucket"], "implied": True}]
    return queries


# Hand-written Sigma rules: (name, detection YAML, the dialects that must
# refuse it). Each translated construct on the edge records' members, and
# each refused one.
J, A, ALL = ["duckdb", "spark"], ["athena"], ["duckdb", "spark", "athena"]
SIGMA_RULES = [
    ("eq", "sel:\n    errorCode: accessdenied\n  condition: sel", []),
    ("cased", "sel:\n    errorCode|cased: AccessDenied\n  condition: sel", []),
    ("startswith", "sel:\n    errorMessage|startswith: 'den'\n  condition: sel", []),
    ("wildcard", "sel:\n    errorMessage: 'D?nied*'\n  condition: sel", []),
    ("kelvin", "sel:\n    errorMessage: 'k\u212a'\n  condition: sel", []),
    ("endswith", "sel:\n    errorMessage|endswith: 'ied'\n  condition: sel", J),
    ("contains-all", "sel:\n    errorMessage|contains|all: ['e', 'n']\n  condition: sel", J),
    ("walk", "sel:\n    resources.type: 'AWS::S3::Object'\n  condition: sel", A),
    ("walk-null", "sel:\n    resources.type: null\n  condition: sel", A),
    ("null", "sel:\n    errorCode: null\n  condition: sel", []),
    ("exists", "sel:\n    errorCode|exists: true\n  condition: sel", A),
    ("exists-false", "sel:\n    requestParameters.bucketName|exists: false\n  condition: sel", A),
    ("bool-text", "sel:\n    readOnly: 'FALSE'\n  condition: sel", []),
    ("bool", "sel:\n    readOnly: true\n  condition: sel", []),
    ("number-could", "sel:\n    n: 1\n  condition: sel", ALL),
    ("number-never", "sel:\n    n: 'abc'\n    f|startswith: x\n  condition: sel", A),
    ("array-end", "sel:\n    tags: 'A'\n  condition: sel", A),
    ("member-kinds", "sel:\n    requestParameters.key: 'a.pem'\n  condition: sel", A),
    ("member-bool", "sel:\n    requestParameters.bucketName: [b1, 'true']\n  condition: sel", A),
    ("struct", "sel:\n    userIdentity.type: root\n    userIdentity.sessionContext.sessionIssuer.type: null\n"
     "  condition: sel", []),
    ("re-anchored", "sel:\n    errorMessage|re: '^Den[a-z]+$'\n  condition: sel", []),
    ("re-i", "sel:\n    errorMessage|re|i: '^(den|caf)'\n  condition: sel", []),
    ("re-search", "sel:\n    errorMessage|re: 'ied'\n  condition: sel", J),
    ("re-s", "sel:\n    requestParameters.key|re|s: '^caf.$'\n  condition: sel", A),
    ("re-word", "sel:\n    errorMessage|re: '^\\bD'\n  condition: sel", ALL),
    ("re-multiline", "sel:\n    errorMessage|re|m: '^x$'\n  condition: sel", ALL),
    ("cidr", "sel:\n    sourceIPAddress|cidr: ['10.0.0.0/8', '192.168.0.0/24']\n  condition: sel", []),
    ("cidr6", "sel:\n    sourceIPAddress|cidr: '2001:db8::/32'\n  condition: sel", ALL),
    ("neq", "sel:\n    eventSource: s3.amazonaws.com\n    errorCode|neq: AccessDenied\n  condition: sel", []),
    ("windash", "sel:\n    errorMessage|windash|startswith: 'a-b'\n  condition: sel", []),
    ("conditions", "sel_a:\n    errorCode: AccessDenied\n  sel_b:\n    readOnly: 'false'\n  filter:\n"
     "    userIdentity.type: Root\n  condition: 1 of sel_* and not filter", []),
    ("all-of", "sel_a:\n    eventSource: s3.amazonaws.com\n  sel_b:\n    - errorCode: null\n"
     "    - userIdentity.type: Root\n  condition: all of them", []),
    ("keywords", "keywords:\n    - Denied\n  condition: keywords", ALL),
    ("fieldref", "sel:\n    errorMessage|fieldref: errorCode\n  condition: sel", ALL),
    ("gt", "sel:\n    n|gt: 1\n  condition: sel", ALL),
    ("anything", "sel:\n    n|contains: ''\n    obj: '*'\n  condition: sel", A),
    ("json-text", "sel:\n    requestParameters|contains: 'b1'\n  condition: sel", ALL),
]


def sigma_queries(work):
    d = os.path.join(work, "sigma")
    os.makedirs(d, exist_ok=True)
    queries = []
    translated = []
    for name, detection, refuse in SIGMA_RULES:
        p = os.path.join(d, f"{name}.yml")
        with open(p, "w") as f:
            f.write(f"title: {name}\nlevel: medium\nlogsource:\n  product: aws\n  service: cloudtrail\n"
                    f"detection:\n  {detection}\n")
        queries.append({"sigma": [p], "refuse": refuse})
        if not refuse:
            translated.append(p)
    # Several rules at once, with the other criteria, negated, and a level
    # that leaves no rule.
    refused_everywhere = [os.path.join(d, f"{name}.yml") for name, _, refuse in SIGMA_RULES if refuse == ALL]
    queries += [{"sigma": translated, "refuse": []},
                {"sigma": translated[:6], "skip_refused": refused_everywhere, "refuse": []},
                {"sigma": translated[:4], "actions": ["s3:*"], "match": ["$.readOnly == True"], "refuse": []},
                {"sigma": translated[:4], "from": "2026-03-14T10:30:00Z", "invert": True, "refuse": []},
                {"sigma": translated[:4], "level": "high", "refuse": []}]
    queries += correlation_queries(d)
    # SigmaHQ's CloudTrail rules one by one and all together.
    shared = os.environ.get("SPITZEL_SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
    hq = os.path.join(shared, "data", "sigma", "sigmahq-cloudtrail")
    if os.path.isdir(hq):
        rules = sorted(os.path.join(r, f) for r, _, fs in os.walk(hq) for f in fs if f.endswith((".yml", ".yaml")))
        queries += [{"sigma": [r], "sigmahq": "one"} for r in rules]
        queries.append({"sigma": [hq], "sigmahq": "all"})
    return queries


CORRELATION_BASE = {
    "ssm": "eventSource: ssm.amazonaws.com",
    "ec2": "eventSource: ec2.amazonaws.com",
    "s3": "eventSource: s3.amazonaws.com",
    "secrets": "eventSource: secretsmanager.amazonaws.com",
    "denied": "errorCode: AccessDenied",
    "sts": "eventSource: sts.amazonaws.com",
}

# (name, type, rules, group-by, timespan, condition, value_count's field,
# the dialects that refuse it). The first take the records of the rules
# with the correlation's level only (base rules have none, so they write
# nothing with --sigma-level high); the rest also with every rule writing.
CORRELATIONS = [
    ("ec-ip", "event_count", ["ssm"], ["sourceIPAddress"], "5m", {"gte": 3}, None, []),
    ("ec-arn", "event_count", ["ec2", "s3"], ["userIdentity.arn"], "1m", {"gt": 4}, None, []),
    ("ec-key", "event_count", ["secrets"], ["userIdentity.accessKeyId"], "10s", {"gte": 2}, None, []),
    ("ec-two", "event_count", ["ssm", "ec2"], ["sourceIPAddress", "userIdentity.arn"], "2m",
     {"gte": 5, "gt": 2}, None, []),
    ("vc-key", "value_count", ["ec2", "ssm", "secrets"], ["userIdentity.accessKeyId"], "10m",
     {"gte": 3}, "eventName", []),
    ("vc-arn", "value_count", ["s3", "denied"], ["userIdentity.arn"], "1h", {"gt": 1}, "sourceIPAddress", []),
    ("vc-ip", "value_count", ["ssm"], ["sourceIPAddress"], "30s", {"gte": 2}, "eventName", []),
    # Upper bounds and ranges: frames start only at event times, and a
    # value_count frame of null values only counts 0.
    ("ec-lt", "event_count", ["ssm"], ["sourceIPAddress"], "5m", {"lt": 3}, None, []),
    ("ec-range", "event_count", ["ssm"], ["sourceIPAddress"], "5m", {"gte": 2, "lte": 9}, None, []),
    ("vc-eq", "value_count", ["ssm"], ["sourceIPAddress"], "5m", {"eq": 2}, "eventName", []),
    ("vc-lte", "value_count", ["s3", "denied"], ["userIdentity.arn"], "20m", {"lte": 1}, "sourceIPAddress", []),
    # Ties at frame ends: the edge records' s3 events of one user at
    # 10:00, 10:20 and 10:40 (in many spellings), 20 minutes apart.
    ("ec-ties", "event_count", ["s3"], ["userIdentity.arn"], "20m", {"gte": 40}, None, []),
    ("ec-ties-eq", "event_count", ["s3"], ["userIdentity.arn"], "20m", {"eq": 2}, None, []),
    ("tp-ip", "temporal", ["ssm", "ec2"], ["sourceIPAddress"], "5m", None, None, []),
    ("tp-gte", "temporal", ["ssm", "ec2", "s3", "sts"], ["sourceIPAddress"], "10m", {"gte": 2}, None, []),
    # One group per record: only a record matching both rules has both.
    ("tp-both", "temporal", ["s3", "denied"], ["eventID"], "1m", None, None, []),
    ("to-arn", "temporal_ordered", ["sts", "s3", "ec2"], ["userIdentity.arn"], "5m", None, None, []),
    # The edge records' ec2 and s3 events of one user at the same time.
    ("to-ties", "temporal_ordered", ["ec2", "s3"], ["userIdentity.arn"], "1m", None, None, []),
    # Out of order: sts comes before ec2, so these frames count 1.
    ("to-order", "temporal_ordered", ["ec2", "sts"], ["userIdentity.arn"], "5m", {"eq": 1}, None, []),
]


# Run on Spark too: one event_count and one value_count, each over two
# rules, a temporal_ordered with an upper bound and a temporal where one
# record matches both rules (the rest on DuckDB and Athena-through-sqlglot:
# see the run).
SPARK_CORRELATIONS = {"ec-two", "vc-arn", "to-order", "tp-both"}


def correlation_queries(d):
    """Correlation rules (with their base rules in the same file): the
    statement's records must be the filter's, hits' events included."""
    base = "".join(
        f"title: {name} seen\nname: {name}\nlogsource:\n  product: aws\n  service: cloudtrail\n"
        f"detection:\n  sel:\n    {selection}\n  condition: sel\n---\n"
        for name, selection in CORRELATION_BASE.items())
    queries = []
    for name, kind, rules, group, span, condition, field, refuse in CORRELATIONS:
        text = (f"title: corr-{name}\nname: corr_{name.replace('-', '_')}\nlevel: high\ncorrelation:\n"
                f"  type: {kind}\n  rules:\n" + "".join(f"    - {r}\n" for r in rules)
                + "  group-by:\n" + "".join(f"    - {g}\n" for g in group) + f"  timespan: {span}\n")
        if condition:
            text += "  condition:\n" + "".join(f"    {k}: {v}\n" for k, v in condition.items())
            if field:
                text += f"    field: {field}\n"
        p = os.path.join(d, f"corr-{name}.yml")
        with open(p, "w") as f:
            f.write(base + text)
        queries.append({"sigma": [p], "level": "high", "refuse": refuse, "correlated": True,
                        "spark": name in SPARK_CORRELATIONS})
        if not refuse:
            queries.append({"sigma": [p], "refuse": refuse, "correlated": True})
    # Chains: the outer correlation counts the inner one's hits' events.
    inner = ("title: inner\nname: inner\ncorrelation:\n  type: event_count\n  rules:\n    - ssm\n"
             "  group-by:\n    - sourceIPAddress\n  timespan: 5m\n  condition:\n    gte: 2\n---\n")
    p = os.path.join(d, "corr-chain.yml")
    with open(p, "w") as f:
        f.write(base + inner + "title: corr-chain\nname: outer\nlevel: high\ncorrelation:\n  type: event_count\n"
                "  rules:\n    - inner\n  group-by:\n    - sourceIPAddress\n  timespan: 1h\n"
                "  condition:\n    gte: 1\n")
    queries.append({"sigma": [p], "refuse": [], "correlated": True})
    queries.append({"sigma": [p], "level": "high", "refuse": [], "correlated": True})
    # An inner correlation with its own level that writes (generate), and
    # an outer one over it and a rule, by another field.
    p = os.path.join(d, "corr-chain-temporal.yml")
    with open(p, "w") as f:
        f.write(base + inner.replace("name: inner\n", "name: inner\nlevel: high\ngenerate: true\n")
                + "title: corr-chain-temporal\nname: outer\nlevel: high\ngenerate: true\ncorrelation:\n"
                "  type: temporal\n  rules:\n    - inner\n    - ec2\n  group-by:\n    - userIdentity.arn\n"
                "  timespan: 1h\n")
    queries.append({"sigma": [p], "refuse": [], "correlated": True})
    queries.append({"sigma": [p], "level": "high", "refuse": [], "correlated": True})
    # With the other criteria: the correlation counts only what they keep.
    queries.append({"sigma": [os.path.join(d, "corr-vc-key.yml")], "level": "high",
                    "match": ["$.readOnly == True"], "refuse": [], "correlated": True})
    queries.append({"sigma": [os.path.join(d, "corr-ec-ip.yml")], "level": "high",
                    "from": "2025-01-01T00:00:00Z", "refuse": [], "correlated": True})
    queries.append({"sigma": [os.path.join(d, "corr-ec-arn.yml")], "from": "2025-01-01T00:00:00Z", "refuse": [],
                    "correlated": True, "order": True})
    return queries


# ---------------------------------------------------------------- runs

def run_filter(binary, args):
    ahead = PREFETCHED.pop((binary, *args), None)
    if ahead is not None:
        with PHASES("waiting for runs ahead"):
            return ahead.result()
    return filter_process(binary, args)


def filter_process(binary, args):
    with PHASES("emit-sql runs" if "--emit-sql" in args else "filter runs"):
        p = subprocess.run([binary] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


# Runs started ahead of the loop that reads them, by their command line:
# several at once, beside this process's comparing (the runs and the
# comparing each took about a core, one after the other).
PREFETCHED = {}
RUNS_AHEAD = concurrent.futures.ThreadPoolExecutor(max_workers=2)


def prefetching(queries, commands, ahead=16):
    """The queries in order, the runs of the next `ahead` started."""
    def start(q):
        for binary, *args in commands(q):
            if (binary, *args) not in PREFETCHED:
                PREFETCHED[(binary, *args)] = RUNS_AHEAD.submit(filter_process, binary, args)
    for q in queries[:ahead]:
        start(q)
    for i, q in enumerate(queries):
        if i + ahead < len(queries):
            start(queries[i + ahead])
        yield q


def cli_args(q):
    args = list(q.get("actions", []))
    for rule in q.get("sigma", []):
        args += ["--sigma", rule]
    if "level" in q:
        args += ["--sigma-level", q["level"]]
    for m in q.get("match", []):
        args += ["--match", m]
    if "from" in q:
        args += ["--from", q["from"]]
    if "to" in q:
        args += ["--to", q["to"]]
    if q.get("invert"):
        args.append("-v")
    if q.get("implied"):
        args.append("--implied")
    return args


def emit_args(q):
    """What only the statement is told (the filter has no row order)."""
    args = ["--sql-order", "time"] if q.get("order") else []
    # Rules no dialect translates, left out by --sql-skip-refused: the
    # statement must select what the other rules select.
    for rule in q.get("skip_refused", []):
        args += ["--sigma", rule]
    if "skip_refused" in q:
        args.append("--sql-skip-refused")
    return args


def canon(obj):
    return json.dumps(obj, sort_keys=True, ensure_ascii=False)


@functools.lru_cache(maxsize=None)
def canon_line(line):
    """canon of one JSON text, remembered: the same thousand records come
    back from every run and engine (with Athena's rows counted in place,
    this process's CPU went from 98 s to 65 s)."""
    return canon(json.loads(line))


@functools.lru_cache(maxsize=None)
def athena_typed_canon(key):
    return athena_typed(json.loads(key))


def athena_table(con, records, binary):
    """The documented Athena table, loaded as Athena's JSON SerDe loads it:
    member names matched ignoring case, scalars in STRING columns as text,
    JSON-text columns as the member's JSON text."""
    # The columns of the DDL spitzel-filter prints (the documented table).
    rc, ddl, err = run_filter(binary, ["--emit-sql", "athena", "--sql-ddl", "s3://bucket/prefix"])
    if rc != 0:
        die(f"--sql-ddl failed: {err}")
    cols = ddl.split("CREATE EXTERNAL TABLE cloudtrail_logs (\n")[1].split("\n)\nPARTITIONED BY")[0]
    cols = cols.replace("STRING", "VARCHAR")
    cols = re.sub(r"(\w+): ", r"\1 ", cols)
    cols = re.sub(r"ARRAY<(STRUCT<[^>]*>)>", r"\1[]", cols)
    cols = cols.replace("MAP<VARCHAR, VARCHAR>", "MAP(VARCHAR, VARCHAR)")
    cols = cols.replace("STRUCT<", "STRUCT(").replace(">", ")")
    con.execute(f'CREATE TABLE cloudtrail_logs ({cols}, "timestamp" VARCHAR, account VARCHAR, region VARCHAR, _line VARCHAR)')
    names = [r[0] for r in con.execute("DESCRIBE cloudtrail_logs").fetchall()]
    types = {r[0]: r[1] for r in con.execute("DESCRIBE cloudtrail_logs").fetchall()}

    def text(v):
        if v is None:
            return None
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return v
        return json.dumps(v, separators=(",", ":"))

    def shape(v, ty):
        if v is None:
            return None
        if ty.endswith("[]"):
            return [shape(x, ty[:-2]) for x in v] if isinstance(v, list) else None
        if ty.startswith("STRUCT("):
            if not isinstance(v, dict):
                return None
            fields = re.findall(r"\"?(\w+)\"? ((?:STRUCT\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)|MAP\([^)]*\)|VARCHAR))", ty[7:-1])
            low = {k.lower(): val for k, val in v.items()}
            return {f: shape(low.get(f), t) for f, t in fields}
        if ty.startswith("MAP("):
            return {k: text(x) for k, x in v.items()} if isinstance(v, dict) else None
        if ty.endswith("[]"):
            return [shape(x, ty[:-2]) for x in v] if isinstance(v, list) else None
        return text(v)

    rows = []
    for r in records:
        if not athena_typed(r):
            continue
        low = {k.lower(): v for k, v in r.items()}
        row = [shape(low.get(n), types[n]) for n in names[:-4]]
        et = r.get("eventTime")
        day = utc_day(et)
        # Partitions as the S3 layout has them: the record's own account and
        # region, the UTC day.
        account, region = r.get("recipientAccountId"), r.get("awsRegion")
        rows.append(row + [day, account if isinstance(account, str) else "other",
                           region if isinstance(region, str) else "other", canon(r)])
    con.executemany(f"INSERT INTO cloudtrail_logs VALUES ({', '.join('?' * len(names))})", rows)
    return names[:-4]


def row_key(row):
    """A row of the table's own columns as one comparable text."""
    return json.dumps(list(row), sort_keys=True, default=str)


def athena_rows_by_line(con, columns):
    """Each loaded record's row of the table's own columns (what an Athena
    statement returns), by the record's canonical text."""
    rows = con.execute(f"SELECT {', '.join(columns)}, _line FROM cloudtrail_logs").fetchall()
    return {r[-1]: row_key(r[:-1]) for r in rows}


def instant(et):
    """eventTime's UTC instant as (seconds, nanoseconds) where the filter
    reads its spelling (any year 0000-9999), else None: what --sql-order
    time sorts by."""
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)[Tt ]([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.(\d{1,9}))?"
                     r"(?:[Zz]|([+-])([01]\d|2[0-3]):?([0-5]\d))?", et, re.A) if isinstance(et, str) else None
    if not m:
        return None
    import calendar
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    if not 1 <= mo <= 12 or not 1 <= d <= [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]:
        return None
    # Days from 1970-01-01, proleptic Gregorian, year 0 included.
    yy = y - (mo <= 2)
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * ((mo + 9) % 12) + 2) // 5 + d - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    s = days * 86400 + int(m[4]) * 3600 + int(m[5]) * 60 + int(m[6])
    if m[8]:
        off = int(m[9]) * 3600 + int(m[10]) * 60
        s = s - off if m[8] == "+" else s + off
    return (s, int((m[7] or "").ljust(9, "0")))


def in_time_order(times):
    """Readable instants ascending, unreadable ones after them all."""
    keys = [(t is None, t or (0, 0)) for t in times]
    return keys == sorted(keys)


STRING_MEMBERS = ["eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent",
                  "errorCode", "errorMessage", "eventID", "eventType", "recipientAccountId"]


def athena_typed(r):
    """Whether a record has the member types CloudTrail documents, which the
    Athena translation relies on (its STRING columns cannot show a number
    from a string; its SerDe matches member names ignoring case, so a
    record spelling `resources[].ARN` as `arn`, as panther's hand-made
    records do, is the same row as one spelling it as CloudTrail does):
    edge records that break them are left out there."""
    resources = r.get("resources")
    return canonical_names(r) and \
        all(isinstance(r.get(k), (str, type(None))) for k in STRING_MEMBERS) and \
        isinstance(r.get("readOnly"), (bool, type(None))) and \
        not any(isinstance(r.get(k), str) for k in JSON_TEXT_MEMBERS) and \
        not (isinstance(resources, list) and any(
            isinstance(e, dict) and not set(e) <= RESOURCE_MEMBERS for e in resources))


# The members of a resources element as CloudTrail spells them.
RESOURCE_MEMBERS = {"ARN", "accountId", "type"}


# CloudTrail's spellings of the members the table has columns for: the
# SerDe matches names ignoring case, the filter does not, so the Athena
# translation holds for records spelled as CloudTrail spells them (the
# panther test records lowercase some).
STRUCT_NAMES = ["userIdentity", "type", "principalId", "arn", "accountId", "invokedBy", "accessKeyId", "userName",
                "onBehalfOf", "userId", "identityStoreArn", "sessionContext", "attributes", "mfaAuthenticated",
                "creationDate", "sessionIssuer", "ec2RoleDelivery", "webIdFederationData", "federatedProvider",
                "tlsDetails", "tlsVersion", "cipherSuite", "clientProvidedHostHeader", "readOnly", "resources",
                "ARN", "requestParameters", "responseElements", "additionalEventData", "serviceEventDetails",
                "eventVersion", "requestID", "eventID", "apiVersion", "sharedEventID", "vpcEndpointId",
                "vpcEndpointAccountId", "eventCategory", "sessionCredentialFromConsole"]


def canonical_names(r, names=None):
    names = names or set(STRUCT_NAMES + STRING_MEMBERS)
    lower = {n.lower() for n in names}
    for k, v in r.items():
        if k == "resources" and isinstance(v, list) and not all(
                canonical_names(e, {"ARN", "accountId", "type"}) for e in v if isinstance(e, dict)):
            return False
        if k.lower() in lower and k not in names:
            return False
        if k in ("userIdentity", "tlsDetails", "sessionContext", "sessionIssuer", "attributes", "onBehalfOf",
                 "webIdFederationData") and isinstance(v, dict) and not canonical_names(v):
            return False
    return True


# Objects in CloudTrail: the table keeps their JSON text, which a string
# value would not be.
JSON_TEXT_MEMBERS = ["requestParameters", "responseElements", "additionalEventData", "serviceEventDetails"]


# Statements in one Spark job. Each task of a union deserializes the whole
# union's plan and generated code, so a job's cost grows with the square of
# its statements, beside a fixed cost per job: JVM CPU per statement, the
# input cached, 240 statements: 20: 0.22 s, 30: 0.23 s, 40: 0.23 s,
# 120: 0.36 s (60: about 0.28 s).
SPARK_BATCH = 30


def spark_batches(batch, max_statements=SPARK_BATCH, max_chars=150_000):
    """Consecutive runs of the batch that fit one Spark job: at most
    max_statements statements and max_chars of SQL text (a 60-way union of
    the long action-glob statements outgrew a 1 GB driver heap)."""
    part, chars = [], 0
    for item in batch:
        if part and (len(part) == max_statements or chars + len(item[1]) > max_chars):
            yield part
            part, chars = [], 0
        part.append(item)
        chars += len(item[1])
    if part:
        yield part


def run_spark_batches(spark, batch, n_records, stats, failures):
    """Each statement unchanged, tagged and unioned with others: one Spark
    job per batch instead of one per statement (job start-up dominates)."""
    cache_inputs(spark, [sql for _, sql, _ in batch], stats)
    for part in spark_batches(batch):
        union = " UNION ALL ".join(f"SELECT {i} AS q, record FROM ({sql})" for i, (_, sql, _) in enumerate(part))
        stats["jobs"] += 1
        try:
            with PHASES("spark batches"):
                rows = spark.sql(union).collect()
            of = {}
            for q, record in rows:
                of.setdefault(q, []).append(record)
        except Exception:
            rows = None  # each statement of the batch alone, for the error's owner
        for i, (args, sql, want) in enumerate(part):
            if spark.sparkContext._jsc.sc().isStopped():
                # A dead context fails every later statement: say it once.
                failures.append(f"spark: the Spark context stopped (see its log above) at {args}")
                return
            stats["statements"] += 1
            try:
                if rows is None:
                    stats["jobs"] += 1
                    with PHASES("spark batches"):
                        got = Counter(canon_line(r[0]) for r in spark.sql(sql).collect())
                else:
                    got = Counter(canon_line(r) for r in of.get(i, []))
            except Exception as e:
                failures.append(f"spark {args}: engine error {str(e).splitlines()[0]} for {sql[:300]}")
                continue
            if got != want:
                failures.append(f"spark {args}: spitzel kept {sum(want.values())}, engine returned "
                                f"{sum(got.values())}; only spitzel: {list(want - got)[:2]}; only engine: {list(got - want)[:2]}")
            else:
                stats["equal"] += 1
                stats["records compared"] += n_records


# A statement's input: the lines of its files, each parsed.
SPARK_INPUT = re.compile(r"SELECT value, try_parse_json\(value\) AS j FROM \(SELECT value FROM text\.`[^`]*`"
                         r"(?:\s+UNION ALL SELECT value FROM text\.`[^`]*`)*\)")


def cache_inputs(spark, sqls, stats):
    """Each statement's input, as its own text reads and parses it, cached
    once: Spark puts the cached rows in place of any subquery with the same
    plan, so the statements run unchanged (their reading of files is
    compared on its own in loud_failures, glob_names and trees). Reading
    and parsing the files again in every statement of a union was a third
    of Spark's CPU."""
    for text in sorted({m.group(0) for sql in sqls for m in SPARK_INPUT.finditer(sql)} - CACHED_INPUTS):
        spark.sql(text).cache()
        CACHED_INPUTS.add(text)
        stats["inputs cached"] += 1


CACHED_INPUTS = set()


def run_spark_singles(spark, singles, stats, failures):
    """Statements run one by one (correlations: see the loop)."""
    for args, sql, want in singles:
        stats["statements"] += 1
        stats["jobs"] += 1
        try:
            with PHASES("spark correlations"):
                got = Counter(canon_line(r[0]) for r in spark.sql(sql).collect())
        except Exception as e:
            failures.append(f"spark {args}: engine error {str(e).splitlines()[0]} for {sql[:300]}")
            continue
        if got != want:
            failures.append(f"spark {args}: spitzel kept {sum(want.values())}, engine returned "
                            f"{sum(got.values())}")
        else:
            stats["correlations"] += 1


def run_spark_stops(spark, stops, stats, failures):
    """Statements that must stop with spitzel's error."""
    for args, sql in stops:
        stats["statements"] += 1
        stats["jobs"] += 1
        try:
            with PHASES("spark stops"):
                rows = spark.sql(sql).collect()
            failures.append(f"spark {args}: returned {len(rows)} rows instead of stopping")
        except Exception as e:
            if "spitzel:" not in str(e):
                failures.append(f"spark {args}: failed, but not with spitzel's error: {str(e)[:200]}")
            else:
                stats["stopped"] += 1


def loud_failures(binary, work, con, spark, failures):
    """Inputs the statements do not read as spitzel-filter does must stop
    the query with spitzel's error, never give other rows."""
    cases = {
        "late-records.ndjson": '{"eventName":"A"}\n{"x":1,"Records":[{"eventName":"B"}]}\n',
        "events-null.ndjson": '{"eventName":"A"}\n{"Events":null}\n',
        "envelope.ndjson": '{"eventName":"A"}\n{"CloudTrailEvent":"{\\"eventName\\":\\"B\\"}"}\n',
    }
    spark_only = {"pretty.ndjson": '{"eventName":"A"}\n{\n"eventName":"B"}\n',
                  "array.ndjson": '[{"eventName":"A"}]\n'}
    for name, text in {**cases, **spark_only}.items():
        path = os.path.join(work, name)
        with open(path, "w") as f:
            f.write(text)
        engines = [("spark", spark)] if name in spark_only else [("duckdb", con), ("spark", spark)]
        for dialect, engine in engines:
            if engine is None:
                continue
            rc, sql, err = run_filter(binary, ["--emit-sql", dialect, "-i", path])
            try:
                rows = engine.sql(sql).collect() if dialect == "spark" else engine.execute(sql).fetchall()
                failures.append(f"{dialect} {name}: returned {len(rows)} rows instead of stopping")
            except Exception as e:
                if "spitzel:" not in str(e):
                    failures.append(f"{dialect} {name}: failed, but not with spitzel's error: {str(e)[:200]}")


def glob_names(binary, work, con, spark, failures):
    """The engines expand glob characters in file names; each statement must
    read the one file named, not its look-alikes."""
    folder = os.path.join(work, "globs")
    os.makedirs(folder, exist_ok=True)
    names = ["ev[1].ndjson", "ev1.ndjson", "e?.ndjson", "ex.ndjson", "a*b.ndjson", "axb.ndjson",
             "x{1,2}.ndjson", "x1.ndjson", "b\\c.ndjson", "d[1]/in.ndjson", "d1/in.ndjson"]
    for name in names:
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(json.dumps({"eventName": name}) + "\n")
    for name in names:
        path = os.path.join(folder, name)
        for dialect, engine in [("duckdb", con), ("spark", spark)]:
            if engine is None:
                continue
            rc, sql, err = run_filter(binary, ["--emit-sql", dialect, "-i", path])
            if rc != 0:
                failures.append(f"{dialect} {name!r}: exit {rc}: {err.strip()}")
                continue
            try:
                rows = engine.sql(sql).collect() if dialect == "spark" else engine.execute(sql).fetchall()
                got = sorted(json.loads(r[0])["eventName"] for r in rows)
            except Exception as e:
                failures.append(f"{dialect} {name!r}: engine error {str(e)[:200]}")
                continue
            if got != [name]:
                failures.append(f"{dialect} {name!r}: read {got}")


def write_tree(root, spark):
    """A trail folder as `aws s3 sync` leaves it, beside the other things a
    responder's folder holds: CloudTrail files (Records documents, gzip),
    gzip and plain NDJSON, a gzip file named .ndjson, an upper-case name, a
    digest file, hidden files and folders, and names of no input kind. Every
    file holds records, so reading one the filter's walk skips changes the
    answer. Spark's tree holds only NDJSON named for its compression (its
    statement refuses the rest, tests/integration/sql_cli.rs checks)."""
    sample = sorted((json.loads(l) for l in open(os.path.join(ROOT, "examples", "sample.ndjson")) if l.strip()),
                    key=lambda r: r["eventTime"])
    chunks = [sample[i:i + 5] for i in range(0, len(sample), 5)]

    def put(rel, recs, how):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        text = ("".join(json.dumps(r) + "\n" for r in recs) if how != "records"
                else json.dumps({"Records": recs}))
        opener = gzip.open if how in ("gzip", "records") else open
        with opener(path, "wt") as f:
            f.write(text)

    day = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/14"
    for n, chunk in enumerate(chunks[:4]):
        # Delivered the minute after its last event, as CloudTrail names it.
        last = chunk[-1]["eventTime"]
        stamp = last[:4] + last[5:7] + last[8:10] + "T" + last[11:13] + f"{int(last[14:16]) + 1:02d}Z"
        name = f"123456789012_CloudTrail_us-east-1_{stamp}_f{n}.json.gz"
        if spark:
            put(f"{day}/{name[:-len('.json.gz')]}.ndjson.gz", chunk, "gzip")
        else:
            put(f"{day}/{name}", chunk, "records")
    put("dumps/plain.ndjson", chunks[4], "plain")
    put("dumps/b.ndjson.gz", chunks[5], "gzip")
    if not spark:
        put("dumps/gzip-inside.ndjson", chunks[6], "gzip")
        put("dumps/UPPER.NDJSON", chunks[7], "plain")
    # What the walk skips: each holds records that would change the answer.
    skipped = chunks[6] + chunks[7] if spark else sample[:3]
    put("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/03/14/"
        "123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20260314T1200Z.json.gz", skipped, "gzip")
    put("dumps/.hidden.ndjson", skipped, "plain")
    put(".git/objects.ndjson", skipped, "plain")
    put("dumps/notes.txt", skipped, "plain")
    put("dumps/events.json.bz2", skipped, "plain")


def trees(binary, work, con, spark, stats, failures):
    """-i DIR: each engine reads the files spitzel-filter's walk reads, no
    more (digests, hidden entries, other names), no fewer, each with the
    compression its bytes say; with --from also those whose delivery name
    the walk leaves out."""
    for dialect, engine in [("duckdb", con), ("spark", spark)]:
        if engine is None:
            continue
        root = os.path.join(work, f"tree-{dialect}")
        write_tree(root, dialect == "spark")
        for args in [[], ["--from", "2026-03-14T10:20:00Z"], ["s3:*", "--match", "$.readOnly == false"]]:
            rc, out, err = run_filter(binary, args + ["-i", root])
            want = Counter(canon_line(l) for l in out.splitlines())
            if rc != 0 or not want:
                failures.append(f"tree {dialect} {args}: the filter exited {rc} with {len(want)} records: {err.strip()}")
                continue
            rc, sql, err = run_filter(binary, args + ["--emit-sql", dialect, "-i", root])
            if rc != 0:
                failures.append(f"tree {dialect} {args}: exit {rc}: {err.strip()}")
                continue
            try:
                rows = engine.sql(sql).collect() if dialect == "spark" else engine.execute(sql).fetchall()
                got = Counter(canon_line(r[0]) for r in rows)
            except Exception as e:
                failures.append(f"tree {dialect} {args}: engine error {str(e)[:300]}")
                continue
            if got != want:
                failures.append(f"tree {dialect} {args}: spitzel kept {sum(want.values())}, engine returned "
                                f"{sum(got.values())}")
            else:
                stats[dialect]["trees equal"] += 1


def spark_skipped():
    """Why Spark cannot run here, or None."""
    import shutil
    try:
        import pyspark  # noqa: F401
    except ImportError as e:
        return f"SKIPPED: {e} (bash .ci/run installs pyspark into .ci/venv)"
    if shutil.which("java") is None:
        return "SKIPPED: no java (bash .ci/run installs a JRE)"
    return None


class SparkWork:
    """Spark's share of the run in a thread of its own: the JVM starts and
    the statements run while the main loop runs the filter and compares
    DuckDB's and Athena's rows (one after the other, each left a core
    idle). Jobs run in the order submitted, each with its own counts, added
    to the run's at the end."""

    def __init__(self):
        self.session = None
        self.jobs = queue.Queue()
        self.stats, self.failures = Counter(), []
        # A daemon: a run stopped by die() must not wait for it (the JVM
        # ends with this process, whose pipe it watches).
        self.thread = threading.Thread(target=self.work, daemon=True)
        self.thread.start()

    def submit(self, job, *args):
        self.jobs.put((job, args))

    def work(self):
        try:
            self.session = start_spark()
        except Exception as e:
            self.failures.append(f"spark: the session did not start: {str(e)[:300]}")
        while True:
            item = self.jobs.get()
            if item is None:
                return
            job, args = item
            if self.session is None:
                continue
            try:
                job(self.session, *args, stats=self.stats, failures=self.failures)
            except Exception as e:  # a job's own error, not a statement's: said, not lost in a thread
                self.failures.append(f"spark: {job.__name__} failed: {str(e)[:300]}")

    def finish(self, stats, failures):
        """Waits for the jobs; the report line's note."""
        self.jobs.put(None)
        with PHASES("waiting for spark"):
            self.thread.join()
        run = {k: self.stats.pop(k, 0) for k in ("statements", "jobs", "inputs cached")}
        stats.update(self.stats)
        failures.extend(self.failures)
        if self.session is None:
            return "no session"
        return (f"local Spark {self.session.version}, one session; {run['statements']} statements "
                f"in {run['jobs']} jobs, {run['inputs cached']} inputs cached")


def start_spark():
    """One local Spark session for all queries."""
    from pyspark.sql import SparkSession
    with PHASES("spark start"):
        spark = (SparkSession.builder.master("local[2]").appName("spitzel-sql-test")
                 .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").config("spark.sql.shuffle.partitions", "1")
                 .config("spark.driver.memory", "2g").config("spark.driver.bindAddress", "127.0.0.1")
                 .config("spark.driver.host", "127.0.0.1").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
    PHASES.jvm = spark.sparkContext._gateway.proc.pid
    return spark


def nested_arrays(binary, work, con, failures):
    """An array directly inside an array on a Sigma rule's path: the filter
    walks it to any depth, the statement stops with an error rather than
    return other rows."""
    data = os.path.join(work, "nested.ndjson")
    with open(data, "w") as f:
        f.write('{"a":[[{"b":"x"}]]}\n{"a":[{"b":"x"}]}\n')
    rule = os.path.join(work, "sigma", "nested.yml")
    with open(rule, "w") as f:
        f.write("title: nested\nlogsource:\n  product: aws\n  service: cloudtrail\n"
                "detection:\n  sel:\n    a.b: x\n  condition: sel\n")
    rc, sql, err = run_filter(binary, ["--sigma", rule, "--emit-sql", "duckdb", "-i", data])
    if rc != 0:
        failures.append(f"nested arrays: exit {rc}: {err.strip()}")
        return
    try:
        rows = con.execute(sql).fetchall()
        failures.append(f"nested arrays: duckdb returned {len(rows)} rows instead of stopping")
    except Exception as e:
        if "spitzel: a Sigma field path crosses an array inside an array" not in str(e):
            failures.append(f"nested arrays: duckdb failed otherwise: {str(e).splitlines()[0]}")


def main():
    binary, work = sys.argv[1], sys.argv[2]
    try:
        import duckdb
        import sqlglot
    except ImportError as e:
        print(f"sql-engines: SKIPPED: {e} (bash .ci/run installs duckdb and sqlglot into .ci/venv)")
        return 0
    os.makedirs(work, exist_ok=True)
    with PHASES("data writing"):
        files, records = write_data(work)
    spark_files = spark_inputs_of(work, [f for f in files if spark_reads(f)])
    spark_records = [json.loads(l) for f in spark_files
                     for l in (gzip.open(f, "rt") if f.endswith(".gz") else open(f)) if l.strip()]
    inputs = sum((["-i", f] for f in files), [])
    with PHASES("queries"):
        queries = [{"match": [e]} for e in project_expressions()] + generated_queries() + sigma_queries(work)
    # SPITZEL_SQL_ONLY=TEXT: only the queries whose arguments contain TEXT,
    # or one of TEXT's `|`-separated parts (for working on one construct;
    # the test runs them all).
    only = os.environ.get("SPITZEL_SQL_ONLY")
    if only:
        queries = [q for q in queries
                   if any(part in " ".join(cli_args(q) + emit_args(q)) for part in only.split("|"))]
    spark_note = spark_skipped()
    spark = SparkWork() if spark_note is None else None
    # Spark reads NDJSON (its text source); Records files are duckdb's.
    spark_inputs = sum((["-i", f] for f in spark_files), [])
    con = duckdb.connect(config={"memory_limit": "1GB", "threads": 1})
    with PHASES("athena table"):
        athena_columns = athena_table(con, records, binary)
    athena_row_of = athena_rows_by_line(con, athena_columns)
    # A correlation's hits depend on every record counted, so the filter's
    # answer for the Athena table comes from the records the table holds.
    athena_file = os.path.join(work, "athena-typed.ndjson")
    with open(athena_file, "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in records if athena_typed(r))
    stats = {d: Counter() for d in ("duckdb", "athena", "spark")}
    failures = []
    spark_batch = []
    spark_fed = 0
    spark_stops = []
    spark_single = []

    def commands(q):
        """The runs the loop below makes for q."""
        args = cli_args(q)
        yield [binary] + args + inputs
        if spark is not None:
            yield [binary] + args + spark_inputs
        if q.get("correlated"):
            yield [binary] + args + ["-i", athena_file]
        for dialect, extra in [("duckdb", inputs), ("athena", [])] + [("spark", spark_inputs)] * (spark is not None):
            yield [binary] + args + emit_args(q) + ["--emit-sql", dialect] + extra

    for q in prefetching(queries, commands):
        if spark is not None and len(spark_batch) - spark_fed >= SPARK_BATCH:
            # Spark compares these while this loop goes on.
            spark.submit(run_spark_batches, spark_batch[spark_fed:], len(spark_records))
            spark_fed = len(spark_batch)
        args = cli_args(q)
        rc, out, err = run_filter(binary, args + inputs)
        # Exit 2 is also "some records were reported" (the edge records'
        # unreadable times), with the rest written: those runs are compared.
        # Only a question the filter refused outright is skipped.
        if rc == 2 and not out and len(err.strip().splitlines()) == 1:
            stats["duckdb"]["invalid expression"] += 1
            continue
        if rc == 2:
            stats["duckdb"]["compared beside reported records"] += 1
        want_all = Counter(canon_line(l) for l in out.splitlines())
        if q.get("correlated") and q.get("level") == "high" and not q["refuse"] and not want_all:
            failures.append(f"{args}: no hit, so nothing is compared: make the correlation fire")
        for dialect in ("duckdb", "athena", "spark"):
            want = want_all
            extra = {"duckdb": inputs, "athena": [], "spark": spark_inputs}[dialect]
            if dialect == "spark":
                if spark is None:
                    continue
                _, out, _ = run_filter(binary, args + spark_inputs)
                want = Counter(canon_line(l) for l in out.splitlines())
            if dialect == "athena" and q.get("correlated"):
                _, out, _ = run_filter(binary, args + ["-i", athena_file])
                want = Counter(canon_line(l) for l in out.splitlines())
            rc, sql, err = run_filter(binary, args + emit_args(q) + ["--emit-sql", dialect] + extra)
            if q.get("sigmahq") == "one":
                stats[dialect]["sigmahq rules emitted" if rc == 0 else "sigmahq rules refused"] += 1
            if "refuse" in q and (rc == 2) != (dialect in q["refuse"]):
                failures.append(f"{dialect} {args}: expected {'a refusal' if rc == 0 else 'a statement'}, "
                                f"got exit {rc}: {err.strip()}")
            if rc == 2:
                lines = err.strip().splitlines()
                if len(lines) != 1 or "cannot translate exactly" not in lines[0] and "--emit-sql" not in lines[0]:
                    failures.append(f"{dialect} {args}: refusal is not one clear line: {err!r}")
                stats[dialect]["refused"] += 1
                continue
            if rc != 0:
                failures.append(f"{dialect} {args}: exit {rc}: {err.strip()}")
                continue
            try:
                if dialect == "duckdb":
                    with PHASES("duckdb statements"):
                        fetched = con.execute(sql).fetchall()
                    got = Counter(canon_line(r[0]) for r in fetched)
                    if q.get("order") and not in_time_order([instant(json.loads(r[0]).get("eventTime"))
                                                             for r in fetched]):
                        failures.append(f"duckdb {args}: rows not in time order")
                elif dialect == "athena":
                    with PHASES("sqlglot"):
                        sqlglot.parse_one(sql, read="athena")
                    for part in q.get("partitions", []):
                        if not re.search(rf'\b"?{part}"? (IN|>=) ', re.split(r"\sWHERE\s", sql)[-1]):
                            failures.append(f"athena {args}: no {part} partition predicate in {sql[-300:]}")
                    with PHASES("sqlglot"):
                        duck = sqlglot.transpile(sql, read="athena", write="duckdb")[0]
                    with PHASES("athena on duckdb"):
                        cur = con.execute(duck)
                    returned = [c[0] for c in cur.description]
                    if returned != athena_columns:
                        failures.append(f"athena {args}: returned the columns {returned}, not the table's")
                        continue
                    with PHASES("athena on duckdb"):
                        rows = cur.fetchall()
                    # The rows as the table holds them (records the table
                    # cannot tell apart are one row text).
                    got = Counter(row_key(r) for r in rows)
                    # Counted in place: a sum of Counters copied one per
                    # record (quadratic in the records kept).
                    athena_want = Counter()
                    for k, n in want.items():
                        if athena_typed_canon(k):
                            athena_want[athena_row_of[k]] += n
                    want = athena_want
                    if q.get("order") and not in_time_order([instant(r[returned.index("eventtime")]) for r in rows]):
                        failures.append(f"athena {args}: rows not in time order")
                elif q.get("correlated"):
                    # One by one: each reads its input three times (the
                    # rows, the windows, the records returned), about 10 s
                    # a statement here, so Spark proves one correlation of
                    # each type with two rules and the rest run on DuckDB
                    # and Athena-through-sqlglot.
                    if q.get("spark"):
                        spark_single.append((args, sql, want))
                    else:
                        stats["spark"]["correlations left to DuckDB"] += 1
                    continue
                elif q.get("spark_stops"):
                    spark_stops.append((args, sql))
                    continue
                else:
                    # Run by the Spark thread, many statements in one job.
                    spark_batch.append((args, sql, want))
                    continue
            except Exception as e:  # an engine error is a failure, with the statement
                failures.append(f"{dialect} {args}: engine error {str(e).splitlines()[0]} for {sql[:300]}")
                continue
            if got != want:
                failures.append(f"{dialect} {args}: spitzel kept {sum(want.values())}, engine returned "
                                f"{sum(got.values())}; only spitzel: {list((want - got))[:2]}; only engine: {list((got - want))[:2]}")
            else:
                stats[dialect]["equal"] += 1
                compared = {"duckdb": records, "athena": [r for r in records if athena_typed(r)],
                            "spark": spark_records}[dialect]
                stats[dialect]["records compared"] += len(compared)
    if not only or "sigma" in only:
        nested_arrays(binary, work, con, failures)
    if spark is not None:
        spark.submit(run_spark_batches, spark_batch[spark_fed:], len(spark_records))
        spark.submit(run_spark_singles, spark_single)
        spark.submit(run_spark_stops, spark_stops)
        spark_note = spark.finish(stats["spark"], failures)
        spark = spark.session
    with PHASES("loud failures"):
        loud_failures(binary, work, con, spark, failures)
    with PHASES("glob names"):
        glob_names(binary, work, con, spark, failures)
    with PHASES("trees"):
        trees(binary, work, con, spark, stats, failures)
    for d, c in stats.items():
        print(f"sql-engines: {d}: {dict(c)}")
    print(f"sql-engines: spark: {spark_note}")
    if failures:
        for f in failures:
            print("sql-engines: MISMATCH:", f)
        die(f"{len(failures)} mismatches")
    print(f"sql-engines: OK: {len(queries)} queries over {len(records)} records")
    return 0


if __name__ == "__main__":
    try:
        with PHASES("other python"):
            code = main()
    finally:
        PHASES.report()
    sys.exit(code)
