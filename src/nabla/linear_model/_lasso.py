"""Lasso (the MLP lecture, "LASSO regularization") by coordinate descent with a duality-gap stop."""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from scipy.linalg import lapack
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_array, validate_data

from nabla.base import Interval, StrOptions, check_sample_weight
from nabla.linear_model._least_squares import (
    _SCALE_HINT,
    _centre_y,
    _LinearRegressorBase,
    _scale_target,
)
from nabla.linear_model._ridge_solvers import _correlations_and_mean
from nabla.linear_model._scaling import check_finite_fit, ldexp, max_abs, pow2_exponent
from nabla.linear_model._weights import set_weighted_intercept, weighted_rows
from nabla.utils import atomic_fit

__all__ = ["Lasso"]

_MIN_WORKING_SET = 32
_MAX_FLOAT = float(np.finfo(np.float64).max)
# X is used as given while its largest entry lies in [2^-64, 2^64]: there XᵀX, Xᵀy and the
# working-set Gram matrices stay far inside the float64 range; beyond, it is rescaled
_SAFE_EXPONENT = 64


def _duality_gap(
    R: np.ndarray, c: np.ndarray, w: np.ndarray, y: np.ndarray, lam: float, e_x: int = 0
) -> float:
    """Gap between P(w) = ½‖R‖² + λ‖w‖₁ and the dual at the feasible point θ = s·R.

    s = min(1, λ / ‖Xcᵀ R‖∞) scales the residual into the dual feasible set
    {θ : ‖Xcᵀθ‖∞ ≤ λ}; D(θ) = ½‖y‖² - ½‖y - θ‖², so the gap is
    ½‖R‖²(1 + s²) + λ‖w‖₁ - s Rᵀy. This is n times the gap of the mean objective
    (1/2n)‖R‖² + alpha‖w‖₁. For λ = 0 no dual point is feasible and, as scikit-learn
    does, the first-order condition stands in for it: the gap is ‖Xᵀ R‖², for X·2^-e_x
    given as X and c, hence the factor 2^(2 e_x).
    """
    if lam == 0.0:
        return float(ldexp(float(c @ c), 2 * e_x))
    r2 = float(R @ R)
    dual_norm = float(np.max(np.abs(c), initial=0.0))
    s = lam / dual_norm if dual_norm > lam else 1.0
    return 0.5 * r2 * (1.0 + s * s) + lam * float(np.abs(w).sum()) - s * float(R @ y)


def _cd_sweeps(
    G: np.ndarray, c: np.ndarray, w: list[float], lam: float, n_sweeps: int, tol: float
) -> int:
    """Coordinate descent on ½wᵀGw - ...: up to ``n_sweeps`` sweeps; returns sweeps done.

    For each coordinate j: z = cⱼ + Gⱼⱼwⱼ (the correlation of column j with the residual
    that excludes it), wⱼ ← S(z, λ) / Gⱼⱼ with the soft threshold S(z, λ) =
    sign(z) max(|z| - λ, 0), and c ← c - Δwⱼ G[:, j] keeps c = Xcᵀ R current. Stops early
    when no coefficient moved by more than ``tol`` times the largest.
    """
    diag = np.diagonal(G).tolist()
    k = len(w)
    for sweep in range(1, n_sweeps + 1):
        max_step = 0.0
        max_w = 0.0
        for j in range(k):
            g = diag[j]
            if g <= 0.0:
                continue
            old = w[j]
            z = float(c[j]) + g * old
            if z > lam:
                new = (z - lam) / g
            elif z < -lam:
                new = (z + lam) / g
            else:
                new = 0.0
            if new != old:
                c -= (new - old) * G[j]
                w[j] = new
                max_step = max(max_step, abs(new - old))
            max_w = max(max_w, abs(new))
        if max_w == 0.0 or max_step <= tol * max_w:
            return sweep
    return n_sweeps


def _polish(G: np.ndarray, b: np.ndarray, w: np.ndarray, lam: float) -> np.ndarray | None:
    """Exact minimiser on the support with the signs fixed, if the signs survive.

    On the support S with signs s the optimality condition is G_SS w_S = Xc_Sᵀ yc - λ s,
    a linear system; its solution is the Lasso solution when no sign flips.
    """
    S = np.flatnonzero(w)
    if S.size == 0:
        return None
    sigma = np.sign(w[S])
    A = np.array(G[np.ix_(S, S)], order="F")
    c, info = lapack.dpotrf(A, lower=1, clean=0, overwrite_a=1)
    if info != 0:
        return None
    sol, _ = lapack.dpotrs(c, b[S] - lam * sigma, lower=1)
    if np.any(np.sign(sol) != sigma):
        return None
    out = np.zeros_like(w)
    out[S] = sol
    return out


