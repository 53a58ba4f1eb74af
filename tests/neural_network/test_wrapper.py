"""NeuralNetClassifier / NeuralNetRegressor: scikit-learn's estimator checks, the routed
parameters, equality with a hand-written Trainer run, model selection over a CNN
(GridSearchCV, cross_val_score, Pipeline), BootstrapCI over a network, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import log_softmax, softmax
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import nabla
from nabla import nn, optim
from nabla.model_selection import BootstrapCI
from nabla.neural_network import NeuralNetClassifier, NeuralNetRegressor
from nabla.nn import init
from nabla.train import GradientStats, Trainer


class MLP(nn.Module):
    """A small custom module; its output width comes from the data (n_outputs)."""

    def __init__(self, n_features_in: int, n_outputs: int, hidden: int = 16) -> None:
        super().__init__()
        self.hidden = nn.Linear(n_features_in, hidden)
        self.act = nn.ReLU()
        self.out = nn.Linear(hidden, n_outputs)

    def forward(self, x):
        return self.out(self.act(self.hidden(x)))


class SmallCNN(nn.Module):
    """8x8 digits given as 64 columns, reshaped to one channel inside the module."""

    def __init__(self, n_classes: int, channels: int = 4, hidden: int = 16) -> None:
        super().__init__()
        self.image = nn.Unflatten(1, (1, 8, 8))
        self.conv = nn.Conv2d(1, channels, 3)
        self.act = nn.ReLU()
        self.flat = nn.Flatten()
        self.fc = nn.Linear(channels * 6 * 6, hidden)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        x = self.flat(self.act(self.conv(self.image(x))))
        return self.head(self.act(self.fc(x)))


@parametrize_with_checks(
    [
        NeuralNetClassifier(MLP, lr=0.02, max_epochs=20, random_state=0),
        NeuralNetRegressor(MLP, lr=0.02, max_epochs=20, random_state=0),
    ]
)
def test_sklearn_estimator_checks(estimator, check) -> None:
    check(estimator)


def _iris() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_same_weights_as_a_hand_written_trainer_run() -> None:
    X, y = _iris()
    clf = NeuralNetClassifier(
        MLP, module__hidden=8, lr=0.03, max_epochs=4, batch_size=16, random_state=7
    )
    outside = init.default_generator().bit_generator.state
    clf.fit(X, y)
    assert init.default_generator().bit_generator.state == outside  # put back after fit
    # the documented recipe: manual_seed(s), build, Trainer(seed=s)
    nabla.manual_seed(7)
    net = MLP(4, 3, hidden=8)
    Trainer(net, nn.CrossEntropyLoss(), optim.Adam(net.parameters(), lr=0.03), seed=7).fit(
        (X.astype(np.float32), y), epochs=4, batch_size=16
    )
    for (name, a), (_, b) in zip(clf.module_.state_dict().items(), net.state_dict().items()):
        assert a.data.dtype == np.float32 and a.data.tobytes() == b.data.tobytes(), name
    net.eval()
    logits = net(nabla.tensor(X.astype(np.float32))).numpy().astype(np.float64)
    np.testing.assert_allclose(clf.predict_proba(X), softmax(logits, axis=1), rtol=1e-12)
    np.testing.assert_allclose(clf.predict_log_proba(X), log_softmax(logits, axis=1), rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), logits.argmax(axis=1))


def test_random_state_decides_the_run() -> None:
    X, y = _iris()
    a = NeuralNetClassifier(MLP, max_epochs=3, random_state=1).fit(X, y).predict_proba(X)
    b = NeuralNetClassifier(MLP, max_epochs=3, random_state=1).fit(X, y).predict_proba(X)
    c = NeuralNetClassifier(MLP, max_epochs=3, random_state=2).fit(X, y).predict_proba(X)
    assert a.tobytes() == b.tobytes() and not np.allclose(a, c)


def test_routed_parameters_are_parameters() -> None:
    X, y = _iris()
    clf = NeuralNetClassifier(MLP, module__hidden=5, optimizer="sgd", optimizer__momentum=0.9)
    params = clf.get_params()
    assert params["module__hidden"] == 5 and params["optimizer__momentum"] == 0.9
    twin = clone(clf).set_params(module__hidden=7, max_epochs=2, random_state=0)
    assert clf.module__hidden == 5 and twin.get_params()["module__hidden"] == 7
    twin.fit(X, y)
    assert twin.module_.hidden.out_features == 7 and twin.n_epochs_ == 2
    assert twin.n_features_in_ == 4 and list(twin.classes_) == [0, 1, 2]


def test_string_labels_module_instance_float64_and_callbacks() -> None:
    X, y = _iris()
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    instance = MLP(4, 3)
    before = {k: v.data.copy() for k, v in instance.state_dict().items()}
    stats = GradientStats()
    clf = NeuralNetClassifier(
        instance, dtype="float64", callbacks=[stats], max_epochs=30, random_state=0
    ).fit(X, labels)
    assert clf.score(X, labels) > 0.9 and set(clf.predict(X)) <= set(labels)
    assert all(p.data.dtype == np.float64 for p in clf.module_.parameters())
    assert all(np.array_equal(v.data, before[k]) for k, v in instance.state_dict().items())
    assert stats.steps == [] and len(clf.callbacks_[0].steps) == 30 * 5  # a trained copy


def test_regressor_single_and_multi_output() -> None:
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 2))
    Y = np.column_stack([X[:, 0] + X[:, 1], X[:, 0] - 2 * X[:, 1]])
    reg = NeuralNetRegressor(MLP, lr=0.02, max_epochs=40, random_state=0)
    assert reg.fit(X, Y).predict(X).shape == (200, 2) and reg.n_outputs_ == 2
    assert reg.score(X, Y) > 0.95
    assert reg.fit(X, Y[:, 0]).predict(X).shape == (200,)


def _digits(n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    X, y = load_digits(return_X_y=True)
    return X[:n] / 16.0, y[:n]


def test_grid_search_over_a_cnn_learning_rate_and_width() -> None:
    X, y = _digits()
    cnn = NeuralNetClassifier(SmallCNN, max_epochs=6, batch_size=32, random_state=0)
    cv = KFold(3, shuffle=True, random_state=0)
    grid = GridSearchCV(cnn, {"lr": [1e-5, 1e-2], "module__hidden": [8, 32]}, cv=cv)
    grid.fit(X, y)
    assert grid.best_params_["lr"] == 1e-2  # 1e-5 cannot learn in 6 epochs
    scores = dict(zip(map(str, grid.cv_results_["params"]), grid.cv_results_["mean_test_score"]))
    best = clone(cnn).set_params(**grid.best_params_)
    # the grid's score for the best cell is cross_val_score's for that estimator
    assert scores[str(grid.best_params_)] == pytest.approx(
        cross_val_score(best, X, y, cv=cv).mean()
    )
    assert grid.best_score_ > 0.8 and max(v for k, v in scores.items() if "1e-05" in k) < 0.35
    assert grid.best_estimator_.module_.fc.out_features == grid.best_params_["module__hidden"]


def test_in_a_pipeline_with_cross_validation() -> None:
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(
        StandardScaler(), NeuralNetClassifier(MLP, lr=0.02, max_epochs=40, random_state=0)
    )
    assert cross_val_score(pipe, X, y, cv=KFold(3, shuffle=True, random_state=0)).mean() > 0.9


def test_bootstrap_interval_of_a_network_regressor() -> None:
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(80, 1))
    y = 2 * X[:, 0] + rng.normal(0, 0.2, 80)
    net = NeuralNetRegressor(MLP, lr=0.02, max_epochs=15, random_state=0)
    ci = BootstrapCI(net, n_bootstrap=8, random_state=0).fit(X, y)
    grid = np.linspace(-0.8, 0.8, 9).reshape(-1, 1)
    pred, low, high = ci.predict(grid)
    np.testing.assert_allclose(pred, clone(net).fit(X, y).predict(grid), rtol=1e-12)
    assert (low <= high).all() and (high - low).max() > 0
    seeds = {e.random_state for e in ci.estimators_}
    assert len(ci.estimators_) == 8 and len(seeds) == 8  # each resample seeds its own network
    boot = np.array([e.predict(grid) for e in ci.estimators_])
    assert (low >= boot.min(axis=0) - 1e-12).all() and (high <= boot.max(axis=0) + 1e-12).all()
    np.testing.assert_allclose(pred, 2 * grid[:, 0], atol=0.3)  # it learnt the line
    _, low2, high2 = BootstrapCI(net, n_bootstrap=8, random_state=0).fit(X, y).predict(grid)
    assert low.tobytes() == low2.tobytes() and high.tobytes() == high2.tobytes()


# ---- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"modul__hidden": 3}, ValueError, r"unknown parameter\(s\) \['modul__hidden'\]"),
        ({"dtype": np.int32}, ValueError, "dtype must be 'float32' or 'float64'"),
        ({"module__n_outputs": 5}, ValueError, r"maps one sample to shape \(1, 5\).*\(1, 3\)"),
        ({"module": lambda: "net"}, TypeError, "calling it gave a str"),
        ({"lr": -1.0}, ValueError, "'lr' parameter of NeuralNetClassifier must be"),
    ],
)
def test_bad_parameters_are_refused_and_change_nothing(params, error, match) -> None:
    X, y = _iris()
    clf = NeuralNetClassifier(MLP, max_epochs=1, random_state=0).fit(X, y)
    clf.set_params(**params)
    before = dict(vars(clf))
    with pytest.raises(error, match=match):
        clf.fit(X, y)
    assert vars(clf).keys() == before.keys()
    assert all(vars(clf)[k] is v for k, v in before.items())


def test_routed_parameters_need_a_factory() -> None:
    X, y = _iris()
    clf = NeuralNetClassifier(MLP(4, 3), module__hidden=3)
    with pytest.raises(ValueError, match="need a module class or a function"):
        clf.fit(X, y)
    assert not hasattr(clf, "module_")
