"""The Python examples run as documented (python examples/python/NAME.py)."""

import pathlib
import subprocess
import sys

import pytest

from conftest import requires

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))


def test_examples_exist():
    assert {p.name for p in SCRIPTS} >= {"trl_grpo.py", "verl_reward.py", "openrlhf_reward_func.py"}


@requires("match.numeric", "format.tags", "penalty.overlong")
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_example_runs(script):
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
