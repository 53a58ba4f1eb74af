"""LogisticRegression and SoftmaxRegression: scikit-learn, the notes' identities, gradients."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

from nabla.linear_model import LogisticRegression, SoftmaxRegression
from nabla.linear_model._logistic_solvers import _Problem


def _binary(n: int = 300, d: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * [1.0, 2.0, 0.5, 1.0][:d] + 0.5
    y = (X @ rng.standard_normal(d) + 0.4 + rng.logistic(size=n) > 0).astype(int)
    return X, y


def _multi(n: int = 300, d: int = 4, k: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.argmax(X @ rng.standard_normal((d, k)) + rng.gumbel(size=(n, k)), axis=1)
    return X, np.array(["a", "b", "c", "d"])[y]


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
@pytest.mark.parametrize("C", [0.1, 1.0, 100.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("data", [_binary, _multi])
def test_matches_sklearn(solver: str, C: float, fit_intercept: bool, data) -> None:
    X, y = data()
    ours = LogisticRegression(C=C, fit_intercept=fit_intercept, solver=solver, tol=1e-10)
    ours.fit(X, y)
    ref = sk.LogisticRegression(C=C, fit_intercept=fit_intercept, tol=1e-12, max_iter=10000)
    ref.fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_array_equal(ours.classes_, ref.classes_)


@pytest.mark.parametrize("data", [_binary, _multi])
@pytest.mark.parametrize("C", [1.0, np.inf])
def test_newton_and_lbfgs_reach_the_same_optimum(data, C: float) -> None:
    X, y = data()
    if C == np.inf:
        y = y.copy()
        y[:40] = y[40:80]  # overlapping classes: the unpenalised optimum is finite
    a = LogisticRegression(C=C, solver="newton", tol=1e-10).fit(X, y)
    b = LogisticRegression(C=C, solver="lbfgs", tol=1e-10, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-5, atol=1e-6)
    assert a.n_iter_[0] < b.n_iter_[0]  # second order: few iterations


def test_gradient_descent_converges_to_the_optimum() -> None:
    X, y = _binary(n=100)
    opt = LogisticRegression(solver="newton", tol=1e-12).fit(X, y)
    gd = LogisticRegression(solver="gd", tol=1e-8, max_iter=20000).fit(X, y)
    np.testing.assert_allclose(gd.coef_, opt.coef_, atol=1e-5)
    fixed = LogisticRegression(solver="gd", learning_rate=0.5, tol=1e-8, max_iter=20000)
    np.testing.assert_allclose(fixed.fit(X, y).coef_, opt.coef_, atol=1e-5)


def test_sgd_is_seeded_and_close_to_the_optimum() -> None:
    X, y = _multi(n=400)
    opt = LogisticRegression(tol=1e-10).fit(X, y)
    kw = {"solver": "sgd", "max_iter": 60, "tol": 1e-12, "random_state": 3}
    with pytest.warns(ConvergenceWarning):
        a = LogisticRegression(**kw).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        b = LogisticRegression(**kw).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_allclose(a.coef_, opt.coef_, atol=0.1)
    assert a.score(X, y) >= opt.score(X, y) - 0.02


def test_binary_softmax_equals_logistic() -> None:
    """Seed 003: two-class softmax is logistic regression on w₁ - w₀ (penalty halves)."""
    X, y = _binary()
    soft = SoftmaxRegression(C=1.0, solver="newton", tol=1e-11).fit(X, y)
    logi = LogisticRegression(C=2.0, solver="newton", tol=1e-11).fit(X, y)
    assert soft.coef_.shape == (2, X.shape[1])
    np.testing.assert_allclose(soft.coef_[1] - soft.coef_[0], logi.coef_[0], atol=1e-8)
    np.testing.assert_allclose(soft.coef_[0], -soft.coef_[1], atol=1e-8)
    np.testing.assert_allclose(soft.predict_proba(X), logi.predict_proba(X), atol=1e-9)
    np.testing.assert_allclose(soft.decision_function(X), logi.decision_function(X), atol=1e-8)


def test_softmax_multiclass_equals_multinomial_logistic() -> None:
    X, y = _multi()
    a = SoftmaxRegression(tol=1e-10).fit(X, y)
    b = LogisticRegression(tol=1e-10).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-8)
    np.testing.assert_allclose(a.intercept_.sum(), 0.0, atol=1e-12)


def test_newton_step_is_the_notes_irls_update() -> None:
    """θₖ₊₁ = (XᵀSX)⁻¹Xᵀ(SXθₖ + y - π) (seed 003) for the unpenalised binary model."""
    X, y = _binary(n=80)
    Xa = np.hstack([X, np.ones((80, 1))])
    prob = _Problem(X, y, 2, False, True, 0.0)
    theta = np.array([0.3, -0.2, 0.1, 0.05, -0.4])
    z = Xa @ theta
    pi = 1.0 / (1.0 + np.exp(-z))
    S = np.diag(pi * (1 - pi))
    irls = np.linalg.solve(Xa.T @ S @ Xa, Xa.T @ (S @ Xa @ theta + y - pi))
    H = prob.hessian(prob.scores(theta))
    H = np.tril(H) + np.tril(H, -1).T
    g = prob.loss_grad(theta)[1]
    np.testing.assert_allclose(theta - np.linalg.solve(H, g), irls, rtol=1e-10)


@pytest.mark.parametrize("multinomial", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gradient_and_hessian_against_central_differences(multinomial, fit_intercept) -> None:
    X, y = _multi(n=40, d=3)
    yk = np.unique(y, return_inverse=True)[1]
    if not multinomial:
        yk = (yk == 1).astype(int)
    prob = _Problem(X, yk, 3 if multinomial else 2, multinomial, fit_intercept, 0.05)
    rng = np.random.default_rng(1)
    theta = rng.standard_normal(prob.size) * 0.5
    f, g = prob.loss_grad(theta)
    h = 1e-6
    eye = np.eye(prob.size)
    num_g = np.array(
        [
            (prob.loss_grad(theta + h * e)[0] - prob.loss_grad(theta - h * e)[0]) / (2 * h)
            for e in eye
        ]
    )
    np.testing.assert_allclose(g, num_g, atol=1e-8)
    H = prob.hessian(prob.scores(theta))
    if not multinomial:
        H = np.tril(H) + np.tril(H, -1).T
    else:  # undo the projector added along the null directions of the intercepts
        if fit_intercept:
            bi = np.arange(prob.size - 3, prob.size)
            H[np.ix_(bi, bi)] -= 1.0 / 3
    num_H = np.array(
        [
            (prob.loss_grad(theta + h * e)[1] - prob.loss_grad(theta - h * e)[1]) / (2 * h)
            for e in eye
        ]
    )
    np.testing.assert_allclose(H, num_H, atol=1e-6)
    assert f == pytest.approx(prob.loss_from_scores(prob.scores(theta), theta))


def test_probabilities_and_decisions_are_consistent() -> None:
    X, y = _multi()
    model = LogisticRegression().fit(X, y)
    P = model.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.log(P), model.predict_log_proba(X), atol=1e-12)
    np.testing.assert_array_equal(model.classes_[P.argmax(1)], model.predict(X))
    Xb, yb = _binary()
    binary = LogisticRegression().fit(Xb, yb)
    z = binary.decision_function(Xb)
    np.testing.assert_allclose(binary.predict_proba(Xb)[:, 1], 1 / (1 + np.exp(-z)))


def test_probabilities_are_stable_for_huge_scores() -> None:
    X, y = _binary()
    model = LogisticRegression(C=np.inf, max_iter=5).fit(X * 1e3, y)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        P = model.predict_proba(X * 1e6)
    assert np.all(np.isfinite(P)) and np.allclose(P.sum(axis=1), 1.0)


def test_auto_solver_and_convergence_warning() -> None:
    X, y = _binary()
    assert LogisticRegression().fit(X, y).solver_ == "newton"
    Xw = np.random.default_rng(0).standard_normal((50, 500))
    assert LogisticRegression().fit(Xw, np.arange(50) % 2).solver_ == "lbfgs"
    for solver in ("newton", "lbfgs", "gd"):
        with pytest.warns(ConvergenceWarning, match="failed to converge"):
            LogisticRegression(solver=solver, max_iter=1, tol=1e-14).fit(X, y)


@pytest.mark.parametrize("data", [_binary, _multi])
@pytest.mark.parametrize("scale", [1.0, 1e4])
def test_large_n_newton_reaches_the_exact_optimum(data, scale: float) -> None:
    """From 16384 samples Newton warm-starts on a subsample and subsamples its Hessian;
    the gradient is exact, so the optimum is the exact one."""
    from nabla.linear_model import _logistic_solvers

    X, y = data(n=_logistic_solvers._LARGE_N + 100)
    X = X * scale
    yk = np.unique(y, return_inverse=True)[1]
    k = yk.max() + 1
    prob = _Problem(X, yk, max(k, 2), k > 2, True, 1.0 / len(y))

    def objective(model):
        return prob.loss_grad(np.concatenate([model.coef_.ravel(), model.intercept_]))

    ref = sk.LogisticRegression(tol=1e-12, max_iter=10000).fit(X, y)
    for tol in (1e-10 * scale, 1e-4):  # gradients scale with X
        ours = LogisticRegression(solver="newton", tol=tol).fit(X, y)
        f, g = objective(ours)
        assert np.max(np.abs(g)) <= tol  # the stopping rule, checked in float64
        if tol < 1e-4:
            # at least as good as scikit-learn's (whose L-BFGS stalls on badly scaled X)
            assert f <= objective(ref)[0] + 1e-13
            if scale == 1.0:
                np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-6)
