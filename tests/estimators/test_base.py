"""The shared estimator layer (nabla.base): the constraint table, its messages, sample
weights, and the rollback of a failed refit."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone

from nabla.base import (
    Interval,
    InvalidParameterError,
    StrOptions,
    check_sample_weight,
    validate_params,
)
from nabla.discriminant_analysis import (
    GaussianClassifier,
    LinearDiscriminantAnalysis,
    QuadraticDiscriminantAnalysis,
)
from nabla.kernel_ridge import KernelRidge
from nabla.linear_model import Lasso, LinearRegression, LogisticRegression, Ridge, SoftmaxRegression
from nabla.naive_bayes import GaussianNB
from nabla.neighbors import KNeighborsClassifier, KNeighborsRegressor
from nabla.neural_network import MLPClassifier, MLPRegressor
from nabla.preprocessing import PolynomialFeatures, RBFFeatures

MIGRATED = [
    LinearRegression(), Ridge(), Lasso(), LogisticRegression(), SoftmaxRegression(),
    KernelRidge(), KNeighborsClassifier(), KNeighborsRegressor(), GaussianClassifier(),
    MLPClassifier(), MLPRegressor(), PolynomialFeatures(), RBFFeatures(),
    LinearDiscriminantAnalysis(), QuadraticDiscriminantAnalysis(), GaussianNB(),
]  # fmt: skip


class _Toy(BaseEstimator):
    _constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "k": [Interval(Integral, 1, 10, closed="both")],
        "mode": [StrOptions({"b", "a"}), None],
        "flag": ["boolean"],
        "seed": ["random_state"],
        "fn": [callable, dict],
        "off": [False],
        "jobs": [Integral, None],
    }

    def __init__(
        self, alpha=1.0, k=1, mode="a", flag=True, seed=None, fn=dict, off=False, jobs=None
    ):
        self.alpha, self.k, self.mode, self.flag = alpha, k, mode, flag
        self.seed, self.fn, self.off, self.jobs = seed, fn, off, jobs


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"alpha": -1},
            "The 'alpha' parameter of _Toy must be a float in the range "
            "[0.0, inf). Got -1 instead.",
        ),
        (
            {"alpha": np.nan},
            "The 'alpha' parameter of _Toy must be a float in the range "
            "[0.0, inf). Got nan instead.",
        ),
        ({"alpha": True}, "Got True instead."),
        ({"alpha": "1"}, "Got '1' instead."),
        (
            {"k": 11},
            "The 'k' parameter of _Toy must be an int in the range [1, 10]. Got 11 instead.",
        ),
        ({"k": 2.0}, "must be an int in the range [1, 10]. Got 2.0 instead."),
        (
            {"mode": "c"},
            "The 'mode' parameter of _Toy must be a str among {'a', 'b'} or None. Got 'c' instead.",
        ),
        ({"flag": 1}, "The 'flag' parameter of _Toy must be an instance of 'bool'. Got 1 instead."),
        (
            {"seed": -1},
            "an int in the range [0, 4294967295], an instance of "
            "'numpy.random.RandomState', an instance of 'numpy.random.Generator' or None. "
            "Got -1 instead.",
        ),
        (
            {"fn": 3},
            "The 'fn' parameter of _Toy must be a callable or an instance of "
            "'dict'. Got 3 instead.",
        ),
        ({"off": True}, "The 'off' parameter of _Toy must be False. Got True instead."),
        (
            {"jobs": 1.5},
            "The 'jobs' parameter of _Toy must be an instance of 'int' or None. Got 1.5 instead.",
        ),
        ({"jobs": True}, "must be an instance of 'int' or None. Got True instead."),
    ],
)
def test_constraint_messages_have_sklearn_wording(params, message) -> None:
    with pytest.raises(InvalidParameterError) as info:
        validate_params(_Toy(**params))
    assert message in str(info.value)


@pytest.mark.parametrize(
    "params",
    [
        {"alpha": 0},
        {"alpha": np.float32(2.5)},
        {"alpha": np.inf},
        {"k": np.int64(10)},
        {"mode": None},
        {"flag": np.bool_(False)},
        {"seed": np.random.RandomState(0)},
        {"seed": np.random.default_rng(0)},
        {"seed": 2**32 - 1},
        {"fn": {}},
        {"fn": len},
    ],
)
def test_valid_values_pass(params) -> None:
    validate_params(_Toy(**params))  # raises on failure


def test_invalid_parameter_error_is_value_and_type_error() -> None:
    assert issubclass(InvalidParameterError, ValueError)
    assert issubclass(InvalidParameterError, TypeError)


def test_ridge_message_matches_the_issue_word_for_word() -> None:
    X, y = np.eye(3), np.arange(3.0)
    with pytest.raises(
        InvalidParameterError,
        match=r"^The 'alpha' parameter of Ridge must be a float in the range \[0\.0, inf\)\. "
        r"Got -1 instead\.$",
    ):
        Ridge(alpha=-1).fit(X, y)


@pytest.mark.parametrize("estimator", MIGRATED, ids=lambda e: type(e).__name__)
def test_every_hyper_parameter_has_a_constraint(estimator) -> None:
    """The table and the constructor name the same parameters (scikit-learn's own rule)."""
    assert set(type(estimator)._constraints) == set(estimator.get_params(deep=False))
    validate_params(estimator)  # the defaults satisfy the table


def test_sample_weight_check_values_and_messages() -> None:
    np.testing.assert_array_equal(check_sample_weight(2, 3), [2.0, 2.0, 2.0])
    assert check_sample_weight(None, 3) is None
    w = check_sample_weight([1, 0, 3], 3)
    assert w.dtype == np.float64
    np.testing.assert_array_equal(w, [1.0, 0.0, 3.0])
    cases = [
        ([1.0, 2.0], r"sample_weight.shape == \(2,\), expected \(3,\)"),
        (np.ones((3, 1)), r"sample_weight.shape == \(3, 1\), expected \(3,\)"),
        ([1.0, np.nan, 1.0], "sample_weight contains NaN or infinity"),
        ([1.0, np.inf, 1.0], "sample_weight contains NaN or infinity"),
        ([1.0, -1.0, 1.0], "Negative values in data passed to sample_weight"),
        ([0.0, 0.0, 0.0], "at least one non-zero number"),
        (["a", "b", "c"], "sample_weight must be numbers"),
    ]
    for bad, msg in cases:
        with pytest.raises(ValueError, match=msg):
            check_sample_weight(bad, 3)


def _state(est):
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(est).items()}


