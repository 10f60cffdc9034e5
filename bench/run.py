#!/usr/bin/env python3
"""Benchmark runner: spitzel-filter against jaq and jq, spitzel-fetch against
the LookupEvents ceiling. Run it through bench/run (see bench/README.md).

One run times every tool on the same corpus and queries, so the ratios hold
even when the machine is shared and absolute times are noisy. Before any
timing, every tool must return the same count for each query.
"""

import argparse
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (  # noqa: E402  (the scripts' shared helpers)
    BENCH_DIR, HAVE_TIME, REPO_ROOT, TOOLS_ROOT, BenchError, cargo_build, count_lines,
    ensure_corpus, first_line, loadavg, log, machine_description, rounds, run_measured,
    shapes_tag)
FILTER_TOOLS = ("spitzel", "jaq", "jq")

# Targets of issue 5, as ratios from the same run.
TARGET_VS_JAQ = 10.0
TARGET_VS_JQ = 30.0
TARGET_GLOB_MBPS = 2000.0
TARGET_RSS_MB = 100.0
TARGET_FETCH_FRACTION = 0.95
TARGET_THROTTLED = 0.01


# ---------------------------------------------------------------- processes


def parse_count(tool, outcome, ok_statuses):
    if outcome.status not in ok_statuses:
        raise BenchError(f"{tool} exited {outcome.status}: {first_line(outcome.stderr)}")
    try:
        return int(outcome.stdout.strip())
    except ValueError:
        raise BenchError(f"{tool} printed {first_line(outcome.stdout)!r}, not a count; "
                         f"stderr: {first_line(outcome.stderr)}") from None


# ---------------------------------------------------------------- tools

