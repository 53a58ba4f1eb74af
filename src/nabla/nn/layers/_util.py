"""Argument checks shared by the layers: each error names the layer, the argument, the rule
and the value given."""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor, as_tensor


def check_int(value: Any, who: str, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{who}: {name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def check_float(value: Any, who: str, name: str, low: float, high: float | None = None) -> float:
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    if not ok or not (value >= low and (high is None or value <= high)):
        rule = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{who}: {name} must be a number {rule}, got {value!r}")
    return float(value)


def check_bool(value: Any, who: str, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{who}: {name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def float_dtype(dtype: Any, who: str) -> np.dtype:
    """The parameters' dtype: float32 by default (as PyTorch), float64 on request."""
    dt = np.dtype(np.float32 if dtype is None else dtype)
    if dt.kind != "f":
        raise TypeError(f"{who}: dtype must be a floating-point type, got {dt}")
    return dt


def to_tensor(x: Any, who: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    try:
        return as_tensor(x)
    except TypeError as exc:
        raise TypeError(f"{who}: input must be a tensor or an array ({exc})") from None
