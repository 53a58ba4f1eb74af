"""BootstrapCI: formulas, coverage, the kernel ridge shortcut, parallel backends, bad input."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.kernel_ridge import KernelRidge as SklearnKernelRidge
from sklearn.linear_model import LinearRegression
from sklearn.utils._param_validation import InvalidParameterError

from nabla.kernel_ridge import KernelRidge
from nabla.model_selection import BootstrapCI
from nabla.model_selection import _parallel as parallel_module

from ._helpers import (
    OLS,
    FailsOnDuplicates,
    FailsOnRepeats,
    InterceptKernelRidge,
    InterfaceKernelRidge,
    MeanRegressor,
    SeededNoise,
)


@pytest.fixture
def force_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send work to the workers even when it is small (the serial shortcut is off)."""
    monkeypatch.setattr(parallel_module, "MIN_PARALLEL_SECONDS", 0.0)


def _sine(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, size=(n, 1))
    return X, np.sin(2 * np.pi * X[:, 0]) + rng.normal(0, 0.3, n)


def _documented_indices(random_state: int, B: int, n: int) -> np.ndarray:
    # resample b is drawn from child b of SeedSequence(random_state).spawn(B)
    children = np.random.SeedSequence(random_state).spawn(B)
    return np.stack([np.random.default_rng(c).integers(0, n, size=n) for c in children])


# --- the interval equals the formulas on the bootstrap predictions --------------------------


def test_resamples_follow_the_documented_seeding() -> None:
    X, y = _sine(30, 0)
    ci = BootstrapCI(MeanRegressor(), n_bootstrap=40, random_state=5).fit(X, y)
    np.testing.assert_array_equal(ci.bootstrap_indices_, _documented_indices(5, 40, 30))


@pytest.mark.parametrize("method", ["percentile", "basic"])
def test_interval_equals_formula_on_known_bootstrap_predictions(method: str) -> None:
    # f_b(x) = mean(y[idx_b]) for every x: a bootstrap distribution we can build by hand
    X, y = _sine(25, 1)
    ci = BootstrapCI(MeanRegressor(), n_bootstrap=60, confidence=0.8, method=method)
    ci.set_params(random_state=3).fit(X, y)
    means = y[_documented_indices(3, 60, 25)].mean(axis=1)
    pred, low, high, boot = ci.predict(X[:4], return_bootstrap=True)
    np.testing.assert_allclose(boot, np.repeat(means[:, None], 4, axis=1), rtol=1e-14)
    np.testing.assert_allclose(pred, np.full(4, y.mean()), rtol=1e-14)
    q10, q90 = np.percentile(means, [10, 90])
    if method == "percentile":
        expected = (q10, q90)
    else:
        expected = (2 * y.mean() - q90, 2 * y.mean() - q10)
    np.testing.assert_allclose(low, expected[0], rtol=1e-13)
    np.testing.assert_allclose(high, expected[1], rtol=1e-13)


def test_bca_matches_textbook_formula_with_jackknife_refits() -> None:
    from scipy import stats

    X, y = _sine(20, 2)
    ci = BootstrapCI(MeanRegressor(), n_bootstrap=80, method="bca", random_state=0).fit(X, y)
    _, low, high = ci.predict(X[:1])
    means = y[_documented_indices(0, 80, 20)].mean(axis=1)
    jack = np.array([np.delete(y, i).mean() for i in range(20)])
    z0 = stats.norm.ppf((np.sum(means < y.mean()) + np.sum(means <= y.mean())) / 160)
    d = jack.mean() - jack
    a = np.sum(d**3) / (6 * np.sum(d**2) ** 1.5)
    levels = [
        stats.norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z))) for z in stats.norm.ppf([0.05, 0.95])
    ]
    assert low[0] == pytest.approx(np.quantile(means, levels[0]), rel=1e-12)
    assert high[0] == pytest.approx(np.quantile(means, levels[1]), rel=1e-12)


