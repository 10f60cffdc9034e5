#!/usr/bin/env python3
"""Sigma benchmark: spitzel-filter --sigma against rsigma (issue 14), in one
run, on the corpus of bench/gen_corpus.py with SigmaHQ's CloudTrail rules.

    python3 bench/sigma.py [--size 1G] [--runs 3] [--work DIR] [--spitzel PATH]

Also in the same rounds: the single-glob query, `grep -cF` of one literal
(the floor) and pySigma's DuckDB backend (bench/sigma_duckdb.py). Before
timing, the matches are compared: spitzel's --annotate lists against rsigma's
detections pair by pair, and the counts per rule of all three. The same
rounds run the rules together with bench/sigma-correlations (one correlation
of each type) in both engines, rsigma with its state caps lifted: the
correlation set's cost over the rules alone, its peak RSS on both corpus
sizes, and the hits per correlation. Figures are
ratios from interleaved runs of the same round; the report goes to
bench/results/sigma.md and sigma.json. rsigma is installed once into
bench/.tools (cargo install rsigma --version 0.23.0 --locked), as jaq is;
the DuckDB backend into a venv there.
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bench  # noqa: E402  (the scripts' shared helpers)

RSIGMA_VERSION = "0.23.0"
TARGET_VS_RSIGMA = 10.0
TARGET_VS_GLOB = 0.5  # within 2x of the single-glob query
TARGET_CORRELATION_COST = 1.5  # rules + correlation set vs the rules alone
CORRELATION_COUNT = 4  # in bench/sigma-correlations, one of each type


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
        "(about 350 crates: up to an hour on 2 busy cores, once)")
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


GREP_LITERAL = '"eventSource":"ec2.amazonaws.com"'  # bench/run.py's floor, same literal
GLOB = "ec2:Describe*"  # the single-glob query of bench/queries.json


def find_duckdb_python(explicit):
    """pySigma's DuckDB backend runs from its own venv in bench/.tools, made
    on demand (pip install pySigma-backend-duckdb duckdb, a minute)."""
    if explicit == "none":
        return None
    python = explicit or os.path.join(bench.TOOLS_ROOT, "pysigma", "bin", "python")
    probe = [python, "-c", "import duckdb, sigma_backend_duckdb"]
    if os.access(python, os.X_OK) and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    if explicit:
        raise bench.BenchError(f"{explicit} cannot import duckdb and sigma_backend_duckdb")
    venv = os.path.join(bench.TOOLS_ROOT, "pysigma")
    log("pySigma DuckDB backend missing: venv in bench/.tools/pysigma")
    made = subprocess.run([sys.executable, "-m", "venv", venv]).returncode == 0 and \
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q",
                        "pySigma-backend-duckdb", "duckdb"]).returncode == 0
    if not made:
        log("pip install pySigma-backend-duckdb failed; the run goes on without it")
        return None
    return python


CORRELATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sigma-correlations")
WITH_CORRELATIONS = "spitzel --sigma RULES+CORRELATIONS --annotate"
RSIGMA_CORRELATIONS = "rsigma engine eval RULES+CORRELATIONS"
# rsigma's correlation state caps, lifted so that it evicts nothing.
RSIGMA_UNCAPPED = "--max-state-entries 1000000000"


def combined_rules(work, rules):
    """SigmaHQ's rules and the correlation set in one directory: rsigma takes
    one -r path."""
    path = os.path.join(work, "sigma-rules-with-correlations")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for source in (rules, CORRELATIONS):
        for folder, _, names in os.walk(source):
            for name in names:
                if name.endswith((".yml", ".yaml")):
                    shutil.copy(os.path.join(folder, name), os.path.join(path, name))
    return path


def commands(spitzel, rsigma, duckdb_python, rules, corpus, combined=None):
    argvs = {
        # What a responder runs: matches written with their rules.
        "spitzel --sigma --annotate": [spitzel, "--sigma", rules, "--annotate", "-i", corpus],
        "spitzel --sigma --annotate -j1": [spitzel, "--sigma", rules, "--annotate", "-j", "1",
                                           "-i", corpus],
        f"spitzel glob ({GLOB})": [spitzel, GLOB, "-i", corpus],
        "grep -cF (floor)": ["grep", "-cF", GREP_LITERAL, corpus],
    }
    if rsigma:
        argvs["rsigma engine eval"] = ["bash", "-c",
                                       'exec "$1" engine eval -q --no-stats -r "$2" < "$3"',
                                       "rsigma", rsigma, rules, corpus]
    if duckdb_python:
        argvs["pySigma DuckDB backend"] = [duckdb_python, DUCKDB_SCRIPT, rules, corpus]
    if combined:
        argvs[WITH_CORRELATIONS] = [spitzel, "--sigma", combined, "--annotate", "-i", corpus]
        if rsigma:
            argvs[RSIGMA_CORRELATIONS] = [
                "bash", "-c",
                f'exec "$1" engine eval -q --no-stats {RSIGMA_UNCAPPED} '
                '--timestamp-field eventTime -r "$2" < "$3"',
                "rsigma", rsigma, combined, corpus]
    return argvs


def correlation_hits(spitzel, rsigma, combined, corpus):
    """Per correlation title: spitzel-filter's hits (--sigma-alerts) and
    rsigma's alerts (it alerts at every event that keeps the condition met,
    so its count is larger and not comparable one for one)."""
    done = subprocess.run([spitzel, "--sigma", combined, "--sigma-alerts", "-i", corpus],
                          capture_output=True)
    if done.returncode not in (0, 1):
        raise bench.BenchError(f"spitzel failed: {bench.first_line(done.stderr.decode())}")
    ours = collections.Counter(json.loads(line)["title"] for line in done.stdout.splitlines())
    theirs = collections.Counter()
    if rsigma:
        with open(corpus, "rb") as source:
            done = subprocess.run([rsigma, "engine", "eval", "-q", "--no-stats",
                                   *RSIGMA_UNCAPPED.split(), "--timestamp-field", "eventTime",
                                   "--no-detections", "-r", combined],
                                  stdin=source, capture_output=True)
        if done.returncode != 0:
            raise bench.BenchError(f"rsigma failed: {bench.first_line(done.stderr.decode())}")
        for line in done.stdout.splitlines():
            alert = json.loads(line)
            if "correlation_type" in alert:
                theirs[alert["rule_title"]] += 1
    return ours, theirs


DUCKDB_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sigma_duckdb.py")


def pairs_spitzel(spitzel, rules, corpus):
    done = subprocess.run([spitzel, "--sigma", rules, "--annotate", "-i", corpus],
                          capture_output=True)
    if done.returncode not in (0, 1):
        raise bench.BenchError(f"spitzel failed: {bench.first_line(done.stderr.decode())}")
    pairs = collections.Counter()
    for line in done.stdout.splitlines():
        record = json.loads(line)
        hits = record.pop("sigma")
        for hit in hits:
            pairs[(event_key(record), hit["id"])] += 1
    return pairs


def event_key(record):
    """Events are paired by their parsed content: the hand-made test records
    among the shared ones have no eventID, and rsigma writes the event it
    parsed back in its own member order."""
    return json.dumps(record, sort_keys=True)


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
        pairs[(event_key(detection.get("event")), rule_id)] += 1
    return pairs


def rsigma_rule_count(rsigma, rules):
    """How many rules rsigma loads: its own summary line on stderr."""
    done = subprocess.run([rsigma, "engine", "eval", "-r", rules, "-e", "{}"],
                          capture_output=True, text=True)
    line = bench.first_line(done.stderr)  # "Loaded 57 rules from DIR"
    words = line.split()
    return f"{words[1]} loaded" if len(words) > 2 and words[0] == "Loaded" else line


def counts_duckdb(duckdb_python, rules, corpus):
    done = subprocess.run([duckdb_python, DUCKDB_SCRIPT, rules, corpus],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise bench.BenchError(f"pySigma DuckDB failed: {bench.first_line(done.stderr)}")
    return collections.Counter(json.loads(done.stdout)), done.stderr.strip()


def rule_titles(spitzel, rules):
    """id -> title from spitzel's --stats list (every rule, matched or not)."""
    done = subprocess.run([spitzel, "--sigma", rules, "--stats", "-c", "-i", "/dev/null"],
                          capture_output=True, text=True)
    titles = {}
    for line in done.stderr.splitlines():
        parts = line.split("stats: sigma: ", 1)
        if len(parts) == 2:
            fields = parts[1].split(" ", 3)
            if len(fields) == 4 and len(fields[1]) == 36:
                titles[fields[1]] = fields[3]
    return titles


