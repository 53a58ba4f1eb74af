"""Order statistics with PyTorch's definitions: ``median`` (the lower median, with the index
of the chosen entry) and ``quantile`` (linear interpolation between sorted entries by
default). Both reduce one axis, or the flattened tensor when the axis is None; NaN sorts
last, and a row that holds a NaN gives NaN (as PyTorch).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from nabla.autograd.engine import Function
from nabla.autograd.ops._api import axis_arg, keepdims_arg, tensor_method
from nabla.autograd.ops.reduction import check_axis
from nabla.autograd.tensor import Tensor, apply1
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray
_MODES = ("linear", "lower", "higher", "nearest", "midpoint")


class _OneAxis(Function):
    """Reduce one axis, moved last; the flattened array when the axis is None."""

    def __init__(self, axis: Any, keepdims: bool, who: str) -> None:
        self.axis, self.keepdims, self.who = axis, keepdims, who

    def _rows(self, x: Array) -> Array:
        """x with the reduced axis last (size n >= 1), remembering how to undo it."""
        self.in_shape = x.shape
        if self.axis is None:
            self.ax = None
            rows = x.reshape(-1)
        elif x.ndim:
            ax = check_axis(self.axis, x.ndim, self.who)
            self.ax, rows = ax, np.moveaxis(x, ax, -1)
        else:  # a 0-d tensor takes axis 0 or -1 and reduces its one entry
            check_axis(self.axis, 0, self.who)
            self.ax, rows = None, x.reshape(1)
        if rows.shape[-1] == 0:
            raise ValueError(f"{self.who}: cannot reduce an empty axis (input shape {x.shape})")
        return rows

    def _out_shape(self, reduced: Array, lead: int = 0) -> Array:
        """A result over the rows (the reduced axis gone, ``lead`` axes in front) with the
        reduced axis kept as size 1 when ``keepdims``."""
        if not self.keepdims:
            return reduced
        if self.ax is None:
            return reduced.reshape(reduced.shape[:lead] + (1,) * len(self.in_shape))
        return np.expand_dims(reduced, lead + self.ax)

    def _unrows(self, g_rows: Array) -> Array:
        """A gradient over the rows back in the input's layout."""
        if self.ax is None:
            return g_rows.reshape(self.in_shape)
        return np.moveaxis(g_rows, -1, self.ax)


class Median(_OneAxis):
    """y = the lower median: the entry of rank (n - 1) // 2 in sorted order (as PyTorch; NumPy
    averages the two middle entries when n is even).

    VJP: g goes to the chosen entry, the one whose index ``median`` returns.
    """

    def forward(self, x: Array) -> Array:
        rows = self._rows(x)
        k = (rows.shape[-1] - 1) // 2
        idx = np.argpartition(rows, k, axis=-1)[..., k : k + 1]
        if rows.dtype.kind == "f":
            nan = np.isnan(rows)
            idx = np.where(nan.any(axis=-1, keepdims=True), nan.argmax(axis=-1)[..., None], idx)
        self.rows_shape, self.idx = rows.shape, idx
        return self._out_shape(np.take_along_axis(rows, idx, axis=-1)[..., 0])

    def indices(self) -> Array:
        return self._out_shape(self.idx[..., 0]).astype(np.int64, copy=False)

    def backward(self, g: Array) -> tuple[Array]:
        g_rows = np.zeros(self.rows_shape, dtype=g.dtype)
        shape = self.idx.shape
        np.put_along_axis(g_rows, self.idx, np.reshape(g, shape), axis=-1)
        return (self._unrows(g_rows),)


