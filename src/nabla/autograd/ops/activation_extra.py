"""More activation primitives, with PyTorch's formulas and its gradients at the kinks: gelu
(exact and tanh), silu, mish, the exponential-linear family (selu, celu), hardtanh / relu6,
hardsigmoid, hardswish, softsign, logsigmoid, and softmin.

As in ``ops/activation.py``, no exponential of a positive number is taken: each is finite,
with a finite gradient, at any finite input (±1000 included), in float32 and float64.
"""

from __future__ import annotations

import math
from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.ops.activation import sigmoid, softplus, stable_sigmoid
from nabla.autograd.ops.elementwise import _const, where
from nabla.autograd.ops.nn import Softmax
from nabla.autograd.tensor import Tensor, apply1
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray

# NumPy has no erf; the standard library's erfc is exact to the last bit but runs per
# element (about 60 ns each): approximate="tanh" is the vectorised form. Phi(x) =
# erfc(-x / sqrt 2) / 2 keeps its relative accuracy in the left tail, where 1 + erf(x / sqrt 2)
# (PyTorch's form) cancels.
_SQRT_HALF = math.sqrt(0.5)
_cdf_object = np.frompyfunc(lambda v: 0.5 * math.erfc(-v * _SQRT_HALF), 1, 1)

_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_GELU_C = 0.044715
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def normal_cdf(x: Array) -> Array:
    """Phi(x), the standard normal CDF, elementwise in x's floating dtype (computed in
    float64)."""
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    return np.asarray(_cdf_object(x.astype(np.float64, copy=False)), dtype=dtype)


def _softplus(x: Array) -> Array:
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), never overflowing."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


class Gelu(Function):
    """y = x Phi(x) with Phi(x) = (1 + erf(x / sqrt 2)) / 2, the standard normal CDF;
    ``approximate="tanh"``: y = x (1 + tanh(u)) / 2 = x s with s = sigma(2u),
    u = sqrt(2 / pi) (x + 0.044715 x^3).

    VJP: gx = g (Phi(x) + x phi(x)), phi(x) = exp(-x^2 / 2) / sqrt(2 pi); tanh form:
    gx = g s (1 + 2 x (1 - s) u'), u' = sqrt(2 / pi) (1 + 3 * 0.044715 x^2). Written with
    sigma(2u) rather than 1 + tanh(u), nothing cancels in the left tail (float32 included).
    """

    def __init__(self, approximate: str = "none") -> None:
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.tanh = approximate == "tanh"

    def forward(self, x: Array) -> Array:
        self.x = x
        if self.tanh:
            u = _const(_SQRT_2_OVER_PI, x.dtype) * (x + _GELU_C * x * x * x)
            self.s = stable_sigmoid(u + u)
            return x * self.s
        self.cdf = normal_cdf(x)
        return x * self.cdf

    def backward(self, g: Array) -> tuple[Array]:
        x = self.x
        if self.tanh:
            s = self.s
            du = _SQRT_2_OVER_PI * (1 + 3 * _GELU_C * x * x)
            return (g * s * (1 + 2 * x * (1 - s) * du),)
        pdf = np.exp(-0.5 * x * x) * _const(_INV_SQRT_2PI, x.dtype)
        return (g * (self.cdf + x * pdf),)


