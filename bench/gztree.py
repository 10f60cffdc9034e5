#!/usr/bin/env python3
"""bench/gztree.py: spitzel-filter over a tree of small .json.gz files (a
downloaded trail) against zcat, in one run (issue 12).

  spitzel-filter -c -i TREE 's3:Get*'        all cores, and -j 1
  find TREE -name '*.gz' | xargs zcat | wc -l   the floor the issue names

Rounds interleave the commands; medians of wall time and of CPU time (user +
system of the whole pipeline). The tree is bench/gen_corpus.py --tree (3,456
files, 64 MB uncompressed by default), made once under bench/out/.
Several spitzel-filter builds can be compared: --filter PATH, repeated.

Usage: bench/gztree.py [--runs 7] [--size 64M] [--filter target/release/spitzel-filter]...
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from benchlib import median, rounds, run_measured  # noqa: E402  (the scripts' shared helpers)


def timed(cmd):
    """Wall and CPU seconds of a shell command (the whole pipeline), its output."""
    outcome = run_measured(["bash", "-c", "set -o pipefail; " + cmd], ok_statuses=(0,))
    return outcome.seconds, outcome.cpu_s, outcome.stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--size", default="64M")
    ap.add_argument("--tree", help="an existing tree (default: made under bench/out/)")
    ap.add_argument("--filter", action="append",
                    help="spitzel-filter binary (repeatable; default target/release)")
    args = ap.parse_args()
    filters = args.filter or [os.path.join(ROOT, "target", "release", "spitzel-filter")]
    tree = args.tree or os.path.join(HERE, "out", f"gztree-{args.size.lower()}")
    if not os.path.isdir(tree):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), "--size", args.size,
                        "--tree", tree, "--days", "3"], check=True)
    tree = os.path.realpath(tree)
    files = sum(1 for d, _, fs in os.walk(tree) for f in fs if f.endswith(".gz"))
    q = "'s3:Get*'"
    cmds = {}
    for i, f in enumerate(filters):
        tag = "" if len(filters) == 1 else f" [{i}]"
        cmds[f"spitzel-filter -c -i TREE 's3:Get*'{tag}"] = f"'{f}' -c -i '{tree}' {q}"
        cmds[f"spitzel-filter -j 1 -c -i TREE 's3:Get*'{tag}"] = f"'{f}' -j 1 -c -i '{tree}' {q}"
    cmds["find TREE -name '*.gz' | xargs zcat | wc -l"] = f"find '{tree}' -name '*.gz' | xargs zcat | wc -l"
    counts = {name: timed(cmd)[2] for name, cmd in cmds.items()}  # also the warm-up
    spitzel = {c for n, c in counts.items() if n.startswith("spitzel")}
    if len(spitzel) != 1:
        sys.exit(f"gztree: counts differ: {counts}")
    load0 = os.getloadavg()[0]
    samples = rounds({name: (lambda cmd=cmd: timed(cmd)) for name, cmd in cmds.items()},
                     args.runs, warm_up=False)
    walls = {name: [s[0] for s in values] for name, values in samples.items()}
    cpus = {name: [s[1] for s in values] for name, values in samples.items()}
    load1 = os.getloadavg()[0]
    floor = "find TREE -name '*.gz' | xargs zcat | wc -l"
    print(f"{files} files in {tree}; {args.runs} rounds, medians; {os.cpu_count()} cores, "
          f"load average {load0:.1f} before, {load1:.1f} after; filters: {', '.join(filters)}\n")
    print("| command | wall s | CPU s | wall / zcat | CPU / zcat | count |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in cmds:
        w, c = median(walls[name]), median(cpus[name])
        print(f"| `{name}` | {w:.3f} | {c:.3f} | {w / median(walls[floor]):.2f} | "
              f"{c / median(cpus[floor]):.2f} | {counts[name]} |")


if __name__ == "__main__":
    main()
