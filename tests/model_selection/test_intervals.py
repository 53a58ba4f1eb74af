"""Interval formulas and ``bootstrap_ci`` against hand computations, NumPy and SciPy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from nabla.model_selection import bootstrap_ci
from nabla.model_selection._intervals import interval, quantile

# --- the formulas on a hand-made bootstrap distribution ------------------------------------


def test_percentile_and_basic_on_hand_made_distribution() -> None:
    # theta_b = 1..100, 90%: type-7 quantile at 0.05 is at h = 99 * 0.05 = 4.95, between the
    # 5th and 6th order statistics (5 and 6): 5.95; at 0.95, h = 94.05: 95.05.
    theta_b = np.arange(100.0, 0.0, -1.0)  # order must not matter
    low, high = interval(np.array(50.0), theta_b, 0.90, "percentile")
    assert low == pytest.approx(5.95, abs=1e-12)
    assert high == pytest.approx(95.05, abs=1e-12)
    # basic: [2*50 - 95.05, 2*50 - 5.95]
    low, high = interval(np.array(50.0), theta_b, 0.90, "basic")
    assert low == pytest.approx(4.95, abs=1e-12)
    assert high == pytest.approx(94.05, abs=1e-12)


def test_interval_is_elementwise_over_outputs() -> None:
    rng = np.random.default_rng(0)
    theta_b = rng.normal(size=(57, 3, 2))
    theta_hat = rng.normal(size=(3, 2))
    low, high = interval(theta_hat, theta_b, 0.8, "percentile")
    np.testing.assert_allclose(low, np.quantile(theta_b, 0.1, axis=0), rtol=1e-13)
    np.testing.assert_allclose(high, np.quantile(theta_b, 0.9, axis=0), rtol=1e-13)
    low, high = interval(theta_hat, theta_b, 0.8, "basic")
    np.testing.assert_allclose(low, 2 * theta_hat - np.quantile(theta_b, 0.9, axis=0))
    np.testing.assert_allclose(high, 2 * theta_hat - np.quantile(theta_b, 0.1, axis=0))


@pytest.mark.parametrize("B", [1, 2, 7, 100])
def test_quantile_matches_numpy_at_per_element_levels(B: int) -> None:
    rng = np.random.default_rng(B)
    data = np.sort(rng.normal(size=(B, 4)), axis=0)
    levels = np.array([0.0, 0.031, 0.5, 1.0])
    got = quantile(data, levels)
    expected = [np.quantile(data[:, j], levels[j]) for j in range(4)]
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-15)


# --- BCa against a NumPy implementation of Efron & Tibshirani's formulas -------------------


def _bca_reference(theta_hat, theta_b, theta_jack, confidence):
    """BCa written directly from Efron & Tibshirani (1993), eqs. 14.14-14.15."""
    alpha = (1 - confidence) / 2
    B = len(theta_b)
    p0 = (np.sum(theta_b < theta_hat) + np.sum(theta_b <= theta_hat)) / (2 * B)
    z0 = stats.norm.ppf(p0)
    d = theta_jack.mean() - theta_jack
    a = np.sum(d**3) / (6 * np.sum(d**2) ** 1.5)
    levels = []
    for z in (stats.norm.ppf(alpha), stats.norm.ppf(1 - alpha)):
        levels.append(stats.norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z))))
    return tuple(np.quantile(theta_b, q) for q in levels)


def test_bca_matches_textbook_formula_on_given_resamples() -> None:
    rng = np.random.default_rng(3)
    x = rng.exponential(size=30)
    idx = rng.integers(0, 30, size=(500, 30))
    theta_b = x[idx].mean(axis=1)
    theta_jack = np.array([np.delete(x, i).mean() for i in range(30)])
    low, high = interval(np.array(x.mean()), theta_b, 0.9, "bca", theta_jack)
    ref_low, ref_high = _bca_reference(x.mean(), theta_b, theta_jack, 0.9)
    assert low == pytest.approx(ref_low, rel=1e-12)
    assert high == pytest.approx(ref_high, rel=1e-12)


def test_bootstrap_ci_equals_formulas_on_its_own_resamples() -> None:
    # the resampling scheme is documented: default_rng(seed).integers(0, n, (B, n))
    rng = np.random.default_rng(5)
    x = rng.gamma(2.0, size=40)
    idx = np.random.default_rng(11).integers(0, 40, size=(300, 40))
    theta_b = np.median(x[idx], axis=1)
    res = bootstrap_ci(np.median, x, n_bootstrap=300, random_state=11, method="percentile")
    np.testing.assert_array_equal(res.bootstrap_distribution, theta_b)
    assert res.low == pytest.approx(np.quantile(theta_b, 0.05), rel=1e-13)
    assert res.high == pytest.approx(np.quantile(theta_b, 0.95), rel=1e-13)
    assert res.standard_error == pytest.approx(np.std(theta_b, ddof=1), rel=1e-13)
    res = bootstrap_ci(np.median, x, n_bootstrap=300, random_state=11, method="bca")
    jack = np.array([np.median(np.delete(x, i)) for i in range(40)])
    ref = _bca_reference(np.median(x), theta_b, jack, 0.9)
    assert (res.low, res.high) == pytest.approx(ref, rel=1e-12)


# --- bootstrap_ci against scipy.stats.bootstrap (same resamples, same seed) ---------------


def _mean_diff(a, b, axis=-1):
    return np.mean(a, axis=axis) - np.mean(b, axis=axis)


def _corr(a, b):
    return np.corrcoef(a, b)[0, 1]


@pytest.mark.parametrize("method", ["percentile", "basic", "bca"])
def test_matches_scipy_one_sample(method: str) -> None:
    x = np.random.default_rng(0).lognormal(size=35)
    ours = bootstrap_ci(np.mean, x, n_bootstrap=999, method=method, random_state=7)
    ref = stats.bootstrap(
        (x,), np.mean, n_resamples=999, method=method, rng=7, confidence_level=0.9
    )
    np.testing.assert_allclose(ours.bootstrap_distribution, ref.bootstrap_distribution, rtol=1e-14)
    assert ours.low == pytest.approx(ref.confidence_interval.low, rel=1e-12)
    assert ours.high == pytest.approx(ref.confidence_interval.high, rel=1e-12)
    assert ours.standard_error == pytest.approx(ref.standard_error, rel=1e-12)


@pytest.mark.parametrize("method", ["percentile", "basic", "bca"])
def test_matches_scipy_two_independent_samples(method: str) -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=25), rng.normal(1.0, 2.0, size=31)
    ours = bootstrap_ci(
        _mean_diff, (a, b), n_bootstrap=500, method=method, random_state=2, confidence=0.95
    )
    ref = stats.bootstrap(
        (a, b), _mean_diff, n_resamples=500, method=method, rng=2, confidence_level=0.95
    )
    assert (ours.low, ours.high) == pytest.approx(tuple(ref.confidence_interval), rel=1e-12)


@pytest.mark.parametrize("method", ["percentile", "basic", "bca"])
def test_matches_scipy_paired_not_vectorized(method: str) -> None:
    rng = np.random.default_rng(2)
    a = rng.normal(size=30)
    b = a + rng.normal(size=30)
    ours = bootstrap_ci(_corr, (a, b), n_bootstrap=300, method=method, paired=True, random_state=4)
    ref = stats.bootstrap(
        (a, b), _corr, n_resamples=300, method=method, paired=True, vectorized=False, rng=4,
        confidence_level=0.9,
    )  # fmt: skip
    assert (ours.low, ours.high) == pytest.approx(tuple(ref.confidence_interval), rel=1e-12)


def test_vector_valued_statistic() -> None:
    x = np.random.default_rng(4).normal(size=(40, 3))
    res = bootstrap_ci(np.mean, x, n_bootstrap=200, random_state=0)
    idx = np.random.default_rng(0).integers(0, 40, size=(200, 40))
    np.testing.assert_allclose(res.bootstrap_distribution, x[idx].mean(axis=1), rtol=1e-14)
    assert res.low.shape == (3,) and np.all(res.low < res.high)


def test_results_do_not_depend_on_n_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    from nabla.model_selection import _parallel

    monkeypatch.setattr(_parallel, "MIN_PARALLEL_SECONDS", 0.0)  # force the parallel path
    x = np.random.default_rng(6).normal(size=50)
    serial = bootstrap_ci(np.std, x, n_bootstrap=1100, random_state=3, method="bca")
    parallel = bootstrap_ci(np.std, x, n_bootstrap=1100, random_state=3, method="bca", n_jobs=2)
    np.testing.assert_array_equal(serial.bootstrap_distribution, parallel.bootstrap_distribution)
    assert (serial.low, serial.high) == (parallel.low, parallel.high)


def test_mean_interval_covers_at_about_the_nominal_rate() -> None:
    # 300 seeded normal samples of n=40; the percentile interval of the mean covers the
    # true mean 0 about 90% of the time (slightly less for small n)
    rng = np.random.default_rng(2024)
    covered = 0
    for rep in range(300):
        x = rng.normal(size=40)
        res = bootstrap_ci(np.mean, x, n_bootstrap=400, random_state=rep)
        covered += res.low <= 0.0 <= res.high
    assert 0.84 <= covered / 300 <= 0.95


def test_degenerate_bca_warns_and_gives_nan() -> None:
    with pytest.warns(RuntimeWarning, match="degenerate"):
        res = bootstrap_ci(np.mean, np.ones(10), n_bootstrap=50, method="bca", random_state=0)
    assert np.isnan(res.low) and np.isnan(res.high)


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("n_bootstrap", [0, -3])
def test_n_bootstrap_below_one(n_bootstrap: int) -> None:
    with pytest.raises(ValueError, match=r"bootstrap_ci: n_bootstrap must be an int >= 1; got"):
        bootstrap_ci(np.mean, np.arange(5.0), n_bootstrap=n_bootstrap)


def test_n_bootstrap_not_int() -> None:
    with pytest.raises(TypeError, match=r"n_bootstrap must be an int >= 1; got 2.5"):
        bootstrap_ci(np.mean, np.arange(5.0), n_bootstrap=2.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5, -0.1, True, "0.9"])
def test_confidence_outside_open_unit_interval(confidence: object) -> None:
    with pytest.raises(ValueError, match=r"confidence must be a float strictly between 0 and 1"):
        bootstrap_ci(np.mean, np.arange(5.0), confidence=confidence)  # type: ignore[arg-type]


def test_unknown_method() -> None:
    with pytest.raises(ValueError, match=r"method must be one of \['percentile', 'basic', 'bca'\]"):
        bootstrap_ci(np.mean, np.arange(5.0), method="studentized")


def test_bad_data() -> None:
    with pytest.raises(ValueError, match="at least 2 observations"):
        bootstrap_ci(np.mean, np.array([1.0]))
    with pytest.raises(ValueError, match="paired samples must have equal length"):
        bootstrap_ci(_corr, (np.arange(4.0), np.arange(5.0)), paired=True)
    with pytest.raises(TypeError, match="statistic must be callable"):
        bootstrap_ci("mean", np.arange(5.0))  # type: ignore[arg-type]


def test_input_data_is_not_modified() -> None:
    x = np.random.default_rng(0).normal(size=20)
    before = x.copy()
    bootstrap_ci(np.sort, x, n_bootstrap=20, random_state=0, vectorized=False)
    np.testing.assert_array_equal(x, before)
