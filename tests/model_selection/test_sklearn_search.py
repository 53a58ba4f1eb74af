"""nabla's estimators and splitters inside scikit-learn's GridSearchCV and Pipeline.

The same grid search is run on a nabla estimator and on the equivalent scikit-learn one
(same data, same folds, same scoring): the best parameters and every fold's score agree.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import kernel_ridge as sk_kernel_ridge
from sklearn import linear_model as sk_linear
from sklearn.model_selection import GridSearchCV
from sklearn.model_selection import KFold as SklearnKFold
from sklearn.model_selection import StratifiedKFold as SklearnStratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from nabla.kernel_ridge import KernelRidge
from nabla.linear_model import LogisticRegression, Ridge
from nabla.model_selection import KFold, StratifiedKFold


def _regression(n: int = 80) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(n, 4)) * [1.0, 10.0, 0.1, 3.0]  # scales that the scaler must fix
    y = np.sin(X[:, 0]) + 0.05 * X[:, 1] - 3.0 * X[:, 2] + rng.normal(0, 0.3, n)
    return X, y


def _classification(n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(n, 3)) * [1.0, 5.0, 0.5]
    logits = X @ [1.5, -0.3, 2.0] + 0.2
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-logits)), "yes", "no")
    return X, y


def _fold_scores(search: GridSearchCV) -> np.ndarray:
    n = search.n_splits_
    return np.column_stack([search.cv_results_[f"split{i}_test_score"] for i in range(n)])


def _search(estimator, grid, X, y, cv, scoring) -> GridSearchCV:
    pipe = Pipeline([("scale", StandardScaler()), ("model", estimator)])
    return GridSearchCV(pipe, grid, cv=cv, scoring=scoring).fit(X, y)


CASES = [
    pytest.param(
        Ridge(),
        sk_linear.Ridge(),
        {"model__alpha": [1e-3, 0.1, 1.0, 10.0, 100.0], "model__fit_intercept": [True, False]},
        "neg_mean_squared_error",
        1e-9,
        id="Ridge",
    ),
    pytest.param(
        KernelRidge(kernel="rbf"),
        sk_kernel_ridge.KernelRidge(kernel="rbf"),
        {"model__alpha": [1e-2, 0.1, 1.0], "model__gamma": [0.05, 0.3, 2.0]},
        "r2",
        1e-8,
        id="KernelRidge-rbf",
    ),
    pytest.param(
        KernelRidge(kernel="poly", degree=2),
        sk_kernel_ridge.KernelRidge(kernel="poly", degree=2),
        {"model__alpha": [0.1, 10.0], "model__coef0": [0.0, 1.0], "model__gamma": [0.1, 1.0]},
        "neg_mean_absolute_error",
        1e-8,
        id="KernelRidge-poly",
    ),
]


@pytest.mark.parametrize(("ours", "ref", "grid", "scoring", "rtol"), CASES)
@pytest.mark.parametrize("splitter", ["nabla", "sklearn"])
def test_regressor_grid_search_equals_scikit_learn(ours, ref, grid, scoring, rtol, splitter):
    X, y = _regression()
    make_cv = KFold if splitter == "nabla" else SklearnKFold  # the same folds for both
    mine = _search(ours, grid, X, y, make_cv(5, shuffle=True, random_state=0), scoring)
    theirs = _search(ref, grid, X, y, make_cv(5, shuffle=True, random_state=0), scoring)
    assert mine.best_params_ == theirs.best_params_
    assert mine.cv_results_["params"] == theirs.cv_results_["params"]
    np.testing.assert_allclose(_fold_scores(mine), _fold_scores(theirs), rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(mine.best_score_, theirs.best_score_, rtol=rtol)
    # the refitted best pipeline predicts as scikit-learn's
    np.testing.assert_allclose(mine.predict(X), theirs.predict(X), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
@pytest.mark.parametrize("splitter", ["nabla", "sklearn"])
def test_logistic_grid_search_equals_scikit_learn(solver: str, splitter: str) -> None:
    """Same penalised likelihood (½‖w‖² + C Σ log-loss, intercept free), so the same
    held-out log-loss at every C; accuracy then agrees as well."""
    X, y = _classification()
    grid = {"model__C": [1e-3, 1e-2, 0.1, 1.0, 100.0]}
    make_cv = StratifiedKFold if splitter == "nabla" else SklearnStratifiedKFold
    cv = make_cv(4, shuffle=True, random_state=1)  # the same folds for both
    ours = LogisticRegression(solver=solver, tol=1e-10, max_iter=500)
    ref = sk_linear.LogisticRegression(tol=1e-10, max_iter=1000)
    mine = _search(ours, grid, X, y, cv, "neg_log_loss")
    theirs = _search(ref, grid, X, y, cv, "neg_log_loss")
    assert mine.best_params_ == theirs.best_params_
    np.testing.assert_allclose(_fold_scores(mine), _fold_scores(theirs), rtol=1e-6)
    acc_mine = _search(ours, grid, X, y, cv, "accuracy")
    acc_theirs = _search(ref, grid, X, y, cv, "accuracy")
    np.testing.assert_array_equal(_fold_scores(acc_mine), _fold_scores(acc_theirs))
    np.testing.assert_array_equal(mine.predict(X), theirs.predict(X))
