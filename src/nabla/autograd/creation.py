"""Tensor creation: zeros, ones, full, randn (seeded)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor


def zeros(
    shape: int | Sequence[int], dtype: Any = np.float32, requires_grad: bool = False
) -> Tensor:
    return Tensor(np.zeros(shape, dtype=dtype), requires_grad=requires_grad)


def ones(
    shape: int | Sequence[int], dtype: Any = np.float32, requires_grad: bool = False
) -> Tensor:
    return Tensor(np.ones(shape, dtype=dtype), requires_grad=requires_grad)


def full(
    shape: int | Sequence[int], value: float, dtype: Any = np.float32, requires_grad: bool = False
) -> Tensor:
    return Tensor(np.full(shape, value, dtype=dtype), requires_grad=requires_grad)


def randn(
    *shape: int,
    rng: np.random.Generator | int | None = None,
    dtype: Any = np.float32,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal samples drawn from ``rng`` (a Generator or a seed)."""
    gen = np.random.default_rng(rng)
    return Tensor(gen.standard_normal(shape).astype(dtype), requires_grad=requires_grad)
