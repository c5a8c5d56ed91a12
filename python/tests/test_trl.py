"""merit.trl_reward, called the way TRL's GRPOTrainer._calculate_rewards calls reward_funcs:

    output = reward_func(prompts=prompts, completions=completions,
                         completion_ids=completion_ids_list, **reward_kwargs)

where reward_kwargs holds every dataset column except prompt/completion (one entry per
completion) plus trainer_state, log_extra and log_metric (TRL >= 1.x).
"""

import inspect
import math
import pickle

import pytest

import merit
from conftest import requires

CORRECT_AND_FORMAT = {
    "reward": {
        "type": "weighted_sum",
        "children": [
            {"type": "match.exact", "name": "correct"},
            {"type": "format.tags", "name": "format", "tags": ["think", "answer"], "weight": 0.5},
        ],
    }
}


class Recorder:
    """Stands in for TRL's log_extra / log_metric callbacks (and trainer_state)."""

    def __init__(self):
        self.calls = []

    def __call__(self, *args):
        self.calls.append(args)


def call_like_trl(func, prompts, completions, completion_ids, columns, log_extra=None,
                  log_metric=None):
    """GRPOTrainer._calculate_rewards, for a custom (non-Module) reward function."""
    reward_kwargs = dict(columns)
    reward_kwargs["trainer_state"] = object()
    reward_kwargs["log_extra"] = log_extra or Recorder()
    reward_kwargs["log_metric"] = log_metric or Recorder()
    output = func(prompts=prompts, completions=completions, completion_ids=completion_ids,
                  **reward_kwargs)
    assert len(output) == len(prompts)
    # TRL's own conversion: None becomes NaN, the rest float32.
    return [reward if reward is not None else math.nan for reward in output]


@requires("match.exact", "format.tags")
def test_standard_format_with_solution_column():
    func = merit.trl_reward(CORRECT_AND_FORMAT)
    prompts = ["What is 2+2?"] * 2 + ["What is 3+3?"] * 2
    completions = [
        "<think>2 and 2</think><answer>4</answer>",
        "<answer>5</answer>",
        "<think>3 and 3</think><answer>6</answer>",
        "6",
    ]
    ids = [[1, 2, 3]] * 4
    rewards = call_like_trl(func, prompts, completions, ids, {"solution": ["4", "4", "6", "6"]})
    assert rewards == [1.5, 0.0, 1.5, 1.0]


@requires("match.exact")
def test_conversational_format():
    func = merit.trl_reward({"reward": {"type": "match.exact"}})
    prompts = [
        [{"role": "system", "content": "Answer briefly."},
         {"role": "user", "content": "Capital of France?"}],
    ] * 2
    completions = [
        [{"role": "assistant", "content": "<answer>Paris</answer>"}],
        [{"role": "assistant", "content": [{"type": "text", "text": "<answer>Lyon</answer>"}]}],
    ]
    rewards = call_like_trl(func, prompts, completions, [[1], [2]], {"answer": ["paris", "paris"]})
    assert rewards == [1.0, 0.0]


@requires("match.exact")
def test_unscorable_samples_return_none():
    func = merit.trl_reward({"reward": {"type": "match.exact"}})
    output = func(prompts=["q1", "q2"], completions=["4", "4"], completion_ids=[[1], [1]],
                  solution=["4", None], trainer_state=None)
    assert output == [1.0, None]


def test_field_value_from_a_dataset_column_and_errors_are_none():
    # Runs without any leaf family but field.value: the "metadata" column is the trl preset's
    # metadata; a sample whose value is missing is unscorable, and TRL gets None.
    func = merit.trl_reward({"reward": {"type": "field.value", "path": "score"}})
    output = func(
        prompts=["p", "p", "p"],
        completions=["a", "b", "c"],
        completion_ids=[[1], [2], [3]],
        metadata=[{"score": 0.25}, {"score": -1}, {}],
        trainer_state=None,
    )
    assert output == [0.25, -1.0, None]


@requires("penalty.overlong")
def test_completion_ids_give_token_counts():
    func = merit.trl_reward(
        {"reward": {"type": "penalty.overlong", "max_length": 100, "buffer": 50, "unit": "tokens"}}
    )
    ids = [list(range(10)), list(range(75)), list(range(500))]
    rewards = call_like_trl(func, ["p"] * 3, ["a", "b", "c"], ids, {})
    assert rewards == [0.0, -0.5, -1.0]


