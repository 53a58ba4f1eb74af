"""ideal_interval: the documented loop over fresh training sets, reproduced by hand."""

from __future__ import annotations

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import LinearRegression

from nabla.model_selection import _parallel, ideal_interval

GRID = np.linspace(0.0, 1.0, 9)[:, None]


def draw(rng):
    """The bootstrap lecture's setting: n = 30 noisy samples of a smooth function."""
    x = rng.uniform(0.0, 1.0, size=(30, 1))
    return x, np.sin(2 * np.pi * x[:, 0]) + rng.normal(0.0, 0.3, size=30)


def _by_hand(estimator_factory, B, confidence, seed):
    seeds = np.random.SeedSequence(seed).spawn(B)
    preds = []
    for b in range(B):
        rng = np.random.default_rng(seeds[b])
        X_b, y_b = draw(rng)
        preds.append(estimator_factory().fit(X_b, y_b).predict(GRID))
    preds = np.array(preds)
    alpha = (1 - confidence) / 2
    return np.quantile(preds, alpha, axis=0), np.quantile(preds, 1 - alpha, axis=0), preds


@pytest.mark.parametrize(
    "factory",
    [lambda: KernelRidge(alpha=0.1, kernel="rbf", gamma=10.0), LinearRegression],
)
def test_equals_a_hand_written_loop(factory) -> None:
    low, high, preds = ideal_interval(
        draw, factory(), GRID, B=40, confidence=0.9, random_state=7, return_predictions=True
    )
    e_low, e_high, e_preds = _by_hand(factory, 40, 0.9, 7)
    np.testing.assert_allclose(preds, e_preds, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(low, e_low, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(high, e_high, rtol=1e-12, atol=1e-12)
    assert preds.shape == (40, 9) and np.all(low < high)


def test_deterministic_for_a_seed_and_for_any_worker_count(monkeypatch) -> None:
    model = KernelRidge(alpha=0.1, kernel="rbf", gamma=10.0)
    a = ideal_interval(draw, model, GRID, B=12, random_state=3)
    b = ideal_interval(draw, model, GRID, B=12, random_state=3)
    c = ideal_interval(draw, model, GRID, B=12, random_state=4)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    monkeypatch.setattr(_parallel, "MIN_PARALLEL_SECONDS", 0.0)
    with joblib.parallel_config(backend="threading"):
        d = ideal_interval(draw, model, GRID, B=12, random_state=3, n_jobs=2)
    np.testing.assert_array_equal(a, d)


class _Noisy(RegressorMixin, BaseEstimator):
    """Predicts the training mean plus a constant drawn from its own random_state."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        self.offset_ = np.random.default_rng(self.random_state).normal()
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_ + self.offset_)


def test_estimator_randomness_comes_from_the_set_generator() -> None:
    _, _, preds = ideal_interval(draw, _Noisy(), GRID, B=5, random_state=0, return_predictions=True)
    seeds = np.random.SeedSequence(0).spawn(5)
    for b in range(5):
        rng = np.random.default_rng(seeds[b])
        X_b, y_b = draw(rng)
        state = int(rng.integers(0, 2**31 - 1, size=1)[0])  # the documented contract
        expected = _Noisy(random_state=state).fit(X_b, y_b).predict(GRID)
        np.testing.assert_allclose(preds[b], expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("gen", "est", "kwargs", "exc", "match"),
    [
        (draw, LinearRegression(), {"B": 1}, ValueError, "B must be an int >= 2"),
        (draw, LinearRegression(), {"B": 2.5}, ValueError, "B must be an int >= 2"),
        (draw, LinearRegression(), {"confidence": 1.2}, ValueError,
         "confidence must be a float strictly between 0 and 1"),
        ("draw", LinearRegression(), {}, TypeError, "data_generator must be a function"),
        (draw, object(), {}, TypeError, "estimator must have fit and predict"),
        (lambda rng: rng.normal(size=3), LinearRegression(), {}, ValueError,
         r"must return a training set \(X_train, y_train\); got ndarray"),
        (lambda rng: (np.zeros((3, 1)), np.zeros(4)), LinearRegression(), {}, RuntimeError,
         "fitting failed on 5 of 5 fresh training sets"),
    ],
)  # fmt: skip
def test_bad_input(gen, est, kwargs, exc, match) -> None:
    before = dict(getattr(est, "__dict__", {}))
    with pytest.raises(exc, match=match):
        ideal_interval(gen, est, GRID, **{"B": 5, **kwargs})
    assert getattr(est, "__dict__", {}) == before  # the estimator is never fitted or changed