class Silu(Function):
    """y = x sigma(x) (also called swish).  VJP: gx = g sigma(x) (1 + x (1 - sigma(x)))."""

    def forward(self, x: Array) -> Array:
        self.x = x
        self.s = stable_sigmoid(x)
        return x * self.s

    def backward(self, g: Array) -> tuple[Array]:
        s = self.s
        return (g * s * (1 + self.x * (1 - s)),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        s = sigmoid(x)
        return (g * s * (1.0 + x * (1.0 - s)),)


class Mish(Function):
    """y = x tanh(softplus(x)).  VJP: gx = g (t + x sigma(x) (1 - t^2)), t = tanh(softplus(x))."""

    def forward(self, x: Array) -> Array:
        self.x = x
        self.t = np.tanh(_softplus(x))
        return x * self.t

    def backward(self, g: Array) -> tuple[Array]:
        t = self.t
        return (g * (t + self.x * stable_sigmoid(self.x) * (1 - t * t)),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        t = softplus(x).tanh()
        return (g * (t + x * sigmoid(x) * (1.0 - t * t)),)


class ExpLinear(Function):
    """y = s x for x > 0, s a (exp(c x) - 1) for x <= 0: elu (s = c = 1), selu (s, a its
    constants, c = 1) and celu (s = 1, c = 1 / a).

    VJP: gx = g s for x > 0, g s a c exp(c x) for x <= 0 (so at 0 the slope is s a c, as
    PyTorch). exp is only taken of c min(x, 0): no overflow.
    """

    def __init__(self, scale: float, alpha: float, input_scale: float) -> None:
        self.s, self.a, self.c = scale, alpha, input_scale

    def forward(self, x: Array) -> Array:
        self.pos = x > 0
        s, a, c = (_const(v, x.dtype) for v in (self.s, self.a, self.c))
        self.cx = np.minimum(x, 0) * c
        return np.where(self.pos, x * s, (s * a) * np.expm1(self.cx))

    def backward(self, g: Array) -> tuple[Array]:
        # exp(c x) itself, not y + s a: that sum cancels to 0 far left (e.g. alpha 2 at -80)
        s, sac = (_const(v, g.dtype) for v in (self.s, self.s * self.a * self.c))
        return (np.where(self.pos, g * s, g * (sac * np.exp(self.cx))),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        neg = where(self.pos, 0.0, x)  # exp of the non-positive side only
        sac = self.s * self.a * self.c
        return (where(self.pos, g * self.s, g * sac * (neg * self.c).exp()),)


class Hardtanh(Function):
    """y = min(max(x, lo), hi) (relu6: lo = 0, hi = 6).

    VJP: gx = g where lo < x < hi, else 0 (0 at both kinks, as PyTorch).
    """

    def __init__(self, lo: float = -1.0, hi: float = 1.0) -> None:
        self.lo, self.hi = lo, hi

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.clip(x, _const(self.lo, x.dtype), _const(self.hi, x.dtype))

    def backward(self, g: Array) -> tuple[Array]:
        x = self.x
        return (g * ((x > self.lo) & (x < self.hi)),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * self.backward(np.ones((), dtype=g.dtype))[0],)


class Hardsigmoid(Function):
    """y = min(max(x / 6 + 1 / 2, 0), 1).  VJP: gx = g / 6 where -3 < x < 3, else 0."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.clip(x * _const(1 / 6, x.dtype) + _const(0.5, x.dtype), 0, 1)

    def backward(self, g: Array) -> tuple[Array]:
        x = self.x
        return (g * _const(1 / 6, g.dtype) * ((x > -3) & (x < 3)),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * self.backward(np.ones((), dtype=g.dtype))[0],)


class Hardswish(Function):
    """y = x min(max(x + 3, 0), 6) / 6.

    VJP: gx = 0 for x <= -3, g (x / 3 + 1 / 2) for -3 < x < 3, g for x >= 3 (as PyTorch).
    """

    def forward(self, x: Array) -> Array:
        self.x = x
        return x * np.clip(x + _const(3.0, x.dtype), 0, 6) * _const(1 / 6, x.dtype)

    def backward(self, g: Array) -> tuple[Array]:
        x = self.x
        mid = x * _const(1 / 3, x.dtype) + _const(0.5, x.dtype)
        slope = np.where(x >= 3, 1, np.where(x > -3, mid, 0))
        return (g * slope.astype(g.dtype, copy=False),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        mid = where((self.x > -3) & (self.x < 3), x * (1 / 3) + 0.5, 0.0)
        return (g * where(self.x >= 3, 1.0, mid),)


class Softsign(Function):
    """y = x / (1 + |x|).  VJP: gx = g / (1 + |x|)^2."""

    def forward(self, x: Array) -> Array:
        self.d = 1 + np.abs(x)
        return x / self.d

    def backward(self, g: Array) -> tuple[Array]:
        d = self.d
        return (g / (d * d),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        d = x.abs() + 1.0
        return (g / (d * d),)


class LogSigmoid(Function):
    """y = log sigma(x) = min(x, 0) - log1p(exp(-|x|)).  VJP: gx = g sigma(-x)."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(self, g: Array) -> tuple[Array]:
        return (g * stable_sigmoid(-self.x),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * sigmoid(-self.inputs[0]),)  # type: ignore[index]


# ---- functional forms (tensors in, no argument checks: nn.functional checks them) ----------
def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    return apply1(Gelu(approximate), x)


def silu(x: Tensor) -> Tensor:
    return apply1(Silu(), x)


def mish(x: Tensor) -> Tensor:
    return apply1(Mish(), x)


def selu(x: Tensor) -> Tensor:
    """SELU_SCALE * elu(x, SELU_ALPHA) (self-normalising networks)."""
    return apply1(ExpLinear(SELU_SCALE, SELU_ALPHA, 1.0), x)


def celu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """max(x, 0) + min(alpha (exp(x / alpha) - 1), 0); alpha must not be 0."""
    return apply1(ExpLinear(1.0, alpha, 1.0 / alpha), x)


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return apply1(Hardtanh(min_val, max_val), x)


def relu6(x: Tensor) -> Tensor:
    return apply1(Hardtanh(0.0, 6.0), x)


def hardsigmoid(x: Tensor) -> Tensor:
    return apply1(Hardsigmoid(), x)


def hardswish(x: Tensor) -> Tensor:
    return apply1(Hardswish(), x)


def softsign(x: Tensor) -> Tensor:
    return apply1(Softsign(), x)


def logsigmoid(x: Tensor) -> Tensor:
    return apply1(LogSigmoid(), x)


def softmin(x: Tensor, axis: Any = -1) -> Tensor:
    """softmax(-x) along ``axis``: small entries get large weights."""
    return apply1(Softmax(axis), -x)
