"""``GradArray``: the NumPy array in ``Tensor.grad``, with PyTorch's in-place methods.

A gradient is a ``numpy.ndarray`` (nabla's design: optimisers and user code do NumPy
arithmetic on it). PyTorch code also calls a few in-place methods on it, such as
``x.grad.zero_()`` between two ``backward`` calls; ``GradArray`` adds those (``zero_``,
``fill_``, ``add_``, ``sub_``, ``mul_``, ``div_``, ``copy_``, ``clamp_``) and ``numpy()``.
Everything else is the ndarray's: ``isinstance(x.grad, numpy.ndarray)`` holds, it prints as
an ``array(...)``, and arithmetic on it gives plain arrays, so it never spreads into
optimiser state or parameters.

>>> import nabla
>>> x = nabla.tensor([1.0, 2.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
array([2., 4.], dtype=float32)
>>> x.grad.zero_()
array([0., 0.], dtype=float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _array(value: Any) -> Any:
    """A tensor's array, or the value itself (an array, a number, None)."""
    if value is None or isinstance(value, (np.ndarray, np.generic, int, float)):
        return value
    return getattr(value, "data", value)  # a Tensor


class GradArray(np.ndarray):
    """An ndarray holding a gradient; see the module docstring."""

    def __array_wrap__(self, arr: Any, context: Any = None, return_scalar: bool = False) -> Any:
        # results computed from a gradient are plain arrays (or scalars), never GradArrays
        if type(arr) is not np.ndarray:
            arr = arr.view(np.ndarray)
        return arr[()] if return_scalar else arr

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))

    def numpy(self) -> np.ndarray:
        """This gradient as a plain ndarray (shared, not copied)."""
        return self.view(np.ndarray)

    def zero_(self) -> GradArray:
        """Fill with zeros in place; return this array."""
        self.fill(0)
        return self

    def fill_(self, value: Any) -> GradArray:
        self.fill(_array(value))
        return self

    def add_(self, other: Any, alpha: Any = 1) -> GradArray:
        other = _array(other)
        np.add(self, other if alpha == 1 else alpha * other, out=self, casting="same_kind")
        return self

    def sub_(self, other: Any, alpha: Any = 1) -> GradArray:
        other = _array(other)
        np.subtract(self, other if alpha == 1 else alpha * other, out=self, casting="same_kind")
        return self

    def mul_(self, other: Any) -> GradArray:
        np.multiply(self, _array(other), out=self, casting="same_kind")
        return self

    def div_(self, other: Any) -> GradArray:
        np.divide(self, _array(other), out=self, casting="same_kind")
        return self

    def copy_(self, src: Any) -> GradArray:
        np.copyto(self, _array(src), casting="unsafe")
        return self

    def clamp_(self, min: Any = None, max: Any = None) -> GradArray:
        np.clip(self, _array(min), _array(max), out=self)
        return self


def as_grad(value: Any) -> GradArray | None:
    """``value`` (None, an array, a tensor, array-like) as the ``GradArray`` a tensor holds.

    The shape is not checked here (the optimisers check it at ``step``, where a gradient of
    the wrong shape would do harm), so assigning costs a view only.
    """
    if value is None or type(value) is GradArray:
        return value
    return np.asarray(_array(value)).view(GradArray)
