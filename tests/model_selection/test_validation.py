"""cross_validate / cross_val_score against scikit-learn's, for nabla's and sklearn's models."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold as SklearnKFold
from sklearn.model_selection import cross_val_score as sklearn_cross_val_score
from sklearn.model_selection import cross_validate as sklearn_cross_validate

from nabla.kernel_ridge import KernelRidge
from nabla.model_selection import KFold, StratifiedKFold, cross_val_score, cross_validate
from nabla.model_selection import _parallel as parallel_module


def _regression(n: int = 50) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    return X, X @ [1.0, -1.0, 0.5] + rng.normal(0, 0.2, n)


@pytest.mark.parametrize("estimator", [Ridge(alpha=0.5), KernelRidge(alpha=0.5, kernel="rbf")])
@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
def test_cross_val_score_equals_scikit_learn(estimator, scoring) -> None:
    X, y = _regression()
    ours = cross_val_score(estimator, X, y, cv=KFold(5), scoring=scoring)
    ref = sklearn_cross_val_score(estimator, X, y, cv=SklearnKFold(5), scoring=scoring)
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


def test_int_cv_stratifies_classifiers() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    y = np.where(X[:, 0] + 0.3 * rng.normal(size=60) > 0.5, "yes", "no")
    ours = cross_val_score(LogisticRegression(), X, y, cv=4)
    by_hand = cross_val_score(LogisticRegression(), X, y, cv=StratifiedKFold(4))
    ref = sklearn_cross_val_score(LogisticRegression(), X, y, cv=4)  # stratified there too
    np.testing.assert_array_equal(ours, by_hand)
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


def test_cross_validate_keys_and_multiple_scores() -> None:
    X, y = _regression()
    scoring = ["r2", "neg_mean_absolute_error"]
    ours = cross_validate(
        Ridge(), X, y, cv=3, scoring=scoring, return_train_score=True, return_estimator=True
    )
    ref = sklearn_cross_validate(
        Ridge(), X, y, cv=3, scoring=scoring, return_train_score=True, return_estimator=True
    )
    assert set(ours) == set(ref)
    for key in ("test_r2", "train_r2", "test_neg_mean_absolute_error"):
        np.testing.assert_allclose(ours[key], ref[key], rtol=1e-12)
    assert all(t >= 0 for t in ours["fit_time"]) and len(ours["estimator"]) == 3
    np.testing.assert_allclose(ours["estimator"][0].coef_, ref["estimator"][0].coef_)


def test_callable_scoring_and_explicit_folds() -> None:
    X, y = _regression(30)
    folds = [(np.arange(10, 30), np.arange(10)), (np.arange(20), np.arange(20, 30))]
    scores = cross_val_score(Ridge(), X, y, cv=folds, scoring=lambda est, X_, y_: len(y_))
    np.testing.assert_array_equal(scores, [10, 10])


def test_folds_in_parallel_give_the_same_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel_module, "MIN_PARALLEL_SECONDS", 0.0)
    X, y = _regression()
    serial = cross_val_score(KernelRidge(alpha=0.1, kernel="rbf"), X, y, cv=5)
    parallel = cross_val_score(KernelRidge(alpha=0.1, kernel="rbf"), X, y, cv=5, n_jobs=2)
    np.testing.assert_array_equal(serial, parallel)


def test_failing_fold_reports_count() -> None:
    X, y = _regression(20)
    with pytest.raises(RuntimeError, match=r"cross_validate: the estimator failed on 4 of 4 folds"):
        cross_val_score(Ridge(alpha="bad"), X, y, cv=4)  # type: ignore[arg-type]


def test_bad_cv_and_scoring() -> None:
    X, y = _regression(20)
    with pytest.raises(ValueError, match="KFold: n_splits must be an int >= 2"):
        cross_val_score(Ridge(), X, y, cv=1)
    with pytest.raises(ValueError, match="KFold: n_splits=30 is larger than the number of samples"):
        cross_val_score(Ridge(), X, y, cv=30)
    with pytest.raises(ValueError, match="cv must be an int, a splitter"):
        cross_val_score(Ridge(), X, y, cv="five")
    with pytest.raises(TypeError, match="Use cross_validate for several scores"):
        cross_val_score(Ridge(), X, y, scoring=["r2"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scoring must be None, a scorer name"):
        cross_validate(Ridge(), X, y, scoring=3)  # type: ignore[arg-type]
