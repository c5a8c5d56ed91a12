#!/usr/bin/env python3
"""text.ter and text.rouge against their peers, sacrebleu 2.6.0 (TER) and rouge-score 0.1.2 (ROUGE),
each installed into a private venv by bench/peers.py.

  diff             Differential test: random and adversarial texts (unicode punctuation, CJK, emoji,
                   numbers with separators, empty, only punctuation, long lines, several references)
                   scored by `merit score` and by the peer; every TER variant (case, normalized,
                   no_punct, asian_support) and every ROUGE type x measure x stemming. Prints the
                   mismatches (|merit - peer| > 1e-9) and exits 1 if there is any. sacrebleu's
                   TER dominates the time (seconds per long line): the default 300 cases take a
                   few minutes; --cases 2000 about 20.
  bench            Speed on the shared fixtures (10,000 WMT17 pairs for TER, 9,942 English pairs for
                   ROUGE), one core each (both pinned to CPU 0): the peer timed inside its own
                   process, merit by the Google Benchmark program bench/text/ter_rouge_benchmark.cc
                   (the reward's Evaluate on preloaded samples). Both sides count CPU time (Google
                   Benchmark's default; time.process_time() for the peer), so a busy machine does not
                   skew the ratio. Both sides run --repeat times (3); prints per metric items/s
                   and the ratio of the run with the median ratio, and every run's ratio.
  porter-testdata  Regenerates src/rewards/text/porter_testdata.txt from NLTK's PorterStemmer.

Usage (from the repository root, with a release build):
  python3 bench/text_ter_rouge_vs_peers.py diff --merit build/release/merit [--cases 300]
  python3 bench/text_ter_rouge_vs_peers.py bench --benchmark build/release/bench/ter_rouge_benchmark [--repeat 3]
  python3 bench/text_ter_rouge_vs_peers.py porter-testdata
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
from peers import (REPO, add_speed_arguments, peer_python, print_median_ratios, run_python,  # noqa: E402
                   time_merit, time_peer)

SACREBLEU = ["sacrebleu==2.6.0"]
ROUGE_SCORE = ["rouge-score==0.1.2", "nltk==3.10.4"]
DATA = REPO.parent / "shared" / "data"

TER_VARIANTS = {
    "default": {},
    "case": {"case_sensitive": True},
    "norm": {"normalized": True},
    "punct": {"no_punct": True},
    "asian": {"normalized": True, "no_punct": True, "asian_support": True},
    "asian_case": {"normalized": True, "asian_support": True, "case_sensitive": True},
}
ROUGE_TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
MEASURES = ["precision", "recall", "fmeasure"]

# ------------------------------------------------------------------------------------------------
# Text generation.

WORDS = ("the a cat cats dog dogs sat sitting runs running ran quickly quick house houses is was were "
         "it's John's isn't don't U.S. e.g. mr. Mr. dr ST. über straße naïve café résumé ΣΟΦΙΑ σοφία "
         "İstanbul ǅemal KELVIN 5\u212a ŉ ﬁ Ⅻ").split()
PUNCT = list(".,;:!?\"'()[]{}<>@#$%^&*+=|~`/\\-_") + list("“”‘’«»—–…•·¡¿。、，！？：；「」『』（）【】《》〈〉・～％＃")
CJK = list("我爱北京天安门东京大学日本語の文章を書くカタカナひらがな한국어문장")
EMOJI = ["😀", "👍🏽", "🇩🇪", "👨‍👩‍👧", "❤️", "🤖", "\u200b", "\u200d", "\ufeff"]
NUMBERS = ["1,000", "1.000,50", "3.14", "-42", "1e10", "12:30", "5-6", "2026-11-27", "$3.50", "50%", "1 000 000", "½", "²"]
SPACES = [" ", " ", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\r\n", "\x1c", "\x85"]
ENTITIES = ["&quot;", "&amp;", "&lt;", "&gt;", "&amp;lt;", "\n-"]


def random_text(rng, max_words):
    n = rng.randint(0, max_words)
    pieces = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.55:
            w = rng.choice(WORDS)
            if rng.random() < 0.2:
                w = w.upper()
        elif roll < 0.7:
            w = rng.choice(PUNCT)
        elif roll < 0.78:
            w = "".join(rng.choice(CJK) for _ in range(rng.randint(1, 4)))
        elif roll < 0.84:
            w = rng.choice(EMOJI)
        elif roll < 0.94:
            w = rng.choice(NUMBERS)
        else:
            w = rng.choice(ENTITIES)
        if rng.random() < 0.15 and pieces:
            pieces[-1] += w  # glue: punctuation or digits next to words
        else:
            pieces.append(w)
    out = ""
    for p in pieces:
        out += p + rng.choice(SPACES)
    return out.rstrip(" ") if rng.random() < 0.5 else out


def mutate(rng, text):
    """A hypothesis close to the reference: drops, swaps, duplicates and moved blocks of words."""
    words = text.split(" ")
    for _ in range(rng.randint(0, 4)):
        if len(words) < 2:
            break
        op = rng.random()
        i = rng.randrange(len(words))
        if op < 0.3:
            del words[i]
        elif op < 0.6:
            j = rng.randrange(len(words))
            words[i], words[j] = words[j], words[i]
        elif op < 0.8:
            k = rng.randint(1, 6)
            block = words[i:i + k]
            del words[i:i + k]
            j = rng.randint(0, len(words))
            words[j:j] = block
        else:
            words.insert(i, rng.choice(WORDS))
    return " ".join(words)


def make_cases(count, seed):
    rng = random.Random(seed)
    fixed = [("", ""), ("", "a b"), ("a b", ""), ("...", "!!!"), ("。、！", "？"), (" \n\t ", "x"),
             ("😀", "😀"), ("1,000.50", "1.000,50"), ("İ", "i̇"), ("ΣΑΣ ΑΣ.", "σας ας."),
             ("a\nb\n\nc", "c\nb a"), ("\u212a", "k"), ("&quot;a&quot;", "\"a\"")]
    cases = [(h, [r]) for h, r in fixed]
    while len(cases) < count:
        kind = rng.random()
        ref = random_text(rng, 40)
        if kind < 0.5:
            hyp = mutate(rng, ref)
        elif kind < 0.8:
            hyp = random_text(rng, 40)
        elif kind < 0.9:
            ref = random_text(rng, 400)  # long lines
            hyp = mutate(rng, ref)
        else:
            hyp = mutate(rng, ref)
            refs = [ref] + [mutate(rng, ref) if rng.random() < 0.5 else random_text(rng, 30)
                            for _ in range(rng.randint(1, 3))]
            cases.append((hyp, refs))
            continue
        cases.append((hyp, [ref]))
    return cases[:count]


# ------------------------------------------------------------------------------------------------
# diff

TER_PEER = r"""
import json, sys
from sacrebleu.metrics import TER
cases = json.load(sys.stdin)
out = {}
for name, kw in VARIANTS.items():
    metric = TER(**kw)
    out[name] = [metric.sentence_score(h, refs).score for h, refs in cases]