def find_jaq(may_install):
    for candidate in (shutil.which("jaq"), os.path.join(TOOLS_ROOT, "bin", "jaq")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    if not may_install:
        return None
    log("jaq missing: cargo install jaq --locked (takes a few minutes, once)")
    done = subprocess.run(["cargo", "install", "jaq", "--locked", "--root", TOOLS_ROOT])
    path = os.path.join(TOOLS_ROOT, "bin", "jaq")
    if done.returncode != 0 or not os.access(path, os.X_OK):
        raise BenchError("cargo install jaq failed")
    return path


def find_jq(may_install):
    path = shutil.which("jq")
    if path or not may_install:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("jq missing: apt-get install -y jq")
        subprocess.run(["apt-get", "install", "-y", "-q", "jq"], stdout=subprocess.DEVNULL)
    path = shutil.which("jq")
    if not path:
        raise BenchError("jq is not installed (apt-get install jq)")
    return path


def tool_version(path):
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
        return first_line(done.stdout or done.stderr)
    except (OSError, subprocess.SubprocessError):
        return "unknown"


# ---------------------------------------------------------------- commands

def jq_program(condition, records_of_documents=False):
    source = "inputs | .Records[]" if records_of_documents else "inputs"
    return f"reduce ({source} | select({condition})) as $_ (0; .+1)"


def filter_command(tool, paths, query, target):
    """argv counting the events `query` selects in `target` (file or tree)."""
    if tool == "spitzel":
        return [paths["spitzel"], "-c"] + query["spitzel"] + ["-i", target]
    if os.path.isdir(target):
        # jq and jaq read neither gzip nor directories: the tree goes through zcat.
        program = jq_program(query["jq"], records_of_documents=True)
        script = ('set -o pipefail; find "$1" -type f -name "*.json.gz" -print0 | sort -z '
                  '| xargs -0 zcat | "$2" -n "$3"')
        return ["bash", "-c", script, "tree", target, paths[tool], program]
    return [paths[tool], "-n", jq_program(query["jq"]), target]


def floor_commands(target, literal):
    if os.path.isdir(target):
        script = ('set -o pipefail; find "$1" -type f -name "*.json.gz" -print0 | sort -z '
                  '| xargs -0 zcat')
        return {"zcat": (["bash", "-c", script, "tree", target], True)}
    return {
        "cat": (["cat", target], True),
        "grep -c": (["grep", "-cF", literal, target], False),
    }


# ---------------------------------------------------------------- filter benchmark

def check_counts(queries, tools, paths, target):
    """Runs each query once per tool (this is also the warm-up) and insists
    on equal counts."""
    counts = {}
    for query in queries:
        row = {}
        for tool in tools:
            outcome = run_measured(filter_command(tool, paths, query, target))
            ok = (0, 1) if tool == "spitzel" else (0,)
            row[tool] = parse_count(tool, outcome, ok)
        counts[query["name"]] = row
        log(f"counts {query['name']:<10} " + "  ".join(f"{t}={c}" for t, c in row.items()))
        if len(set(row.values())) > 1:
            detail = ", ".join(f"{t} {c}" for t, c in row.items())
            raise BenchError(f"count mismatch on query {query['name']} ({query['label']}): "
                             f"{detail}; fix the query's jq form or the filter before timing")
    return counts


def time_filters(queries, tools, paths, target, runs, literal):
    """Interleaves tools within each round so load from other users spreads
    over all of them rather than landing on one. The count check was the
    tools' warm-up; the floors get their own."""
    floors = floor_commands(target, literal)
    for argv, to_null in floors.values():
        run_measured(argv, stdout_to_null=to_null)

    def floor(argv, to_null):
        return lambda: run_measured(argv, stdout_to_null=to_null)

    def tool_run(query, tool):
        ok = (0, 1) if tool == "spitzel" else (0,)
        return lambda: run_measured(filter_command(tool, paths, query, target), ok_statuses=ok)

    commands = {("floor", name): floor(argv, to_null) for name, (argv, to_null) in floors.items()}
    for query in queries:
        for tool in tools:
            commands[(query["name"], tool)] = tool_run(query, tool)
    outcomes = rounds(commands, runs, warm_up=False)
    return {key: [(o.seconds, o.max_rss_kb) for o in values] for key, values in outcomes.items()}


def summarize(samples, data_bytes):
    summary = {}
    for key, values in samples.items():
        seconds = statistics.median(v[0] for v in values)
        summary[key] = {
            "median_s": seconds,
            "runs_s": [round(v[0], 4) for v in values],
            "mb_per_s": data_bytes / seconds / 1e6 if seconds > 0 else float("inf"),
            "max_rss_mb": max(v[1] for v in values) / 1024.0,
        }
    return summary


def tree_bytes(root):
    """Uncompressed bytes of a tree's records, the work every tool does."""
    total = 0
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".gz"):
                with open(os.path.join(folder, name), "rb") as handle:
                    handle.seek(-4, os.SEEK_END)  # gzip ISIZE: fine below 4 GiB a file
                    total += int.from_bytes(handle.read(4), "little")
    return total


# ---------------------------------------------------------------- fetch benchmark

