"""TRL GRPOTrainer scoring through a running `merit serve`.

    merit serve -c math=examples/python/reward.yaml --port 8000      # elsewhere

In a training script:

    from trl import GRPOConfig, GRPOTrainer
    import merit

    client = merit.Client("http://127.0.0.1:8000")
    trainer = GRPOTrainer(model=..., reward_funcs=[client.trl_reward("math", name="merit")],
                          train_dataset=dataset, args=GRPOConfig(num_generations=4))

This script makes TRL's call itself: python examples/serve/trl_remote.py
"""

import os

import merit

client = merit.Client(os.environ.get("MERIT_URL", "http://127.0.0.1:8000"),
                      token=os.environ.get("MERIT_TOKEN"))
# The same as merit.trl_reward(client.reward("math"), name="merit").
reward_func = client.trl_reward("math", name="merit")

if __name__ == "__main__":
    question = "Natalia sold 48 clips in April and half as many in May. How many in all?"
    print("rewards:", reward_func(
        prompts=[question] * 3,
        completions=["<think>48 + 24</think><answer>72</answer>",
                     "<think>48 + 48</think><answer>96</answer>", "72"],
        completion_ids=[[0] * 12, [0] * 12, [0] * 2],
        solution=["72"] * 3,
        trainer_state=None,
    ))
