"""Indexing with index tensors, PyTorch's ops: gather, scatter, scatter_add, index_select,
take_along_dim, masked_fill, and one_hot (no gradient).

Indices are checked before anything is computed: an integer dtype (``TypeError``), the
shapes PyTorch requires (``ValueError``), and every index inside its dimension
(``IndexError`` naming the index, the dimension and its size). Gradients that land on the
same entry more than once are added up.
"""

from __future__ import annotations

from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.ops._api import tensor_method
from nabla.autograd.ops.elementwise import Where
from nabla.autograd.ops.reduction import check_axis
from nabla.autograd.tensor import Tensor, apply, apply1, as_tensor
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray


def index_array(index: Any, who: str) -> Array:
    """``index`` (a tensor, an array or a list) as an integer array; ``TypeError`` otherwise."""
    arr = np.asarray(index.data if isinstance(index, Tensor) else index)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{who}: the index must be an integer tensor, got dtype {arr.dtype}")
    return arr


def check_range(index: Array, size: int, axis: int, who: str, negative: bool = False) -> None:
    """``IndexError`` unless every index is in [0, size) ([-size, size) with ``negative``)."""
    if index.size == 0:
        return
    lo, hi = int(index.min()), int(index.max())
    bad = lo if lo < (-size if negative else 0) else hi if hi >= size else None
    if bad is not None:
        rng = f"[{-size}, {size})" if negative else f"[0, {size})"
        raise IndexError(
            f"{who}: index {bad} is out of range for dimension {axis} with size {size} "
            f"(indices must be in {rng})"
        )


def _places(index: Array, axis: int) -> tuple[Array, ...]:
    """The full advanced index that picks, at each position of ``index``, the entry whose
    coordinate along ``axis`` is the index and whose other coordinates are the position's."""
    n = index.ndim
    return tuple(
        index if d == axis else np.arange(s).reshape((1,) * d + (s,) + (1,) * (n - d - 1))
        for d, s in enumerate(index.shape)
    )


def _scatter_add_into(shape: tuple[int, ...], places: tuple[Array, ...], g: Array) -> Array:
    """An array of ``shape`` with g added at ``places`` (repeated places add up)."""
    flat = np.ravel_multi_index(np.broadcast_arrays(*places), shape)
    out = np.bincount(flat.reshape(-1), g.reshape(-1), minlength=int(np.prod(shape)))
    return out.reshape(shape).astype(g.dtype, copy=False)


class Gather(Function):
    """y[p] = x[p with its ``axis`` coordinate replaced by index[p]]; y has index's shape.

    VJP: gx = zeros with g added back at the gathered places (entries gathered twice get
    both gradients).
    """

    def __init__(self, index: Array, axis: int) -> None:
        self.places = _places(index, axis)

    def forward(self, x: Array) -> Array:
        self.in_shape = x.shape
        return x[self.places]

    def backward(self, g: Array) -> tuple[Array]:
        return (_scatter_add_into(self.in_shape, self.places, g),)


class Scatter(Function):
    """y = x with y[place(p)] = src[p] (or a number ``value``) for every position p of index,
    place(p) being p with its ``axis`` coordinate replaced by index[p]; ``add=True`` adds
    src instead (scatter_add, repeated places add up). Where a place repeats without
    ``add``, the last write wins (PyTorch leaves the order unspecified).

    VJP: gx = g, with the written places set to 0 unless ``add``; g_src[p] = g[place(p)]
    (0 for src's entries outside index's shape).
    """

    def __init__(self, index: Array, axis: int, add: bool = False, value: Any = None) -> None:
        self.places = _places(index, axis)
        self.sub = tuple(slice(0, s) for s in index.shape)
        self.add, self.value = add, value

    def forward(self, x: Array, src: Array | None = None) -> Array:
        y = x.copy()
        if src is None:
            y[self.places] = self.value
        elif self.add:
            np.add.at(y, self.places, src[self.sub])
        else:
            y[self.places] = src[self.sub]
        self.src_shape = () if src is None else src.shape
        return y

    def backward(self, g: Array) -> tuple[Array | None, ...]:
        need = self.needs_grad
        gx = None
        if need[0]:
            gx = g
            if not self.add:
                gx = g.copy()
                gx[self.places] = 0
        if len(need) == 1:
            return (gx,)
        gsrc = None
        if need[1]:
            gsrc = np.zeros(self.src_shape, dtype=g.dtype)
            gsrc[self.sub] = g[self.places]
        return gx, gsrc


