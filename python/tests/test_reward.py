"""merit.Reward: building, scoring, results, errors, pickling, the registry listing."""

import json
import math
import pickle

import pytest

import merit
from merit import _codec
from conftest import FIELDS_CONFIG, requires


def test_score_returns_reward_status_and_components(fields_reward):
    result = fields_reward.score({"completion": "x", "metadata": {"a": 1, "b": 0.25}})
    assert result == {
        "reward": 1.5,
        "status": "ok",
        "components": {"total": 1.5, "a": 1.0, "b": 0.25},
    }
    assert isinstance(result["reward"], float)
    assert all(isinstance(v, float) for v in result["components"].values())


def test_result_holds_merit_keys_only_even_when_input_has_them(fields_reward):
    # The input's own "reward"/"status" keys are replaced, never duplicated or echoed back.
    sample = {"completion": "x", "metadata": {"a": 2, "b": 0}, "reward": "stale", "id": 7}
    result = fields_reward.score(sample)
    assert set(result) == {"reward", "status", "components"}
    assert result["reward"] == 2.0


def test_unscorable_and_error_are_results_not_exceptions(fields_reward):
    unscorable, error = fields_reward.score_batch(
        [{"completion": "x", "metadata": {"a": 1}}, {"prompt": "no completion"}]
    )
    assert unscorable["status"] == "unscorable"
    assert unscorable["reward"] is None
    assert unscorable["reason"] == "missing_value"
    assert unscorable["components"] == {"total": None, "a": 1.0, "b": None}
    assert error["status"] == "error"
    assert error["reason"] == "missing_field"
    assert error["reward"] is None
    assert "completion" in error["explanation"]


def test_score_batch_keeps_order_and_matches_score(fields_reward):
    samples = [{"completion": "x", "metadata": {"a": i, "b": -i}} for i in range(1000)]
    results = fields_reward.score_batch(samples)
    assert [r["reward"] for r in results] == [float(i - 2 * i) for i in range(1000)]
    assert results[17] == fields_reward.score(samples[17])
    assert fields_reward.score_batch([]) == []


def test_score_batch_accepts_any_iterable_of_dicts(fields_reward):
    results = fields_reward.score_batch(
        {"completion": "x", "metadata": {"a": i, "b": 0}} for i in range(3)
    )
    assert [r["reward"] for r in results] == [0.0, 1.0, 2.0]


def test_score_lines_is_the_cli_format(fields_reward):
    lines = fields_reward.score_lines(
        ['{"completion": "x", "metadata": {"a": 1, "b": 1}}', b'{"completion": "x"}', "not json"]
    )
    assert len(lines) == 3
    first = json.loads(lines[0])
    assert first["metadata"] == {"a": 1, "b": 1}  # The input object, echoed.
    assert first["reward"] == 3
    assert json.loads(lines[1])["status"] == "unscorable"
    third = json.loads(lines[2])
    assert third == {"line": 3, "reward": None, "status": "error", "reason": "invalid_json",
                     "explanation": third["explanation"]}


def test_score_lines_rejects_newlines_and_non_strings(fields_reward):
    with pytest.raises(ValueError, match=r"lines\[1\]: contains a newline"):
        fields_reward.score_lines(['{"completion": "x"}', '{"completion":\n"x"}'])
    with pytest.raises(TypeError, match=r"lines\[0\]: expected str or bytes"):
        fields_reward.score_lines([{"completion": "x"}])
    with pytest.raises(TypeError, match="got a single string"):
        fields_reward.score_lines('{"completion": "x"}')


def test_overlong_line_is_an_error_result(fields_reward):
    huge = json.dumps({"completion": "x" * (17 << 20)})
    (line,) = fields_reward.score_lines([huge])
    assert json.loads(line)["reason"] == "line_too_long"


