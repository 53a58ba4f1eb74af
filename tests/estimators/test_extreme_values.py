"""Linear models on finite data of extreme magnitude: they stop, stay finite, and are right.

The cases of the issue "Hold at the edges" (LogisticRegression hung on four rows; Ridge
and gradient-descent logistic regression returned NaN), LAPACK never handed inf or NaN,
exactness under power-of-two rescaling (X·2ᵃ, y·2ᵇ give the coefficients ·2^(b-a), bit
for bit where the solver rescales exactly), scikit-learn where it is finite, and a
ValueError that names the quantity when the answer itself lies beyond float64.
"""

from __future__ import annotations

import copy
import json
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.linalg
from scipy.special import log_expit
from sklearn import linear_model as sk
from sklearn.base import is_regressor
from sklearn.exceptions import ConvergenceWarning

from nabla.linear_model import (
    Lasso,
    LinearRegression,
    LogisticRegression,
    Ridge,
    SoftmaxRegression,
    _lasso,
    _logistic_solvers,
    _ridge_solvers,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]
ISSUE_X = np.array([[0, 3.85e20], [3.85e20, 3.85e20], [3.85e20, 0], [-6.15e307, 3.85e20]])
ISSUE_Y = np.array([1, 0, 0, 0])
SOLVERS = ["auto", "newton", "lbfgs", "gd", "sgd"]

_FIT_ISSUE_DATA = """
import json, warnings
import numpy as np
from nabla.linear_model import LogisticRegression
X, y, results = np.array({X}), np.array({y}), []
for C in {Cs}:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            m = LogisticRegression(solver={solver!r}, C=C, random_state=0).fit(X, y)
        except ValueError as exc:
            results.append({{"C": C, "error": str(exc)}})
            continue
    results.append({{
        "C": C, "coef": m.coef_.tolist(), "intercept": m.intercept_.tolist(),
        "n_iter": int(m.n_iter_[0]), "predict": m.predict(X).tolist(),
        "proba": m.predict_proba(X).tolist(),
        "warnings": [type(w.message).__name__ + ": " + str(w.message) for w in caught],
    }})
print(json.dumps(results))
"""


def _isolated(code: str, timeout: float = 20.0) -> dict:
    """Run ``code`` in a fresh interpreter; a hang fails the test instead of freezing it."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"no result within {timeout:.0f} s (a hang)")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _logistic_objective(X, y, coef, intercept, C) -> float:
    """scikit-learn's ½‖w‖² + C Σ log(1 + e^{-sᵢzᵢ}), sᵢ = ±1, by NumPy and SciPy."""
    w = np.asarray(coef, dtype=float).ravel()
    z = X @ w + float(np.ravel(intercept)[0])
    s = np.where(y == 1, 1.0, -1.0)
    return 0.5 * float(w @ w) + C * float(-log_expit(s * z).sum())


