#!/usr/bin/env python3
"""text.bleu and text.chrf against sacrebleu 2.6.0, installed into a private venv by bench/peers.py.

  diff   Differential test: random and adversarial texts (the generator of
         text_ter_rouge_vs_peers.py: unicode punctuation, CJK, emoji, numbers with separators,
         entities, unicode spaces, empty and punctuation-only texts, long lines, several
         references; plus 1 MB lines here) scored by `merit score` and by sacrebleu, for every
         tokenizer, smoothing method, lowercasing, effective order, chrF and chrF++ variant.
         Sentence scores must agree within 1e-9 (0-100 scale), and so must the corpus scores and
         signatures in merit's summary. Prints the mismatches and exits 1 if there is any.
  bench  Speed on the WMT17 fixture (10,000 pairs), one core each (both pinned to CPU 0):
         sacrebleu's sentence_score timed inside its own process, merit by
         bench/text/bleu_chrf_benchmark.cc (the rewards' Evaluate on preloaded samples), both in
         CPU seconds. Both sides run --repeat times (3); prints per metric sentences/s and the
         ratio of the run with the median ratio, and every run's ratio.

Usage (from the repository root, with a release build):
  python3 bench/text_bleu_chrf_vs_sacrebleu.py diff --merit build/release/merit [--cases 3000]
  python3 bench/text_bleu_chrf_vs_sacrebleu.py bench --benchmark build/release/bench/bleu_chrf_benchmark [--repeat 3]
"""
import argparse
import json
import os
import pathlib
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from peers import add_speed_arguments, peer_python, print_median_ratios, time_merit, time_peer  # noqa: E402
from text_ter_rouge_vs_peers import (DATA, SACREBLEU, compare, make_cases, merit_components,  # noqa: E402
                                     random_text)

# name: (merit options, sacrebleu constructor arguments)
BLEU_VARIANTS = {
    "bleu": ({}, {"effective_order": True}),
    "bleu_intl_lc": ({"tokenize": "intl", "lowercase": True}, {"effective_order": True, "tokenize": "intl",
                                                               "lowercase": True}),
    "bleu_zh": ({"tokenize": "zh"}, {"effective_order": True, "tokenize": "zh"}),
    "bleu_char": ({"tokenize": "char"}, {"effective_order": True, "tokenize": "char"}),
    "bleu_none_floor": ({"tokenize": "none", "smooth_method": "floor"},
                        {"effective_order": True, "tokenize": "none", "smooth_method": "floor"}),
    "bleu_addk_noeff": ({"smooth_method": "add-k", "smooth_value": 2, "effective_order": False,
                         "corpus_effective_order": False},
                        {"smooth_method": "add-k", "smooth_value": 2}),
    "bleu_none_lc": ({"smooth_method": "none", "lowercase": True, "corpus_effective_order": True},
                     {"effective_order": True, "smooth_method": "none", "lowercase": True}),
    "bleu_order2": ({"max_ngram_order": 2, "tokenize": "intl"},
                    {"effective_order": True, "max_ngram_order": 2, "tokenize": "intl"}),
}
CHRF_VARIANTS = {
    "chrf": ({}, {}),
    "chrfpp": ({"word_order": 2}, {"word_order": 2}),
    "chrf_ws_lc": ({"whitespace": True, "lowercase": True}, {"whitespace": True, "lowercase": True}),
    "chrf_eps_b1": ({"eps_smoothing": True, "beta": 1, "char_order": 4, "word_order": 1},
                    {"eps_smoothing": True, "beta": 1, "char_order": 4, "word_order": 1}),
}

PEER = r"""
import json, sys
from sacrebleu.metrics import BLEU, CHRF
bleu_variants, chrf_variants = json.loads(sys.argv[1]), json.loads(sys.argv[2])
cases = json.load(open(sys.argv[3]))
width = max(len(refs) for _, refs in cases)
streams = [[refs[k] if k < len(refs) else None for _, refs in cases] for k in range(width)]
hyps = [h for h, _ in cases]
out = {}
for table, cls in ((bleu_variants, BLEU), (chrf_variants, CHRF)):
    for name, (_, kw) in table.items():
        metric = cls(**kw)
        sentences = [metric.sentence_score(h, refs).score for h, refs in cases]
        # The corpus score merit reports: for BLEU with sacrebleu's corpus default (no effective
        # order) unless the variant asks for it.
        if cls is BLEU:
            kw = dict(kw, effective_order=bool(table[name][0].get("corpus_effective_order", False)))
        corpus_metric = cls(**kw)
        corpus = corpus_metric.corpus_score(hyps, streams).score
        signature = str(corpus_metric.get_signature())
        out[name] = {"sentences": sentences, "corpus": corpus, "signature": signature}
print(json.dumps(out))
"""


