#!/usr/bin/env python3
"""Random Sigma correlation rule sets: the records spitzel-filter writes
against the rows DuckDB returns for `--emit-sql duckdb` of the same
arguments, as multisets.

    correlation_random.py SPITZEL_FILTER WORK_DIR [SETS] [SEED]

Each set draws a few records (a handful of sources, minute-level times with
many ties, eventIDs missing or repeated, group-by and counted fields missing
or null) and one or two correlations of any type, with random bounds
(gt/gte/lt/lte/eq, ranges, no condition), timespans that put events exactly
on frame ends, and a chain on the first correlation half of the time.
Hand-written cases in run.py name the constructs; this finds the
combinations nobody thought to write. DuckDB only: the frame logic is
shared by the dialects, and run.py checks each dialect's own parts.
"""

import collections
import json
import os
import random
import subprocess
import sys

import duckdb

BASE_RULES = {
    "ra": "eventSource: a",
    "rb": "eventSource: b",
    "rc": "eventName: n1",
    "rd": "sourceIPAddress: x",
}
KINDS = ["event_count", "value_count", "temporal", "temporal_ordered"]


def random_records(rnd):
    records = []
    for _ in range(rnd.randint(1, 40)):
        minute, second = rnd.randint(0, 4), rnd.choice([0, 15, 30, 45, 59])
        record = {"eventSource": rnd.choice("abc"),
                  "eventTime": f"2026-01-01T00:{minute:02d}:{second:02d}Z"}
        if rnd.random() < 0.8:
            record["eventID"] = f"id{rnd.randint(0, 30)}"
        address = rnd.choice(["x", "y", None, "missing"])
        if address != "missing":
            record["sourceIPAddress"] = address
        name = rnd.choice(["n1", "n2", "n3", None, "missing"])
        if name != "missing":
            record["eventName"] = name
        records.append(record)
    return records


def correlation(rnd, name, pool, level):
    kind = rnd.choice(KINDS)
    rules = [rnd.choice(pool) for _ in range(rnd.randint(1, 3))]
    lowest = 0 if kind.startswith("temporal") else 1
    bounds = {key: rnd.randint(0, 4)
              for key in rnd.sample(["gt", "gte", "lt", "lte", "eq"], rnd.randint(lowest, 2))}
    if kind == "value_count" and not bounds:
        bounds = {"gte": 1}
    text = f"title: {name}\nname: {name}\n{level}correlation:\n  type: {kind}\n  rules:\n"
    text += "".join(f"    - {rule}\n" for rule in rules)
    text += "  group-by:\n    - sourceIPAddress\n"
    text += f"  timespan: {rnd.choice([0, 15, 30, 60, 120])}s\n"
    if bounds:
        text += "  condition:\n" + "".join(f"    {k}: {v}\n" for k, v in bounds.items())
        if kind == "value_count":
            text += "    field: eventName\n"
    return text


def canonical(lines):
    return collections.Counter(json.dumps(json.loads(line), sort_keys=True) for line in lines)


def main():
    binary, work = sys.argv[1], sys.argv[2]
    sets = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 23
    os.makedirs(work, exist_ok=True)
    con = duckdb.connect()
    failures, with_output, refused = 0, 0, 0
    for number in range(sets):
        rnd = random.Random(seed * 1_000_003 + number)
        data = os.path.join(work, "records.ndjson")
        with open(data, "w") as out:
            for record in random_records(rnd):
                out.write(json.dumps(record) + "\n")
        docs = [f"title: {name}\nname: {name}\nlogsource:\n  product: aws\n  service: cloudtrail\n"
                f"detection:\n  sel:\n    {test}\n  condition: sel\n"
                for name, test in BASE_RULES.items()]
        docs.append(correlation(rnd, "c1", list(BASE_RULES), "level: high\n" if rnd.random() < 0.5 else ""))
        if rnd.random() < 0.5:
            docs.append(correlation(rnd, "c2", list(BASE_RULES) + ["c1"], "level: high\n"))
        rules = os.path.join(work, "rules.yml")
        with open(rules, "w") as out:
            out.write("---\n".join(docs))
        args = ["--sigma", rules] + (["--sigma-level", "high"] if rnd.random() < 0.5 else []) + ["-i", data]
        filtered = subprocess.run([binary] + args, capture_output=True, text=True)
        # Exit 2 with output: records without a time were reported; the
        # rest is still compared. Exit 2 without output: refused outright.
        if filtered.returncode not in (0, 1) and not filtered.stdout:
            refused += 1
            continue
        want = canonical(filtered.stdout.splitlines())
        with_output += bool(want)
        emitted = subprocess.run([binary] + args + ["--emit-sql", "duckdb"], capture_output=True, text=True)
        problem = None
        if emitted.returncode != 0:
            problem = f"--emit-sql refused: {emitted.stderr.strip()}"
        else:
            try:
                got = canonical(row[0] for row in con.execute(emitted.stdout).fetchall())
                if got != want:
                    problem = f"the filter wrote {sum(want.values())} records, DuckDB returned {sum(got.values())}"
            except duckdb.Error as error:
                problem = f"DuckDB: {error}"
        if problem:
            failures += 1
            print(f"sql-engines: correlations random: set {number} (seed {seed}): {problem}")
            print("--- rules\n" + open(rules).read() + "--- records\n" + open(data).read())
    print(f"sql-engines: correlations random: {sets} sets (seed {seed}), {with_output} with output, "
          f"{refused} refused by the filter, {failures} differing")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