@pytest.mark.parametrize("solver", SOLVERS)
def test_logistic_regression_stops_on_the_issue_data(solver: str) -> None:
    """Item 2 (C = 1 and C = 1e-3): every solver returns within the timeout, a finite model
    (no ValueError is needed here), no worse than scikit-learn's by scikit-learn's own
    objective, with the same classes where the classes are clear."""
    Cs = [1.0, 1e-3]
    code = _FIT_ISSUE_DATA.format(X=ISSUE_X.tolist(), y=ISSUE_Y.tolist(), solver=solver, Cs=Cs)
    results = _isolated(code)
    assert [out["C"] for out in results] == Cs
    for C, out in zip(Cs, results, strict=True):
        assert "error" not in out, out
        coef, intercept = np.array(out["coef"]), np.array(out["intercept"])
        assert np.isfinite(coef).all() and np.isfinite(intercept).all()
        assert np.isfinite(out["proba"]).all()
        assert 0 <= out["n_iter"] <= 100  # max_iter
        assert not any(w.startswith("RuntimeWarning") for w in out["warnings"]), out
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # scikit-learn's lbfgs gives up
            ref = sk.LogisticRegression(C=C).fit(ISSUE_X, ISSUE_Y)
        # rows 3 and 4 are class 0 however the model is fitted; rows 1 and 2 differ only by
        # 3.85e20 in a column where another row has 6e307: their scores are ~0 (a coin toss)
        np.testing.assert_array_equal(out["predict"][2:], ref.predict(ISSUE_X)[2:])
        ours = _logistic_objective(ISSUE_X, ISSUE_Y, coef, intercept, C)
        theirs = _logistic_objective(ISSUE_X, ISSUE_Y, ref.coef_, ref.intercept_, C)
        assert ours <= theirs + 1e-12, (C, ours, theirs)
        if solver in ("auto", "newton", "lbfgs"):
            # second-order and quasi-Newton solvers converge here: clearly better
            assert ours < 0.9 * theirs, (C, ours, theirs)
            assert not out["warnings"], out
        else:  # first-order methods stop at max_iter on this scaling, and say so
            assert any("failed to converge" in w for w in out["warnings"]), out


class _FiniteOnly:
    """A stand-in for a module's LAPACK entry points that refuses inf and NaN."""

    def __init__(self, real, calls: list) -> None:
        self._real, self._calls = real, calls

    def __getattr__(self, name: str):
        real = getattr(self._real, name)

        def checked(*args, **kwargs):
            for a in list(args) + list(kwargs.values()):
                if isinstance(a, np.ndarray) and a.dtype.kind == "f":
                    assert np.isfinite(a).all(), f"LAPACK {name} handed a non-finite array"
            self._calls.append(name)
            return real(*args, **kwargs)

        return checked


EXTREME_DATA = [
    (ISSUE_X, ISSUE_Y),
    (np.full((4, 2), 9.48e153), np.array([0, 1, 0, 1])),
    (np.array([[1e308, -1e308], [-1e308, 1e308], [1e308, 1e308], [0.0, 1e-300]]), [0, 1, 1, 0]),
    (np.array([[1e-300, 5.0], [-1e-300, 4.0], [2e-300, -1.0], [0.0, 2.0]]), [1, 0, 1, 0]),
]


