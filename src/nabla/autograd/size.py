"""``Size`` (PyTorch's ``torch.Size``) and the value of ``Tensor.size``.

``Tensor.size`` is NumPy's element count in nabla's NumPy-style API (``x.size == 6``,
``numpy.zeros(x.size)``) and PyTorch's method in PyTorch code (``x.size()`` is the shape,
``x.size(1)`` one dimension). Both work: the property returns a ``SizeInt``, an ``int`` equal
to the element count that can also be called. As an ``int`` it is exactly the number (it
prints, compares, hashes, indexes and serialises as one); calling it gives PyTorch's answer.

>>> import nabla
>>> x = nabla.zeros(2, 3)
>>> x.size, x.size(), x.size(1), x.size(-1)
(6, nabla.Size([2, 3]), 3, 3)
"""

from __future__ import annotations

import math
from typing import Any, SupportsIndex, overload


class Size(tuple):  # type: ignore[type-arg]
    """A tensor's shape as PyTorch's ``torch.Size``: a tuple of ints with ``numel()``."""

    __slots__ = ()

    def numel(self) -> int:
        """The number of elements of a tensor of this shape (1 for ``Size([])``)."""
        return math.prod(self)

    @overload
    def __getitem__(self, index: SupportsIndex) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> Size: ...

    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __repr__(self) -> str:
        return f"nabla.Size({list(self)})"


def dim_index(dim: Any, ndim: int, who: str) -> int:
    """``dim`` as an index in ``range(ndim)``; negative counts from the end (PyTorch's rule)."""
    if isinstance(dim, bool) or not isinstance(dim, SupportsIndex):
        raise TypeError(f"{who}: dim must be an int, got {type(dim).__name__} {dim!r}")
    d = dim.__index__()
    if ndim == 0:
        raise IndexError(f"{who}: dimension specified as {d} but the tensor has no dimensions")
    if not -ndim <= d < ndim:
        raise IndexError(
            f"{who}: dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], "
            f"but got {d})"
        )
    return d % ndim


class SizeInt(int):
    """The number of elements of a tensor, callable as PyTorch's ``Tensor.size``.

    ``s`` is an ``int`` (NumPy's ``ndarray.size``); ``s()`` is the shape as a ``Size`` and
    ``s(dim)`` the length of dimension ``dim`` (negative counts from the end; ``IndexError``
    out of range).
    """

    shape: tuple[int, ...]

    def __new__(cls, shape: tuple[int, ...]) -> SizeInt:
        self = super().__new__(cls, math.prod(shape))
        self.shape = shape
        return self

    def __call__(self, dim: Any = None) -> Any:
        if dim is None:
            return Size(self.shape)
        return self.shape[dim_index(dim, len(self.shape), "size")]

    def __repr__(self) -> str:
        return int.__repr__(self)

    __str__ = __repr__

    def __reduce__(self) -> Any:
        # pickles (and deep-copies) as the plain number it stands for
        return (int, (int(self),))