@requires("format.tags")
def test_groups_are_prompts_for_group_level_nodes():
    # normalize_then_sum normalises each child over the completions of one prompt.
    func = merit.trl_reward(
        {"reward": {"type": "normalize_then_sum",
                    "children": [{"type": "format.tags", "tags": ["answer"]}]}}
    )
    prompts = ["A"] * 2 + ["B"] * 2
    completions = ["<answer>1</answer>", "nope", "<answer>2</answer>", "<answer>3</answer>"]
    rewards = call_like_trl(func, prompts, completions, [[1]] * 4, {})
    assert rewards[0] == pytest.approx(-rewards[1]) and rewards[0] > 0.5
    assert rewards[2:] == [0.0, 0.0]  # A constant group carries no signal.


@requires("match.exact", "format.tags")
def test_logs_components_and_status_through_trl_callbacks():
    func = merit.trl_reward(CORRECT_AND_FORMAT, name="acc")
    log_extra, log_metric = Recorder(), Recorder()
    call_like_trl(
        func, ["q"] * 3, ["<think>t</think><answer>4</answer>", "<answer>5</answer>", "4"],
        [[1]] * 3, {"solution": ["4", "4", None]}, log_extra, log_metric,
    )
    metrics = dict(log_metric.calls)
    assert metrics["acc/correct"] == pytest.approx(0.5)  # Mean over the scored samples.
    assert metrics["acc/format"] == pytest.approx(1 / 3)
    assert metrics["acc/unscorable_fraction"] == pytest.approx(1 / 3)
    assert metrics["acc/error_fraction"] == 0.0
    assert log_extra.calls == [("acc/status", ["ok", "ok", "unscorable: no_reference"])]


def test_only_mapped_columns_are_serialised():
    # TRL passes every dataset column; ones merit never reads may hold anything (images).
    func = merit.trl_reward({"reward": {"type": "field.value", "path": "s"}})
    output = func(prompts=["p"], completions=["c"], completion_ids=[[1]],
                  image=[object()], metadata=[{"s": 1}], trainer_state=object())
    assert output == [1.0]


def test_name_and_signature_match_what_trl_reads():
    func = merit.trl_reward({"reward": {"type": "field.value"}}, name="merit_math")
    assert func.__name__ == "merit_math"  # TRL's reward_func_names and log keys.
    assert not inspect.iscoroutinefunction(func)  # Called synchronously.
    parameters = inspect.signature(func).parameters
    assert {"prompts", "completions", "completion_ids"} <= set(parameters)
    assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def test_fields_preset_rules(tmp_path):
    # A config without `fields:` gets the trl preset; a mapping without a preset keeps its paths
    # on top of it; another preset is an error that names the file.
    mapped = merit.trl_reward(
        {"fields": {"metadata": "extra"}, "reward": {"type": "field.value", "path": "s"}}
    )
    assert mapped(prompts=["p"], completions=["c"], extra=[{"s": 3}]) == [3.0]
    assert mapped.reward.config["fields"] == {"metadata": "extra", "preset": "trl"}
    cli = merit.trl_reward({"fields": "default", "reward": {"type": "field.value"}})
    assert cli.reward.config["fields"] == "trl"  # A config written for `merit score`.
    path = tmp_path / "verl.yaml"
    path.write_text("fields: verl\nreward: {type: field.value}\n")
    with pytest.raises(ValueError, match=rf"^{path}: fields: .*merit.trl_reward builds trl"):
        merit.trl_reward(path)
    with pytest.raises(ValueError, match="fields.preset"):
        merit.trl_reward({"fields": {"preset": "openrlhf"}, "reward": {"type": "field.value"}})


def test_accepts_a_reward_and_reuses_it():
    reward = merit.Reward.from_dict({"fields": "trl", "reward": {"type": "field.value"}})
    assert merit.trl_reward(reward).reward is reward
    other = merit.trl_reward(merit.Reward.from_dict({"reward": {"type": "field.value"}}))
    assert other.reward.config["fields"] == "trl"


def test_column_length_mismatch_is_an_error():
    func = merit.trl_reward({"reward": {"type": "field.value"}})
    with pytest.raises(ValueError, match="metadata: 1 entries for 2 completions"):
        func(prompts=["p", "p"], completions=["a", "b"], metadata=[{}])


def test_pickles_for_worker_processes():
    func = merit.trl_reward({"reward": {"type": "field.value", "path": "s"}}, name="x")
    clone = pickle.loads(pickle.dumps(func))
    assert clone.__name__ == "x"
    assert clone(prompts=["p"], completions=["c"], metadata=[{"s": 2}]) == [2.0]
