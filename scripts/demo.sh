#!/usr/bin/env bash
# merit's main job on a built-in example: install what is missing, build, then score
# examples/rollouts.jsonl with examples/config.yaml and print the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Its own build folder: only the CLI, so it neither waits for nor changes the test builds.
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DMERIT_BUILD_TESTS=OFF \
  -DMERIT_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/demo --target merit_cli
./build/demo/merit score -c examples/config.yaml -i examples/rollouts.jsonl -o build/demo/scored.jsonl
echo "scored rollouts: build/demo/scored.jsonl (first line below)"
head -n 1 build/demo/scored.jsonl
