"""Sample weights for the least-squares models, by a change of rows.

Weighted least squares Σᵢ sᵢ (yᵢ - xᵢᵀw - b)² + penalty(w) is the unweighted problem on the
rows √sᵢ (xᵢ - x̄ₛ), √sᵢ (yᵢ - ȳₛ) without an intercept, where x̄ₛ, ȳₛ are the weighted means
(the intercept is then b = ȳₛ - x̄ₛᵀw). So an integer weight equals repeating the row and a
zero weight equals dropping it, and every solver of the unweighted problem serves as is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["set_weighted_intercept", "weighted_rows"]


def weighted_rows(
    X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray, fit_intercept: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
    """(√s·(X - x̄ₛ), √s·(y - ȳₛ), x̄ₛ, ȳₛ); the means are zero without an intercept."""
    y = np.asarray(y, dtype=np.float64)
    if fit_intercept:
        total = sample_weight.sum()
        x_off = (sample_weight @ X) / total
        y_off: Any = (sample_weight @ y) / total
        Xt = X - x_off
        yt = y - y_off
    else:
        x_off = np.zeros(X.shape[1])
        y_off = 0.0 if y.ndim == 1 else np.zeros(y.shape[1])
        Xt, yt = X.copy(), y.copy()
    root = np.sqrt(sample_weight)
    Xt *= root[:, None]
    yt *= root if yt.ndim == 1 else root[:, None]
    return Xt, yt, x_off, y_off


def set_weighted_intercept(estimator: Any, x_off: np.ndarray, y_off: Any) -> None:
    """intercept_ = ȳₛ - coef_ x̄ₛ, after a fit without intercept on the weighted rows."""
    intercept = y_off - estimator.coef_ @ x_off
    estimator.intercept_ = float(intercept) if np.ndim(intercept) == 0 else intercept
