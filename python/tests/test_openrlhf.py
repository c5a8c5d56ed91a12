"""merit.openrlhf_reward_func, called the way OpenRLHF calls a --remote_rm_url Python file:

    reward_module = importlib.util.module_from_spec(...); exec_module(...)
    rewards_info = reward_module.reward_func(queries, prompts, labels)   # positional lists

(ray.remote(reward_module.reward_func) in the PPO experience maker, asyncio.to_thread with one
sample per call in the single-turn agent executor), then reads rewards_info["rewards"],
["scores"] and ["extra_logs"].
"""

import importlib.util
import inspect
import math
import pickle
import threading

import pytest

import merit
from conftest import requires

HAS_TORCH = importlib.util.find_spec("torch") is not None


def load_like_openrlhf(tmp_path, config_path):
    """Writes the user's reward_func.py and imports it exactly as OpenRLHF does."""
    module_path = tmp_path / "reward_func.py"
    module_path.write_text(
        "import merit\n"
        f"reward_func = merit.openrlhf_reward_func({str(config_path)!r}, tensors=False)\n"
    )
    spec = importlib.util.spec_from_file_location("reward_func", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.reward_func


@requires("match.exact")
def test_called_positionally_from_a_loaded_module(tmp_path):
    config = tmp_path / "reward.yaml"
    config.write_text("reward: {type: match.exact}\n")
    reward_func = load_like_openrlhf(tmp_path, config)
    prompts = ["<|user|>What is 6*7?<|assistant|>", "<|user|>What is 6*7?<|assistant|>",
               "<|user|>Capital of Italy?<|assistant|>"]
    responses = ["<answer>42</answer><|end|>", "<answer>41</answer><|end|>", "Rome"]
    queries = [p + r for p, r in zip(prompts, responses)]  # A query is prompt + response.
    info = reward_func(queries, prompts, ["42", "42", "Rome"])
    assert info["rewards"] == [1.0, 0.0, 1.0]
    assert info["scores"] == info["rewards"]
    assert info["extra_logs"]["merit/match.exact"] == [1.0, 0.0, 1.0]
    assert info["extra_logs"]["merit/unscorable"] == [0.0, 0.0, 0.0]


@requires("match.exact")
def test_prompt_is_stripped_from_the_query():
    # The prompt contains the answer; only the response may earn the reward.
    reward_func = merit.openrlhf_reward_func({"reward": {"type": "match.exact", "extract": "none"}},
                                             tensors=False)
    info = reward_func(["Say 7. 7", "Say 7. 8"], ["Say 7. ", "Say 7. "], ["7", "7"])
    assert info["rewards"] == [1.0, 0.0]


@requires("match.exact", "format.tags")
def test_scores_from_a_component_and_unscorable_fallbacks():
    reward_func = merit.openrlhf_reward_func(
        {"reward": {"type": "weighted_sum", "children": [
            {"type": "match.exact", "name": "correct"},
            {"type": "format.tags", "name": "format", "tags": ["answer"], "weight": 0.2}]}},
        scores_from="correct", unscorable_score=-1.0, tensors=False,
    )
    info = reward_func(["p<answer>1</answer>", "p<answer>2</answer>", "p3"], ["p", "p", "p"],
                       ["1", "1", None])
    assert info["rewards"] == [pytest.approx(1.2), pytest.approx(0.2), -1.0]
    assert info["scores"] == [1.0, 0.0, -1.0]
    assert info["extra_logs"]["merit/unscorable"] == [0.0, 0.0, 1.0]
    assert math.isnan(info["extra_logs"]["merit/correct"][2])


def test_without_labels_and_with_extra_kwargs():
    # Some OpenRLHF versions pass only (queries, prompts) or add keyword arguments.
    reward_func = merit.openrlhf_reward_func(
        {"reward": {"type": "field.value", "missing": "zero"}}, tensors=False
    )
    info = reward_func(["q"], ["p"], save_path="/tmp/unused")
    assert info["rewards"] == [0.0]
    assert merit.openrlhf_reward_func({"reward": {"type": "field.value"}}, tensors=False)(
        [], [], [])["rewards"] == []


def test_unknown_scores_from_is_a_value_error():
    with pytest.raises(ValueError, match=r'scores_from: no component named "fiel.value", did you'):
        merit.openrlhf_reward_func({"reward": {"type": "field.value"}}, scores_from="fiel.value")


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
def test_tensors_when_torch_is_importable():
    import torch

    info = merit.openrlhf_reward_func({"reward": {"type": "field.value", "missing": "zero"}})(
        ["q", "q"], ["p", "p"], [None, None])
    assert isinstance(info["rewards"], torch.Tensor) and info["rewards"].dtype == torch.float32
    assert info["rewards"].shape == (2,)
    assert all(isinstance(v, torch.Tensor) for v in info["extra_logs"].values())


@pytest.mark.skipif(HAS_TORCH, reason="torch is installed")
def test_lists_without_torch():
    info = merit.openrlhf_reward_func({"reward": {"type": "field.value", "missing": "zero"}})(
        ["q"], ["p"], [None])
    assert info["rewards"] == [0.0] and isinstance(info["scores"], list)
    with pytest.raises(ImportError):
        merit.openrlhf_reward_func({"reward": {"type": "field.value"}}, tensors=True)


@requires("match.exact")
def test_single_sample_calls_from_many_threads():
    # OpenRLHF's single-turn executor: asyncio.to_thread(reward_func, [q], [p], [l]) per sample.
    reward_func = merit.openrlhf_reward_func({"reward": {"type": "match.exact"}}, tensors=False)
    results = {}

    def work(i):
        answer = str(i % 3)
        results[i] = reward_func([f"q{i}:{answer}"], [f"q{i}:"], ["1"])["rewards"]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {i: [1.0 if i % 3 == 1 else 0.0] for i in range(24)}


def test_is_a_plain_function_for_ray_and_its_body_pickles():
    reward_func = merit.openrlhf_reward_func({"reward": {"type": "field.value", "path": "x"}},
                                             tensors=False)
    assert inspect.isfunction(reward_func)  # ray.remote() accepts functions and classes only.
    assert list(inspect.signature(reward_func).parameters)[:3] == ["queries", "prompts", "labels"]
    body = pickle.loads(pickle.dumps(reward_func.__wrapped__))
    assert body(["q"], ["p"], [None])["extra_logs"]["merit/error"] == [0.0]
