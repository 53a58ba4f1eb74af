"""``Parameter``: a tensor that a ``Module`` registers as learnable."""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires a gradient and is found by ``Module.parameters()``.

    Parameters
    ----------
    data : array_like
        Floating-point values; NumPy arrays keep their dtype (float32 for layers by default).
    requires_grad : bool, default True

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.nn import Parameter
    >>> w = Parameter(np.zeros((2, 3), dtype=np.float32))
    >>> w.requires_grad, w.shape
    (True, (2, 3))
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        if isinstance(data, Tensor):
            data = data.data
        super().__init__(
            np.asarray(data) if isinstance(data, np.ndarray) else data, requires_grad=requires_grad
        )

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
