"""Shared helpers for merit's Python tests. They test the installed package (`pip install .`)."""

import pytest

import merit

REGISTERED = {entry["name"] for entry in merit.list_rewards()}


def requires(*names):
    """Skips a test until every named reward is registered (families land independently)."""
    missing = [name for name in names if name not in REGISTERED]
    return pytest.mark.skipif(bool(missing), reason=f"not registered yet: {', '.join(missing)}")


# A config that needs no leaf reward beyond field.value: metadata numbers become components.
FIELDS_CONFIG = {
    "reward": {
        "type": "weighted_sum",
        "name": "total",
        "children": [
            {"type": "field.value", "name": "a", "path": "a"},
            {"type": "field.value", "name": "b", "path": "b", "weight": 2.0},
        ],
    }
}


@pytest.fixture
def fields_reward():
    return merit.Reward.from_dict(FIELDS_CONFIG, threads=2)