def test_from_file_yaml_and_json_equal_from_dict(tmp_path):
    yaml_path = tmp_path / "reward.yaml"
    yaml_path.write_text(
        "reward:\n"
        "  type: weighted_sum\n"
        "  name: total\n"
        "  children:\n"
        "    - {type: field.value, name: a, path: a}\n"
        "    - {type: field.value, name: b, path: b, weight: 2.0}\n"
    )
    json_path = tmp_path / "reward.json"
    json_path.write_text(json.dumps(FIELDS_CONFIG))
    from_yaml = merit.Reward.from_file(yaml_path)
    from_json = merit.Reward.from_file(str(json_path))
    from_dict = merit.Reward.from_dict(FIELDS_CONFIG)
    assert from_yaml.config_hash == from_json.config_hash == from_dict.config_hash
    assert from_yaml.source == str(yaml_path)
    assert from_dict.source == "<dict>"
    assert from_yaml.config == FIELDS_CONFIG
    assert merit.load_config(yaml_path) == FIELDS_CONFIG
    sample = {"completion": "x", "metadata": {"a": 0.5, "b": 1}}
    assert from_yaml.score(sample) == from_dict.score(sample)


def test_properties(fields_reward):
    assert fields_reward.component_names == ["total", "a", "b"]
    assert fields_reward.threads == 2
    assert not fields_reward.has_advantages
    assert not fields_reward.group_level
    assert {"completion", "prompt", "metadata", "group"} <= set(fields_reward.input_keys)
    assert "config_hash" in repr(fields_reward)
    assert merit.Reward.from_dict(FIELDS_CONFIG).threads >= 1  # None: the process's cores.


def test_group_level_property():
    reward = merit.Reward.from_dict(
        {"reward": {"type": "normalize_then_sum", "children": [{"type": "field.value"}]}}
    )
    assert reward.group_level and not reward.has_advantages


def test_advantages_are_computed_per_group_within_a_call():
    reward = merit.Reward.from_dict(
        {"reward": {"type": "field.value", "path": "r"}, "advantages": {"type": "drgrpo"}}
    )
    assert reward.has_advantages
    assert not reward.group_level  # Rewards themselves do not depend on the group.
    samples = [
        {"prompt": "p1", "completion": "x", "metadata": {"r": 1}},
        {"prompt": "p1", "completion": "y", "metadata": {"r": 0}},
        {"prompt": "p2", "completion": "z", "metadata": {"r": 5}},
        {"prompt": "p2", "completion": "w", "metadata": {"r": 5}},
    ]
    # Grouped by prompt text: Dr. GRPO's advantage is r minus the group mean.
    assert [r["advantage"] for r in reward.score_batch(samples)] == [0.5, -0.5, 0.0, 0.0]


# --- errors (style.md B4) ---------------------------------------------------------------------


