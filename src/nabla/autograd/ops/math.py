"""Elementwise math: trigonometric and hyperbolic functions, the log / exp variants, rsqrt,
and the rounding functions (sign, floor, ceil, round), whose gradient is zero.

Each is one primitive (one node per call), floating inputs keep their dtype; constants such
as ln 2 are cached 0-d arrays of the input's dtype (NumPy's fast path). Derivatives follow
PyTorch at the edges of a domain: asin / acos at |x| = 1 and rsqrt at 0 give inf, quietly.
Two-input math (atan2, lerp, clamp with tensor bounds) is in ``ops/math_binary.py``.
"""

from __future__ import annotations

import math

from nabla.autograd.engine import Function
from nabla.autograd.ops._api import tensor_method
from nabla.autograd.ops.elementwise import _const
from nabla.autograd.tensor import Tensor, apply1
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


class Sin(Function):
    """y = sin(x).  VJP: gx = g cos(x)."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.sin(x)

    def backward(self, g: Array) -> tuple[Array]:
        return (g * np.cos(self.x),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        return (g * cos(x),)


class Cos(Function):
    """y = cos(x).  VJP: gx = -g sin(x)."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.cos(x)

    def backward(self, g: Array) -> tuple[Array]:
        return (-g * np.sin(self.x),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        return (-g * sin(x),)


class Tan(Function):
    """y = tan(x).  VJP: gx = g (1 + y^2)."""

    def forward(self, x: Array) -> Array:
        self.y = np.tan(x)
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        return (g + g * (self.y * self.y),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * (1.0 + y * y),)


class Asin(Function):
    """y = asin(x).  VJP: gx = g / sqrt(1 - x^2) (inf at |x| = 1, as PyTorch)."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.arcsin(x)

    def backward(self, g: Array) -> tuple[Array]:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g / np.sqrt(_const(1.0, g.dtype) - self.x * self.x),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g * (1.0 - x * x) ** -0.5,)


class Acos(Function):
    """y = acos(x).  VJP: gx = -g / sqrt(1 - x^2) (-inf at |x| = 1, as PyTorch)."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.arccos(x)

    def backward(self, g: Array) -> tuple[Array]:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (-g / np.sqrt(_const(1.0, g.dtype) - self.x * self.x),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        with np.errstate(divide="ignore", invalid="ignore"):
            return (-g * (1.0 - x * x) ** -0.5,)


class Atan(Function):
    """y = atan(x).  VJP: gx = g / (1 + x^2)."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.arctan(x)

    def backward(self, g: Array) -> tuple[Array]:
        return (g / (_const(1.0, g.dtype) + self.x * self.x),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        return (g / (1.0 + x * x),)


class Sinh(Function):
    """y = sinh(x).  VJP: gx = g cosh(x)."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.sinh(x)

    def backward(self, g: Array) -> tuple[Array]:
        return (g * np.cosh(self.x),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        return (g * cosh(x),)


class Cosh(Function):
    """y = cosh(x).  VJP: gx = g sinh(x)."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.cosh(x)

    def backward(self, g: Array) -> tuple[Array]:
        return (g * np.sinh(self.x),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        return (g * sinh(x),)


class Rsqrt(Function):
    """y = 1 / sqrt(x).  VJP: gx = -g y^3 / 2 (-inf at x = 0, as PyTorch)."""

    def forward(self, x: Array) -> Array:
        self.y = np.reciprocal(np.sqrt(x))
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        y = self.y
        return (g * (y * y * y) * _const(-0.5, g.dtype),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * (y * y * y) * -0.5,)


class Log2(Function):
    """y = log2(x).  VJP: gx = g / (x ln 2)."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.log2(x)

    def backward(self, g: Array) -> tuple[Array]:
        return (g / (self.x * _const(_LN2, g.dtype)),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        return (g / (x * _LN2),)


class Log10(Function):
    """y = log10(x).  VJP: gx = g / (x ln 10)."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.log10(x)

    def backward(self, g: Array) -> tuple[Array]:
        return (g / (self.x * _const(_LN10, g.dtype)),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        return (g / (x * _LN10),)


class Exp2(Function):
    """y = 2^x.  VJP: gx = g y ln 2."""

    def forward(self, x: Array) -> Array:
        self.y = np.exp2(x)
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        return (g * self.y * _const(_LN2, g.dtype),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * y * _LN2,)


class Expm1(Function):
    """y = exp(x) - 1, exact for small x.  VJP: gx = g (y + 1)."""

    def forward(self, x: Array) -> Array:
        self.y = np.expm1(x)
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        return (g * (self.y + _const(1.0, g.dtype)),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * (y + 1.0),)


class Log1p(Function):
    """y = log(1 + x), exact for small x.  VJP: gx = g / (1 + x)."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.log1p(x)

    def backward(self, g: Array) -> tuple[Array]:
        return (g / (self.x + _const(1.0, g.dtype)),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        x = self.inputs[0]  # type: ignore[index]
        return (g / (x + 1.0),)


# ---- piecewise-constant functions: the gradient is zero (as PyTorch, also at the jumps) ----
_ZERO: dict[object, Array] = {}


def _zero_grad(g: Array) -> tuple[Array]:
    """Zeros of g's shape and dtype: a cached 0-d zero broadcast (a view, nothing allocated)."""
    z = _ZERO.get(g.dtype)
    if z is None:
        z = _ZERO[g.dtype] = np.zeros((), dtype=g.dtype)
        z.flags.writeable = False
    return (np.broadcast_to(z, g.shape),)


class Sign(Function):
    """y = sign(x) in {-1, 0, 1}.  VJP: gx = 0."""

    def forward(self, x: Array) -> Array:
        return np.sign(x)

    def backward(self, g: Array) -> tuple[Array]:
        return _zero_grad(g)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (Tensor._wrap(np.zeros(g.shape, dtype=g.dtype)),)


class Floor(Function):
    """y = floor(x) (integers are returned unchanged).  VJP: gx = 0."""

    def forward(self, x: Array) -> Array:
        return np.floor(x) if x.dtype.kind == "f" else x.copy()

    def backward(self, g: Array) -> tuple[Array]:
        return _zero_grad(g)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (Tensor._wrap(np.zeros(g.shape, dtype=g.dtype)),)


class Ceil(Function):
    """y = ceil(x) (integers are returned unchanged).  VJP: gx = 0."""

    def forward(self, x: Array) -> Array:
        return np.ceil(x) if x.dtype.kind == "f" else x.copy()

    def backward(self, g: Array) -> tuple[Array]:
        return _zero_grad(g)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (Tensor._wrap(np.zeros(g.shape, dtype=g.dtype)),)


class Round(Function):
    """y = x rounded to ``decimals`` places, halves to even (as NumPy and PyTorch: 0.5 -> 0,
    1.5 -> 2).  VJP: gx = 0."""

    def __init__(self, decimals: int = 0) -> None:
        if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
            raise TypeError(f"round: decimals must be an int, got {decimals!r}")
        self.decimals = int(decimals)

    def forward(self, x: Array) -> Array:
        if x.dtype.kind != "f" and self.decimals >= 0:
            return x.copy()
        return np.round(x, self.decimals)

    def backward(self, g: Array) -> tuple[Array]:
        return _zero_grad(g)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (Tensor._wrap(np.zeros(g.shape, dtype=g.dtype)),)


# ---- functional forms and Tensor methods ---------------------------------------------------
def sin(x: Tensor) -> Tensor:
    return apply1(Sin(), x)


def cos(x: Tensor) -> Tensor:
    return apply1(Cos(), x)


def tan(x: Tensor) -> Tensor:
    return apply1(Tan(), x)


def asin(x: Tensor) -> Tensor:
    return apply1(Asin(), x)


def acos(x: Tensor) -> Tensor:
    return apply1(Acos(), x)


def atan(x: Tensor) -> Tensor:
    return apply1(Atan(), x)


def sinh(x: Tensor) -> Tensor:
    return apply1(Sinh(), x)


def cosh(x: Tensor) -> Tensor:
    return apply1(Cosh(), x)


def rsqrt(x: Tensor) -> Tensor:
    return apply1(Rsqrt(), x)


def log2(x: Tensor) -> Tensor:
    return apply1(Log2(), x)


def log10(x: Tensor) -> Tensor:
    return apply1(Log10(), x)


def exp2(x: Tensor) -> Tensor:
    return apply1(Exp2(), x)


def expm1(x: Tensor) -> Tensor:
    return apply1(Expm1(), x)


def log1p(x: Tensor) -> Tensor:
    return apply1(Log1p(), x)


def sign(x: Tensor) -> Tensor:
    return apply1(Sign(), x)


def floor(x: Tensor) -> Tensor:
    return apply1(Floor(), x)


def ceil(x: Tensor) -> Tensor:
    return apply1(Ceil(), x)


def round(x: Tensor, decimals: int = 0) -> Tensor:
    return apply1(Round(decimals), x)


for _name, _fn in [
    ("sin", sin),
    ("cos", cos),
    ("tan", tan),
    ("asin", asin),
    ("acos", acos),
    ("atan", atan),
    ("arcsin", asin),  # PyTorch's and NumPy's other names
    ("arccos", acos),
    ("arctan", atan),
    ("sinh", sinh),
    ("cosh", cosh),
    ("rsqrt", rsqrt),
    ("log2", log2),
    ("log10", log10),
    ("exp2", exp2),
    ("expm1", expm1),
    ("log1p", log1p),
    ("sign", sign),
    ("floor", floor),
    ("ceil", ceil),
    ("round", round),
]:
    tensor_method(_name, _fn)
