"""LinearDiscriminantAnalysis and QuadraticDiscriminantAnalysis under scikit-learn's names.

Thin classes over ``GaussianClassifier``: the prediction (Cholesky-whitened
log-densities, never an inverse) is the notes' Gaussian classifier; what changes is the
estimate of the covariance, which follows scikit-learn's conventions so that predictions
and probabilities equal scikit-learn's:

- LDA, ``solver="svd"``: the pooled within-class covariance
  Σ = Σₖ Σᵢ∈ₖ (xᵢ - μₖ)(xᵢ - μₖ)ᵀ / n (the notes' shared estimate), with coef_ projected,
  as scikit-learn does, onto the span of the whitened class means;
- LDA, ``solver="lsqr"`` or ``"eigen"``: Σ = Σₖ πₖ Sₖ with Sₖ the empirical covariance
  of class k and πₖ the priors (both give the same model);
- QDA: Σₖ = (1 - r) Sₖ + r I, Sₖ the empirical covariance of class k, r = reg_param.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
import scipy.linalg
from sklearn.utils.validation import check_is_fitted, validate_data

from nabla.base import Interval, StrOptions
from nabla.discriminant_analysis import GaussianClassifier
from nabla.utils import atomic_fit

__all__ = ["LinearDiscriminantAnalysis", "QuadraticDiscriminantAnalysis"]


class LinearDiscriminantAnalysis(GaussianClassifier):
    """Linear discriminant analysis: Gaussian classes sharing one covariance Σ.

    Parameters
    ----------
    solver : {"svd", "lsqr", "eigen"}, default="svd"
        scikit-learn's solvers; they select its covariance estimate (module docstring).
        The model is fitted here by a Cholesky factor of Σ in every case, so a singular
        Σ (collinear features) raises ``ValueError`` where scikit-learn's svd solver
        would drop the null directions.
    shrinkage : None, default=None
        Only None (no shrinkage) is implemented.
    priors : array-like of shape (n_classes,) or None, default=None
        None: the class frequencies.
    store_covariance : bool, default=False
        Also store ``covariance_`` for the svd solver (always stored for lsqr/eigen).
    tol : float, default=1e-4
        svd solver: between-class directions with a singular value at most ``tol`` times
        the largest are dropped from ``coef_`` (scikit-learn's rule).

    Attributes
    ----------
    classes_, priors_, means_ : as scikit-learn's
    coef_ : ndarray of shape (1, n_features) for two classes, else (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    covariance_ : ndarray of shape (n_features, n_features)
        Σₖ πₖ Sₖ, as scikit-learn reports it.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.1], [0.2, -0.3], [-0.1, 0.0], [3.0, 3.1], [3.2, 2.9], [2.9, 3.4]])
    >>> LinearDiscriminantAnalysis().fit(X, [0, 0, 0, 1, 1, 1]).predict([[2.5, 2.5]])
    array([1])
    """

    _kind = "shared"
    _constraints: dict = {
        "solver": [StrOptions({"svd", "lsqr", "eigen"})],
        "shrinkage": [None],
        "priors": ["array-like", None],
        "store_covariance": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        solver: str = "svd",
        shrinkage: None = None,
        priors: Any = None,
        store_covariance: bool = False,
        tol: float = 1e-4,
    ) -> None:
        self.solver = solver
        self.shrinkage = shrinkage
        self.priors = priors
        self.store_covariance = store_covariance
        self.tol = tol

    def _reg(self) -> float:
        return 0.0

    def _shared_scatter(
        self, centred: np.ndarray, yk: np.ndarray, counts: np.ndarray, priors: np.ndarray
    ) -> np.ndarray:
        # Σₖ πₖ Sₖ (scikit-learn's covariance_), from the per-class scatter matrices
        weighted = centred * np.sqrt(priors[yk] / counts[yk])[:, None]
        self._prior_cov = weighted.T @ weighted
        self._n_fit = centred.shape[0]
        if self.solver != "svd":
            return self._prior_cov.copy()
        return super()._shared_scatter(centred, yk, counts, priors)

    @atomic_fit
    def fit(self, X: Any, y: Any) -> LinearDiscriminantAnalysis:
        """Fit the class means, priors and the shared covariance; then ``coef_``, ``intercept_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        super().fit(X, y)
        e = self._exponent
        # coefficients wₖ = Σ⁻¹μₖ, bₖ = -½ μₖᵀΣ⁻¹μₖ + log πₖ, by the Cholesky factor of
        # Σ / 4ᵉ (X was fitted divided by 2ᵉ): Σ⁻¹μ = 2⁻ᵉ (Σ/4ᵉ)⁻¹(μ/2ᵉ)
        M = self._scaled_means
        if self.solver == "svd":
            W, b = self._projected_coef(M)
        else:
            W = scipy.linalg.cho_solve((self._factors, True), M.T, check_finite=False).T
            with np.errstate(divide="ignore"):
                b = -0.5 * np.einsum("kj,kj->k", M, W) + np.log(self.priors_)
        W = np.ldexp(W, -e) if e else W
        if self.classes_.size == 2:
            W, b = W[1:] - W[:1], b[1:] - b[:1]
        self.coef_ = W
        self.intercept_ = b
        if self.store_covariance or self.solver != "svd":
            with np.errstate(over="ignore", under="ignore"):
                self.covariance_ = np.ldexp(self._prior_cov, 2 * e)
        del self._prior_cov
        return self

    def _projected_coef(self, M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """scikit-learn's svd-solver coefficients, for means M of X / 2ᵉ.

        With Σ = LLᵀ and whitened means mₖ = L⁻¹μₖ, m̄ = Σₖ πₖ mₖ, P the projection on
        the span of the mₖ - m̄ (directions with singular value ≤ tol times the largest
        dropped): wₖ = L⁻ᵀ P(mₖ - m̄), bₖ = -½‖P(mₖ - m̄)‖² + log πₖ - x̄ᵀwₖ. It differs
        from Σ⁻¹μₖ by a vector common to all classes: the probabilities are the same.
        """
        L = self._factors
        Mw = scipy.linalg.solve_triangular(L, M.T, lower=True, check_finite=False)
        D = Mw - Mw @ self.priors_[:, None]
        K = M.shape[0]
        weight = np.sqrt(self._n_fit * self.priors_ / max(K - 1, 1))
        U, S, _ = scipy.linalg.svd(D * weight, full_matrices=False, check_finite=False)
        U = U[:, S > float(self.tol) * S[0]] if S.size and S[0] > 0 else U[:, :0]
        C = U.T @ D  # coordinates of P(mₖ - m̄), one column per class
        W = scipy.linalg.solve_triangular(L, U @ C, lower=True, trans="T", check_finite=False).T
        x_bar = self.priors_ @ M
        with np.errstate(divide="ignore"):
            b = -0.5 * np.einsum("rk,rk->k", C, C) + np.log(self.priors_) - W @ x_bar
        return W, b

    def decision_function(self, X: Any) -> np.ndarray:
        """``x coef_ᵀ + intercept_``: log-odds (two classes) or per-class scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores


class QuadraticDiscriminantAnalysis(GaussianClassifier):
    """Quadratic discriminant analysis: a Gaussian with its own covariance per class.

    Parameters
    ----------
    priors : array-like of shape (n_classes,) or None, default=None
        None: the class frequencies.
    reg_param : float in [0, 1], default=0.0
        Σₖ = (1 - reg_param) Sₖ + reg_param I, Sₖ the empirical class covariance.
    store_covariance : bool, default=False
        Store ``covariance_`` (the Σₖ used).
    tol : float, default=1e-4
        Accepted for scikit-learn (its rank warning threshold); no effect here. A
        singular Σₖ raises ``ValueError``: give a positive reg_param.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.1], [0.2, -0.3], [-0.1, 0.0], [3.0, 3.1], [3.2, 2.9], [2.9, 3.4]])
    >>> QuadraticDiscriminantAnalysis().fit(X, [0, 0, 0, 1, 1, 1]).predict([[2.5, 2.5]])
    array([1])
    """

    _kind = "full"
    _constraints: dict = {
        "priors": ["array-like", None],
        "reg_param": [Interval(Real, 0, 1, closed="both")],
        "store_covariance": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        priors: Any = None,
        reg_param: float = 0.0,
        store_covariance: bool = False,
        tol: float = 1e-4,
    ) -> None:
        self.priors = priors
        self.reg_param = reg_param
        self.store_covariance = store_covariance
        self.tol = tol

    def _reg(self) -> float:
        return 0.0

    def _class_scatter(self, Ck: np.ndarray, label: Any) -> np.ndarray:
        n_k, d = Ck.shape
        if n_k < 2:
            raise ValueError(f"y has only 1 sample in class {label}, covariance is ill defined.")
        r = float(self.reg_param)
        S = (1.0 - r) * (Ck.T @ Ck) / n_k
        # r I in the units of X / 2ᵉ is r 4⁻ᵉ I
        S[np.diag_indices(d)] += float(np.ldexp(r, -2 * self._exponent))
        return S

    @atomic_fit
    def fit(self, X: Any, y: Any) -> QuadraticDiscriminantAnalysis:
        """Fit the class means, priors and covariances.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        super().fit(X, y)
        if self.store_covariance:
            self.covariance_ = list(self.covariances_)
        return self