def _lasso_cd(
    X: np.ndarray,
    yc: np.ndarray,
    alpha: float,
    x_mean: np.ndarray | None,
    c0: np.ndarray,
    max_iter: int,
    tol: float,
    e_x: int = 0,
    w0: np.ndarray | None = None,
) -> tuple[np.ndarray, float, int]:
    """Minimise (1/2n)‖yc - Xc w‖² + alpha ‖w‖₁ (Xc = X - x̄ implicitly; X is never copied).

    ``c0 = Xcᵀ yc`` are the correlations at w = 0. Working sets: the full correlations
    c = Xcᵀ R of the residual R = yc - Xc w (one pass over X) give the duality gap and the
    KKT violators |cⱼ| > λ = n alpha; coordinate descent then runs on the support plus the
    worst violators, with their small Gram matrix, until it settles, and a sign-fixed
    exact solve finishes the support. Stops when the gap is at most ``tol * ‖yc‖²``
    (scikit-learn's criterion). Returns (w, gap, sweeps), the gap in the units of
    ½‖R‖² (n times the mean objective's); ``e_x``: X is the data scaled by 2^-e_x.
    ``w0``: a starting point (warm start) instead of w = 0.
    """
    n, d = X.shape
    lam = min(n * alpha, _MAX_FLOAT)  # an alpha beyond float64 / n zeroes every coefficient
    w = np.zeros(d)
    tol_abs = tol * float(yc @ yc)
    total = 0
    ws = np.zeros(0, dtype=np.intp)
    Xw = np.zeros((n, 0))  # the centred working-set columns
    R = yc.copy()
    c = c0.copy()
    if w0 is not None and w0.any():
        w = w0.copy()
        R = yc - X @ w
        if x_mean is not None:
            R += float(x_mean @ w)
        c = R @ X
        if x_mean is not None:
            c -= x_mean * R.sum()
    while True:
        gap = _duality_gap(R, c, w, yc, lam, e_x)
        if gap <= tol_abs or total >= max_iter:
            break
        # working set: the support, then the largest violations of |cⱼ| ≤ λ
        support = np.flatnonzero(w)
        score = np.abs(c)
        score[support] = np.inf
        size = min(d, max(_MIN_WORKING_SET, 2 * support.size))
        new_ws = np.sort(np.argpartition(-score, size - 1)[:size]) if size < d else np.arange(d)
        # gather only the columns not already held (each gather reads most of X)
        held = np.isin(new_ws, ws)
        fresh = new_ws[~held]
        cols = np.take(X, fresh, axis=1)
        if x_mean is not None:
            cols -= x_mean[fresh]
        keep = np.searchsorted(ws, new_ws[held])
        Xw = np.concatenate([Xw[:, keep], cols], axis=1)
        ws = np.concatenate([new_ws[held], fresh])
        G = Xw.T @ Xw
        cw = c[ws].copy()
        ww = w[ws].tolist()
        total += _cd_sweeps(G, cw, ww, lam, max_iter - total, tol)
        w_ws = np.asarray(ww)
        polished = _polish(G, Xw.T @ yc, w_ws, lam)
        if polished is not None:
            w_ws = polished
        order = np.argsort(ws)
        ws, Xw, w_ws = ws[order], Xw[:, order], w_ws[order]
        w[:] = 0.0
        w[ws] = w_ws
        # residual from the held columns, correlations from one pass over X
        R = yc - Xw @ w_ws
        c = R @ X  # a row-vector product reads C-ordered X faster than X.T @ R
        if x_mean is not None:
            c -= x_mean * R.sum()
    return w, gap, max(total, 1)


