"""Polynomial basis functions (the MLP lecture, "regression with basis functions")."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from itertools import chain, combinations, combinations_with_replacement
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from nabla.base import Interval, StrOptions
from nabla.utils import atomic_fit
from nabla.utils._validation import feature_names_in

__all__ = ["PolynomialFeatures"]


def _n_monomials(n_features: int, degree: int, interaction_only: bool) -> int:
    """Monomials of degree exactly ``degree`` in ``n_features`` variables: the multisets
    C(n + t - 1, t), or the sets C(n, t) when ``interaction_only``."""
    if interaction_only:
        return math.comb(n_features, degree)
    return math.comb(n_features + degree - 1, degree)


def _memory_bytes() -> int | None:
    """The machine's physical memory, or None where the system does not say."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):
        return None


class PolynomialFeatures(TransformerMixin, BaseEstimator):
    """All monomials of the features up to a degree: φ(x) = [1, x₁, …, x₁², x₁x₂, …].

    The notes' basis φ(x) = [1, x, x²] for one feature, extended to d features: every
    product of at most ``degree`` features, ordered by degree and then lexicographically
    (scikit-learn's order, so fitted models carry over). Linear regression on φ(X) is
    polynomial regression.

    Fitting only counts the monomials, Σₜ C(d + t - 1, t) (Σₜ C(d, t) for interactions),
    so it takes no time or memory whatever d (2,500 pixels at degree 2 give 3,128,751
    features). ``transform`` builds each block of degree t from the block of degree t - 1:
    the monomials whose lowest feature is j are x_j times the lower-degree monomials whose
    lowest feature is at least j, a contiguous run of columns. It refuses, before
    allocating, an output larger than the machine's memory, and raises rather than return
    monomials that overflow float64.

    Parameters
    ----------
    degree : int, default=2
        The largest total degree (≥ 0).
    interaction_only : bool, default=False
        Only products of distinct features (x₁x₂, not x₁²).
    include_bias : bool, default=True
        Include the constant column 1 (the degree-0 monomial).
    order : {"C", "F"}, default="C"
        Memory layout of the output of ``transform``, as in scikit-learn.

    Attributes
    ----------
    n_output_features_ : int
    n_features_in_ : int
    powers_ : ndarray of shape (n_output_features_, n_features_in_)
        powers_[i, j] is the exponent of feature j in output column i; built when read
        (it is dense, as large as the output of a transform of ``n_features_in_`` rows).

    Examples
    --------
    >>> PolynomialFeatures(degree=2).fit_transform([[2.0, 3.0]])
    array([[1., 2., 3., 4., 6., 9.]])
    """

    _constraints: dict = {
        "degree": [Interval(Integral, 0, None, closed="left")],
        "interaction_only": ["boolean"],
        "include_bias": ["boolean"],
        "order": [StrOptions({"C", "F"})],
    }

    def __init__(
        self,
        degree: int = 2,
        *,
        interaction_only: bool = False,
        include_bias: bool = True,
        order: str = "C",
    ) -> None:
        self.degree = degree
        self.interaction_only = interaction_only
        self.include_bias = include_bias
        self.order = order

    def _degrees(self) -> range:
        return range(0 if self.include_bias else 1, int(self.degree) + 1)

    def _combinations(self, n_features: int) -> Iterator[tuple[int, ...]]:
        """The output monomials as tuples of feature indices, in column order (lazily)."""
        comb = combinations if self.interaction_only else combinations_with_replacement
        return chain.from_iterable(comb(range(n_features), t) for t in self._degrees())

    @atomic_fit
    def fit(self, X: Any, y: Any = None) -> PolynomialFeatures:
        """Count the output monomials for the number of features of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        X = validate_data(self, X, dtype=np.float64)
        d = X.shape[1]
        n_out = sum(_n_monomials(d, t, self.interaction_only) for t in self._degrees())
        if n_out == 0:
            raise ValueError(
                "PolynomialFeatures: degree=0 and include_bias=False give no output "
                "features; set include_bias=True or degree >= 1."
            )
        if n_out > np.iinfo(np.intp).max:
            raise ValueError(
                f"PolynomialFeatures: degree={self.degree} on {d} features gives {n_out} "
                "output features, too many to index; lower the degree or set "
                "interaction_only=True."
            )
        self.n_output_features_ = n_out
        return self

    @property
    def powers_(self) -> np.ndarray:
        check_is_fitted(self)
        d = self.n_features_in_
        powers = np.zeros((self.n_output_features_, d), dtype=np.intp)
        for i, c in enumerate(self._combinations(d)):
            for j in c:
                powers[i, j] += 1
        return powers

    def _check_output_size(self, n_samples: int) -> None:
        """Refuse, before allocating, an output that cannot fit in the machine's memory."""
        n_out = self.n_output_features_
        nbytes = n_samples * n_out * 8
        limit = _memory_bytes()
        if limit is not None and nbytes > limit:
            raise ValueError(
                f"PolynomialFeatures: the output would be a float64 array of shape "
                f"({n_samples}, {n_out}), {nbytes / 2**30:,.1f} GiB, more than this "
                f"machine's memory ({limit / 2**30:,.1f} GiB). Lower the degree (now "
                f"{self.degree}), set interaction_only=True, use fewer features, or "
                "transform fewer samples at a time."
            )

    def transform(self, X: Any) -> np.ndarray:
        """φ(X): one column per monomial.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_output_features_)

        Raises
        ------
        ValueError
            If the output would not fit in memory, or a monomial overflows float64.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        n, d = X.shape
        self._check_output_size(n)
        out = np.empty((n, self.n_output_features_), order="F" if self.order == "F" else "C")
        col = 0
        if self.include_bias:
            out[:, 0] = 1.0
            col = 1
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            if self.degree >= 1:
                out[:, col : col + d] = X
                prev, prev_len = col, d
                col += d
            for t in range(2, int(self.degree) + 1):
                start = col
                for j in range(d):
                    # degree t - 1 monomials whose lowest feature is ≥ j (> j without
                    # repeats): the last m columns of the previous block
                    m = _n_monomials(
                        d - j - int(self.interaction_only), t - 1, self.interaction_only
                    )
                    if m == 0:
                        break
                    src = out[:, prev + prev_len - m : prev + prev_len]
                    np.multiply(src, X[:, j : j + 1], out=out[:, col : col + m])
                    col += m
                prev, prev_len = start, col - start
        big = float(np.max(np.abs(X), initial=0.0))
        if big > 1.0 and self.degree * math.log2(big) >= 1023 and not np.isfinite(out).all():
            raise ValueError(
                f"PolynomialFeatures: monomials of degree up to {self.degree} of X overflow "
                f"float64 (the largest |x| is {big:.3g}); rescale X first (e.g. with "
                "StandardScaler) or lower the degree."
            )
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
        for c in self._combinations(self.n_features_in_):
            terms = []
            for j in sorted(set(c)):
                p = c.count(j)
                terms.append(names[j] if p == 1 else f"{names[j]}^{p}")
            out.append(" ".join(terms) if terms else "1")
        return np.asarray(out, dtype=object)
