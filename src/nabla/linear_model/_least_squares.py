"""Least squares and ridge regression (the MLP lecture, "Ridge regularization").

Both minimise ‖y - Xw - b‖² + alpha ‖w‖² (alpha = 0 for least squares). The intercept b is never
penalised: with x̄, ȳ the column means, w solves the centred problem and b = ȳ - x̄ᵀw.

Scale safety: y is always divided by a power of two (exact) into [-1, 1]; X is too where
its products would overflow (LinearRegression always, Ridge when XᵀX or Xᵀy leaves the
float64 range). The solution is mapped back by the same powers of two, and a coefficient or
intercept beyond the float64 range raises ``ValueError`` instead of coming back as inf/NaN.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.linalg
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from nabla.base import Interval, StrOptions, check_sample_weight
from nabla.linear_model._ridge_solvers import (
    _centre_columns,
    _correlations_and_mean,
    _Overflow,
    _ridge_cholesky,
    _ridge_dual,
    _ridge_svd,
)
from nabla.linear_model._scaling import (
    check_finite_fit,
    ldexp,
    linear_scores,
    max_abs,
    pow2_exponent,
)
from nabla.linear_model._weights import set_weighted_intercept, weighted_rows
from nabla.utils import atomic_fit

__all__ = ["LinearRegression", "Ridge"]

# scikit-learn's iterative Ridge solvers: each approximates the unique minimiser that the
# direct solvers here compute exactly
_ITERATIVE_SOLVERS = frozenset({"lsqr", "sparse_cg", "sag", "saga"})

_SCALE_HINT = "Scale X or y (e.g. StandardScaler) so that the model fits in float64."


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
    copy_X : bool, default=True
        Accepted for scikit-learn; X is never modified, whatever its value.
    tol : float, default=1e-6
        Relative cutoff of the SVD, as in scikit-learn: singular values below
        ``tol * max(singular values)`` count as zero (they set ``rank_``, and the
        minimum-norm solution of a rank-deficient X ignores their directions).
    n_jobs : int or None, default=None
        Accepted for scikit-learn; no effect (NumPy's BLAS threads do the work).

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

    _constraints: dict = {
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        fit_intercept: bool = True,
        copy_X: bool = True,
        tol: float = 1e-6,
        n_jobs: int | None = None,
    ) -> None:
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.tol = tol
        self.n_jobs = n_jobs

    @atomic_fit
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearRegression:
        """Fit by least squares.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Minimise Σᵢ sᵢ (yᵢ - xᵢᵀw - b)²: an integer weight equals repeating the row.

        Returns
        -------
        self
        """
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        sw = check_sample_weight(sample_weight, X.shape[0])
        if sw is not None:
            X, y, x_off, y_off = weighted_rows(X, y, sw, self.fit_intercept)
        fit_intercept = self.fit_intercept and sw is None
        # one power of two for all of X (a per-column scale would change which
        # minimum-norm solution a rank-deficient X gets): |Xc| ≤ 1 below, nothing overflows
        e_x = int(pow2_exponent(max_abs(X)))
        Xc = ldexp(X, -e_x)  # a copy, centred in place
        x_mean = Xc.mean(axis=0) if fit_intercept else None
        if x_mean is not None:
            Xc -= x_mean
        ys, e_y = _scale_target(y)
        yc, y_mean = _centre_y(ys, fit_intercept)
        w, _, rank, s = scipy.linalg.lstsq(
            Xc,
            yc,
            cond=float(self.tol),
            check_finite=False,
            overwrite_a=True,
            lapack_driver="gelsd",
        )
        singular = ldexp(s, e_x)
        check_finite_fit(type(self).__name__, _SCALE_HINT, singular_values=singular)
        self._set_linear(w, x_mean, y_mean, e_x, e_y)
        if sw is not None:
            set_weighted_intercept(self, x_off, y_off)
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
    copy_X : bool, default=True
        Accepted for scikit-learn; X is never modified, whatever its value.
    max_iter : int or None, default=None
        Accepted for scikit-learn, where it bounds its iterative solvers; every solver
        here is direct, so it has no effect (as for scikit-learn's cholesky and svd).
    tol : float, default=1e-4
        As ``max_iter``: no effect on the direct solvers.
    solver : {"auto", "cholesky", "dual", "svd", "lsqr", "sparse_cg", "sag", "saga"}, \
default="auto"
        scikit-learn's iterative solvers ("lsqr", "sparse_cg", "sag", "saga") approximate
        the same unique minimiser; they are accepted and mapped to "auto", which computes
        it exactly (``solver_`` says which solver ran).
    random_state : int, RandomState instance or None, default=None
        Accepted for scikit-learn (its sag/saga shuffle); no effect here.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    solver_ : str
        The solver that produced the solution.
    n_iter_ : None
        Always None: every solver here is direct (scikit-learn's value for its direct
        solvers).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> model = Ridge(alpha=2.0).fit(X, 2.0 * X.ravel())
    >>> float(model.coef_[0])  # Σxc·yc / (Σxc² + alpha) = 4 / (2 + 2)
    1.0
    """

    _constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions({"auto", "cholesky", "dual", "svd", *_ITERATIVE_SOLVERS})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        fit_intercept: bool = True,
        copy_X: bool = True,
        max_iter: int | None = None,
        tol: float = 1e-4,
        solver: str = "auto",
        random_state: Any = None,
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.random_state = random_state

    @atomic_fit
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Ridge:
        """Fit the ridge solution.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Minimise Σᵢ sᵢ (yᵢ - xᵢᵀw - b)² + alpha ‖w‖² (as scikit-learn): an integer
            weight equals repeating the row, a zero weight dropping it.

        Returns
        -------
        self
        """
        # X's finiteness is checked on Xᵀ[y, 1]: one pass over X instead of two
        X, y = validate_data(
            self, X, y, dtype=np.float64, multi_output=True, y_numeric=True,
            ensure_all_finite=False,
        )  # fmt: skip
        sw = check_sample_weight(sample_weight, X.shape[0])
        if sw is not None:
            check_array(X, input_name="X", estimator=self)  # NaN before the weighting
            X, y, x_off, y_off = weighted_rows(X, y, sw, self.fit_intercept)
        fit_intercept = self.fit_intercept and sw is None
        alpha = float(self.alpha)
        ys, e_y = _scale_target(y)
        yc, y_mean = _centre_y(ys, fit_intercept)
        e_x = 0
        try:
            w, x_mean, solver = self._solve(X, yc, alpha, fit_intercept)
        except _Overflow:
            # finite X whose XᵀX or Xᵀy overflows: solve for X·2^-e_x (|entries| < 1),
            # whose penalty is alpha·2^(-2 e_x); this attempt cannot overflow
            e_x = int(pow2_exponent(max_abs(X)))
            w, x_mean, solver = self._solve(
                ldexp(X, -e_x), yc, ldexp(alpha, -2 * e_x), fit_intercept
            )
        self._set_linear(w, x_mean, y_mean, e_x, e_y)
        if sw is not None:
            set_weighted_intercept(self, x_off, y_off)
        self.solver_ = solver
        self.n_iter_ = None  # as scikit-learn's Ridge after a direct solve
        return self

    def _solve(
        self, X: np.ndarray, yc: np.ndarray, alpha: float, fit_intercept: bool
    ) -> tuple[np.ndarray, np.ndarray | None, str]:
        """(w, x̄, solver) for centred targets yc; ``_Overflow`` if X's products overflow."""
        n, d = X.shape
        XtY, x_mean = _correlations_and_mean(self, X, yc.reshape(n, -1), fit_intercept)
        solver = self.solver
        if solver == "auto" or solver in _ITERATIVE_SOLVERS:
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