def test_clones_get_their_own_seeds_and_the_input_is_untouched() -> None:
    X, y = _sine(15, 3)
    est = SeededNoise(random_state=123)
    ci = BootstrapCI(est, n_bootstrap=30, random_state=0).fit(X, y)
    values = ci.predict_bootstrap(X[:1])[:, 0]
    assert len(np.unique(values)) == 30  # each clone seeded differently
    assert est.random_state == 123 and not hasattr(est, "value_")
    again = BootstrapCI(est, n_bootstrap=30, random_state=0).fit(X, y)
    np.testing.assert_array_equal(again.predict_bootstrap(X[:1]), ci.predict_bootstrap(X[:1]))
    assert ci.estimator_.random_state == 123  # the point fit keeps the user's settings


# --- coverage of a known regression function -------------------------------------------------


def test_interval_covers_true_function_at_about_nominal_rate() -> None:
    # y = 1 + 2x + noise, least squares (unbiased): the 90% percentile band covers the true
    # line at 3 points in about 90% of 250 seeded datasets; a little less at n = 40 (the
    # percentile bootstrap undercovers small samples: 0.84-0.89 over several seeds), so the
    # band is 0.80-0.95, more than 2.5 standard errors from what was seen
    rng = np.random.default_rng(7)
    x_eval = np.array([[-0.8], [0.1], [0.9]])
    truth = 1 + 2 * x_eval[:, 0]
    covered = []
    for rep in range(250):
        X = rng.uniform(-1, 1, size=(40, 1))
        y = 1 + 2 * X[:, 0] + rng.normal(0, 0.5, 40)
        ci = BootstrapCI(OLS(), n_bootstrap=80, random_state=rep).fit(X, y)
        _, low, high = ci.predict(x_eval)
        covered.append((low <= truth) & (truth <= high))
    rate = np.mean(covered)
    assert 0.80 <= rate <= 0.95, rate


# --- the kernel ridge shortcut equals the plain refit loop --------------------------------


# (kernel parameters, the shortcut's route: low numerical rank or distinct-point Cholesky)
KERNELS = [
    ({"kernel": "rbf", "sigma": 0.15, "alpha": 0.1}, "low-rank"),
    ({"kernel": "rbf", "gamma": 5.0, "alpha": 1e-3}, "low-rank"),
    ({"kernel": "poly", "degree": 3, "alpha": 1.0}, "low-rank"),
    ({"kernel": "linear", "alpha": 0.5}, "low-rank"),
    ({"kernel": "rbf", "gamma": 3000.0, "alpha": 0.1}, "cholesky"),
    ({"kernel": "rbf", "gamma": 1000.0, "alpha": 1e-2}, "cholesky"),
]


def _shortcut_and_loop(params, n, method, B=30):
    X, y = _sine(n, 4)
    X[:, 0] += 0.05  # keep the linear kernel's prediction away from its fixed point 0
    grid = np.linspace(0.05, 1.05, 40)[:, None]
    fast = BootstrapCI(KernelRidge(**params), n_bootstrap=B, method=method, random_state=1)
    slow = clone(fast).set_params(fast_path=False)
    fast.fit(X, y)
    slow.fit(X, y)
    assert fast.fast_path_ and not slow.fast_path_
    return fast, fast.predict(grid, return_bootstrap=True), slow.predict(grid, True)


@pytest.mark.parametrize(("params", "route"), KERNELS)
def test_kernel_ridge_shortcut_equals_plain_loop(params: dict, route: str) -> None:
    fast, ours, loop = _shortcut_and_loop(params, 200, "percentile")
    assert fast._route == route
    for a, b in zip(ours, loop):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)


@pytest.mark.parametrize(("params", "route"), [KERNELS[0], KERNELS[1], KERNELS[2]])
def test_kernel_ridge_jackknife_formula_equals_leave_one_out_refits(params, route) -> None:
    # BCa: the n leave-one-out fits from one factorisation, against n refits
    _, ours, loop = _shortcut_and_loop(params, 70, "bca", B=20)
    for a, b in zip(ours, loop):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)


