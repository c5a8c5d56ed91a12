"""Shared plumbing for the scripts that time merit against a peer implementation.

A peer (sacrebleu, rouge-score, math-verify, ...) is installed into a private virtual environment under
build/venv-<name>, never into the user's Python, and run there as a subprocess. Usage:

    from peers import peer_python, run_python, ratio_line
    py = peer_python("sacrebleu", ["sacrebleu==2.4.3"])
    out = run_python(py, PEER_SCRIPT, stdin_text)   # PEER_SCRIPT prints JSON on stdout

Speed comparisons (bench subcommands) time a Google Benchmark program (time_merit) and the peer
(time_peer) on the same fixture and print the median ratio of several runs (print_median_ratios).

Timings are measured inside each side's own process on the same inputs, one core each (the caller
pins merit with -j1; time_merit and time_peer pin both to one core and count CPU seconds); report
ratios, not absolute times.
"""
import json
import os
import pathlib
import subprocess
import sys
import venv

REPO = pathlib.Path(__file__).resolve().parent.parent


def peer_python(name, packages):
    """Returns the python executable of build/venv-<name>, creating it and installing packages once."""
    root = REPO / "build" / f"venv-{name}"
    python = root / "bin" / "python"
    stamp = root / "installed.json"
    wanted = sorted(packages)
    if python.exists() and stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return str(python)
    print(f"peers: installing {' '.join(wanted)} into {root}", file=sys.stderr)
    venv.EnvBuilder(with_pip=True, clear=True).create(root)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *wanted], check=True)
    stamp.write_text(json.dumps(wanted))
    return str(python)


def run_python(python, script, stdin_text="", env=None, args=(), cpu=None):
    """Runs `script` (source text) with `python` and `args`, feeding stdin_text; returns its stdout.

    cpu: pin the process to that core (taskset), as the timing scripts do."""
    merged = dict(os.environ, **(env or {}))
    merged.setdefault("OMP_NUM_THREADS", "1")  # one core each, as the benchmarks promise
    command = [python, "-c", script, *map(str, args)]
    if cpu is not None:
        command = ["taskset", "-c", str(cpu), *command]
    done = subprocess.run(command, input=stdin_text, capture_output=True, text=True, env=merged, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"peer script failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return done.stdout


def ratio_line(label, merit_items_per_s, peer_items_per_s, peer_name):
    """One aligned line: items/s of both sides and merit's speed-up."""
    ratio = merit_items_per_s / peer_items_per_s if peer_items_per_s > 0 else float("inf")
    return (f"{label:<28} merit {merit_items_per_s:>12,.0f}/s   {peer_name} {peer_items_per_s:>10,.0f}/s"
            f"   ratio {ratio:>8.1f}x")


# ------------------------------------------------------------------------------------------------
# Side-by-side timing of a Google Benchmark program and a peer over the same JSONL fixture.

# `SETUP` defines METRICS: name -> function of one fixture row (a dict). Each is timed over every
# row in CPU seconds (time.process_time), as Google Benchmark times merit, so that other load on a
# shared machine does not skew the ratio.
_PEER_TIMER = r"""
import json, re, sys, time
rows = [json.loads(line) for line in open(sys.argv[1])]
SETUP
METRICS = {name: score for name, score in METRICS.items() if re.search(sys.argv[2], name)}
out = {}
for name, score in METRICS.items():
    start = time.process_time()
    for row in rows:
        score(row)
    out[name] = len(rows) / (time.process_time() - start)
print(json.dumps(out))
"""


def time_peer(python, setup, data, cpu=0, only=""):
    """Rows/s of each METRICS entry that the Python source `setup` defines, over the JSONL file
    `data`, in a peer venv's `python` pinned to core `cpu`: {name: rows per CPU second}. `only`:
    a regular expression; just the names it matches (re.search) are timed."""
    return json.loads(run_python(python, _PEER_TIMER.replace("SETUP", setup), args=[data, only], cpu=cpu))


def time_merit(benchmark, min_time, extra_args=(), cpu=0, only=""):
    """Items/s of every benchmark of a Google Benchmark program pinned to core `cpu`: {name without
    a BM_ prefix: items per CPU second}. `only`: a regular expression; just the benchmarks it
    matches are run (--benchmark_filter)."""
    done = subprocess.run(["taskset", "-c", str(cpu), benchmark, "--benchmark_format=json",
                           f"--benchmark_min_time={min_time}", f"--benchmark_filter={only or '.'}",
                           *extra_args],
                          capture_output=True, text=True, check=True)
    rates = {}
    for b in json.loads(done.stdout)["benchmarks"]:
        if b.get("error_occurred"):
            raise RuntimeError(f"{benchmark}: {b['name']}: {b.get('error_message')}")
        rates[b["name"].removeprefix("BM_")] = b["items_per_second"]
    return rates


def add_speed_arguments(parser, benchmark):
    """The options of a `bench` subcommand: the merit benchmark program, its minimum time per
    benchmark, and how many times to time both sides."""
    parser.add_argument("--benchmark", default=benchmark)
    parser.add_argument("--min-time", default="1", help="Google Benchmark's --benchmark_min_time (seconds)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="time both sides this many times and report the run with the median ratio")
    parser.add_argument("--only", default="",
                        help="time only the metrics whose benchmark name matches this regular expression "
                             "(e.g. 'ChrfPlusPlus' or 'Rouge/rouge[12]$'); default: all")


def print_median_ratios(measure, repeat):
    """Calls measure() `repeat` times; each call returns {label: (merit items/s, peer items/s,
    peer name)} from one side-by-side run. Prints per label the run with the median ratio and
    every run's ratio (machines are noisy: the spread says how far to trust the median)."""
    runs = []
    for k in range(repeat):
        runs.append(measure())
        print(f"run {k + 1}/{repeat} done", file=sys.stderr)
    for label in runs[0]:
        rows = sorted((m / p if p > 0 else float("inf"), m, p, name) for m, p, name in (r[label] for r in runs))
        _, merit_rate, peer_rate, name = rows[(len(rows) - 1) // 2]
        spread = " ".join(f"{ratio:.1f}" for ratio, *_ in rows)
        print(ratio_line(label, merit_rate, peer_rate, name) + f"   (runs: {spread})")