def test_missing_config_file_is_file_not_found(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(FileNotFoundError) as info:
        merit.Reward.from_file(missing)
    assert info.value.filename == str(missing)
    with pytest.raises(FileNotFoundError):
        merit.load_config(missing)


def test_invalid_config_is_value_error_naming_file_and_path(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("reward:\n  type: weighted_sum\n  children: [{type: field.valeu}]\n")
    with pytest.raises(ValueError) as info:
        merit.Reward.from_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}: reward.children[0].type: ")
    assert 'did you mean "field.value"?' in message


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "syntax.yaml"
    path.write_text("reward:\n  type: [unclosed\n")
    with pytest.raises(ValueError, match=rf"^{path}: line \d+"):
        merit.Reward.from_file(path)


def test_invalid_dict_config_is_value_error_with_source_label():
    with pytest.raises(ValueError, match=r'^<dict>: reward.paht: unknown option, did you mean'):
        merit.Reward.from_dict({"reward": {"type": "field.value", "paht": "x"}})
    with pytest.raises(ValueError, match=r"^my-config: missing `reward:`"):
        merit.Reward.from_dict({"fields": "verl"}, source="my-config")
    with pytest.raises(ValueError, match="not plain JSON data"):
        merit.Reward.from_dict({"reward": {"type": "field.value", "weight": float("nan")}})
    with pytest.raises(TypeError):
        merit.Reward.from_dict(["reward"])


def test_bad_arguments_are_type_and_value_errors(fields_reward):
    with pytest.raises(TypeError, match=r"samples\[1\]: expected a dict"):
        fields_reward.score_batch([{"completion": "x"}, "x"])
    with pytest.raises(TypeError, match=r"samples\[0\]: .*not JSON serializable"):
        fields_reward.score({"completion": "x", "metadata": {"a": object()}})
    with pytest.raises(ValueError, match="threads"):
        merit.Reward.from_dict(FIELDS_CONFIG, threads=0)
    with pytest.raises(TypeError):
        merit.Reward(object())


def test_unknown_registry_name_is_key_error():
    with pytest.raises(KeyError, match='did you mean "field.value"'):
        merit.describe("field.valeu")


def test_merit_exceptions_are_exported():
    assert issubclass(merit.ResourceExhausted, RuntimeError)
    assert issubclass(merit.Cancelled, RuntimeError)
    assert merit.ResourceExhausted.__module__ == "merit"


# --- pickling -----------------------------------------------------------------------------------


def test_pickle_round_trip_keeps_config_and_results(tmp_path):
    path = tmp_path / "reward.json"
    path.write_text(json.dumps(FIELDS_CONFIG))
    reward = merit.Reward.from_file(path, threads=3)
    restored = pickle.loads(pickle.dumps(reward))
    path.unlink()  # The config travels inside the pickle, not as a path.
    assert restored.config_hash == reward.config_hash
    assert restored.source == str(path)
    assert restored.threads == 3
    sample = {"completion": "x", "metadata": {"a": 1, "b": 2}}
    assert restored.score(sample) == reward.score(sample)


# --- the registry listing -----------------------------------------------------------------------


def test_list_rewards_describes_every_entry():
    entries = merit.list_rewards()
    names = [e["name"] for e in entries]
    assert len(names) == len(set(names))
    assert {"field.value", "weighted_sum", "grpo"} <= set(names)
    for entry in entries:
        assert entry["kind"] in ("reward", "aggregator", "advantage")
        assert entry["summary"]
        assert isinstance(entry["options"], list)
    kinds = {e["name"]: e["kind"] for e in entries}
    assert kinds["weighted_sum"] == "aggregator" and kinds["grpo"] == "advantage"
    assert all(e["kind"] == "reward" for e in merit.list_rewards("reward"))
    with pytest.raises(ValueError):
        merit.list_rewards("judge")


def test_describe_decodes_option_defaults():
    entry = merit.describe("field.value")
    assert entry["name"] == "field.value" and entry["kind"] == "reward"
    assert math.isinf(entry["max"])
    options = {o["name"]: o for o in entry["options"]}
    assert options["path"]["default"] == "score"
    assert options["missing"]["limits"] == "one of: unscorable, error, zero"
    gate = merit.describe("gate")
    assert [slot["name"] for slot in gate["children"]] == ["gates", "children"]


@requires("format.tags")
def test_describe_list_default():
    options = {o["name"]: o for o in merit.describe("format.tags")["options"]}
    assert isinstance(options["tags"]["default"], list)


# --- JSON conversion ----------------------------------------------------------------------------


@pytest.mark.parametrize("use_orjson", [True, False])
def test_codec_paths_agree(monkeypatch, fields_reward, use_orjson):
    if use_orjson and _codec.orjson is None:
        pytest.skip("orjson is not installed")
    if not use_orjson:
        monkeypatch.setattr(_codec, "orjson", None)
    samples = [
        {"completion": "héllo ✓", "metadata": {"a": 1, "b": 2}},
        {"completion": "x", "metadata": {"a": float("nan"), "b": 1}},  # NaN becomes null.
        {"completion": "x", "metadata": {"a": 2**70, "b": 1}},  # Beyond 64-bit integers.
        {"completion": "bad \ud800 surrogate", "metadata": {"a": 1, "b": 1}},
        {"completion": "x", "metadata": {1: "int key", "a": 1, "b": 0}},
    ]
    results = fields_reward.score_batch(samples)
    assert results[0]["reward"] == 5.0
    assert results[1]["status"] == "unscorable"  # metadata.a is null: not a number.
    assert results[2]["reward"] == pytest.approx(2.0**70 + 2)
    assert results[3]["status"] == "error"  # Only that sample; the batch goes on.
    assert results[4]["reward"] == 1.0


def test_codec_rejects_circular_data():
    data = {"completion": "x"}
    data["self"] = data
    with pytest.raises((TypeError, ValueError)):
        _codec.dumps(data)
