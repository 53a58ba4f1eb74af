"""Reductions over ``axis`` (an int, a tuple, or None for all) with NumPy's ``keepdims``:
sum, mean, max, min, var."""

from __future__ import annotations

import builtins
from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.tensor import Tensor, apply1
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray
Axis = int | tuple[int, ...] | None


def normalize_axis(axis: Axis, ndim: int, who: str) -> tuple[int, ...]:
    """``axis`` as a sorted tuple of non-negative ints (all axes for None)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < builtins.max(ndim, 1):
            raise ValueError(f"{who}: axis {a} is out of range for a tensor with {ndim} dimensions")
        out.append(int(a) % builtins.max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{who}: repeated axis in {axis}")
    return tuple(sorted(out))


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    n = 1
    for a in axes:
        n *= shape[a]
    return n


class _Reduction(Function):
    def __init__(self, axis: Axis = None, keepdims: bool = False) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def _setup(self, x: Array) -> None:
        self.axes = normalize_axis(self.axis, x.ndim, self.name.lower())
        self.shape = x.shape

    def _expand(self, g: Array) -> Array:
        """``g`` with the reduced axes put back as size-1 dimensions."""
        return g if self.keepdims else np.expand_dims(g, self.axes)


class Sum(_Reduction):
    """y = sum of x over axis.  VJP: gx = g broadcast back over the summed axes."""

    def forward(self, x: Array) -> Array:
        self._setup(x)
        return np.asarray(x.sum(axis=self.axes, keepdims=self.keepdims))

    def backward(self, g: Array) -> tuple[Array]:
        return (np.broadcast_to(self._expand(g), self.shape),)


class Mean(_Reduction):
    """y = mean of x over axis (n elements).  VJP: gx = g / n broadcast back."""

    def forward(self, x: Array) -> Array:
        self._setup(x)
        return np.asarray(x.mean(axis=self.axes, keepdims=self.keepdims))

    def backward(self, g: Array) -> tuple[Array]:
        n = _count(self.shape, self.axes)
        return (np.broadcast_to(self._expand(g) / builtins.max(n, 1), self.shape),)


class Max(_Reduction):
    """y = max of x over axis.

    VJP: g goes to the maximal entries; ties share it evenly (as ``torch.amax``).
    """

    _reduce: Any = staticmethod(np.max)

    def forward(self, x: Array) -> Array:
        self._setup(x)
        if x.size == 0:
            raise ValueError(
                f"{self.name.lower()}: cannot reduce an empty tensor of shape {x.shape}"
            )
        self.x = x
        self.y = np.asarray(self._reduce(x, axis=self.axes, keepdims=True))
        return self.y if self.keepdims else np.squeeze(self.y, axis=self.axes)

    def backward(self, g: Array) -> tuple[Array]:
        mask = self.x == self.y
        count = mask.sum(axis=self.axes, keepdims=True)
        return (mask * (self._expand(g) / count).astype(g.dtype, copy=False),)


class Min(Max):
    """y = min of x over axis.  VJP: g goes to the minimal entries; ties share it evenly."""

    _reduce: Any = staticmethod(np.min)


class Var(_Reduction):
    """y = sum((x - mean)^2) / (n - ddof) over axis.  VJP: gx = g * 2 (x - mean) / (n - ddof)."""

    def __init__(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> None:
        super().__init__(axis, keepdims)
        self.ddof = ddof

    def forward(self, x: Array) -> Array:
        self._setup(x)
        self.centered = x - x.mean(axis=self.axes, keepdims=True)
        self.denom = _count(self.shape, self.axes) - self.ddof
        sq = np.square(self.centered).sum(axis=self.axes, keepdims=self.keepdims)
        return np.asarray(sq / self.denom)

    def backward(self, g: Array) -> tuple[Array]:
        return (self._expand(g) * (2 / self.denom) * self.centered,)


def sum(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return apply1(Sum(axis, keepdims), x)


def mean(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return apply1(Mean(axis, keepdims), x)


def max(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return apply1(Max(axis, keepdims), x)


def min(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return apply1(Min(axis, keepdims), x)


def var(x: Tensor, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    return apply1(Var(axis, keepdims, ddof), x)
