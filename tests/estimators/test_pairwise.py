"""Kernels against scikit-learn's pairwise functions, and the module doctests."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest
from sklearn.metrics import pairwise as skp

from nabla.metrics import pairwise
from nabla.metrics.pairwise import _kernel_matrix


@pytest.mark.parametrize(
    ("ours", "theirs", "kw"),
    [
        (pairwise.linear_kernel, skp.linear_kernel, {}),
        (pairwise.rbf_kernel, skp.rbf_kernel, {"gamma": 0.3}),
        (pairwise.rbf_kernel, skp.rbf_kernel, {}),
        (
            pairwise.polynomial_kernel,
            skp.polynomial_kernel,
            {"degree": 3, "gamma": 0.5, "coef0": 2.0},
        ),
        (pairwise.sigmoid_kernel, skp.sigmoid_kernel, {"gamma": 0.1, "coef0": -0.5}),
    ],
)
def test_kernels_match_sklearn(ours, theirs, kw) -> None:
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((700, 4)), rng.standard_normal((9, 4))  # 700 rows: many blocks
    np.testing.assert_allclose(ours(X, Y, **kw), theirs(X, Y, **kw), rtol=1e-12, atol=1e-14)
    K = ours(X, **kw)
    np.testing.assert_allclose(K, theirs(X, **kw), rtol=1e-12, atol=1e-13)
    np.testing.assert_array_equal(K, K.T)


def test_lower_triangle_and_distances() -> None:
    rng = np.random.default_rng(1)
    X = rng.standard_normal((600, 3)) * 100
    low = _kernel_matrix(X, kernel="rbf", gamma=1e-4, lower=True)
    assert low.flags.f_contiguous
    np.testing.assert_allclose(np.tril(low), np.tril(skp.rbf_kernel(X, gamma=1e-4)), rtol=1e-11)
    D = pairwise.squared_euclidean_distances(X)
    assert D.min() >= 0.0 and np.all(np.diag(D) == 0.0)
    np.testing.assert_allclose(D, skp.euclidean_distances(X, squared=True), rtol=1e-9, atol=1e-6)
    with pytest.raises(ValueError, match="Incompatible dimension"):
        pairwise.rbf_kernel(X, X[:, :2])
    with pytest.raises(ValueError, match="gamma must be positive"):
        pairwise.rbf_kernel(X, gamma=-1.0)


@pytest.mark.parametrize(
    "module",
    [
        "nabla.metrics.pairwise",
        "nabla.kernel_ridge",
        "nabla.linear_model._least_squares",
        "nabla.linear_model._lasso",
        "nabla.linear_model._logistic",
        "nabla.neighbors._estimators",
        "nabla.discriminant_analysis",
        "nabla.preprocessing._polynomial",
        "nabla.preprocessing._rbf",
    ],
)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(
        importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0 and result.attempted > 0