def _same(a, b) -> None:
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], np.ndarray):
            np.testing.assert_array_equal(a[k], b[k])
        else:
            assert a[k] == b[k] or a[k] is b[k], k


@pytest.mark.parametrize(
    "estimator",
    [LinearRegression(), Ridge(), Lasso(), KernelRidge(kernel="rbf")],
    ids=lambda e: type(e).__name__,
)
def test_failed_weighted_refit_rolls_back(estimator) -> None:
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), rng.standard_normal(20)
    est = clone(estimator).fit(X, y)
    before, pred = _state(est), est.predict(X)
    with pytest.raises(ValueError, match="Negative values"):
        est.fit(X[:, :2], y, sample_weight=-np.ones(20))
    with pytest.raises(ValueError, match="expected"):
        est.fit(X[:, :2], y, sample_weight=np.ones(5))
    _same(before, _state(est))
    np.testing.assert_array_equal(est.predict(X), pred)


def test_invalid_keyword_refit_rolls_back() -> None:
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((20, 3)), rng.standard_normal(20)
    est = Lasso(alpha=0.01).fit(X, y)
    before = _state(est)
    est.set_params(selection="shuffled")
    with pytest.raises(InvalidParameterError, match="'selection' parameter of Lasso"):
        est.fit(X[:, :2], y)
    before["selection"] = "shuffled"
    _same(before, _state(est))
