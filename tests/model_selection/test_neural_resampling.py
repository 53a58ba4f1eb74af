"""Bagging and BootstrapCI on nabla's own networks (nabla.neural_network), by hand.

The oracle refits each member independently, on the documented resample and with the
documented seed: resample b and the member's ``random_state`` both come from child b of
``SeedSequence(random_state).spawn(B)``.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from nabla.ensemble import BaggingClassifier, BaggingRegressor
from nabla.model_selection import BootstrapCI
from nabla.model_selection import _parallel as parallel_module
from nabla.neural_network import MLPClassifier, MLPRegressor

# small networks trained for a few epochs on purpose: the tests are about the resampling
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

_INT32_MAX = np.iinfo(np.int32).max


@pytest.fixture
def force_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send work to the workers even when it is small (the serial shortcut is off)."""
    monkeypatch.setattr(parallel_module, "MIN_PARALLEL_SECONDS", 0.0)


def _regression(n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, np.sin(3 * X[:, 0]) + X[:, 1] + rng.normal(0, 0.1, n)


def _classification(n: int = 50) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(8)
    X = rng.normal(size=(n, 2))
    return X, np.where(X[:, 0] + 0.5 * X[:, 1] > 0, "pos", "neg")


def _net(kind: str):
    cls = MLPRegressor if kind == "regressor" else MLPClassifier
    return cls((6,), activation="tanh", learning_rate_init=0.02, max_iter=25, random_state=0)


def _documented_draws(random_state: int, B: int, n: int) -> list[tuple[np.ndarray, int]]:
    """(rows, member seed) of each member, from the documented seeding."""
    draws = []
    for child in np.random.SeedSequence(random_state).spawn(B):
        rng = np.random.default_rng(child)
        rows = rng.integers(0, n, size=n)
        seed = int(rng.integers(0, _INT32_MAX, size=1)[0])
        draws.append((rows, seed))
    return draws


def test_bagged_mlp_regressor_is_the_mean_of_independent_refits() -> None:
    X, y = _regression()
    model = BaggingRegressor(_net("regressor"), n_estimators=4, random_state=11).fit(X, y)
    preds = []
    for rows, seed in _documented_draws(11, 4, len(y)):
        member = _net("regressor").set_params(random_state=seed).fit(X[rows], y[rows])
        preds.append(member.predict(X))
    np.testing.assert_allclose(model.predict(X), np.mean(preds, axis=0), rtol=1e-12, atol=1e-14)
    # the members really differ (own resample, own initial weights)
    assert np.ptp(np.stack(preds), axis=0).max() > 1e-3


def test_bagged_mlp_classifier_averages_independent_refits() -> None:
    X, y = _classification()
    model = BaggingClassifier(_net("classifier"), n_estimators=4, random_state=12).fit(X, y)
    classes = np.array(["neg", "pos"])
    total = np.zeros((len(y), 2))
    for rows, seed in _documented_draws(12, 4, len(y)):
        member = _net("classifier").set_params(random_state=seed).fit(X[rows], y[rows])
        total[:, np.searchsorted(classes, member.classes_)] += member.predict_proba(X)
    np.testing.assert_array_equal(model.classes_, classes)
    np.testing.assert_allclose(model.predict_proba(X), total / 4, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(model.predict(X), classes[np.argmax(total, axis=1)])


@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_bagged_mlps_are_reproducible_and_the_same_for_one_or_two_jobs(
    force_parallel, kind: str
) -> None:
    X, y = _regression() if kind == "regressor" else _classification()
    bag = BaggingRegressor if kind == "regressor" else BaggingClassifier
    output = "predict" if kind == "regressor" else "predict_proba"
    serial = bag(_net(kind), n_estimators=4, random_state=3, n_jobs=1).fit(X, y)
    again = clone(serial).fit(X, y)
    two = clone(serial).set_params(n_jobs=2).fit(X, y)
    other = clone(serial).set_params(random_state=4).fit(X, y)
    reference = getattr(serial, output)(X)
    np.testing.assert_array_equal(getattr(again, output)(X), reference)
    np.testing.assert_array_equal(getattr(two, output)(X), reference)
    assert not np.allclose(getattr(other, output)(X), reference)  # the seed matters


def test_bootstrap_ci_on_an_mlp_regressor_by_hand(force_parallel) -> None:
    X, y = _regression()
    Xq = np.linspace(-1, 1, 7)[:, None].repeat(2, axis=1)
    ci = BootstrapCI(_net("regressor"), n_bootstrap=6, confidence=0.8, random_state=5)
    pred, low, high, boot = ci.fit(X, y).predict(Xq, return_bootstrap=True)
    by_hand = np.stack(
        [
            _net("regressor").set_params(random_state=seed).fit(X[rows], y[rows]).predict(Xq)
            for rows, seed in _documented_draws(5, 6, len(y))
        ]
    )
    np.testing.assert_allclose(boot, by_hand, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(pred, _net("regressor").fit(X, y).predict(Xq), rtol=1e-12)
    np.testing.assert_allclose(low, np.percentile(by_hand, 10, axis=0), rtol=1e-12)
    np.testing.assert_allclose(high, np.percentile(by_hand, 90, axis=0), rtol=1e-12)
    two = clone(ci).set_params(n_jobs=2).fit(X, y).predict(Xq, return_bootstrap=True)
    for a, b in zip((pred, low, high, boot), two):
        np.testing.assert_array_equal(a, b)
