"""The constructor keywords scikit-learn code passes routinely, with scikit-learn's meaning:
results compared with scikit-learn's estimator given the same keywords."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import sklearn.linear_model as sk_lm
import sklearn.neighbors as sk_nb
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import PolynomialFeatures as SkPolynomialFeatures

from nabla.base import InvalidParameterError
from nabla.linear_model import Lasso, LinearRegression, LogisticRegression, Ridge
from nabla.neighbors import KNeighborsClassifier, KNeighborsRegressor
from nabla.preprocessing import PolynomialFeatures

# scikit-learn keywords not accepted yet (each changes the fitted model; refused, not
# ignored): positive, class_weight
NOT_YET = {"positive", "class_weight"}


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (LinearRegression, sk_lm.LinearRegression),
        (Ridge, sk_lm.Ridge),
        (Lasso, sk_lm.Lasso),
        (LogisticRegression, sk_lm.LogisticRegression),
        (KNeighborsClassifier, sk_nb.KNeighborsClassifier),
        (KNeighborsRegressor, sk_nb.KNeighborsRegressor),
    ],
    ids=lambda c: c.__name__,
)
def test_every_sklearn_keyword_is_accepted(ours, theirs) -> None:
    missing = set(theirs().get_params()) - set(ours().get_params()) - NOT_YET
    assert not missing
    # scikit-learn's defaults are valid here too (nabla's solver default may differ)
    params = {k: v for k, v in theirs().get_params().items() if k not in NOT_YET}
    is_classifier = ours in (LogisticRegression, KNeighborsClassifier)
    ours(**params).fit(*_classes() if is_classifier else _regression())


def _regression(seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((60, 6))
    return X, X @ rng.standard_normal(6) + 0.5 * rng.standard_normal(60) + 1.0


def _classes(seed: int = 0, n_classes: int = 2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((120, 4))
    z = X @ rng.standard_normal((4, n_classes)) + rng.gumbel(size=(120, n_classes))
    return X, z.argmax(axis=1)


def test_linear_regression_tol_is_the_svd_cutoff() -> None:
    """A rank-deficient X: tol decides which directions count, as in scikit-learn."""
    rng = np.random.default_rng(2)
    B = rng.standard_normal((30, 3))
    X = np.column_stack([B, B @ [1.0, 2.0, 0.0] + 1e-4 * rng.standard_normal(30)])
    y = X @ [1.0, -1.0, 2.0, 0.5] + rng.standard_normal(30)
    for tol in (1e-6, 1e-3):
        ours = LinearRegression(tol=tol).fit(X, y)
        theirs = sk_lm.LinearRegression(tol=tol).fit(X, y)
        assert ours.rank_ == theirs.rank_
        np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-7, atol=1e-9)
    assert LinearRegression(tol=1e-6).fit(X, y).rank_ == 4
    assert LinearRegression(tol=1e-3).fit(X, y).rank_ == 3


@pytest.mark.parametrize("solver", ["lsqr", "sparse_cg", "sag", "saga"])
def test_ridge_iterative_solver_names_give_the_exact_minimiser(solver) -> None:
    X, y = _regression()
    ours = Ridge(alpha=1.5, solver=solver, max_iter=50, tol=1e-3, random_state=0).fit(X, y)
    exact = sk_lm.Ridge(alpha=1.5, solver="cholesky").fit(X, y)
    np.testing.assert_allclose(ours.coef_, exact.coef_, rtol=1e-10)
    assert ours.solver_ == "cholesky"
    assert ours.n_iter_ is None
    # scikit-learn's own iterative run agrees within its tolerance
    theirs = sk_lm.Ridge(alpha=1.5, solver=solver, tol=1e-10, max_iter=100_000, random_state=0)
    np.testing.assert_allclose(ours.coef_, theirs.fit(X, y).coef_, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "extra", [{"selection": "random", "random_state": 0}, {"precompute": True}, {}]
)
def test_lasso_keywords_match_sklearn(extra) -> None:
    X, y = _regression(3)
    kw = {"alpha": 0.1, "tol": 1e-10, "max_iter": 5000, **extra}
    ours = Lasso(**kw).fit(X, y)
    theirs = sk_lm.Lasso(**kw).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-7)


def test_lasso_max_iter_bounds_the_sweeps() -> None:
    rng = np.random.default_rng(4)
    X = rng.standard_normal((50, 80))  # more features than samples: many sweeps needed
    y = X[:, :10] @ rng.standard_normal(10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        free = Lasso(alpha=1e-3, tol=1e-12, max_iter=10_000).fit(X, y).n_iter_
        assert free > 2
        assert Lasso(alpha=1e-3, tol=1e-12, max_iter=2).fit(X, y).n_iter_ <= 2


def test_lasso_warm_start_starts_from_the_previous_coef() -> None:
    X, y = _regression(5)
    cold = Lasso(alpha=0.05, tol=1e-10).fit(X, y)
    warm = Lasso(alpha=0.05, tol=1e-10, warm_start=True).fit(X, y)
    first = warm.n_iter_
    warm.fit(X, y)  # already at the minimiser: one sweep confirms it
    assert warm.n_iter_ < first
    np.testing.assert_allclose(warm.coef_, cold.coef_, atol=1e-8)
    before = (warm.coef_.copy(), warm.intercept_, warm.n_features_in_)
    with pytest.raises(ValueError, match=r"warm_start=True\): the previous coef_ has shape"):
        warm.fit(X[:, :4], y)
    np.testing.assert_array_equal(warm.coef_, before[0])
    assert (warm.intercept_, warm.n_features_in_) == before[1:]


@pytest.mark.parametrize(
    ("ours_kw", "theirs_kw"),
    [
        ({}, {}),
        ({"solver": "newton-cg"}, {"solver": "newton-cg"}),
        ({"solver": "newton-cholesky"}, {"solver": "newton-cholesky"}),
        ({"solver": "sag"}, {"solver": "lbfgs"}),
        ({"solver": "saga"}, {"solver": "lbfgs"}),
        ({"penalty": None}, {"C": np.inf}),
        ({"penalty": "l2", "verbose": 1, "n_jobs": 2, "intercept_scaling": 3.0}, {}),
        ({"l1_ratio": None, "dual": False}, {}),
    ],
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_logistic_keywords_match_sklearn(ours_kw, theirs_kw, n_classes) -> None:
    X, y = _classes(6, n_classes)
    X = X[:, :2]  # noisy, overlapping classes: a finite minimiser even without a penalty
    base = {"C": 0.7, "tol": 1e-10, "max_iter": 1000}
    ours = LogisticRegression(**{**base, **ours_kw}).fit(X, y)
    theirs = sk_lm.LogisticRegression(**{**base, **theirs_kw}).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6)
    assert ours.solver_ in ("newton", "lbfgs")


def test_logistic_warm_start_resumes_and_checks_the_classes() -> None:
    X, y = _classes(7, 3)
    cold = LogisticRegression(tol=1e-8, max_iter=500).fit(X, y)
    warm = LogisticRegression(tol=1e-8, max_iter=500, warm_start=True).fit(X, y)
    first = int(warm.n_iter_[0])
    warm.fit(X, y)
    assert int(warm.n_iter_[0]) < first
    np.testing.assert_allclose(warm.predict_proba(X), cold.predict_proba(X), atol=1e-6)
    coef = warm.coef_.copy()
    with pytest.raises(ValueError, match="warm_start=True\\): the previous fit had classes"):
        warm.fit(X, np.where(y == 2, 1, y))
    np.testing.assert_array_equal(warm.coef_, coef)


@pytest.mark.parametrize("algorithm", ["auto", "brute", "ball_tree", "kd_tree"])
@pytest.mark.parametrize("cls", ["KNeighborsClassifier", "KNeighborsRegressor"])
def test_knn_algorithms_give_sklearns_answers(algorithm, cls) -> None:
    X, y = _classes(8, 3)
    if cls == "KNeighborsRegressor":
        y = X[:, 0] + y
    kw = {"n_neighbors": 4, "algorithm": algorithm, "leaf_size": 5, "n_jobs": 2,
          "weights": "distance", "metric": "minkowski", "p": 3, "metric_params": None}  # fmt: skip
    ours = {
        "KNeighborsClassifier": KNeighborsClassifier,
        "KNeighborsRegressor": KNeighborsRegressor,
    }
    theirs = getattr(sk_nb, cls)(**kw).fit(X[:80], y[:80])
    model = ours[cls](**kw).fit(X[:80], y[:80])
    np.testing.assert_allclose(model.predict(X[80:]), theirs.predict(X[80:]), rtol=1e-12)
    d1, i1 = model.kneighbors(X[80:])
    d2, i2 = theirs.kneighbors(X[80:])
    np.testing.assert_array_equal(i1, i2)
    np.testing.assert_allclose(d1, d2, rtol=1e-10)


def test_knn_metric_params_refused_clearly_and_rolled_back() -> None:
    X, y = _classes(9)
    est = KNeighborsClassifier().fit(X, y)
    pred = est.predict(X)
    est.set_params(metric_params={"w": np.ones(4)})
    with pytest.raises(ValueError, match=r"metric_params=.* is not supported; .*p=\.\.\."):
        est.fit(X[:, :3], y)
    assert est.n_features_in_ == 4
    np.testing.assert_array_equal(est.predict(X), pred)
    KNeighborsClassifier(metric_params={}).fit(X, y)  # empty: nothing to apply


@pytest.mark.parametrize(
    "estimator",
    [
        LinearRegression(copy_X=True),
        LinearRegression(copy_X=False),
        Ridge(copy_X=True),
        Ridge(copy_X=False, solver="svd"),
        Ridge(copy_X=False, solver="dual"),
        Lasso(copy_X=True, alpha=0.01),
        Lasso(copy_X=False, alpha=0.01),
    ],
    ids=repr,
)
def test_X_is_never_modified(estimator) -> None:
    X, y = _regression(10)
    X = np.asfortranarray(X)  # the layout that invites in-place work
    X0 = X.copy(order="K")
    clone(estimator).fit(X, y)
    assert X.tobytes(order="A") == X0.tobytes(order="A")
    assert X.flags.f_contiguous


@pytest.mark.parametrize(
    ("estimator", "param", "value"),
    [
        (LinearRegression(), "copy_X", "yes"),
        (LinearRegression(), "tol", -1.0),
        (LinearRegression(), "n_jobs", 1.5),
        (Ridge(), "max_iter", 0),
        (Ridge(), "solver", "lbfgs"),
        (Ridge(), "random_state", "seed"),
        (Lasso(), "warm_start", 1),
        (Lasso(), "precompute", "always"),
        (LogisticRegression(), "penalty", "l1"),
        (LogisticRegression(), "l1_ratio", 0.5),
        (LogisticRegression(), "dual", True),
        (LogisticRegression(), "solver", "liblinear"),
        (LogisticRegression(), "verbose", -1),
        (KNeighborsClassifier(), "algorithm", "cover_tree"),
        (KNeighborsRegressor(), "leaf_size", 0),
        (KNeighborsRegressor(), "metric_params", [("p", 3)]),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_invalid_keyword_values_are_refused_before_any_work(estimator, param, value) -> None:
    X, y = (
        _classes(11)
        if isinstance(estimator, (LogisticRegression, KNeighborsClassifier))
        else _regression(11)
    )
    est = clone(estimator).fit(X, y)
    before = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(est).items()}
    est.set_params(**{param: value})
    with pytest.raises(
        InvalidParameterError,
        match=f"The '{param}' parameter of {type(est).__name__} must be .* "
        f"Got {re.escape(repr(value))} instead",
    ):
        est.fit(X[:, :3], y)
    for k, v in before.items():
        if k != param:
            np.testing.assert_array_equal(getattr(est, k), v)


def test_no_warning_from_accepted_no_effect_keywords() -> None:
    X, y = _regression(12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LinearRegression(n_jobs=4, copy_X=False).fit(X, y)
        Ridge(max_iter=3, tol=0.5, random_state=1).fit(X, y)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("interaction_only", [False, True])
def test_polynomial_features_order_matches_sklearn(order, interaction_only) -> None:
    X = np.random.default_rng(13).standard_normal((7, 3))
    kw = {"degree": 3, "interaction_only": interaction_only, "order": order}
    ours = PolynomialFeatures(**kw).fit_transform(X)
    theirs = SkPolynomialFeatures(**kw).fit_transform(X)
    np.testing.assert_allclose(ours, theirs, rtol=1e-14)
    assert ours.flags.c_contiguous == (order == "C")
    assert ours.flags.f_contiguous == (order == "F")
    with pytest.raises(InvalidParameterError, match="'order' parameter of PolynomialFeatures"):
        PolynomialFeatures(order="K").fit(X)
