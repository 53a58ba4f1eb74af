"""Moving entries around, PyTorch's ops: flip, roll, repeat / tile, expand, split / chunk,
squeeze / unsqueeze, and clone.

Their backward moves each gradient entry back to where it came from (and adds up the
copies that ``repeat`` made). Dimensions are PyTorch's ``dim`` / ``dims``, or NumPy's
``axis`` as a keyword. Where the two differ, these are PyTorch's: ``repeat`` is NumPy's
``tile`` (NumPy's ``repeat`` is PyTorch's ``repeat_interleave``, not provided); ``split``
takes piece sizes (NumPy's takes a count or split points); ``squeeze`` leaves a named
dimension whose size is not 1 as it is (NumPy raises); ``flip`` needs its dimensions.
"""

from __future__ import annotations

import math
from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.ops._api import axis_arg, tensor_method
from nabla.autograd.ops.reduction import check_axis, normalize_axis
from nabla.autograd.ops.shape import broadcast_to, getitem, reshape
from nabla.autograd.tensor import Tensor, apply1
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray


class Flip(Function):
    """y = x reversed along ``axes``.  VJP: gx = g reversed along the same axes."""

    def __init__(self, axes: tuple[int, ...]) -> None:
        self.axes = axes

    def forward(self, x: Array) -> Array:
        return np.flip(x, self.axes) if self.axes else x.copy()

    def backward(self, g: Array) -> tuple[Array]:
        return (np.flip(g, self.axes) if self.axes else g,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (apply1(Flip(self.axes), g) if self.axes else g,)


class Roll(Function):
    """y = x shifted cyclically by ``shifts`` along ``axes`` (the flattened x when None).

    VJP: gx = g rolled back by -shifts.
    """

    def __init__(self, shifts: Any, axes: Any) -> None:
        self.shifts, self.axes = shifts, axes

    def forward(self, x: Array) -> Array:
        return np.roll(x, self.shifts, self.axes)

    def backward(self, g: Array) -> tuple[Array]:
        back = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return (np.roll(g, back, self.axes),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        back = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return (apply1(Roll(back, self.axes), g),)


class Tile(Function):
    """y = x repeated reps[i] times along dimension i (x's shape padded with leading 1s to
    len(reps) dimensions): NumPy's ``tile``, PyTorch's ``repeat``.

    VJP: gx = g viewed as (r_0, n_0, r_1, n_1, ...) summed over the r axes.
    """

    def __init__(self, reps: tuple[int, ...]) -> None:
        self.reps = reps

    def forward(self, x: Array) -> Array:
        self.in_shape = x.shape
        self.padded = (1,) * (len(self.reps) - x.ndim) + x.shape
        return np.tile(x, self.reps)

    def backward(self, g: Array) -> tuple[Array]:
        pairs = tuple(v for r, n in zip(self.reps, self.padded) for v in (r, n))
        summed = g.reshape(pairs).sum(axis=tuple(range(0, len(pairs), 2)))
        return (summed.reshape(self.in_shape),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        pairs = tuple(v for r, n in zip(self.reps, self.padded) for v in (r, n))
        return (g.reshape(pairs).sum(axis=tuple(range(0, len(pairs), 2))).reshape(self.in_shape),)


class Clone(Function):
    """y = a copy of x (its own memory).  VJP: gx = g."""

    def forward(self, x: Array) -> Array:
        return x.copy()

    def backward(self, g: Array) -> tuple[Array]:
        return (g,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g,)


def _ints(values: tuple[Any, ...], who: str, name: str) -> tuple[int, ...]:
    """Varargs of ints or one tuple / list of them, as a tuple of ints."""
    if len(values) == 1 and isinstance(values[0], (tuple, list)):
        values = tuple(values[0])
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{who}: {name} must be ints, got {values!r}")
    return tuple(int(v) for v in values)


# ---- functional forms and Tensor methods ---------------------------------------------------
def flip(x: Tensor, *args: Any, dims: Any = None, axis: Any = None) -> Tensor:
    """x reversed along the given dimensions: ints, one tuple of them, ``dims=`` (PyTorch)
    or ``axis=`` (NumPy)."""
    given = [v for v in (args or None, dims, axis) if v is not None]
    if len(given) != 1:
        raise TypeError(
            "flip: give the dimensions to flip once, e.g. flip(x, 0) or flip(x, dims=(0, 1))"
        )
    vals = given[0] if isinstance(given[0], tuple) else (given[0],)
    return apply1(Flip(normalize_axis(_ints(vals, "flip", "dims"), x.ndim, "flip")), x)


def roll(x: Tensor, shifts: Any, dims: Any = None, *, axis: Any = None) -> Tensor:
    """x shifted cyclically by ``shifts`` along ``dims`` (each a number or a tuple of equal
    length); with no dims the flattened x is rolled and the shape restored."""
    given = axis_arg(axis, dims, "roll", "dims")
    if given is None:
        if isinstance(shifts, (tuple, list)) and len(shifts) != 1:
            raise ValueError(f"roll: with no dims, shifts must be one number, got {shifts!r}")
        s = _ints(
            tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,), "roll", "shifts"
        )
        return apply1(Roll(s[0], None), x)
    many = isinstance(given, (tuple, list))
    ds = _ints(tuple(given) if many else (given,), "roll", "dims")
    ss = _ints(tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,), "roll", "shifts")
    if len(ss) != len(ds):
        raise ValueError(f"roll: shifts {shifts!r} and dims {given!r} must have the same length")
    axes = tuple(check_axis(d, x.ndim, "roll") for d in ds)
    return apply1(Roll(ss, axes), x) if x.ndim else apply1(Clone(), x)


def repeat(x: Tensor, *sizes: Any) -> Tensor:
    """x repeated sizes[i] times along dimension i (PyTorch's ``repeat``, NumPy's ``tile``);
    at least x.ndim sizes, extra ones add leading dimensions."""
    reps = _ints(sizes, "repeat", "sizes")
    if len(reps) < x.ndim:
        raise ValueError(
            f"repeat: give at least one size per dimension ({x.ndim}), got {reps}; tile() "
            "prepends 1s to fewer sizes"
        )
    if any(r < 0 for r in reps):
        raise ValueError(f"repeat: sizes must be >= 0, got {reps}")
    return apply1(Tile(reps), x)


def tile(x: Tensor, *dims: Any) -> Tensor:
    """As ``repeat``, with fewer sizes than dimensions allowed (1s are prepended)."""
    reps = _ints(dims, "tile", "dims")
    reps = (1,) * (x.ndim - len(reps)) + reps
    return repeat(x, reps)


def expand(x: Tensor, *sizes: Any) -> Tensor:
    """x broadcast to ``sizes`` (a view): -1 keeps a dimension, only size-1 dimensions
    grow, and new dimensions go in front (as PyTorch's ``expand``)."""
    want = _ints(sizes, "expand", "sizes")
    lead = len(want) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: {want} has fewer dimensions than the tensor's shape {x.shape}")
    shape = []
    for i, s in enumerate(want):
        n = x.shape[i - lead] if i >= lead else None
        if s == -1:
            if n is None:
                raise ValueError(f"expand: -1 is not allowed for the new leading dimension {i}")
            s = n
        if s < 0 or (n is not None and n != 1 and n != s):
            raise ValueError(
                f"expand: size {s} at dimension {i} must match the existing size {n} (only "
                f"dimensions of size 1 expand); target {want}, tensor shape {x.shape}"
            )
        shape.append(s)
    return broadcast_to(x, tuple(shape))


def _dim0(axis: Any, dim: Any, who: str, ndim: int) -> int:
    given = axis_arg(axis, dim, who)
    return check_axis(0 if given is None else given, ndim, who)


def split(x: Tensor, split_size_or_sections: Any, dim: Any = None, *, axis: Any = None) -> tuple:
    """Pieces along ``dim`` (default 0): of ``split_size`` each (the last may be smaller), or
    of the listed sizes (which must add up to the dimension)."""
    d = _dim0(axis, dim, "split", x.ndim)
    if x.ndim == 0:
        raise ValueError("split: cannot split a 0-d tensor")
    n = x.shape[d]
    if isinstance(split_size_or_sections, (tuple, list)):
        sizes = _ints(tuple(split_size_or_sections), "split", "sections")
        if any(s < 0 for s in sizes) or sum(sizes) != n:
            raise ValueError(f"split: sections {sizes} must be >= 0 and add up to {n}")
    else:
        size = _ints((split_size_or_sections,), "split", "split_size")[0]
        if size <= 0 and not (size == 0 and n == 0):
            raise ValueError(f"split: split_size must be > 0, got {size} (dimension size {n})")
        sizes = tuple(min(size, n - i) for i in range(0, n, size)) if n else (0,)
    out, start = [], 0
    for s in sizes:
        out.append(getitem(x, (slice(None),) * d + (slice(start, start + s),)))
        start += s
    return tuple(out)


def chunk(x: Tensor, chunks: int, dim: Any = None, *, axis: Any = None) -> tuple:
    """At most ``chunks`` pieces of ceil(n / chunks) along ``dim`` (default 0; as PyTorch,
    fewer when n does not need them all, and ``chunks`` empty pieces when n = 0)."""
    c = _ints((chunks,), "chunk", "chunks")[0]
    if c <= 0:
        raise ValueError(f"chunk: chunks must be > 0, got {c}")
    d = _dim0(axis, dim, "chunk", x.ndim)
    if x.ndim and x.shape[d] == 0:
        return split(x, 0, d) * c
    return split(x, math.ceil(x.shape[d] / c) if x.ndim else 1, d)


def squeeze(x: Tensor, dim: Any = None, *, axis: Any = None) -> Tensor:
    """x without the given size-1 dimensions (all of them by default); a given dimension of
    another size is left as it is (as PyTorch; NumPy raises)."""
    given = axis_arg(axis, dim, "squeeze")
    axes = normalize_axis(given, x.ndim, "squeeze")
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if not (i in axes and n == 1)))


def unsqueeze(x: Tensor, dim: Any = None, *, axis: Any = None) -> Tensor:
    """x with a new size-1 dimension at ``dim`` (in [-ndim - 1, ndim])."""
    given = axis_arg(axis, dim, "unsqueeze")
    if given is None:
        raise TypeError("unsqueeze: give the dimension (dim) to insert")
    d = check_axis(given, x.ndim + 1, "unsqueeze")
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def clone(x: Tensor) -> Tensor:
    """A copy of x with its own memory, still in the graph (``detach().clone()`` to cut it)."""
    return apply1(Clone(), x)


for _name, _fn in [
    ("flip", flip),
    ("roll", roll),
    ("repeat", repeat),
    ("tile", tile),
    ("expand", expand),
    ("split", split),
    ("chunk", chunk),
    ("squeeze", squeeze),
    ("unsqueeze", unsqueeze),
    ("clone", clone),
]:
    tensor_method(_name, _fn)