def adversarial_cases(rng):
    """Fixed edge cases and 1 MB lines on top of the shared generator's cases."""
    big_ref = random_text(rng, 1)
    while len(big_ref.encode()) < (1 << 20):
        big_ref += random_text(rng, 400)
    words = big_ref.split(" ")
    rng.shuffle(words)
    big_hyp = " ".join(words[: len(words) * 9 // 10])
    return [
        ("", [""]), ("", ["a"]), ("a", [""]), ("...", ["..."]), ("!?!", ["?!?"]), ("---", ["- - -"]),
        ("1,000.50 1.000,50 3-4 10- 2017.", ["1,000.50 1.000,50 3 - 4 10 - 2017 ."]),
        ("Σ ΑΣ ΑΣ. İI ΌΣΟΣ", ["σ ας ας. i̇ı όσος"]), ("東京は日本の首都です。", ["日本の首都は東京です。"]),
        ("price: 1,000元 in 2017. a—b “q” €5 → x", ["price 1000 元 in 2017 a — b"]),
        ("👨‍👩‍👧 ❤️ 👍🏽 🇩🇪", ["👨‍👩‍👧❤️ 👍🏽🇩🇪"]), ("a\u00a0b\u3000c\u2028d\x85e", ["a b c d e"]),
        ("&quot;x&quot; &amp;amp; <skipped> a-\nb", ["\"x\" &amp; ab"]),
        ("the the the the the", ["the", "the the", "the the the the the the"]),
        ("a b c", ["a b c", None, "a b d"]), ("x", ["y", "x y", "x"]),
        (big_hyp, [big_ref]), (big_hyp[: len(big_hyp) // 3], [big_ref[: len(big_ref) // 2], "tiny"]),
    ]


def diff(args):
    rng = random.Random(args.seed)
    cases = adversarial_cases(rng) + make_cases(args.cases, args.seed)
    print(f"{len(cases)} cases (seed {args.seed}), the longest {max(len(h) for h, _ in cases):,} characters")
    children = [dict({"name": n, "type": "text.bleu", "scale": 100}, **kw) for n, (kw, _) in BLEU_VARIANTS.items()]
    children += [dict({"name": n, "type": "text.chrf", "scale": 100}, **kw) for n, (kw, _) in CHRF_VARIANTS.items()]
    components, summary = merit_components(args.merit, children, cases, jobs=2)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cases.json")
        with open(path, "w") as f:
            json.dump(cases, f)
        python = peer_python("sacrebleu", SACREBLEU)
        done = subprocess.run([python, "-c", PEER, json.dumps(BLEU_VARIANTS), json.dumps(CHRF_VARIANTS), path],
                              capture_output=True, text=True, check=True)
        peer = json.loads(done.stdout)
    mismatches = []
    for name in list(BLEU_VARIANTS) + list(CHRF_VARIANTS):
        compare(name, [c.get(name) for c in components], peer[name]["sentences"], cases, mismatches)
        corpus = summary["components"][name].get("corpus", {})
        signature = corpus.get("signature", "")
        if abs(corpus.get("score", -1) - peer[name]["corpus"]) > 1e-9 or signature != peer[name]["signature"]:
            mismatches.append((name, "corpus"))
            print(f"MISMATCH {name} corpus: merit {corpus.get('score')} {signature!r}\n"
                  f"  peer {peer[name]['corpus']} {peer[name]['signature']!r}")
    print(f"{len(BLEU_VARIANTS)} BLEU and {len(CHRF_VARIANTS)} chrF variants x {len(cases)} cases compared, "
          f"sentence and corpus")
    print(f"{len(mismatches)} mismatches")
    return 1 if mismatches else 0


# Each metric as sacrebleu's sentence_score on one fixture row (bench/peers.py times them).
PEER_METRICS = r"""
from sacrebleu.metrics import BLEU, CHRF
METRICS = {name: (lambda row, m=metric: m.sentence_score(row["hyp"], [row["ref"]]))
           for name, metric in (("Bleu", BLEU(effective_order=True)), ("Chrf", CHRF()),
                                ("ChrfPlusPlus", CHRF(word_order=2)))}
"""
LABELS = {"Bleu": "sentence BLEU", "Chrf": "sentence chrF", "ChrfPlusPlus": "sentence chrF++"}


def bench(args):
    python = peer_python("sacrebleu", SACREBLEU)

    def measure():
        merit = time_merit(args.benchmark, args.min_time, [f"--data={DATA}"], only=args.only)
        peer = time_peer(python, PEER_METRICS, DATA / "mt" / "wmt17_en_de_10k.jsonl", only=args.only)
        return {f"{label} (10k WMT17)": (merit[key], peer[key], "sacrebleu") for key, label in LABELS.items()
                if key in merit and key in peer}

    print_median_ratios(measure, args.repeat)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("diff")
    d.add_argument("--merit", default="build/release/merit")
    d.add_argument("--cases", type=int, default=3000)
    d.add_argument("--seed", type=int, default=1)
    add_speed_arguments(sub.add_parser("bench"), "build/release/bench/bleu_chrf_benchmark")
    args = parser.parse_args()
    return {"diff": diff, "bench": bench}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
