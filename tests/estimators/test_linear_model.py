"""LinearRegression, Ridge and Lasso against scikit-learn and the notes' identities."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

from nabla.linear_model import Lasso, LinearRegression, Ridge


def _data(n: int = 60, d: int = 5, targets: int = 0, seed: int = 0, offset: float = 3.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + offset
    w = rng.standard_normal((d, max(targets, 1)))
    y = X @ w + 0.1 * rng.standard_normal((n, max(targets, 1))) - 2.0
    return X, (y[:, 0] if targets == 0 else y)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("targets", [0, 3])
@pytest.mark.parametrize("solver", ["auto", "cholesky", "dual", "svd"])
def test_ridge_matches_sklearn(fit_intercept: bool, targets: int, solver: str) -> None:
    X, y = _data(targets=targets)
    ours = Ridge(alpha=2.5, fit_intercept=fit_intercept, solver=solver).fit(X, y)
    ref = sk.Ridge(alpha=2.5, fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-9, atol=1e-10)


def test_ridge_more_features_than_samples_uses_dual() -> None:
    X, y = _data(n=15, d=40)
    ours = Ridge(alpha=0.7).fit(X, y)
    assert ours.solver_ == "dual"
    np.testing.assert_allclose(ours.coef_, sk.Ridge(alpha=0.7).fit(X, y).coef_, rtol=1e-9)


def test_ridge_alpha_zero_is_least_squares() -> None:
    """Seed 003: θ_ridge with δ² = 0 is the least-squares θ = (XᵀX)⁻¹Xᵀy."""
    X, y = _data()
    Xa = np.hstack([X, np.ones((len(X), 1))])
    theta = np.linalg.lstsq(Xa, y, rcond=None)[0]
    for model in (Ridge(alpha=0.0), LinearRegression()):
        model.fit(X, y)
        np.testing.assert_allclose(model.coef_, theta[:-1], rtol=1e-9)
        np.testing.assert_allclose(model.intercept_, theta[-1], rtol=1e-9)


def test_ridge_intercept_is_not_penalised() -> None:
    """Shifting y by a constant moves only the intercept, whatever alpha is."""
    X, y = _data()
    a = Ridge(alpha=50.0).fit(X, y)
    b = Ridge(alpha=50.0).fit(X, y + 1000.0)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-9)
    np.testing.assert_allclose(b.intercept_ - a.intercept_, 1000.0, rtol=1e-9)


def test_ridge_normal_equations_oracle() -> None:
    """w = (XcᵀXc + alpha I)⁻¹ Xcᵀ yc by NumPy, b = ȳ - x̄ᵀw."""
    X, y = _data()
    Xc, yc = X - X.mean(0), y - y.mean()
    w = np.linalg.solve(Xc.T @ Xc + 3.0 * np.eye(X.shape[1]), Xc.T @ yc)
    model = Ridge(alpha=3.0).fit(X, y)
    np.testing.assert_allclose(model.coef_, w, rtol=1e-10)
    np.testing.assert_allclose(model.intercept_, y.mean() - X.mean(0) @ w, rtol=1e-10)


def test_ridge_large_offset_centres_explicitly() -> None:
    """A mean that dwarfs the spread would cancel in XᵀX - n x̄x̄ᵀ: still accurate."""
    X, y = _data(offset=1e7)
    ours = Ridge(alpha=1e-3).fit(X, y)
    ref = sk.Ridge(alpha=1e-3).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)


def test_ridge_singular_alpha_zero_falls_back_to_minimum_norm() -> None:
    X, y = _data()
    X = np.hstack([X, X[:, :1]])  # a repeated column: XᵀX is singular
    model = Ridge(alpha=0.0, solver="cholesky").fit(X, y)
    assert model.solver_ == "svd"
    Xc = X - X.mean(0)
    np.testing.assert_allclose(model.coef_, np.linalg.pinv(Xc) @ (y - y.mean()), rtol=1e-7)
    lin = LinearRegression().fit(X, y)
    np.testing.assert_allclose(lin.coef_, model.coef_, rtol=1e-7)
    assert lin.rank_ == X.shape[1] - 1


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_linear_regression_matches_sklearn(fit_intercept: bool) -> None:
    X, y = _data(targets=2)
    ours = LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    ref = sk.LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.singular_, ref.singular_, rtol=1e-9)


def _sparse_problem(n: int = 200, d: int = 50, k: int = 5, seed: int = 1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * rng.uniform(0.5, 2.0, d) + 1.0
    w = np.zeros(d)
    w[rng.choice(d, k, replace=False)] = rng.uniform(1, 3, k) * rng.choice([-1, 1], k)
    return X, X @ w + 0.3 * rng.standard_normal(n) + 5.0


@pytest.mark.parametrize("alpha", [1e-3, 0.05, 0.5, 3.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lasso_matches_sklearn(alpha: float, fit_intercept: bool) -> None:
    X, y = _sparse_problem()
    ours = Lasso(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=10000).fit(X, y)
    ref = sk.Lasso(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=100000)
    ref.fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-7)
    np.testing.assert_array_equal(ours.coef_ != 0, ref.coef_ != 0)
    # both converged by the same rule, so both gaps (the same definition) are below it
    yc = y - y.mean() if fit_intercept else y
    bound = 1e-12 * (yc @ yc) / len(y)
    assert 0.0 <= ours.dual_gap_ <= bound and ref.dual_gap_ <= bound


def test_lasso_many_features_and_targets() -> None:
    X, y = _sparse_problem(n=40, d=120)
    Y = np.column_stack([y, -y + X[:, 3]])
    ours = Lasso(alpha=0.1, tol=1e-12, max_iter=20000).fit(X, Y)
    ref = sk.Lasso(alpha=0.1, tol=1e-12, max_iter=200000).fit(X, Y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-7)
    assert ours.coef_.shape == (2, 120) and ours.dual_gap_.shape == (2,)


def test_lasso_stops_on_the_duality_gap() -> None:
    """scikit-learn's rule: the gap of n times the mean objective at most tol ‖yc‖²; the
    reported dual_gap_ is the mean objective's (that gap / n)."""
    X, y = _sparse_problem()
    model = Lasso(alpha=0.05, tol=1e-6).fit(X, y)
    yc = y - y.mean()
    assert 0.0 <= model.dual_gap_ <= 1e-6 * (yc @ yc) / len(y)
    assert model.n_iter_ >= 1