class IndexSelect(Function):
    """y = the slices of x at ``index`` (a vector) along axis.

    VJP: gx = zeros with g's slices added back at their indices (repeated indices add up).
    """

    def __init__(self, index: Array, axis: int) -> None:
        self.index, self.axis = index, axis

    def forward(self, x: Array) -> Array:
        self.in_shape = x.shape
        return np.take(x, self.index, axis=self.axis)

    def backward(self, g: Array) -> tuple[Array]:
        gx = np.zeros(self.in_shape, dtype=g.dtype)
        where: Any = (slice(None),) * self.axis + (self.index,)
        np.add.at(gx, where, g)
        return (gx,)


# ---- argument checks shared by gather and scatter -------------------------------------------
def _check_gather_shapes(x: Array, index: Array, axis: int, who: str) -> None:
    if index.ndim != x.ndim:
        raise ValueError(
            f"{who}: the index must have as many dimensions as the input ({x.ndim}), got index "
            f"shape {index.shape} for input shape {x.shape}"
        )
    for d, (i, n) in enumerate(zip(index.shape, x.shape)):
        if d != axis and i > n:
            raise ValueError(
                f"{who}: index shape {index.shape} is larger than the input shape {x.shape} in "
                f"dimension {d} (only dimension {axis}, the one indexed, may be larger)"
            )


def gather(input: Tensor, dim: int, index: Any) -> Tensor:
    """``y[i][j] = x[index[i][j]][j]`` for dim 0 (``x[i][index[i][j]]`` for dim 1), as
    ``torch.gather``; the index has x's number of dimensions, no larger than x except along
    ``dim``, and entries in [0, x.shape[dim])."""
    x = as_tensor(input)
    idx = index_array(index, "gather")
    if x.ndim == 0:  # PyTorch's rule for a 0-d input: a 0-d index 0
        return gather(x.reshape(1), dim, idx.reshape(1)).reshape(())
    axis = check_axis(dim, x.ndim, "gather")
    _check_gather_shapes(x.data, idx, axis, "gather")
    check_range(idx, x.shape[axis], axis, "gather")
    return apply1(Gather(idx, axis), x)


def take_along_dim(input: Tensor, indices: Any, dim: int | None = None) -> Tensor:
    """``x`` indexed along ``dim`` by ``indices`` (same number of dimensions; the others
    broadcast), as ``torch.take_along_dim`` and NumPy's ``take_along_axis``; with dim None
    both are flattened. Negative indices count from the end; [-n, n) is checked."""
    x = as_tensor(input)
    idx = index_array(indices, "take_along_dim")
    if dim is None:
        x, idx, axis = x.reshape(-1), idx.reshape(-1), 0
    else:
        axis = check_axis(dim, x.ndim, "take_along_dim")
        if idx.ndim != x.ndim:
            raise ValueError(
                f"take_along_dim: input and indices must have the same number of dimensions, "
                f"got shapes {x.shape} and {idx.shape}"
            )
        try:
            shape = np.broadcast_shapes(
                x.shape[:axis] + (1,) + x.shape[axis + 1 :],
                idx.shape[:axis] + (1,) + idx.shape[axis + 1 :],
            )
        except ValueError:
            raise ValueError(
                f"take_along_dim: shapes {x.shape} and {idx.shape} do not broadcast outside "
                f"dimension {axis}"
            ) from None
        if x.shape[:axis] + x.shape[axis + 1 :] != shape[:axis] + shape[axis + 1 :]:
            x = x.broadcast_to(shape[:axis] + (x.shape[axis],) + shape[axis + 1 :])
        idx = np.broadcast_to(idx, shape[:axis] + (idx.shape[axis],) + shape[axis + 1 :])
    n = x.shape[axis]
    check_range(idx, n, axis, "take_along_dim", negative=True)
    return apply1(Gather(np.where(idx < 0, idx + n, idx), axis), x)


def scatter(input: Tensor, dim: int, index: Any, src: Any = None, *, value: Any = None) -> Tensor:
    """A copy of x with ``src`` (a tensor, or a number: PyTorch's ``value``) written at the
    places ``index`` names along ``dim`` (``y[index[i][j]][j] = src[i][j]`` for dim 0), as
    ``torch.Tensor.scatter``."""
    return _scatter(input, dim, index, value if src is None else src, add=False)


