"""The bad-input catalogue: scikit-learn's messages, and a failed refit changes nothing."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import scipy.sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from nabla.base import InvalidParameterError
from nabla.discriminant_analysis import GaussianClassifier
from nabla.kernel_ridge import KernelRidge
from nabla.linear_model import Lasso, LinearRegression, LogisticRegression, Ridge, SoftmaxRegression
from nabla.neighbors import KNeighborsClassifier, KNeighborsRegressor
from nabla.neural_network import MLPClassifier, MLPRegressor
from nabla.preprocessing import PolynomialFeatures, RBFFeatures

# the MLPs stop at max_iter=5 on purpose (fast); their ConvergenceWarning is expected
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

REGRESSORS = [
    LinearRegression(),
    Ridge(),
    Lasso(alpha=0.01),
    KernelRidge(kernel="rbf"),
    KNeighborsRegressor(n_neighbors=3),
    MLPRegressor((4,), max_iter=5, random_state=0),
]
CLASSIFIERS = [
    LogisticRegression(),
    SoftmaxRegression(),
    KNeighborsClassifier(n_neighbors=3),
    GaussianClassifier(),
    MLPClassifier((4,), max_iter=5, random_state=0),
]
TRANSFORMERS = [PolynomialFeatures(), RBFFeatures()]
ALL = REGRESSORS + CLASSIFIERS + TRANSFORMERS


def _ids(e: object) -> str:
    return type(e).__name__


def _data(n: int = 30, d: int = 4):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    return X, (X[:, 0] > 0).astype(int)


def _fit(est, X, y):
    return est.fit(X) if est in TRANSFORMERS or not hasattr(est, "predict") else est.fit(X, y)


def _snapshot(est) -> dict:
    return copy.deepcopy(vars(est))


def _assert_same_state(before: dict, est) -> None:
    after = vars(est)
    assert set(after) == set(before)
    for key, value in before.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(after[key], value)
        elif hasattr(value, "state_dict"):  # an MLP's network: the same weights
            state, now = value.state_dict(), after[key].state_dict()
            assert set(now) == set(state), key
            for name, tensor in state.items():
                np.testing.assert_array_equal(now[name].numpy(), tensor.numpy(), err_msg=name)
        elif key.startswith("_screen"):
            assert (after[key] is None) == (value is None)
        else:
            assert after[key] == value or after[key] is value, key


def _output(est, X):
    return est.transform(X) if hasattr(est, "transform") else est.predict(X)


BAD_X = [
    ("nan", lambda X: np.where(X > 1.5, np.nan, X), ValueError, "Input X contains NaN"),
    ("inf", lambda X: np.where(X > 1.5, np.inf, X), ValueError, "Input X contains infinity"),
    ("1-D", lambda X: X[:, 0], ValueError, "Expected 2D array, got 1D array instead"),
    ("3-D", lambda X: X[:, :, None], ValueError, "Found array with dim 3"),
    ("no features", lambda X: X[:, :0], ValueError, "0 feature\\(s\\)"),
    (
        "strings",
        lambda X: X.astype(str).astype(object) + "x",
        ValueError,
        "could not convert string to float",
    ),
    ("complex", lambda X: X + 1j, ValueError, "Complex data not supported"),
    (
        "sparse",
        lambda X: scipy.sparse.csr_matrix(X),
        TypeError,
        "Sparse data was passed for X, but dense data is required",
    ),
]


@pytest.mark.parametrize(("case", "make", "exc", "msg"), BAD_X, ids=[c[0] for c in BAD_X])
@pytest.mark.parametrize("estimator", ALL, ids=_ids)
def test_bad_X_raises_and_a_failed_refit_changes_nothing(estimator, case, make, exc, msg) -> None:
    X, y = _data()
    est = _fit(clone(estimator), X, y)
    before, out = _snapshot(est), _output(est, X)
    with pytest.raises(exc, match=msg):
        _fit(est, make(X), y)
    _assert_same_state(before, est)
    np.testing.assert_array_equal(_output(est, X), out)


@pytest.mark.parametrize("estimator", REGRESSORS + CLASSIFIERS, ids=_ids)
def test_bad_y_and_lengths(estimator) -> None:
    X, y = _data()
    est = _fit(clone(estimator), X, y)
    before = _snapshot(est)
    with pytest.raises(ValueError, match="Input y contains NaN"):
        est.fit(X, np.where(y > 0, np.nan, 0.0))
    with pytest.raises(ValueError, match="Input y contains infinity"):
        est.fit(X, np.where(y > 0, -np.inf, 0.0))
    with pytest.raises(ValueError, match="Complex data not supported"):
        est.fit(X, y + 1j)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        est.fit(X, y[:-1])
    with pytest.raises(ValueError, match="0 sample\\(s\\)"):
        est.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="requires y to be passed"):
        est.fit(X, None)
    _assert_same_state(before, est)


@pytest.mark.parametrize(
    "strings",
    [
        lambda y: np.where(y > 0, "a", "b"),  # a NumPy string array
        lambda y: [str(v) + "x" for v in y],  # a list of Python strings
        lambda y: np.where(y > 0, "a", "b").astype(object),
    ],
    ids=["str-array", "str-list", "object-array"],
)
@pytest.mark.parametrize("estimator", REGRESSORS, ids=_ids)
def test_regressors_reject_string_targets(estimator, strings) -> None:
    X, y = _data()
    est = _fit(clone(estimator), X, y)
    before, out = _snapshot(est), _output(est, X)
    with pytest.raises(ValueError, match="could not convert string to float"):
        est.fit(X, strings(y))
    _assert_same_state(before, est)
    np.testing.assert_array_equal(_output(est, X), out)


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=_ids)
def test_classifier_targets(estimator) -> None:
    X, y = _data()
    est = _fit(clone(estimator), X, y)
    before = _snapshot(est)
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        est.fit(X, X[:, 0])
    if not isinstance(est, KNeighborsClassifier):  # like scikit-learn's, k-NN takes one class
        with pytest.raises(ValueError, match=r"1 class|one class"):
            est.fit(X, np.zeros(len(X)))
    _assert_same_state(before, est)


@pytest.mark.parametrize("estimator", ALL, ids=_ids)
def test_predict_before_fit_and_wrong_width(estimator) -> None:
    X, y = _data()
    est = clone(estimator)
    with pytest.raises(
        NotFittedError, match=f"This {type(est).__name__} instance is not fitted yet"
    ):
        _output(est, X)
    _fit(est, X, y)
    with pytest.raises(
        ValueError, match=f"X has 3 features, but {type(est).__name__} is expecting 4 features"
    ):
        _output(est, X[:, :3])


@pytest.mark.parametrize(
    ("estimator", "param", "value"),
    [
        (LinearRegression(), "fit_intercept", "yes"),
        (LinearRegression(), "fit_intercept", 1.5),
        (Ridge(), "alpha", -1.0),
        (Lasso(), "max_iter", 0),
        (LogisticRegression(), "solver", "liblinear"),
        (LogisticRegression(), "C", 0.0),
        (SoftmaxRegression(), "solver", "saga"),
        (SoftmaxRegression(), "C", -1.0),
        (SoftmaxRegression(), "max_iter", 0),
        (SoftmaxRegression(), "tol", -1e-4),
        (SoftmaxRegression(), "learning_rate", 0.0),
        (SoftmaxRegression(), "batch_size", 0),
        (SoftmaxRegression(), "random_state", "seed"),
        (MLPRegressor(max_iter=5), "activation", "swish"),
        (MLPClassifier(max_iter=5), "dropout", 1.0),
        (KernelRidge(), "kernel", "laplace"),
        (KernelRidge(), "sigma", -2.0),
        (KNeighborsClassifier(), "n_neighbors", 0),
        (KNeighborsRegressor(), "weights", "inverse"),
        (GaussianClassifier(), "covariance", "tied"),
        (PolynomialFeatures(), "degree", -1),
        (RBFFeatures(), "width", 0.0),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_invalid_hyper_parameters_name_who_what_and_value(estimator, param, value) -> None:
    X, y = _data()
    est = _fit(clone(estimator), X, y)
    before = _snapshot(est)
    est.set_params(**{param: value})
    name = type(est).__name__
    with pytest.raises(
        InvalidParameterError,
        match=f"The '{param}' parameter of {name} must be .* Got {value!r} instead",
    ):
        _fit(est, X, y)
    before.update({param: value})
    _assert_same_state(before, est)


def test_gamma_with_sigma_is_rejected_before_the_data() -> None:
    X, y = _data()
    est = KernelRidge(kernel="rbf", gamma=1.0).fit(X, y)
    before = _snapshot(est)
    est.set_params(sigma=2.0)
    with pytest.raises(
        ValueError, match=r"KernelRidge: give gamma or sigma, not both; got gamma=1\.0"
    ):
        est.fit(X[:, :3], y)
    before["sigma"] = 2.0
    _assert_same_state(before, est)


def test_failures_after_validation_roll_back_the_feature_count() -> None:
    """The data were valid (n_features_in_ was already reset) but the fit failed."""
    X, y = _data()
    X5 = np.column_stack([X, np.ones(len(X))])  # five features, one constant
    K = X @ X.T
    cases = [
        (GaussianClassifier(reg_covar=0.0), X, y, X5, y, "singular"),
        (RBFFeatures(centers=np.zeros((2, 4))), X, None, X5, None, "centers have 4 features"),
        (KernelRidge(kernel="precomputed"), K, y.astype(float), X5, y, "square kernel matrix"),
    ]
    for est, Xgood, ygood, Xbad, ybad, msg in cases:
        est.fit(Xgood, ygood) if ygood is not None else est.fit(Xgood)
        before, out, width = _snapshot(est), _output(est, Xgood), est.n_features_in_
        with pytest.raises(ValueError, match=msg):
            est.fit(Xbad, ybad) if ybad is not None else est.fit(Xbad)
        assert est.n_features_in_ == width
        _assert_same_state(before, est)
        np.testing.assert_array_equal(_output(est, Xgood), out)


def test_nan_found_by_the_fast_path_has_sklearn_wording() -> None:
    """Ridge and Lasso skip the separate finiteness scan; the message is unchanged."""
    X, y = _data(n=200)
    X[5, 2] = np.nan
    for est in (Ridge(), Lasso()):
        with pytest.raises(
            ValueError,
            match=f"Input X contains NaN.\n{type(est).__name__} does not accept missing values",
        ):
            est.fit(X, y.astype(float))


def test_mlp_failures_after_validation_roll_back_the_feature_count() -> None:
    """A five-feature refit that fails after validate_data (one class; too few samples to
    hold out a validation set) leaves the four-feature network and n_features_in_."""
    X, y = _data()
    X5 = np.column_stack([X, np.ones(len(X))])
    cases = [
        (MLPClassifier((4,), max_iter=5, random_state=0), {}, X5, np.zeros(len(X)), "2 classes"),
        (
            MLPRegressor((4,), max_iter=5, random_state=0),
            {"early_stopping": True},
            X5[:1],
            y[:1].astype(float),
            "early_stopping needs at least 2 samples",
        ),
    ]
    for est, params, Xbad, ybad, msg in cases:
        est.fit(X, y)
        before, out = _snapshot(est), _output(est, X)
        est.set_params(**params)
        with pytest.raises(ValueError, match=msg):
            est.fit(Xbad, ybad)
        assert est.n_features_in_ == 4
        before.update(params)
        _assert_same_state(before, est)
        np.testing.assert_array_equal(_output(est, X), out)