def test_plain_loop_is_the_plain_scikit_learn_loop() -> None:
    # nabla's plain loop is literally: resample, fit, predict (oracle: scikit-learn's KRR)
    X, y = _sine(50, 5)
    grid = np.linspace(0, 1, 30)[:, None]
    ci = BootstrapCI(KernelRidge(alpha=0.1, kernel="rbf", gamma=10.0), n_bootstrap=25)
    ci.set_params(random_state=2).fit(X, y)
    loop = [
        SklearnKernelRidge(alpha=0.1, kernel="rbf", gamma=10.0).fit(X[i], y[i]).predict(grid)
        for i in ci.bootstrap_indices_
    ]
    np.testing.assert_allclose(ci.predict_bootstrap(grid), np.array(loop), atol=1e-10)


def test_shortcut_works_with_the_bare_interface() -> None:
    # an estimator module exposing _solve_kernel_ridge(K, y, alpha) without overwrite_K
    X, y = _sine(60, 6)
    est = InterfaceKernelRidge(alpha=0.2, kernel="rbf", gamma=8.0)
    fast = BootstrapCI(est, n_bootstrap=20, random_state=0).fit(X, y)
    slow = BootstrapCI(est, n_bootstrap=20, random_state=0, fast_path=False).fit(X, y)
    assert fast.fast_path_
    np.testing.assert_allclose(fast.predict_bootstrap(X), slow.predict_bootstrap(X), atol=1e-10)


def test_estimator_that_changes_predict_takes_the_plain_loop() -> None:
    X, y = _sine(30, 7)
    ci = BootstrapCI(InterceptKernelRidge(alpha=0.2, kernel="rbf"), n_bootstrap=5, random_state=0)
    ci.fit(X, y)
    assert not ci.fast_path_
    assert ci.predict(X[:3])[0] == pytest.approx(ci.estimator_.predict(X[:3]))


def test_no_shortcut_without_ridge_or_for_several_targets() -> None:
    X, y = _sine(30, 8)
    ci = BootstrapCI(KernelRidge(alpha=0.0, kernel="rbf"), n_bootstrap=3, random_state=0)
    with pytest.warns(UserWarning, match="Singular matrix"):
        ci.fit(X, y)
    assert not ci.fast_path_
    Y = np.column_stack([y, -y])
    ci = BootstrapCI(KernelRidge(alpha=0.1, kernel="rbf"), n_bootstrap=4, random_state=0)
    ci.fit(X, Y)
    assert not ci.fast_path_
    assert ci.predict(X[:2])[1].shape == (2, 2)


# --- identical results for any n_jobs and backend ---------------------------------------------


@pytest.mark.parametrize(
    "estimator", [KernelRidge(alpha=0.1, kernel="rbf", sigma=0.2), OLS()], ids=["fast", "generic"]
)
def test_serial_and_two_workers_give_identical_intervals(force_parallel, estimator) -> None:
    X, y = _sine(60, 9)
    serial = BootstrapCI(estimator, n_bootstrap=30, method="bca", random_state=4).fit(X, y)
    parallel = clone(serial).set_params(n_jobs=2).fit(X, y)
    for a, b in zip(serial.predict(X, True), parallel.predict(X, True)):
        np.testing.assert_array_equal(a, b)


def test_threading_backend_gives_identical_intervals(force_parallel) -> None:
    import joblib

    X, y = _sine(40, 10)
    serial = BootstrapCI(OLS(), n_bootstrap=20, random_state=1).fit(X, y)
    with joblib.parallel_config(backend="threading", n_jobs=2):
        threaded = BootstrapCI(OLS(), n_bootstrap=20, random_state=1).fit(X, y)
        result = threaded.predict(X)
    for a, b in zip(serial.predict(X), result):
        np.testing.assert_array_equal(a, b)


