"""Shared plumbing for the scripts that time merit against a peer implementation.

A peer (sacrebleu, rouge-score, math-verify, ...) is installed into a private virtual environment under
build/venv-<name>, never into the user's Python, and run there as a subprocess. Usage:

    from peers import peer_python, run_python, ratio_line
    py = peer_python("sacrebleu", ["sacrebleu==2.4.3"])
    out = run_python(py, PEER_SCRIPT, stdin_text)   # PEER_SCRIPT prints JSON on stdout

Timings are wall-clock seconds measured inside each side's own process on the same inputs, one core
each (the caller pins merit with -j1); report ratios, not absolute times.
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


def run_python(python, script, stdin_text="", env=None):
    """Runs `script` (source text) with `python`, feeding stdin_text; returns its stdout."""
    merged = dict(os.environ, **(env or {}))
    merged.setdefault("OMP_NUM_THREADS", "1")  # one core each, as the benchmarks promise
    done = subprocess.run([python, "-c", script], input=stdin_text, capture_output=True, text=True,
                          env=merged, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"peer script failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return done.stdout


def ratio_line(label, merit_items_per_s, peer_items_per_s, peer_name):
    """One aligned line: items/s of both sides and merit's speed-up."""
    ratio = merit_items_per_s / peer_items_per_s if peer_items_per_s > 0 else float("inf")
    return (f"{label:<28} merit {merit_items_per_s:>12,.0f}/s   {peer_name} {peer_items_per_s:>10,.0f}/s"
            f"   ratio {ratio:>8.1f}x")
