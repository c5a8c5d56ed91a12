"""Scores examples/rollouts.jsonl in-process: rewards, components and GRPO advantages.

    python examples/python/score_batch.py
"""

import json
import pathlib

import merit

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent

reward = merit.Reward.from_file(EXAMPLES / "config.yaml")
lines = (EXAMPLES / "rollouts.jsonl").read_text().splitlines()

# score_lines is `merit score` in-process: JSONL in, the same output lines out, one per input
# line (the file's last line is deliberately cut off: it becomes an error line, not an exception).
for line in reward.score_lines(lines)[-3:]:
    print(line[:160])

# score_batch takes dicts. One call is one batch: advantages use the groups (prompts) in it.
samples = []
for line in lines:
    try:
        samples.append(json.loads(line))
    except json.JSONDecodeError:
        pass


def show(value):
    return "-" if value is None else f"{value:.3f}"


for sample, result in zip(samples, reward.score_batch(samples)):
    print(f"{sample['id']:>14}  reward {show(result['reward']):>6}  {result['status']:<10}"
          f"  advantage {show(result.get('advantage')):>6}")
print(f"config hash {reward.config_hash}")
