#!/usr/bin/env python3
"""End-to-end throughput of `merit score` on synthetic rollouts (JSONL in, JSONL out).

Generates N GRPO-style rollouts (8 per prompt) and times `merit score` with the issue's cheap-rule
config (match.exact + format.tags + penalty.overlong + grpo) at -j1 and -j2, reporting samples/s,
samples/s per core and peak memory. Peak memory is measured for N and 2N rollouts: streaming means it
must not grow with the input.

Usage: python3 bench/score_throughput.py [--merit build/release/merit] [--samples 1000000]
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

CONFIG = """
reward:
  type: weighted_sum
  children:
    - {name: correct, type: match.exact, extract: answer_tag, weight: 1.0}
    - {name: format, type: format.tags, tags: [think, answer], weight: 0.1}
    - {name: overlong, type: penalty.overlong, max_length: 4096, buffer: 512, unit: tokens}
advantages: {type: grpo}
"""


def generate(path, n):
    with open(path, "w") as f:
        for i in range(n):
            answer = (i * 7) % 10
            f.write(
                '{"id":%d,"prompt":"Question %d: what is 6 times 7?","completion":"<think>6 times 7 is 42, '
                'so the answer is 42.</think><answer>4%d</answer>","reference":"42","num_tokens":%d}\n'
                % (i, i // 8, answer, 3000 + (i * 37) % 2000))


def run(merit, config, data, threads):
    """Returns (seconds, peak RSS in MiB, output lines) of one `merit score` run."""
    out = data + ".out"
    start = time.perf_counter()
    child = subprocess.Popen([merit, "score", "-c", config, "-i", data, "-o", out, "-j", str(threads), "-q"])
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        sys.exit(f"merit score failed with status {status}")
    with open(out, "rb") as f:
        lines = sum(1 for _ in f)
    os.remove(out)
    return seconds, usage.ru_maxrss / 1024.0, lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--merit", default="build/release/merit")
    parser.add_argument("--samples", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "config.yaml")
        with open(config, "w") as f:
            f.write(CONFIG)
        data = os.path.join(tmp, "rollouts.jsonl")
        generate(data, args.samples)
        size_mb = os.path.getsize(data) / 1e6
        print(f"{args.samples} rollouts, {size_mb:.0f} MB of JSONL")
        results = {}
        for threads in (1, 2):
            seconds, rss, lines = run(args.merit, config, data, threads)
            assert lines == args.samples, (lines, args.samples)
            results[threads] = seconds
            print(f"-j{threads}: {seconds:.2f} s, {args.samples / seconds:,.0f} samples/s "
                  f"({args.samples / seconds / threads:,.0f} per core), {size_mb / seconds:.0f} MB/s, peak RSS {rss:.0f} MiB")
        print(f"scaling -j2 / -j1: {results[1] / results[2]:.2f}x")
        double = os.path.join(tmp, "double.jsonl")
        generate(double, 2 * args.samples)
        _, rss_double, _ = run(args.merit, config, double, 2)
        print(f"peak RSS with {2 * args.samples} rollouts at -j2: {rss_double:.0f} MiB (streaming: independent of input size)")


if __name__ == "__main__":
    main()
