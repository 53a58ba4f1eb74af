"""Argument checks and finishing steps shared by the generators."""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import NDArray

RandomState = int | np.random.Generator | None


def _check_int(value: object, who: str, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{who}: {name} must be an int >= {minimum}; got {value!r}.")
    return int(value)


def _check_noise(noise: object, who: str) -> float:
    if noise is None:
        return 0.0
    if (
        isinstance(noise, bool)
        or not isinstance(noise, numbers.Real)
        or not np.isfinite(float(noise))
    ):
        raise ValueError(f"{who}: noise must be a finite float >= 0 (or None); got {noise!r}.")
    if noise < 0:
        raise ValueError(f"{who}: noise must be a finite float >= 0 (or None); got {noise!r}.")
    return float(noise)


def _finish(
    X: NDArray[np.float64],
    y: NDArray[np.int64],
    noise: float,
    shuffle: bool,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Shuffle the rows (if asked), then add N(0, noise^2) to every coordinate."""
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    if noise:
        X = X + noise * rng.standard_normal(X.shape)
    return X, y


def _split(n: int, k: int) -> NDArray[np.int64]:
    """``n`` samples over ``k`` groups, as evenly as possible (the first get one more)."""
    sizes = np.full(k, n // k, dtype=np.int64)
    sizes[: n % k] += 1
    return sizes


# ---- logic gates ------------------------------------------------------------------------------
