#!/usr/bin/env bash
# End-to-end checks of the `merit` binary: output contract, determinism across -j, exit codes,
# and errors that name the file, the path, the expectation and the closest names.
# Usage: cli_test.sh MERIT_BINARY SOURCE_DIR
set -uo pipefail
MERIT="$1"
SRC="$2"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# 1. The built-in example: one output line per input line, in order, same bytes at -j1 and -j2.
"$MERIT" score -c "$SRC/examples/config.yaml" -i "$SRC/examples/rollouts.jsonl" -o "$TMP/j1.jsonl" -j 1 -q \
  || fail "score -j1 exited $?"
"$MERIT" score -c "$SRC/examples/config.yaml" -i "$SRC/examples/rollouts.jsonl" -o "$TMP/j2.jsonl" -j 2 -q \
  --batch-lines 3 || fail "score -j2 exited $?"
cmp -s "$TMP/j1.jsonl" "$TMP/j2.jsonl" || fail "output differs between -j1 and -j2 --batch-lines 3"
[ "$(wc -l < "$TMP/j1.jsonl")" -eq "$(wc -l < "$SRC/examples/rollouts.jsonl")" ] || fail "line count differs"
grep -q '"id": "p0-r0".*"reward":1.1,"status":"ok"' "$TMP/j1.jsonl" || fail "first rollout not scored 1.1"
grep -q '"line":13,"reward":null,"status":"error","reason":"invalid_json"' "$TMP/j1.jsonl" \
  || fail "truncated line 13 not reported"
grep -q '"reason":"missing_field"' "$TMP/j1.jsonl" || fail "missing completion not reported"

# 2. stdin/stdout streaming and the summary on stderr.
"$MERIT" score -c "$SRC/examples/config.yaml" < "$SRC/examples/rollouts.jsonl" > "$TMP/stdout.jsonl" 2> "$TMP/summary.txt" \
  || fail "score from stdin exited $?"
cmp -s "$TMP/j1.jsonl" "$TMP/stdout.jsonl" || fail "stdin/stdout output differs from file output"
grep -q "status: error=2 ok=12" "$TMP/summary.txt" || fail "summary counts: $(cat "$TMP/summary.txt")"
grep -q "config " "$TMP/summary.txt" || fail "summary lacks the config hash"

# 3. --strict turns sample errors into exit status 1; --summary-json writes JSON.
"$MERIT" score -c "$SRC/examples/config.yaml" -i "$SRC/examples/rollouts.jsonl" -o /dev/null -q --strict \
  --summary-json "$TMP/summary.json"
[ $? -eq 1 ] || fail "--strict with errors should exit 1"
grep -q '"samples":14' "$TMP/summary.json" || fail "summary json: $(cat "$TMP/summary.json")"

# 4. Config errors: exit 2, file + path + expectation + suggestion.
printf 'reward:\n  type: weighted_sum\n  children:\n    - {type: match.exct}\n' > "$TMP/bad.yaml"
"$MERIT" validate "$TMP/bad.yaml" 2> "$TMP/err.txt"
[ $? -eq 2 ] || fail "bad config should exit 2"
grep -q "bad.yaml: reward.children\[0\].type: unknown reward or aggregator \"match.exct\", did you mean \"match.exact\"" "$TMP/err.txt" \
  || fail "bad config message: $(cat "$TMP/err.txt")"
"$MERIT" score -c "$TMP/missing.yaml" -i /dev/null 2>/dev/null
[ $? -eq 2 ] || fail "missing config should exit 2"
"$MERIT" validate "$SRC/examples/config.yaml" > "$TMP/ok.txt" || fail "example config invalid"
grep -q "config hash" "$TMP/ok.txt" || fail "validate output: $(cat "$TMP/ok.txt")"

# 5. describe and list.
"$MERIT" describe match.exact > "$TMP/describe.txt" || fail "describe exited $?"
grep -q "options:" "$TMP/describe.txt" || fail "describe has no options"
"$MERIT" describe match.exakt 2> "$TMP/err.txt"; [ $? -eq 2 ] || fail "describe unknown should exit 2"
grep -q 'did you mean "match.exact"' "$TMP/err.txt" || fail "describe suggestion: $(cat "$TMP/err.txt")"

# 6. Hostile input: binary garbage, a 20 MiB line, deep nesting; still one line out per line in.
python3 - "$TMP/hostile.jsonl" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    f.write(b'{"completion": "<think>a</think><answer>1</answer>", "reference": "1"}\n')
    f.write(b"\x00\xff\xfe garbage\n")
    f.write(b'{"completion": "' + b"x" * (20 << 20) + b'"}\n')
    f.write(b'{"completion": "x", "metadata": ' + b"[" * 100000 + b"]" * 100000 + b"}\n")
    f.write(b'{"completion": "x", "reference": 1e999}\n')
    f.write(b'{"completion": "<think>a</think><answer>2</answer>", "reference": "1"}')
PY
"$MERIT" score -c "$SRC/examples/config.yaml" -i "$TMP/hostile.jsonl" -o "$TMP/hostile.out" -q -j 2 \
  || fail "hostile input exited $?"
[ "$(wc -l < "$TMP/hostile.out")" -eq 6 ] || fail "hostile: expected 6 output lines, got $(wc -l < "$TMP/hostile.out")"
grep -q '"reason":"line_too_long"' "$TMP/hostile.out" || fail "20 MiB line not reported as too long"
grep -q '"reason":"too_deep"' "$TMP/hostile.out" || fail "deep nesting not reported"

if [ "$failures" -eq 0 ]; then echo "cli e2e: all checks passed"; else echo "cli e2e: $failures failure(s)"; exit 1; fi
