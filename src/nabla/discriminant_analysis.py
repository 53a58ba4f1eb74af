"""Gaussian class-conditional classifier (seed 001, "MLE - CLASSIFICATION"; seed 003)."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
import scipy.linalg
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from nabla.utils import atomic_fit, check_classification_y

__all__ = ["GaussianClassifier"]

_LOG_2PI = float(np.log(2.0 * np.pi))


def _cholesky_or_raise(S: np.ndarray, what: str, reg: float) -> np.ndarray:
    """Lower Cholesky factor of a covariance, or a ValueError if it is (numerically) singular."""
    d = S.shape[0]
    try:
        L = scipy.linalg.cholesky(S, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        L = None
    if L is not None:
        pivots = np.diagonal(L) ** 2
        if pivots.min() > d * np.finfo(float).eps * pivots.max():
            return L
    raise _singular_error(what, reg)


def _singular_error(what: str, reg: float) -> ValueError:
    return ValueError(
        f"GaussianClassifier: the covariance matrix of {what} is singular (features "
        f"that are constant or collinear within it); increase reg_covar (now {reg!r}) or "
        "use covariance='shared' or 'diagonal'."
    )


def _check_priors(priors: Any, classes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    if isinstance(priors, str):
        if priors == "equal":
            return np.full(classes.size, 1.0 / classes.size)
        return counts / counts.sum()
    p = np.asarray(priors, dtype=np.float64)
    if p.ndim != 1 or p.size != classes.size:
        raise ValueError("Number of priors must match number of classes.")
    if not np.isclose(p.sum(), 1.0):
        raise ValueError("The sum of the priors should be 1.")
    if (p < 0).any():
        raise ValueError("Priors must be non-negative.")
    return p


class GaussianClassifier(ClassifierMixin, BaseEstimator):
    """Bayes classifier with Gaussian class-conditional densities fitted by maximum likelihood.

    Each class k gets x | y = k ~ N(μₖ, Σₖ) with the maximum-likelihood estimates
    μₖ = mean of its points and Σₖ = (1/nₖ) Σᵢ (xᵢ - μₖ)(xᵢ - μₖ)ᵀ; a point goes to the
    class with the largest posterior, computed from log-densities

        log p(x | k) = -½ [d log 2π + log|Σₖ| + (x - μₖ)ᵀ Σₖ⁻¹ (x - μₖ)]

    by a Cholesky factor Σₖ = LLᵀ (log|Σₖ| = 2 Σ log Lᵢᵢ, the quadratic form ‖L⁻¹(x - μₖ)‖²),
    never an inverse. ``covariance="full"`` is quadratic discriminant analysis,
    ``"shared"`` (one pooled Σ = Σₖ (nₖ/n) Σₖ) linear discriminant analysis, ``"diagonal"``
    Gaussian naive Bayes.

    Parameters
    ----------
    covariance : {"full", "shared", "diagonal"}, default="full"
    priors : {"empirical", "equal"} or array-like of shape (n_classes,), default="empirical"
        P(y = k): class frequencies, uniform (the notes' assumption), or given (in the
        order of ``classes_``; non-negative, summing to 1).
    reg_covar : float, default=1e-9
        ε ≥ 0: ε times the largest feature variance of X is added to every variance (the
        diagonal of every covariance), so that constant features or classes with a
        single point still give a usable density. With 0, a singular covariance raises.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    priors_ : ndarray of shape (n_classes,)
    means_ : ndarray of shape (n_classes, n_features)
    covariances_ : ndarray
        (n_classes, n_features, n_features) for full, (n_features, n_features) for shared,
        (n_classes, n_features) of variances for diagonal; regularised as used.
    epsilon_ : float
        The variance added to the diagonal.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.1], [0.2, -0.1], [-0.1, 0.0], [3.0, 3.1], [3.2, 2.9], [2.9, 3.0]])
    >>> GaussianClassifier(covariance="shared").fit(X, [0, 0, 0, 1, 1, 1]).predict([[2.5, 2.5]])
    array([1])
    """

    _parameter_constraints: dict = {
        "covariance": [StrOptions({"full", "shared", "diagonal"})],
        "priors": [StrOptions({"empirical", "equal"}), "array-like"],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self, *, covariance: str = "full", priors: Any = "empirical", reg_covar: float = 1e-9
    ) -> None:
        self.covariance = covariance
        self.priors = priors
        self.reg_covar = reg_covar

    @atomic_fit
    def fit(self, X: Any, y: Any) -> GaussianClassifier:
        """Estimate the priors, means and covariances by maximum likelihood.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        X, y = validate_data(self, X, y, dtype=np.float64)
        classes, yk = check_classification_y(y)
        if classes.size < 2:
            raise ValueError(
                f"The number of classes has to be greater than one; got {classes.size} class"
            )
        counts = np.bincount(yk, minlength=classes.size).astype(np.float64)
        priors = _check_priors(self.priors, classes, counts)
        n, d = X.shape
        eps = float(self.reg_covar) * float(np.var(X, axis=0).max())
        means = np.empty((classes.size, d))
        centred = np.empty_like(X)
        for k in range(classes.size):
            mask = yk == k
            means[k] = X[mask].mean(axis=0)
            centred[mask] = X[mask] - means[k]
        if self.covariance == "diagonal":
            cov = np.empty((classes.size, d))
            for k in range(classes.size):
                cov[k] = np.mean(centred[yk == k] ** 2, axis=0) + eps
            if (cov <= 0).any():
                k = int(np.argwhere(cov <= 0)[0, 0])
                raise _singular_error(f"class {classes[k]!r}", self.reg_covar)
            factors = np.sqrt(cov)
        elif self.covariance == "shared":
            # pooled within-class scatter / n = Σₖ (nₖ/n) Σₖ, the shared MLE
            cov = centred.T @ centred / n
            cov[np.diag_indices(d)] += eps
            factors = _cholesky_or_raise(cov, "the classes (shared)", self.reg_covar)
        else:
            cov = np.empty((classes.size, d, d))
            factors = np.empty_like(cov)
            for k in range(classes.size):
                Ck = centred[yk == k]
                cov[k] = Ck.T @ Ck / counts[k]
                cov[k][np.diag_indices(d)] += eps
                factors[k] = _cholesky_or_raise(cov[k], f"class {classes[k]!r}", self.reg_covar)
        self.classes_ = classes
        self.priors_ = priors
        self.means_ = means
        self.covariances_ = cov
        self.epsilon_ = eps
        self._factors = factors
        return self

    def _joint_log_likelihood(self, X: Any) -> np.ndarray:
        """log p(x | k) + log P(k) for every x and class k, shape (n_samples, n_classes)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        n, d = X.shape
        K = self.classes_.size
        out = np.empty((n, K))
        for k in range(K):
            diff = X - self.means_[k]
            if self.covariance == "diagonal":
                sd = self._factors[k]
                quad = np.sum((diff / sd) ** 2, axis=1)
                logdet = 2.0 * np.sum(np.log(sd))
            else:
                L = self._factors if self.covariance == "shared" else self._factors[k]
                # ‖L⁻¹(x - μ)‖² by a triangular solve, never Σ⁻¹
                Z = scipy.linalg.solve_triangular(L, diff.T, lower=True, check_finite=False)
                quad = np.einsum("ij,ij->j", Z, Z)
                logdet = 2.0 * np.sum(np.log(np.diagonal(L)))
            out[:, k] = -0.5 * (d * _LOG_2PI + logdet + quad)
        with np.errstate(divide="ignore"):
            out += np.log(self.priors_)
        return out

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log P(k | x) = log p(x | k) + log P(k) - log Σⱼ p(x | j) P(j).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        jll = self._joint_log_likelihood(X)
        return jll - logsumexp(jll, axis=1, keepdims=True)

    def predict_proba(self, X: Any) -> np.ndarray:
        """P(k | x), the posterior of each class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return np.exp(self.predict_log_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The class with the largest posterior.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        jll = self._joint_log_likelihood(X)
        return self.classes_[np.argmax(jll, axis=1)]
