#!/usr/bin/env python3
"""Accuracy of math.verify against the labelled sets in ../shared/data/math_equiv.

For each set prints accuracy, false positives (merit 1, label false) and false negatives (merit 0,
label true), then every disagreement (id, gold, the answer merit read from, merit's reason) so that
each can be read and adjudicated. Extracted-answer sets are scored from `pred`; ProcessBench sets
from the full `response` (merit does its own extraction).

Usage: python3 bench/math_accuracy.py [--merit build/release/merit] [--profile strict|lenient]
                                      [--data ../shared/data/math_equiv] [--quiet]
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parent.parent

# (file, field with the completion, Math-Verify 0.8.0's accuracy from issue 3)
SETS = [
    ("prm800k_answers", "pred", 0.909),
    ("qwen_math_cot100_answers", "pred", 0.9988),
    ("gsm8k_model_answers", "pred", 1.0),
    ("processbench_math", "response", 0.985),
    ("processbench_olympiadbench", "response", 0.9625),
    ("processbench_omnimath", "response", 0.9846),
    ("processbench_gsm8k", "response", 0.9825),
    ("omnimath_gpt4o_judged", "pred", None),
    ("olympiadbench_scoring_examples", "pred", None),
]


def load(path, field):
    rows = []
    with open(path) as f:
        for line in f:
            row = json.loads(line)
            rows.append(row)
    return rows


def score(merit, profile, rows, field):
    """Runs `merit score -j1` over the rows; returns one output object per row."""
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "c.yaml")
        with open(cfg, "w") as f:
            f.write("reward: {type: math.verify, profile: %s}\n" % profile)
        data = os.path.join(tmp, "in.jsonl")
        with open(data, "w") as f:
            for row in rows:
                f.write(json.dumps({"id": row["id"], "completion": row.get(field) or "",
                                    "reference": row["gold"]}) + "\n")
        out = os.path.join(tmp, "out.jsonl")
        subprocess.run([merit, "score", "-c", cfg, "-i", data, "-o", out, "-j", "1"], check=True)
        with open(out) as f:
            return [json.loads(line) for line in f]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--merit", default=str(REPO / "build" / "release" / "merit"))
    parser.add_argument("--profile", default="strict")
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "math_equiv"))
    parser.add_argument("--quiet", action="store_true", help="totals only, no disagreement list")
    args = parser.parse_args()
    summary = []
    for name, field, peer in SETS:
        path = pathlib.Path(args.data) / f"{name}.jsonl"
        if not path.exists():
            print(f"skip {name}: no {path}", file=sys.stderr)
            continue
        rows = load(path, field)
        results = score(args.merit, args.profile, rows, field)
        fp = fn = 0
        lines = []
        for row, res in zip(rows, results):
            said = res.get("reward") == 1
            if said == row["label"]:
                continue
            fp += said
            fn += not said
            answer = (row.get("pred") if field == "pred" else row.get("pred") or "(see response)")
            lines.append(f"  {'FP' if said else 'FN'} {row['id']}: gold={row['gold']!r} "
                         f"pred={str(answer)[:120]!r} reason={res.get('reason')}")
        n = len(rows)
        acc = (n - fp - fn) / n
        summary.append((name, n, acc, fp, fn, peer))
        print(f"{name}: n={n} accuracy={acc:.4f} FP={fp} FN={fn}"
              + (f" (Math-Verify {peer})" if peer is not None else ""))
        if not args.quiet:
            print("\n".join(lines))
    print("\nset                            n   merit     FP   FN   Math-Verify")
    for name, n, acc, fp, fn, peer in summary:
        print(f"{name:<28} {n:>5}  {acc:.4f}  {fp:>4} {fn:>4}   {'' if peer is None else peer}")


if __name__ == "__main__":
    main()
