"""Radial basis functions with fixed centres (the MLP lecture, "Kernel regression with RBFs")."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from nabla.base import Interval, StrOptions
from nabla.metrics.pairwise import _binary_exponent, _kernel_matrix, _max_abs
from nabla.utils import atomic_fit, check_random_generator

__all__ = ["RBFFeatures"]


def _kmeans_plus_plus(
    X: np.ndarray, k: int, rng: np.random.Generator, max_iter: int
) -> tuple[np.ndarray, int]:
    """k-means centres seeded by k-means++ and refined by Lloyd's iterations.

    Seeding: the first centre is a uniformly drawn point, each next one is drawn with
    probability proportional to D(x)², the squared distance to the nearest centre so far.
    Lloyd: assign every point to its nearest centre, move each centre to the mean of its
    points (a centre that loses all its points stays), until the assignment is stable.
    Both run on X divided by a power of two that brings its largest magnitude into
    [½, 1) (exact, and the same draws and assignments), so that squared distances and
    their sum never overflow or underflow; the centres are multiplied back.
    """
    e = _binary_exponent(_max_abs(X))
    centres, n_iter = _kmeans_scaled(np.ldexp(X, -e), k, rng, max_iter)
    return np.ldexp(centres, e), n_iter


def _kmeans_scaled(
    X: np.ndarray, k: int, rng: np.random.Generator, max_iter: int
) -> tuple[np.ndarray, int]:
    n = X.shape[0]
    centres = np.empty((k, X.shape[1]))
    centres[0] = X[rng.integers(n)]
    d2 = _kernel_matrix(X, centres[:1], kernel="sqeuclidean")[:, 0]
    for j in range(1, k):
        total = d2.sum()
        # all remaining points coincide with a centre: any choice is as good
        i = rng.choice(n, p=d2 / total) if total > 0 else rng.integers(n)
        centres[j] = X[i]
        np.minimum(d2, _kernel_matrix(X, centres[j : j + 1], kernel="sqeuclidean")[:, 0], out=d2)
    labels = None
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - n_iter is returned
        new = np.argmin(_kernel_matrix(X, centres, kernel="sqeuclidean"), axis=1)
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        counts = np.bincount(labels, minlength=k)
        sums = np.zeros_like(centres)
        np.add.at(sums, labels, X)
        filled = counts > 0
        centres[filled] = sums[filled] / counts[filled, None]
    return centres, n_iter


class RBFFeatures(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Gaussian radial basis functions φⱼ(x) = exp(-‖x - μⱼ‖² / λ) at fixed centres μⱼ.

    The notes' basis φ(x) = [k(x, μ₁, λ), …, k(x, μ_m, λ)]: linear regression on φ(X)
    (a Pipeline with Ridge or LinearRegression, which add the constant θ₀) is RBF
    regression with fixed centres. λ is the width (the MLP lecture, "Choice of the kernel size
    λ": small λ follows the data closely, large λ smooths).

    Parameters
    ----------
    centers : {"training", "kmeans++"} or array-like of shape (n_centers, n_features)
        ``"training"``: one centre on every training point (kernel regression);
        ``"kmeans++"``: ``n_centers`` k-means centres seeded by k-means++; or given centres.
    n_centers : int, default=10
        Number of centres for ``"kmeans++"`` (at most the number of training points).
    width : float, default=1.0
        λ > 0.
    kmeans_max_iter : int, default=100
        The most Lloyd iterations of ``"kmeans++"``.
    random_state : int, RandomState instance or None, default=None
        Seeding of ``"kmeans++"``.

    Attributes
    ----------
    centers_ : ndarray of shape (n_centers, n_features)
    n_iter_ : int
        Lloyd iterations run (0 unless ``centers="kmeans++"``).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> RBFFeatures(centers=[[0.0], [1.0]], width=1.0).fit_transform([[0.0]]).round(4)
    array([[1.    , 0.3679]])
    """

    _constraints: dict = {
        "centers": [StrOptions({"training", "kmeans++"}), "array-like"],
        "n_centers": [Interval(Integral, 1, None, closed="left")],
        "width": [Interval(Real, 0, None, closed="neither")],
        "kmeans_max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        centers: Any = "training",
        *,
        n_centers: int = 10,
        width: float = 1.0,
        kmeans_max_iter: int = 100,
        random_state: Any = None,
    ) -> None:
        self.centers = centers
        self.n_centers = n_centers
        self.width = width
        self.kmeans_max_iter = kmeans_max_iter
        self.random_state = random_state

    @atomic_fit
    def fit(self, X: Any, y: Any = None) -> RBFFeatures:
        """Place the centres.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        X = validate_data(self, X, dtype=np.float64)
        n, d = X.shape
        n_iter = 0
        if isinstance(self.centers, str) and self.centers == "training":
            centres = X.copy()
        elif isinstance(self.centers, str):
            if self.n_centers > n:
                raise ValueError(
                    f"RBFFeatures: n_centers={self.n_centers} must be <= n_samples={n} "
                    "for centers='kmeans++'"
                )
            rng = check_random_generator(self.random_state)
            centres, n_iter = _kmeans_plus_plus(X, self.n_centers, rng, self.kmeans_max_iter)
        else:
            centres = check_array(self.centers, dtype=np.float64, input_name="centers")
            if centres.shape[1] != d:
                raise ValueError(
                    f"RBFFeatures: centers have {centres.shape[1]} features but X has {d}"
                )
        self.centers_ = centres
        self.n_iter_ = n_iter
        self._n_features_out = centres.shape[0]
        return self

    def transform(self, X: Any) -> np.ndarray:
        """φ(X)[i, j] = exp(-‖xᵢ - μⱼ‖² / λ).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_centers)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return _kernel_matrix(X, self.centers_, kernel="rbf", gamma=1.0 / float(self.width))