def scatter_add(input: Tensor, dim: int, index: Any, src: Any) -> Tensor:
    """A copy of x with ``src`` added at the places ``index`` names along ``dim`` (repeated
    places add up), as ``torch.Tensor.scatter_add``."""
    return _scatter(input, dim, index, src, add=True)


def _scatter(input: Any, dim: int, index: Any, src: Any, add: bool) -> Tensor:
    who = "scatter_add" if add else "scatter"
    x = as_tensor(input)
    idx = index_array(index, who)
    if x.ndim == 0:
        raise ValueError(f"{who}: the input must have at least one dimension")
    axis = check_axis(dim, x.ndim, who)
    _check_gather_shapes(x.data, idx, axis, who)
    check_range(idx, x.shape[axis], axis, who)
    if src is None:
        raise TypeError(f"{who}: give src (a tensor) or value (a number)")
    if isinstance(src, (int, float)) and not add:
        return apply1(Scatter(idx, axis, value=src), x)
    s = as_tensor(src, x)
    if s.ndim != idx.ndim or any(i > n for i, n in zip(idx.shape, s.shape)):
        raise ValueError(
            f"{who}: src must have the index's number of dimensions and be at least as large "
            f"in each, got src shape {s.shape} for index shape {idx.shape}"
        )
    return apply(Scatter(idx, axis, add=add), x, s)


def index_select(input: Tensor, dim: int, index: Any) -> Tensor:
    """The slices of x at ``index`` (a vector, entries in [0, x.shape[dim])) along ``dim``."""
    x = as_tensor(input)
    idx = index_array(index, "index_select")
    if idx.ndim > 1:
        raise ValueError(f"index_select: the index must be a vector, got shape {idx.shape}")
    if x.ndim == 0:
        raise ValueError("index_select: the input must have at least one dimension")
    axis = check_axis(dim, x.ndim, "index_select")
    check_range(idx, x.shape[axis], axis, "index_select")
    return apply1(IndexSelect(idx.reshape(-1), axis), x)


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    """``value`` where the boolean ``mask`` (broadcast with x) is True, x elsewhere; ``value``
    a number or a 0-d tensor (which then gets the sum of g over the filled places)."""
    x = as_tensor(input)
    m = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    if m.dtype != np.bool_:
        raise TypeError(f"masked_fill: the mask must be boolean, got dtype {m.dtype}")
    v = as_tensor(value, x)
    if v.ndim:
        raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got {v.shape}")
    try:
        np.broadcast_shapes(m.shape, x.shape)
    except ValueError:
        raise ValueError(
            f"masked_fill: mask shape {m.shape} does not broadcast with input shape {x.shape}"
        ) from None
    if v.dtype != x.dtype and x.dtype.kind == "f":
        v = v.astype(x.dtype)
    return apply(Where(m), v, x)


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """int64 rows with a 1 at each class index, shape (..., num_classes); ``num_classes=-1``
    takes the largest index + 1. No gradient (as PyTorch)."""
    labels = index_array(tensor, "one_hot")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"one_hot: num_classes must be an int, got {num_classes!r}")
    if num_classes < -1:
        raise ValueError(f"one_hot: num_classes must be -1 or >= 0, got {num_classes}")
    if labels.size and labels.min() < 0:
        raise ValueError(f"one_hot: class values must be >= 0, got {int(labels.min())}")
    if num_classes == -1:
        if labels.size == 0:
            raise ValueError("one_hot: cannot infer the number of classes of an empty tensor")
        num_classes = int(labels.max()) + 1
    if labels.size and labels.max() >= num_classes:
        raise ValueError(
            f"one_hot: class values must be smaller than num_classes={num_classes}, got "
            f"{int(labels.max())}"
        )
    out = np.zeros(labels.shape + (int(num_classes),), dtype=np.int64)
    np.put_along_axis(out, labels[..., None].astype(np.intp), 1, axis=-1)
    return Tensor._wrap(out)


for _name, _fn in [
    ("gather", gather),
    ("scatter", scatter),
    ("scatter_add", scatter_add),
    ("index_select", index_select),
    ("take_along_dim", take_along_dim),
    ("masked_fill", masked_fill),
]:
    tensor_method(_name, _fn)
