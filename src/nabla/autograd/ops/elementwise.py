"""Elementwise arithmetic: add, sub, mul, div, neg, pow, exp, log, sqrt, abs, maximum,
minimum, clip, where, and dtype casts.

Binary ops broadcast as NumPy does; their backward returns gradients of the broadcast
shape and the engine sums them back to each input's shape.
"""

from __future__ import annotations

from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.tensor import Tensor, apply, apply1, apply2, as_tensor
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray


class Add(Function):
    """y = a + b.  VJP: ga = g, gb = g."""

    def forward(self, a: Array, b: Array) -> Array:
        return a + b

    def backward(self, g: Array) -> tuple[Array, Array]:
        return g, g

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return g, g


class Sub(Function):
    """y = a - b.  VJP: ga = g, gb = -g."""

    def forward(self, a: Array, b: Array) -> Array:
        return a - b

    def backward(self, g: Array) -> tuple[Array, Array | None]:
        return g, (-g if self.needs_grad[1] else None)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return g, -g


class Mul(Function):
    """y = a * b.  VJP: ga = g * b, gb = g * a."""

    def forward(self, a: Array, b: Array) -> Array:
        self.a, self.b = a, b
        return a * b

    def backward(self, g: Array) -> tuple[Array | None, Array | None]:
        ga, gb = self.needs_grad
        return (g * self.b if ga else None), (g * self.a if gb else None)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        a, b = self.inputs  # type: ignore[misc]
        return g * b, g * a


class Div(Function):
    """y = a / b.  VJP: ga = g / b, gb = -g * a / b^2 = -g * y / b."""

    def forward(self, a: Array, b: Array) -> Array:
        self.b = b
        self.y = a / b
        return self.y

    def backward(self, g: Array) -> tuple[Array | None, Array | None]:
        ga, gb = self.needs_grad
        g_over_b = g / self.b
        return (g_over_b if ga else None), (-g_over_b * self.y if gb else None)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        g_over_b = g / self.inputs[1]  # type: ignore[index]
        return g_over_b, -g_over_b * y


