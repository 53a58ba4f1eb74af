"""Gaussian naive Bayes under scikit-learn's name: the notes' Gaussian classifier with
diagonal covariances (features independent within each class)."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np

from nabla.base import Interval
from nabla.discriminant_analysis import GaussianClassifier
from nabla.utils import atomic_fit

__all__ = ["GaussianNB"]


class GaussianNB(GaussianClassifier):
    """Gaussian naive Bayes: x | y = k has independent N(θₖⱼ, σ²ₖⱼ) features.

    ``GaussianClassifier(covariance="diagonal", reg_covar=var_smoothing)`` under
    scikit-learn's name, parameters and attributes: the maximum-likelihood variances plus
    ε = var_smoothing times the largest feature variance of X.

    Parameters
    ----------
    priors : array-like of shape (n_classes,) or None, default=None
        None: the class frequencies.
    var_smoothing : float, default=1e-9

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_count_ : ndarray of shape (n_classes,)
    class_prior_ : ndarray of shape (n_classes,)
    theta_ : ndarray of shape (n_classes, n_features)
    var_ : ndarray of shape (n_classes, n_features)
        Variances including ``epsilon_``.
    epsilon_ : float

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.1], [0.2, -0.3], [-0.1, 0.0], [3.0, 3.1], [3.2, 2.9], [2.9, 3.4]])
    >>> GaussianNB().fit(X, [0, 0, 0, 1, 1, 1]).predict([[2.5, 2.5]])
    array([1])
    """

    _kind = "diagonal"
    _constraints: dict = {
        "priors": ["array-like", None],
        "var_smoothing": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, *, priors: Any = None, var_smoothing: float = 1e-9) -> None:
        self.priors = priors
        self.var_smoothing = var_smoothing

    def _reg(self) -> float:
        return float(self.var_smoothing)

    @atomic_fit
    def fit(self, X: Any, y: Any) -> GaussianNB:
        """Fit the class priors, means and variances.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        super().fit(X, y)
        yk = np.searchsorted(self.classes_, np.asarray(y))
        self.class_count_ = np.bincount(yk.ravel(), minlength=self.classes_.size).astype(float)
        self.class_prior_ = self.priors_
        self.theta_ = self.means_
        self.var_ = self.covariances_
        return self
