"""scikit-learn's estimator checks (the API contract) for every classical estimator."""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from nabla.discriminant_analysis import GaussianClassifier
from nabla.kernel_ridge import KernelRidge
from nabla.linear_model import Lasso, LinearRegression, LogisticRegression, Ridge, SoftmaxRegression
from nabla.neighbors import KNeighborsClassifier, KNeighborsRegressor
from nabla.preprocessing import PolynomialFeatures, RBFFeatures

ESTIMATORS = [
    LinearRegression(),
    Ridge(),
    Lasso(),
    LogisticRegression(),
    LogisticRegression(solver="newton"),
    SoftmaxRegression(),
    KernelRidge(),
    KernelRidge(kernel="rbf", sigma=1.0),
    KernelRidge(kernel="precomputed"),
    KNeighborsClassifier(),
    KNeighborsClassifier(weights="distance", metric="manhattan"),
    KNeighborsRegressor(),
    GaussianClassifier(),
    GaussianClassifier(covariance="shared"),
    GaussianClassifier(covariance="diagonal", priors="equal"),
    PolynomialFeatures(),
    RBFFeatures(),
    RBFFeatures(centers="kmeans++", n_centers=2, random_state=0),
]


def _expected_failed_checks(estimator: object) -> dict[str, str]:
    # every check applies and passes; a check that cannot apply would be listed here
    # with its reason
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator: object, check: object) -> None:
    check(estimator)  # type: ignore[operator]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_init_only_stores(estimator: object) -> None:
    """__init__ stores its keyword arguments unchanged and sets nothing else."""
    params = estimator.get_params()  # type: ignore[attr-defined]
    assert set(vars(estimator)) == set(params)
