"""Activation layers (the course notes "ACTIVATION FUNCTIONS", the neural-network lecture "Maxout").

Each is a thin module around the function of ``nabla.nn.functional`` of the same name; all
are finite, with finite gradients, at ±1000.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nabla.autograd.ops import activation as _act
from nabla.autograd.ops import nn as _nn
from nabla.autograd.tensor import Tensor, apply1
from nabla.nn import functional as F
from nabla.nn import init
from nabla.nn.layers._util import check_float, check_int, float_dtype, to_tensor
from nabla.nn.module import Module
from nabla.nn.parameter import Parameter


def _x(input: Any, who: str) -> Tensor:
    return input if isinstance(input, Tensor) else to_tensor(input, who)


class ReLU(Module):
    """max(x, 0), with gradient 0 at 0 (the course notes "ReLU UNIT").

    ``inplace`` is accepted for compatibility; nabla never overwrites its input.

    Shape
    -----
    Any shape -> the same shape.
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Any) -> Tensor:
        return apply1(_act.Relu(), _x(input, "ReLU"))


class Sigmoid(Module):
    """sigma(x) = 1 / (1 + exp(-x)), sigma' = sigma (1 - sigma); saturates at both ends."""

    def forward(self, input: Any) -> Tensor:
        return apply1(_act.Sigmoid(), _x(input, "Sigmoid"))


class Tanh(Module):
    """tanh(x), tanh' = 1 - tanh^2: zero-centred, saturates at ±1."""

    def forward(self, input: Any) -> Tensor:
        return apply1(_act.Tanh(), _x(input, "Tanh"))


class LeakyReLU(Module):
    """max(a x, x) with a fixed slope a (the course notes: a hyper-parameter; the neural-network
    lecture uses 0.1).

    Parameters
    ----------
    negative_slope : float, default 0.01
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        ok = isinstance(negative_slope, (int, float)) and not isinstance(negative_slope, bool)
        if not ok or not math.isfinite(negative_slope):
            raise ValueError(
                f"LeakyReLU: negative_slope must be a finite number, got {negative_slope!r}"
            )
        self.negative_slope = float(negative_slope)
        self.inplace = inplace

    def forward(self, input: Any) -> Tensor:
        return apply1(_nn.LeakyRelu(self.negative_slope), _x(input, "LeakyReLU"))

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class PReLU(Module):
    """max(a x, x) with a learned slope a (the course notes: "if alpha -> parameter: PReLU").

    Parameters
    ----------
    num_parameters : int, default 1
        1 (one slope shared by all channels) or the number of channels C (axis 1).
    init : float, default 0.25
        Initial slope.

    Attributes
    ----------
    weight : Parameter (num_parameters,)
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype: Any = None) -> None:
        super().__init__()
        # PyTorch's attribute name; it shadows Module.num_parameters() on PReLU instances
        self.num_parameters = check_int(  # type: ignore[assignment,method-assign]
            num_parameters, "PReLU", "num_parameters"
        )
        self.init = check_float(init, "PReLU", "init", -math.inf)
        dt = float_dtype(dtype, "PReLU")
        self.weight = Parameter(np.full(self.num_parameters, self.init, dtype=dt))

    def forward(self, input: Any) -> Tensor:
        x = _x(input, "PReLU")
        n = self.num_parameters
        if n != 1 and (x.ndim < 2 or x.shape[1] != n):
            raise ValueError(
                f"PReLU: expected input with {n} channels on axis 1, shape (N, {n}, ...), "
                f"got shape {x.shape}"
            )
        return F.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """x for x > 0, alpha (exp(x) - 1) otherwise (the neural-network lecture: "always derivable").

    Parameters
    ----------
    alpha : float, default 1.0
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = check_float(alpha, "ELU", "alpha", 0.0)
        self.inplace = inplace

    def forward(self, input: Any) -> Tensor:
        return apply1(_nn.Elu(self.alpha), _x(input, "ELU"))

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Softplus(Module):
    """log(1 + exp(beta x)) / beta, a smooth ReLU whose derivative is sigma(beta x).

    Parameters
    ----------
    beta : float, default 1
    threshold : float, default 20
        Where ``beta x > threshold`` the output is ``x`` itself, as in PyTorch (the two
        differ there by less than ``exp(-threshold) / beta``).
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = check_float(beta, "Softplus", "beta", 0.0)
        if self.beta == 0:
            raise ValueError(f"Softplus: beta must be > 0, got {beta!r}")
        self.threshold = check_float(threshold, "Softplus", "threshold", -math.inf)

    def forward(self, input: Any) -> Tensor:
        return F.softplus(_x(input, "Softplus"), self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


def _softmax_dim(dim: int | None, ndim: int) -> int:
    # PyTorch's rule when dim is not given: 0 for 0-, 1- and 3-D inputs, else 1
    if dim is not None:
        return dim
    return 0 if ndim in (0, 1, 3) else 1


class Softmax(Module):
    """exp(x_i) / sum_j exp(x_j) along ``dim`` (scores to probabilities, the course notes)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Any) -> Tensor:
        x = _x(input, "Softmax")
        return F.softmax(x, _softmax_dim(self.dim, x.ndim))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log softmax(x) along ``dim``, computed as x - logsumexp(x) (stable)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Any) -> Tensor:
        x = _x(input, "LogSoftmax")
        return F.log_softmax(x, _softmax_dim(self.dim, x.ndim))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Maxout(Module):
    """Maxout unit (the neural-network lecture): y_o = max_j (w_{oj}^T x + b_{oj}), the maximum
    of ``pieces`` linear functions per output (the notes' max(w_1^T x + b_1, w_2^T x + b_2)
    for 2).

    Parameters
    ----------
    in_features, out_features : int
    pieces : int, default 2
        k, the number of linear pieces per output.
    bias : bool, default True
    dtype, rng
        As ``Linear``.

    Shape
    -----
    (..., in_features) -> (..., out_features).

    Attributes
    ----------
    weight : Parameter (out_features * pieces, in_features)
        Row o * pieces + j is piece j of output o; initialised as a ``Linear`` layer.
    bias : Parameter (out_features * pieces,) or None
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        pieces: int = 2,
        bias: bool = True,
        dtype: Any = None,
        rng: init.RNG = None,
    ) -> None:
        super().__init__()
        from nabla.nn.layers.linear import Linear

        self.pieces = check_int(pieces, "Maxout", "pieces")
        self.in_features = check_int(in_features, "Maxout", "in_features")
        self.out_features = check_int(out_features, "Maxout", "out_features")
        lin = Linear(in_features, out_features * self.pieces, bias, dtype, rng)
        self.weight = lin.weight
        if lin.bias is None:
            self.register_parameter("bias", None)
        else:
            self.bias = lin.bias

    def forward(self, input: Any) -> Tensor:
        x = _x(input, "Maxout")
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"Maxout: expected input of shape (..., {self.in_features}), got shape {x.shape}"
            )
        return F.maxout(F.linear(x, self.weight, self.bias), self.pieces)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"pieces={self.pieces}, bias={self.bias is not None}"
        )
