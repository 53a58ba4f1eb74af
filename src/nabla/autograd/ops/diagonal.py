"""Diagonals and the trace: ``diagonal``, ``diag_embed``, ``diag`` and ``trace``, as PyTorch.

A diagonal is read along two axes ``dim1``, ``dim2`` (entries x[..., i, i + offset, ...]) and
becomes the last axis of the result, as ``numpy.diagonal`` and ``torch.diagonal`` do; its
gradient is written back onto that diagonal of a zero array. ``diag_embed`` is the reverse:
it puts the last axis onto a diagonal of two new axes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.ops._api import tensor_method
from nabla.autograd.ops.reduction import check_axis
from nabla.autograd.tensor import Tensor, apply1, as_tensor
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray


def _offset(offset: object, who: str) -> int:
    if isinstance(offset, bool) or not isinstance(offset, (int, np.integer)):
        raise TypeError(f"{who}: offset must be an int, got {offset!r}")
    return int(offset)


def _dims(dim1: int, dim2: int, ndim: int, who: str) -> tuple[int, int]:
    d1, d2 = check_axis(dim1, ndim, who), check_axis(dim2, ndim, who)
    if d1 == d2:
        raise ValueError(f"{who}: dim1 and dim2 must differ, got {dim1} and {dim2}")
    return d1, d2


def _onto_diagonal(out: Array, values: Array, offset: int) -> Array:
    """Write ``values`` (last axis: the diagonal) onto the diagonal ``offset`` of the last two
    axes of ``out``, in place; returns ``out``."""
    k = values.shape[-1]
    rows = np.arange(k) + max(-offset, 0)
    out[..., rows, rows + offset] = values
    return out


class Diagonal(Function):
    """y = the diagonal ``offset`` of x along axes dim1, dim2 (moved to the last axis).

    VJP: gx = zeros with g written onto that diagonal.
    """

    def __init__(self, offset: int, dim1: int, dim2: int) -> None:
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2

    def forward(self, x: Array) -> Array:
        self.shape = x.shape
        return np.diagonal(x, self.offset, self.dim1, self.dim2).copy()

    def backward(self, g: Array) -> tuple[Array]:
        gx = np.zeros(self.shape, dtype=g.dtype)
        moved = np.moveaxis(gx, (self.dim1, self.dim2), (-2, -1))  # a view of gx
        _onto_diagonal(moved, g, self.offset)
        return (gx,)


class DiagEmbed(Function):
    """y: zeros with the last axis of x on the diagonal ``offset`` of two new axes of size
    n + abs(offset), placed at dim1, dim2 of the result.

    VJP: gx = the diagonal ``offset`` of g along dim1, dim2.
    """

    def __init__(self, offset: int, dim1: int, dim2: int) -> None:
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2

    def forward(self, x: Array) -> Array:
        n = x.shape[-1] + abs(self.offset)
        out = np.zeros(x.shape[:-1] + (n, n), dtype=x.dtype)
        _onto_diagonal(out, x, self.offset)
        return np.moveaxis(out, (-2, -1), (self.dim1, self.dim2))

    def backward(self, g: Array) -> tuple[Array]:
        return (np.diagonal(g, self.offset, self.dim1, self.dim2),)


class Trace(Function):
    """y = sum_i x_ii of a matrix (not necessarily square).  VJP: gx = g I."""

    def forward(self, x: Array) -> Array:
        self.shape = x.shape
        return np.asarray(np.trace(x))

    def backward(self, g: Array) -> tuple[Array]:
        return (g * np.eye(*self.shape, dtype=g.dtype),)


def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal ``offset`` (> 0 above the main one, < 0 below) along axes dim1, dim2, as
    the last axis of the result (``torch.diagonal``; ``nabla.linalg.diagonal`` reads the last
    two axes by default)."""
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"diagonal: needs at least 2 dimensions, got shape {x.shape}")
    d1, d2 = _dims(dim1, dim2, x.ndim, "diagonal")
    return apply1(Diagonal(_offset(offset, "diagonal"), d1, d2), x)


def diag_embed(x: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices with the last axis of x on their diagonal ``offset`` (``torch.diag_embed``):
    shape (..., n) -> (..., n + abs(offset), n + abs(offset)) with the default dims."""
    x = as_tensor(x)
    if x.ndim < 1:
        raise ValueError("diag_embed: needs at least 1 dimension, got a 0-d tensor")
    d1, d2 = _dims(dim1, dim2, x.ndim + 1, "diag_embed")
    return apply1(DiagEmbed(_offset(offset, "diag_embed"), d1, d2), x)


def diag(x: Tensor, diagonal: int = 0) -> Tensor:
    """``torch.diag``: a 1-D x gives the square matrix with x on its diagonal ``diagonal``; a
    2-D x gives its diagonal ``diagonal`` as a 1-D tensor."""
    x = as_tensor(x)
    if x.ndim == 1:
        return diag_embed(x, diagonal)
    if x.ndim == 2:
        return apply1(Diagonal(_offset(diagonal, "diag"), 0, 1), x)
    raise ValueError(
        f"diag: expected a 1-D or 2-D tensor, got shape {x.shape}; use diagonal or diag_embed "
        "for batches"
    )


def trace(x: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix (2-D only, as ``torch.trace``)."""
    x = as_tensor(x)
    if x.ndim != 2:
        raise ValueError(
            f"trace: expected a matrix (2-D), got shape {x.shape}; for a batch use "
            "diagonal(x, dim1=-2, dim2=-1).sum(-1)"
        )
    return apply1(Trace(), x)


_METHODS: list[tuple[str, Callable[..., Any]]] = [
    ("diagonal", diagonal),
    ("diag_embed", diag_embed),
    ("diag", diag),
    ("trace", trace),
]
for _name, _fn in _METHODS:
    tensor_method(_name, _fn)
