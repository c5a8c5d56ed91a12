"""merit.Reward: a compiled config, and the registry listing."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import Any, Optional, Union

from . import _merit
from ._codec import dumps, loads

# The keys merit adds to an input object (io/line_scorer.h), in the order results list them.
# A result dict keeps only these: the input echoed by the CLI format is the caller's own data.
_RESULT_KEYS = ("reward", "status", "reason", "explanation", "components", "advantage")


def _thread_count(threads: Optional[int]) -> int:
    """None means every core this process may run on (its affinity, not the machine's size)."""
    if threads is None:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # Not on Linux.
            return max(1, os.cpu_count() or 1)
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads: expected a positive integer or None, got {threads!r}")
    return threads


def _config_text(config: Mapping, source: str) -> str:
    if not isinstance(config, Mapping):
        raise TypeError(f"{source}: expected a config dict, got {type(config).__name__}")
    try:
        return json.dumps(config, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{source}: the config is not plain JSON data: {error}") from None


def _float(value: Any) -> Any:
    # JSON writes 1.0 as 1; results promise floats.
    return float(value) if type(value) is int else value


def _result(line: str) -> dict:
    return _result_from_dict(loads(line))


def _result_from_dict(out: dict) -> dict:
    """A result dict from a parsed output line (or a served result object): merit's keys only,
    numbers as floats."""
    result = {key: out[key] for key in _RESULT_KEYS if key in out}
    result["reward"] = _float(result.get("reward"))
    if "advantage" in result:
        result["advantage"] = _float(result["advantage"])
    components = result.get("components")
    if components:
        result["components"] = {name: _float(value) for name, value in components.items()}
    return result


def _sample_lines(samples: Iterable[Mapping]) -> list:
    """Each sample as one JSON line (bytes). Raises TypeError/ValueError naming the sample."""
    lines = []
    for i, sample in enumerate(samples):
        if not isinstance(sample, Mapping):
            raise TypeError(f"samples[{i}]: expected a dict, got {type(sample).__name__}")
        try:
            lines.append(dumps(sample))
        except (TypeError, ValueError) as error:
            raise type(error)(f"samples[{i}]: {error}") from None
    return lines


def _restore(config_json: str, source: str, threads: Optional[int]) -> "Reward":
    return Reward(_merit.Engine.from_json(config_json, source, _thread_count(threads)), threads)


class Reward:
    """A reward config compiled into merit's engine: a reward tree, a field mapping and, when the
    config asks, an advantage estimator.

    Immutable and thread-safe: build it once and share it between threads; scoring releases the
    GIL and runs on the engine's own thread pool. Picklable (the config travels, not the file
    path), so it can be sent to Ray workers or process pools.

    Results are dicts with the keys of `merit score`'s output lines: ``reward`` (a float, or None
    when the sample could not be scored), ``status`` (``"ok"``, ``"unscorable"`` or ``"error"``),
    ``components`` (one value per node of the reward tree; None for a node that was skipped or
    failed), and when present ``reason``, ``explanation`` and ``advantage``.
    """

    __slots__ = ("_engine", "_threads")

    def __init__(self, engine: "_merit.Engine", threads: Optional[int] = None):
        if not isinstance(engine, _merit.Engine):
            raise TypeError("build a Reward with Reward.from_file(path) or .from_dict(config)")
        self._engine = engine
        self._threads = threads  # As asked: None re-resolves to the cores of the process.

    @classmethod
    def from_file(cls, path: Union[str, os.PathLike], *, threads: Optional[int] = None) -> "Reward":
        """Loads a YAML or JSON config file.

        Raises FileNotFoundError when the file cannot be opened, ValueError when the config is
        invalid (the message names the file, the path in it and the closest valid names)."""
        path = os.fspath(path)
        return cls(_merit.Engine.from_file(path, _thread_count(threads)), threads)

    @classmethod
    def from_dict(
        cls, config: Mapping, *, threads: Optional[int] = None, source: str = "<dict>"
    ) -> "Reward":
        """Compiles a config given as a dict (the parsed form of a config file).

        ``source`` labels error messages. Raises ValueError for an invalid config."""
        text = _config_text(config, source)
        return cls(_merit.Engine.from_json(text, source, _thread_count(threads)), threads)

    def score(self, sample: Mapping) -> dict:
        """Scores one sample (an input object: ``{"completion": ..., "reference": ...}`` or the
        shape the config's ``fields:`` maps)."""
        return self.score_batch([sample])[0]

    def score_batch(self, samples: Iterable[Mapping]) -> list:
        """Scores samples as one batch: results[i] is samples[i]'s. Group-level nodes and
        advantages see the groups of this batch. A sample that cannot be used (missing field,
        wrong type) gets a result with status "error", not an exception."""
        return [_result(line) for line in self._engine.score_lines(_sample_lines(samples))]

    def score_lines(self, lines: Iterable[Union[str, bytes]]) -> list:
        """JSONL in, JSONL out, exactly as ``merit score``: each input is one JSON object (str or
        bytes, no newline) and each output line is that object plus merit's keys."""
        return self._engine.score_lines(lines)

    @property
    def config_hash(self) -> str:
        """Stable hash of the config and merit's version, stamped on every result set."""
        return self._engine.config_hash

    @property
    def component_names(self) -> list:
        """The keys of ``components`` in results, in pre-order over the reward tree."""
        return self._engine.component_names

    @property
    def threads(self) -> int:
        return self._engine.threads

    @property
    def has_advantages(self) -> bool:
        return self._engine.has_advantages

    @property
    def group_level(self) -> bool:
        """True when a sample's reward depends on the other samples of its group
        (normalize_then_sum, group-normalised if_correct). Such configs, like advantages, need
        each group's samples in one call."""
        return self._engine.group_level

    @property
    def source(self) -> str:
        """The config file's path, or the label given to from_dict."""
        return self._engine.source

    @property
    def config(self) -> dict:
        """The whole config as a dict (a copy)."""
        return loads(self._engine.config_json)

    @property
    def input_keys(self) -> list:
        """The top-level keys of an input object that the field mapping reads."""
        return self._engine.input_keys

    def __reduce__(self):
        return (_restore, (self._engine.config_json, self._engine.source, self._threads))

    def __repr__(self) -> str:
        return (
            f"merit.Reward(source={self.source!r}, config_hash={self.config_hash!r}, "
            f"components={self.component_names!r})"
        )


def _entry(raw: dict) -> dict:
    options = []
    for option in raw["options"]:
        option = dict(option)
        option["default"] = loads(option.pop("default_json"))
        options.append(option)
    return dict(raw, options=options)


def list_rewards(kind: Optional[str] = None) -> list:
    """Every registered reward, aggregator and advantage estimator, as dicts with ``name``,
    ``kind`` (``"reward"``, ``"aggregator"`` or ``"advantage"``), ``summary``, ``min``/``max``
    (the declared output range), ``example``, ``source``, ``options`` (``name``, ``type``,
    ``default``, ``doc``, ``limits``) and, for aggregators, ``children`` and ``child_keys``.
    ``kind`` keeps one kind only."""
    kinds = ("reward", "aggregator", "advantage")
    if kind is not None and kind not in kinds:
        raise ValueError(f"kind: expected one of {', '.join(kinds)} or None, got {kind!r}")
    return [_entry(e) for e in _merit.list_registry() if kind is None or e["kind"] == kind]


def describe(name: str) -> dict:
    """One registry entry (see list_rewards). Raises KeyError for an unknown name, with the
    closest known names."""
    return _entry(_merit.describe(name))


def load_config(path: Union[str, os.PathLike]) -> dict:
    """A config file (YAML or JSON) as a dict, without compiling it. Raises FileNotFoundError or
    ValueError (syntax, with file and line)."""
    return loads(_merit.load_config_json(os.fspath(path)))
