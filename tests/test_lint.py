"""ruff and mypy over the code, with the project's own configuration
(pyproject.toml, [tool.ruff] and [tool.mypy]); README, "Development"."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(tool) is None:
        pytest.skip(f'{tool} is not installed (it comes with: pip install -e ".[test]")')
    return subprocess.run([sys.executable, "-m", tool, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_ruff_finds_nothing() -> None:
    # --no-cache: xdist may run this beside another checkout's run; the check takes well under a second.
    res = _run("ruff", "check", "--no-cache", "src", "tests")
    assert res.returncode == 0, f"ruff check:\n{res.stdout}{res.stderr}"


def test_mypy_finds_nothing() -> None:
    # The cache in .mypy_cache (git-ignored) makes a repeated run take seconds; the first takes about a minute.
    res = _run("mypy")
    assert res.returncode == 0, f"mypy:\n{res.stdout}{res.stderr}"