class Lasso(_LinearRegressorBase):
    """Lasso: minimise (1/2n)‖y - Xw - b‖² + alpha ‖w‖₁ (b unpenalised).

    The L1 penalty of the notes sets coefficients exactly to zero. Solved by coordinate
    descent (soft-thresholding one coefficient at a time) on working sets, with
    scikit-learn's stopping rule: the duality gap at most ``tol * ‖y - ȳ‖²``.

    Parameters
    ----------
    alpha : float, default=1.0
        alpha ≥ 0 (alpha = 0 is least squares; use LinearRegression for that).
    fit_intercept : bool, default=True
    max_iter : int, default=1000
        The most coordinate-descent sweeps.
    tol : float, default=1e-4
        Relative duality-gap tolerance.
    precompute : bool or "auto", default=False
        Accepted for scikit-learn; the working-set solver always uses the Gram matrix of
        its working set, so it has no effect on the result.
    copy_X : bool, default=True
        Accepted for scikit-learn; X is never modified, whatever its value.
    warm_start : bool, default=False
        Start from the previous fit's ``coef_`` (same number of features and targets).
    random_state : int, RandomState instance or None, default=None
        Accepted for scikit-learn, where it draws the order of ``selection="random"``.
    selection : {"cyclic", "random"}, default="cyclic"
        scikit-learn's coordinate order. Both reach the same minimiser within ``tol``;
        the solver here always sweeps its working set in order.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    dual_gap_ : float or ndarray of shape (n_targets,)
        The duality gap of the objective above at the solution, as scikit-learn reports
        it (for alpha = 0, where no dual point is feasible, ‖Xcᵀ(y - Xw - b)‖² / n).
    n_iter_ : int or list of int
        Sweeps used (per target).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 5))
    >>> model = Lasso(alpha=0.1).fit(X, 3.0 * X[:, 0])
    >>> np.flatnonzero(model.coef_).tolist()
    [0]
    """

    _constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "precompute": ["boolean", StrOptions({"auto"})],
        "copy_X": ["boolean"],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
    }

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-4,
        precompute: bool | str = False,
        copy_X: bool = True,
        warm_start: bool = False,
        random_state: Any = None,
        selection: str = "cyclic",
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.precompute = precompute
        self.copy_X = copy_X
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection

    @atomic_fit
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Lasso:
        """Fit by coordinate descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,) or float, default=None
            As scikit-learn: the weights are rescaled to sum to n_samples and the loss
            becomes (1/2n) Σᵢ sᵢ (yᵢ - xᵢᵀw - b)², so an integer weight equals repeating
            the row.

        Returns
        -------
        self
        """
        # X's finiteness is checked on Xᵀ[y, 1] below: one pass over X instead of two
        X, y = validate_data(
            self, X, y, dtype=np.float64, order="C", multi_output=True, y_numeric=True,
            ensure_all_finite=False,
        )  # fmt: skip
        if self.alpha == 0:
            warnings.warn(
                "With alpha=0, this algorithm does not converge well. You are advised "
                "to use the LinearRegression estimator",
                stacklevel=4,
            )
        n = X.shape[0]
        sw = check_sample_weight(sample_weight, n)
        if sw is not None:
            check_array(X, input_name="X", estimator=self)  # NaN before the weighting
            X, y, x_off, y_off = weighted_rows(X, y, sw * (n / sw.sum()), self.fit_intercept)
            X = np.ascontiguousarray(X)
        fit_intercept = self.fit_intercept and sw is None
        coef0 = self._warm_coef(X.shape[1], 1 if np.ndim(y) == 1 else y.shape[1])
        # y in [-1, 1] by a power of two (exact); X too, when its largest entry is far
        # from 1: the fit is then on X·2^-e_x, y·2^-e_y with alpha·2^-(e_x + e_y), the
        # same objective up to the factor 2^(2 e_y)
        ys, e_y = _scale_target(y)
        yc, y_mean = _centre_y(ys, fit_intercept)
        Y = yc[:, None] if yc.ndim == 1 else yc
        m = max_abs(X)
        if not np.isfinite(m):
            check_array(X, input_name="X", estimator=self)  # scikit-learn's message
        e_x = int(pow2_exponent(m)) if m > 0.0 and abs(np.log2(m)) > _SAFE_EXPONENT else 0
        Xs = ldexp(X, -e_x) if e_x else X
        alpha = min(float(ldexp(float(self.alpha), -(e_x + e_y))), _MAX_FLOAT)
        XtY, x_mean = _correlations_and_mean(self, Xs, Y, fit_intercept)
        coefs, gaps, iters = [], [], []
        for t in range(Y.shape[1]):
            w, gap, n_iter = _lasso_cd(
                Xs, np.ascontiguousarray(Y[:, t]), alpha, x_mean, XtY[:, t],
                self.max_iter, float(self.tol), e_x,
                None if coef0 is None else ldexp(coef0[t], e_x - e_y),
            )  # fmt: skip
            # scikit-learn's dual_gap_: the gap of the mean objective (1/2n)‖R‖² + alpha‖w‖₁,
            # in the objective's units, (max |y|)²: beyond float64 for |y| ≳ 1e154
            dual_gap = float(ldexp(gap / n, 2 * e_y))
            check_finite_fit(type(self).__name__, _SCALE_HINT, duality_gap=dual_gap)
            tolerance = self.tol * float(Y[:, t] @ Y[:, t])
            if gap > tolerance:
                warnings.warn(
                    "Objective did not converge. You might want to increase the number "
                    "of iterations, check the scale of the features or consider "
                    f"increasing regularisation. Duality gap: {dual_gap:.3e}, tolerance: "
                    f"{float(ldexp(tolerance / n, 2 * e_y)):.3e}",
                    ConvergenceWarning,
                    stacklevel=4,
                )
            coefs.append(w)
            gaps.append(dual_gap)
            iters.append(n_iter)
        W = np.column_stack(coefs) if yc.ndim == 2 else coefs[0]
        self._set_linear(W, x_mean, y_mean, e_x, e_y)
        if sw is not None:
            set_weighted_intercept(self, x_off, y_off)
        self.dual_gap_ = np.asarray(gaps) if yc.ndim == 2 else gaps[0]
        self.n_iter_ = iters if yc.ndim == 2 else iters[0]
        return self

    def _warm_coef(self, n_features: int, n_targets: int) -> np.ndarray | None:
        """The previous coef_ as rows (n_targets, n_features) for a warm start, or None."""
        coef = getattr(self, "coef_", None)
        if not self.warm_start or coef is None:
            return None
        rows = np.atleast_2d(coef)
        if rows.shape != (n_targets, n_features):
            raise ValueError(
                f"Lasso(warm_start=True): the previous coef_ has shape {np.shape(coef)}, "
                f"which does not fit {n_targets} target(s) and {n_features} features; "
                "refit with warm_start=False."
            )
        return rows
