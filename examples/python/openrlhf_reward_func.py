"""merit as OpenRLHF's custom reward function. Pass this file to OpenRLHF:

    --remote_rm_url examples/python/openrlhf_reward_func.py --label_key answer

OpenRLHF imports it and calls reward_func(queries, prompts, labels), where each query is the
prompt followed by the response; it reads "rewards", "scores" and "extra_logs" (torch tensors).

    python examples/python/openrlhf_reward_func.py     # makes that call itself
"""

import pathlib

import merit

reward_func = merit.openrlhf_reward_func(pathlib.Path(__file__).with_name("reward.yaml"),
                                         scores_from="correct")

if __name__ == "__main__":
    prompt = "<|user|>Natalia sold 48 clips in April and half as many in May. How many?<|end|>"
    responses = ["<think>48 + 24</think><answer>72</answer>",
                 "<think>48 * 2</think><answer>96</answer>"]
    print(reward_func([prompt + r for r in responses], [prompt] * 2, ["72", "72"]))