SHARED_SETS = [os.path.join(name, "events.ndjson") for name in (
    "stratus-red-team-detonation-logs", "invictus-aws-dataset", "panther-analysis-tests")]


def shared_records(work):
    """The real CloudTrail records of ../shared in one file (bench/gen_corpus.py
    samples the same ones, but not their rarer shapes in proportion)."""
    shared = os.environ.get("SPITZEL_SHARED") or os.path.join(bench.REPO_ROOT, "..", "shared")
    path = os.path.join(work, "shared-records.ndjson")
    os.makedirs(work, exist_ok=True)
    with open(path, "wb") as out:
        for name in SHARED_SETS:
            with open(os.path.join(shared, "data", "cloudtrail", name), "rb") as source:
                for line in source:
                    if line.strip():
                        out.write(line if line.endswith(b"\n") else line + b"\n")
    return path


def agreement(spitzel, rsigma, duckdb_python, rules, corpus):
    ours = pairs_spitzel(spitzel, rules, corpus)
    theirs = pairs_rsigma(rsigma, rules, corpus) if rsigma else collections.Counter()
    duck, note = counts_duckdb(duckdb_python, rules, corpus) if duckdb_python else (None, "")
    only_ours, only_theirs = ours - theirs, theirs - ours
    log(f"{os.path.basename(corpus)}: spitzel {sum(ours.values())}, rsigma "
        f"{sum(theirs.values()) if rsigma else '-'}, only spitzel {sum(only_ours.values())}, "
        f"only rsigma {sum(only_theirs.values())}, DuckDB backend "
        f"{sum(duck.values()) if duck is not None else '-'}")
    return ours, theirs, only_ours, only_theirs, duck, note


