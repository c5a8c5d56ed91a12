"""merit.verl_compute_score, called the way verl's reward managers call compute_score:

    naive / DAPO:  compute_score(data_source=..., solution_str=..., ground_truth=...,
                                 extra_info=...)
    PRIME:         compute_score(data_source, solution_str, ground_truth, extra_info)
    batch:         compute_score(data_sources=..., solution_strs=..., ground_truths=...,
                                 extra_infos=..., **reward_kwargs)

and then read: reward = score["score"], and every key of the dict appended to
reward_extra_info[key] (so all results must have the same keys).
"""

import math
import pickle
import warnings
from collections import defaultdict

import pytest

import merit
from conftest import requires

CONFIG = {
    "reward": {
        "type": "weighted_sum",
        "name": "total",
        "children": [
            {"type": "match.exact", "name": "correct"},
            {"type": "format.tags", "name": "format", "tags": ["answer"], "weight": 0.1},
        ],
    }
}


def naive_manager(compute_score, items):
    """verl's NaiveRewardManager loop: one keyword call per sample."""
    rewards, extra = [], defaultdict(list)
    for data_source, response, ground_truth, extra_info in items:
        score = compute_score(data_source=data_source, solution_str=response,
                              ground_truth=ground_truth, extra_info=extra_info)
        if isinstance(score, dict):
            rewards.append(score["score"])
            for key, value in score.items():
                extra[key].append(value)
        else:
            rewards.append(score)
    for key, values in extra.items():
        assert len(values) == len(items), f"{key}: not one value per sample"
    return rewards, extra


@requires("match.exact", "format.tags")
def test_keyword_call_like_the_naive_manager():
    compute_score = merit.verl_compute_score(CONFIG)
    items = [
        ("openai/gsm8k", "<answer>72</answer>", "72", {"split": "train", "index": 0}),
        ("openai/gsm8k", "I think 71", "72", {"split": "train", "index": 0}),
        ("openai/gsm8k", "<answer>5</answer>", None, {"split": "train", "index": 1}),
    ]
    rewards, extra = naive_manager(compute_score, items)
    assert rewards == [pytest.approx(1.1), 0.0, 0.0]
    assert extra["status"] == ["ok", "ok", "unscorable"]
    assert extra["reason"] == ["", "", "no_reference"]  # The root's reason.
    assert extra["correct"] == [1.0, 0.0, pytest.approx(math.nan, nan_ok=True)]
    assert extra["format"] == [1.0, 0.0, 1.0]
    assert extra["total"][:2] == [pytest.approx(1.1), 0.0] and math.isnan(extra["total"][2])


@requires("match.exact")
def test_positional_call_like_the_prime_manager():
    compute_score = merit.verl_compute_score({"reward": {"type": "match.exact"}})
    result = compute_score("lighteval/MATH", "so \\boxed{\\frac{1}{2}}", "\\frac{1}{2}", None)
    assert result["score"] == 1.0 and result["status"] == "ok"


@requires("match.exact")
def test_batch_manager_call():
    compute_score = merit.verl_compute_score(CONFIG)
    results = compute_score(
        data_sources=["a", "a", "b"],
        solution_strs=["<answer>x</answer>", "y", "<answer>z</answer>"],
        ground_truths=["x", "x", ["z", "zz"]],
        extra_infos=[{"index": 0}, {"index": 0}, {"index": 1}],
        some_reward_kwarg=1,  # verl's reward_kwargs pass through; merit ignores them.
    )
    assert [r["score"] for r in results] == [pytest.approx(1.1), 0.0, pytest.approx(1.1)]
    assert len({frozenset(r) for r in results}) == 1  # Same keys for every sample.


def test_extra_info_is_metadata():
    compute_score = merit.verl_compute_score({"reward": {"type": "field.value", "path": "rm"}})
    result = compute_score("src", "text", "gt", {"rm": 0.75})
    assert result == {"score": 0.75, "status": "ok", "reason": "", "field.value": 0.75}


def test_unscorable_and_error_scores_are_configurable():
    compute_score = merit.verl_compute_score(
        {"reward": {"type": "field.value", "path": "rm"}},
        unscorable_score=-1.0, error_score=-2.0,
    )
    unscorable = compute_score("src", "text", "gt", {})
    assert unscorable["score"] == -1.0 and unscorable["status"] == "unscorable"
    error = merit.verl_compute_score(
        {"reward": {"type": "field.value", "path": "rm", "missing": "error"}}, error_score=-2.0
    )("src", "text", "gt", {})
    assert error["score"] == -2.0 and error["status"] == "error"
    assert error["reason"] == "missing_value"


def test_plain_float_and_no_components():
    config = {"reward": {"type": "field.value", "path": "rm"}}
    assert merit.verl_compute_score(config, return_dict=False)("s", "t", "g", {"rm": 1}) == 1.0
    bare = merit.verl_compute_score(config, components=False)("s", "t", "g", {"rm": 1})
    assert bare == {"score": 1.0, "status": "ok", "reason": ""}
    filled = merit.verl_compute_score(config, missing_component=0.0)("s", "t", "g", {})
    assert filled["field.value"] == 0.0


def test_component_named_like_a_reserved_key_is_prefixed():
    compute_score = merit.verl_compute_score(
        {"reward": {"type": "field.value", "name": "score", "path": "rm"}}
    )
    assert compute_score("s", "t", "g", {"rm": 1}) == {
        "score": 1.0, "status": "ok", "reason": "", "component/score": 1.0
    }


def test_numpy_like_values_are_converted():
    class FakeArray:  # NumPy arrays and torch tensors both offer tolist().
        def tolist(self):
            return {"rm": 0.5}

    compute_score = merit.verl_compute_score({"reward": {"type": "field.value", "path": "rm"}})
    assert compute_score("s", "t", "g", FakeArray())["score"] == 0.5


def test_advantages_alone_do_not_warn():
    # verl computes its own advantages; merit's do not change the score.
    compute_score = merit.verl_compute_score(
        {"reward": {"type": "field.value", "path": "rm"}, "advantages": "grpo"}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert compute_score("s", "t", "g", {"rm": 1})["score"] == 1.0


def test_group_level_config_warns_in_single_sample_mode_only():
    compute_score = merit.verl_compute_score(
        {"reward": {"type": "normalize_then_sum",
                    "children": [{"type": "field.value", "path": "rm"}]}}
    )
    with pytest.warns(RuntimeWarning, match="reward_manager=batch"):
        compute_score("s", "t", "g", {"rm": 1})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compute_score(data_sources=["s"], solution_strs=["t"], ground_truths=["g"],
                      extra_infos=[{"rm": 1}])


def test_missing_solution_is_a_type_error():
    compute_score = merit.verl_compute_score({"reward": {"type": "field.value"}})
    with pytest.raises(TypeError, match="solution_str"):
        compute_score("src")


def test_pickles_for_process_pools():
    compute_score = merit.verl_compute_score({"reward": {"type": "field.value", "path": "rm"}},
                                             unscorable_score=-3.0)
    clone = pickle.loads(pickle.dumps(compute_score))
    assert clone("s", "t", "g", {})["score"] == -3.0
