"""BaggingRegressor / BaggingClassifier: the definition by hand, reproducibility, networks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.ensemble
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import check_estimator

import nabla.ensemble
from nabla.ensemble import BaggingClassifier, BaggingRegressor
from nabla.kernel_ridge import KernelRidge
from nabla.model_selection import _parallel as parallel_module

from ._helpers import FailsOnDuplicates, FailsOnRepeats


def _regression(n: int = 60):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, np.sin(3 * X[:, 0]) + X[:, 1] + rng.normal(0, 0.1, n)


def _classification(n: int = 80):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, "same", "diff")
    return X, y


def _documented_indices(random_state, B, n, n_draw=None, replace=True):
    out = []
    for child in np.random.SeedSequence(random_state).spawn(B):
        rng = np.random.default_rng(child)
        m = n if n_draw is None else n_draw
        out.append(rng.integers(0, n, size=m) if replace else rng.permutation(n)[:m])
    return out


@pytest.mark.parametrize(("max_samples", "bootstrap"), [(1.0, True), (0.5, False), (17, True)])
def test_regressor_is_the_mean_of_members_fitted_on_documented_resamples(
    max_samples, bootstrap
) -> None:
    X, y = _regression()
    model = BaggingRegressor(
        KernelRidge(alpha=0.1, kernel="rbf"),
        n_estimators=7,
        max_samples=max_samples,
        bootstrap=bootstrap,
        random_state=3,
    ).fit(X, y)
    n_draw = 17 if max_samples == 17 else round(max_samples * 60)
    samples = _documented_indices(3, 7, 60, n_draw, bootstrap)
    for got, expected in zip(model.estimators_samples_, samples):
        np.testing.assert_array_equal(got, expected)
    by_hand = np.mean(
        [KernelRidge(alpha=0.1, kernel="rbf").fit(X[i], y[i]).predict(X) for i in samples], axis=0
    )
    np.testing.assert_allclose(model.predict(X), by_hand, rtol=1e-12)


def test_classifier_averages_member_probabilities() -> None:
    X, y = _classification()
    model = BaggingClassifier(LogisticRegression(), n_estimators=5, random_state=0).fit(X, y)
    classes = np.array(["diff", "same"])
    np.testing.assert_array_equal(model.classes_, classes)
    codes = np.searchsorted(classes, y)
    probas = [
        LogisticRegression().fit(X[i], codes[i]).predict_proba(X)
        for i in _documented_indices(0, 5, len(y))
    ]
    np.testing.assert_allclose(model.predict_proba(X), np.mean(probas, axis=0), rtol=1e-10)
    np.testing.assert_array_equal(model.predict(X), classes[np.argmax(np.mean(probas, 0), 1)])


def test_classifier_without_predict_proba_votes() -> None:
    X, y = _classification()
    model = BaggingClassifier(LinearSVC(), n_estimators=4, random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(np.unique(proba * 4)) <= {0.0, 1.0, 2.0, 3.0, 4.0}  # vote shares of 4 members


def test_member_missing_a_class_gets_zero_probability_for_it() -> None:
    X = np.arange(12.0)[:, None]
    y = np.array([0] * 11 + [1])  # class 1 is often absent from a resample
    model = BaggingClassifier(LogisticRegression(), n_estimators=6, random_state=2)
    model.set_params(on_error="skip")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)  # single-class resamples fail
        model.fit(X, y)
    assert model.predict_proba(X).shape == (12, 2)


def test_bagged_neural_networks() -> None:
    # seed 001: bagging networks; each member also gets its own initial weights
    X, y = _regression(80)
    net = MLPRegressor(hidden_layer_sizes=(8,), max_iter=150, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = BaggingRegressor(net, n_estimators=3, random_state=0).fit(X, y)
        seeds = {m.random_state for m in model.estimators_}
        assert len(seeds) == 3 and net.random_state == 0
        Xc, yc = _classification(60)
        clf = BaggingClassifier(
            MLPClassifier(hidden_layer_sizes=(6,), max_iter=150), n_estimators=3, random_state=0
        ).fit(Xc, yc)
    assert model.predict(X).shape == (80,)
    assert clf.predict_proba(Xc).shape == (60, 2)


def test_same_ensemble_for_any_n_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel_module, "MIN_PARALLEL_SECONDS", 0.0)
    X, y = _regression()
    serial = BaggingRegressor(DecisionTreeRegressor(), n_estimators=6, random_state=5).fit(X, y)
    parallel = clone(serial).set_params(n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(serial.predict(X), parallel.predict(X))


@pytest.mark.parametrize(
    "estimator",
    [
        BaggingRegressor(n_estimators=3, random_state=0),
        BaggingClassifier(n_estimators=3, random_state=0),
    ],
    ids=["regressor", "classifier"],
)
def test_scikit_learn_estimator_checks(estimator) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator, on_fail=None)
    failed = [
        (r["check_name"], str(r["exception"])[:200]) for r in results if r["status"] == "failed"
    ]
    assert failed == []


# --- bad input ----------------------------------------------------------------------------


def test_bad_parameters() -> None:
    X, y = _regression()
    with pytest.raises(
        InvalidParameterError,
        match=r"'n_estimators' parameter of BaggingRegressor must be an int in the range "
        r"\[1, inf\)\. Got 0",
    ):
        BaggingRegressor(n_estimators=0).fit(X, y)
    with pytest.raises(InvalidParameterError, match=r"'max_samples' parameter of BaggingRegressor"):
        BaggingRegressor(max_samples=1.5).fit(X, y)
    with pytest.raises(
        ValueError, match=r"max_samples=61 is larger than the number of samples \(60\)"
    ):
        BaggingRegressor(max_samples=61).fit(X, y)


def test_failing_members_are_counted_and_state_is_kept() -> None:
    X = np.arange(20.0)[:, None]
    y = np.random.default_rng(0).normal(size=20)
    model = BaggingRegressor(LinearRegression(), n_estimators=3, random_state=0).fit(X, y)
    before = model.predict(X)
    n_bad = sum(np.sum(i == 0) >= 3 for i in _documented_indices(1, 60, 20))
    model.set_params(estimator=FailsOnRepeats(), n_estimators=60, random_state=1)
    with pytest.raises(RuntimeError, match=rf"failed on {n_bad} of 60 resamples .*on_error='skip'"):
        model.fit(X, y)
    np.testing.assert_array_equal(model.predict(X), before)  # the previous fit is intact
    model.set_params(on_error="skip")
    with pytest.warns(FitFailedWarning, match=rf"failed on {n_bad} of 60 resamples"):
        model.fit(X, y)
    assert model.n_failed_ == n_bad and len(model.estimators_) == 60 - n_bad


def _sklearn_message(make, X, y) -> str:
    with pytest.raises(ValueError) as raised:
        make(sklearn.ensemble).fit(X, y)
    return str(raised.value)


def _fitted_state(model) -> dict:
    params = model.get_params(deep=False)
    return {k: v for k, v in vars(model).items() if k not in params}


@pytest.mark.parametrize(
    ("case", "make", "X", "y"),
    [
        (
            "3-D X",
            lambda m: m.BaggingClassifier(n_estimators=3, random_state=0),
            np.zeros((10, 2, 2)),
            np.arange(10) % 2,
        ),
        (
            "3-D X",
            lambda m: m.BaggingRegressor(n_estimators=3, random_state=0),
            np.zeros((10, 2, 2)),
            np.arange(10.0),
        ),
        (
            "one class",
            lambda m: m.BaggingClassifier(LogisticRegression(), n_estimators=3, random_state=0),
            np.arange(10.0)[:, None],
            np.zeros(10, dtype=int),
        ),
        (
            "one sample",
            lambda m: m.BaggingClassifier(LogisticRegression(), n_estimators=3, random_state=0),
            np.ones((1, 2)),
            np.array([1]),
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_invalid_input_raises_scikit_learns_value_error_first(case, make, X, y) -> None:
    """3-D X, one sample, one class were wrapped in RuntimeError after every resample
    failed; now the ValueError of scikit-learn's bagging, word for word, before any
    resample, and the previous fit is left as it was."""
    model = make(nabla.ensemble)
    Xg, yg = _classification() if isinstance(model, BaggingClassifier) else _regression()
    model.fit(Xg, yg)
    before, pred = _fitted_state(model), model.predict(Xg)
    expected = _sklearn_message(make, X, y)
    with pytest.raises(ValueError) as raised:
        model.fit(X, y)
    assert str(raised.value) == expected
    assert _fitted_state(model) == before
    np.testing.assert_array_equal(model.predict(Xg), pred)
    with pytest.raises(ValueError, match="Found array with dim 3"):
        model.predict(np.zeros((2, 2, 1)))


def test_a_single_class_is_fine_for_an_estimator_that_accepts_it() -> None:
    """As in scikit-learn, a tree fits one class: the check fits the estimator once, it
    does not forbid the data."""
    X = np.arange(8.0)[:, None]
    model = BaggingClassifier(n_estimators=3, random_state=0).fit(X, ["a"] * 8)
    np.testing.assert_array_equal(model.predict(X), ["a"] * 8)


class _Broken(FailsOnDuplicates):
    def fit(self, X, y):
        raise RuntimeError("broken")


# scikit-learn's trees warn as they cast 1e300 to float32, then refuse it
@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered in reduce:RuntimeWarning")
def test_every_resample_refused_as_invalid_is_a_value_error() -> None:
    """Values beyond float32 (the trees' dtype) fail on every resample: ValueError."""
    X, y = _regression()
    with pytest.raises(
        ValueError,
        match=r"failed on 3 of 3 resamples \(first: #0: ValueError: Input X contains "
        r"infinity or a value too large for dtype\('float32'\)\.\); no member is left",
    ):
        BaggingRegressor(n_estimators=3, random_state=0).fit(X * 1e300, y)
    with pytest.raises(ValueError, match=r"failed on 4 of 4 .* repeated rows"):
        BaggingRegressor(FailsOnDuplicates(), n_estimators=4, random_state=0).fit(X, y)
    # other failures of every member stay a RuntimeError
    with pytest.raises(RuntimeError, match=r"failed on 2 of 2 .*RuntimeError: broken"):
        BaggingRegressor(_Broken(), n_estimators=2, random_state=0).fit(X, y)