def _fits_on_dask(distributed, client, models, X, y) -> list[BootstrapCI]:
    """Fit each model under joblib's Dask backend; each fit must send tasks to the cluster."""
    import joblib

    fitted = []
    for model in models:
        with distributed.get_task_stream(client) as stream, joblib.parallel_config("dask"):
            model.fit(X, y)
        assert len(stream.data) > 0, f"{model!r} ran no task on the cluster"
        fitted.append(model)
    return fitted


def _assert_same_as_serial(models: list[BootstrapCI], X, y, Xq) -> None:
    for model in models:
        serial = clone(model).set_params(n_jobs=1).fit(X, y)
        for a, b in zip(serial.predict(Xq, True), model.predict(Xq, True)):
            np.testing.assert_array_equal(a, b)


def _dask_models() -> list[BootstrapCI]:
    return [
        # the kernel ridge shortcut, the plain loop, and BCa's jackknife refits
        BootstrapCI(KernelRidge(alpha=0.1, kernel="rbf", sigma=0.2), 24, random_state=6),
        BootstrapCI(OLS(), n_bootstrap=24, random_state=6),
        BootstrapCI(LinearRegression(), n_bootstrap=24, method="bca", random_state=7),
    ]


@pytest.mark.parametrize("processes", [False, True], ids=["thread-workers", "process-workers"])
def test_dask_cluster_gives_identical_intervals(force_parallel, processes: bool) -> None:
    """Two Dask workers, as threads or as processes (then the estimators and data really
    travel by pickle): every fit sends work to the cluster and equals the serial fit."""
    distributed = pytest.importorskip(
        "dask.distributed",
        reason="dask[distributed] (an optional test dependency) is needed for the Dask backend",
    )
    X, y = _sine(60, 12 if processes else 11)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=processes, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        fitted = _fits_on_dask(distributed, client, _dask_models(), X, y)
        pids = set(client.run(os.getpid).values())
    if processes:
        assert len(pids) == 2 and os.getpid() not in pids
    else:
        assert pids == {os.getpid()}
    _assert_same_as_serial(fitted, X, y, X)


def test_fitted_model_pickles() -> None:
    X, y = _sine(20, 12)
    ci = BootstrapCI(OLS(), n_bootstrap=5, random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(ci))
    for a, b in zip(ci.predict(X), again.predict(X)):
        np.testing.assert_array_equal(a, b)


# --- bad input --------------------------------------------------------------------------------


_PREFIX = r"The '{}' parameter of BootstrapCI must be "
BAD_PARAMS = [
    ("n_bootstrap", 0, r"an int in the range \[1, inf\)\. Got 0 instead"),
    ("confidence", 1.0, r"a float in the range \(0\.0, 1\.0\)\. Got 1\.0 instead"),
    ("confidence", 0, r"a float in the range \(0\.0, 1\.0\)\. Got 0 instead"),
    ("method", "normal", r"a str among .*'bca'.*\. Got 'normal' instead"),
    ("on_error", "ignore", r"a str among .*'skip'.*\. Got 'ignore' instead"),
]


@pytest.mark.parametrize(("param", "value", "rule"), BAD_PARAMS)
def test_bad_parameters_leave_a_fitted_model_unchanged(param, value, rule) -> None:
    X, y = _sine(20, 13)
    ci = BootstrapCI(OLS(), n_bootstrap=5, random_state=0).fit(X, y)
    before = ci.predict(X)
    state = dict(vars(ci))
    ci.set_params(**{param: value})
    with pytest.raises(InvalidParameterError, match=_PREFIX.format(param) + rule):
        ci.fit(X, y)
    assert {k: v for k, v in vars(ci).items() if k != param} == {
        k: v for k, v in state.items() if k != param
    }
    ci.set_params(**{param: state[param]})
    for a, b in zip(before, ci.predict(X)):
        np.testing.assert_array_equal(a, b)


def test_too_few_samples() -> None:
    with pytest.raises(ValueError, match="BootstrapCI: fit needs at least 2 samples"):
        BootstrapCI(OLS()).fit(np.ones((1, 1)), np.ones(1))


