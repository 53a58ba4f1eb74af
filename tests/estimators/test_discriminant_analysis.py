"""GaussianClassifier against SciPy densities and scikit-learn's QDA, LDA and GaussianNB."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn import discriminant_analysis as da
from sklearn.naive_bayes import GaussianNB

from nabla.discriminant_analysis import GaussianClassifier


def _data(seed: int = 0):
    rng = np.random.default_rng(seed)
    means = np.array([[0.0, 0.0, 0.0], [2.0, 1.0, -1.0], [-1.0, 2.5, 1.0]])
    X = np.vstack(
        [
            rng.multivariate_normal(m, np.diag([1.0, 0.5, 2.0]) + 0.3, size=s)
            for m, s in zip(means, [40, 60, 50])
        ]
    )
    y = np.repeat(["x", "y", "z"], [40, 60, 50])
    return X, y, rng.standard_normal((25, 3)) * 2


def test_full_is_the_maximum_likelihood_qda() -> None:
    """Seed 001: μₖ the class mean, Σₖ = (1/nₖ) Σ (x - μₖ)(x - μₖ)ᵀ; posteriors by Bayes."""
    X, y, Xt = _data()
    model = GaussianClassifier(reg_covar=0.0).fit(X, y)
    qda = da.QuadraticDiscriminantAnalysis(store_covariance=True).fit(X, y)
    counts = np.array([40, 60, 50])
    for k, label in enumerate(["x", "y", "z"]):
        mle = np.cov(X[y == label].T, bias=True)
        np.testing.assert_allclose(model.covariances_[k], mle, rtol=1e-10)
        np.testing.assert_allclose(qda.covariance_[k], mle, rtol=1e-10)  # biased, as installed
    dens = np.column_stack(
        [multivariate_normal(model.means_[k], model.covariances_[k]).pdf(Xt) for k in range(3)]
    )
    joint = dens * (counts / counts.sum())
    np.testing.assert_allclose(
        model.predict_proba(Xt), joint / joint.sum(1, keepdims=True), rtol=1e-9
    )
    np.testing.assert_array_equal(model.predict(Xt), model.classes_[joint.argmax(1)])
    np.testing.assert_allclose(
        model.predict_proba(Xt), qda.predict_proba(Xt), rtol=1e-8, atol=1e-12
    )


def test_shared_is_lda() -> None:
    X, y, Xt = _data()
    ours = GaussianClassifier(covariance="shared", reg_covar=0.0).fit(X, y)
    lda = da.LinearDiscriminantAnalysis(solver="lsqr", store_covariance=True).fit(X, y)
    np.testing.assert_allclose(ours.covariances_, lda.covariance_, rtol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(Xt), lda.predict_proba(Xt), rtol=1e-8, atol=1e-12)


def test_diagonal_is_gaussian_naive_bayes() -> None:
    X, y, Xt = _data()
    ours = GaussianClassifier(covariance="diagonal", reg_covar=1e-9).fit(X, y)
    nb = GaussianNB(var_smoothing=1e-9).fit(X, y)
    np.testing.assert_allclose(ours.covariances_, nb.var_, rtol=1e-10)
    np.testing.assert_allclose(
        ours.predict_log_proba(Xt), nb.predict_log_proba(Xt), rtol=1e-9, atol=1e-9
    )


def test_priors_equal_given_and_their_validation() -> None:
    X, y, Xt = _data()
    equal = GaussianClassifier(priors="equal").fit(X, y)
    given = GaussianClassifier(priors=[1 / 3, 1 / 3, 1 / 3]).fit(X, y)
    np.testing.assert_allclose(equal.predict_proba(Xt), given.predict_proba(Xt))
    skewed = GaussianClassifier(priors=[0.98, 0.01, 0.01]).fit(X, y)
    assert (skewed.predict(Xt) == "x").sum() > (equal.predict(Xt) == "x").sum()
    for priors, msg in [
        ([0.5, 0.5], "Number of priors"),
        ([0.5, 0.4, 0.3], "sum of the priors"),
        ([1.2, -0.1, -0.1], "non-negative"),
    ]:
        with pytest.raises(ValueError, match=msg):
            GaussianClassifier(priors=priors).fit(X, y)


def _lda_with_priors(X, y, Xt, priors):
    """scikit-learn's LDA weights its pooled covariance by the priors; the shared MLE
    weights by the counts. Fit LDA with the empirical priors (= the MLE) and move its
    posteriors to the given priors by Bayes' rule."""
    lda = da.LinearDiscriminantAnalysis(solver="lsqr").fit(X, y)
    post = lda.predict_proba(Xt) * priors / lda.priors_
    return post / post.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("covariance", ["full", "shared", "diagonal"])