print(json.dumps(out))
"""

ROUGE_PEER = r"""
import json, sys
from rouge_score import rouge_scorer
cases = json.load(sys.stdin)
out = {}
for stem in (False, True):
    scorer = rouge_scorer.RougeScorer(TYPES, use_stemmer=stem)
    rows = []
    for h, refs in cases:
        s = scorer.score_multi(refs, h) if len(refs) > 1 else scorer.score(refs[0], h)
        rows.append({t: list(s[t]) for t in TYPES})
    out["stem" if stem else "nostem"] = rows
print(json.dumps(out))
"""


def merit_components(merit, children, cases, jobs=1):
    """Scores every case with a `mean` of the named children: per case the components, and merit's
    summary (which holds the corpus scores)."""
    config = {"reward": {"type": "mean", "children": children}}
    with tempfile.TemporaryDirectory() as tmp:
        cfg, inp, out, summary = (os.path.join(tmp, n) for n in ("c.json", "in.jsonl", "out.jsonl", "s.json"))
        with open(cfg, "w") as f:
            json.dump(config, f)
        with open(inp, "w") as f:
            for h, refs in cases:
                # None is "no reference in this stream" to sacrebleu, which skips it: drop it here too.
                refs = [r for r in refs if r is not None]
                f.write(json.dumps({"completion": h, "reference": refs if len(refs) > 1 else refs[0]}) + "\n")
        subprocess.run([merit, "score", "-c", cfg, "-i", inp, "-o", out, "-j", str(jobs), "-q",
                        "--summary-json", summary], check=True)
        with open(out) as f:
            components = [json.loads(line).get("components", {}) for line in f]
        with open(summary) as f:
            return components, json.load(f)


def compare(label, merit_values, peer_values, cases, mismatches):
    for i, (m, p) in enumerate(zip(merit_values, peer_values)):
        if m is None or abs(m - p) > 1e-9:
            mismatches.append((label, i, m, p))
            if len(mismatches) <= 20:
                h, refs = cases[i]
                print(f"MISMATCH {label} case {i}: merit {m} peer {p}\n  hyp {h!r}\n  refs {refs!r}")


def diff(args):
    cases = make_cases(args.cases, args.seed)
    print(f"{len(cases)} cases (seed {args.seed})")
    mismatches = []
    # TER: raw percent, as sacrebleu prints it.
    sacre = peer_python("sacrebleu", SACREBLEU)
    peer = json.loads(run_python(sacre, TER_PEER.replace("VARIANTS", repr(TER_VARIANTS)), json.dumps(cases)))
    children = [dict({"name": f"ter_{n}", "type": "text.ter", "output": "ter", "scale": 100}, **kw)
                for n, kw in TER_VARIANTS.items()]
    merit, _ = merit_components(args.merit, children, cases)
    for n in TER_VARIANTS:
        compare(f"ter_{n}", [c.get(f"ter_{n}") for c in merit], peer[n], cases, mismatches)
    print(f"TER: {len(TER_VARIANTS)} variants x {len(cases)} cases compared")
    # ROUGE: every type, measure and stemming; several references via score_multi.
    rouge = peer_python("rouge-score", ROUGE_SCORE)
    peer = json.loads(run_python(rouge, ROUGE_PEER.replace("TYPES", repr(ROUGE_TYPES)), json.dumps(cases)))
    children = []
    for stem in ("nostem", "stem"):
        for t in ROUGE_TYPES:
            for m in MEASURES:
                children.append({"name": f"{t}_{m}_{stem}", "type": "text.rouge", "rouge_type": t, "measure": m,
                                 "use_stemmer": stem == "stem"})
    merit, _ = merit_components(args.merit, children, cases)
    for stem in ("nostem", "stem"):
        for t in ROUGE_TYPES:
            for k, m in enumerate(MEASURES):
                name = f"{t}_{m}_{stem}"
                compare(name, [c.get(name) for c in merit], [row[t][k] for row in peer[stem]], cases, mismatches)
    print(f"ROUGE: {len(children)} type/measure/stemming combinations x {len(cases)} cases compared")
    by_label = {}
    for label, *_ in mismatches:
        by_label[label] = by_label.get(label, 0) + 1
    print(f"{len(mismatches)} mismatches" + (f" {by_label}" if by_label else ""))
    return 1 if mismatches else 0


# ------------------------------------------------------------------------------------------------
# bench

# Each metric on one fixture row, timed by bench/peers.py: sacrebleu's TER sentence_score, and
# rouge-score's score for each type alone and for all four at once, with and without stemming.
TER_METRICS = r"""
from sacrebleu.metrics import TER
metric = TER()
METRICS = {"Ter": lambda row: metric.sentence_score(row["hyp"], [row["ref"]])}
"""
ROUGE_METRICS = r"""
from rouge_score import rouge_scorer
METRICS = {}
for types in [[t] for t in TYPES] + [TYPES]:
    for stem in (False, True):
        scorer = rouge_scorer.RougeScorer(types, use_stemmer=stem)
        name = "Rouge/" + "_".join(types) + ("_stem" if stem else "")
        METRICS[name] = lambda row, s=scorer: s.score(row["reference"], row["prediction"])
