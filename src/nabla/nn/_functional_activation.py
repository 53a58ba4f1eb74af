"""The activations of ``nabla.nn.functional`` beyond relu / sigmoid / tanh / softplus / elu:
gelu, silu, mish, selu, celu, relu6, hardtanh, hardsigmoid, hardswish, softsign,
logsigmoid, softmin, and ``one_hot``.

Names and arguments are ``torch.nn.functional``'s; ``inplace`` is accepted for
compatibility, and the input is never overwritten (a new tensor is returned, as with
``inplace=False``). Each calls one primitive of ``nabla.autograd.ops.activation_extra``.
"""

from __future__ import annotations

import math
from typing import Any

from nabla.autograd.ops import activation_extra as _ax
from nabla.autograd.ops.indexing import one_hot
from nabla.autograd.ops.reduction import check_axis
from nabla.autograd.tensor import Tensor, as_tensor

__all__ = [
    "celu",
    "gelu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "logsigmoid",
    "mish",
    "one_hot",
    "relu6",
    "selu",
    "silu",
    "softmin",
    "softsign",
]


def _tensor(x: Any, who: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    try:
        return as_tensor(x)
    except TypeError as exc:
        raise TypeError(
            f"{who}: input must be a tensor or an array, got {type(x).__name__}: {exc}"
        ) from None


def _number(v: Any, who: str, name: str) -> float:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    if not ok:
        raise ValueError(f"{who}: {name} must be a finite number, got {v!r}")
    return float(v)


def gelu(input: Any, approximate: str = "none") -> Tensor:
    """x Phi(x), Phi the standard normal CDF (``approximate="tanh"``: the tanh formula of
    Hendrycks and Gimpel, vectorised; the exact form evaluates erf entry by entry)."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return _ax.gelu(_tensor(input, "gelu"), approximate)


def silu(input: Any, inplace: bool = False) -> Tensor:
    """x sigma(x) (swish)."""
    return _ax.silu(_tensor(input, "silu"))


def mish(input: Any, inplace: bool = False) -> Tensor:
    """x tanh(softplus(x))."""
    return _ax.mish(_tensor(input, "mish"))


def selu(input: Any, inplace: bool = False) -> Tensor:
    """scale * (x if x > 0 else alpha (exp(x) - 1)) with the self-normalising constants
    alpha = 1.6733, scale = 1.0507."""
    return _ax.selu(_tensor(input, "selu"))


def celu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1)); alpha must not be 0."""
    a = _number(alpha, "celu", "alpha")
    if a == 0:
        raise ValueError("celu: alpha must not be 0 (the formula divides by it)")
    return _ax.celu(_tensor(input, "celu"), a)


def hardtanh(
    input: Any, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """x clipped to [min_val, max_val]; the gradient is 0 outside and at both ends."""
    lo, hi = _number(min_val, "hardtanh", "min_val"), _number(max_val, "hardtanh", "max_val")
    if lo > hi:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    return _ax.hardtanh(_tensor(input, "hardtanh"), lo, hi)


def relu6(input: Any, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return _ax.relu6(_tensor(input, "relu6"))


def hardsigmoid(input: Any, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6, a piecewise-linear sigmoid."""
    return _ax.hardsigmoid(_tensor(input, "hardsigmoid"))


def hardswish(input: Any, inplace: bool = False) -> Tensor:
    """x relu6(x + 3) / 6 (MobileNetV3)."""
    return _ax.hardswish(_tensor(input, "hardswish"))


def softsign(input: Any) -> Tensor:
    """x / (1 + abs(x))."""
    return _ax.softsign(_tensor(input, "softsign"))


def logsigmoid(input: Any) -> Tensor:
    """log sigma(x) = -softplus(-x), stable at any x."""
    return _ax.logsigmoid(_tensor(input, "logsigmoid"))


def softmin(input: Any, dim: int = -1) -> Tensor:
    """softmax(-x) along ``dim`` (default -1, as ``softmax`` here)."""
    x = _tensor(input, "softmin")
    check_axis(dim, x.ndim, "softmin")
    return _ax.softmin(x, dim)
