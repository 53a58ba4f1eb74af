"""PolynomialFeatures and RBFFeatures: scikit-learn's layout, the notes' basis, k-means++."""

from __future__ import annotations

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