""".replace("TYPES", repr(ROUGE_TYPES))


def bench(args):
    sacre = peer_python("sacrebleu", SACREBLEU)
    rouge = peer_python("rouge-score", ROUGE_SCORE)

    def measure():
        merit = time_merit(args.benchmark, args.min_time, [f"--data={DATA}"], only=args.only)
        rows = {}
        peer = time_peer(sacre, TER_METRICS, DATA / "mt" / "wmt17_en_de_10k.jsonl", only=args.only)
        if "Ter" in peer and "Ter" in merit:
            rows["TER (10k WMT17 pairs)"] = (merit["Ter"], peer["Ter"], "sacrebleu")
        peer = time_peer(rouge, ROUGE_METRICS, DATA / "rouge" / "en_pairs_9942.jsonl", only=args.only)
        for key, peer_rate in peer.items():
            label = key.removeprefix("Rouge/").replace("_rouge", "+rouge") + " (9,942 pairs)"
            if key in merit:
                rows[label] = (merit[key], peer_rate, "rouge-score")
        return rows

    print_median_ratios(measure, args.repeat)
    return 0


# ------------------------------------------------------------------------------------------------
# porter-testdata

PORTER_GEN = r"""
import json, random, re, sys
import nltk
from nltk.stem import porter
stemmer = porter.PorterStemmer()
vocab = set()
for line in open(sys.argv[1]):
    row = json.loads(line)
    for key in ("prediction", "reference"):
        vocab.update(w for w in re.split(r"[^a-z0-9]+", row[key].lower()) if len(w) > 3)
