"""Extreme magnitudes (1e-300 .. 1e300): kernels, KernelRidge and k-nearest neighbours.

Finite input gives finite output or a ValueError that says why, never NaN. The oracles
are exact rational arithmetic (``fractions``) rounded once, the scale-equivariance of the
neighbour search checked with scikit-learn on data of size 1, and scikit-learn itself
where its own float64 computation neither overflows nor underflows (1e-100 .. 1e100).
Beyond that range scikit-learn's kernels give NaN (rbf: inf - inf in ‖x‖² + ‖y‖² - 2xᵀy)
or the wrong sign (sigmoid at 1e200), and its neighbours are ties of NaN or 0 distances.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from sklearn import neighbors as skn
from sklearn.metrics import pairwise as skp

from nabla.kernel_ridge import KernelRidge
from nabla.metrics.pairwise import _kernel_matrix
from nabla.neighbors import KNeighborsClassifier, KNeighborsRegressor

MAGNITUDES = [1e-300, 1e-160, 1e-100, 1.0, 1e100, 1e154, 1e200, 1e300]
KERNELS = ["linear", "poly", "rbf", "sigmoid", "sqeuclidean"]
GAMMA, COEF0, DEGREE = 0.5, 1.0, 3


def _base(n: int = 8, nq: int = 5, d: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal((nq, d)), rng.standard_normal(n)


def _to_float(v: Fraction) -> float:
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def _exact_kernel(X: np.ndarray, Y: np.ndarray, kernel: str) -> np.ndarray:
    """The kernel in exact rational arithmetic, rounded to float64 once at the end."""
    out = np.empty((len(X), len(Y)))
    for i, x in enumerate(X):
        for j, y in enumerate(Y):
            fx, fy = [Fraction(v) for v in x], [Fraction(v) for v in y]
            dot = sum((a * b for a, b in zip(fx, fy)), Fraction(0))
            sq = sum(((a - b) ** 2 for a, b in zip(fx, fy)), Fraction(0))
            if kernel == "linear":
                v = _to_float(dot)
            elif kernel == "poly":
                v = _to_float((Fraction(GAMMA) * dot + Fraction(COEF0)) ** DEGREE)
            elif kernel == "sigmoid":
                v = math.tanh(_to_float(Fraction(GAMMA) * dot + Fraction(COEF0)))
            elif kernel == "rbf":
                v = math.exp(-_to_float(Fraction(GAMMA) * sq))
            else:
                v = _to_float(sq)
            out[i, j] = v
    return out


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("magnitude", MAGNITUDES)
def test_kernels_are_exact_at_any_magnitude(kernel: str, magnitude: float) -> None:
    B, Q, _ = _base()
    X, Y = B * magnitude, Q * magnitude
    kw = {"kernel": kernel, "gamma": GAMMA, "coef0": COEF0, "degree": DEGREE}
    for K, exact in [
        (_kernel_matrix(X, Y, **kw), _exact_kernel(X, Y, kernel)),
        (_kernel_matrix(X, **kw), _exact_kernel(X, X, kernel)),
    ]:
        assert not np.isnan(K).any()
        # relative accuracy, down to the subnormal range where an ulp is 5e-324
        bounded = kernel in ("rbf", "sigmoid")
        np.testing.assert_allclose(K, exact, rtol=1e-9, atol=1e-12 if bounded else 1e-305)
    if 1e-100 <= magnitude <= 1e100 and kernel != "sqeuclidean":
        with np.errstate(over="ignore"):  # the poly kernel of size 1e600 is inf for both
            theirs = {
                "linear": lambda: skp.linear_kernel(X, Y),
                "poly": lambda: skp.polynomial_kernel(X, Y, DEGREE, GAMMA, COEF0),
                "rbf": lambda: skp.rbf_kernel(X, Y, GAMMA),
                "sigmoid": lambda: skp.sigmoid_kernel(X, Y, GAMMA, COEF0),
            }[kernel]()
        np.testing.assert_allclose(_kernel_matrix(X, Y, **kw), theirs, rtol=1e-9, atol=1e-300)


def test_the_reported_kernel_ridge_nan() -> None:
    """KernelRidge(kernel="rbf") on np.full((4, 2), 9.48e153) gave NaN: the four points
    coincide, K is all ones, and the prediction is 1 1ᵀ (1 1ᵀ + I)⁻¹ y."""
    X, y = np.full((4, 2), 9.48e153), np.array([1.0, 2.0, 3.0, 5.0])
    pred = KernelRidge(kernel="rbf").fit(X, y).predict(X)
    J = np.ones((4, 4))
    np.testing.assert_allclose(pred, J @ np.linalg.solve(J + np.eye(4), y), rtol=1e-12)


def _kr_params(kernel: str) -> dict:
    if kernel == "linear":
        return {}
    if kernel == "rbf":
        return {"gamma": GAMMA}
    return {"gamma": GAMMA, "coef0": COEF0} | ({"degree": DEGREE} if kernel == "poly" else {})


@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf", "sigmoid"])
@pytest.mark.parametrize("magnitude", MAGNITUDES)
def test_kernel_ridge_is_finite_or_says_why(kernel: str, magnitude: float) -> None:
    B, Q, y = _base()
    X, Xq = B * magnitude, Q * magnitude
    model = KernelRidge(alpha=1.0, kernel=kernel, **_kr_params(kernel))
    K, Kq = _exact_kernel(X, X, kernel), _exact_kernel(Xq, X, kernel)
    if not np.isfinite(K).all():  # the kernel itself is beyond float64
        with pytest.raises(ValueError, match=r"kernel matrix of X with the \w+ kernel is not"):
            model.fit(X, y)
        assert not hasattr(model, "dual_coef_")
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the least-squares fallback's warning
        model.fit(X, y)
    if not np.isfinite(Kq).all():
        with pytest.raises(ValueError, match=r"between X and the training points .* not finite"):
            model.predict(Xq)
        return
    pred = model.predict(Xq)
    assert np.isfinite(pred).all()
    # the NumPy closed form on the exact kernel, where K + I is well conditioned (bounded
    # kernels; linear and poly below size 1: K of size 1e200 + I has condition 1e200)
    if kernel in ("rbf", "sigmoid") or magnitude <= 1.0:
        a = np.linalg.solve(K + np.eye(len(K)), y)
        np.testing.assert_allclose(model.dual_coef_, a, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(pred, Kq @ a, rtol=1e-8, atol=1e-10)


def test_kernel_ridge_refuses_a_prediction_that_overflows() -> None:
    X = np.array([[1.0], [2.0], [3.0]])
    model = KernelRidge(alpha=1e-3).fit(X, [1e300, 2e300, 3e300])  # f(x) ≈ 1e300 x
    assert np.isfinite(model.dual_coef_).all()
    np.testing.assert_allclose(model.predict([[0.5]]), [0.5e300], rtol=1e-3)
    with pytest.raises(ValueError, match=r"the prediction with the linear kernel is not finite"):
        model.predict([[1e10]])
    with pytest.raises(ValueError, match=r"the largest \|x\| is 1\.7e\+308\)\. Rescale X"):
        model.predict([[1.7e308]])  # the kernel 3 · 1.7e308 itself overflows


# --- k-nearest neighbours -----------------------------------------------------------------

METRICS = [("minkowski", 2), ("manhattan", 1), ("minkowski", 3)]


@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize(("metric", "p"), METRICS)
@pytest.mark.parametrize("magnitude", [1e-300, 1e-200, 1e-154, 1e-100, 1.0, 1e100, 1e154, 1e300])
def test_neighbours_are_exact_at_any_magnitude(metric, p, weights, magnitude) -> None:
    """Neighbours of (mX, mq) are those of (X, q), at m times the distance."""
    B, Q, y = _base(n=40, nq=10)
    labels = (y > 0).astype(int)
    kw = {"n_neighbors": 3, "metric": metric, "p": p, "weights": weights}
    ref = skn.KNeighborsRegressor(algorithm="brute", **kw).fit(B, y)
    ref_dist, ref_ind = ref.kneighbors(Q)
    reg = KNeighborsRegressor(**kw).fit(B * magnitude, y)
    dist, ind = reg.kneighbors(Q * magnitude)
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist * magnitude, rtol=1e-9)
    np.testing.assert_allclose(reg.predict(Q * magnitude), ref.predict(Q), rtol=1e-9)
    clf = KNeighborsClassifier(**kw).fit(B * magnitude, labels)
    proba = skn.KNeighborsClassifier(algorithm="brute", **kw).fit(B, labels).predict_proba(Q)
    np.testing.assert_allclose(clf.predict_proba(Q * magnitude), proba, rtol=1e-9)
    if 1e-100 <= magnitude <= 1e100:  # scikit-learn itself is exact here
        theirs = skn.KNeighborsRegressor(algorithm="brute", **kw).fit(B * magnitude, y)
        np.testing.assert_array_equal(ind, theirs.kneighbors(Q * magnitude)[1])
        np.testing.assert_allclose(reg.predict(Q * magnitude), theirs.predict(Q * magnitude))


@pytest.mark.parametrize("value", [6.7e153, 1e154, 1e300, 1e-300])
def test_the_reported_neighbours_crash(value: float) -> None:
    """KNeighborsRegressor on np.full((4, 2), 6.7e153) gave NaN, 1e154 a broadcast error."""
    X = np.full((4, 2), value)
    model = KNeighborsRegressor(n_neighbors=2).fit(X, [0.0, 1.0, 2.0, 3.0])
    dist, ind = model.kneighbors(X)
    np.testing.assert_array_equal(ind, np.tile([0, 1], (4, 1)))  # ties: the lower index
    np.testing.assert_array_equal(dist, 0.0)
    np.testing.assert_array_equal(model.predict(X), 0.5)


def test_queries_far_beyond_the_training_points() -> None:
    """Queries 1e600 times larger than tiny training points: both are rescaled anew."""
    B, Q, y = _base(n=30, nq=6)
    model = KNeighborsRegressor(n_neighbors=4).fit(B * 1e-300, y)
    dist, ind = model.kneighbors(Q * 1e300)
    # seen from the queries every training point is at the origin: all tie at ‖q‖
    np.testing.assert_array_equal(ind, np.tile(np.arange(4), (6, 1)))
    expected = np.repeat(np.linalg.norm(Q, axis=1)[:, None] * 1e300, 4, axis=1)
    np.testing.assert_allclose(dist, expected, rtol=1e-12)
    np.testing.assert_allclose(model.predict(Q * 1e300), np.full(6, y[:4].mean()))
    # and the training points among themselves keep their own scale
    ref = skn.KNeighborsRegressor(n_neighbors=4, algorithm="brute").fit(B, y)
    np.testing.assert_array_equal(model.kneighbors(B * 1e-300)[1], ref.kneighbors(B)[1])
    # points near ±1e308 on opposite sides: a distance beyond float64 is inf, not NaN
    X = np.array([[-1e308, 0.0], [1e308, 0.0], [0.0, 0.0]])
    far = KNeighborsRegressor(n_neighbors=3, weights="distance").fit(X, [1.0, 2.0, 3.0])
    dist, ind = far.kneighbors([[-1e308, 0.0]])
    np.testing.assert_array_equal(ind, [[0, 2, 1]])
    np.testing.assert_array_equal(dist, [[0.0, 1e308, np.inf]])
    np.testing.assert_array_equal(far.predict([[-1e308, 0.0]]), [1.0])  # the exact hit
    # 1/distance weights though the farthest distance, √5 · 1e308, is beyond float64:
    # 1 : 1/√2 : 1/√5 on the targets 2, 3, 1
    w = np.array([1.0, 1 / np.sqrt(2), 1 / np.sqrt(5)])
    assert np.isinf(far.kneighbors([[1e308, 1e308]])[0][0, 2])
    np.testing.assert_allclose(far.predict([[1e308, 1e308]]), [w @ [2.0, 3.0, 1.0] / w.sum()])
