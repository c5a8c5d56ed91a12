"""merit as verl's custom reward function. Point verl at this file:

    custom_reward_function.path=examples/python/verl_reward.py
    custom_reward_function.name=compute_score
    reward_model.reward_manager=naive      # or batch: one call per batch (needed by configs
                                           # that normalise rewards within a group)

verl calls compute_score(data_source=..., solution_str=..., ground_truth=..., extra_info=...) and
logs every key of the returned dict; unscorable samples score 0.0 with status "unscorable".

    python examples/python/verl_reward.py     # makes those calls itself
"""

import pathlib

import merit

compute_score = merit.verl_compute_score(pathlib.Path(__file__).with_name("reward.yaml"))

if __name__ == "__main__":
    print(compute_score(data_source="openai/gsm8k",
                        solution_str="<think>48 + 24</think><answer>72</answer>",
                        ground_truth="72", extra_info={"split": "train", "index": 0}))
    # The batch reward manager's call:
    for result in compute_score(data_sources=["openai/gsm8k"] * 2,
                                solution_strs=["<answer>72</answer>", "<answer>1</answer>"],
                                ground_truths=["72", None],
                                extra_infos=[{"index": 0}, {"index": 1}]):
        print(result)
