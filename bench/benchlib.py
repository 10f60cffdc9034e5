"""What every bench script shares: running a command measured (wall, CPU,
peak RSS), interleaved rounds, medians, the machine's description, builds,
corpora and the small process helpers. One copy, so that every report
measures the same way."""

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
TOOLS_ROOT = os.path.join(BENCH_DIR, ".tools")


class BenchError(Exception):
    """A failure a bench script reports in one line and exits non-zero on."""


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def first_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0][:300] if lines else "(no output)"


median = statistics.median


# ---------------------------------------------------------------- measured runs

class Outcome:
    def __init__(self, seconds, cpu_s, status, stdout, stderr, max_rss_kb):
        self.seconds = seconds
        self.cpu_s = cpu_s
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.max_rss_kb = max_rss_kb


TIME_BIN = "/usr/bin/time"
HAVE_TIME = os.access(TIME_BIN, os.X_OK)


def run_measured(argv, stdout_to_null=False, env=None, ok_statuses=None):
    """Runs argv: wall seconds, CPU seconds (user + system of the command and
    its children) and peak RSS. The RSS comes from GNU time, a small C
    parent: rusage seen from this Python process would count the forked
    interpreter's own memory, since Linux keeps the pre-exec peak. For a
    shell pipeline it is the largest of the pipeline's processes. With
    ok_statuses, any other exit status is a BenchError."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out, \
            tempfile.NamedTemporaryFile("r") as report:
        timed = [TIME_BIN, "-f", "%U %S %M", "-o", report.name] + argv if HAVE_TIME else argv
        began = time.perf_counter()
        proc = subprocess.Popen(timed, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL if stdout_to_null else out,
                                stderr=err, env=env)
        _, wait_status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - began
        status = os.waitstatus_to_exitcode(wait_status)
        cpu_s = usage.ru_utime + usage.ru_stime
        max_rss_kb = usage.ru_maxrss
        if HAVE_TIME:
            fields = [line.split() for line in report.read().splitlines()]
            fields = [f for f in fields if len(f) == 3]
            if fields:
                cpu_s = float(fields[-1][0]) + float(fields[-1][1])
                max_rss_kb = int(fields[-1][2])
        out.seek(0)
        err.seek(0)
        outcome = Outcome(seconds, cpu_s, status, out.read().decode(errors="replace"),
                          err.read().decode(errors="replace"), max_rss_kb)
    if ok_statuses is not None and status not in ok_statuses:
        raise BenchError(f"{os.path.basename(argv[0])} exited {status}: "
                         f"{first_line(outcome.stderr)}")
    return outcome


def rounds(commands, runs, warm_up=True, after_round=None):
    """Runs each of `commands` (name -> function returning one sample) once
    per round, for `runs` rounds, after one warm-up round (page cache,
    first-run costs) whose samples are dropped. The order is reversed every
    other round, so load from others on a shared machine falls on every
    command alike. Returns name -> [samples]."""
    if warm_up:
        for run in commands.values():
            run()
    samples = {name: [] for name in commands}
    for index in range(runs):
        names = list(commands) if index % 2 == 0 else list(reversed(commands))
        for name in names:
            samples[name].append(commands[name]())
        if after_round:
            after_round(index)
        else:
            log(f"round {index + 1}/{runs} done (loadavg {loadavg()})")
    return samples


# ---------------------------------------------------------------- processes

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_usage(proc):
    """Wait for a child started with Popen; its own CPU seconds (user + system)."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def cpu_of(pid):
    """utime + stime so far of a running process, seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- machine

def loadavg():
    try:
        with open("/proc/loadavg") as handle:
            return " ".join(handle.read().split()[:3])
    except OSError:
        return "unknown"


def machine_description():
    model = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = "unknown"
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal"):
                    memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory": memory,
            "kernel": platform.release()}


# ---------------------------------------------------------------- builds and corpora

def cargo_target_dir():
    """Where cargo puts this workspace's builds (CARGO_TARGET_DIR, a config
    file's build.target-dir, or target/): cargo itself says."""
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                          cwd=REPO_ROOT, capture_output=True, text=True)
    if meta.returncode == 0:
        return json.loads(meta.stdout)["target_directory"]
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO_ROOT, "target")


def cargo_build(args, release):
    argv = ["cargo", "build", "--quiet"] + (["--release"] if release else []) + args
    log("building: " + " ".join(argv))
    done = subprocess.run(argv, cwd=REPO_ROOT)
    if done.returncode != 0:
        raise BenchError(f"'{' '.join(argv)}' failed")
    return os.path.join(cargo_target_dir(), "release" if release else "debug")


def count_lines(path):
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def shared_dir():
    return os.environ.get("SPITZEL_SHARED") or os.path.join(REPO_ROOT, "..", "shared")


def shapes_tag():
    """Corpus names say when they were built without the shared records, so
    a cached synthetic corpus is not reused once the records are there."""
    return "" if os.path.isdir(os.path.join(shared_dir(), "data", "cloudtrail")) else "-synthetic"


def ensure_corpus(path, size, seed, extra=()):
    """bench/gen_corpus.py's corpus (or, with --tree in extra, tree) at path,
    made once."""
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    argv = [sys.executable, os.path.join(BENCH_DIR, "gen_corpus.py"), "--size", str(size),
            "--seed", str(seed)] + list(extra)
    argv += [] if "--tree" in extra else ["--out", path]
    done = subprocess.run(argv)
    if done.returncode != 0:
        raise BenchError("gen_corpus.py failed")