@pytest.mark.parametrize("alpha", [0.0, 0.05, 0.5])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lasso_dual_gap_is_sklearns(alpha: float, fit_intercept: bool) -> None:
    """Item 19: dual_gap_ was n_samples times scikit-learn's. scikit-learn's is the gap of
    the mean objective (1/2n)‖y - Xw - b‖² + alpha‖w‖₁ (its coordinate descent works on n
    times that objective and divides the gap by n; for alpha = 0 it is ‖Xcᵀ R‖² / n).
    scikit-learn evaluates it at nabla's coefficients here: a warm start from them with a
    tolerance so loose that its check before the first sweep returns at once."""
    X, y = _sparse_problem()
    yc = y - y.mean() if fit_intercept else y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # alpha = 0; max_iter = 1 does not converge
        ours = Lasso(alpha=alpha, fit_intercept=fit_intercept, tol=1e-15, max_iter=1)
        ours.fit(X, y)
        ref = sk.Lasso(alpha=alpha, fit_intercept=fit_intercept, warm_start=True, tol=1e30)
        ref.coef_ = ours.coef_.copy()
        ref.fit(X, y)
    assert ref.n_iter_ == 0  # no sweep: the gap at nabla's coefficients
    np.testing.assert_array_equal(ref.coef_, ours.coef_)
    assert ours.dual_gap_ > 1e-3 * (yc @ yc) / len(y)  # far from converged: not rounding
    np.testing.assert_allclose(ours.dual_gap_, ref.dual_gap_, rtol=1e-12)


def test_lasso_alpha_max_gives_zero_and_kkt_holds() -> None:
    """Above alpha_max = ‖Xcᵀyc‖∞ / n every coefficient is 0; below, the KKT conditions."""
    X, y = _sparse_problem()
    n = len(y)
    Xc, yc = X - X.mean(0), y - y.mean()
    alpha_max = np.max(np.abs(Xc.T @ yc)) / n
    assert not Lasso(alpha=alpha_max * 1.0001).fit(X, y).coef_.any()
    model = Lasso(alpha=0.2, tol=1e-12).fit(X, y)
    grad = Xc.T @ (yc - Xc @ model.coef_) / n  # must equal alpha sign(w) on the support
    on = model.coef_ != 0
    np.testing.assert_allclose(grad[on], 0.2 * np.sign(model.coef_[on]), atol=1e-9)
    assert np.all(np.abs(grad[~on]) <= 0.2 + 1e-9)


def test_lasso_warns_when_not_converged_and_for_alpha_zero() -> None:
    X, y = _sparse_problem()
    with pytest.warns(ConvergenceWarning, match="Objective did not converge"):
        Lasso(alpha=1e-4, tol=1e-15, max_iter=1).fit(X, y)
    with pytest.warns(UserWarning, match="With alpha=0"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            Lasso(alpha=0.0, max_iter=5).fit(X, y)
