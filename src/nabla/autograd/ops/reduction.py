"""Reductions over ``axis`` (an int, a tuple, or None for all) with NumPy's ``keepdims``:
sum, mean, max, min, var.

Every axis argument goes through ``normalize_axis`` (PyTorch's rules: a 0-d tensor accepts
axis 0 or -1; an axis out of range raises ``AxisError``, an ``IndexError``)."""

from __future__ import annotations

import builtins
import warnings
from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.tensor import Tensor, apply1
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray
Axis = int | tuple[int, ...] | None


class AxisError(IndexError, ValueError):
    """An axis (``dim``) outside the tensor's dimensions.

    An ``IndexError`` as in PyTorch, and a ``ValueError`` as NumPy's ``AxisError`` (so code
    catching either keeps working).
    """


def _is_int(a: Any) -> bool:
    return isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_))


def check_axis(axis: Any, ndim: int, who: str) -> int:
    """One axis as a non-negative int, PyTorch's rule: a 0-d tensor takes axis 0 or -1 (and
    reducing over it reduces nothing); ``AxisError`` for an axis out of range."""
    if not _is_int(axis):
        raise TypeError(f"{who}: an axis must be an int, got {axis!r} ({type(axis).__name__})")
    n = builtins.max(ndim, 1)
    if not -n <= axis < n:
        raise AxisError(
            f"{who}: dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {axis})"
        )
    return int(axis) % n


def normalize_axis(axis: Axis, ndim: int, who: str) -> tuple[int, ...]:
    """``axis`` (an int, a sequence of ints, or None for all) as a sorted tuple of
    non-negative ints; on a 0-d tensor axis 0 / -1 is accepted and gives ``()``."""
    if axis is None:
        return tuple(range(ndim))
    if _is_int(axis):
        axes: tuple[Any, ...] = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise TypeError(
            f"{who}: axis must be an int, a tuple of ints or None, got {axis!r} "
            f"({type(axis).__name__})"
        )
    out = [check_axis(a, ndim, who) for a in axes]
    if len(set(out)) != len(out):
        raise ValueError(f"{who}: repeated axis in {axis}")
    return tuple(sorted(out)) if ndim else ()


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

    def _expand_graph(self, g: Tensor) -> Tensor:
        """``_expand`` with Tensor ops (recorded)."""
        if self.keepdims:
            return g
        return g.reshape(tuple(1 if i in self.axes else n for i, n in enumerate(self.shape)))


class Sum(_Reduction):
    """y = sum of x over axis.  VJP: gx = g broadcast back over the summed axes."""

    def forward(self, x: Array) -> Array:
        self._setup(x)
        return np.asarray(x.sum(axis=self.axes, keepdims=self.keepdims))

    def backward(self, g: Array) -> tuple[Array]:
        return (np.broadcast_to(self._expand(g), self.shape),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (self._expand_graph(g).broadcast_to(self.shape),)


class Mean(_Reduction):
    """y = mean of x over axis (n elements).  VJP: gx = g / n broadcast back."""

    def forward(self, x: Array) -> Array:
        self._setup(x)
        if _count(x.shape, self.axes) == 0:  # the mean of nothing is nan (as PyTorch), quietly
            shape = x.sum(axis=self.axes, keepdims=self.keepdims).shape
            return np.full(shape, np.nan, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
        return np.asarray(x.mean(axis=self.axes, keepdims=self.keepdims))

    def backward(self, g: Array) -> tuple[Array]:
        n = _count(self.shape, self.axes)
        return (np.broadcast_to(self._expand(g) / builtins.max(n, 1), self.shape),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        n = _count(self.shape, self.axes)
        return ((self._expand_graph(g) / float(builtins.max(n, 1))).broadcast_to(self.shape),)


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

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        mask = self.x == self.y
        share = (mask / mask.sum(axis=self.axes, keepdims=True)).astype(g.dtype)
        return (self._expand_graph(g) * share,)


class Min(Max):
    """y = min of x over axis.  VJP: g goes to the minimal entries; ties share it evenly."""

    _reduce: Any = staticmethod(np.min)


class Var(_Reduction):
    """y = sum((x - mean)^2) / max(0, n - ddof) over axis (n entries per output).

    VJP: gx = g * 2 (x - mean) / max(0, n - ddof).

    As ``torch.var(correction=ddof)``: with ``ddof >= n`` there are no degrees of freedom
    left, the divisor is 0 and the result is inf (nan where all n values are equal), with a
    ``UserWarning``; the gradient is then 2 (x - mean) g / 0, i.e. +-inf, or nan where
    x == mean. (PyTorch gives the same for a reduction over some axes with ddof == n; for
    ddof > n it divides by the negative n - ddof there, and over all axes it returns +inf
    whatever the sign of x - mean.)
    """

    def __init__(self, axis: Axis = None, keepdims: bool = False, ddof: float = 0) -> None:
        super().__init__(axis, keepdims)
        if isinstance(ddof, bool) or not isinstance(ddof, (int, float, np.integer, np.floating)):
            raise TypeError(f"var: ddof must be a number, got {ddof!r}")
        self.ddof = ddof

    def forward(self, x: Array) -> Array:
        self._setup(x)
        n = _count(self.shape, self.axes)
        if n:
            self.centered = x - x.mean(axis=self.axes, keepdims=True)
        else:  # nothing to centre (and no "mean of empty slice" warning)
            self.centered = x - np.zeros((), dtype=x.dtype)
        self.denom = builtins.max(n - self.ddof, 0)
        sq = np.square(self.centered).sum(axis=self.axes, keepdims=self.keepdims)
        if self.denom:
            return np.asarray(sq / self.denom)
        warnings.warn(
            f"var: degrees of freedom is <= 0 (n - ddof = {n} - {self.ddof}): the result is "
            "inf, or nan where all values are equal; use a ddof smaller than the number of "
            "entries reduced.",
            UserWarning,
            stacklevel=4,
        )
        with np.errstate(divide="ignore", invalid="ignore"):  # x / 0: inf, 0 / 0: nan
            return np.asarray(sq / np.zeros((), dtype=sq.dtype))

    def backward(self, g: Array) -> tuple[Array]:
        if self.denom:
            return (self._expand(g) * (2 / self.denom) * self.centered,)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.divide(2, np.zeros((), dtype=g.dtype))  # 2 / 0 = inf
            return (self._expand(g) * scale * self.centered,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        centered = x - x.mean(axis=self.axes, keepdims=True)
        scale = 2.0 / self.denom if self.denom else np.inf
        return (self._expand_graph(g) * scale * centered,)


def sum(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return apply1(Sum(axis, keepdims), x)


def mean(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return apply1(Mean(axis, keepdims), x)


def max(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return apply1(Max(axis, keepdims), x)


def min(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return apply1(Min(axis, keepdims), x)


def var(x: Tensor, axis: Axis = None, keepdims: bool = False, ddof: float = 0) -> Tensor:
    return apply1(Var(axis, keepdims, ddof), x)
