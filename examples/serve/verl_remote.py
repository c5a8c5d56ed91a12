"""verl's custom reward function, scored by a running `merit serve`:

    custom_reward_function.path=examples/serve/verl_remote.py
    custom_reward_function.name=compute_score
    reward_model.reward_manager=batch       # one HTTP call per batch (naive: one per sample)

verl pickles the function to its reward workers; the client travels without its connections.
This script makes verl's calls itself: python examples/serve/verl_remote.py
"""

import os

import merit

compute_score = merit.Client(os.environ.get("MERIT_URL", "http://127.0.0.1:8000"),
                             token=os.environ.get("MERIT_TOKEN")).verl_compute_score("math")

if __name__ == "__main__":
    print(compute_score(data_source="openai/gsm8k",
                        solution_str="<think>48 + 24</think><answer>72</answer>",
                        ground_truth="72", extra_info={"index": 0}))
    for result in compute_score(data_sources=["openai/gsm8k"] * 2,
                                solution_strs=["<answer>72</answer>", "<answer>1</answer>"],
                                ground_truths=["72", "72"], extra_infos=[{"index": 0}] * 2):
        print(result)
