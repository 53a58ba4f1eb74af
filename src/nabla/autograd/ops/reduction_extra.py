"""More reductions: std, prod, the vector norms, amax / amin, and argmax / argmin (integer
results, no gradient).

They take nabla's ``axis`` / ``keepdims`` (an int, a tuple, or None for all; the rules of
``normalize_axis``) and PyTorch's ``dim`` / ``keepdim`` as keyword aliases. ``std`` divides by
n - ddof with ddof = 0 by default, as ``var`` and NumPy do; PyTorch's default is 1 (pass
``ddof=1`` or ``correction=1``).
"""

from __future__ import annotations

from typing import Any

from nabla.autograd.ops._api import axis_arg, keepdims_arg, tensor_method
from nabla.autograd.ops.elementwise import where
from nabla.autograd.ops.reduction import Axis, Max, Min, Var, _Reduction, check_axis
from nabla.autograd.tensor import Tensor, apply1
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray
_INF = float("inf")


class Std(Var):
    """y = sqrt(var(x)) over axis, var dividing by n - ddof.

    VJP: gx = g (x - mean) / ((n - ddof) y); 0 where y = 0 (all values equal, as PyTorch).
    """

    def forward(self, x: Array) -> Array:
        self.y = np.sqrt(super().forward(x))
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        y, ge = self._expand(self.y), self._expand(g)
        if not self.denom:  # no degrees of freedom: y is inf or nan, and so is the gradient
            with np.errstate(divide="ignore", invalid="ignore"):
                return (ge * self.centered / (y * 0),)
        zero = y == 0
        scale = ge / (np.where(zero, 1, y) * self.denom)
        return (np.where(zero, 0, scale) * self.centered,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        centered = x - x.mean(axis=self.axes, keepdims=True)
        ge, ye = self._expand_graph(g), self._expand_graph(y)
        if not self.denom:  # no degrees of freedom: inf or nan, as backward
            with np.errstate(divide="ignore", invalid="ignore"):
                return (ge * centered / (ye * 0.0),)
        zero = self._expand(self.y) == 0
        scale = ge / (where(zero, 1.0, ye) * float(self.denom))
        return (where(zero, 0.0, scale) * centered,)


class Prod(_Reduction):
    """y = product of x over axis.

    VJP: gx_i = g prod_{j != i} x_j, the product of the other entries, formed from exclusive
    cumulative products from both ends: exact when entries are 0 (one zero: only it gets a
    gradient; two or more: none does), with no division.
    """

    def forward(self, x: Array) -> Array:
        self._setup(x)
        self.x = x
        return np.asarray(np.prod(x, axis=self.axes, keepdims=self.keepdims))

    def backward(self, g: Array) -> tuple[Array]:
        x, axes, ge = self.x, self.axes, self._expand(g)
        if not axes or x.size == 0:
            return (np.broadcast_to(ge, x.shape),)
        k = len(axes)
        last = tuple(range(x.ndim - k, x.ndim))
        moved = np.moveaxis(x, axes, last)
        flat = moved.reshape(moved.shape[: x.ndim - k] + (-1,))
        before = np.ones_like(flat)  # before_i = x_0 ... x_{i-1}
        np.cumprod(flat[..., :-1], axis=-1, out=before[..., 1:])
        after = np.ones_like(flat)  # after_i = x_{i+1} ... x_{n-1}
        after[..., :-1] = np.cumprod(flat[..., :0:-1], axis=-1)[..., ::-1]
        others = np.moveaxis((before * after).reshape(moved.shape), last, axes)
        return (others * ge,)


class Norm(_Reduction):
    """The vector p-norm over axis: y = (sum |x|^p)^(1/p); p = inf: max |x|; p = -inf:
    min |x|; p = 0: the number of non-zero entries.

    VJP: p = 2: gx = g x / y; p = 1: g sign(x); p = ±inf: g sign(x) / k at the k entries with
    |x| = y (ties share it, as ``amax``); p = 0: 0; other p: g sign(x) |x|^(p-1) / y^(p-1).
    The gradient is 0 where y = 0 (as PyTorch).
    """

    def __init__(self, p: float, axis: Axis = None, keepdims: bool = False) -> None:
        super().__init__(axis, keepdims)
        self.p = p

    def forward(self, x: Array) -> Array:
        self._setup(x)
        self.x, p, axes = x, self.p, self.axes
        a = np.abs(x)
        if p == 2:
            y = np.sqrt(np.sum(x * x, axis=axes, keepdims=True))
        elif p == 1:
            y = np.sum(a, axis=axes, keepdims=True)
        elif p in (_INF, -_INF):
            if x.size == 0:
                raise ValueError(f"norm: p={p} of an empty tensor (shape {x.shape}) is undefined")
            y = (np.max if p > 0 else np.min)(a, axis=axes, keepdims=True)
        elif p == 0:
            y = np.sum(x != 0, axis=axes, keepdims=True).astype(x.dtype)
        else:
            y = np.sum(a**p, axis=axes, keepdims=True) ** (1 / p)
        self.y = np.asarray(y)
        return self.y if self.keepdims else np.squeeze(self.y, axis=axes)

    def backward(self, g: Array) -> tuple[Array]:
        x, y, p, ge = self.x, self.y, self.p, self._expand(g)
        if p == 0:
            return (np.zeros(x.shape, dtype=g.dtype),)
        if p == 1:
            return (np.sign(x) * ge,)
        if p in (_INF, -_INF):
            mask = np.abs(x) == y
            count = mask.sum(axis=self.axes, keepdims=True)
            return (np.sign(x) * mask * (ge / count).astype(g.dtype, copy=False),)
        zero = y == 0
        if p == 2:
            return (x * np.where(zero, 0, ge / np.where(zero, 1, y)),)
        scale = np.where(zero, 0, ge / np.where(zero, 1, y) ** (p - 1))
        a = np.abs(x)
        # sign(x) is 0 where x is, so the 1 put there (no 0 ** (p - 1) = inf) is never used
        return (np.sign(x) * np.where(a == 0, 1, a) ** (p - 1) * scale,)


def _p_arg(p: Any) -> float:
    if p == "fro":
        return 2.0
    if isinstance(p, str) or isinstance(p, bool) or not isinstance(p, (int, float, np.number)):
        raise ValueError(
            f"norm: p must be a number >= 0, inf, -inf or 'fro', got {p!r} (matrix norms such "
            "as 'nuc' are not vector norms)"
        )
    if not (p >= 0 or p == -_INF):
        raise ValueError(f"norm: p must be a number >= 0, inf, -inf or 'fro', got {p!r}")
    return float(p)


# ---- functional forms and Tensor methods ---------------------------------------------------
def std(
    x: Tensor,
    axis: Axis = None,
    keepdims: bool = False,
    ddof: float = 0,
    *,
    dim: Axis = None,
    keepdim: bool | None = None,
    correction: float | None = None,
) -> Tensor:
    """The standard deviation sqrt(sum (x - mean)^2 / (n - ddof)); ``correction`` is
    PyTorch's name for ``ddof`` (whose default there is 1, here 0, as NumPy and ``var``)."""
    if correction is not None:
        ddof = correction
    return apply1(Std(axis_arg(axis, dim, "std"), keepdims_arg(keepdims, keepdim), ddof), x)


def prod(
    x: Tensor,
    axis: Axis = None,
    keepdims: bool = False,
    *,
    dim: Axis = None,
    keepdim: bool | None = None,
) -> Tensor:
    return apply1(Prod(axis_arg(axis, dim, "prod"), keepdims_arg(keepdims, keepdim)), x)


def norm(
    x: Tensor,
    p: Any = "fro",
    axis: Axis = None,
    keepdims: bool = False,
    *,
    dim: Axis = None,
    keepdim: bool | None = None,
) -> Tensor:
    """The vector p-norm over ``axis`` (all entries by default), as ``torch.norm`` with a
    number p and ``torch.linalg.vector_norm``; 'fro' is the 2-norm of the entries."""
    if x.data.dtype.kind != "f":
        raise TypeError(f"norm: expected a floating-point tensor, got dtype {x.data.dtype}")
    keep = keepdims_arg(keepdims, keepdim)
    return apply1(Norm(_p_arg(p), axis_arg(axis, dim, "norm"), keep), x)


def _all_if_empty(axis: Any) -> Any:
    # PyTorch's amax / amin reduce every dimension for dim=() (NumPy's max reduces none)
    return None if isinstance(axis, (tuple, list)) and len(axis) == 0 else axis


def amax(
    x: Tensor, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None, keepdim: Any = None
) -> Tensor:
    """The maximum over ``axis``; tied maxima share the gradient evenly (as ``torch.amax``)."""
    ax = _all_if_empty(axis_arg(axis, dim, "amax"))
    return apply1(Max(ax, keepdims_arg(keepdims, keepdim)), x)


def amin(
    x: Tensor, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None, keepdim: Any = None
) -> Tensor:
    """The minimum over ``axis``; tied minima share the gradient evenly (as ``torch.amin``)."""
    ax = _all_if_empty(axis_arg(axis, dim, "amin"))
    return apply1(Min(ax, keepdims_arg(keepdims, keepdim)), x)


def _arg_extreme(x: Tensor, axis: Any, keepdims: bool, who: str) -> Tensor:
    data = x.data
    if data.size == 0:
        raise ValueError(f"{who}: cannot take the {who} of an empty tensor (shape {data.shape})")
    find = np.argmax if who == "argmax" else np.argmin
    if axis is None:
        out = np.asarray(find(data.reshape(-1)))
        if keepdims:
            out = out.reshape((1,) * data.ndim)
    elif data.ndim == 0:
        check_axis(axis, 0, who)
        out = np.zeros((), dtype=np.int64)
    else:
        out = np.asarray(find(data, axis=check_axis(axis, data.ndim, who), keepdims=keepdims))
    return Tensor._wrap(out.astype(np.int64, copy=False))


def argmax(
    x: Tensor, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: Any = None
) -> Tensor:
    """Index of the maximum (the first one on ties; of the flattened tensor when ``axis`` is
    None), an int64 tensor that does not require grad."""
    return _arg_extreme(x, axis_arg(axis, dim, "argmax"), keepdims_arg(keepdims, keepdim), "argmax")


def argmin(
    x: Tensor, axis: Any = None, keepdims: bool = False, *, dim: Any = None, keepdim: Any = None
) -> Tensor:
    """Index of the minimum (the first one on ties), an int64 tensor without grad."""
    return _arg_extreme(x, axis_arg(axis, dim, "argmin"), keepdims_arg(keepdims, keepdim), "argmin")


for _name, _fn in [
    ("std", std),
    ("prod", prod),
    ("norm", norm),
    ("amax", amax),
    ("amin", amin),
    ("argmax", argmax),
    ("argmin", argmin),
]:
    tensor_method(_name, _fn)
