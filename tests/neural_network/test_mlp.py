"""MLPClassifier / MLPRegressor: scikit-learn's estimator checks, references, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from nabla.base import InvalidParameterError
from nabla.neural_network import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@parametrize_with_checks(
    [
        MLPClassifier((8,), max_iter=100, learning_rate_init=0.01, random_state=0),
        MLPRegressor((8,), max_iter=100, learning_rate_init=0.01, random_state=0),
    ]
)
def test_sklearn_estimator_checks(estimator, check) -> None:
    check(estimator)


def test_no_hidden_layer_regressor_is_least_squares() -> None:
    """With no hidden layer and no penalty, the MSE minimiser is the least-squares fit."""
    X, y = make_regression(n_samples=200, n_features=5, noise=5.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    # full-batch gradient descent: the MSE Hessian is about 2I on standardised X
    reg = MLPRegressor(
        (),
        solver="sgd",
        momentum=0.5,
        alpha=0.0,
        learning_rate_init=0.2,
        max_iter=300,
        tol=0.0,
        n_iter_no_change=300,
        batch_size=200,
        random_state=0,
    ).fit(X, y)
    lin = LinearRegression().fit(X, y)
    np.testing.assert_allclose(reg.predict(X), lin.predict(X), rtol=0, atol=1e-3 * np.abs(y).max())
    np.testing.assert_allclose(
        reg.model_[0].weight.numpy().ravel(), lin.coef_, rtol=1e-3, atol=1e-3
    )


def test_classifier_matches_sklearn_accuracy_on_digits() -> None:
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    ours = MLPClassifier((64,), max_iter=60, learning_rate_init=0.01, random_state=0).fit(Xtr, ytr)
    ref = SkMLPClassifier((64,), max_iter=60, learning_rate_init=0.01, random_state=0).fit(Xtr, ytr)
    assert ours.score(Xte, yte) >= ref.score(Xte, yte) - 0.02
    assert ours.score(Xte, yte) > 0.95
    proba = ours.predict_proba(Xte)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(ours.classes_[proba.argmax(axis=1)], ours.predict(Xte))


@pytest.mark.parametrize("solver", ["adam", "adamw", "sgd", "rmsprop", "adagrad"])
def test_every_solver_and_options_learn(solver) -> None:
    X, y = load_digits(return_X_y=True)
    X = X[:600] / 16.0
    y = y[:600]
    clf = MLPClassifier(
        (32,),
        solver=solver,
        batch_norm=True,
        dropout=0.1,
        early_stopping=True,
        learning_rate_init=0.05 if solver in ("sgd", "adagrad") else 0.01,
        max_iter=40,
        random_state=0,
    ).fit(X, y)
    assert clf.score(X, y) > 0.85
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_same_seed_same_model() -> None:
    X, y = load_digits(return_X_y=True)
    a = MLPClassifier((16,), dropout=0.2, max_iter=5, random_state=3).fit(X[:300], y[:300])
    b = MLPClassifier((16,), dropout=0.2, max_iter=5, random_state=3).fit(X[:300], y[:300])
    np.testing.assert_array_equal(a.predict_proba(X[:50]), b.predict_proba(X[:50]))


def test_max_iter_reached_warns() -> None:
    X, y = load_digits(return_X_y=True)
    with pytest.warns(ConvergenceWarning, match=r"max_iter=2 epochs"):
        MLPClassifier((8,), max_iter=2, random_state=0).fit(X[:100], y[:100])


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"activation": "swish"}, "activation"),
        ({"solver": "newton"}, "solver"),
        ({"alpha": -1.0}, "alpha"),
        ({"dropout": 1.0}, "dropout"),
        ({"learning_rate_init": 0.0}, "learning_rate_init"),
        ({"max_iter": 0}, "max_iter"),
    ],
)
def test_invalid_hyper_parameters_rejected(params, match) -> None:
    X, y = load_digits(return_X_y=True)
    with pytest.raises(InvalidParameterError, match=match):
        MLPClassifier(**params).fit(X[:50], y[:50])


def test_failed_refit_keeps_previous_model() -> None:
    X, y = load_digits(return_X_y=True)
    clf = MLPClassifier((8,), max_iter=3, random_state=0).fit(X[:200], y[:200])
    before = clf.predict_proba(X[:20])
    bad = X[:200].copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(bad, y[:200])
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(X[:20], np.zeros(20))
    np.testing.assert_array_equal(clf.predict_proba(X[:20]), before)


def test_divergence_raises_clear_error() -> None:
    X, y = load_digits(return_X_y=True)
    reg = MLPRegressor(
        (8,),
        activation="identity",
        solver="sgd",
        learning_rate_init=10.0,
        max_iter=50,
        n_iter_no_change=50,
        random_state=0,
    )
    with pytest.raises(
        ValueError, match=r"training loss became non-finite at epoch .* lower learning_rate_init"
    ):
        with np.errstate(all="ignore"):
            reg.fit(X[:100], y[:100].astype(float))
    assert not hasattr(reg, "model_")