def fetch_benchmark(build_dir, region_counts, rate, events_per_region, timeout):
    emulator = os.path.join(build_dir, "examples", "cloudtrail_emulator")
    fetch = os.path.join(build_dir, "spitzel-fetch")
    all_regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"]
    results = []
    for count in region_counts:
        regions = ",".join(all_regions[:count])
        proc = subprocess.Popen(
            [emulator, "--port", "0", "--rate", str(rate), "--regions", regions,
             "--events-per-region", str(events_per_region)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            banner = proc.stdout.readline().strip()
            if not banner.startswith("listening on "):
                raise BenchError(f"emulator said {banner!r}, expected 'listening on 127.0.0.1:PORT'")
            address = banner.split()[-1]
            env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDBENCHMARK", AWS_SECRET_ACCESS_KEY="bench",
                       AWS_EC2_METADATA_DISABLED="true")
            env.pop("AWS_PROFILE", None)
            argv = [fetch, "--endpoint-url", f"http://{address}", "--region", regions,
                    "--rate", str(rate), "-q"]
            began = time.perf_counter()
            done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                                  env=env, timeout=timeout)
            seconds = time.perf_counter() - began
            if done.returncode != 0:
                raise BenchError(f"spitzel-fetch exited {done.returncode}: "
                                 f"{first_line(done.stderr.decode(errors='replace'))}")
            events = done.stdout.count(b"\n")
            proc.stdin.close()  # the emulator prints its counters and exits
            counters_line = proc.stdout.readline().strip()
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=10)
        try:
            counters = json.loads(counters_line)
        except ValueError:
            counters = {"unparsed": counters_line}
        expected = events_per_region * count
        if events != expected:
            raise BenchError(f"spitzel-fetch wrote {events} events from {count} region(s), "
                             f"the emulator holds {expected}")
        requests = counter_total(counters, "requests")
        throttles = counter_total(counters, "throttled")
        ceiling = rate * 50 * count
        rate_achieved = events / seconds
        results.append({
            "regions": count,
            "events": events,
            "seconds": seconds,
            "events_per_s": rate_achieved,
            "ceiling_events_per_s": ceiling,
            "fraction_of_ceiling": rate_achieved / ceiling,
            "requests": requests,
            "throttles": throttles,
            "throttled_fraction": (throttles / requests) if requests else None,
            "emulator_counters": counters,
        })
        log(f"fetch {count} region(s): {events} events in {seconds:.2f}s = "
            f"{rate_achieved:.0f}/s, {100 * rate_achieved / ceiling:.1f}% of {ceiling}/s, "
            f"throttles {throttles} of {requests} requests")
    return results


def counter_total(counters, key):
    """The emulator prints {"requests": {region: n}, "throttled": n, ...}."""
    value = counters.get(key)
    if isinstance(value, dict):
        return sum(v for v in value.values() if isinstance(v, (int, float)))
    return value if isinstance(value, (int, float)) else 0


# ---------------------------------------------------------------- machine

# ---------------------------------------------------------------- reports

