"""LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis and GaussianNB under
scikit-learn's names: equal to scikit-learn's predictions, probabilities and attributes."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.discriminant_analysis as sk_da
import sklearn.naive_bayes as sk_nb

from nabla.base import InvalidParameterError
from nabla.discriminant_analysis import (
    GaussianClassifier,
    LinearDiscriminantAnalysis,
    QuadraticDiscriminantAnalysis,
)
from nabla.naive_bayes import GaussianNB


def _data(n_classes: int, seed: int = 0, n: int = 120):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    X = rng.standard_normal((n, 4)) * [1.0, 2.0, 0.5, 3.0] + 0.8 * y[:, None]
    X[:, 1] += 0.5 * X[:, 0]  # correlated features
    return X, np.array(["a", "b", "c", "d"])[y]


def _priors(k):
    return np.linspace(1.0, 2.0, k) / np.linspace(1.0, 2.0, k).sum()


CASES = [
    ("LDA", {}),
    ("LDA", {"solver": "lsqr"}),
    ("LDA", {"solver": "eigen"}),
    ("LDA", {"solver": "svd", "store_covariance": True, "tol": 1e-3}),
    ("LDA", {"priors": "given"}),
    ("LDA", {"solver": "lsqr", "priors": "given"}),
    ("QDA", {}),
    ("QDA", {"reg_param": 0.4, "store_covariance": True}),
    ("QDA", {"priors": "given"}),
    ("NB", {}),
    ("NB", {"var_smoothing": 0.05}),
    ("NB", {"priors": "given"}),
]
CLASSES = {
    "LDA": (LinearDiscriminantAnalysis, sk_da.LinearDiscriminantAnalysis),
    "QDA": (QuadraticDiscriminantAnalysis, sk_da.QuadraticDiscriminantAnalysis),
    "NB": (GaussianNB, sk_nb.GaussianNB),
}


@pytest.mark.parametrize(("name", "kw"), CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("n_classes", [2, 3, 4])
def test_equal_to_sklearn(name, kw, n_classes) -> None:
    X, y = _data(n_classes)
    kw = {**kw, "priors": _priors(n_classes)} if kw.get("priors") == "given" else kw
    ours_cls, theirs_cls = CLASSES[name]
    ours = ours_cls(**kw).fit(X, y)
    theirs = theirs_cls(**kw).fit(X, y)
    X_new = _data(n_classes, seed=1, n=50)[0]
    np.testing.assert_array_equal(ours.predict(X_new), theirs.predict(X_new))
    np.testing.assert_allclose(ours.predict_proba(X_new), theirs.predict_proba(X_new), atol=1e-12)
    np.testing.assert_allclose(
        ours.predict_log_proba(X_new), theirs.predict_log_proba(X_new), rtol=1e-9, atol=1e-9
    )
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    for attr in ("coef_", "intercept_", "covariance_", "means_", "priors_", "theta_", "var_",
                 "class_prior_", "class_count_", "epsilon_"):  # fmt: skip
        if hasattr(theirs, attr):
            np.testing.assert_allclose(getattr(ours, attr), getattr(theirs, attr), atol=1e-12)
    if name == "LDA":
        np.testing.assert_allclose(
            ours.decision_function(X_new), theirs.decision_function(X_new), atol=1e-10
        )
    if name == "QDA" and kw.get("store_covariance"):
        # scikit-learn stores V diag(s²/n) Vᵀ-like matrices; the Σₖ used here are
        # (1 - r) Sₖ + r I, checked directly against NumPy
        for k, label in enumerate(ours.classes_):
            Xk = X[y == label]
            S = np.cov(Xk.T, bias=True)
            expected = 0.6 * S + 0.4 * np.eye(4)
            np.testing.assert_allclose(ours.covariance_[k], expected, rtol=1e-12)


def test_gaussian_nb_is_the_diagonal_gaussian_classifier() -> None:
    X, y = _data(3)
    nb = GaussianNB(var_smoothing=1e-3).fit(X, y)
    gc = GaussianClassifier(covariance="diagonal", reg_covar=1e-3).fit(X, y)
    np.testing.assert_array_equal(nb.predict_proba(X), gc.predict_proba(X))
    np.testing.assert_array_equal(nb.class_count_, [np.sum(y == c) for c in nb.classes_])


@pytest.mark.parametrize(
    ("estimator", "param", "value"),
    [
        (LinearDiscriminantAnalysis(), "solver", "cholesky"),
        (LinearDiscriminantAnalysis(), "shrinkage", "auto"),
        (LinearDiscriminantAnalysis(), "tol", -1.0),
        (QuadraticDiscriminantAnalysis(), "reg_param", 1.5),
        (QuadraticDiscriminantAnalysis(), "store_covariance", "yes"),
        (GaussianNB(), "var_smoothing", -1e-9),
        (GaussianNB(), "priors", "equal"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_invalid_parameters_refused_and_fit_kept(estimator, param, value) -> None:
    X, y = _data(2)
    est = estimator.fit(X, y)
    proba = est.predict_proba(X)
    est.set_params(**{param: value})
    with pytest.raises(InvalidParameterError, match=f"The '{param}' parameter of "):
        est.fit(X[:, :3], y)
    assert est.n_features_in_ == 4
    np.testing.assert_array_equal(est.predict_proba(X), proba)


def test_sklearn_error_messages() -> None:
    X, y = _data(3)
    with pytest.raises(ValueError, match="Number of priors must match number of classes"):
        LinearDiscriminantAnalysis(priors=[0.5, 0.5]).fit(X, y)
    with pytest.raises(ValueError, match="The sum of the priors should be 1"):
        GaussianNB(priors=[0.5, 0.5, 0.5]).fit(X, y)
    y1 = y.copy()
    y1[np.flatnonzero(y == "c")[1:]] = "a"  # class "c" keeps one sample
    with pytest.raises(
        ValueError, match="y has only 1 sample in class c, covariance is ill defined"
    ):
        QuadraticDiscriminantAnalysis().fit(X, y1)
    with pytest.raises(ValueError, match="y has only 1 sample in class"):
        sk_da.QuadraticDiscriminantAnalysis().fit(X, y1)
