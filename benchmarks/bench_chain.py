"""Forward + backward of a chain of 100 elementwise ops on 64-element float32 arrays.

This measures the fixed cost per recorded op (graph bookkeeping, not arithmetic): each op
is a tiny NumPy call, so what differs between nabla and PyTorch is the overhead around it.
"""

from __future__ import annotations

import numpy as np

import nabla
from harness import check_close, compare

N_OPS = 100


def _chain_nabla(x0: np.ndarray) -> np.ndarray:
    x = nabla.tensor(x0, requires_grad=True)
    y = x
    for _ in range(N_OPS // 4):  # 4 ops per round: mul, add, tanh, sub
        y = (y * 0.9 + 0.1).tanh() - 0.01
    y.sum().backward()
    return x.grad


def _chain_torch(torch, x0):
    x = torch.tensor(x0, requires_grad=True)
    y = x
    for _ in range(N_OPS // 4):
        y = (y * 0.9 + 0.1).tanh() - 0.01
    y.sum().backward()
    return x.grad.numpy()


def main(quick: bool = False) -> None:
    x0 = np.random.default_rng(0).standard_normal(64).astype(np.float32)
    reps = 20 if quick else 200
    candidates = {"nabla": lambda: [_chain_nabla(x0) for _ in range(reps)]}
    try:
        import torch

        check_close("chain", _chain_nabla(x0), _chain_torch(torch, x0), rtol=1e-5)
        candidates["torch"] = lambda: [_chain_torch(torch, x0) for _ in range(reps)]
    except ImportError:
        print("torch not installed: timing nabla alone")
    # per op: N_OPS recorded ops + the final sum, forward and backward
    compare(
        "chain of 100 ops, fwd+bwd, per op", candidates, per=reps * (N_OPS + 1), unit="us", repeat=7
    )