def fmt_mb(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def verdict(ok):
    return "yes" if ok else "**no**"


def markdown_report(info, queries, tools, counts, summary, data_bytes, tree, fetch):
    lines = []
    add = lines.append
    m = info["machine"]
    add(f"Run {info['started']} ({info['mode']}), {m['cpus']} CPUs ({m['cpu_model']}), "
        f"{m['memory']} RAM, Linux {m['kernel']}. Load average {info['load_before']} before, "
        f"{info['load_after']} after (other users' builds share the machine: absolute times "
        f"are noisy, ratios come from interleaved runs of the same round).")
    add("")
    add(f"Corpus: {info['corpus']} — {data_bytes / 1e6:,.0f} MB, {info['corpus_lines']:,} "
        f"records (bench/gen_corpus.py, seed {info['seed']}), read from page cache. "
        f"Median of {info['runs']} runs after a warm-up that also checked the counts. "
        f"Tools: {'; '.join(info['versions'][t] for t in tools)}. spitzel-filter uses all "
        f"cores by default; jq and jaq use one.")
    add("")
    lines.extend(filter_table(queries, tools, counts, summary))
    floors = [k for k in summary if k[0] == "floor"]
    if floors:
        add("")
        add("Floors: " + ", ".join(
            f"`{name}` {fmt_mb(summary[k]['mb_per_s'])} MB/s" for k in floors for name in [k[1]]))
    if tree:
        add("")
        add(f"Tree of .json.gz files: {tree['files']:,} files, {tree['bytes'] / 1e6:,.0f} MB "
            f"uncompressed ({tree['compressed'] / 1e6:,.0f} MB gzipped); MB/s of uncompressed "
            f"records. jq and jaq read it through `find | sort | xargs zcat`.")
        if tree.get("skipped"):
            add("")
            add(f"Tree case skipped: {tree['skipped']}")
        else:
            add("")
            lines.extend(filter_table(tree["queries"], tools, tree["counts"], tree["summary"]))
            zkey = ("floor", "zcat")
            if zkey in tree["summary"]:
                add("")
                add(f"Floor: `zcat` of every file {fmt_mb(tree['summary'][zkey]['mb_per_s'])} MB/s")
    add("")
    if info["mode"] == "smoke":
        add("Targets: not judged in smoke mode (debug build, tiny corpus, one run).")
    else:
        lines.extend(target_lines(queries, tools, summary, data_bytes))
    if fetch is not None:
        add("")
        lines.extend(fetch_lines(fetch))
    return "\n".join(lines) + "\n"


def filter_table(queries, tools, counts, summary):
    header = ["query", "matches"] + [f"{t} MB/s" for t in tools]
    if "spitzel" in tools:
        header += [f"spitzel/{t}" for t in tools if t != "spitzel"]
    header += [f"{t} RSS MB" for t in tools]
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for query in queries:
        name = query["name"]
        cells = [f"`{query['label']}`".replace("|", "\\|"), f"{counts[name][tools[0]]:,}"]
        cells += [fmt_mb(summary[(name, t)]["mb_per_s"]) for t in tools]
        if "spitzel" in tools:
            for other in tools:
                if other != "spitzel":
                    ratio = summary[(name, other)]["median_s"] / summary[(name, "spitzel")]["median_s"]
                    cells.append(f"{ratio:.1f}x")
        cells += [f"{summary[(name, t)]['max_rss_mb']:.0f}" for t in tools]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def target_lines(queries, tools, summary, data_bytes):
    if "spitzel" not in tools:
        return ["Targets: not evaluated (spitzel-filter not run)."]
    out = ["Targets (issue 5):", ""]
    for query in queries:
        name = query["name"]
        spitzel = summary[(name, "spitzel")]["median_s"]
        parts = []
        if "jaq" in tools:
            ratio = summary[(name, "jaq")]["median_s"] / spitzel
            parts.append(f"≥{TARGET_VS_JAQ:.0f}x jaq: {verdict(ratio >= TARGET_VS_JAQ)} ({ratio:.1f}x)")
        if "jq" in tools:
            ratio = summary[(name, "jq")]["median_s"] / spitzel
            parts.append(f"≥{TARGET_VS_JQ:.0f}x jq: {verdict(ratio >= TARGET_VS_JQ)} ({ratio:.1f}x)")
        if name == "glob":
            mbps = summary[(name, "spitzel")]["mb_per_s"]
            parts.append(f"≥2 GB/s: {verdict(mbps >= TARGET_GLOB_MBPS)} ({fmt_mb(mbps)} MB/s)")
        out.append(f"- `{name}`: " + "; ".join(parts))
    rss = max(summary[(q["name"], "spitzel")]["max_rss_mb"] for q in queries)
    scale = "" if data_bytes >= 1e9 else f" (on this {data_bytes / 1e6:,.0f} MB corpus; the target is for 1 GB)"
    out.append(f"- peak RSS < {TARGET_RSS_MB:.0f} MB: {verdict(rss < TARGET_RSS_MB)} ({rss:.0f} MB){scale}")
    return out


def fetch_lines(fetch):
    if isinstance(fetch, str):
        return [f"spitzel-fetch: {fetch}"]
    out = ["spitzel-fetch against the LookupEvents emulator "
           f"(rate {fetch[0]['ceiling_events_per_s'] // 50 // fetch[0]['regions']} requests/s per region, "
           "50 events a page):", "",
           "| regions | events | seconds | events/s | ceiling | of ceiling | requests | throttled |",
           "|---|---|---|---|---|---|---|---|"]
    for row in fetch:
        throttled = ("n/a" if row["throttled_fraction"] is None
                     else f"{row['throttles']} ({100 * row['throttled_fraction']:.2f}%)")
        out.append(f"| {row['regions']} | {row['events']:,} | {row['seconds']:.2f} | "
                   f"{row['events_per_s']:,.0f} | {row['ceiling_events_per_s']:,} | "
                   f"{100 * row['fraction_of_ceiling']:.1f}% | {row['requests']} | {throttled} |")
    out.append("")
    ok_fraction = all(r["fraction_of_ceiling"] >= TARGET_FETCH_FRACTION for r in fetch)
    ok_throttle = all((r["throttled_fraction"] or 0) <= TARGET_THROTTLED for r in fetch)
    line = (f"Targets: ≥95% of ceiling: {verdict(ok_fraction)}; "
            f"≤1% throttled: {verdict(ok_throttle)}")
    if len(fetch) > 1:
        scaling = (fetch[-1]["events_per_s"] / fetch[0]["events_per_s"]) / (
            fetch[-1]["regions"] / fetch[0]["regions"])
        line += f"; linear in regions: {verdict(scaling >= TARGET_FETCH_FRACTION)} ({scaling:.2f} of linear)"
    out.append(line)
    return out


def write_chart(path, queries, tools, summary, title):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("skipped chart: matplotlib not installed (bench/run installs it into bench/.venv)")
        return False
    colours = {"spitzel": "#d95f02", "jaq": "#1b9e77", "jq": "#7570b3"}
    names = [q["name"] for q in queries]
    width = 0.8 / len(tools)
    fig, axis = plt.subplots(figsize=(10, 5.2), dpi=110)
    for index, tool in enumerate(tools):
        xs = [i + (index - (len(tools) - 1) / 2) * width for i in range(len(names))]
        values = [summary[(n, tool)]["mb_per_s"] for n in names]
        bars = axis.bar(xs, values, width, label=tool, color=colours.get(tool))
        for bar, value in zip(bars, values):
            axis.annotate(fmt_mb(value), (bar.get_x() + bar.get_width() / 2, value),
                          ha="center", va="bottom", fontsize=7)
    styles = iter(["--", ":"])
    for key in summary:
        if key[0] == "floor":
            axis.axhline(summary[key]["mb_per_s"], linestyle=next(styles, "-."), color="grey",
                         linewidth=1, label=f"{key[1]} floor")
    axis.set_yscale("log")
    lowest = min(summary[(n, t)]["mb_per_s"] for n in names for t in tools)
    axis.set_ylim(bottom=10 ** math.floor(math.log10(max(lowest, 1e-3))))
    axis.set_ylabel("MB/s (log scale, higher is better)")
    axis.set_xticks(range(len(names)))
    axis.set_xticklabels(names)
    axis.set_title(title, fontsize=10)
    axis.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


# ---------------------------------------------------------------- main

README_BEGIN = "<!-- bench/run writes from here -->"
README_END = "<!-- to here -->"


def update_readme(report):
    """Put a full run's report into README.md between the markers, so the
    published figures are always the runner's own."""
    path = os.path.join(REPO_ROOT, "README.md")
    with open(path) as handle:
        text = handle.read()
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin:
        log("README.md has no bench markers: results only in bench/results/")
        return
    text = text[:begin + len(README_BEGIN)] + "\n\n" + report.strip() + "\n\n" + text[end:]
    with open(path, "w") as handle:
        handle.write(text)
    log("README.md Performance table updated")


def parse_args():
    parser = argparse.ArgumentParser(description="spitzel benchmarks (issue 5)")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny corpus, one run, count checks only: for CI")
    parser.add_argument("--size", default=None, help="NDJSON corpus size (default 1G; smoke 4M)")
    parser.add_argument("--tree-size", default=None,
                        help="uncompressed size of the .json.gz tree (default 64M; smoke 2M; 0 = no tree case)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per tool (default 3; smoke 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", default=os.path.join(BENCH_DIR, "queries.json"),
                        help="query file (default bench/queries.json)")
    parser.add_argument("--tools", default=",".join(FILTER_TOOLS),
                        help="comma-separated subset of spitzel,jaq,jq")
    parser.add_argument("--spitzel", help="spitzel-filter binary to use instead of building one")
    parser.add_argument("--debug", action="store_true", help="build debug binaries (smoke default)")
    parser.add_argument("--no-filter", action="store_true", help="skip the filter benchmark")
    parser.add_argument("--no-fetch", action="store_true", help="skip the fetch benchmark")
    parser.add_argument("--fetch-events", type=int, default=None,
                        help="events per region in the emulator (default 20000; smoke 300)")
    parser.add_argument("--fetch-rate", type=int, default=20, help="requests/s per region (default 20)")
    parser.add_argument("--out-dir", default=None,
                        help="where results go (default bench/results; smoke bench/out/smoke)")
    return parser.parse_args()


def main():
    args = parse_args()
    smoke = args.smoke
    size = args.size or ("4M" if smoke else "1G")
    tree_size = args.tree_size or ("2M" if smoke else "64M")
    runs = args.runs or (1 if smoke else 3)
    release = not (smoke or args.debug)
    # Smoke results are scratch: they must not replace the committed ones.
    default_dir = os.path.join(BENCH_DIR, "out", "smoke") if smoke else os.path.join(BENCH_DIR, "results")
    results_dir = args.out_dir or default_dir
    work_dir = os.path.join(BENCH_DIR, "out")
    os.makedirs(results_dir, exist_ok=True)
    if not HAVE_TIME:
        log("note: /usr/bin/time missing (apt-get install time): peak RSS includes the runner's fork")
    with open(args.queries) as handle:
        spec = json.load(handle)

    info = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "mode": "smoke" if smoke else "full", "machine": machine_description(),
            "load_before": loadavg(), "runs": runs, "seed": args.seed, "versions": {}}
    wanted = [t for t in args.tools.split(",") if t]
    unknown = [t for t in wanted if t not in FILTER_TOOLS]
    if unknown:
        raise BenchError(f"unknown tool(s) {unknown}; choose from {FILTER_TOOLS}")

    report_parts = {}
    build_dir = None
    if not args.no_filter:
        paths = {}
        tools = []
        for tool in wanted:
            if tool == "spitzel":
                if args.spitzel:
                    paths[tool] = args.spitzel
                else:
                    build_dir = cargo_build(["--bin", "spitzel-filter"], release)
                    paths[tool] = os.path.join(build_dir, "spitzel-filter")
            elif tool == "jaq":
                paths[tool] = find_jaq(may_install=not smoke)
            else:
                paths[tool] = find_jq(may_install=not smoke)
            if paths[tool] is None:
                log(f"skipped {tool}: not installed")
                continue
            tools.append(tool)
            info["versions"][tool] = tool_version(paths[tool]) if tool != "spitzel" else (
                "spitzel-filter " + ("release" if release or args.spitzel else "debug") + " build")
        if len(tools) < 2:
            log("only one tool available: counts are not cross-checked")

        label = size.lower()
        corpus = os.path.join(work_dir, f"corpus-{label}-seed{args.seed}{shapes_tag()}.ndjson")
        ensure_corpus(corpus, size, args.seed)
        data_bytes = os.path.getsize(corpus)
        info["corpus"] = os.path.relpath(corpus, REPO_ROOT)
        info["corpus_lines"] = count_lines(corpus)
        queries = spec["queries"]
        log(f"corpus {info['corpus']}: {data_bytes / 1e6:.0f} MB; tools {', '.join(tools)}")
        counts = check_counts(queries, tools, paths, corpus)
        samples = time_filters(queries, tools, paths, corpus, runs, spec["grep_literal"])
        summary = summarize(samples, data_bytes)

        tree = None
        if tree_size not in ("0", "0M"):
            tree_dir = os.path.join(work_dir, f"tree-{tree_size.lower()}-seed{args.seed}"
                                    + shapes_tag() + ("-smoke" if smoke else ""))
            shape = ["--days", str(spec["tree"]["days"])]
            if smoke:
                # Few files: a debug build pays per file, and CI wants seconds.
                shape = ["--start", spec["tree"]["smoke_start"], "--days", "1",
                         "--regions", "us-east-1,eu-west-1", "--slot-minutes", "60"]
            ensure_corpus(tree_dir, tree_size, args.seed, ["--tree", tree_dir] + shape)
            files = [os.path.join(d, f) for d, _, fs in os.walk(tree_dir) for f in fs]
            tree = {"files": len(files), "bytes": tree_bytes(tree_dir),
                    "compressed": sum(os.path.getsize(f) for f in files),
                    "queries": spec["tree"]["queries"]}
            try:
                tree["counts"] = check_counts(tree["queries"], tools, paths, tree_dir)
                tree_samples = time_filters(tree["queries"], tools, paths, tree_dir, runs, "")
                tree["summary"] = summarize(tree_samples, tree["bytes"])
            except BenchError as err:
                if "spitzel exited" not in str(err):
                    raise
                # Reading directories is issue 6's; until it lands, say so and go on.
                tree["skipped"] = str(err)
                log(f"tree case skipped: {err}")
        report_parts["filter"] = (queries, tools, counts, summary, data_bytes, tree)

    fetch = None
    if not args.no_fetch:
        has_emulator = os.path.exists(
            os.path.join(REPO_ROOT, "crates", "aws", "examples", "cloudtrail_emulator.rs"))
        if not has_emulator:
            fetch = "skipped: examples/cloudtrail_emulator is not in this tree yet"
            log(f"fetch benchmark {fetch}")
        else:
            fetch_build = cargo_build(["--bin", "spitzel-fetch", "--example", "cloudtrail_emulator"],
                                      release)
            events = args.fetch_events or (300 if smoke else 20000)
            fetch = fetch_benchmark(fetch_build, [1, 4] if not smoke else [1, 2],
                                    args.fetch_rate, events, timeout=600)

    info["load_after"] = loadavg()
    if "filter" in report_parts:
        queries, tools, counts, summary, data_bytes, tree = report_parts["filter"]
        report = markdown_report(info, queries, tools, counts, summary, data_bytes, tree, fetch)
        chart = os.path.join(results_dir, "filter_mb_per_s.png")
        title = (f"{data_bytes / 1e6:,.0f} MB CloudTrail NDJSON, {info['machine']['cpus']} CPUs, "
                 f"median of {runs}: MB/s per query")
        if not smoke:
            write_chart(chart, queries, tools, summary, title)
    else:
        report = "\n".join(fetch_lines(fetch)) + "\n" if fetch is not None else "nothing run\n"
    with open(os.path.join(results_dir, "results.md"), "w") as handle:
        handle.write(report)
    if not smoke and not args.out_dir and "filter" in report_parts:
        update_readme(report)
    raw = {"info": info, "fetch": fetch}
    if "filter" in report_parts:
        raw["counts"] = report_parts["filter"][2]
        raw["filter"] = {f"{k[0]}/{k[1]}": v for k, v in report_parts["filter"][3].items()}
        tree = report_parts["filter"][5]
        if tree and "summary" in tree:
            raw["tree"] = {f"{k[0]}/{k[1]}": v for k, v in tree["summary"].items()}
            raw["tree_counts"] = tree["counts"]
    with open(os.path.join(results_dir, "results.json"), "w") as handle:
        json.dump(raw, handle, indent=1, default=str)
    print(report)
    log(f"results in {os.path.relpath(results_dir, REPO_ROOT)}/")


if __name__ == "__main__":
    try:
        main()
    except BenchError as err:
        log(f"error: {err}")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
