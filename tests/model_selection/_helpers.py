"""Small estimators with known behaviour, for the model-selection tests."""

from __future__ import annotations

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.kernel_ridge import KernelRidge as _SklearnKernelRidge


class OLS(RegressorMixin, BaseEstimator):
    """Least squares with an intercept, by lstsq: cheap, unbiased on a linear truth."""

    def fit(self, X, y):
        A = np.column_stack([np.ones(len(X)), np.asarray(X, dtype=float)])
        self.coef_ = np.linalg.lstsq(A, np.asarray(y, dtype=float), rcond=None)[0]
        return self

    def predict(self, X):
        return self.coef_[0] + np.asarray(X, dtype=float) @ self.coef_[1:]


class MeanRegressor(RegressorMixin, BaseEstimator):
    """Predicts the mean of its training targets everywhere: f_b(x) = mean(y[idx_b])."""

    def fit(self, X, y):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


class FailsOnRepeats(RegressorMixin, BaseEstimator):
    """Mean regressor that refuses a resample drawing row ``row`` ``times`` times or more.

    Rows are recognised by X[:, 0] holding the row number.
    """

    def __init__(self, row=0, times=3):
        self.row = row
        self.times = times

    def fit(self, X, y):
        drawn = int(np.sum(np.asarray(X)[:, 0] == self.row))
        if drawn >= self.times:
            raise ValueError(f"row {self.row} drawn {drawn} times")
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


class FailsOnDuplicates(MeanRegressor):
    """Refuses training data with a repeated row: every bootstrap resample, in practice."""

    def fit(self, X, y):
        if len(np.unique(np.asarray(X)[:, 0])) < len(X):
            raise ValueError("repeated rows")
        return super().fit(X, y)


class SeededNoise(RegressorMixin, BaseEstimator):
    """Predicts a random constant from its own random_state: shows the clone seeding."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        self.value_ = float(np.random.default_rng(self.random_state).normal())
        return self

    def predict(self, X):
        return np.full(len(X), self.value_)


def _solve_kernel_ridge(K, y, alpha):
    # the agreed interface without the optional overwrite_K keyword
    A = np.array(K, dtype=float)
    A.flat[:: A.shape[0] + 1] += alpha
    return cho_solve(cho_factor(A, lower=True), y)


class InterfaceKernelRidge(_SklearnKernelRidge):
    """scikit-learn's KernelRidge, with the module-level solver the shortcut looks for."""


class InterceptKernelRidge(_SklearnKernelRidge):
    """A kernel ridge whose predict adds a constant: must not take the shortcut."""

    def predict(self, X):
        return super().predict(X) + 1.0
