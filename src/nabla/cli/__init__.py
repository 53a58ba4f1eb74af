"""The ``nabla`` command.

Each sub-command lives in its own module of this package and provides two functions:
``add_parser(subparsers)`` (registers its arguments) and ``run(args) -> int`` (does the work,
prints results on stdout, progress on stderr, returns the exit code). Results go to stdout,
progress to stderr, and a failure is one readable line on stderr with a non-zero exit code;
the full traceback is printed only with ``--debug``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.run(args) or 0)
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
