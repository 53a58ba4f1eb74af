"""More activation layers with PyTorch's names and constructor arguments: GELU, SiLU, Mish,
SELU, CELU, ReLU6, Hardtanh, Hardsigmoid, Hardswish, Softsign, LogSigmoid, Softmin.

Each is a thin module around the function of ``nabla.nn.functional`` of the same name;
``inplace`` is accepted for compatibility and nabla never overwrites the input. All are
finite, with finite gradients, at ±1000.

Shape: any shape -> the same shape.

>>> import nabla
>>> from nabla import nn
>>> nn.Hardtanh(-2.0, 2.0)(nabla.tensor([-3.0, 0.5, 3.0]))
tensor([-2. ,  0.5,  2. ])
"""

from __future__ import annotations

import math
from typing import Any

from nabla.autograd.tensor import Tensor
from nabla.nn import functional as F
from nabla.nn.layers._util import check_bool, to_tensor
from nabla.nn.layers.activation import _softmax_dim
from nabla.nn.module import Module


def _x(input: Any, who: str) -> Tensor:
    return input if isinstance(input, Tensor) else to_tensor(input, who)


class _Pointwise(Module):
    """An activation without settings but PyTorch's ``inplace`` flag."""

    _show_inplace = True

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = check_bool(inplace, type(self).__name__, "inplace")

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace and self._show_inplace else ""


class GELU(Module):
    """x Phi(x), Phi the standard normal CDF; ``approximate="tanh"`` uses
    0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), which is vectorised (the exact form
    evaluates erf entry by entry).

    Parameters
    ----------
    approximate : {'none', 'tanh'}, default 'none'
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Any) -> Tensor:
        return F.gelu(_x(input, "GELU"), self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_Pointwise):
    """x sigma(x) (swish); the derivative sigma(x) (1 + x (1 - sigma(x)))."""

    def forward(self, input: Any) -> Tensor:
        return F.silu(_x(input, "SiLU"))


class Mish(_Pointwise):
    """x tanh(softplus(x))."""

    def forward(self, input: Any) -> Tensor:
        return F.mish(_x(input, "Mish"))


class SELU(_Pointwise):
    """scale (x if x > 0 else alpha (exp(x) - 1)), alpha = 1.6733, scale = 1.0507: the
    constants that keep activations at zero mean and unit variance (self-normalising)."""

    def forward(self, input: Any) -> Tensor:
        return F.selu(_x(input, "SELU"))


class CELU(_Pointwise):
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1)): continuously differentiable for any
    alpha (ELU only for alpha = 1).

    Parameters
    ----------
    alpha : float, default 1.0
        Not 0.
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        ok = isinstance(alpha, (int, float)) and not isinstance(alpha, bool)
        if not ok or not math.isfinite(alpha) or alpha == 0:
            raise ValueError(f"CELU: alpha must be a finite non-zero number, got {alpha!r}")
        self.alpha = alpha

    def forward(self, input: Any) -> Tensor:
        return F.celu(_x(input, "CELU"), self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class ReLU6(_Pointwise):
    """min(max(x, 0), 6); the gradient is 0 at both kinks (as PyTorch)."""

    def forward(self, input: Any) -> Tensor:
        return F.relu6(_x(input, "ReLU6"))


class Hardtanh(_Pointwise):
    """x clipped to [min_val, max_val]; the gradient is 1 strictly inside, 0 elsewhere.

    Parameters
    ----------
    min_val, max_val : float, default -1.0, 1.0
        min_val < max_val.
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        for name, v in (("min_val", min_val), ("max_val", max_val)):
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            if not ok:
                raise ValueError(f"Hardtanh: {name} must be a finite number, got {v!r}")
        if not min_val < max_val:
            raise ValueError(
                f"Hardtanh: max_val ({max_val}) must be greater than min_val ({min_val})"
            )
        self.min_val, self.max_val = min_val, max_val

    def forward(self, input: Any) -> Tensor:
        return F.hardtanh(_x(input, "Hardtanh"), self.min_val, self.max_val)

    def extra_repr(self) -> str:
        extra = ", inplace=True" if self.inplace else ""
        return f"min_val={self.min_val}, max_val={self.max_val}{extra}"


class Hardsigmoid(_Pointwise):
    """relu6(x + 3) / 6, a piecewise-linear sigmoid."""

    _show_inplace = False  # as PyTorch's repr

    def forward(self, input: Any) -> Tensor:
        return F.hardsigmoid(_x(input, "Hardsigmoid"))


class Hardswish(_Pointwise):
    """x relu6(x + 3) / 6 (MobileNetV3); the gradient is 0 up to -3 and 1 from 3 on."""

    _show_inplace = False

    def forward(self, input: Any) -> Tensor:
        return F.hardswish(_x(input, "Hardswish"))


class Softsign(Module):
    """x / (1 + abs(x))."""

    def forward(self, input: Any) -> Tensor:
        return F.softsign(_x(input, "Softsign"))


class LogSigmoid(Module):
    """log sigma(x) = -softplus(-x), computed stably."""

    def forward(self, input: Any) -> Tensor:
        return F.logsigmoid(_x(input, "LogSigmoid"))


class Softmin(Module):
    """exp(-x_i) / sum_j exp(-x_j) along ``dim`` (softmax of -x).

    Parameters
    ----------
    dim : int, optional
        As ``Softmax``: PyTorch's implicit choice when None (0 for 0-, 1- and 3-D inputs,
        else 1).
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Any) -> Tensor:
        x = _x(input, "Softmin")
        return F.softmin(x, _softmax_dim(self.dim, x.ndim))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
