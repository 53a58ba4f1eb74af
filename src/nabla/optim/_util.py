"""Shared pieces of the optimisers: hyper-parameter checks and elementwise building blocks."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any, cast

import numpy as np

from nabla.autograd.engine import enable_grad

Array = np.ndarray
Closure = Callable[[], Any]


# ---- validation helpers (messages name who, which parameter, the rule and the value) -----
def check_real(
    who: str,
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    """Raise unless ``value`` is a real number in the given interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{who}: {name} must be a real number, got {value!r}")
    x = float(value)
    if math.isnan(x):
        raise ValueError(f"{who}: {name} must not be NaN, got {value!r}")
    ok_low = low is None or (x > low if low_open else x >= low)
    ok_high = high is None or (x < high if high_open else x <= high)
    if ok_low and ok_high:
        return
    if low is not None and high is not None:
        rule = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    elif low is not None:
        rule = f"{'>' if low_open else '>='} {low:g}"
    else:
        rule = f"{'<' if high_open else '<='} {high:g}"
    raise ValueError(f"{who}: {name} must be {rule}, got {value!r}")


def check_int(who: str, name: str, value: Any, *, low: int) -> None:
    """Raise unless ``value`` is an integer >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{who}: {name} must be an integer, got {value!r}")
    if value < low:
        raise ValueError(f"{who}: {name} must be >= {low}, got {value!r}")


def check_bool(who: str, name: str, value: Any) -> None:
    """Raise unless ``value`` is a bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{who}: {name} must be True or False, got {value!r}")


def call_closure(closure: Closure) -> Any:
    """Evaluate ``closure`` with grad mode on (it runs ``backward``) and return its loss."""
    with enable_grad():
        return closure()


# ---- update building blocks shared by the first-order methods -----------------------------
def grad_with_decay(
    g: Array, theta: Array, weight_decay: float, maximize: bool, out: Array
) -> Array:
    """``(-g if maximize else g) + weight_decay * theta``; ``g`` itself when nothing changes.

    ``out`` receives the result when it differs from ``g``; ``p.grad`` is never modified.
    """
    if weight_decay != 0:
        np.multiply(theta, weight_decay, out=out)
        if maximize:
            np.subtract(out, g, out=out)
        else:
            np.add(out, g, out=out)
        return out
    if maximize:
        return np.negative(g, out=out)
    return g


def lerp_(a: Array, b: Array, w: float, tmp: Array) -> None:
    """``a <- a + w (b - a)`` in place (``(1 - w) a + w b``), rounded as PyTorch's ``lerp_``."""
    np.subtract(b, a, out=tmp)
    if w < 0.5:
        tmp *= w
        a += tmp
    else:
        tmp *= 1.0 - w
        np.subtract(b, tmp, out=a)


#: Elements per block of a blockwise update. An update makes about a dozen passes over
#: five arrays; done block by block, a block's arrays (5 x 128 KiB in float32) stay in the
#: L2 cache between passes, so that main memory is read and written about once.
BLOCK = 32768


def blockwise(kernel: Callable[..., None], arrays: list[Array | None], *args: Any) -> None:
    """Run ``kernel(*arrays, *args)`` on consecutive blocks of the (same-shaped) arrays.

    ``kernel`` must be elementwise. Entries of ``arrays`` may be None (unused buffers).
    Arrays that are small or not all C-contiguous are processed in one piece.
    """
    n = cast(Array, arrays[0]).size  # the parameter itself comes first
    if n < 2 * BLOCK or not all(a is None or a.flags.c_contiguous for a in arrays):
        kernel(*arrays, *args)
        return
    flats = [None if a is None else a.reshape(-1) for a in arrays]
    for start in range(0, n, BLOCK):
        stop = start + BLOCK
        kernel(*[None if a is None else a[start:stop] for a in flats], *args)
