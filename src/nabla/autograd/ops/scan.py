"""Cumulative sums and products along one axis (PyTorch's ``cumsum`` / ``cumprod``).

The axis is required, as in PyTorch (NumPy's default of flattening is not taken); it is
``axis`` or PyTorch's ``dim``. A 0-d tensor takes axis 0 or -1 and is returned unchanged.
"""

from __future__ import annotations

from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.ops._api import axis_arg, tensor_method
from nabla.autograd.ops.reduction import check_axis
from nabla.autograd.tensor import Tensor, apply1
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray


def _reverse_cumsum(a: Array, axis: int) -> Array:
    """s_i = sum_{k >= i} a_k along ``axis``."""
    return np.flip(np.cumsum(np.flip(a, axis), axis), axis)


class Cumsum(Function):
    """y_i = sum_{j <= i} x_j along axis.  VJP: gx_i = sum_{k >= i} g_k (a reversed cumsum)."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: Array) -> Array:
        self.axis = check_axis(self.axis, x.ndim, "cumsum")
        return np.cumsum(x, axis=self.axis) if x.ndim else x.copy()

    def backward(self, g: Array) -> tuple[Array]:
        return (_reverse_cumsum(g, self.axis) if g.ndim else g,)


class Cumprod(Function):
    """y_i = prod_{j <= i} x_j along axis.

    VJP: gx_i = sum_{k >= i} g_k prod_{j <= k, j != i} x_j. With z the first zero of a row
    (z = n when there is none): for i < z this is sum_{k >= i} g_k y_k / x_i (a reversed
    cumsum; y_k = 0 for k >= z); for i = z it is y_{z-1} sum_{k >= z} g_k prod_{z < j <= k}
    x_j; for i > z every term holds x_z = 0, so it is 0. Exact with any number of zeros,
    and no division by a zero.
    """

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: Array) -> Array:
        self.axis = check_axis(self.axis, x.ndim, "cumprod")
        if not x.ndim:
            return x.copy()
        self.x = x
        self.y = np.cumprod(x, axis=self.axis)
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        if not g.ndim:
            return (g,)
        # work along the last axis
        x, y = np.moveaxis(self.x, self.axis, -1), np.moveaxis(self.y, self.axis, -1)
        gm = np.moveaxis(g, self.axis, -1)
        n = x.shape[-1]
        zeros = x == 0
        rc = _reverse_cumsum(gm * y, -1)
        if not zeros.any():
            gx = rc / x
        else:
            first = np.where(zeros.any(axis=-1), zeros.argmax(axis=-1), n)[..., None]
            pos = np.arange(n)
            before = pos < first
            gx = np.where(before, rc / np.where(before, x, 1), 0)
            # the first zero itself: y_{z-1} times sum_{k >= z} g_k prod_{z < j <= k} x_j
            head = np.prod(np.where(before, x, 1), axis=-1, keepdims=True)
            tail = np.cumprod(np.where(pos <= first, 1, x), axis=-1)
            at_zero = head * np.sum(np.where(pos >= first, gm * tail, 0), axis=-1, keepdims=True)
            gx = np.where(pos == first, at_zero, gx)
        return (np.moveaxis(gx.astype(g.dtype, copy=False), -1, self.axis),)


def _axis(axis: Any, dim: Any, who: str) -> Any:
    ax = axis_arg(axis, dim, who)
    if ax is None:
        raise TypeError(f"{who}: give the axis (dim) to accumulate along, e.g. {who}(x, 0)")
    return ax


def cumsum(x: Tensor, axis: Any = None, *, dim: Any = None) -> Tensor:
    return apply1(Cumsum(_axis(axis, dim, "cumsum")), x)


def cumprod(x: Tensor, axis: Any = None, *, dim: Any = None) -> Tensor:
    return apply1(Cumprod(_axis(axis, dim, "cumprod")), x)


tensor_method("cumsum", cumsum)
tensor_method("cumprod", cumprod)
