"""KernelRidge: the notes' solution, scikit-learn's predictions, the Cholesky solver."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import kernel_ridge as sk
from sklearn.metrics.pairwise import pairwise_kernels

from nabla.kernel_ridge import KernelRidge, _solve_kernel_ridge
from nabla.linear_model import Ridge


def _data(n: int = 50, d: int = 3, seed: int = 0, targets: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.sin(X).sum(axis=1) + 0.1 * rng.standard_normal(n)
    if targets:
        y = np.column_stack([y * (t + 1) for t in range(targets)])
    return X, y, rng.standard_normal((7, d))


def test_linear_kernel_equals_ridge_without_intercept() -> None:
    """Seed 000: kernel ridge with K = XXᵀ is ridge regression, w = Xᵀa."""
    X, y, Xt = _data()
    kr = KernelRidge(alpha=0.8).fit(X, y)
    ridge = Ridge(alpha=0.8, fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(X.T @ kr.dual_coef_, ridge.coef_, rtol=1e-9)
    np.testing.assert_allclose(kr.predict(Xt), ridge.predict(Xt), rtol=1e-9, atol=1e-12)


def test_dual_coefficients_are_the_notes_solution() -> None:
    """a = (P + λI)⁻¹ y with P[i, j] = exp(-‖xᵢ - xⱼ‖² / (2 sigma²))."""
    X, y, _ = _data()
    sigma = 0.7
    P = np.exp(-((X[:, None, :] - X[None, :, :]) ** 2).sum(-1) / (2 * sigma**2))
    model = KernelRidge(alpha=0.1, kernel="rbf", sigma=sigma).fit(X, y)
    np.testing.assert_allclose(
        model.dual_coef_, np.linalg.solve(P + 0.1 * np.eye(50), y), rtol=1e-8
    )


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ({"kernel": "linear"}, {"kernel": "linear"}),
        ({"kernel": "rbf"}, {"kernel": "rbf"}),
        ({"kernel": "rbf", "gamma": 0.3}, {"kernel": "rbf", "gamma": 0.3}),
        ({"kernel": "rbf", "sigma": 2.0}, {"kernel": "rbf", "gamma": 1 / 8}),
        # the notes' (1 + xᵀx')^k by default: scikit-learn's kernel with gamma = 1
        ({"kernel": "poly", "degree": 2}, {"kernel": "poly", "degree": 2, "gamma": 1.0}),
        # scikit-learn's default poly kernel scales xᵀx' by 1 / n_features
        ({"kernel": "poly", "gamma": 1 / 3}, {"kernel": "poly"}),
        ({"kernel": "polynomial", "gamma": 1.0, "coef0": 1.0}, {"kernel": "poly", "gamma": 1.0}),
        (
            {"kernel": "poly", "gamma": 0.5, "degree": 3, "exact_degree": True},
            {"kernel": "poly", "gamma": 0.5, "degree": 3, "coef0": 0},
        ),
        (
            {"kernel": "sigmoid", "gamma": 0.1, "coef0": 0.5},
            {"kernel": "sigmoid", "gamma": 0.1, "coef0": 0.5},
        ),
    ],
)
@pytest.mark.parametrize("targets", [0, 2])
def test_matches_sklearn(ours: dict, theirs: dict, targets: int) -> None:
    X, y, Xt = _data(targets=targets)
    a = KernelRidge(alpha=0.5, **ours).fit(X, y)
    b = sk.KernelRidge(alpha=0.5, **theirs).fit(X, y)
    np.testing.assert_allclose(a.dual_coef_, b.dual_coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.predict(Xt), b.predict(Xt), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(
        a._get_kernel(X),
        pairwise_kernels(X, metric=b.kernel, **{k: v for k, v in theirs.items() if k != "kernel"}),
        rtol=1e-12,
        atol=1e-12,
    )


def test_precomputed_and_callable_kernels() -> None:
    X, y, Xt = _data(n=30)
    K = pairwise_kernels(X, metric="rbf", gamma=0.4)
    pre = KernelRidge(alpha=0.3, kernel="precomputed").fit(K, y)
    rbf = KernelRidge(alpha=0.3, kernel="rbf", gamma=0.4).fit(X, y)
    np.testing.assert_allclose(pre.dual_coef_, rbf.dual_coef_, rtol=1e-10)
    np.testing.assert_allclose(
        pre.predict(pairwise_kernels(Xt, X, metric="rbf", gamma=0.4)), rbf.predict(Xt), rtol=1e-10
    )

    def k(a, b, scale):
        return float(np.exp(-scale * np.sum((a - b) ** 2)))

    cal = KernelRidge(alpha=0.3, kernel=k, kernel_params={"scale": 0.4}).fit(X, y)
    np.testing.assert_allclose(cal.predict(Xt), rbf.predict(Xt), rtol=1e-10)
    ref = sk.KernelRidge(alpha=0.3, kernel=k, kernel_params={"scale": 0.4}).fit(X, y)
    np.testing.assert_allclose(cal.predict(Xt), ref.predict(Xt), rtol=1e-10)


def test_interface_for_the_bootstrap_fast_path() -> None:
    """predict(X) = _get_kernel(X, X_fit_) @ dual_coef_, and the module-level solver."""
    X, y, Xt = _data()
    model = KernelRidge(alpha=0.2, kernel="rbf", gamma=0.5).fit(X, y)
    np.testing.assert_allclose(
        model.predict(Xt), model._get_kernel(Xt, model.X_fit_) @ model.dual_coef_
    )
    K = model._get_kernel(X)
    np.testing.assert_array_equal(K, K.T)
    np.testing.assert_allclose(_solve_kernel_ridge(K, y, 0.2), model.dual_coef_, rtol=1e-10)
    assert model.n_features_in_ == 3


@pytest.mark.parametrize("order", ["C", "F"])
def test_solver_overwrites_only_when_asked(order: str) -> None:
    X, y, _ = _data()
    K = np.asarray(pairwise_kernels(X, metric="rbf"), order=order)
    expected = np.linalg.solve(K + 0.5 * np.eye(50), y)
    keep = K.copy()
    np.testing.assert_allclose(_solve_kernel_ridge(K, y, 0.5), expected, rtol=1e-9)
    np.testing.assert_array_equal(K, keep)
    np.testing.assert_allclose(
        _solve_kernel_ridge(K, y, 0.5, overwrite_K=True), expected, rtol=1e-9
    )
    assert not np.array_equal(K, keep)  # factored in place: no copy was made
    Y = np.column_stack([y, 2 * y])
    np.testing.assert_allclose(
        _solve_kernel_ridge(keep, Y, 0.5), np.column_stack([expected, 2 * expected]), rtol=1e-9
    )


def test_not_positive_definite_kernel_falls_back_with_a_warning() -> None:
    X, y, Xt = _data(n=40, d=2)  # linear kernel of rank 2 with alpha = 0: singular
    K = X @ X.T
    with pytest.raises(np.linalg.LinAlgError, match="not positive definite"):
        _solve_kernel_ridge(K.copy(), y, 0.0, overwrite_K=True)
    with pytest.warns(UserWarning, match="Singular matrix in solving dual problem"):
        a = _solve_kernel_ridge(K, y, 0.0)
    np.testing.assert_allclose(a, np.linalg.lstsq(K, y, rcond=None)[0], rtol=1e-6, atol=1e-8)
    with pytest.warns(UserWarning, match="Singular matrix in solving dual problem"):
        ours = KernelRidge(alpha=0.0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sk.KernelRidge(alpha=0.0).fit(X, y)
    np.testing.assert_allclose(ours.predict(Xt), ref.predict(Xt), rtol=1e-6, atol=1e-8)
    # an indefinite kernel (sigmoid) takes the same fallback
    with pytest.warns(UserWarning, match="Singular matrix"):
        KernelRidge(alpha=0.0, kernel="sigmoid", gamma=2.0, coef0=-1.0).fit(X, y)


def test_gamma_and_sigma_together_are_rejected() -> None:
    X, y, _ = _data()
    with pytest.raises(ValueError, match="give gamma or sigma, not both"):
        KernelRidge(kernel="rbf", gamma=1.0, sigma=1.0).fit(X, y)


def test_precomputed_must_be_square() -> None:
    X, y, _ = _data()
    with pytest.raises(ValueError, match="square kernel matrix"):
        KernelRidge(kernel="precomputed").fit(X, y)


# --- the polynomial kernel's default and hyper-parameters a kernel does not use ----------


@pytest.mark.parametrize("degree", [None, 2, 4])
def test_default_polynomial_kernel_is_the_notes_one_plus_inner_product(degree) -> None:
    """K(x, x') = (1 + xᵀx')^k (k = 3 by default), not scaled by 1 / n_features."""
    X, y, Xt = _data(n=30, d=4)
    k = 3 if degree is None else degree
    model = KernelRidge(alpha=0.7, kernel="poly", degree=degree).fit(X, y)
    P = (1.0 + X @ X.T) ** k
    a = np.linalg.solve(P + 0.7 * np.eye(30), y)
    np.testing.assert_allclose(model._get_kernel(X), P, rtol=1e-12)
    np.testing.assert_allclose(model.dual_coef_, a, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(model.predict(Xt), (1.0 + Xt @ X.T) ** k @ a, rtol=1e-8)
    ref = sk.KernelRidge(alpha=0.7, kernel="poly", degree=k, gamma=1, coef0=1).fit(X, y)
    np.testing.assert_allclose(model.predict(Xt), ref.predict(Xt), rtol=1e-8)
    # scikit-learn's own default differs: gamma = 1 / n_features
    default = sk.KernelRidge(alpha=0.7, kernel="poly", degree=k).fit(X, y)
    assert not np.allclose(model.predict(Xt), default.predict(Xt), rtol=1e-3)


def _fitted_state(model) -> dict:
    """Everything fit sets (the attributes that are not hyper-parameters), copied."""
    params = model.get_params()
    return {
        k: (v.copy() if isinstance(v, np.ndarray) else v)
        for k, v in vars(model).items()
        if k not in params
    }


def _assert_state(model, before: dict) -> None:
    now = _fitted_state(model)
    assert set(now) == set(before)
    for key, value in before.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(now[key], value)
        else:
            assert now[key] == value, key


def _laplace(a, b):
    return float(np.exp(-np.abs(a - b).sum()))


@pytest.mark.parametrize(
    ("kernel", "params", "message"),
    [
        ("poly", {"sigma": 1.0}, r"sigma=1\.0 is not used by kernel='poly' \(which reads gamma"),
        ("linear", {"gamma": 0.5}, r"gamma=0\.5 is not used by kernel='linear' \(which reads no"),
        ("linear", {"degree": 2, "coef0": 0.0}, r"degree=2 and coef0=0\.0 are not used"),
        ("rbf", {"degree": 2}, r"degree=2 is not used by kernel='rbf' \(which reads gamma, sigma"),
        ("rbf", {"coef0": 0.5}, r"coef0=0\.5 is not used by kernel='rbf'"),
        ("rbf", {"exact_degree": True}, r"exact_degree=True is not used by kernel='rbf'"),
        ("sigmoid", {"sigma": 2.0}, r"sigma=2\.0 is not used by kernel='sigmoid'"),
        ("sigmoid", {"degree": 3}, r"degree=3 is not used by kernel='sigmoid'"),
        ("precomputed", {"gamma": 1.0}, r"gamma=1\.0 is not used by kernel='precomputed'"),
        ("rbf", {"kernel_params": {"s": 1}}, r"kernel_params=\{'s': 1\} is not used"),
        (_laplace, {"gamma": 1.0}, r"gamma=1\.0 is not used by kernel=a callable"),
        ("poly", {"exact_degree": True, "coef0": 2.0}, r"coef0=2\.0 is not used with exact_degree"),
    ],
)
def test_a_hyper_parameter_the_kernel_ignores_is_refused(kernel, params, message) -> None:
    X, y, Xt = _data()
    model = KernelRidge(kernel="rbf", gamma=0.5).fit(X, y)
    before, pred = _fitted_state(model), model.predict(Xt)
    model.set_params(**({"kernel": kernel, "gamma": None} | params))
    with pytest.raises(ValueError, match=message):
        model.fit(X @ X.T if kernel == "precomputed" else X, y)
    _assert_state(model, before)  # the previous fit is intact
    model.set_params(kernel="rbf", gamma=0.5, sigma=None, degree=None, coef0=None)
    model.set_params(exact_degree=False, kernel_params=None)
    np.testing.assert_array_equal(model.predict(Xt), pred)


@pytest.mark.parametrize(
    ("kernel", "params"),
    [
        ("poly", {"gamma": 0.5, "degree": 2, "coef0": 0.3}),
        ("poly", {"degree": 2, "exact_degree": True}),
        ("rbf", {"sigma": 0.8}),
        ("sigmoid", {"gamma": 0.1, "coef0": 0.2}),
        (_laplace, {"kernel_params": {}}),
    ],
)
def test_hyper_parameters_the_kernel_reads_are_accepted(kernel, params) -> None:
    X, y, _ = _data(n=20)
    assert np.isfinite(KernelRidge(kernel=kernel, **params).fit(X, y).dual_coef_).all()


def test_sigma_beyond_float64_squares() -> None:
    """gamma = 1 / (2 sigma²) without forming sigma²: a tiny sigma is a huge gamma."""
    X, y, _ = _data(n=10)
    model = KernelRidge(kernel="rbf", sigma=1e-200, alpha=0.5).fit(X, y)
    np.testing.assert_allclose(model._get_kernel(X), np.eye(10))  # exp(-huge) off the diagonal
    np.testing.assert_allclose(model.dual_coef_, y / 1.5)
    wide = KernelRidge(kernel="rbf", sigma=1e200, alpha=0.5).fit(X, y)
    np.testing.assert_array_equal(wide._get_kernel(X), 1.0)  # exp(-tiny)
