#!/usr/bin/env python3
"""--emit-sql correlation statements on DuckDB (issue 23): the size and
the time of a temporal_ordered statement against an event_count one over
the same rules, group and timespan, in one run.

    sql_correlation.py FILTER_BINARY INPUT...

Both statements are checked against spitzel-filter first (same records),
then run in interleaved rounds on one DuckDB thread; prints the median and
the fastest round of each. Needs duckdb (the venv of .ci/run has it).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter

import duckdb

BASE = "".join(
    f"title: {name} seen\nname: {name}\nlogsource:\n  product: aws\n  service: cloudtrail\n"
    f"detection:\n  sel:\n    eventSource: {name}.amazonaws.com\n  condition: sel\n---\n"
    for name in ("sts", "s3", "ec2"))
CORRELATION = ("title: {kind}\nname: c\nlevel: high\ncorrelation:\n  type: {kind}\n  rules:\n"
               "    - sts\n    - s3\n    - ec2\n  group-by:\n    - userIdentity.arn\n  timespan: 5m\n")
KINDS = {"event_count": "  condition:\n    gte: 3\n", "temporal_ordered": ""}
ROUNDS = 7


def records(lines):
    return Counter(json.dumps(json.loads(line), sort_keys=True) for line in lines)


def main():
    binary, inputs = sys.argv[1], sys.argv[2:]
    args = sum((["-i", f] for f in inputs), [])
    statements = {}
    with tempfile.TemporaryDirectory() as work:
        for kind, condition in KINDS.items():
            rules = os.path.join(work, f"{kind}.yml")
            with open(rules, "w") as f:
                f.write(BASE + CORRELATION.format(kind=kind) + condition)
            run = [binary, "--sigma", rules, "--sigma-level", "high"] + args
            want = records(subprocess.run(run, capture_output=True, text=True).stdout.splitlines())
            sql = subprocess.run(run + ["--emit-sql", "duckdb"], capture_output=True, text=True,
                                 check=True).stdout
            got = records(r[0] for r in duckdb.connect().execute(sql).fetchall())
            if got != want:
                sys.exit(f"{kind}: the statement returned {sum(got.values())} records, "
                         f"the filter {sum(want.values())}")
            statements[kind] = (sql, sum(want.values()))
    con = duckdb.connect(config={"threads": 1})
    times = {kind: [] for kind in statements}
    for _ in range(ROUNDS):
        for kind, (sql, _) in statements.items():
            start = time.perf_counter()
            con.execute(sql).fetchall()
            times[kind].append(time.perf_counter() - start)
    for kind, (sql, rows) in statements.items():
        print(f"{kind}: {len(sql.encode())} bytes, {rows} records, median "
              f"{statistics.median(times[kind]):.3f} s, fastest {min(times[kind]):.3f} s "
              f"({ROUNDS} interleaved rounds, 1 thread)")


if __name__ == "__main__":
    main()
