#!/usr/bin/env bash
# End-to-end checks of `merit explain`: one output line per input line, error lines for bad lines,
# the efficiency property, seeds that reproduce whatever -j, and exit codes for bad arguments.
# Usage: explain_test.sh MERIT_BINARY
set -uo pipefail
MERIT="$1"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

cat > "$TMP/rubric.yaml" <<'YAML'
reward: {type: rubric.items, check: contains}
YAML
# 1: explained; 2: bad JSON; 3: no rubric; 4: blank; 5: missing completion; 6: reward not ok;
# 7: 13 items (over --max-exact 12 with --method exact).
python3 - "$TMP/in.jsonl" <<'PY'
import json, sys
rubric = [{"text": "Paris", "weight": 3}, {"text": "capital", "weight": 1},
          {"text": "Seine", "weight": 2}, {"text": "million", "weight": 2}]
lines = [
    json.dumps({"id": "good", "completion": "Paris is the capital, 2 million people.",
                "reference": {"rubric": rubric}}),
    '{"completion": "truncated',
    json.dumps({"id": "norubric", "completion": "x", "reference": "Paris"}),
    "",
    json.dumps({"id": "nocompletion", "reference": {"rubric": rubric}}),
    json.dumps({"id": "empty", "completion": "x", "reference": {"rubric": []}}),
    json.dumps({"id": "big", "completion": "a b c",
                "reference": {"rubric": ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"]}}),
]
with open(sys.argv[1], "w") as f:
    f.write("\n".join(lines) + "\n")
PY
"$MERIT" explain -c "$TMP/rubric.yaml" -i "$TMP/in.jsonl" -o "$TMP/out.jsonl" --players rubric \
  --method exact 2> "$TMP/err.txt" || fail "explain exited $?"
[ "$(wc -l < "$TMP/out.jsonl")" -eq 7 ] || fail "expected 7 output lines, got $(wc -l < "$TMP/out.jsonl")"
grep -q "7 lines, 1 explained, 6 error lines" "$TMP/err.txt" || fail "summary: $(cat "$TMP/err.txt")"
python3 - "$TMP/out.jsonl" <<'PY' || fail "rubric output contract"
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
assert [o["line"] for o in out] == list(range(1, 8)), out
good = out[0]
assert good["id"] == "good" and good["method"] == "exact" and good["evaluations"] == 16, good
phis = [p["phi"] for p in good["players"]]
for got, want in zip(phis, [3 / 8, 1 / 8, 0, 2 / 8]):
    assert abs(got - want) < 1e-9, phis
assert abs(good["efficiency_gap"]) < 1e-9 and abs(good["sum"] - (good["v_full"] - good["v_empty"])) < 1e-9
assert good["players"][2] == {"index": 2, "kind": "rubric_item", "text": "Seine", "phi": 0}, good["players"][2]
want = {2: "invalid_json", 3: "no_players", 4: "empty_line", 5: "missing_field", 6: "reward_not_ok",
        7: "too_many_players"}
for line, error in want.items():
    assert out[line - 1].get("error") == error, (line, out[line - 1])
    assert out[line - 1]["detail"], out[line - 1]
PY

# 2: permutation sampling: same bytes for the same seed at -j1 and -j2, other bytes for another seed.
cat > "$TMP/f1.yaml" <<'YAML'
reward: {type: match.f1, extract: none}
YAML
python3 - "$TMP/para.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for k in range(3):
        text = "\n\n".join(f"Part {i} {'Paris' if (i + k) % 3 == 0 else 'Rome'}." for i in range(14 + k))
        f.write(json.dumps({"id": f"p{k}", "completion": text, "reference": "Paris Paris Paris"}) + "\n")
PY
"$MERIT" explain -c "$TMP/f1.yaml" -i "$TMP/para.jsonl" -o "$TMP/s1.jsonl" --players paragraphs \
  --permutations 16 --seed 3 -j 1 -q || fail "explain -j1 exited $?"
"$MERIT" explain -c "$TMP/f1.yaml" --players paragraphs --permutations 16 --seed 3 -j 2 -q \
  --batch-lines 2 < "$TMP/para.jsonl" > "$TMP/s2.jsonl" || fail "explain -j2 exited $?"
cmp -s "$TMP/s1.jsonl" "$TMP/s2.jsonl" || fail "same seed differs between -j1 and -j2"
"$MERIT" explain -c "$TMP/f1.yaml" -i "$TMP/para.jsonl" -o "$TMP/s3.jsonl" --players paragraphs \
  --permutations 16 --seed 4 -q || fail "explain seed 4 exited $?"
cmp -s "$TMP/s1.jsonl" "$TMP/s3.jsonl" && fail "another seed gave the same output"
python3 - "$TMP/s1.jsonl" <<'PY' || fail "permutation output contract"
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert o["method"] == "permutation", o
    assert all("se" in p and "start" in p and "end" in p for p in o["players"]), o
    assert abs(o["efficiency_gap"]) < 1e-9, o
PY

# 3: bad arguments exit 2.
"$MERIT" explain -c "$TMP/f1.yaml" -i "$TMP/para.jsonl" --players words 2> /dev/null
[ $? -eq 2 ] || fail "unknown --players should exit 2"
"$MERIT" explain -c "$TMP/missing.yaml" -i "$TMP/para.jsonl" 2> /dev/null
[ $? -eq 2 ] || fail "missing config should exit 2"
"$MERIT" explain -c "$TMP/f1.yaml" -i "$TMP/para.jsonl" --max-exact 30 2> /dev/null
[ $? -eq 2 ] || fail "--max-exact 30 should exit 2"

if [ "$failures" -eq 0 ]; then echo "explain e2e: all checks passed"; else echo "explain e2e: $failures failure(s)"; exit 1; fi
