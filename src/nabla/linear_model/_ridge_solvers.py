"""The ridge solvers: w = (XcᵀXc + alpha I)⁻¹ Xcᵀ yc by Cholesky, by the kernel (dual)
form, or by the SVD; each signals ``_Overflow`` when finite data have products beyond the
float64 range (the caller then solves again on X rescaled by a power of two)."""

from __future__ import annotations

import numpy as np
import scipy.linalg
from scipy.linalg import lapack
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_array

# the centred Gram matrix is formed as XᵀX - n x̄x̄ᵀ unless that would cancel more than
# this many leading digits of a diagonal entry (a column whose mean dwarfs its spread);
# then the data are centred explicitly instead
_MAX_CANCELLATION = 1e4


class _Overflow(ValueError):
    """Finite data whose products leave the float64 range: solve again on rescaled X."""

    def __init__(self) -> None:
        super().__init__("the products of X overflow float64; rescale X")


def _correlations_and_mean(
    estimator: BaseEstimator, X: np.ndarray, Yc: np.ndarray, fit_intercept: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Xcᵀ Yc and x̄ from products with X (no copy, no separate finiteness scan).

    X was validated without the finiteness scan; a NaN or inf in X makes this product
    non-finite, and then scikit-learn's own check raises its usual message. Finite X whose
    products overflow raises ``_Overflow`` (the caller rescales X).
    """
    n, t = Yc.shape
    # row-vector products (gemv) read a C-ordered X faster than one skinny product
    # a NaN or inf in X must surface here as a non-finite product, quietly
    with np.errstate(invalid="ignore", over="ignore"):
        XtY = (Yc[:, 0] @ X)[:, None] if t == 1 else (Yc.T @ X).T
        col_sums = np.ones(n) @ X
    if not (np.isfinite(XtY).all() and np.isfinite(col_sums).all()):
        check_array(X, input_name="X", estimator=estimator)
        raise _Overflow()
    if not fit_intercept:
        return XtY, None
    x_mean = col_sums / n
    # Xcᵀ Yc = Xᵀ Yc - x̄ 1ᵀYc, and 1ᵀYc vanishes up to rounding
    return XtY - np.outer(x_mean, Yc.sum(axis=0)), x_mean


def _centred_gram(X: np.ndarray, x_mean: np.ndarray | None) -> np.ndarray:
    """Xcᵀ Xc (Fortran order), without copying X when that is safe."""
    # NumPy computes XᵀX with a symmetric rank-k update (syrk): half the flops of a
    # general product; and NumPy's BLAS threads are the ones the other products use
    with np.errstate(over="ignore", invalid="ignore"):
        G = np.asfortranarray(X.T @ X)
    if not np.isfinite(G).all():
        raise _Overflow()
    if x_mean is None:
        return G
    n = X.shape[0]
    raw = np.diagonal(G).copy()
    # Xcᵀ Xc = Xᵀ X - n x̄ x̄ᵀ (n x̄ⱼ x̄ₖ ≤ √(GⱼⱼGₖₖ) by Cauchy-Schwarz: no overflow)
    G -= n * np.outer(x_mean, x_mean)
    if np.any(raw / _MAX_CANCELLATION > np.maximum(np.diagonal(G), 0.0)):
        G = _gram(_centre_columns(X, x_mean))
    return G


def _centre_columns(X: np.ndarray, x_mean: np.ndarray | None) -> np.ndarray:
    """X - x̄ (a copy, or X itself without an intercept); ``_Overflow`` if it leaves float64."""
    if x_mean is None:
        return X
    with np.errstate(over="ignore", invalid="ignore"):
        Xc = X - x_mean
    if not np.isfinite(Xc).all():
        raise _Overflow()
    return Xc


def _gram(A: np.ndarray) -> np.ndarray:
    """AᵀA (Fortran order); ``_Overflow`` if it leaves the float64 range."""
    with np.errstate(over="ignore", invalid="ignore"):
        G = np.asfortranarray(A.T @ A)
    if not np.isfinite(G).all():
        raise _Overflow()
    return G


def _add_to_diagonal(A: np.ndarray, alpha: float) -> None:
    """A += alpha I in place; ``_Overflow`` if a diagonal entry leaves the float64 range."""
    d = A.shape[0]
    with np.errstate(over="ignore"):
        A[np.arange(d), np.arange(d)] += alpha
    if not np.isfinite(np.diagonal(A)).all():
        raise _Overflow()


def _ridge_cholesky(
    X: np.ndarray, rhs: np.ndarray, alpha: float, x_mean: np.ndarray | None
) -> np.ndarray | None:
    """w = (Xcᵀ Xc + alpha I)⁻¹ Xcᵀ yc by Cholesky; None if the system is singular."""
    G = _centred_gram(X, x_mean)
    d = G.shape[0]
    if d == 0:
        return None
    _add_to_diagonal(G, alpha)
    c, info = lapack.dpotrf(G, lower=1, clean=0, overwrite_a=1)
    if info != 0:
        return None
    pivots = np.diagonal(c) ** 2
    if pivots.min() <= d * np.finfo(float).eps * pivots.max():
        return None
    w, _ = lapack.dpotrs(c, np.asfortranarray(rhs), lower=1)
    return w


def _ridge_dual(Xc: np.ndarray, yc: np.ndarray, alpha: float) -> np.ndarray | None:
    """w = Xcᵀ (Xc Xcᵀ + alpha I)⁻¹ yc: the kernel form, cheaper when n_samples < n_features."""
    K = _gram(Xc.T)
    n = K.shape[0]
    _add_to_diagonal(K, alpha)
    c, info = lapack.dpotrf(K, lower=1, clean=0, overwrite_a=1)
    if info != 0:
        return None
    pivots = np.diagonal(c) ** 2
    if pivots.min() <= n * np.finfo(float).eps * pivots.max():
        return None
    a, _ = lapack.dpotrs(c, np.asfortranarray(yc), lower=1)
    return Xc.T @ a


def _ridge_svd(Xc: np.ndarray, yc: np.ndarray, alpha: float) -> np.ndarray:
    """w = V diag(s / (s² + alpha)) Uᵀ yc with Xc = U diag(s) Vᵀ (alpha = 0: pseudo-inverse).

    Xc is finite (``_centre_columns`` checked it): LAPACK never sees inf or NaN.
    """
    U, s, Vt = scipy.linalg.svd(Xc, full_matrices=False, check_finite=False)
    if not np.isfinite(s).all():  # a singular value beyond the float64 range
        raise _Overflow()
    cutoff = s.max(initial=0.0) * (max(Xc.shape) * np.finfo(float).eps)
    # s / (s² + alpha) written as 1 / (s + alpha / s): s² may underflow, alpha / s overflow
    # (to a filter of 0, the limit), and neither gives inf or NaN
    with np.errstate(divide="ignore", over="ignore"):
        filt = np.where(s > cutoff, 1.0 / (s + alpha / np.where(s > cutoff, s, 1.0)), 0.0)
    Uty = U.T @ yc
    return Vt.T @ (filt[:, None] * Uty if Uty.ndim == 2 else filt * Uty)
