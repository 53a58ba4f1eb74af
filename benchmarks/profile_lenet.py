"""Where a LeNet-5 training step spends its time, op by op: ``python benchmarks/profile_lenet.py``.

Wraps the ``forward`` and ``backward`` of every autograd ``Function`` with a timer, trains
LeNet-5 (Adam, batch 64) on random 1x28x28 inputs for a few dozen steps, and prints the time
per step of each op's forward and backward, the optimiser step and what is left (graph
bookkeeping, Python). Not a benchmark against a peer (``run.py optim`` is); a map of where
to look next.
"""

from __future__ import annotations

import argparse
import collections
import time
from collections.abc import Iterator

import numpy as np

import nabla

# the op modules, so that every Function subclass exists before it is wrapped
import nabla.autograd.ops.conv
import nabla.autograd.ops.loss
import nabla.autograd.ops.nn
import nabla.autograd.ops.shape
from nabla import nn, optim
from nabla.autograd.engine import Function

_TOTALS: collections.defaultdict[str, float] = collections.defaultdict(float)


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _timed(cls: type, name: str) -> None:
    inner = cls.__dict__[name]
    key = f"{cls.__name__}.{name}"

    def wrapper(self, *args, **kwargs):
        t0 = time.perf_counter()
        out = inner(self, *args, **kwargs)
        _TOTALS[key] += time.perf_counter() - t0
        return out

    setattr(cls, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    for cls in set(_subclasses(Function)):
        for name in ("forward", "backward"):
            if name in cls.__dict__:
                _timed(cls, name)
    net = nn.models.LeNet5(rng=4)
    opt = optim.Adam(net.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    n = args.steps * args.batch_size
    X = rng.standard_normal((n, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, n)

    def epoch() -> float:
        spent = 0.0
        for i in range(0, n, args.batch_size):
            loss = criterion(
                net(nabla.tensor(X[i : i + args.batch_size])), y[i : i + args.batch_size]
            )
            opt.zero_grad()
            loss.backward()
            t0 = time.perf_counter()
            opt.step()
            spent += time.perf_counter() - t0
        return spent

    epoch()  # warm-up: workspaces, BLAS threads
    _TOTALS.clear()
    t0 = time.perf_counter()
    in_step = epoch()
    total = time.perf_counter() - t0
    per = 1e3 / args.steps
    print(f"LeNet-5, Adam, batch {args.batch_size}: {total * per:.2f} ms per step")
    for key, seconds in sorted(_TOTALS.items(), key=lambda kv: -kv[1]):
        print(f"  {key:<28} {seconds * per:7.3f} ms  {100 * seconds / total:5.1f}%")
    rest = total - sum(_TOTALS.values()) - in_step
    print(f"  {'optimiser step':<28} {in_step * per:7.3f} ms  {100 * in_step / total:5.1f}%")
    print(f"  {'rest (graph, Python)':<28} {rest * per:7.3f} ms  {100 * rest / total:5.1f}%")


if __name__ == "__main__":
    main()
