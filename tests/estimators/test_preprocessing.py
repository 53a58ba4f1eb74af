"""PolynomialFeatures and RBFFeatures: scikit-learn's layout, the notes' basis, k-means++."""

from __future__ import annotations

import math
import sys
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from sklearn import preprocessing as skp
from sklearn.linear_model import LinearRegression as SkLinear
from sklearn.pipeline import make_pipeline

from nabla.linear_model import LinearRegression, Ridge
from nabla.preprocessing import PolynomialFeatures, RBFFeatures


@pytest.mark.parametrize("degree", [0, 1, 2, 3])
@pytest.mark.parametrize("interaction_only", [False, True])
@pytest.mark.parametrize("include_bias", [False, True])
def test_polynomial_matches_sklearn(
    degree: int, interaction_only: bool, include_bias: bool
) -> None:
    if degree == 0 and not include_bias:
        with pytest.raises(ValueError, match="no output features"):
            PolynomialFeatures(degree=0, include_bias=False).fit(np.ones((3, 2)))
        return
    X = np.random.default_rng(0).standard_normal((20, 3))
    kw = {"degree": degree, "interaction_only": interaction_only, "include_bias": include_bias}
    ours, ref = PolynomialFeatures(**kw).fit(X), skp.PolynomialFeatures(**kw).fit(X)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-13)
    np.testing.assert_array_equal(ours.powers_, ref.powers_)
    np.testing.assert_array_equal(ours.get_feature_names_out(), ref.get_feature_names_out())
    np.testing.assert_array_equal(
        ours.get_feature_names_out(["a", "b", "c"]), ref.get_feature_names_out(["a", "b", "c"])
    )


def test_polynomial_regression_recovers_a_quadratic() -> None:
    """Seed 003: y = θ₀ + θ₁x + θ₂x² is linear in the basis [1, x, x²]."""
    x = np.linspace(-2, 2, 30)[:, None]
    y = 1.0 - 2.0 * x[:, 0] + 0.5 * x[:, 0] ** 2
    model = make_pipeline(PolynomialFeatures(2, include_bias=False), LinearRegression()).fit(x, y)
    np.testing.assert_allclose(model[-1].coef_, [-2.0, 0.5], atol=1e-10)
    np.testing.assert_allclose(model[-1].intercept_, 1.0, atol=1e-10)


def test_rbf_basis_is_the_notes_formula() -> None:
    """φⱼ(x) = exp(-‖x - μⱼ‖² / λ)."""
    rng = np.random.default_rng(1)
    X, centres = rng.standard_normal((15, 2)), rng.standard_normal((4, 2))
    phi = RBFFeatures(centers=centres, width=0.7).fit(X).transform(X)
    expected = np.exp(-((X[:, None, :] - centres[None]) ** 2).sum(-1) / 0.7)
    np.testing.assert_allclose(phi, expected, rtol=1e-12)
    train = RBFFeatures(width=0.7).fit(X)
    np.testing.assert_array_equal(train.centers_, X)
    np.testing.assert_allclose(np.diag(train.transform(X)), 1.0)
    assert list(train.get_feature_names_out()[:2]) == ["rbffeatures0", "rbffeatures1"]


def test_kmeans_plus_plus_centres_are_seeded_and_find_the_blobs() -> None:
    rng = np.random.default_rng(2)
    blobs = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    X = np.vstack([b + 0.1 * rng.standard_normal((30, 2)) for b in blobs])
    a = RBFFeatures(centers="kmeans++", n_centers=3, random_state=5).fit(X)
    b = RBFFeatures(centers="kmeans++", n_centers=3, random_state=5).fit(X)
    np.testing.assert_array_equal(a.centers_, b.centers_)
    found = a.centers_[np.argsort(a.centers_ @ [1.0, 3.0])]
    truth = np.vstack([X[i * 30 : (i + 1) * 30].mean(0) for i in (0, 1, 2)])
    np.testing.assert_allclose(found, truth, atol=1e-12)
    assert a.n_iter_ >= 1
    with pytest.raises(ValueError, match="n_centers=100 must be <= n_samples=90"):
        RBFFeatures(centers="kmeans++", n_centers=100).fit(X)


def test_rbf_regression_in_a_pipeline() -> None:
    x = np.linspace(0, 6, 40)[:, None]
    y = np.sin(x[:, 0])
    model = make_pipeline(RBFFeatures(centers=x[::4], width=0.5), Ridge(alpha=1e-6)).fit(x, y)
    assert np.max(np.abs(model.predict(x) - y)) < 0.05
    ref = make_pipeline(RBFFeatures(centers=x[::4], width=0.5), SkLinear()).fit(x, y)
    assert np.max(np.abs(ref.predict(x) - y)) < 0.05
    with pytest.raises(ValueError, match="centers have 2 features but X has 1"):
        RBFFeatures(centers=np.zeros((3, 2))).fit(x)


# --- PolynomialFeatures at scale ----------------------------------------------------------


