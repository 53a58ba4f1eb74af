"""Math with several tensor inputs: atan2, lerp, and clamp with tensor bounds.

The inputs broadcast as NumPy's; each backward returns gradients of the broadcast shape and
the engine sums them back to each input's shape. Python-number arguments (a lerp weight,
clamp bounds) stay constants of the op, with no tensor made for them.
"""

from __future__ import annotations

from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.ops._api import tensor_method
from nabla.autograd.ops.elementwise import Clip, _const
from nabla.autograd.tensor import Tensor, apply, apply1, apply2, as_tensor
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray


class Atan2(Function):
    """y = atan2(a, b), the angle of the point (b, a) in (-pi, pi].

    VJP: ga = g b / (a^2 + b^2), gb = -g a / (a^2 + b^2); both 0 at a = b = 0 (as PyTorch).
    """

    def forward(self, a: Array, b: Array) -> Array:
        self.a, self.b = a, b
        return np.arctan2(a, b)

    def backward(self, g: Array) -> tuple[Array | None, Array | None]:
        a, b = self.a, self.b
        r2 = a * a + b * b
        # at the origin a = b = 0, so dividing by 1 there gives the 0 that PyTorch gives
        s = g / np.where(r2 == 0, _const(1.0, r2.dtype), r2)
        need_a, need_b = self.needs_grad
        return (s * b if need_a else None), (-(s * a) if need_b else None)


class Lerp(Function):
    """y = start + w (end - start), computed as end - (end - start)(1 - w) where |w| >= 1/2
    (as PyTorch: exact at w = 1).

    VJP: g_start = g (1 - w), g_end = g w, g_w = g (end - start). The weight ``w`` is a third
    input, or a Python number given to the constructor (then it has no gradient).
    """

    def __init__(self, weight: float | None = None) -> None:
        self.weight = weight

    def forward(self, start: Array, end: Array, weight: Array | None = None) -> Array:
        d = end - start
        if weight is None:
            w: Any = _const(self.weight, d.dtype)
            y = start + w * d if abs(self.weight) < 0.5 else end - d * (1 - w)  # type: ignore[arg-type]
        else:
            w = weight
            y = np.where(np.abs(w) < 0.5, start + w * d, end - d * (1 - w))
        self.w, self.d = w, d
        return y

    def backward(self, g: Array) -> tuple[Array | None, ...]:
        need = self.needs_grad
        w = self.w
        grads = [g * (1 - w) if need[0] else None, g * w if need[1] else None]
        if len(need) == 3:
            grads.append(g * self.d if need[2] else None)
        return tuple(grads)


class Clamp(Function):
    """y = min(max(x, lo), hi) with tensor bounds; either bound may be absent. Where lo > hi
    the result is hi (as NumPy and PyTorch).

    VJP (PyTorch's): gx = g where lo <= x <= hi; g_lo = g where x < lo < hi; g_hi = g where
    x > hi or hi < lo; 0 elsewhere. With one bound, gx = g where x >= lo (x <= hi) and the
    bound gets g where x < lo (x > hi).
    """

    def __init__(self, has_lo: bool, has_hi: bool) -> None:
        self.has_lo, self.has_hi = has_lo, has_hi

    def forward(self, x: Array, *bounds: Array) -> Array:
        lo = bounds[0] if self.has_lo else None
        hi = bounds[-1] if self.has_hi else None
        y = x if lo is None else np.maximum(x, lo)
        if hi is not None:
            y = np.minimum(y, hi)
        self.x, self.lo, self.hi = x, lo, hi
        return y

    def backward(self, g: Array) -> tuple[Array | None, ...]:
        x, lo, hi = self.x, self.lo, self.hi
        if lo is not None and hi is not None:
            masks = [(x >= lo) & (x <= hi), (x < lo) & (lo < hi), (x > hi) | (hi < lo)]
        elif lo is not None:
            masks = [x >= lo, x < lo]
        else:
            masks = [x <= hi, x > hi]
        zero = np.zeros((), dtype=g.dtype)
        return tuple(
            np.where(m, g, zero) if need else None for m, need in zip(masks, self.needs_grad)
        )


def _broadcast_check(who: str, *ts: Tensor) -> None:
    try:
        np.broadcast_shapes(*(t.data.shape for t in ts))
    except ValueError:
        shapes = ", ".join(str(t.data.shape) for t in ts)
        raise ValueError(f"{who}: shapes {shapes} do not broadcast together") from None


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


# ---- functional forms and Tensor methods ---------------------------------------------------
def atan2(input: Any, other: Any) -> Tensor:
    """The angle of the point (other, input), elementwise: ``atan2(y, x)``."""
    a = as_tensor(input, other if isinstance(other, Tensor) else None)
    return apply2(Atan2(), a, as_tensor(other, a))


def lerp(input: Any, end: Any, weight: Any) -> Tensor:
    """``input + weight * (end - input)``; ``weight`` a number or a tensor (broadcast)."""
    start = as_tensor(input, end if isinstance(end, Tensor) else None)
    stop = as_tensor(end, start)
    if _is_number(weight):
        return apply2(Lerp(float(weight)), start, stop)
    w = as_tensor(weight, start)
    _broadcast_check("lerp", start, stop, w)
    return apply(Lerp(), start, stop, w)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Limit ``input`` to [min, max]; each bound a number, a tensor (broadcast to the input's
    shape, with a gradient) or None. Number bounds use the cheaper constant op (``clip``)."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    x = as_tensor(input)
    if (min is None or _is_number(min)) and (max is None or _is_number(max)):
        return apply1(Clip(min, max), x)
    bounds = [as_tensor(b, x) for b in (min, max) if b is not None]
    for b in bounds:  # as PyTorch: the bounds broadcast to x's shape, which stays
        try:
            ok = np.broadcast_shapes(b.shape, x.shape) == x.shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(
                f"clamp: a bound of shape {b.shape} does not broadcast to the input's shape "
                f"{x.shape}"
            )
    return apply(Clamp(min is not None, max is not None), x, *bounds)


for _name, _fn in [
    ("atan2", atan2),
    ("arctan2", atan2),
    ("lerp", lerp),
    ("clamp", clamp),
]:
    tensor_method(_name, _fn)
