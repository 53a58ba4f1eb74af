"""Shape ops: reshape, transpose, broadcast_to, indexing, concatenate, stack, pad.

None of them computes anything; their backward moves the gradient back where each entry
came from (indexing scatters it, adding up entries picked more than once).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.tensor import Tensor, apply, apply1, as_tensor
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray


class Reshape(Function):
    """y = x with a new shape (NumPy's rules, one -1 allowed).  VJP: gx = g reshaped back."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: Array) -> Array:
        self.in_shape = x.shape
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {x.shape} into {self.shape}"
            ) from None

    def backward(self, g: Array) -> tuple[Array]:
        return (g.reshape(self.in_shape),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g.reshape(self.in_shape),)


class Transpose(Function):
    """y = x with its axes permuted (reversed when ``axes`` is None).

    VJP: gx = g permuted by the inverse permutation.
    """

    def __init__(self, axes: Sequence[int] | None = None) -> None:
        self.axes = None if axes is None else tuple(axes)

    def forward(self, x: Array) -> Array:
        axes = tuple(range(x.ndim))[::-1] if self.axes is None else self.axes
        if sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)):
            raise ValueError(
                f"transpose: axes {self.axes} are not a permutation of a tensor "
                f"with {x.ndim} dimensions"
            )
        self.inverse = tuple(np.argsort([a % x.ndim for a in axes]))
        return x.transpose(axes)

    def backward(self, g: Array) -> tuple[Array]:
        return (g.transpose(self.inverse),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (transpose(g, tuple(int(a) for a in self.inverse)),)


class BroadcastTo(Function):
    """y = x broadcast to ``shape``.  VJP: the engine sums g back over the broadcast axes."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: Array) -> Array:
        try:
            return np.broadcast_to(x, self.shape)
        except ValueError:
            raise ValueError(
                f"broadcast_to: cannot broadcast shape {x.shape} to {self.shape}"
            ) from None

    def backward(self, g: Array) -> tuple[Array]:
        return (g,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g,)


def _is_basic(index: Any) -> bool:
    """True for indices made of ints, slices, None and Ellipsis: no entry is picked twice."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in items)


class GetItem(Function):
    """y = x[index] (NumPy's basic and advanced indexing).

    VJP: a zero array of x's shape with g scatter-added at ``index``; entries picked more
    than once receive the sum of their gradients.
    """

    def __init__(self, index: Any) -> None:
        self.index = index

    def forward(self, x: Array) -> Array:
        self.in_shape, self.in_dtype = x.shape, x.dtype
        return np.asarray(x[self.index])

    def backward(self, g: Array) -> tuple[Array]:
        gx = np.zeros(self.in_shape, dtype=g.dtype)
        if _is_basic(self.index):
            gx[self.index] = g
        else:
            np.add.at(gx, self.index, g)
        return (gx,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (apply1(IndexPut(self.index, self.in_shape), g),)


class IndexPut(Function):
    """y = zeros of ``shape`` with x added at ``index`` (the VJP of ``GetItem``, needed to
    differentiate it again).  VJP: gx = g[index]."""

    def __init__(self, index: Any, shape: tuple[int, ...]) -> None:
        self.index, self.shape = index, shape

    def forward(self, x: Array) -> Array:
        y = np.zeros(self.shape, dtype=x.dtype)
        if _is_basic(self.index):
            y[self.index] = x
        else:
            np.add.at(y, self.index, x)
        return y

    def backward(self, g: Array) -> tuple[Array]:
        return (np.asarray(g[self.index]),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (getitem(g, self.index),)


def _unwrap_index(index: Any) -> Any:
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


class Concatenate(Function):
    """y = the inputs joined along ``axis``.  VJP: g split back into the inputs' pieces."""

    def __init__(self, axis: int = 0) -> None:
        self.axis = axis

    def forward(self, *xs: Array) -> Array:
        try:
            y = np.concatenate(xs, axis=self.axis)
        except ValueError as exc:
            shapes = ", ".join(str(x.shape) for x in xs)
            raise ValueError(
                f"concatenate: incompatible shapes {shapes} along axis {self.axis} ({exc})"
            ) from None
        self.splits = np.cumsum([x.shape[self.axis] for x in xs])[:-1]
        return y

    def backward(self, g: Array) -> tuple[Array, ...]:
        return tuple(np.split(g, self.splits, axis=self.axis))

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        bounds = [0, *(int(s) for s in self.splits), g.shape[self.axis]]
        lead = (slice(None),) * (self.axis % g.ndim)
        return tuple(
            getitem(g, (*lead, slice(bounds[i], bounds[i + 1]))) for i in range(len(bounds) - 1)
        )


class Stack(Function):
    """y = the inputs stacked along a new ``axis``.  VJP: gx_i = g taken at index i of axis."""

    def __init__(self, axis: int = 0) -> None:
        self.axis = axis

    def forward(self, *xs: Array) -> Array:
        try:
            return np.stack(xs, axis=self.axis)
        except ValueError as exc:
            shapes = ", ".join(str(x.shape) for x in xs)
            raise ValueError(f"stack: incompatible shapes {shapes} ({exc})") from None

    def backward(self, g: Array) -> tuple[Array, ...]:
        return tuple(np.moveaxis(g, self.axis, 0))

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        lead = (slice(None),) * (self.axis % g.ndim)
        return tuple(getitem(g, (*lead, i)) for i in range(g.shape[self.axis]))


class Pad(Function):
    """y = x padded with a constant (NumPy's ``pad_width``).  VJP: gx = g with the pad cut off."""

    def __init__(self, pad_width: Any, value: float = 0.0) -> None:
        self.pad_width = pad_width
        self.value = value

    def forward(self, x: Array) -> Array:
        widths = np.broadcast_to(np.asarray(self.pad_width, dtype=np.int64), (x.ndim, 2))
        if np.any(widths < 0):
            raise ValueError(f"pad: pad widths must be non-negative, got {self.pad_width}")
        self.slices = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape))
        return np.pad(x, widths, mode="constant", constant_values=self.value)

    def backward(self, g: Array) -> tuple[Array]:
        return (g[self.slices],)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (getitem(g, self.slices),)


def reshape(x: Tensor, *shape: Any) -> Tensor:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return apply1(Reshape(tuple(shape)), x)


def transpose(x: Tensor, *axes: Any) -> Tensor:
    perm: Any = axes
    if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
        perm = axes[0]
    return apply1(Transpose(tuple(perm) if perm else None), x)


def broadcast_to(x: Tensor, shape: Sequence[int]) -> Tensor:
    return apply1(BroadcastTo(tuple(shape)), x)


def getitem(x: Tensor, index: Any) -> Tensor:
    return apply1(GetItem(_unwrap_index(index)), x)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    ts = [as_tensor(t) for t in tensors]
    if not ts:
        raise ValueError("concatenate: need at least one tensor")
    return apply(Concatenate(axis), *ts)


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    ts = [as_tensor(t) for t in tensors]
    if not ts:
        raise ValueError("stack: need at least one tensor")
    return apply(Stack(axis), *ts)


def pad(x: Tensor, pad_width: Any, value: float = 0.0) -> Tensor:
    return apply1(Pad(pad_width, value), x)
