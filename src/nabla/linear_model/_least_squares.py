"""Least squares and ridge regression (seed 003, "Ridge regularization").

Both minimise ‖y - Xw - b‖² + alpha ‖w‖² (alpha = 0 for least squares). The intercept b is never
penalised: with x̄, ȳ the column means, w solves the centred problem and b = ȳ - x̄ᵀw.

Scale safety: y is always divided by a power of two (exact) into [-1, 1]; X is too where
its products would overflow (LinearRegression always, Ridge when XᵀX or Xᵀy leaves the
float64 range). The solution is mapped back by the same powers of two, and a coefficient or
intercept beyond the float64 range raises ``ValueError`` instead of coming back as inf/NaN.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
import scipy.linalg
from scipy.linalg import lapack
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from nabla.linear_model._scaling import (
    check_finite_fit,
    ldexp,
    linear_scores,
    max_abs,
    pow2_exponent,
)
from nabla.utils import atomic_fit

__all__ = ["LinearRegression", "Ridge"]

# the centred Gram matrix is formed as XᵀX - n x̄x̄ᵀ unless that would cancel more than
# this many leading digits of a diagonal entry (a column whose mean dwarfs its spread);
# then the data are centred explicitly instead
_MAX_CANCELLATION = 1e4

_SCALE_HINT = "Scale X or y (e.g. StandardScaler) so that the model fits in float64."


class _Overflow(ValueError):
    """Finite data whose products leave the float64 range: solve again on rescaled X."""

    def __init__(self) -> None:
        super().__init__("the products of X overflow float64; rescale X")


def _scale_target(y: np.ndarray) -> tuple[np.ndarray, int]:
    """(y·2⁻ᵉ, e) with the largest |y·2⁻ᵉ| in [0.5, 1): exact, and y's sums cannot overflow."""
    y = np.asarray(y, dtype=np.float64)
    e = int(pow2_exponent(max_abs(y)))
    return (ldexp(y, -e) if e else y), e


def _centre_y(y: np.ndarray, fit_intercept: bool) -> tuple[np.ndarray, np.ndarray | float]:
    # y_numeric converts object arrays only; a NumPy string array becomes float here, with
    # NumPy's (and scikit-learn's) "could not convert string to float" when it cannot
    y = np.asarray(y, dtype=np.float64)
    if not fit_intercept:
        return y, 0.0 if y.ndim == 1 else np.zeros(y.shape[1])
    y_mean = y.mean(axis=0)
    return y - y_mean, y_mean


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


class _LinearRegressorBase(MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Shared prediction: y = Xw + b."""

    def _set_linear(
        self, w: np.ndarray, x_mean: np.ndarray | None, y_mean: Any, e_x: int = 0, e_y: int = 0
    ) -> None:
        """coef_ and intercept_ from the solution w for X·2^-e_x and y·2^-e_y.

        ``x_mean`` and ``y_mean`` are the means of the scaled X and y; then
        coef_ = w·2^(e_y - e_x) and intercept_ = (ȳ - x̄ᵀw)·2^e_y, exactly.
        """
        # solvers return w of shape (d,) or (d, t); scikit-learn stores coef_ as (t, d)
        coef = w.T.copy() if w.ndim == 2 else w
        if x_mean is None:
            intercept = y_mean
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                intercept = y_mean - coef @ x_mean
        coef, intercept = ldexp(coef, e_y - e_x), ldexp(intercept, e_y)
        check_finite_fit(type(self).__name__, _SCALE_HINT, coefficients=coef, intercept=intercept)
        self.coef_ = coef
        self.intercept_ = float(intercept) if np.ndim(intercept) == 0 else intercept

    def predict(self, X: Any) -> np.ndarray:
        """y = X coef_ᵀ + intercept_.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)

        Raises
        ------
        ValueError
            If a prediction lies beyond the float64 range (terms that overflow while
            their sum does not are handled: the sum is computed on rescaled terms).
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        out = linear_scores(X, self.coef_, self.intercept_)
        if not np.isfinite(out).all():
            raise ValueError(
                f"{type(self).__name__}: a prediction lies beyond the float64 range (about "
                "±1.8e308); X is far outside the range of the training data."
            )
        return out


