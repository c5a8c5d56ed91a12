"""OpenRLHF with merit behind HTTP. Two ways:

1. No Python at all: OpenRLHF's own remote reward model client posts
   {"query", "prompts", "labels"} and reads {"rewards", "scores", "extra_logs"}:

       --remote_rm_url http://127.0.0.1:8000/get_reward            # default config
       --remote_rm_url "http://127.0.0.1:8000/get_reward?config=math"

2. This file as OpenRLHF's custom reward function (adds scores_from, fallbacks, tensors):

       --remote_rm_url examples/serve/openrlhf_remote.py

python examples/serve/openrlhf_remote.py makes OpenRLHF's call itself.
"""

import os

import merit

client = merit.Client(os.environ.get("MERIT_URL", "http://127.0.0.1:8000"),
                      token=os.environ.get("MERIT_TOKEN"))
reward_func = client.openrlhf_reward_func("math", scores_from="correct")

if __name__ == "__main__":
    prompt = "<|user|>Natalia sold 48 clips in April and half as many in May. How many?<|end|>"
    responses = ["<think>48 + 24</think><answer>72</answer>", "<answer>96</answer>"]
    queries = [prompt + r for r in responses]
    print(reward_func(queries, [prompt] * 2, ["72", "72"]))
    print(client.get_reward(queries, [prompt] * 2, ["72", "72"], config="math"))  # The raw URL way.