class Quantile(_OneAxis):
    """y = the q-quantile by PyTorch's rule: with the n entries sorted, v_0 <= ... <= v_{n-1},
    and h = q (n - 1): 'linear' v_lo + (h - lo)(v_hi - v_lo) with lo = floor(h), hi = ceil(h);
    'lower' v_lo; 'higher' v_hi; 'nearest' v_r, r = h rounded (halves to even); 'midpoint'
    (v_lo + v_hi) / 2. A vector q puts its axis first in the result.

    VJP: g times each sorted entry's weight ((1 - w) for v_lo and w for v_hi) goes back to
    the entry sorted there.
    """

    def __init__(self, q: Array, axis: Any, keepdims: bool, interpolation: str) -> None:
        super().__init__(axis, keepdims, "quantile")
        self.q, self.mode = q, interpolation

    def forward(self, x: Array) -> Array:
        rows = self._rows(x)
        n = rows.shape[-1]
        order = np.argsort(rows, axis=-1, kind="stable")
        v = np.take_along_axis(rows, order, axis=-1)
        h = self.q.reshape(-1) * (n - 1)
        lo, hi = np.floor(h).astype(np.int64), np.ceil(h).astype(np.int64)
        w = h - lo
        if self.mode == "lower":
            hi, w = lo, 0 * w
        elif self.mode == "higher":
            lo, w = hi, 0 * w
        elif self.mode == "nearest":
            lo = hi = np.round(h).astype(np.int64)
            w = 0 * w
        elif self.mode == "midpoint":
            w = np.where(lo == hi, 0.0, 0.5)
        lo_rows = np.broadcast_to(lo, rows.shape[:-1] + lo.shape)
        hi_rows = np.broadcast_to(hi, lo_rows.shape)
        if rows.dtype.kind == "f":  # a row holding a NaN takes its last sorted entry, a NaN
            nan = np.isnan(v[..., -1:])
            lo_rows, hi_rows = np.where(nan, n - 1, lo_rows), np.where(nan, n - 1, hi_rows)
        w = w.astype(rows.dtype)
        a, b = np.take_along_axis(v, lo_rows, -1), np.take_along_axis(v, hi_rows, -1)
        d = b - a
        y = np.where(w < 0.5, a + w * d, b - d * (1 - w))  # PyTorch's lerp
        self.order, self.parts = order, (lo_rows, hi_rows, w)
        y = self._out_shape(np.moveaxis(y, -1, 0), lead=1)  # (m, ...): the q axis first
        return y if self.q.ndim else y[0]

    def backward(self, g: Array) -> tuple[Array]:
        lo, hi, w = self.parts
        shape, m = self.order.shape, lo.shape[-1]
        rows, n = int(np.prod(shape[:-1])), shape[-1]
        # (m, ...) with the q axis first -> (rows, m); kept size-1 axes vanish in the reshape
        g2 = np.reshape(g, (m, rows)).T
        start = (np.arange(rows) * n)[:, None]
        at = np.concatenate([start + lo.reshape(rows, m), start + hi.reshape(rows, m)], axis=1)
        weights = np.concatenate([g2 * (1 - w), g2 * w], axis=1)
        g_sorted = np.bincount(at.reshape(-1), weights.reshape(-1), minlength=rows * n)
        g_rows = np.zeros(shape, dtype=g.dtype)
        np.put_along_axis(g_rows, self.order, g_sorted.reshape(shape).astype(g.dtype), -1)
        return (self._unrows(g_rows),)


class MedianResult(NamedTuple):
    """``median`` over an axis: the values and the indices of the chosen entries."""

    values: Tensor
    indices: Tensor


def median(
    x: Tensor,
    axis: Any = None,
    keepdims: bool = False,
    *,
    dim: Any = None,
    keepdim: bool | None = None,
) -> Any:
    """The lower median (PyTorch's): of all entries when ``axis`` is None (a tensor), else
    along ``axis`` as ``(values, indices)``, as ``torch.median(x, dim)``."""
    ax = axis_arg(axis, dim, "median")
    op = Median(ax, keepdims_arg(keepdims, keepdim), "median")
    values = apply1(op, x)
    if ax is None:
        return values
    return MedianResult(values, Tensor._wrap(op.indices()))


def quantile(
    x: Tensor,
    q: Any,
    axis: Any = None,
    keepdims: bool = False,
    *,
    interpolation: str = "linear",
    dim: Any = None,
    keepdim: bool | None = None,
) -> Tensor:
    """The q-quantiles of ``x`` along ``axis`` (all entries when None), as ``torch.quantile``;
    q a number or a 1-D tensor of numbers in [0, 1] (its axis comes first in the result)."""
    if x.data.dtype.kind != "f":
        raise TypeError(f"quantile: expected a floating-point tensor, got dtype {x.data.dtype}")
    qa = np.asarray(q.data if isinstance(q, Tensor) else q, dtype=np.float64)
    if qa.ndim > 1:
        raise ValueError(f"quantile: q must be a number or a 1-D tensor, got shape {qa.shape}")
    if qa.size == 0 or not np.all((qa >= 0) & (qa <= 1)):
        raise ValueError(f"quantile: q values must be in [0, 1], got {q!r}")
    if interpolation not in _MODES:
        raise ValueError(f"quantile: interpolation must be one of {_MODES}, got {interpolation!r}")
    keep = keepdims_arg(keepdims, keepdim)
    return apply1(Quantile(qa, axis_arg(axis, dim, "quantile"), keep, interpolation), x)


tensor_method("median", median)
tensor_method("quantile", quantile)