class LinearRegression(_LinearRegressorBase):
    """Ordinary least squares: minimise ‖y - Xw - b‖².

    The normal equations XcᵀXc w = Xcᵀyc are solved stably, by a least-squares
    factorisation of the centred data (LAPACK ``gelsd``, SVD-based) rather than by
    forming XᵀX, which would square the condition number. A rank-deficient X gets the
    minimum-norm solution.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Fit b (unpenalised); False forces b = 0.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    rank_ : int
        Rank of the centred X.
    singular_ : ndarray of shape (min(n_samples, n_features),)
        Singular values of the centred X.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> model = LinearRegression().fit(X, 1.0 + 2.0 * X.ravel())
    >>> round(float(model.coef_[0]), 6), round(model.intercept_, 6)
    (2.0, 1.0)
    """

    _parameter_constraints: dict = {"fit_intercept": ["boolean"]}

    def __init__(self, *, fit_intercept: bool = True) -> None:
        self.fit_intercept = fit_intercept

    @atomic_fit
    def fit(self, X: Any, y: Any) -> LinearRegression:
        """Fit by least squares.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        self
        """
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        # one power of two for all of X (a per-column scale would change which
        # minimum-norm solution a rank-deficient X gets): |Xc| ≤ 1 below, nothing overflows
        e_x = int(pow2_exponent(max_abs(X)))
        Xc = ldexp(X, -e_x)  # a copy, centred in place
        x_mean = Xc.mean(axis=0) if self.fit_intercept else None
        if x_mean is not None:
            Xc -= x_mean
        ys, e_y = _scale_target(y)
        yc, y_mean = _centre_y(ys, self.fit_intercept)
        w, _, rank, s = scipy.linalg.lstsq(
            Xc, yc, check_finite=False, overwrite_a=True, lapack_driver="gelsd"
        )
        singular = ldexp(s, e_x)
        check_finite_fit(type(self).__name__, _SCALE_HINT, singular_values=singular)
        self._set_linear(w, x_mean, y_mean, e_x, e_y)
        self.rank_ = int(rank)
        self.singular_ = singular
        return self


class Ridge(_LinearRegressorBase):
    """Ridge regression (Tikhonov): minimise ‖y - Xw - b‖² + alpha ‖w‖², b unpenalised.

    ``w = (XcᵀXc + alpha I)⁻¹ Xcᵀ yc`` with centred Xc, yc, and ``b = ȳ - x̄ᵀw`` (the notes'
    θ_ridge = (XᵀX + δ²I)⁻¹Xᵀy with δ² = alpha). ``solver="cholesky"`` forms XᵀX with one BLAS
    ``syrk`` and centres it by a rank-one correction (no copy of X), then factors it in
    place; ``"dual"`` solves the n-by-n kernel form ``w = Xcᵀ(XcXcᵀ + alpha I)⁻¹yc``; ``"svd"`` uses
    the SVD of Xc (stable for alpha = 0 and rank-deficient X). ``"auto"`` takes cholesky when
    n_samples ≥ n_features, else dual. A singular system falls back to svd.

    Parameters
    ----------
    alpha : float, default=1.0
        alpha ≥ 0; Ridge(alpha=0) is least squares.
    fit_intercept : bool, default=True
    solver : {"auto", "cholesky", "dual", "svd"}, default="auto"

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    solver_ : str
        The solver that produced the solution.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> model = Ridge(alpha=2.0).fit(X, 2.0 * X.ravel())
    >>> float(model.coef_[0])  # Σxc·yc / (Σxc² + alpha) = 4 / (2 + 2)
    1.0
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions({"auto", "cholesky", "dual", "svd"})],
    }

    def __init__(
        self, alpha: float = 1.0, *, fit_intercept: bool = True, solver: str = "auto"
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver

    @atomic_fit
    def fit(self, X: Any, y: Any) -> Ridge:
        """Fit the ridge solution.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        self
        """
        # X's finiteness is checked on Xᵀ[y, 1]: one pass over X instead of two
        X, y = validate_data(
            self, X, y, dtype=np.float64, multi_output=True, y_numeric=True,
            ensure_all_finite=False,
        )  # fmt: skip
        alpha = float(self.alpha)
        ys, e_y = _scale_target(y)
        yc, y_mean = _centre_y(ys, self.fit_intercept)
        e_x = 0
        try:
            w, x_mean, solver = self._solve(X, yc, alpha)
        except _Overflow:
            # finite X whose XᵀX or Xᵀy overflows: solve for X·2^-e_x (|entries| < 1),
            # whose penalty is alpha·2^(-2 e_x); this attempt cannot overflow
            e_x = int(pow2_exponent(max_abs(X)))
            w, x_mean, solver = self._solve(ldexp(X, -e_x), yc, ldexp(alpha, -2 * e_x))
        self._set_linear(w, x_mean, y_mean, e_x, e_y)
        self.solver_ = solver
        return self

    def _solve(
        self, X: np.ndarray, yc: np.ndarray, alpha: float
    ) -> tuple[np.ndarray, np.ndarray | None, str]:
        """(w, x̄, solver) for centred targets yc; ``_Overflow`` if X's products overflow."""
        n, d = X.shape
        XtY, x_mean = _correlations_and_mean(self, X, yc.reshape(n, -1), self.fit_intercept)
        solver = self.solver
        if solver == "auto":
            solver = "cholesky" if n >= d else "dual"
        w = None
        if solver == "cholesky":
            w = _ridge_cholesky(X, XtY if yc.ndim == 2 else XtY[:, 0], alpha, x_mean)
            if w is None:
                solver = "svd"
        if solver in ("dual", "svd"):
            Xc = _centre_columns(X, x_mean)
            if solver == "dual":
                w = _ridge_dual(Xc, yc, alpha)
                if w is None:
                    solver = "svd"
            if solver == "svd":
                w = _ridge_svd(Xc, yc, alpha)
        if w is None:  # pragma: no cover - every path above ends in a solution
            raise RuntimeError("Ridge: no solver produced a solution")
        return w, x_mean, solver
