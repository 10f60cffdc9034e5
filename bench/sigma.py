#!/usr/bin/env python3
"""Sigma benchmark: spitzel-filter --sigma against rsigma (issue 14), in one
run, on the corpus of bench/gen_corpus.py with SigmaHQ's CloudTrail rules.

    python3 bench/sigma.py [--size 1G] [--runs 3] [--spitzel PATH]

Before timing, both engines must report the same (event, rule) matches:
spitzel's --annotate lists and rsigma's detections, compared pair by pair.
Figures are ratios from interleaved runs of the same round; the report goes
to bench/results/sigma.md and sigma.json. rsigma is installed once into
bench/.tools (cargo install rsigma --version 0.23.0 --locked), as jaq is.
"""

import argparse
import collections
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as bench  # noqa: E402  (the main runner's helpers)

RSIGMA_VERSION = "0.23.0"
TARGET_VS_RSIGMA = 10.0
TARGET_VS_GLOB = 0.5  # within 2x of the single-glob query


def log(message):
    bench.log(f"sigma: {message}")


def find_rsigma(may_install):
    path = os.path.join(bench.TOOLS_ROOT, "bin", "rsigma")
    if os.access(path, os.X_OK):
        return path
    found = shutil.which("rsigma")
    if found:
        return found
    if not may_install:
        return None
    log(f"rsigma missing: cargo install rsigma --version {RSIGMA_VERSION} --locked "
        "(takes many minutes, once)")
    done = subprocess.run(["cargo", "install", "rsigma", "--version", RSIGMA_VERSION,
                           "--locked", "--root", bench.TOOLS_ROOT])
    if done.returncode != 0 or not os.access(path, os.X_OK):
        raise bench.BenchError("cargo install rsigma failed")
    return path


def rules_dir():
    shared = os.environ.get("SPITZEL_SHARED") or os.path.join(bench.REPO_ROOT, "..", "shared")
    path = os.path.join(shared, "data", "sigma", "sigmahq-cloudtrail")
    if not os.path.isdir(path):
        raise bench.BenchError(f"no rules at {path} (set SPITZEL_SHARED)")
    return path


def commands(spitzel, rsigma, rules, corpus):
    return {
        # What a responder runs: matches written with their rules.
        "spitzel --sigma --annotate": [spitzel, "--sigma", rules, "--annotate", "-i", corpus],
        "spitzel --sigma --annotate -j1": [spitzel, "--sigma", rules, "--annotate", "-j", "1",
                                           "-i", corpus],
        "spitzel glob (ec2:Describe*)": [spitzel, "ec2:Describe*", "-i", corpus],
        "rsigma engine eval": ["bash", "-c", '"$1" engine eval -q --no-stats -r "$2" < "$3"',
                               "rsigma", rsigma, rules, corpus],
    }


def pairs_spitzel(spitzel, rules, corpus):
    done = subprocess.run([spitzel, "--sigma", rules, "--annotate", "-i", corpus],
                          capture_output=True)
    if done.returncode not in (0, 1):
        raise bench.BenchError(f"spitzel failed: {bench.first_line(done.stderr.decode())}")
    pairs = collections.Counter()
    for line in done.stdout.splitlines():
        record = json.loads(line)
        for hit in record["sigma"]:
            pairs[(record.get("eventID"), hit["id"])] += 1
    return pairs


