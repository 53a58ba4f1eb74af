"""Polynomial basis functions (seed 003, "regression with basis functions")."""

from __future__ import annotations

from itertools import chain, combinations, combinations_with_replacement
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from nabla.utils import atomic_fit
from nabla.utils._validation import feature_names_in

__all__ = ["PolynomialFeatures"]


class PolynomialFeatures(TransformerMixin, BaseEstimator):
    """All monomials of the features up to a degree: φ(x) = [1, x₁, …, x₁², x₁x₂, …].

    The notes' basis φ(x) = [1, x, x²] for one feature, extended to d features: every
    product of at most ``degree`` features, ordered by degree and then lexicographically
    (scikit-learn's order, so fitted models carry over). Linear regression on φ(X) is
    polynomial regression.

    Parameters
    ----------
    degree : int, default=2
        The largest total degree (≥ 0).
    interaction_only : bool, default=False
        Only products of distinct features (x₁x₂, not x₁²).
    include_bias : bool, default=True
        Include the constant column 1 (the degree-0 monomial).

    Attributes
    ----------
    powers_ : ndarray of shape (n_output_features_, n_features_in_)
        powers_[i, j] is the exponent of feature j in output column i.
    n_output_features_ : int
    n_features_in_ : int

    Examples
    --------
    >>> PolynomialFeatures(degree=2).fit_transform([[2.0, 3.0]])
    array([[1., 2., 3., 4., 6., 9.]])
    """

    _parameter_constraints: dict = {
        "degree": [Interval(Integral, 0, None, closed="left")],
        "interaction_only": ["boolean"],
        "include_bias": ["boolean"],
    }

    def __init__(
        self, degree: int = 2, *, interaction_only: bool = False, include_bias: bool = True
    ) -> None:
        self.degree = degree
        self.interaction_only = interaction_only
        self.include_bias = include_bias

    def _combinations(self, n_features: int) -> list[tuple[int, ...]]:
        comb = combinations if self.interaction_only else combinations_with_replacement
        start = 0 if self.include_bias else 1
        return list(
            chain.from_iterable(comb(range(n_features), t) for t in range(start, self.degree + 1))
        )

    @atomic_fit
    def fit(self, X: Any, y: Any = None) -> PolynomialFeatures:
        """Enumerate the output monomials for the number of features of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        X = validate_data(self, X, dtype=np.float64)
        combos = self._combinations(X.shape[1])
        if not combos:
            raise ValueError(
                "PolynomialFeatures: degree=0 and include_bias=False give no output "
                "features; set include_bias=True or degree >= 1."
            )
        powers = np.zeros((len(combos), X.shape[1]), dtype=np.intp)
        for i, c in enumerate(combos):
            for j in c:
                powers[i, j] += 1
        self.powers_ = powers
        self.n_output_features_ = len(combos)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """φ(X): one column per monomial.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_output_features_)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        combos = self._combinations(X.shape[1])
        out = np.empty((X.shape[0], len(combos)))
        # each monomial is a lower one (its combination without the last factor) times
        # one feature: one multiplication per output column
        column: dict[tuple[int, ...], int] = {}
        for i, c in enumerate(combos):
            if not c:
                out[:, i] = 1.0
            elif len(c) == 1:
                out[:, i] = X[:, c[0]]
            else:
                np.multiply(out[:, column[c[:-1]]], X[:, c[-1]], out=out[:, i])
            column[c] = i
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names such as ``"x0 x1"`` and ``"x0^2"`` (or with the given feature names).

        Parameters
        ----------
        input_features : array-like of str, default=None

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self)
        names = feature_names_in(self, input_features)
        out = []
        for row in self.powers_:
            terms = [names[j] if p == 1 else f"{names[j]}^{p}" for j, p in enumerate(row) if p > 0]
            out.append(" ".join(terms) if terms else "1")
        return np.asarray(out, dtype=object)
