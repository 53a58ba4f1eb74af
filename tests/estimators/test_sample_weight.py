"""sample_weight in fit: equal to scikit-learn's weighted fit, to repeating rows for
integer weights and to dropping rows for zero weights."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.kernel_ridge
import sklearn.linear_model
from sklearn.base import clone

from nabla.kernel_ridge import KernelRidge
from nabla.linear_model import Lasso, LinearRegression, Ridge

# (nabla, scikit-learn) with the same keywords; Lasso at a tight tolerance so that both
# coordinate-descent solutions are within 1e-9 of the exact minimiser
PAIRS = [
    (LinearRegression(), sklearn.linear_model.LinearRegression()),
    (LinearRegression(fit_intercept=False), sklearn.linear_model.LinearRegression(
        fit_intercept=False)),
    (Ridge(alpha=2.0), sklearn.linear_model.Ridge(alpha=2.0)),
    (Ridge(alpha=0.5, fit_intercept=False, solver="svd"),
     sklearn.linear_model.Ridge(alpha=0.5, fit_intercept=False, solver="svd")),
    (Ridge(alpha=3.0, solver="dual"), sklearn.linear_model.Ridge(alpha=3.0)),
    (Lasso(alpha=0.05, tol=1e-12, max_iter=10_000),
     sklearn.linear_model.Lasso(alpha=0.05, tol=1e-12, max_iter=10_000)),
    (Lasso(alpha=0.02, fit_intercept=False, tol=1e-12, max_iter=10_000),
     sklearn.linear_model.Lasso(alpha=0.02, fit_intercept=False, tol=1e-12, max_iter=10_000)),
    (KernelRidge(alpha=0.3, kernel="rbf", gamma=0.2),
     sklearn.kernel_ridge.KernelRidge(alpha=0.3, kernel="rbf", gamma=0.2)),
    (KernelRidge(alpha=1.0), sklearn.kernel_ridge.KernelRidge(alpha=1.0)),
]  # fmt: skip


def _ids(pair):
    return repr(pair[0]).replace(" ", "")


def _data(n_targets: int = 1, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((40, 5)) + 2.0  # off-centre columns exercise the intercept
    W = rng.standard_normal((5, n_targets))
    Y = X @ W + 0.3 * rng.standard_normal((40, n_targets)) + 1.5
    sw = rng.integers(0, 4, size=40).astype(float)  # zeros included
    return X, (Y[:, 0] if n_targets == 1 else Y), sw


@pytest.mark.parametrize("pair", PAIRS, ids=_ids)
@pytest.mark.parametrize("n_targets", [1, 3])
def test_equals_sklearn_weighted_fit(pair, n_targets) -> None:
    ours, theirs = (clone(e) for e in pair)
    X, y, sw = _data(n_targets)
    ours.fit(X, y, sample_weight=sw)
    theirs.fit(X, y, sample_weight=sw)
    X_new = np.random.default_rng(5).standard_normal((10, 5))
    np.testing.assert_allclose(ours.predict(X_new), theirs.predict(X_new), rtol=1e-8, atol=1e-9)
    if hasattr(theirs, "coef_"):
        np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8, atol=1e-9)
        np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("pair", PAIRS, ids=_ids)
def test_integer_weights_repeat_rows_and_zero_weights_drop_them(pair) -> None:
    est = pair[0]
    X, y, sw = _data(seed=3)
    X_new = np.random.default_rng(6).standard_normal((10, 5))
    weighted = clone(est).fit(X, y, sample_weight=sw).predict(X_new)
    reps = sw.astype(int)
    repeated = clone(est).fit(np.repeat(X, reps, 0), np.repeat(y, reps)).predict(X_new)
    np.testing.assert_allclose(weighted, repeated, rtol=1e-8, atol=1e-9)
    keep = sw > 0
    ones = np.where(keep, 1.0, 0.0)
    dropped = clone(est).fit(X[keep], y[keep]).predict(X_new)
    zeroed = clone(est).fit(X, y, sample_weight=ones).predict(X_new)
    np.testing.assert_allclose(zeroed, dropped, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("pair", PAIRS, ids=_ids)
def test_unit_and_scalar_weights_equal_no_weights(pair) -> None:
    est = pair[0]
    X, y, _ = _data(seed=4)
    plain = clone(est).fit(X, y).predict(X)
    np.testing.assert_allclose(
        clone(est).fit(X, y, sample_weight=np.ones(len(y))).predict(X), plain, atol=1e-10
    )
    if not isinstance(est, (Ridge, KernelRidge)):  # a scalar weight rescales the data term
        np.testing.assert_allclose(
            clone(est).fit(X, y, sample_weight=2.0).predict(X), plain, atol=1e-9
        )


def test_scalar_weight_scales_the_ridge_data_term() -> None:
    """Σ 2(y - Xw - b)² + alpha‖w‖² has the minimiser of alpha/2 without weights."""
    X, y, _ = _data(seed=7)
    a = Ridge(alpha=4.0).fit(X, y, sample_weight=2.0)
    b = Ridge(alpha=2.0).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-10)


@pytest.mark.parametrize("pair", PAIRS[:7], ids=_ids)
def test_weighted_fit_leaves_X_and_y_unchanged(pair) -> None:
    X, y, sw = _data(seed=8)
    X0, y0, sw0 = X.copy(), y.copy(), sw.copy()
    clone(pair[0]).fit(X, y, sample_weight=sw)
    assert X.tobytes() == X0.tobytes()
    assert y.tobytes() == y0.tobytes()
    assert sw.tobytes() == sw0.tobytes()


def test_nan_in_X_with_weights_gets_sklearn_message() -> None:
    X, y, sw = _data()
    X[3, 1] = np.nan
    for est in (Ridge(), Lasso(), LinearRegression()):
        with pytest.raises(ValueError, match="Input X contains NaN"):
            est.fit(X, y, sample_weight=sw)


def test_precomputed_kernel_weights_leave_the_users_matrix_alone() -> None:
    X, y, sw = _data()
    K = X @ X.T
    K0 = K.copy()
    ours = KernelRidge(kernel="precomputed").fit(K, y, sample_weight=sw)
    theirs = sklearn.kernel_ridge.KernelRidge(kernel="precomputed").fit(K, y, sample_weight=sw)
    assert K.tobytes() == K0.tobytes()
    np.testing.assert_allclose(ours.predict(K[:5]), theirs.predict(K[:5]), rtol=1e-8)
