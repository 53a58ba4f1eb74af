"""The README's promises outside its Python blocks: CI runs the Quick start's test command
as written, and the outputs it shows for `nabla train` and `nabla bootstrap` are what the
commands print (timings aside)."""

from __future__ import annotations

import pathlib
import re

import pytest

from nabla.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _quick_start() -> list[str]:
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", README, re.S)
    assert block is not None, "README has no Quick start bash block"
    return [line for line in block[1].splitlines() if line.strip()]


def _text_block(first_line_prefix: str) -> list[str]:
    for block in re.findall(r"```text\n(.*?)```", README, re.S):
        if block.startswith(first_line_prefix):
            return block.splitlines()
    raise AssertionError(f"README shows no output block starting {first_line_prefix!r}")


def test_quick_start_has_two_commands_and_ci_runs_the_second() -> None:
    commands = _quick_start()
    assert len(commands) == 2
    assert commands[0].endswith(".venv/bin/nabla train")
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert commands[1] in ci, ".ci/run must run the README's test command exactly as written"


def _without_timing(line: str) -> str:
    return re.sub(r"\s+[0-9.]+ s$", "", line)


def test_train_output_is_the_readme_one(tmp_path, monkeypatch, capsys) -> None:
    shown = _text_block("nabla train:")
    monkeypatch.chdir(tmp_path)
    assert main(["train"]) == 0
    printed = capsys.readouterr()
    lines = (printed.err + printed.out).splitlines()
    for want in shown:
        if want == "..." or want.startswith("time:"):
            continue
        assert _without_timing(want) in [_without_timing(x) for x in lines], want
    assert (tmp_path / "nabla-output" / "model.safetensors").is_file()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_bootstrap_output_is_the_readme_one(tmp_path, monkeypatch, capsys) -> None:
    shown = _text_block("$ nabla bootstrap")
    argv = shown[0].removeprefix("$ nabla ").split()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:-1] == shown[1:-1]
    assert shown[-1].startswith("figure: /") and shown[-1].endswith("/docs/bootstrap_band.png")
    assert lines[-1] == f"figure: {(tmp_path / 'docs' / 'bootstrap_band.png').resolve()}"
