#!/usr/bin/env python3
"""pySigma's DuckDB backend as a peer for bench/sigma.py (issue 14).

    sigma_duckdb.py RULES_DIR CORPUS.ndjson   # prints {"rule id": matches, ...}

The backend turns each rule into `SELECT * FROM logs WHERE ...`, naming
nested fields by their dotted path as one column ("userIdentity.type"), as a
flattened log table has them. `logs` is therefore a view over the NDJSON
with one VARCHAR column per field the rules name, taken with
json_extract_string (objects and arrays come out as their JSON text, a path
through an array as NULL). All rules are counted in one pass over the file
(`count(*) FILTER (WHERE ...)` per rule), DuckDB on all cores: the most
favourable way to run the backend's queries. Rules the backend refuses are
listed on stderr and left out. Runs in the venv of bench/.tools/pysigma
(pip install pySigma-backend-duckdb duckdb).
"""

import glob
import json
import os
import sys
import time

# bench/sigma.py, beside this file, would shadow pySigma's `sigma` package.
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import duckdb  # noqa: E402
from sigma.collection import SigmaCollection  # noqa: E402
from sigma.rule import SigmaDetection, SigmaDetectionItem  # noqa: E402
from sigma.types import SigmaFieldReference  # noqa: E402
from sigma_backend_duckdb import DuckDBBackend  # noqa: E402


def fields_of(detection, into):
    for item in detection.detection_items:
        if isinstance(item, SigmaDetection):
            fields_of(item, into)
        elif isinstance(item, SigmaDetectionItem):
            if item.field:
                into.add(item.field)
            for value in item.value:
                if isinstance(value, SigmaFieldReference):
                    into.add(value.field)


def sql_string(text):
    return "'" + text.replace("'", "''") + "'"


def main():
    rules_dir, corpus = sys.argv[1], sys.argv[2]
    began = time.perf_counter()
    backend = DuckDBBackend()
    conditions, fields = [], set()
    prefix = "SELECT * FROM logs WHERE "
    paths = sorted(glob.glob(os.path.join(rules_dir, "**", "*.y*ml"), recursive=True))
    for path in paths:
        try:
            collection = SigmaCollection.from_yaml(open(path).read())
            (query,) = backend.convert(collection)
            rule = collection.rules[0]
        except Exception as error:  # the backend's refusal is the finding
            print(f"sigma_duckdb: {os.path.basename(path)}: {type(error).__name__}: {error}",
                  file=sys.stderr)
            continue
        if not query.startswith(prefix):
            print(f"sigma_duckdb: {os.path.basename(path)}: unexpected query {query[:80]}",
                  file=sys.stderr)
            continue
        for detection in rule.detection.detections.values():
            fields_of(detection, fields)
        conditions.append((str(rule.id), query[len(prefix):]))
    converted = time.perf_counter() - began
    columns = ", ".join(
        f"json_extract_string(j, {sql_string('$.' + name)}) AS \"{name}\""
        for name in sorted(fields))
    con = duckdb.connect()
    con.execute(f"CREATE VIEW logs AS SELECT {columns} FROM "
                f"read_ndjson_objects({sql_string(corpus)}) AS t(j)")
    counts = ", ".join(f"count(*) FILTER (WHERE {condition})" for _, condition in conditions)
    row = con.execute(f"SELECT {counts} FROM logs").fetchone()
    print(json.dumps({rule_id: n for (rule_id, _), n in zip(conditions, row)}))
    print(f"sigma_duckdb: {len(conditions)} of {len(paths)} rules, {len(fields)} fields; "
          f"conversion {converted:.2f} s, query {time.perf_counter() - began - converted:.2f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
