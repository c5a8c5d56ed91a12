#!/usr/bin/env python3
"""Reference values for match.f1: SQuAD v1.1 token F1, written from the official script's logic.

Our own re-implementation (no code copied) of what SQuAD's evaluate-v1.1.py computes:
  normalize_answer(s) = white_space_fix(remove_articles(remove_punc(lower(s))))
    lower:            str.lower()
    remove_punc:      delete every character of string.punctuation
    remove_articles:  re.sub(r'\\b(a|an|the)\\b', ' ', s)      (Python 3 str patterns: Unicode \\b)
    white_space_fix:  ' '.join(s.split())
  f1_score(prediction, ground_truth):
    tokens = normalize_answer(x).split(); common = Counter(pred) & Counter(gold)
    0 if nothing is common, else 2PR / (P + R) with P = same / len(pred), R = same / len(gold)
  metric_max_over_ground_truths: the max over the acceptable answers.

Usage (regenerates the golden file; tests never run Python):
  python3 tools/reference/squad_f1.py > tests/golden/rewards/match/f1.jsonl

Known divergence, avoided in the cases below: merit folds case with Unicode full case folding,
Python's lower() does not fold a few letters (ß → ss, ς → σ, ...). On ASCII they agree.
"""

import collections
import json
import platform
import re
import string
import sys

_PUNCTUATION = frozenset(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize_answer(text):
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def f1_score(prediction, ground_truth):
    pred = normalize_answer(prediction).split()
    gold = normalize_answer(ground_truth).split()
    same = sum((collections.Counter(pred) & collections.Counter(gold)).values())
    if same == 0:
        return 0.0
    precision = 1.0 * same / len(pred)
    recall = 1.0 * same / len(gold)
    return (2 * precision * recall) / (precision + recall)


def best_f1(prediction, ground_truths):
    return max(f1_score(prediction, g) for g in ground_truths)


# (name, prediction, reference): reference is a string or a list of strings.
DIFFERENTIAL_CASES = [
    ("identical", "Denver Broncos", "Denver Broncos"),
    ("partial_overlap", "the Denver Broncos team", "Denver Broncos"),
    ("case_and_punctuation", "DENVER, broncos!", "Denver Broncos"),
    ("articles_removed", "The Broncos", "a Broncos"),
    ("repeated_tokens_multiset", "the the cat cat cat", "cat sat on the mat cat"),
    ("no_overlap", "Carolina Panthers", "Denver Broncos"),
    ("max_over_references", "Santa Clara, California",
     ["Levi's Stadium", "Santa Clara", "Levi's Stadium in the San Francisco Bay Area"]),
    ("apostrophe_deleted_not_split", "Levis stadium", "Levi's Stadium"),
    ("hyphen_deleted", "1990-1995", "19901995"),
    ("reference_only_article", "the", "an"),
    ("unicode_spaces_and_accents", "Caf\u00e9\u00a0Du  Monde", "caf\u00e9 du monde"),
    ("unicode_punctuation_kept", "\u201cParis\u201d", "Paris"),
    ("numbers_as_tokens", "about 1,000 people", "1000 people"),
    ("long_prediction", " ".join(["word"] * 5000) + " answer", "the answer"),
    ("many_reference_tokens", "alpha beta",
     " ".join("t%d" % i for i in range(40)) + " alpha beta"),
    ("underscore_is_punctuation", "snake_case", "snakecase"),
]


def golden_line(name, source, reward, completion, reference, want):
    case = {"name": name, "source": source, "reward": reward,
            "sample": {"completion": completion, "reference": reference}, "want": want}
    return json.dumps(case, ensure_ascii=False)


def main():
    source = ("tools/reference/squad_f1.py (SQuAD v1.1 f1_score logic, Python %s)"
              % platform.python_version())
    reward = {"type": "match.f1", "extract": "none"}
    for name, prediction, reference in DIFFERENTIAL_CASES:
        truths = reference if isinstance(reference, list) else [reference]
        want = {"reward": best_f1(prediction, truths), "status": "ok"}
        print(golden_line(name, source, reward, prediction, reference, want))
    # Engine semantics around the metric (extraction, references), fixed by merit's contract.
    contract = "merit match contract (common brief): extraction and reference handling"
    auto = {"type": "match.f1"}
    print(golden_line("extract_answer_tag", contract, auto,
                      "<think>maybe Denver</think><answer>Denver Broncos</answer>",
                      "Denver Broncos", {"reward": 1.0, "status": "ok"}))
    print(golden_line("empty_completion_is_no_answer", contract, auto, "", "Denver",
                      {"reward": 0.0, "status": "ok", "reason": "no_answer"}))
    print(golden_line("missing_reference", contract, auto, "Denver", None,
                      {"reward": None, "status": "unscorable", "reason": "no_reference"}))
    print(golden_line("object_reference", contract, auto, "Denver", {"text": "Denver"},
                      {"reward": None, "status": "unscorable",
                       "reason": "reference_unparseable"}))
    # JSON input is validated UTF-8, so bytes that are not UTF-8 cannot reach a reward through a
    # golden file (the unit tests cover them); U+FFFD and noncharacters are the closest.
    print(golden_line("replacement_and_noncharacters", contract, auto,
                      "Den\ufffdver \uffff Broncos", "Denver Broncos",
                      {"reward": 0.4, "status": "ok"}))


if __name__ == "__main__":
    main()
