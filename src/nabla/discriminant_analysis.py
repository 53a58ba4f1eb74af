"""Gaussian class-conditional classifier (the course notes, "MLE - CLASSIFICATION", and the
MLP lecture)."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
import scipy.linalg
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from nabla.base import Interval, StrOptions
from nabla.metrics.pairwise import _SAFE_EXPONENT, _safe_exponent
from nabla.utils import atomic_fit, check_classification_y

# the last two are loaded on first use (see the module's __getattr__ below)
__all__ = [  # noqa: F822
    "GaussianClassifier",
    "LinearDiscriminantAnalysis",
    "QuadraticDiscriminantAnalysis",
]

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
    # a copy: the fitted model must not change when the caller's array does
    p = np.array(priors, dtype=np.float64)
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
        (n_classes, n_features) of variances for diagonal; regularised as used. X of
        extreme magnitude (beyond about 1e±120) is fitted divided by a power of two,
        which leaves the posteriors unchanged: variances below the float64 range read
        0 here while predictions stay exact, and covariances beyond it raise
        ``ValueError`` at fit.
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

    _constraints: dict = {
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
        priors = _check_priors("empirical" if self.priors is None else self.priors, classes, counts)
        d = X.shape[1]
        # extreme magnitudes: fit on X / 2ᵉ (exact), where no variance overflows or
        # underflows; the posteriors do not change (see ``_joint_log_likelihood``)
        e = _safe_exponent(float(np.max(np.abs(X), initial=0.0)))
        self._exponent = e  # the hooks below see X / 2ᵉ
        if e:
            X = np.ldexp(X, -e)
        eps = self._reg() * float(np.var(X, axis=0).max())
        means = np.empty((classes.size, d))
        centred = np.empty_like(X)
        for k in range(classes.size):
            mask = yk == k
            means[k] = X[mask].mean(axis=0)
            centred[mask] = X[mask] - means[k]
        if self._kind == "diagonal":
            cov = np.empty((classes.size, d))
            for k in range(classes.size):
                cov[k] = np.mean(centred[yk == k] ** 2, axis=0) + eps
            if (cov <= 0).any():
                k = int(np.argwhere(cov <= 0)[0, 0])
                raise _singular_error(f"class {classes[k]!r}", self._reg())
            factors = np.sqrt(cov)
        elif self._kind == "shared":
            cov = self._shared_scatter(centred, yk, counts, priors)
            cov[np.diag_indices(d)] += eps
            factors = _cholesky_or_raise(cov, "the classes (shared)", self._reg())
        else:
            cov = np.empty((classes.size, d, d))
            factors = np.empty_like(cov)
            for k in range(classes.size):
                Ck = centred[yk == k]
                cov[k] = self._class_scatter(Ck, classes[k])
                cov[k][np.diag_indices(d)] += eps
                factors[k] = _cholesky_or_raise(cov[k], f"class {classes[k]!r}", self._reg())
        with np.errstate(over="ignore", under="ignore"):
            covariances = np.ldexp(cov, 2 * e) if e else cov
        if not np.isfinite(covariances).all():
            raise ValueError(
                "GaussianClassifier: the covariances of X overflow float64 (the largest "
                f"|x| is {float(np.ldexp(np.max(np.abs(X)), e)):.3g}, and variances reach "
                "its square); rescale X first (e.g. with StandardScaler)."
            )
        self.classes_ = classes
        self.priors_ = priors
        self.means_ = np.ldexp(means, e) if e else means
        self.covariances_ = covariances
        with np.errstate(under="ignore"):
            self.epsilon_ = float(np.ldexp(eps, 2 * e))
        self._exponent = e
        self._scaled_means = means
        self._factors = factors
        return self

    # the hooks by which the scikit-learn-named models (_discriminant_names.py, naive_bayes.py)
    # change the estimates; the forms here are the maximum-likelihood ones of the notes
    @property
    def _kind(self) -> str:
        return self.covariance

    def _reg(self) -> float:
        return float(self.reg_covar)

    def _shared_scatter(
        self, centred: np.ndarray, yk: np.ndarray, counts: np.ndarray, priors: np.ndarray
    ) -> np.ndarray:
        """Pooled within-class scatter / n = Σₖ (nₖ/n) Σₖ, the shared MLE."""
        return centred.T @ centred / centred.shape[0]

    def _class_scatter(self, Ck: np.ndarray, label: Any) -> np.ndarray:
        """Σₖ = (1/nₖ) Σᵢ (xᵢ - μₖ)(xᵢ - μₖ)ᵀ from the centred rows of class k."""
        return Ck.T @ Ck / Ck.shape[0]

    def _whiten(self, V: np.ndarray, k: int) -> tuple[np.ndarray, float]:
        """(L⁻¹vᵀ for each row v of V, as rows; log|Σₖ|) for class k, with Σₖ = LLᵀ."""
        if self._kind == "diagonal":
            sd = self._factors[k]
            return V / sd, 2.0 * float(np.sum(np.log(sd)))
        L = self._factors if self._kind == "shared" else self._factors[k]
        # a triangular solve, never Σ⁻¹
        Z = scipy.linalg.solve_triangular(L, V.T, lower=True, check_finite=False)
        return Z.T, 2.0 * float(np.sum(np.log(np.diagonal(L))))

    def _joint_log_likelihood(self, Xs: np.ndarray) -> np.ndarray:
        """log p(x̃ | k) + log P(k) for finite rows x̃ of X / 2ᵉ, shape (n, n_classes),
        up to a term common to all classes (which leaves the posteriors as they are).

        -inf where a density underflows. The log-density of x = 2ᵉ x̃ is less by e d log 2
        for every class. With a shared covariance, the common -½‖L⁻¹x̃‖² is left out:
        what remains, (L⁻¹x̃)ᵀ mₖ - ½‖mₖ‖² with mₖ = L⁻¹μₖ, is linear in x̃ (LDA's form)
        and keeps the classes apart for queries far from the data.
        """
        d = Xs.shape[1]
        jll = np.empty((Xs.shape[0], self.classes_.size))
        for k in range(self.classes_.size):
            with np.errstate(over="ignore", invalid="ignore"):
                if self._kind == "shared":
                    Z, _ = self._whiten(Xs, k)
                    m, _ = self._whiten(self._scaled_means[k][None, :], k)
                    jll[:, k] = Z @ m[0] - 0.5 * float(m[0] @ m[0])
                else:
                    Z, logdet = self._whiten(Xs - self._scaled_means[k], k)
                    quad = np.einsum("ij,ij->i", Z, Z)
                    jll[:, k] = -0.5 * (d * _LOG_2PI + logdet + quad)
        with np.errstate(divide="ignore"):
            jll += np.log(self.priors_)
        return jll

    def _far_log_posterior(self, X: np.ndarray) -> np.ndarray:
        """The limit of the log posteriors for queries whose densities all underflow.

        With x / 2ᵉ = 2ᵗ x̂ (x̂ of size about 1), (x - μₖ)ᵀ Σₖ⁻¹ (x - μₖ) / 4ᵉ =
        4ᵗ aₖ + 2ᵗ bₖ + cₖ with aₖ = ‖L⁻¹x̂‖², bₖ = -2 (L⁻¹x̂)ᵀ(L⁻¹μₖ), and cₖ holding the
        rest; for large t the class that is smallest in (a, b, c), compared in that order,
        takes all the mass (exact ties share it).
        """
        t = np.frexp(np.max(np.abs(X), axis=1))[1]
        Xh = np.ldexp(X, -t[:, None])
        K = self.classes_.size
        A, B, C = np.empty((len(X), K)), np.empty((len(X), K)), np.empty((len(X), K))
        for k in range(K):
            U, logdet = self._whiten(Xh, k)
            m, _ = self._whiten(self._scaled_means[k][None, :], k)
            A[:, k] = np.einsum("ij,ij->i", U, U)
            B[:, k] = -2.0 * (U @ m[0])
            with np.errstate(divide="ignore"):
                C[:, k] = float(m[0] @ m[0]) + logdet - 2.0 * np.log(self.priors_[k])
        C[:, self.priors_ == 0] = np.inf  # a class of prior 0 never wins
        order = np.lexsort((C, B, A), axis=-1)
        rows = np.arange(len(X))[:, None]
        first = order[:, :1]
        best = (A == A[rows, first]) & (B == B[rows, first]) & (C == C[rows, first])
        with np.errstate(divide="ignore"):
            return np.where(best, -np.log(best.sum(axis=1, keepdims=True)), -np.inf)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log P(k | x) = log p(x | k) + log P(k) - log Σⱼ p(x | j) P(j).

        A query so far from the training data that its densities underflow for every
        class gets the limit of its posterior (see ``_far_log_posterior``), never NaN.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        e = self._exponent
        out = np.empty((X.shape[0], self.classes_.size))
        # rows beyond 2^400 once divided by 2ᵉ would overflow the quadratic forms
        far = np.frexp(np.max(np.abs(X), axis=1, initial=0.0))[1] - e > _SAFE_EXPONENT
        near = np.flatnonzero(~far)
        if near.size:
            jll = self._joint_log_likelihood(np.ldexp(X[near], -e) if e else X[near])
            lost = ~np.isfinite(jll).any(axis=1)
            far[near[lost]] = True
            # log-softmax, shifted first: exact even when |jll| dwarfs its differences
            shifted = jll[~lost] - jll[~lost].max(axis=1, keepdims=True)
            out[near[~lost]] = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        if far.any():
            out[far] = self._far_log_posterior(X[far])
        return out

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
        log_proba = self.predict_log_proba(X)  # checks that the model is fitted
        return self.classes_[np.argmax(log_proba, axis=1)]


# scikit-learn's names, as thin classes over the model above; loaded on first use, since
# they subclass GaussianClassifier (an import here would be circular)
_SKLEARN_NAMES = ("LinearDiscriminantAnalysis", "QuadraticDiscriminantAnalysis")


def __getattr__(name: str) -> Any:
    if name in _SKLEARN_NAMES:
        import nabla._discriminant_names as names

        return getattr(names, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
