"""The ``nabla`` dispatcher: one error line and exit code 1, traceback only with --debug."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from nabla import cli


def _failing_parser(exc: BaseException):
    real = cli.build_parser

    def build():
        parser = real()
        parser.set_defaults(command="boom", run=lambda args: (_ for _ in ()).throw(exc))
        return parser

    return build


def test_no_command_prints_help_and_exits_2(capsys) -> None:
    assert cli.main([]) == 2
    assert "usage: nabla" in capsys.readouterr().err


def test_failure_is_one_line_with_exit_1(monkeypatch, capsys) -> None:
    monkeypatch.setattr(cli, "build_parser", _failing_parser(ValueError("bad thing happened")))
    assert cli.main([]) == 1
    err = capsys.readouterr().err
    assert err == "nabla boom: error: bad thing happened\n"


def test_debug_propagates_the_exception_with_its_traceback(monkeypatch, capsys) -> None:
    exc = ValueError("bad thing happened")
    monkeypatch.setattr(cli, "build_parser", _failing_parser(exc))
    with pytest.raises(ValueError, match="bad thing happened") as info:
        cli.main(["--debug"])
    assert info.value is exc  # the very exception, not a re-wrapped one
    # its traceback runs from main down to the command's run function
    frames = [entry.name for entry in info.traceback]
    assert "main" in frames and "<lambda>" in frames
    assert capsys.readouterr().err == ""  # no one-line summary in place of the traceback


def _script(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nabla.cli", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_debug_prints_the_full_traceback_from_the_command(tmp_path: Path) -> None:
    missing = tmp_path / "missing.safetensors"
    plain = _script("evaluate", str(missing))
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert len(plain.stderr.splitlines()) == 1
    debug = _script("--debug", "evaluate", str(missing))
    assert debug.returncode == 1 and debug.stdout == ""
    err = debug.stderr
    assert err.startswith("Traceback (most recent call last):"), err
    # the frames of the dispatcher and of the command, then the exception itself
    assert re.search(r'File ".*nabla[/\\]cli[/\\]__init__\.py", line \d+, in main', err)
    assert re.search(r'File ".*nabla[/\\]cli[/\\]evaluate\.py", line \d+, in run', err)
    last = err.rstrip().splitlines()[-1]
    assert last.startswith("FileNotFoundError: ") and "missing.safetensors" in last
    assert plain.stderr == f"nabla evaluate: error: {last.split(': ', 1)[1]}\n"


def test_interrupt_exits_130(monkeypatch, capsys) -> None:
    monkeypatch.setattr(cli, "build_parser", _failing_parser(KeyboardInterrupt()))
    assert cli.main([]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_broken_pipe_exits_quietly(monkeypatch, capsys) -> None:
    monkeypatch.setattr(cli, "build_parser", _failing_parser(BrokenPipeError()))
    monkeypatch.setattr("os.dup2", lambda *a: None)  # keep pytest's stdout
    assert cli.main([]) == 141
    assert capsys.readouterr().err == ""
