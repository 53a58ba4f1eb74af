"""The ``nabla`` dispatcher: one error line and exit code 1, traceback only with --debug."""

from __future__ import annotations

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


def test_debug_shows_the_traceback(monkeypatch) -> None:
    monkeypatch.setattr(cli, "build_parser", _failing_parser(ValueError("bad thing happened")))
    with pytest.raises(ValueError, match="bad thing happened"):
        cli.main(["--debug"])


def test_interrupt_exits_130(monkeypatch, capsys) -> None:
    monkeypatch.setattr(cli, "build_parser", _failing_parser(KeyboardInterrupt()))
    assert cli.main([]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_broken_pipe_exits_quietly(monkeypatch, capsys) -> None:
    monkeypatch.setattr(cli, "build_parser", _failing_parser(BrokenPipeError()))
    monkeypatch.setattr("os.dup2", lambda *a: None)  # keep pytest's stdout
    assert cli.main([]) == 141
    assert capsys.readouterr().err == ""
