#!/usr/bin/env python3
"""A/B: two spitzel-filter builds on the same queries, in one run.

    python3 bench/ab.py --before OLD/spitzel-filter --after NEW/spitzel-filter [--size 256M] [--runs 5]

Times bench/queries.json's queries (all, or --query NAME...) and, when
SigmaHQ's rules are in ../shared, `--sigma RULES --annotate`, each with both
builds in interleaved rounds, after a warm-up that also checks that both
builds give the same count. Prints wall and CPU medians and after/before
ratios (below 1: the after build is faster): the figure a change that may
touch the hot path reports, since absolute times on a shared machine are
noise but a ratio from the same rounds is not.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bench  # noqa: E402  (the scripts' shared helpers)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="spitzel-filter binary A")
    parser.add_argument("--after", required=True, help="spitzel-filter binary B")
    parser.add_argument("--size", default="256M", help="corpus size (default 256M)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--query", action="append",
                        help="a query name of bench/queries.json, or 'sigma' (repeatable; default all)")
    args = parser.parse_args()
    with open(os.path.join(bench.BENCH_DIR, "queries.json")) as handle:
        queries = {q["name"]: q["spitzel"] for q in json.load(handle)["queries"]}
    rules = os.path.join(bench.shared_dir(), "data", "sigma", "sigmahq-cloudtrail")
    if os.path.isdir(rules):
        queries["sigma"] = ["--sigma", rules, "--annotate"]
    wanted = args.query or list(queries)
    unknown = [name for name in wanted if name not in queries]
    if unknown:
        raise bench.BenchError(f"unknown queries {unknown}; choose from {list(queries)}")
    corpus = os.path.join(bench.BENCH_DIR, "out", f"corpus-{args.size.lower()}-seed{args.seed}"
                          f"{bench.shapes_tag()}.ndjson")
    bench.ensure_corpus(corpus, args.size, args.seed)
    builds = {"before": args.before, "after": args.after}

    def command(build, name):
        # Sigma writes its annotated matches (what a responder runs); the
        # queries count, as bench/run.py times them.
        count = [] if name == "sigma" else ["-c"]
        argv = [builds[build]] + count + queries[name] + ["-i", corpus]
        return lambda: bench.run_measured(argv, stdout_to_null=(name == "sigma"),
                                          ok_statuses=(0, 1))

    commands = {(name, build): command(build, name) for name in wanted for build in builds}
    for name in wanted:  # warm-up, and the same answer from both builds
        answers = {build: commands[(name, build)]().stdout for build in builds if name != "sigma"}
        if len(set(answers.values())) > 1:
            raise bench.BenchError(f"{name}: the builds disagree: {answers}")
    load = bench.loadavg()
    samples = bench.rounds(commands, args.runs, warm_up=False)
    print(f"{os.path.getsize(corpus) / 1e6:,.0f} MB corpus, {args.runs} interleaved rounds, "
          f"medians; {os.cpu_count()} cores, load average {load} before, {bench.loadavg()} after\n")
    print("| query | before s | after s | after/before wall | before CPU s | after CPU s "
          "| after/before CPU |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in wanted:
        wall = {b: bench.median(o.seconds for o in samples[(name, b)]) for b in builds}
        cpu = {b: bench.median(o.cpu_s for o in samples[(name, b)]) for b in builds}
        print(f"| {name} | {wall['before']:.3f} | {wall['after']:.3f} | "
              f"{wall['after'] / wall['before']:.3f} | {cpu['before']:.3f} | {cpu['after']:.3f} | "
              f"{cpu['after'] / cpu['before']:.3f} |")


if __name__ == "__main__":
    try:
        main()
    except bench.BenchError as error:
        bench.log(f"error: {error}")
        sys.exit(2)