def measure(argv, stdout_to_null):
    """Wall seconds, CPU seconds (user + system) and peak RSS KB of one run.
    On a shared machine the wall time also holds the waits for a core; the
    CPU time is the work."""
    outcome = bench.run_measured(argv, stdout_to_null=stdout_to_null, ok_statuses=(0, 1))
    return outcome.seconds, outcome.cpu_s, outcome.max_rss_kb


def per_rule(pairs):
    counts = collections.Counter()
    for (_, rule), n in pairs.items():
        counts[rule] += n
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1G", help="corpus size (default 1G)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", default=os.path.join(bench.BENCH_DIR, "out"),
                        help="where the corpora are generated (default bench/out)")
    parser.add_argument("--spitzel", help="spitzel-filter binary instead of a release build")
    parser.add_argument("--rsigma", help="rsigma binary instead of bench/.tools/bin/rsigma "
                                         "('none' to leave it out)")
    parser.add_argument("--duckdb-python",
                        help="python with pySigma-backend-duckdb (default: the venv in "
                             "bench/.tools/pysigma, made on demand; 'none' to leave it out)")
    parser.add_argument("--memory-size", default="64M",
                        help="second, smaller corpus for the memory-flatness check")
    parser.add_argument("--results", default="sigma",
                        help="report name: bench/results/NAME.md and NAME.json (default sigma)")
    args = parser.parse_args()

    spitzel = args.spitzel or os.path.join(
        bench.cargo_build(["--bin", "spitzel-filter"], release=True), "spitzel-filter")
    rsigma = None if args.rsigma == "none" else args.rsigma or find_rsigma(may_install=True)
    duckdb_python = find_duckdb_python(args.duckdb_python)
    rules = rules_dir()
    corpus = os.path.join(args.work, f"corpus-{args.size.lower()}-seed{args.seed}"
                          f"{bench.shapes_tag()}.ndjson")
    small = os.path.join(args.work, f"corpus-{args.memory_size.lower()}-seed{args.seed}"
                         f"{bench.shapes_tag()}.ndjson")
    bench.ensure_corpus(corpus, args.size, args.seed)
    bench.ensure_corpus(small, args.memory_size, args.seed)
    data_bytes = os.path.getsize(corpus)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = bench.loadavg()

    # Agreement first, on the corpus and on the shared real records: every
    # (event, rule) pair with rsigma, counts per rule with the DuckDB backend
    # (its queries name no event).
    titles = rule_titles(spitzel, rules)
    rsigma_loaded = rsigma_rule_count(rsigma, rules) if rsigma else "not run"
    real = shared_records(args.work)
    agreements = {name: agreement(spitzel, rsigma, duckdb_python, rules, path)
                  for name, path in (("corpus", corpus), ("shared records", real))}
    ours, theirs, only_ours, only_theirs, _, duck_note = agreements["corpus"]
    combined = combined_rules(args.work, rules)
    hits_ours, hits_theirs = correlation_hits(spitzel, rsigma, combined, corpus)
    log(f"correlation hits: spitzel {dict(hits_ours)}, rsigma alerts {dict(hits_theirs)}")

    argvs = commands(spitzel, rsigma, duckdb_python, rules, corpus, combined)
    # GNU grep stops at the first match when its output is /dev/null: the
    # floor writes its count to a pipe (bench/run.py does the same).
    samples = bench.rounds({name: (lambda argv=argv, name=name: measure(
        argv, not name.startswith("grep"))) for name, argv in argvs.items()}, args.runs)
    small_argvs = commands(spitzel, rsigma, None, rules, small, combined)
    small_rss = measure(small_argvs["spitzel --sigma --annotate"], True)[2]
    small_rss_correlations = measure(small_argvs[WITH_CORRELATIONS], True)[2]

    summary = {}
    for name, values in samples.items():
        seconds = bench.median(v[0] for v in values)
        summary[name] = {"median_s": seconds, "runs_s": [round(v[0], 3) for v in values],
                         "median_cpu_s": bench.median(v[1] for v in values),
                         "runs_cpu_s": [round(v[1], 3) for v in values],
                         "mb_per_s": data_bytes / seconds / 1e6,
                         "max_rss_mb": max(v[2] for v in values) / 1024}
    sigma = summary["spitzel --sigma --annotate"]
    sigma_1 = summary["spitzel --sigma --annotate -j1"]
    def cpu_ratio(name):
        return summary[name]["median_cpu_s"] / sigma["median_cpu_s"]

    ratios = {
        "cpu_vs_glob": cpu_ratio(f"spitzel glob ({GLOB})"),
        "vs_glob": summary[f"spitzel glob ({GLOB})"]["median_s"] / sigma["median_s"],
        "vs_grep": summary["grep -cF (floor)"]["median_s"] / sigma["median_s"],
    }
    if rsigma:
        rsigma_s = summary["rsigma engine eval"]["median_s"]
        ratios["vs_rsigma"] = rsigma_s / sigma["median_s"]
        ratios["vs_rsigma_one_core"] = rsigma_s / sigma_1["median_s"]
        ratios["cpu_vs_rsigma"] = cpu_ratio("rsigma engine eval")
        ratios["correlations_vs_rsigma"] = (summary[RSIGMA_CORRELATIONS]["median_s"]
                                            / summary[WITH_CORRELATIONS]["median_s"])
    ratios["correlation_set_cost"] = summary[WITH_CORRELATIONS]["median_s"] / sigma["median_s"]
    ratios["correlation_set_cpu_cost"] = cpu_ratio(WITH_CORRELATIONS)
    if duckdb_python:
        ratios["vs_duckdb"] = summary["pySigma DuckDB backend"]["median_s"] / sigma["median_s"]
        ratios["cpu_vs_duckdb"] = cpu_ratio("pySigma DuckDB backend")
    machine = bench.machine_description()
    lines = [
        f"Run {started}, {machine['cpus']} CPUs ({machine['cpu_model']}), load average "
        f"{load_before} before, {bench.loadavg()} after (shared machine: ratios come from "
        f"interleaved runs of the same round).",
        "",
        f"Corpus: {data_bytes / 1e6:,.0f} MB, {sum(1 for _ in open(corpus, 'rb')):,} records "
        f"(bench/gen_corpus.py --size {args.size} --seed {args.seed}); rules: SigmaHQ's "
        f"{len(titles)} CloudTrail rules (rsigma: {rsigma_loaded}). Median of {args.runs} "
        f"interleaved rounds after a warm-up; output to /dev/null; peak RSS from GNU time. "
        + (f"rsigma {RSIGMA_VERSION} (`engine eval`, one thread); " if rsigma else "")
        + "spitzel-filter on all cores unless -j1; DuckDB on all cores.",
        "",
        "| command | median s | MB/s | x spitzel time | CPU s | x spitzel CPU | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in summary.items():
        lines.append(f"| {name} | {row['median_s']:.2f} | {row['mb_per_s']:,.0f} | "
                     f"{row['median_s'] / sigma['median_s']:.2f} | {row['median_cpu_s']:.2f} | "
                     f"{row['median_cpu_s'] / sigma['median_cpu_s']:.2f} | "
                     f"{row['max_rss_mb']:.0f} |")
    lines.append("")
    if rsigma:
        lines.append(
            f"- vs rsigma: {ratios['vs_rsigma']:.1f}x its speed (all cores), "
            f"{ratios['vs_rsigma_one_core']:.1f}x on one core, {ratios['cpu_vs_rsigma']:.1f}x "
            f"less CPU time; goal >= {TARGET_VS_RSIGMA:.0f}x: "
            f"{'yes' if ratios['vs_rsigma'] >= TARGET_VS_RSIGMA else 'no'}")
    lines += [
        f"- vs the single-glob query: {ratios['vs_glob']:.2f} of its speed; goal within 2x: "
        f"{'yes' if ratios['vs_glob'] >= TARGET_VS_GLOB else 'no'}; CPU time "
        f"{1 / ratios['cpu_vs_glob']:.2f}x the glob's; "
        f"grep -cF of one literal: {ratios['vs_grep']:.2f} of its speed",
    ]
    if duckdb_python:
        lines.append(f"- vs pySigma's DuckDB backend: {ratios['vs_duckdb']:.1f}x its speed, "
                     f"{ratios['cpu_vs_duckdb']:.1f}x less CPU time "
                     f"({duck_note.splitlines()[-1] if duck_note else ''})")
    lines += [
        f"- memory: {sigma['max_rss_mb']:.0f} MB peak on {data_bytes / 1e6:,.0f} MB, "
        f"{small_rss / 1024:.0f} MB on {os.path.getsize(small) / 1e6:,.0f} MB",
    ]
    with_correlations = summary[WITH_CORRELATIONS]
    lines += [
        f"- correlation set (bench/sigma-correlations: {len(hits_ours)} of "
        f"{CORRELATION_COUNT} correlations hit): rules + correlations take "
        f"{ratios['correlation_set_cost']:.2f}x the wall time of the rules alone "
        f"({ratios['correlation_set_cpu_cost']:.2f}x the CPU time); goal < "
        f"{TARGET_CORRELATION_COST}x: "
        f"{'yes' if ratios['correlation_set_cost'] < TARGET_CORRELATION_COST else 'no'}"
        + (f"; {ratios['correlations_vs_rsigma']:.1f}x rsigma's speed on the same set "
           f"(state caps lifted)" if rsigma else ""),
        f"- memory with correlations: {with_correlations['max_rss_mb']:.0f} MB peak on "
        f"{data_bytes / 1e6:,.0f} MB, {small_rss_correlations / 1024:.0f} MB on "
        f"{os.path.getsize(small) / 1e6:,.0f} MB (the base rules' matches are held to the end)"
        + (f"; rsigma {summary[RSIGMA_CORRELATIONS]['max_rss_mb']:.0f} MB" if rsigma else ""),
        "- hits per correlation: " + ", ".join(
            f"{title}: {hits_ours[title]}"
            + (f" (rsigma alerts: {hits_theirs[title]})" if rsigma else "")
            for title in sorted(set(hits_ours) | set(hits_theirs))),
    ]
    if rsigma:
        lines.append(
            f"- agreement with rsigma, (event, rule) pairs: spitzel {sum(ours.values())}, "
            f"rsigma {sum(theirs.values())}; only spitzel {sum(only_ours.values())}, only rsigma "
            f"{sum(only_theirs.values())}")
    rule_ids = sorted(titles, key=lambda r: titles[r])
    per_rule_json = {}
    for name, (ours_n, theirs_n, only_ours_n, only_theirs_n, duck_n, _) in agreements.items():
        lines += [
            "",
            f"Matches per rule on the {name}"
            + (" (" + ", ".join(os.path.dirname(p) for p in SHARED_SETS) + ")"
               if name == "shared records" else "")
            + f": {sum(ours_n.values())} (event, rule) pairs from spitzel"
            + (f", {sum(theirs_n.values())} from rsigma, {sum(only_ours_n.values())} only "
               f"spitzel's, {sum(only_theirs_n.values())} only rsigma's" if rsigma else "")
            + (f", {sum(duck_n.values())} from the DuckDB backend" if duck_n is not None else "")
            + ". Rules that matched anything or where the engines differ:",
            "",
            "| rule | spitzel | rsigma | DuckDB backend |",
            "|---|---:|---:|---:|",
        ]
        by_ours, by_theirs = per_rule(ours_n), per_rule(theirs_n)
        per_rule_json[name] = {}
        for rule in rule_ids:
            row = [by_ours[rule], by_theirs[rule] if rsigma else None,
                   duck_n[rule] if duck_n is not None else None]
            per_rule_json[name][rule] = {"title": titles[rule], "spitzel": row[0],
                                         "rsigma": row[1], "duckdb": row[2]}
            known = [n for n in row if n is not None]
            if any(known) or len(set(known)) > 1:
                row = ["-" if n is None else n for n in row]
                lines.append(f"| {titles[rule]} | " + " | ".join(map(str, row)) + " |")
    report = "\n".join(lines) + "\n"
    results = os.path.join(bench.BENCH_DIR, "results")
    os.makedirs(results, exist_ok=True)
    with open(os.path.join(results, f"{args.results}.md"), "w") as handle:
        handle.write(report)
    with open(os.path.join(results, f"{args.results}.json"), "w") as handle:
        json.dump({"started": started, "corpus_bytes": data_bytes, "runs": args.runs,
                   "summary": summary, "ratios": ratios, "small_rss_mb": small_rss / 1024,
                   "small_rss_with_correlations_mb": small_rss_correlations / 1024,
                   "correlation_hits": {"spitzel": hits_ours, "rsigma_alerts": hits_theirs},
                   "per_rule": per_rule_json,
                   "only_spitzel": sum(only_ours.values()),
                   "only_rsigma": sum(only_theirs.values())}, handle, indent=2)
    print(report)


if __name__ == "__main__":
    try:
        main()
    except bench.BenchError as error:
        log(str(error))
        sys.exit(1)