@contextmanager
def _memory_limit(extra: int = 2**30) -> Iterator[None]:
    """At most ``extra`` more bytes of address space (Linux): a regression that enumerates
    trillions of monomials fails with MemoryError instead of exhausting the machine."""
    if not sys.platform.startswith("linux"):
        yield
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as f:
        size = int(f.read().split()[0]) * resource.getpagesize()
    limit = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_polynomial_fit_on_2500_features_only_counts() -> None:
    """The notes' 50-by-50-pixel example: degree 2 on 2,500 features. Fitting built a dense
    (n_output_features, n_features) powers matrix: MemoryError, 58.3 GiB."""
    X = np.random.default_rng(0).standard_normal((3, 2500))
    tracemalloc.start()
    try:
        with _memory_limit():
            ours = PolynomialFeatures(degree=2).fit(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20  # the count, not a 3,128,751-row table
    ref = skp.PolynomialFeatures(degree=2).fit(X)
    assert ours.n_output_features_ == ref.n_output_features_ == 1 + 2500 + math.comb(2501, 2)
    for kw in [{"interaction_only": True}, {"include_bias": False}, {"degree": 3}]:
        a = PolynomialFeatures(**({"degree": 2} | kw)).fit(X)
        b = skp.PolynomialFeatures(**({"degree": 2} | kw)).fit(X)
        assert a.n_output_features_ == b.n_output_features_
    # one row transforms: the columns are scikit-learn's, in scikit-learn's order
    np.testing.assert_allclose(ours.transform(X[:1]), ref.transform(X[:1]), rtol=1e-13)


@pytest.mark.parametrize(
    ("d", "degree", "interaction_only", "include_bias"),
    [(7, 4, False, True), (7, 4, True, False), (12, 3, True, True), (40, 2, False, False)],
)
def test_polynomial_blocks_powers_and_names_match_sklearn(
    d: int, degree: int, interaction_only: bool, include_bias: bool
) -> None:
    X = np.random.default_rng(1).standard_normal((9, d))
    kw = {"degree": degree, "interaction_only": interaction_only, "include_bias": include_bias}
    ours, ref = PolynomialFeatures(**kw).fit(X), skp.PolynomialFeatures(**kw).fit(X)
    assert ours.n_output_features_ == ref.n_output_features_
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-13)
    np.testing.assert_array_equal(ours.powers_, ref.powers_)
    np.testing.assert_array_equal(ours.get_feature_names_out(), ref.get_feature_names_out())
    # the notes' definition, column by column: Π_j x_j^powers[i, j]
    np.testing.assert_allclose(
        ours.transform(X), np.prod(X[:, None, :] ** ours.powers_[None], axis=2), rtol=1e-13
    )


def test_polynomial_transform_refuses_an_output_beyond_memory() -> None:
    """degree 10 on 100 features: 46,897,636,623,981 columns, 349 TiB for one row."""
    X = np.ones((1, 100))
    with _memory_limit():
        model = PolynomialFeatures(degree=10).fit(X)
    n_out = sum(math.comb(100 + t - 1, t) for t in range(11))
    assert model.n_output_features_ == n_out == skp.PolynomialFeatures(10).fit(X).n_output_features_
    before = dict(vars(model))
    tracemalloc.start()
    try:
        with (
            _memory_limit(),
            pytest.raises(
                ValueError,
                match=rf"output would be a float64 array of shape \(1, {n_out}\), "
                r"[\d,.]+ GiB, more than this machine's memory .* Lower the degree \(now 10\), "
                "set interaction_only=True",
            ),
        ):
            model.transform(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20  # refused before allocating
    assert vars(model) == before


def test_polynomial_with_too_many_outputs_to_index_is_refused_at_fit() -> None:
    X = np.ones((2, 2500))
    with _memory_limit(), pytest.raises(ValueError, match=r"degree=100 on 2500 features gives"):
        PolynomialFeatures(degree=100).fit(X)
    with pytest.raises(ValueError, match="too large to be indexed"):
        skp.PolynomialFeatures(degree=100).fit(X)  # scikit-learn refuses it as well


@pytest.mark.parametrize("row", [[1e200, 0.0], [0.0, 1e200], [1e160, -1e160]])
def test_polynomial_monomials_that_overflow_raise(row) -> None:
    """x² of 1e200 is beyond float64 (and 0 · inf would be NaN): refuse, do not return."""
    model = PolynomialFeatures(degree=3).fit(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"degree up to 3 of X overflow float64 .* rescale X"):
        model.transform([row])
    big = PolynomialFeatures(degree=3).fit_transform([[1e100, -1e-300]])  # 1e300: finite
    np.testing.assert_allclose(big, skp.PolynomialFeatures(3).fit_transform([[1e100, -1e-300]]))


def test_kmeans_centres_at_extreme_magnitudes() -> None:
    """k-means++ draws with probability D(x)² / Σ D²: computed on X / 2ᵉ (exact), the
    same draws and centres at any scale (D² of size 1e600 overflowed to inf / inf)."""
    rng = np.random.default_rng(2)
    X = np.vstack([b + 0.1 * rng.standard_normal((20, 2)) for b in ([0, 0], [5, 0], [0, 5])])
    ref = RBFFeatures(centers="kmeans++", n_centers=3, random_state=7).fit(X)
    for scale in [2.0**-1000, 2.0**1000]:  # powers of two: the scaled data are exact
        model = RBFFeatures(centers="kmeans++", n_centers=3, random_state=7).fit(X * scale)
        np.testing.assert_array_equal(model.centers_, ref.centers_ * scale)
        assert model.n_iter_ == ref.n_iter_
