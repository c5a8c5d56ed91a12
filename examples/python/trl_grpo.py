"""merit as a TRL GRPOTrainer reward function.

In a training script:

    from trl import GRPOConfig, GRPOTrainer
    import merit

    trainer = GRPOTrainer(
        model="Qwen/Qwen2.5-0.5B-Instruct",
        reward_funcs=[merit.trl_reward("examples/python/reward.yaml", name="merit")],
        train_dataset=dataset,          # columns: prompt, solution (the reference)
        args=GRPOConfig(num_generations=4),
    )

TRL then calls the function with keyword arguments, as below; this script makes that call
itself, so it runs without TRL installed:

    python examples/python/trl_grpo.py
"""

import pathlib

import merit

reward_func = merit.trl_reward(pathlib.Path(__file__).with_name("reward.yaml"), name="merit")

# Conversational format: prompts and completions are lists of messages, one entry per completion
# (each prompt repeated num_generations times); dataset columns arrive as keyword lists.
question = [{"role": "user", "content": "Natalia sold 48 clips in April and half as many in May. "
                                        "How many in all?"}]
completions = [
    [{"role": "assistant", "content": "<think>48 + 24</think><answer>72</answer>"}],
    [{"role": "assistant", "content": "<think>48 + 48</think><answer>96</answer>"}],
    [{"role": "assistant", "content": "72"}],
    [{"role": "assistant", "content": "<think>half of 48 is 24</think><answer>72</answer>"}],
]
rewards = reward_func(
    prompts=[question] * 4,
    completions=completions,
    completion_ids=[[0] * 12, [0] * 12, [0] * 2, [0] * 15],
    solution=["72"] * 4,
    trainer_state=None,
    log_metric=lambda name, value: print(f"  log_metric {name} = {value:.3f}"),
    log_extra=lambda column, values: print(f"  log_extra {column} = {values}"),
)
print("rewards:", rewards)  # None would mean "could not be scored" (TRL skips it).
