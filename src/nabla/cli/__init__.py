"""The ``nabla`` command.

Each sub-command lives in its own module of this package and provides two functions:
``add_parser(subparsers)`` (registers its arguments) and ``run(args) -> int`` (does the work,
prints results on stdout, progress on stderr, returns the exit code). Results go to stdout,
progress to stderr, and a failure is one readable line on stderr with a non-zero exit code;
the full traceback is printed only with ``--debug``.

Floating-point errors never reach the terminal as raw NumPy warnings: commands run under
``np.errstate(all="ignore")`` and check their numbers themselves (a diverging run stops
with its one error line); any other warning of a successful command is shown as one line
``nabla COMMAND: warning: ...``, and a failed command shows its error line alone.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from collections.abc import Sequence

import numpy as np

# Sub-command modules, in the order ``nabla --help`` lists them. A module that is not there
# (yet) is skipped, so the command works while the project grows.
_COMMANDS = ("train", "evaluate", "predict", "bootstrap")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nabla",
        description="Train, evaluate and bootstrap machine-learning models with nabla.",
    )
    parser.add_argument(
        "--debug", action="store_true", help="print the full traceback when a command fails"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        try:
            module = importlib.import_module(f"nabla.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"nabla.cli.{name}":
                continue
            raise
        module.add_parser(subparsers)
    return parser


def _show_warnings(command: str, caught: list[warnings.WarningMessage]) -> None:
    """Each distinct warning of a successful command as one line on stderr."""
    seen: set[str] = set()
    for w in caught:
        text = " ".join(str(w.message).split())
        if text not in seen:
            seen.add(text)
            print(f"nabla {command}: warning: {text}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings(record=True) as caught:
            code = int(args.run(args) or 0)
        _show_warnings(args.command, caught)
        return code
    except KeyboardInterrupt:
        print("nabla: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``nabla train | head``): stop quietly, as Unix tools do
        try:  # later writes (at interpreter exit) go nowhere instead of failing again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # stdout without a file descriptor
            pass
        return 141
    except Exception as exc:  # the one place that turns any failure into one line
        if args.debug:
            raise
        print(f"nabla {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
