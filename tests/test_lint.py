"""ruff (lint and format) and mypy are clean: CI enforces what the project promises."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PATHS = ["src", "tests", "benchmarks", "examples"]


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)


def _tool(name: str) -> str:
    exe = shutil.which(name, path=str(pathlib.Path(sys.executable).parent))
    if exe is None:
        pytest.fail(f"{name} is not installed in this environment (pip install -e '.[test]')")
    return exe


def test_ruff_lint_is_clean() -> None:
    out = _run(_tool("ruff"), "check", *PATHS)
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_format_is_clean() -> None:
    out = _run(_tool("ruff"), "format", "--check", *PATHS)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_is_clean() -> None:
    out = _run(_tool("mypy"))
    assert out.returncode == 0, out.stdout + out.stderr