def test_no_lapack_call_sees_inf_or_nan(monkeypatch) -> None:
    """Item 2's cause: the Newton fallback handed LAPACK a Hessian holding inf/NaN."""
    calls: list = []
    monkeypatch.setattr(_logistic_solvers, "lapack", _FiniteOnly(_logistic_solvers.lapack, calls))
    monkeypatch.setattr(_ridge_solvers, "lapack", _FiniteOnly(_ridge_solvers.lapack, calls))
    monkeypatch.setattr(_lasso, "lapack", _FiniteOnly(_lasso.lapack, calls))
    linalg = _FiniteOnly(scipy.linalg, calls)
    monkeypatch.setattr(scipy.linalg, "lstsq", linalg.lstsq)
    monkeypatch.setattr(scipy.linalg, "svd", linalg.svd)
    estimators = [
        LogisticRegression(solver="newton", C=np.inf),
        LogisticRegression(solver="newton"),
        SoftmaxRegression(solver="newton"),
        LinearRegression(),
        Ridge(solver="cholesky"),
        Ridge(solver="dual"),
        Ridge(solver="svd", alpha=0.0),
        Lasso(alpha=1e-3),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for X, y in EXTREME_DATA:
            for est in estimators:
                try:
                    est.fit(X, np.asarray(y, dtype=float) if is_regressor(est) else y)
                except ValueError as exc:  # an answer beyond float64 is refused; fine here
                    assert "beyond the float64 range" in str(exc)
    assert {"dpotrf", "lstsq", "svd"} <= set(calls)  # the guarded routines did run


@pytest.mark.parametrize("value", [6.7e153, 9.48e153, 1.7e308])
@pytest.mark.parametrize(
    "make",
    [LinearRegression, Ridge, lambda: Ridge(solver="svd"), lambda: Lasso(alpha=0.1)],
    ids=["LinearRegression", "Ridge", "Ridge-svd", "Lasso"],
)
def test_constant_huge_columns_predict_the_mean(make, value: float) -> None:
    """Item 9: np.full((4, 2), v) gave Ridge NaN predictions; the answer is ȳ (the
    centred columns vanish), as scikit-learn gives where it is finite."""
    X, y = np.full((4, 2), value), np.array([0.0, 1.0, 0.0, 3.0])
    model = make().fit(X, y)
    np.testing.assert_array_equal(model.coef_, 0.0)
    np.testing.assert_allclose(model.predict(X), y.mean(), rtol=1e-15)
    if value < 1e300:
        ref = {"LinearRegression": sk.LinearRegression(), "Lasso": sk.Lasso(alpha=0.1)}.get(
            type(model).__name__, sk.Ridge()
        )
        np.testing.assert_allclose(model.predict(X), ref.fit(X, y).predict(X), rtol=1e-15)


SCALES = [(900, 0), (-900, 0), (0, 900), (0, -900), (700, 700), (-900, -900), (1000, -20)]


@pytest.mark.parametrize(("a", "b"), SCALES)
def test_linear_regression_is_exact_under_powers_of_two(a: int, b: int) -> None:
    """X·2ᵃ and y·2ᵇ give coef_·2^(b-a), intercept_·2ᵇ and singular_·2ᵃ bit for bit (the
    fit divides both by their own power of two); scikit-learn agrees on the plain data."""
    X, y = _regression_data()
    plain = LinearRegression().fit(X, y)
    ref = sk.LinearRegression().fit(X, y)
    np.testing.assert_allclose(plain.coef_, ref.coef_, rtol=1e-12)
    model = LinearRegression().fit(np.ldexp(X, a), np.ldexp(y, b))
    np.testing.assert_array_equal(model.coef_, np.ldexp(plain.coef_, b - a))
    np.testing.assert_array_equal(model.intercept_, np.ldexp(plain.intercept_, b))
    np.testing.assert_array_equal(model.singular_, np.ldexp(plain.singular_, a))
    np.testing.assert_array_equal(model.predict(np.ldexp(X, a)), np.ldexp(plain.predict(X), b))


@pytest.mark.parametrize("solver", ["auto", "cholesky", "dual", "svd"])
@pytest.mark.parametrize("a", [505, 510])
@pytest.mark.parametrize("alpha", [0.0, 2.0])
def test_ridge_rescales_when_the_gram_matrix_overflows(solver: str, a: int, alpha: float) -> None:
    """With X·2⁵¹⁰, XᵀX overflows (scikit-learn raises 'array must not contain infs');
    with alpha·2^(2a) the answer is the plain one ·2^-a, as scikit-learn's on plain data."""
    X, y = _regression_data()
    with np.errstate(over="raise"):
        with pytest.raises(FloatingPointError):
            np.ldexp(X, 510).T @ np.ldexp(X, 510)  # the case is the overflowing one
    model = Ridge(alpha=np.ldexp(alpha, 2 * a), solver=solver).fit(np.ldexp(X, a), y)
    ref = sk.Ridge(alpha=alpha, solver="svd").fit(X, y)
    np.testing.assert_allclose(np.ldexp(model.coef_, a), ref.coef_, rtol=1e-10)
    np.testing.assert_allclose(model.intercept_, ref.intercept_, rtol=1e-10)


@pytest.mark.parametrize(("a", "b"), [s for s in SCALES if s[1] <= 0 and abs(s[0] + s[1]) < 1000])
def test_lasso_is_exact_under_powers_of_two(a: int, b: int) -> None:
    """The objective scales by 2^(2b) with alpha·2^(a+b): the same support, coef_·2^(b-a)
    and dual_gap_·2^(2b); scikit-learn agrees on the plain data."""
    X, y = _regression_data()
    plain = Lasso(alpha=0.3, tol=1e-12).fit(X, y)
    ref = sk.Lasso(alpha=0.3, tol=1e-12, max_iter=100000).fit(X, y)
    np.testing.assert_allclose(plain.coef_, ref.coef_, atol=1e-9)
    model = Lasso(alpha=np.ldexp(0.3, a + b), tol=1e-12).fit(np.ldexp(X, a), np.ldexp(y, b))
    np.testing.assert_allclose(np.ldexp(model.coef_, a - b), plain.coef_, rtol=1e-12)
    np.testing.assert_allclose(np.ldexp(model.intercept_, -b), plain.intercept_, rtol=1e-12)
    np.testing.assert_array_equal(model.coef_ != 0, ref.coef_ != 0)
    np.testing.assert_allclose(model.dual_gap_, np.ldexp(plain.dual_gap_, 2 * b), rtol=1e-9)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
@pytest.mark.parametrize("data", ["binary", "multinomial"])
@pytest.mark.parametrize(
    ("a", "C"),
    [
        ([700, 300, 0], np.inf),  # columns of very different magnitude, unpenalised
        ([1000, 1000, 1000], np.inf),
        ([300, 300, 300], 2.0**-600),  # the penalty scaled with X: C·2^(-2a)
        ([-300, -300, -300], 2.0**600),
    ],
)
def test_logistic_regression_is_equivariant_under_column_scaling(solver, data, a, C) -> None:
    """Columns X_j·2^aⱼ have the optimum wⱼ·2^-aⱼ (Newton's method is affine invariant;
    the rescaled solvers reach the same optimum): compared with scikit-learn on plain X."""
    X, y = _classification_data(multinomial=data == "multinomial")
    C_plain = C * 2.0 ** (2 * a[0]) if np.isfinite(C) else C
    ref = sk.LogisticRegression(C=C_plain, tol=1e-12, max_iter=100000).fit(X, y)
    model = LogisticRegression(C=C, solver=solver, tol=1e-10, max_iter=1000)
    model.fit(np.ldexp(X, a), y)
    np.testing.assert_allclose(np.ldexp(model.coef_, a), ref.coef_, atol=1e-6)
    np.testing.assert_allclose(model.intercept_, ref.intercept_, atol=1e-6)
    np.testing.assert_array_equal(model.predict(np.ldexp(X, a)), ref.predict(X))


@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_first_order_solvers_make_progress_on_huge_columns(solver: str) -> None:
    """Item 9: gd gave NaN on the issue's data. On columns near 2^1000 the first-order
    solvers now run in rescaled coordinates and approach scikit-learn's optimum."""
    X, y = _classification_data()
    a = [1000, 1000, 1000]
    ref = sk.LogisticRegression(C=np.inf, tol=1e-12, max_iter=100000).fit(X, y)
    kw = {"max_iter": 5000} if solver == "gd" else {"max_iter": 300, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(C=np.inf, solver=solver, tol=1e-10, **kw)
        model.fit(np.ldexp(X, a), y)
    assert np.isfinite(model.coef_).all()
    if solver == "gd":
        np.testing.assert_allclose(np.ldexp(model.coef_, a), ref.coef_, atol=1e-5)
    # SGD's iterates stay noisy after 300 epochs of 2 batches: close in accuracy only
    assert model.score(np.ldexp(X, a), y) >= ref.score(X, y) - 0.05


def test_gradient_descent_with_a_huge_learning_rate_raises() -> None:
    X, y = _classification_data()
    model = LogisticRegression(solver="gd", learning_rate=1e300, C=np.inf)
    with pytest.raises(ValueError, match=r"gd diverged: at iteration \d+ .*learning_rate=1e\+300"):
        model.fit(X * 1e10, y)


@pytest.mark.parametrize(
    ("make", "X_scale", "y_scale", "what"),
    [
        (LinearRegression, 1020, 0, "singular_values"),  # singular values ≈ 2^1024
        (LinearRegression, -1000, 100, "coefficients"),  # coef ≈ 2^1100
        (lambda: Ridge(alpha=0.0), -1000, 100, "coefficients"),
        (lambda: Lasso(alpha=1e-300), -1000, 100, "coefficients"),
        (lambda: Lasso(alpha=0.1), 0, 600, "duality_gap"),  # the objective is ~2^1200
    ],
    ids=["LinearRegression-sigma", "LinearRegression", "Ridge", "Lasso", "Lasso-gap"],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # alpha ≈ 0
def test_results_beyond_float64_raise_and_leave_the_model(make, X_scale, y_scale, what) -> None:
    X, y = _regression_data()
    model = make().fit(X, y)
    before = copy.deepcopy(vars(model))
    with pytest.raises(ValueError, match=f"the fitted {what} would lie beyond the float64 range"):
        model.fit(np.ldexp(X, X_scale), np.ldexp(y, y_scale))
    assert vars(model).keys() == before.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(vars(model)[key], value, err_msg=key)


def test_predictions_beyond_float64_raise_and_cancelling_terms_do_not() -> None:
    """A prediction whose terms overflow but whose sum does not is computed (the direct
    product gives inf - inf = NaN); one that is itself beyond float64 raises."""
    X, y = _regression_data()
    model = LinearRegression().fit(X[:, :2], y)
    model.coef_, model.intercept_ = np.array([2.0, -2.0]), 1.0  # exact, for an exact answer
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(np.array([[1e308, 1e308]]) @ model.coef_)  # what the direct way gives
    np.testing.assert_array_equal(model.predict(np.array([[1e308, 1e308]])), [1.0])
    with pytest.raises(ValueError, match="a prediction lies beyond the float64 range"):
        model.predict(np.array([[1e308, -1e308]]))


@pytest.mark.parametrize("make", [LogisticRegression, SoftmaxRegression])
def test_classifier_scores_beyond_float64_give_clear_classes(make) -> None:
    """Scores whose partial sums overflow are summed correctly; a score beyond float64 is
    ±inf (never NaN), its class clear and its probabilities 0 and 1."""
    X, y = _classification_data()
    model = make().fit(X, y)
    ones = np.ones((model.coef_.shape[0], 3)) * (
        [[-1.0], [1.0]] if make is SoftmaxRegression else 1
    )
    model.coef_, model.intercept_ = ones, np.zeros(len(ones))  # exact, for exact scores
    big = 1.5e308
    far = np.array([[big, big, -big], [big, -big, 0.0], [big, big, big], [-big, -big, 1e308]])
    with np.errstate(over="ignore"):
        assert np.isinf(far[:1] @ np.ones(3))  # the direct sum overflows on the way
    z = model.decision_function(far)
    twice = make is SoftmaxRegression  # z₁ - z₀ with w₁ - w₀ = 2
    np.testing.assert_array_equal(z, [np.inf if twice else big, 0.0, np.inf, -np.inf])
    P = model.predict_proba(far)
    np.testing.assert_array_equal(P[[0, 2, 3]], [[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(P[1], [0.5, 0.5])
    np.testing.assert_array_equal(model.predict(far)[[0, 2, 3]], [1, 1, 0])


def _regression_data(n: int = 30):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 3)) * [1.0, 5.0, 0.2] + [3.0, -1.0, 0.0]
    return X, X @ [1.0, -2.0, 0.5] + rng.standard_normal(n) + 4.0


def _classification_data(multinomial: bool = False, n: int = 60):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 3)) * [1.0, 2.0, 0.5] + [0.5, 0.0, 1.0]
    if multinomial:
        return X, np.argmax(X @ rng.standard_normal((3, 3)) + rng.gumbel(size=(n, 3)), axis=1)
    return X, (X @ [1.0, -1.0, 2.0] + rng.logistic(size=n) > 0).astype(int)