def _failing_data(n: int = 20) -> tuple[np.ndarray, np.ndarray]:
    X = np.arange(float(n))[:, None]  # X[:, 0] is the row number
    return X, np.random.default_rng(0).normal(size=n)


def _expected_failures(B: int, random_state: int, n: int) -> int:
    idx = _documented_indices(random_state, B, n)
    return int(np.sum(np.sum(idx == 0, axis=1) >= 3))


def test_failing_resamples_raise_with_a_count_by_default() -> None:
    X, y = _failing_data()
    n_bad = _expected_failures(100, 0, 20)
    assert 0 < n_bad < 100
    ci = BootstrapCI(FailsOnRepeats(), n_bootstrap=100, random_state=0)
    message = (
        rf"BootstrapCI: the estimator failed on {n_bad} of 100 bootstrap resamples \(first: "
        r"#\d+: ValueError: row 0 drawn \d+ times\)\. Pass on_error='skip'"
    )
    with pytest.raises(RuntimeError, match=message):
        ci.fit(X, y)
    assert not hasattr(ci, "estimator_")


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_refit_failing_on_resamples_leaves_the_previous_fit_intact(
    force_parallel, n_jobs: int
) -> None:
    X, y = _failing_data()
    ci = BootstrapCI(MeanRegressor(), n_bootstrap=30, method="bca", random_state=1)
    ci.set_params(n_jobs=n_jobs).fit(X, y)
    state = dict(vars(ci))
    before = ci.predict(X[:3], return_bootstrap=True)
    indices = ci.bootstrap_indices_
    changed = {"estimator": FailsOnRepeats(), "n_bootstrap": 100, "random_state": 0}
    ci.set_params(**changed)
    with pytest.raises(RuntimeError, match=r"failed on \d+ of 100 bootstrap resamples"):
        ci.fit(X, y)
    after = dict(vars(ci))
    assert set(after) == set(state)
    for key, value in state.items():
        if key in changed:
            assert after[key] is changed[key]
        else:  # not rebound, let alone modified
            assert after[key] is value, key
    assert ci.n_failed_ == 0 and len(ci.estimators_) == 30
    np.testing.assert_array_equal(ci.bootstrap_indices_, indices)
    np.testing.assert_array_equal(indices, _documented_indices(1, 30, 20))
    for a, b in zip(before, ci.predict(X[:3], return_bootstrap=True)):
        np.testing.assert_array_equal(a, b)


def test_failing_resamples_are_skipped_when_asked(force_parallel) -> None:
    X, y = _failing_data()
    n_bad = _expected_failures(100, 0, 20)
    ci = BootstrapCI(FailsOnRepeats(), n_bootstrap=100, random_state=0, on_error="skip", n_jobs=2)
    with pytest.warns(FitFailedWarning, match=rf"failed on {n_bad} of 100 bootstrap resamples"):
        ci.fit(X, y)
    assert ci.n_failed_ == n_bad
    kept = _documented_indices(0, 100, 20)
    kept = kept[np.sum(kept == 0, axis=1) < 3]
    np.testing.assert_array_equal(ci.bootstrap_indices_, kept)
    np.testing.assert_allclose(ci.predict_bootstrap(X[:1])[:, 0], y[kept].mean(axis=1))


def test_estimator_failing_on_every_resample_raises_even_when_skipping() -> None:
    # every resample of 20 distinct rows repeats one (all but 20!/20^20 of them)
    X, y = _failing_data()
    ci = BootstrapCI(FailsOnDuplicates(), n_bootstrap=5, on_error="skip", random_state=0)
    with pytest.raises(RuntimeError, match=r"failed on 5 of 5 .*nothing is left"):
        ci.fit(X, y)


def test_predict_before_fit() -> None:
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="BootstrapCI"):
        BootstrapCI(OLS()).predict(np.ones((2, 1)))
