"""``Linear`` (the notes' h = W x + b on a batch) and ``Identity``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nabla.autograd.ops.nn import Linear as _LinearOp
from nabla.autograd.tensor import Tensor, apply, apply2
from nabla.nn import init
from nabla.nn.layers._util import check_bool, check_int, float_dtype, to_tensor
from nabla.nn.module import Module
from nabla.nn.parameter import Parameter


class Linear(Module):
    """Affine map y = x W^T + b (the course notes: h = W x + b, one row per sample).

    Parameters
    ----------
    in_features, out_features : int
        Sizes of each input and output sample.
    bias : bool, default True
        Learn the additive bias b.
    dtype : numpy dtype, default float32
    rng : int or numpy.random.Generator, optional
        Source of the initial weights (default: ``nabla.nn.init``'s generator).

    Shape
    -----
    input (..., in_features) -> output (..., out_features).

    Attributes
    ----------
    weight : Parameter (out_features, in_features)
        Initialised from U(-1/sqrt(in_features), 1/sqrt(in_features)) (PyTorch's
        ``kaiming_uniform_(a=sqrt(5))``).
    bias : Parameter (out_features,) or None
        Initialised from the same uniform distribution.

    Examples
    --------
    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> layer = nn.Linear(3, 2, rng=0)
    >>> layer(nabla.tensor(np.ones((4, 3), dtype=np.float32))).shape
    (4, 2)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        dtype: Any = None,
        rng: init.RNG = None,
    ) -> None:
        super().__init__()
        who = "Linear"
        self.in_features = check_int(in_features, who, "in_features", 0)
        self.out_features = check_int(out_features, who, "out_features", 0)
        check_bool(bias, who, "bias")
        dt = float_dtype(dtype, who)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(rng)

    def reset_parameters(self, rng: init.RNG = None) -> None:
        """PyTorch's default: W, b ~ U(-1/sqrt(in_features), 1/sqrt(in_features))."""
        gen = init.get_rng(rng, "Linear")
        if self.in_features == 0:
            init.zeros_(self.weight)
        else:
            init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=gen)
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound, rng=gen)

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, "Linear")
        shape = x.data.shape
        if not shape or shape[-1] != self.in_features:
            raise ValueError(
                f"Linear: expected input of shape (..., {self.in_features}) "
                f"(in_features={self.in_features}), got shape {shape}"
            )
        b = self.bias
        if b is None:
            return apply2(_LinearOp(), x, self.weight)
        return apply(_LinearOp(), x, self.weight, b)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    """y = x. Arguments are accepted and ignored (a placeholder, as in PyTorch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input
