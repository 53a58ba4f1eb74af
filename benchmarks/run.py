"""Run nabla's benchmarks against their peers: ``python benchmarks/run.py [NAME ...]``.

Each ``benchmarks/bench_<name>.py`` defines ``main(quick: bool) -> None`` which prints its
comparisons through ``harness.compare``. With no name, every benchmark runs. ``--quick``
uses smaller sizes (a smoke run, not a measurement).
"""

from __future__ import annotations

import argparse
import importlib
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all): {available()}")
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--threads", type=int, default=None, help="threads for BLAS and torch")
    args = parser.parse_args()
    names = args.names or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {available()}")
    from harness import set_threads

    print(f"threads: {set_threads(args.threads)}", flush=True)
    for name in names:
        print(f"== {name}", flush=True)
        importlib.import_module(f"bench_{name}").main(quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
