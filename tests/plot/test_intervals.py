"""plot_intervals (ideal against bootstrap band, coverage stated) and plot_ecdf."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from nabla.plot import plot_ecdf, plot_intervals
from tests.plot._helpers import assert_blank, blank_axes, legend_texts

X = np.linspace(0.0, 1.0, 15)


def _predictions(seed, B, shift=0.0, scale=0.1):
    rng = np.random.default_rng(seed)
    return np.sin(2 * np.pi * X) + shift + rng.normal(0, scale, size=(B, X.size))


def _band_vertices(collection):
    """The lower and upper edges of a fill_between band, as (x, y) vertices."""
    return collection.get_paths()[0].vertices


def test_bands_are_the_percentiles_and_the_coverage_is_stated() -> None:
    ideal = _predictions(0, 300)
    boot = _predictions(1, 200, shift=0.05, scale=0.08)
    truth = np.sin(2 * np.pi * X)
    ax = plot_intervals(
        X[:, None], ideal, boot, prediction=truth + 0.05, truth=truth,
        X_train=X, y_train=truth, ax=blank_axes(),
    )  # fmt: skip
    lo_i, hi_i = np.percentile(ideal, [5, 95], axis=0)
    lo_b, hi_b = np.percentile(boot, [5, 95], axis=0)
    for band, lo, hi in ((ax.collections[0], lo_i, hi_i), (ax.collections[1], lo_b, hi_b)):
        v = _band_vertices(band)
        for x, low, high in zip(X, lo, hi):
            ys = v[np.isclose(v[:, 0], x), 1]
            assert ys.min() == pytest.approx(low) and ys.max() == pytest.approx(high)
    coverage = np.mean((ideal >= lo_b) & (ideal <= hi_b))
    assert ax.get_title() == (
        f"bootstrap 90% band holds {100 * coverage:.1f}% of the fresh-set predictions"
    )
    assert legend_texts(ax) == [
        "ideal 90% band (300 fresh training sets)",
        "bootstrap 90% band (200 resamples)",
        "fit",
        "truth",
        "training data",
    ]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), truth)


def test_bootstrap_bounds_given_directly_and_other_level() -> None:
    ideal = _predictions(0, 100)
    low, high = np.full(X.size, -0.5), np.full(X.size, 0.5)
    ax = plot_intervals(X, ideal, (low, high), confidence=0.8)
    coverage = np.mean((ideal >= -0.5) & (ideal <= 0.5))
    assert f"holds {100 * coverage:.1f}%" in ax.get_title() and "80% band" in ax.get_title()
    lo_i, hi_i = np.quantile(ideal, [0.1, 0.9], axis=0)
    v = _band_vertices(ax.collections[0])
    assert v[:, 1].min() == pytest.approx(lo_i.min()) and v[:, 1].max() == pytest.approx(hi_i.max())
    assert legend_texts(ax)[1] == "bootstrap 80% band"


@pytest.mark.parametrize(
    ("ideal", "boot", "kwargs", "exc", "match"),
    [
        (np.zeros((10, 14)), np.zeros((10, 15)), {}, ValueError, r"shape \(B_fresh, 15\)"),
        (np.zeros((10, 15)), np.zeros((10, 14)), {}, ValueError,
         "bootstrap has 14 points but x has 15"),
        (np.zeros((10, 15)), (np.zeros(15),), {}, ValueError, r"must be \(lower, upper\)"),
        (np.zeros((10, 15)), np.zeros((10, 15)), {"truth": np.zeros(3)}, ValueError,
         "truth has 3 points but x has 15"),
        (np.zeros((10, 15)), np.zeros((10, 15)), {"confidence": 90}, ValueError,
         "confidence must be a float strictly between 0 and 1"),
        (np.full((10, 15), np.nan), np.zeros((10, 15)), {}, ValueError, "ideal has 150 non-finite"),
        (np.zeros((10, 15)), np.zeros((10, 15)), {"X_train": X}, ValueError,
         "give both X_train and y_train"),
    ],
)  # fmt: skip
def test_intervals_bad_input_draws_nothing(ideal, boot, kwargs, exc, match) -> None:
    ax = blank_axes()
    with pytest.raises(exc, match=match):
        plot_intervals(X, ideal, boot, ax=ax, **kwargs)
    assert_blank(ax)


def test_ecdf_steps_are_scipys_ecdf() -> None:
    rng = np.random.default_rng(0)
    a = np.round(rng.normal(size=40), 1)  # ties on purpose
    b = rng.normal(0.5, 1.0, size=25)
    ax = plot_ecdf({"bootstrap": a, "fresh sets": b}, confidence=0.9, ax=blank_axes())
    for line, sample in zip(ax.lines[:2], (a, b)):
        x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        u = np.unique(sample)
        np.testing.assert_array_equal(x, np.r_[u[0], u])
        np.testing.assert_allclose(y[1:], stats.ecdf(sample).cdf.evaluate(u), rtol=1e-12)
        assert y[0] == 0.0 and line.get_drawstyle() == "steps-post"
    # the levels, then each sample's 5% and 95% quantiles, in its colour
    np.testing.assert_allclose(ax.lines[2].get_ydata(), [0.05, 0.05], rtol=1e-12)
    np.testing.assert_allclose(ax.lines[3].get_ydata(), [0.95, 0.95], rtol=1e-12)
    for k, sample in enumerate((a, b)):
        qs = [ax.lines[4 + 2 * k + j].get_xdata()[0] for j in range(2)]
        np.testing.assert_allclose(qs, np.quantile(sample, [0.05, 0.95]))
        assert ax.lines[4 + 2 * k].get_color() == ax.lines[k].get_color()
    assert legend_texts(ax) == ["bootstrap", "fresh sets", "levels 0.05 and 0.95"]
    assert ax.get_ylabel() == "empirical CDF" and ax.get_xlabel() == "prediction f(x)"


def test_ecdf_single_sample_and_list_with_labels() -> None:
    ax = plot_ecdf([2.0, 1.0])
    assert len(ax.lines) == 1 and ax.get_legend() is None
    ax = plot_ecdf([np.array([1.0, 2.0]), np.array([0.0, 5.0, 6.0])], labels=["a", "b"])
    assert legend_texts(ax) == ["a", "b"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [0, 1 / 3, 2 / 3, 1])


@pytest.mark.parametrize(
    ("samples", "kwargs", "exc", "match"),
    [
        ([], {}, ValueError, "sample is empty"),
        ([1.0, np.nan], {}, ValueError, "non-finite"),
        ([[1.0, 2.0], [3.0, 4.0]], {"labels": ["a"]}, ValueError, r"got 1 labels for 2 sample"),
        ([1.0, 2.0], {"confidence": 1.0}, ValueError, "confidence must be a float"),
        ({"a": [1.0]}, {"labels": ["b"]}, TypeError, "labels are the dict's keys"),
    ],
)
def test_ecdf_bad_input_draws_nothing(samples, kwargs, exc, match) -> None:
    ax = blank_axes()
    with pytest.raises(exc, match=match):
        plot_ecdf(samples, ax=ax, **kwargs)
    assert_blank(ax)
