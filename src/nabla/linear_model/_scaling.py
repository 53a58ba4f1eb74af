"""Scale-safe arithmetic for the linear models: powers of two in, powers of two out.

Finite data can still overflow a solver: with entries near 1e154 the Gram matrix XᵀX holds
inf, with entries near 1e308 even a column sum does. The models here solve on data
multiplied by a power of two that brings them into a safe range and map the answer back.
Multiplying by 2ᵉ only changes the exponent, so it is exact (unless the result leaves the
float64 range): wherever the direct computation was representable, the rescaled one gives
the same numbers, and where it was not, the rescaled one still keeps every product and sum
in range. A fitted quantity that itself lies beyond the float64 range is refused with a
``ValueError`` instead of being returned as inf or NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "check_finite_fit",
    "ldexp",
    "linear_scores",
    "max_abs",
    "pow2_exponent",
]


def max_abs(X: np.ndarray, axis: int | None = None) -> Any:
    """max |X| (along ``axis``) without allocating |X|; NaN if X holds a NaN."""
    if X.size == 0:
        return 0.0 if axis is None else np.zeros(X.shape[1 - axis])
    return np.maximum(X.max(axis=axis), -X.min(axis=axis))


def pow2_exponent(m: Any) -> Any:
    """e with m·2⁻ᵉ in [0.5, 1) for m > 0, and 0 for m = 0 (elementwise)."""
    return np.frexp(m)[1]


def ldexp(x: Any, e: Any) -> Any:
    """x·2ᵉ; a result beyond the float64 range is ±inf (or 0), quietly."""
    with np.errstate(over="ignore", under="ignore"):
        return np.ldexp(x, e)


def check_finite_fit(who: str, hint: str, **fitted: Any) -> None:
    """Raise ``ValueError`` naming the first fitted quantity that is not finite."""
    for name, value in fitted.items():
        if not np.isfinite(value).all():
            raise ValueError(
                f"{who}: the fitted {name} would lie beyond the float64 range "
                f"(about ±1.8e308) for this data. {hint}"
            )


def linear_scores(X: np.ndarray, coef: np.ndarray, intercept: Any) -> np.ndarray:
    """X coefᵀ + intercept without an intermediate overflow turning into NaN.

    The direct product is tried first. If it is not finite (a term or a partial sum
    beyond the float64 range), X and coef are rescaled by powers of two so that every
    partial sum is at most n_features in size, and only the final rescaling can
    overflow, to the correctly signed ±inf of a score that float64 cannot hold.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        z = X @ coef.T + intercept
    if np.isfinite(z).all():
        return z
    e_x = int(pow2_exponent(max_abs(X)))
    e_w = int(pow2_exponent(max_abs(coef)))
    zs = ldexp(X, -e_x) @ ldexp(coef, -e_w).T
    with np.errstate(over="ignore"):
        return ldexp(zs, e_x + e_w) + intercept
