#!/usr/bin/env python3
"""math.verify vs Math-Verify (HuggingFace, sympy + ANTLR) on the same items, one core each.

For each labelled set of ../shared/data/math_equiv (extracted-answer pairs scored from `pred`,
ProcessBench full responses from `response`) and for a set of adversarial answers, prints both
sides' accuracy against the labels, items/s, merit's speed-up, and p50/p99/max latency per item.

merit is timed in-process per item by `math_verify_benchmark --latency` (bench/math, built with
MERIT_BUILD_BENCHMARKS=ON; one thread); Math-Verify 0.8.0 runs in a private venv
(build/venv-math-verify, made by bench/peers.py) with its default 5 s timeouts, parse() on both
sides and verify(gold, answer), timed per item with perf_counter.

Usage: python3 bench/math_vs_math_verify.py [--bench build/release/bench/math/math_verify_benchmark]
                                            [--data ../shared/data/math_equiv] [--limit N]
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

from peers import peer_python, run_python, ratio_line

REPO = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ["antlr4-python3-runtime==4.13.2", "math-verify==0.8.0"]

SETS = [  # (file, field, MATH-style)
    ("prm800k_answers", "pred", True),
    ("qwen_math_cot100_answers", "pred", True),
    ("gsm8k_model_answers", "pred", False),
    ("processbench_math", "response", True),
    ("processbench_olympiadbench", "response", True),
    ("processbench_omnimath", "response", True),
    ("processbench_gsm8k", "response", False),
]

ADVERSARIAL = [
    "\\boxed{9^{9^{9^9}}}",
    "\\boxed{10^{10^{10^{10}}}}",
    "\\boxed{" + "7" * 100000 + "}",
    "\\boxed{" + "(" * 5000 + "1" + ")" * 5000 + "}",
    "\\boxed{99999!}",
    "\\boxed{(1+x)^{100000}}",
    "\\boxed{\\binom{100000}{50000}}",
    "\\boxed{" + "\\frac{1}{" * 300 + "2" + "}" * 300 + "}",
    "\\boxed{" + "+".join(["x^{%d}" % k for k in range(400)]) + "}",
    "\\boxed{2^{2^{2^{2^{2^{2}}}}}}",
    "\\boxed{\\sin(\\sin(\\sin(10^{100})))}",
    "\\boxed{" + "1," * 2000 + "1}",
]

PEER = r"""
import json, sys, time
from math_verify import parse, verify
items = [json.loads(l) for l in sys.stdin]
verdicts, lat = [], []
start = time.perf_counter()
for it in items:
    t = time.perf_counter()
    try:
        gold = it["reference"]
        g = parse(gold if "$" in gold or "\\boxed" in gold else "$" + gold + "$")
        a = parse(it["completion"])
        ok = bool(verify(g, a))
    except Exception:
        ok = False
    lat.append((time.perf_counter() - t) * 1e6)
    verdicts.append(1 if ok else 0)
total = time.perf_counter() - start
s = sorted(lat)
print(json.dumps({"items": len(items), "seconds": total, "items_per_s": len(items) / total,
                  "p50_us": s[len(s) // 2], "p99_us": s[int(0.99 * (len(s) - 1))], "max_us": s[-1],
                  "verdicts": verdicts}))
"""


def run_merit(bench, items):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for it in items:
            f.write(json.dumps(it) + "\n")
        path = f.name
    out = subprocess.run([bench, "--latency", path], capture_output=True, text=True, check=True)
    pathlib.Path(path).unlink()
    return json.loads(out.stdout)


def accuracy(verdicts, labels):
    return sum((v == 1) == l for v, l in zip(verdicts, labels)) / len(labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", default=str(REPO / "build" / "release" / "bench" / "math" / "math_verify_benchmark"))
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "math_equiv"))
    parser.add_argument("--limit", type=int, default=0, help="items per set (0: all)")
    parser.add_argument("--skip-peer", action="store_true", help="merit only (no Math-Verify)")
    args = parser.parse_args()
    py = None if args.skip_peer else peer_python("math-verify", PACKAGES)
    rows = []
    math_merit = math_peer = 0.0
    for name, field, math_style in SETS + [("adversarial", None, False)]:
        if name == "adversarial":
            items = [{"completion": c, "reference": "5"} for c in ADVERSARIAL]
            labels = [False] * len(items)
        else:
            path = pathlib.Path(args.data) / f"{name}.jsonl"
            if not path.exists():
                print(f"skip {name}: no {path}", file=sys.stderr)
                continue
            data = [json.loads(l) for l in open(path)]
            if args.limit:
                data = data[:args.limit]
            items = [{"completion": d.get(field) or "", "reference": d["gold"]} for d in data]
            labels = [d["label"] for d in data]
        m = run_merit(args.bench, items)
        p = json.loads(run_python(py, PEER, "".join(json.dumps(i) + "\n" for i in items))) if py else None
        rows.append((name, len(items), m, p, labels))
        if math_style:
            math_merit += m["seconds"]
            math_peer += p["seconds"] if p else 0
        print(ratio_line(name, m["items_per_s"], p["items_per_s"] if p else float("nan"), "Math-Verify"),
              flush=True)
    print("\nset                           n  acc merit  acc M-V   merit p50/p99/max us        M-V p50/p99/max us")
    for name, n, m, p, labels in rows:
        pa = f"{accuracy(p['verdicts'], labels):.4f}" if p else "   -  "
        pl = f"{p['p50_us']:.0f}/{p['p99_us']:.0f}/{p['max_us']:.0f}" if p else "-"
        print(f"{name:<28}{n:>5}  {accuracy(m['verdicts'], labels):.4f}   {pa}   "
              f"{m['p50_us']:.1f}/{m['p99_us']:.1f}/{m['max_us']:.1f}".ljust(86) + pl)
    if math_peer > 0:
        print(f"\nMATH-style sets, total time: merit {math_merit:.3f} s, Math-Verify {math_peer:.1f} s, "
              f"ratio {math_peer / math_merit:.0f}x")
    adv = [r for r in rows if r[0] == "adversarial"]
    if adv:
        print(f"worst adversarial latency: merit {adv[0][2]['max_us'] / 1000:.3f} ms"
              + (f", Math-Verify {adv[0][3]['max_us'] / 1000:.0f} ms" if adv[0][3] else ""))


if __name__ == "__main__":
    main()
