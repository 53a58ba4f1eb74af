"""plot_validation_curve: the errors are scikit-learn's validation_curve; the best value marked."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, validation_curve
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures

from nabla.plot import plot_validation_curve
from tests.plot._helpers import assert_blank, blank_axes, legend_texts


def _poly_data():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(40, 1))
    y = 1.0 - 2.0 * x[:, 0] + 3.0 * x[:, 0] ** 2 + rng.normal(0, 0.3, 40)
    return x, y


def test_polynomial_degree_against_sklearn_validation_curve() -> None:
    X, y = _poly_data()
    model = make_pipeline(PolynomialFeatures(), Ridge(alpha=1e-8))
    degrees = [1, 2, 4, 8, 12]
    cv = KFold(5, shuffle=True, random_state=0)
    ax = plot_validation_curve(
        model, "polynomialfeatures__degree", degrees, X, y, cv=cv,
        scoring="neg_mean_squared_error", ax=blank_axes(),
    )  # fmt: skip
    train, test = validation_curve(
        model, X, y, param_name="polynomialfeatures__degree", param_range=degrees, cv=cv,
        scoring="neg_mean_squared_error",
    )  # fmt: skip
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), degrees)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), -train.mean(axis=1), rtol=1e-10)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), -test.mean(axis=1), rtol=1e-10)
    best = degrees[int(np.argmin(-test.mean(axis=1)))]
    assert best == 2  # the true degree
    np.testing.assert_array_equal(ax.lines[2].get_xdata(), [best, best])
    assert legend_texts(ax) == [
        "training error",
        "validation error",
        "chosen: polynomialfeatures__degree = 2",
    ]
    assert ax.get_ylabel() == "mean squared error" and ax.get_xscale() == "linear"
    assert ax.get_xlabel() == "polynomialfeatures__degree"
    assert len(ax.collections) == 2  # ± std bands over the folds
    assert "5-fold" in ax.get_title()


def test_classifier_error_rate_default_cv_and_log_scale() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] + 0.5 * rng.normal(size=60) > 0).astype(int)
    ks = [1, 3, 9, 27]
    ax = plot_validation_curve(KNeighborsClassifier(), "n_neighbors", ks, X, y, cv=3)
    train, test = validation_curve(
        KNeighborsClassifier(), X, y, param_name="n_neighbors", param_range=ks, cv=3
    )
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 1 - train.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 1 - test.mean(axis=1), rtol=1e-12)
    assert ax.get_ylabel() == "error rate (1 - accuracy)"
    X2, y2 = _poly_data()
    ax = plot_validation_curve(Ridge(), "alpha", [1e-3, 1e-1, 10.0, 1e3], X2, y2, cv=4)
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "error (1 - R²)"


@pytest.mark.parametrize(
    ("param", "values", "kwargs", "exc", "match"),
    [
        ("lambda", [1.0, 2.0], {}, ValueError, r"Ridge has no parameter 'lambda'; it has \["),
        ("alpha", [1.0], {}, ValueError, "values needs at least 2 values of 'alpha'"),
        ("alpha", "1,2", {}, TypeError, "values must be a list of values"),
        ("alpha", [0.0, 1.0], {"xscale": "log"}, ValueError, "xscale='log' needs positive"),
        ("alpha", [1.0, 2.0], {"y_cut": 1}, ValueError, "inconsistent numbers of samples"),
    ],
)
def test_bad_input_draws_nothing(param, values, kwargs, exc, match) -> None:
    X, y = _poly_data()
    if kwargs.pop("y_cut", None):
        y = y[:-1]
    ax = blank_axes()
    with pytest.raises(exc, match=match):
        plot_validation_curve(Ridge(), param, values, X, y, ax=ax, **kwargs)
    assert_blank(ax)
