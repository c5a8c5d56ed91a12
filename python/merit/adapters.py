"""Adapters with the exact signatures trainers call.

Each adapter builds input objects in the shape of one ``fields:`` preset (engine/field_mapping.cc)
and scores a whole call as one batch, so GRPO groups (several completions of one prompt, grouped
by prompt text unless a ``group`` key says otherwise) are seen together by group-level nodes.

The config may be a file path, a dict, a ``merit.Reward``, or a ``merit.RemoteReward`` (a config
served by ``merit serve``: ``merit.Client(url).reward(name)``; then only scoring is remote). A
config written for the CLI (no ``fields:``, or ``fields: default``) gets the trainer's preset; a ``fields:`` mapping without
a preset (or with ``preset: default``) gets the trainer's preset underneath its own paths (so
``{reference: answer_col}`` still works); a config that names another trainer's preset is an
error, because the adapter could not build the inputs it expects.

Every returned callable is picklable (the config travels, not a file path): trainers ship reward
functions to Ray workers and process pools.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

from . import _merit
from ._codec import loads
from ._reward import Reward, _config_text
from .client import RemoteReward

ConfigLike = Union[str, "os.PathLike[str]", Mapping, Reward, RemoteReward]

_NAN = float("nan")


def _reward_for(config: ConfigLike, preset: str, adapter: str, threads: Optional[int]) -> Reward:
    """A Reward whose field mapping reads `preset`-shaped objects."""
    if isinstance(config, RemoteReward):
        return config.with_fields(preset)  # The server applies the rule below (service.cc).
    if isinstance(config, Reward):
        root, source = config.config, config.source
        if threads is None:
            threads = config._threads
    elif isinstance(config, Mapping):
        source = "<dict>"
        root = loads(_config_text(config, source))  # A deep copy, checked to be JSON data.
    elif isinstance(config, (str, os.PathLike)):
        source = os.fspath(config)
        root = loads(_merit.load_config_json(source))
    else:
        raise TypeError(
            f"{adapter}: expected a config path, dict or merit.Reward, got {type(config).__name__}"
        )
    fields = root.get("fields")
    if fields is None or fields == "default":
        root["fields"] = preset
    elif isinstance(fields, str):
        if fields != preset:
            raise ValueError(
                f'{source}: fields: the config reads "{fields}"-shaped inputs, but {adapter} '
                f"builds {preset}-shaped ones; remove `fields:` or write "
                f"`fields: {{preset: {preset}, ...}}`"
            )
    elif isinstance(fields, Mapping):
        named = fields.get("preset")
        if named is None or named == "default":
            root["fields"] = dict(fields, preset=preset)
        elif named != preset:
            raise ValueError(
                f'{source}: fields.preset: the config reads "{named}"-shaped inputs, but {adapter} '
                f"builds {preset}-shaped ones; use `preset: {preset}` or remove it"
            )
    # Anything else in `fields:` is left for the engine to reject with its usual message.
    if isinstance(config, Reward) and root == config.config and threads == config._threads:
        return config
    return Reward.from_dict(root, threads=threads, source=source)


def _column(values: Any, name: str, n: int) -> Sequence:
    if values is None or isinstance(values, (str, bytes)) or not hasattr(values, "__getitem__"):
        raise TypeError(f"{name}: expected a list with one entry per completion")
    if len(values) != n:
        raise ValueError(f"{name}: {len(values)} entries for {n} completions")
    return values


def _optional_column(values: Any, name: str, n: int) -> Sequence:
    return [None] * n if values is None else _column(values, name, n)


def _check_component(reward: Reward, name: Optional[str], option: str) -> None:
    if name is None or name in reward.component_names:
        return
    close = difflib.get_close_matches(name, reward.component_names, n=3)
    hint = f', did you mean "{close[0]}"?' if close else ""
    raise ValueError(
        f'{option}: no component named "{name}"{hint} (components: '
        f"{', '.join(reward.component_names)})"
    )


def _fallback(result: dict, unscorable_score: float, error_score: float) -> float:
    """The number a trainer gets for a result: its reward, or the configured stand-in when the
    sample could not be scored (trainers that need a number for every sample)."""
    value = result.get("reward")
    if value is not None:
        return float(value)
    return unscorable_score if result.get("status") == "unscorable" else error_score


def _warn_single_sample(reward: Reward, trainer: str, fix: str) -> None:
    if reward.group_level:
        warnings.warn(
            f"merit: {reward.source}: this config normalises rewards within a group, but "
            f"{trainer} scores one sample per call, so every group has one member; {fix}",
            RuntimeWarning,
            stacklevel=3,
        )


# ---------------------------------------------------------------------------------------------
# TRL


# Keyword arguments TRL passes that are not dataset columns.
_TRL_NOT_COLUMNS = frozenset(
    {"prompts", "completions", "completion_ids", "trainer_state", "log_extra", "log_metric",
     "environments"}
)


class TrlRewardFunc:
    """A TRL ``reward_funcs`` entry (GRPOTrainer, RLOOTrainer).

    TRL calls ``func(prompts=..., completions=..., completion_ids=..., **columns)`` with one entry
    per completion in each list (prompts repeated once per generation), in the standard format
    (strings) or the conversational one (lists of ``{"role", "content"}`` messages), plus
    ``trainer_state`` and, in recent versions, the ``log_extra`` and ``log_metric`` callbacks.
    It returns one float per completion, or None where the sample could not be scored (status
    unscorable or error), which TRL treats as "this reward does not apply" (NaN, left out of the
    sum).

    Inputs use the ``trl`` preset: ``prompt``, ``completion``, the reference from the first of the
    ``solution``, ``answer``, ``ground_truth``, ``reference``, ``label`` columns, and
    ``num_tokens`` from ``completion_ids`` (for token-unit length penalties). Only the dataset
    columns that the field mapping reads are serialised.
    """

    def __init__(self, reward: Reward, name: str, log_metrics: bool, log_status: bool):
        self.reward = reward
        self.__name__ = name  # TRL names its reward logs after this.
        self.__qualname__ = name
        self.log_metrics = log_metrics
        self.log_status = log_status
        self._columns = frozenset(reward.input_keys) - _TRL_NOT_COLUMNS - {"prompt", "completion"}

    def __call__(self, prompts=None, completions=None, completion_ids=None, **kwargs) -> list:
        if completions is None:
            raise TypeError(f"{self.__name__}: TRL passes completions=[...]; none given")
        n = len(completions)
        if prompts is not None:
            _column(prompts, "prompts", n)
        if completion_ids is not None:
            _column(completion_ids, "completion_ids", n)
        columns = {
            key: _column(values, key, n)
            for key, values in kwargs.items()
            if key in self._columns
        }
        samples = []
        for i in range(n):
            sample = {"completion": completions[i]}
            if prompts is not None:
                sample["prompt"] = prompts[i]
            if completion_ids is not None:
                sample["num_tokens"] = len(completion_ids[i])
            for key, values in columns.items():
                sample[key] = values[i]
            samples.append(sample)
        results = self.reward.score_batch(samples)

        log_metric = kwargs.get("log_metric")
        if self.log_metrics and callable(log_metric) and results:
            self._log_metrics(results, log_metric)
        log_extra = kwargs.get("log_extra")
        if self.log_status and callable(log_extra) and results:
            log_extra(f"{self.__name__}/status", [_status_text(r) for r in results])
        # A non-ok result has reward None: TRL's "not applicable" value.
        return [r.get("reward") for r in results]

    def _log_metrics(self, results: list, log_metric) -> None:
        n = len(results)
        for status in ("unscorable", "error"):
            count = sum(1 for r in results if r.get("status") == status)
            log_metric(f"{self.__name__}/{status}_fraction", count / n)
        for component in self.reward.component_names[1:]:  # The root is TRL's own reward log.
            values = [
                v for r in results
                if (v := r.get("components", {}).get(component)) is not None
            ]
            if values:
                log_metric(f"{self.__name__}/{component}", sum(values) / len(values))

    def __repr__(self) -> str:
        return f"merit.TrlRewardFunc(name={self.__name__!r}, reward={self.reward!r})"


def _status_text(result: dict) -> str:
    status = result.get("status", "")
    reason = result.get("reason")
    return f"{status}: {reason}" if reason else status


def trl_reward(
    config: ConfigLike,
    *,
    name: str = "merit",
    threads: Optional[int] = None,
    log_metrics: bool = True,
    log_status: bool = True,
) -> TrlRewardFunc:
    """A reward function for TRL's ``GRPOTrainer(reward_funcs=[...])`` (and RLOOTrainer).

    ``name`` is the function's ``__name__``, which TRL uses in its logs
    (``rewards/<name>/mean``). When TRL passes ``log_metric``, the adapter also logs the mean of
    each non-root component and the fraction of unscorable and error samples per call
    (``log_metrics``); when it passes ``log_extra``, it adds a ``<name>/status`` column to the
    completions table (``log_status``)."""
    reward = _reward_for(config, "trl", "merit.trl_reward", threads)
    return TrlRewardFunc(reward, name, log_metrics, log_status)


# ---------------------------------------------------------------------------------------------
# verl


_VERL_RESERVED = frozenset({"score", "status", "reason"})


class VerlComputeScore:
    """verl's ``compute_score`` (``custom_reward_function``).

    verl's naive and DAPO reward managers call
    ``compute_score(data_source=..., solution_str=..., ground_truth=..., extra_info=...)`` once per
    sample (positionally in the PRIME manager), and its batch manager calls
    ``compute_score(data_sources=[...], solution_strs=[...], ground_truths=[...],
    extra_infos=[...])`` once per batch; both are accepted. Extra keyword arguments
    (``reward_kwargs`` from the verl config) are ignored.

    verl needs a number for every sample and logs every other key of a returned dict, collecting
    each key across the batch, so every result has the same keys: ``score``; ``status`` and
    ``reason`` (strings, which verl's metrics skip); and, with ``components=True``, one float per
    reward-tree component (``missing_component``, NaN by default, where a component was skipped
    or failed). An unscorable sample scores ``unscorable_score`` and an error ``error_score``
    (both 0.0 by default); ``status`` tells them apart from a real 0.
    """

    def __init__(self, reward: Reward, unscorable_score: float, error_score: float,
                 components: bool, missing_component: float, return_dict: bool):
        self.reward = reward
        self.unscorable_score = float(unscorable_score)
        self.error_score = float(error_score)
        self.components = components
        self.missing_component = float(missing_component)
        self.return_dict = return_dict
        self._keys = [
            (name, f"component/{name}" if name in _VERL_RESERVED else name)
            for name in reward.component_names
        ]

    def __call__(self, data_source=None, solution_str=None, ground_truth=None, extra_info=None,
                 *, data_sources=None, solution_strs=None, ground_truths=None, extra_infos=None,
                 **kwargs):
        if solution_strs is not None:
            n = len(solution_strs)
            sources = _optional_column(data_sources, "data_sources", n)
            truths = _optional_column(ground_truths, "ground_truths", n)
            extras = _optional_column(extra_infos, "extra_infos", n)
            samples = [
                _verl_sample(sources[i], solution_strs[i], truths[i], extras[i]) for i in range(n)
            ]
            return [self._convert(r) for r in self.reward.score_batch(samples)]
        if solution_str is None:
            raise TypeError(
                "compute_score: verl passes solution_str (or solution_strs from its batch reward "
                "manager); neither given"
            )
        _warn_single_sample(
            self.reward, "this verl reward manager",
            "use reward_model.reward_manager=batch so that one call sees the whole batch",
        )
        sample = _verl_sample(data_source, solution_str, ground_truth, extra_info)
        return self._convert(self.reward.score(sample))

    def _convert(self, result: dict):
        score = _fallback(result, self.unscorable_score, self.error_score)
        if not self.return_dict:
            return score
        out = {"score": score, "status": result.get("status", "error"),
               "reason": result.get("reason", "")}
        if self.components:
            values = result.get("components", {})
            for name, key in self._keys:
                value = values.get(name)
                out[key] = float(value) if value is not None else self.missing_component
        return out

    def __repr__(self) -> str:
        return f"merit.VerlComputeScore(reward={self.reward!r})"


def _verl_sample(data_source, solution_str, ground_truth, extra_info) -> dict:
    return {"data_source": data_source, "solution_str": solution_str,
            "ground_truth": ground_truth, "extra_info": extra_info}


def verl_compute_score(
    config: ConfigLike,
    *,
    threads: Optional[int] = None,
    unscorable_score: float = 0.0,
    error_score: float = 0.0,
    components: bool = True,
    missing_component: float = _NAN,
    return_dict: bool = True,
) -> VerlComputeScore:
    """A ``compute_score`` function for verl (``custom_reward_function.path`` /
    ``.name``): put ``compute_score = merit.verl_compute_score("reward.yaml")`` in the file verl
    loads. Inputs use the ``verl`` preset (``solution_str``, ``ground_truth``, ``data_source``,
    ``extra_info`` as metadata, groups by ``extra_info.index``). See VerlComputeScore for what it
    returns; ``return_dict=False`` returns the bare float."""
    reward = _reward_for(config, "verl", "merit.verl_compute_score", threads)
    return VerlComputeScore(reward, unscorable_score, error_score, components, missing_component,
                            return_dict)


# ---------------------------------------------------------------------------------------------
# OpenRLHF


class OpenRLHFRewardFunc:
    """The body of OpenRLHF's ``reward_func(queries, prompts, labels)`` (see
    openrlhf_reward_func, which wraps it in a plain function for Ray)."""

    def __init__(self, reward: Reward, unscorable_score: float, error_score: float,
                 scores_from: Optional[str], missing_component: float, tensors: Optional[bool]):
        _check_component(reward, scores_from, "scores_from")
        if tensors and importlib.util.find_spec("torch") is None:
            raise ImportError("tensors=True needs torch")
        self.reward = reward
        self.unscorable_score = float(unscorable_score)
        self.error_score = float(error_score)
        self.scores_from = scores_from
        self.missing_component = float(missing_component)
        self.tensors = tensors

    def __call__(self, queries, prompts, labels=None, **kwargs) -> dict:
        n = len(queries)
        _column(prompts, "prompts", n)
        if labels is not None:
            _column(labels, "labels", n)
        if n == 1:
            _warn_single_sample(
                self.reward, "OpenRLHF's single-turn executor",
                "group-level configs need OpenRLHF's batched reward calls",
            )
        samples = [
            {"query": queries[i], "prompt": prompts[i],
             "label": labels[i] if labels is not None else None}
            for i in range(n)
        ]
        results = self.reward.score_batch(samples)
        rewards = [_fallback(r, self.unscorable_score, self.error_score) for r in results]
        if self.scores_from is None:
            scores = list(rewards)
        else:
            scores = []
            for r in results:
                value = r.get("components", {}).get(self.scores_from)
                scores.append(float(value) if value is not None
                              else _fallback({"status": r.get("status")}, self.unscorable_score,
                                             self.error_score))
        extra_logs = {
            "merit/unscorable": [1.0 if r.get("status") == "unscorable" else 0.0 for r in results],
            "merit/error": [1.0 if r.get("status") == "error" else 0.0 for r in results],
        }
        for name in self.reward.component_names:
            extra_logs[f"merit/{name}"] = [
                float(v) if (v := r.get("components", {}).get(name)) is not None
                else self.missing_component
                for r in results
            ]
        return _openrlhf_output(rewards, scores, extra_logs, self.tensors)

    def __repr__(self) -> str:
        return f"merit.OpenRLHFRewardFunc(reward={self.reward!r})"


def _openrlhf_output(rewards: list, scores: list, extra_logs: dict, tensors: Optional[bool]):
    if tensors is False or (tensors is None and importlib.util.find_spec("torch") is None):
        return {"rewards": rewards, "scores": scores, "extra_logs": extra_logs}
    import torch

    def tensor(values):
        return torch.tensor(values, dtype=torch.float32)

    return {
        "rewards": tensor(rewards),
        "scores": tensor(scores),
        "extra_logs": {key: tensor(values) for key, values in extra_logs.items()},
    }


def openrlhf_reward_func(
    config: ConfigLike,
    *,
    threads: Optional[int] = None,
    unscorable_score: float = 0.0,
    error_score: float = 0.0,
    scores_from: Optional[str] = None,
    missing_component: float = _NAN,
    tensors: Optional[bool] = None,
):
    """OpenRLHF's custom reward function: in the file given to ``--remote_rm_url``, write
    ``reward_func = merit.openrlhf_reward_func("reward.yaml")``.

    OpenRLHF calls ``reward_func(queries, prompts, labels)`` positionally, where a query is the
    prompt followed by the response (the ``openrlhf`` preset strips the prompt back off), and
    reads ``rewards`` (used for advantages), ``scores`` (dynamic filtering; the reward unless
    ``scores_from`` names a component, e.g. a 0/1 correctness check) and ``extra_logs`` (logged):
    here ``merit/<component>`` per component (``missing_component`` where skipped or failed) and
    ``merit/unscorable`` / ``merit/error`` flags. Values are float32 torch tensors when torch is
    importable (``tensors=None``), lists otherwise. An unscorable sample scores
    ``unscorable_score``, an error ``error_score``.

    The result is a plain function (OpenRLHF's Ray path requires one) that pickles with
    cloudpickle; ``reward_func.__wrapped__`` is the OpenRLHFRewardFunc behind it."""
    impl = OpenRLHFRewardFunc(
        _reward_for(config, "openrlhf", "merit.openrlhf_reward_func", threads),
        unscorable_score, error_score, scores_from, missing_component, tensors,
    )

    def reward_func(queries, prompts, labels=None, **kwargs):
        return impl(queries, prompts, labels, **kwargs)

    reward_func.__doc__ = OpenRLHFRewardFunc.__doc__
    reward_func.__wrapped__ = impl
    return reward_func