def test_given_priors_match_sklearn(covariance: str, n_classes: int) -> None:
    """Given priors on two and three classes (where scikit-learn's checks cannot apply)."""
    X, y, Xt = _data()
    keep = np.isin(y, ["x", "y", "z"][:n_classes])
    X, y = X[keep], y[keep]
    priors = np.array([0.7, 0.1, 0.2])[:n_classes]
    priors = priors / priors.sum()  # far from the class frequencies 40 : 60 : 50
    reg = 1e-9 if covariance == "diagonal" else 0.0
    ours = GaussianClassifier(covariance=covariance, priors=list(priors), reg_covar=reg)
    ours.fit(X, y)
    if covariance == "full":
        expected = da.QuadraticDiscriminantAnalysis(priors=priors).fit(X, y).predict_proba(Xt)
    elif covariance == "diagonal":
        expected = GaussianNB(priors=priors, var_smoothing=1e-9).fit(X, y).predict_proba(Xt)
    else:
        expected = _lda_with_priors(X, y, Xt, priors)
    np.testing.assert_allclose(ours.priors_, priors)
    np.testing.assert_allclose(ours.predict_proba(Xt), expected, rtol=1e-8, atol=1e-12)
    np.testing.assert_array_equal(ours.predict(Xt), ours.classes_[expected.argmax(axis=1)])


@pytest.mark.parametrize("covariance", ["full", "shared", "diagonal"])
def test_singular_covariance_raises_unless_regularised(covariance: str) -> None:
    X, y, Xt = _data()
    X = np.column_stack([X, np.ones(len(X))])  # a constant feature
    with pytest.raises(ValueError, match=r"singular.*increase reg_covar"):
        GaussianClassifier(covariance=covariance, reg_covar=0.0).fit(X, y)
    model = GaussianClassifier(covariance=covariance, reg_covar=1e-6).fit(X, y)
    assert np.all(np.isfinite(model.predict_proba(np.column_stack([Xt, np.ones(25)]))))


def test_single_class_is_rejected() -> None:
    X, _, _ = _data()
    with pytest.raises(ValueError, match="greater than one; got 1 class"):
        GaussianClassifier().fit(X, np.zeros(len(X)))


def test_given_priors_are_copied() -> None:
    """priors_ aliased the caller's array: changing it afterwards changed predictions."""
    X, y, Xt = _data()
    priors = np.array([0.7, 0.1, 0.2])
    model = GaussianClassifier(priors=priors).fit(X, y)
    proba = model.predict_proba(Xt)
    assert not np.shares_memory(model.priors_, priors)
    priors[:] = [0.0, 0.0, 1.0]
    np.testing.assert_array_equal(model.priors_, [0.7, 0.1, 0.2])
    np.testing.assert_array_equal(model.predict_proba(Xt), proba)
    assert model.priors is priors  # the hyper-parameter itself is stored as given


@pytest.mark.parametrize("magnitude", [1e-300, 1e-200, 1e150])
@pytest.mark.parametrize("covariance", ["full", "shared", "diagonal"])
def test_extreme_magnitudes_give_the_posteriors_of_the_data_at_size_one(
    covariance: str, magnitude: float
) -> None:
    """Posteriors do not change when X is multiplied by a constant; variances of size
    1e-600 are below float64 (1e-400 and 1e300 are at its edges), so the model is fitted
    on X / 2ᵉ."""
    X, y, Xt = _data()
    ref = GaussianClassifier(covariance=covariance).fit(X, y)
    model = GaussianClassifier(covariance=covariance).fit(X * magnitude, y)
    np.testing.assert_allclose(
        model.predict_proba(Xt * magnitude), ref.predict_proba(Xt), rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(model.means_, ref.means_ * magnitude, rtol=1e-12)
    assert np.isfinite(model.covariances_).all()
    if magnitude == 1e150:
        np.testing.assert_allclose(model.covariances_, ref.covariances_ * 1e300, rtol=1e-9)


@pytest.mark.parametrize("covariance", ["full", "shared", "diagonal"])
def test_covariances_beyond_float64_raise_and_leave_the_model(covariance: str) -> None:
    X, y, Xt = _data()
    model = GaussianClassifier(covariance=covariance).fit(X, y)
    before = {k: np.copy(v) for k, v in vars(model).items() if k.endswith("_")}
    proba = model.predict_proba(Xt)
    with pytest.raises(
        ValueError,
        match=re.escape(f"overflow float64 (the largest |x| is {np.max(np.abs(X)) * 1e300:.3g},")
        + ".*rescale X",
    ):
        model.fit(X * 1e300, y)  # variances of size 1e600
    for key, value in before.items():
        np.testing.assert_array_equal(getattr(model, key), value)
    np.testing.assert_array_equal(model.predict_proba(Xt), proba)


@pytest.mark.parametrize("covariance", ["full", "shared", "diagonal"])
def test_queries_far_from_every_class_get_the_limit_posterior(covariance: str) -> None:
    """All densities underflow at 1e160 from data of size 1: the posterior is the limit
    along the ray, which LDA's linear decision function (scikit-learn's) gives directly."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((60, 2))
    y = np.arange(60) % 2
    X[y == 1] += [3.0, 1.0]
    model = GaussianClassifier(covariance=covariance).fit(X, y)
    directions = np.array([[1.0, 1.0], [-1.0, 0.0], [0.0, 1.0], [1.0, -2.0]])
    for scale in [1e160, 1e300]:
        proba = model.predict_proba(directions * scale)
        assert np.isfinite(proba).all()
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        # the same class as a query 1e12 along the ray, where float64 still holds it
        np.testing.assert_array_equal(
            model.predict(directions * scale), model.predict(directions * 1e12)
        )
    if covariance == "shared":
        lda = da.LinearDiscriminantAnalysis(solver="lsqr").fit(X, y)
        np.testing.assert_array_equal(
            model.predict_proba(directions * 1e300), lda.predict_proba(directions * 1e300)
        )