class Neg(Function):
    """y = -x.  VJP: gx = -g."""

    def forward(self, x: Array) -> Array:
        return -x

    def backward(self, g: Array) -> tuple[Array]:
        return (-g,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (-g,)


class Pow(Function):
    """y = a ** b (tensor exponent).

    VJP: ga = g * b * a^(b-1), taken as 0 where b == 0 (y = 1 does not depend on a, even at
    a = 0); gb = g * y * log(a), taken as 0 where a == 0 and b >= 0 (y = 0^b is constant
    there, the convention 0 log 0 = 0). Both as PyTorch; at a = 0, b < 0 they are -inf.
    """

    def forward(self, a: Array, b: Array) -> Array:
        self.a, self.b = a, b
        self.y = a**b
        return self.y

    def backward(self, g: Array) -> tuple[Array | None, Array | None]:
        need_a, need_b = self.needs_grad
        a, b = self.a, self.b
        ga = gb = None
        if need_a:
            # where b == 0 the factor b is 0: use base 1 there so that 0 ** -1 is never formed;
            # elsewhere 0 ** (b - 1) with b < 1 is inf, quietly (as PyTorch)
            with np.errstate(divide="ignore", invalid="ignore"):
                ga = g * b * np.where(b == 0, 1, a) ** (b - 1)
        if need_b:
            with np.errstate(divide="ignore", invalid="ignore"):  # log(0) = -inf, log(<0) nan
                log_a = np.log(np.where((a == 0) & (b >= 0), 1, a))
            gb = g * self.y * log_a
        return ga, gb

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        a, b = self.inputs  # type: ignore[misc]
        with np.errstate(divide="ignore", invalid="ignore"):
            ga = g * b * pow(where(self.b == 0, 1.0, a), b - 1.0)
            gb = g * y * log(where((self.a == 0) & (self.b >= 0), 1.0, a))
        return ga, gb


class PowScalar(Function):
    """y = x ** p for a constant p.  VJP: gx = g * p * x^(p-1); 0 for p = 0 (y = 1, also at
    x = 0, as PyTorch)."""

    def __init__(self, p: float) -> None:
        self.p = p

    def forward(self, x: Array) -> Array:
        self.x = x
        return x**self.p

    def backward(self, g: Array) -> tuple[Array]:
        p = self.p
        if p == 2:
            return (g * (2 * self.x),)
        if p == 0:
            return (np.zeros_like(g),)
        with np.errstate(divide="ignore"):  # 0 ** (p - 1) with p < 1 is inf (as PyTorch)
            return (g * (p * self.x ** (p - 1)),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        p, x = self.p, self.inputs[0]  # type: ignore[index]
        if p == 0:
            return (g * 0.0,)
        if p == 1:
            return (g,)
        with np.errstate(divide="ignore"):
            return (g * (p * pow(x, p - 1)),)


class Exp(Function):
    """y = exp(x).  VJP: gx = g * y."""

    def forward(self, x: Array) -> Array:
        self.y = np.exp(x)
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        return (g * self.y,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * y,)


class Log(Function):
    """y = log(x).  VJP: gx = g / x."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.log(x)

    def backward(self, g: Array) -> tuple[Array]:
        return (g / self.x,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g / self.inputs[0],)  # type: ignore[index]


class Sqrt(Function):
    """y = sqrt(x).  VJP: gx = g / (2 y)."""

    def forward(self, x: Array) -> Array:
        self.y = np.sqrt(x)
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        return (g / (2 * self.y),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g / (2.0 * y),)


class Abs(Function):
    """y = |x|.  VJP: gx = g * sign(x), with 0 at x = 0 (as PyTorch)."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.abs(x)

    def backward(self, g: Array) -> tuple[Array]:
        return (g * np.sign(self.x),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * np.sign(self.x),)


class Maximum(Function):
    """y = max(a, b) elementwise.  VJP: g goes to the larger input; ties split it evenly."""

    def forward(self, a: Array, b: Array) -> Array:
        self.a, self.b = a, b
        return np.maximum(a, b)

    def backward(self, g: Array) -> tuple[Array | None, Array | None]:
        share = (self.a > self.b) + 0.5 * (self.a == self.b)
        share = share.astype(g.dtype, copy=False)
        need_a, need_b = self.needs_grad
        return (g * share if need_a else None), (g * (1 - share) if need_b else None)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        share = ((self.a > self.b) + 0.5 * (self.a == self.b)).astype(g.dtype)
        return g * share, g * (1 - share)


class Minimum(Function):
    """y = min(a, b) elementwise.  VJP: g goes to the smaller input; ties split it evenly."""

    def forward(self, a: Array, b: Array) -> Array:
        self.a, self.b = a, b
        return np.minimum(a, b)

    def backward(self, g: Array) -> tuple[Array | None, Array | None]:
        share = (self.a < self.b) + 0.5 * (self.a == self.b)
        share = share.astype(g.dtype, copy=False)
        need_a, need_b = self.needs_grad
        return (g * share if need_a else None), (g * (1 - share) if need_b else None)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        share = ((self.a < self.b) + 0.5 * (self.a == self.b)).astype(g.dtype)
        return g * share, g * (1 - share)


class Clip(Function):
    """y = min(max(x, lo), hi).  VJP: gx = g where lo <= x <= hi, else 0 (as PyTorch's clamp)."""

    def __init__(self, lo: float | None, hi: float | None) -> None:
        if lo is None and hi is None:
            raise ValueError("clip: at least one of min and max must be given")
        self.lo, self.hi = lo, hi

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.clip(x, self.lo, self.hi)

    def backward(self, g: Array) -> tuple[Array]:
        x = self.x
        mask = np.ones(x.shape, dtype=bool)
        if self.lo is not None:
            mask &= x >= self.lo
        if self.hi is not None:
            mask &= x <= self.hi
        return (g * mask,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * self.backward(np.ones((), dtype=g.dtype))[0],)


class Where(Function):
    """y = a where cond else b (``cond`` a constant boolean array).

    VJP: ga = g where cond else 0; gb = g where not cond else 0.
    """

    def __init__(self, cond: Array) -> None:
        self.cond = cond

    def forward(self, a: Array, b: Array) -> Array:
        return np.where(self.cond, a, b)

    def backward(self, g: Array) -> tuple[Array | None, Array | None]:
        need_a, need_b = self.needs_grad
        zero = np.zeros((), dtype=g.dtype)
        return (
            np.where(self.cond, g, zero) if need_a else None,
            np.where(self.cond, zero, g) if need_b else None,
        )

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        zero = np.zeros((), dtype=g.dtype)
        return where(self.cond, g, zero), where(self.cond, zero, g)


class Cast(Function):
    """y = x converted to ``dtype``.  VJP: gx = g converted back to x's dtype.

    A value beyond a floating dtype's range becomes +-inf quietly (as ``torch.Tensor.to``).
    """

    def __init__(self, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)

    def forward(self, x: Array) -> Array:
        self.in_dtype = x.dtype
        with np.errstate(over="ignore"):
            return x.astype(self.dtype)

    def backward(self, g: Array) -> tuple[Array]:
        with np.errstate(over="ignore"):
            return (g.astype(self.in_dtype),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g.astype(self.in_dtype),)


# ---- functional forms --------------------------------------------------------------------
def add(a: Any, b: Any) -> Tensor:
    a = as_tensor(a, b if isinstance(b, Tensor) else None)
    return apply2(Add(), a, as_tensor(b, a))


def sub(a: Any, b: Any) -> Tensor:
    a = as_tensor(a, b if isinstance(b, Tensor) else None)
    return apply2(Sub(), a, as_tensor(b, a))


def mul(a: Any, b: Any) -> Tensor:
    a = as_tensor(a, b if isinstance(b, Tensor) else None)
    return apply2(Mul(), a, as_tensor(b, a))


def div(a: Any, b: Any) -> Tensor:
    a = as_tensor(a, b if isinstance(b, Tensor) else None)
    return apply2(Div(), a, as_tensor(b, a))


def neg(x: Tensor) -> Tensor:
    return apply1(Neg(), x)


def pow(a: Any, b: Any) -> Tensor:
    """``a ** b``; a Python-number exponent uses the cheaper constant-exponent op."""
    if isinstance(b, (int, float)) and isinstance(a, Tensor):
        return apply1(PowScalar(b), a)
    a = as_tensor(a, b if isinstance(b, Tensor) else None)
    return apply2(Pow(), a, as_tensor(b, a))


def exp(x: Tensor) -> Tensor:
    return apply1(Exp(), x)


def log(x: Tensor) -> Tensor:
    return apply1(Log(), x)


def sqrt(x: Tensor) -> Tensor:
    return apply1(Sqrt(), x)


def abs(x: Tensor) -> Tensor:
    return apply1(Abs(), x)


def maximum(a: Any, b: Any) -> Tensor:
    a = as_tensor(a, b if isinstance(b, Tensor) else None)
    return apply2(Maximum(), a, as_tensor(b, a))


def minimum(a: Any, b: Any) -> Tensor:
    a = as_tensor(a, b if isinstance(b, Tensor) else None)
    return apply2(Minimum(), a, as_tensor(b, a))


def clip(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    return apply1(Clip(min, max), x)


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """Elementwise ``a if cond else b``; ``cond`` is a boolean array (no gradient)."""
    c = np.asarray(cond.data if isinstance(cond, Tensor) else cond, dtype=bool)
    a = as_tensor(a, b if isinstance(b, Tensor) else None)
    b = as_tensor(b, a)
    try:
        np.broadcast_shapes(c.shape, a.data.shape, b.data.shape)
    except ValueError:
        raise ValueError(
            f"where: incompatible shapes: condition {c.shape}, a {a.data.shape}, "
            f"b {b.data.shape} do not broadcast together"
        ) from None
    return apply(Where(c), a, b)


# ---- a tensor with a Python-number constant (no constant tensor is made) ----------------
# A Python number next to a float array takes NumPy's "weak scalar" path, which costs about
# 0.3 us of a 0.6 us multiply of 64 floats; a 0-d array of the array's own dtype takes the
# fast path and gives the same result (NEP 50 casts the number to that dtype anyway). The
# 0-d arrays are cached per (value, dtype); integer arrays and zeros (whose sign matters)
# keep the Python number.
_CONSTANTS: dict[tuple[Any, Any], Any] = {}
_MAX_CONSTANTS = 1024


def _const(c: Any, dtype: Any) -> Any:
    if dtype.kind != "f" or not c:
        return c
    key = (c, dtype)
    arr = _CONSTANTS.get(key)
    if arr is None:
        if len(_CONSTANTS) >= _MAX_CONSTANTS:
            _CONSTANTS.clear()
        with np.errstate(over="ignore"):  # a huge number in float16/32 is inf, as NumPy's
            arr = np.array(c, dtype=dtype)
        arr.flags.writeable = False
        _CONSTANTS[key] = arr
    return arr


class AddScalar(Function):
    """y = x + c.  VJP: gx = g."""

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x: Array) -> Array:
        return x + _const(self.c, x.dtype)

    def backward(self, g: Array) -> tuple[Array]:
        return (g,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g,)


class RSubScalar(Function):
    """y = c - x.  VJP: gx = -g."""

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x: Array) -> Array:
        return _const(self.c, x.dtype) - x

    def backward(self, g: Array) -> tuple[Array]:
        return (-g,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (-g,)


class MulScalar(Function):
    """y = c * x.  VJP: gx = c * g."""

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x: Array) -> Array:
        self.c = c = _const(self.c, x.dtype)
        return x * c

    def backward(self, g: Array) -> tuple[Array]:
        return (g * self.c,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * float(self.c),)


class DivScalar(Function):
    """y = x / c.  VJP: gx = g / c."""

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x: Array) -> Array:
        self.c = c = _const(self.c, x.dtype)
        return x / c

    def backward(self, g: Array) -> tuple[Array]:
        return (g / self.c,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g / float(self.c),)


class RDivScalar(Function):
    """y = c / x.  VJP: gx = -g * c / x^2 = -g * y / x."""

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x: Array) -> Array:
        self.x = x
        self.y = self.c / x
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        return (-g * self.y / self.x,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (-g * y / self.inputs[0],)  # type: ignore[index]
