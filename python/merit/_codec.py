"""JSON between Python and the engine: orjson when it is importable (several times faster), else
the standard library's json. Both give the same engine input for the same sample, apart from
orjson's wider set of serialisable types (dataclasses, datetimes)."""

from __future__ import annotations

import json
import math
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - exercised by the json-fallback tests via monkeypatch
    orjson = None

_ORJSON_OPTIONS = 0 if orjson is None else (orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
_SEPARATORS = (",", ":")


def _jsonable(value: Any) -> Any:
    """`default` hook: NumPy arrays and scalars and PyTorch tensors (verl's ground truths and
    extra_info, TRL's columns) become plain lists and numbers."""
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _finite(value: Any) -> Any:
    """A copy with NaN and infinities replaced by None: JSON has no such numbers, and orjson
    writes them as null too."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return _finite(tolist())
    return value


def dumps(value: Any) -> bytes:
    """One JSON document as UTF-8 bytes, on one line.

    Raises TypeError for values that have no JSON form, ValueError for circular references."""
    if orjson is not None:
        try:
            return orjson.dumps(value, default=_jsonable, option=_ORJSON_OPTIONS)
        except TypeError:
            # orjson refuses integers beyond 64 bits, lone surrogates and very deep nesting;
            # json below accepts or escapes them, and raises for what truly has no JSON form.
            pass
    try:
        return json.dumps(
            value, default=_jsonable, ensure_ascii=False, allow_nan=False, separators=_SEPARATORS
        ).encode("utf-8")
    except ValueError as error:
        # NaN or infinity (allow_nan=False), or a lone surrogate that UTF-8 cannot encode
        # (UnicodeEncodeError is a ValueError). ensure_ascii escapes the surrogate; the engine
        # then reports that one sample as invalid instead of failing the whole batch.
        try:
            cleaned = _finite(value)
        except RecursionError:
            raise error from None  # A circular reference: json's own message says so.
        return json.dumps(
            cleaned, default=_jsonable, ensure_ascii=True, allow_nan=False, separators=_SEPARATORS
        ).encode("utf-8")


def loads(text: str | bytes) -> Any:
    if orjson is not None:
        return orjson.loads(text)
    return json.loads(text)
