#!/usr/bin/env bash
# merit's main job on a built-in example: install what is missing, build, then score
# examples/rollouts.jsonl with examples/config.yaml and print the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release -DMERIT_BUILD_TESTS=OFF -DMERIT_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build --preset release --target merit_cli
./build/release/merit score -c examples/config.yaml -i examples/rollouts.jsonl -o build/release/scored.jsonl
echo "scored rollouts: build/release/scored.jsonl (first line below)"
head -n 1 build/release/scored.jsonl
