"""merit: a reward engine for LLM post-training.

    import merit

    reward = merit.Reward.from_file("reward.yaml")   # or merit.Reward.from_dict({...})
    reward.score({"completion": "<answer>4</answer>", "reference": "4"})
    # {'reward': 1.0, 'status': 'ok', 'components': {...}}
    reward.score_batch(samples)                      # releases the GIL; merit's thread pool

Drop-in functions with the signatures trainers call:

    merit.trl_reward("reward.yaml")            # TRL GRPOTrainer(reward_funcs=[...])
    merit.verl_compute_score("reward.yaml")    # verl custom_reward_function
    merit.openrlhf_reward_func("reward.yaml")  # OpenRLHF --remote_rm_url reward_func.py

Errors (style.md B4): an invalid config is ValueError, a missing config file FileNotFoundError,
an unknown registry name KeyError. A sample that cannot be scored is a result with status
"unscorable" or "error", never an exception.
"""

from ._merit import Cancelled, ResourceExhausted, __version__
from ._reward import Reward, describe, list_rewards, load_config
from .adapters import openrlhf_reward_func, trl_reward, verl_compute_score
from .client import Client, RemoteReward

__all__ = [
    "Cancelled",
    "Client",
    "RemoteReward",
    "ResourceExhausted",
    "Reward",
    "__version__",
    "describe",
    "list_rewards",
    "load_config",
    "openrlhf_reward_func",
    "trl_reward",
    "verl_compute_score",
]