random.seed(7)
words = set(random.sample(sorted(vocab), 2500)) | set(EXTRA)
print("# word stem: NLTK %s PorterStemmer() (NLTK_EXTENSIONS); regenerate: python3 bench/text_ter_rouge_vs_peers.py porter-testdata" % nltk.__version__)
for w in sorted(words):
    print(w, stemmer.stem(w))
"""

PORTER_EXTRA = """caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled
sized hopping tanned falling hissing fizzed failing filing happy sky relational conditional rational
valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli vietnamization
predication operator feudalism decisiveness hopefulness callousness formaliti sensitiviti sensibiliti
triplicate formative formalize electriciti electrical hopeful goodness revival allowance inference
airliner gyroscopic adjustable defensible irritant replacement adjustment dependent adoption homologou
communism activate angulariti homologous effective bowdlerize probate rate cease controll roll
dies flies spied died lying dying tying skies news innings inning outings cannings howe proceed exceed succeed
yyyy yyyyy syzygy toy enjoy enjoyment spy fly try geology theology archaeology philology
generalli rationalli fully hopefulli dutifulli logically biology yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy
aaaa bbbb 1990s 2nd 3rd 100th a1b2 x9y8 abcs mississippi
troubles private oaten orrery tree trees ivy oats by""".split()


def porter_testdata(_args):
    python = peer_python("rouge-score", ROUGE_SCORE)
    out = subprocess.run([python, "-c", PORTER_GEN.replace("EXTRA", repr(PORTER_EXTRA)),
                          str(DATA / "rouge" / "en_pairs_9942.jsonl")], capture_output=True, text=True, check=True)
    path = REPO / "src" / "rewards" / "text" / "porter_testdata.txt"
    path.write_text(out.stdout)
    print(f"wrote {path} ({out.stdout.count(chr(10)) - 1} words)")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("diff")
    d.add_argument("--merit", default="build/release/merit")
    d.add_argument("--cases", type=int, default=300,
                   help="random cases (sacrebleu TER takes about 0.1 s per case and variant: 2000 cases is ~20 min)")
    d.add_argument("--seed", type=int, default=1)
    add_speed_arguments(sub.add_parser("bench"), "build/release/bench/ter_rouge_benchmark")
    sub.add_parser("porter-testdata")
    args = parser.parse_args()
    return {"diff": diff, "bench": bench, "porter-testdata": porter_testdata}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