def pairs_rsigma(rsigma, rules, corpus):
    with open(corpus, "rb") as source:
        done = subprocess.run([rsigma, "engine", "eval", "-q", "--no-stats", "--include-event",
                               "-r", rules],
                              stdin=source, capture_output=True)
    if done.returncode != 0:
        raise bench.BenchError(f"rsigma failed: {bench.first_line(done.stderr.decode())}")
    pairs = collections.Counter()
    for line in done.stdout.splitlines():
        detection = json.loads(line)
        rule_id = detection.get("rule_id")
        event = detection.get("event") or {}
        pairs[(event.get("eventID"), rule_id)] += 1
    return pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1G", help="corpus size (default 1G)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spitzel", help="spitzel-filter binary instead of a release build")
    parser.add_argument("--rsigma", help="rsigma binary instead of bench/.tools/bin/rsigma")
    parser.add_argument("--memory-size", default="64M",
                        help="second, smaller corpus for the memory-flatness check")
    args = parser.parse_args()

    spitzel = args.spitzel or os.path.join(
        bench.cargo_build(["--bin", "spitzel-filter"], release=True), "spitzel-filter")
    rsigma = args.rsigma or find_rsigma(may_install=True)
    rules = rules_dir()
    work = os.path.join(bench.BENCH_DIR, "out")
    corpus = os.path.join(work, f"corpus-{args.size.lower()}-seed{args.seed}{bench.shapes_tag()}.ndjson")
    small = os.path.join(work, f"corpus-{args.memory_size.lower()}-seed{args.seed}"
                         f"{bench.shapes_tag()}.ndjson")
    bench.ensure_corpus(corpus, args.size, args.seed)
    bench.ensure_corpus(small, args.memory_size, args.seed)
    data_bytes = os.path.getsize(corpus)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = bench.loadavg()

    # Agreement first: every (event, rule) pair, both ways.
    ours, theirs = pairs_spitzel(spitzel, rules, corpus), pairs_rsigma(rsigma, rules, corpus)
    only_ours, only_theirs = ours - theirs, theirs - ours
    by_rule = collections.Counter(rule for (_, rule) in only_ours)
    by_rule_theirs = collections.Counter(rule for (_, rule) in only_theirs)
    log(f"matches: spitzel {sum(ours.values())}, rsigma {sum(theirs.values())}; "
        f"only spitzel {sum(only_ours.values())} {dict(by_rule)}, "
        f"only rsigma {sum(only_theirs.values())} {dict(by_rule_theirs)}")

    argvs = commands(spitzel, rsigma, rules, corpus)
    samples = collections.defaultdict(list)
    for name, argv in argvs.items():  # warm-up
        bench.run_measured(argv, stdout_to_null=True)
    for round_index in range(args.runs):
        for name, argv in argvs.items():
            outcome = bench.run_measured(argv, stdout_to_null=True)
            if outcome.status not in (0, 1):
                raise bench.BenchError(f"{name} exited {outcome.status}: "
                                       f"{bench.first_line(outcome.stderr)}")
            samples[name].append((outcome.seconds, outcome.max_rss_kb))
        log(f"round {round_index + 1}/{args.runs} (loadavg {bench.loadavg()})")
    small_rss = bench.run_measured(commands(spitzel, rsigma, rules, small)
                                   ["spitzel --sigma --annotate"], stdout_to_null=True).max_rss_kb

    summary = {}
    for name, values in samples.items():
        seconds = statistics.median(v[0] for v in values)
        summary[name] = {"median_s": seconds, "runs_s": [round(v[0], 3) for v in values],
                         "mb_per_s": data_bytes / seconds / 1e6,
                         "max_rss_mb": max(v[1] for v in values) / 1024}
    sigma = summary["spitzel --sigma --annotate"]
    vs_rsigma = summary["rsigma engine eval"]["median_s"] / sigma["median_s"]
    vs_rsigma_1 = summary["rsigma engine eval"]["median_s"] / summary[
        "spitzel --sigma --annotate -j1"]["median_s"]
    vs_glob = summary["spitzel glob (ec2:Describe*)"]["median_s"] / sigma["median_s"]
    machine = bench.machine_description()
    lines = [
        f"Run {started}, {machine['cpus']} CPUs ({machine['cpu_model']}), load average "
        f"{load_before} before, {bench.loadavg()} after (shared machine: ratios come from "
        f"interleaved runs of the same round).",
        "",
        f"Corpus: {os.path.relpath(corpus, bench.REPO_ROOT)}, {data_bytes / 1e6:,.0f} MB "
        f"(bench/gen_corpus.py, seed {args.seed}); rules: SigmaHQ's 57 CloudTrail rules. "
        f"Median of {args.runs} runs; output to /dev/null. rsigma {RSIGMA_VERSION} "
        "(`engine eval`, one thread); spitzel-filter on all cores unless -j1.",
        "",
        "| command | median s | MB/s | peak RSS MB |",
        "|---|---:|---:|---:|",
    ]
    for name, row in summary.items():
        lines.append(f"| {name} | {row['median_s']:.2f} | {row['mb_per_s']:,.0f} | "
                     f"{row['max_rss_mb']:.0f} |")
    lines += [
        "",
        f"- vs rsigma: {vs_rsigma:.1f}x (all cores), {vs_rsigma_1:.1f}x on one core; "
        f"goal >= {TARGET_VS_RSIGMA:.0f}x: {'yes' if vs_rsigma >= TARGET_VS_RSIGMA else 'no'}",
        f"- vs the single-glob query: {vs_glob:.2f} of its speed; goal within 2x: "
        f"{'yes' if vs_glob >= TARGET_VS_GLOB else 'no'}",
        f"- memory: {sigma['max_rss_mb']:.0f} MB peak on {data_bytes / 1e6:,.0f} MB, "
        f"{small_rss / 1024:.0f} MB on {os.path.getsize(small) / 1e6:,.0f} MB",
        f"- agreement: spitzel {sum(ours.values())} (event, rule) matches, rsigma "
        f"{sum(theirs.values())}; only spitzel {sum(only_ours.values())} {dict(by_rule)}, "
        f"only rsigma {sum(only_theirs.values())} {dict(by_rule_theirs)}",
    ]
    report = "\n".join(lines) + "\n"
    results = os.path.join(bench.BENCH_DIR, "results")
    os.makedirs(results, exist_ok=True)
    with open(os.path.join(results, "sigma.md"), "w") as handle:
        handle.write(report)
    with open(os.path.join(results, "sigma.json"), "w") as handle:
        json.dump({"started": started, "corpus_bytes": data_bytes, "summary": summary,
                   "vs_rsigma": vs_rsigma, "vs_rsigma_one_core": vs_rsigma_1,
                   "vs_glob": vs_glob, "small_rss_mb": small_rss / 1024,
                   "only_spitzel": sum(only_ours.values()),
                   "only_rsigma": sum(only_theirs.values())}, handle, indent=2)
    print(report)


if __name__ == "__main__":
    try:
        main()
    except bench.BenchError as error:
        log(str(error))
        sys.exit(1)
