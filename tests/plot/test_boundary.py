"""plot_decision_boundary for networks and callables: regions, shading, legend, features."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.contour import ContourSet

from nabla import nn
from nabla.plot import plot_decision_boundary
from tests.plot._helpers import assert_blank, blank_axes, legend_texts

TAB10 = np.array(colormaps["tab10"].colors)


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = np.digitize(np.arctan2(X[:, 1], X[:, 0]), [-1.0, 1.5])  # three sectors: 0, 1, 2
    return X, y


def _net():
    return nn.Sequential(
        nn.Linear(2, 8, rng=0, dtype=np.float64),
        nn.Tanh(),
        nn.Linear(8, 3, rng=4, dtype=np.float64),
    )


def _logits(net, Z):
    """The network's forward pass by hand, in NumPy."""
    W1, b1 = net[0].weight.data, net[0].bias.data
    W2, b2 = net[2].weight.data, net[2].bias.data
    return np.tanh(Z @ W1.T + b1) @ W2.T + b2


def _grid(X, resolution, margin=0.1):
    low, high = X.min(axis=0), X.max(axis=0)
    pad = margin * (high - low)
    g0 = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    g1 = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    return np.meshgrid(g0, g1)


def _assert_regions(ax, codes, xx, yy) -> None:
    """Centres of grid cells whose corners agree lie in their class's filled region only."""
    (filled,) = [c for c in ax.collections if isinstance(c, ContourSet) and c.filled]
    same = (codes[:-1, :-1] == codes[1:, :-1]) & (codes[:-1, :-1] == codes[:-1, 1:])
    same &= codes[:-1, :-1] == codes[1:, 1:]
    centres = np.column_stack(
        [((xx[:-1, :-1] + xx[1:, 1:]) / 2)[same], ((yy[:-1, :-1] + yy[1:, 1:]) / 2)[same]]
    )
    inside = np.column_stack([p.contains_points(centres) for p in filled.get_paths()])
    np.testing.assert_array_equal(inside.sum(axis=1), 1)
    np.testing.assert_array_equal(inside.argmax(axis=1), codes[:-1, :-1][same])


def test_network_regions_are_the_argmax_of_its_output() -> None:
    X, y = _data()
    net = _net()
    fig = plot_decision_boundary(net, X, y, resolution=30, ax=blank_axes())
    ax = fig.axes[0]
    xx, yy = _grid(X, 30)
    codes = _logits(net, np.column_stack([xx.ravel(), yy.ravel()])).argmax(axis=1)
    assert len(np.unique(codes)) == 3  # every class has a region: the check is not vacuous
    _assert_regions(ax, codes.reshape(xx.shape), xx, yy)
    assert legend_texts(ax) == ["0", "1", "2"] and ax.get_legend().get_title().get_text() == "class"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1", "x2")
    assert net.training  # put back in training mode


def test_probability_shading_is_the_softmax_of_the_logits() -> None:
    X, y = _data()
    net = _net()
    fig = plot_decision_boundary(net, X, y, resolution=25, proba=True,
                                 class_names=["east", "north", "west"])  # fmt: skip
    ax = fig.axes[0]
    xx, _ = _grid(X, 25)
    z = _logits(net, np.column_stack([xx.ravel(), _grid(X, 25)[1].ravel()]))
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    rgba = np.asarray(ax.images[0].get_array())
    assert rgba.shape == (25, 25, 4)
    np.testing.assert_allclose(rgba[..., :3].reshape(-1, 3), TAB10[p.argmax(axis=1)])
    np.testing.assert_allclose(
        rgba[..., 3].ravel(), 0.6 * np.clip((p.max(axis=1) - 1 / 3) / (2 / 3), 0, 1), atol=1e-12
    )
    assert not [c for c in ax.collections if isinstance(c, ContourSet) and c.filled]
    assert legend_texts(ax) == ["east", "north", "west"]


def test_sigmoid_network_and_callables() -> None:
    X, y = _data()
    yb = (y == 1).astype(int)
    sig = nn.Sequential(nn.Linear(2, 1, rng=0, dtype=np.float64), nn.Sigmoid())
    fig = plot_decision_boundary(sig, X, yb, resolution=20, proba=True)
    xx, yy = _grid(X, 20)
    Z = np.column_stack([xx.ravel(), yy.ravel()])
    p1 = 1 / (1 + np.exp(-(Z @ sig[0].weight.data.T + sig[0].bias.data)[:, 0]))
    alpha = np.asarray(fig.axes[0].images[0].get_array())[..., 3].ravel()
    np.testing.assert_allclose(alpha, 0.6 * np.clip((np.maximum(p1, 1 - p1) - 0.5) / 0.5, 0, 1))
    # a callable of probabilities and one of logits give the same regions
    W = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    logits = lambda A: A @ W.T
    probs = lambda A: np.exp(logits(A)) / np.exp(logits(A)).sum(axis=1, keepdims=True)
    a = plot_decision_boundary(logits, X, resolution=20, proba=True).axes[0].images[0]
    b = plot_decision_boundary(probs, X, resolution=20, proba=True).axes[0].images[0]
    np.testing.assert_allclose(np.asarray(a.get_array()), np.asarray(b.get_array()), atol=1e-12)


def test_three_features_with_fixed_values_and_names() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = (X[:, 0] > 0).astype(int)
    seen = []

    def model(A):
        seen.append(A.copy())
        return (A[:, 0] + A[:, 1] > 0).astype(int)

    fig = plot_decision_boundary(model, X, y, features=(0, 2), fixed={1: 0.25},
                                 feature_names=["a", "b", "c"], resolution=10)  # fmt: skip
    ax = fig.axes[0]
    (A,) = seen
    np.testing.assert_array_equal(A[:, 1], 0.25)
    assert A[:, 0].min() < X[:, 0].min() and A[:, 2].max() > X[:, 2].max()
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "c")
    assert ax.get_title() == "(b = 0.25 fixed)"
    (points,) = [c for c in ax.collections if type(c).__name__ == "PathCollection"]
    np.testing.assert_array_equal(points.get_offsets(), X[:, [0, 2]])
    seen.clear()
    plot_decision_boundary(model, X, y, fixed="median", resolution=5)
    np.testing.assert_array_equal(seen[0][:, 2], np.median(X[:, 2]))


def test_dataframe_columns_name_the_axes() -> None:
    pd = pytest.importorskip("pandas")
    X, y = _data()
    df = pd.DataFrame(X, columns=["height", "weight"])
    ax = plot_decision_boundary(lambda A: (A[:, 0] > 0).astype(int), df, y > 0, resolution=5).axes[
        0
    ]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("height", "weight")


class _ThreeFeatureModel:
    n_features_in_ = 3
    classes_ = np.array([0, 1])

    def predict(self, A):
        return np.zeros(len(A), dtype=int)


@pytest.mark.parametrize(
    ("model", "X", "kwargs", "exc", "match"),
    [
        ("net", np.zeros((30, 3)), {}, ValueError,
         r"got shape \(30, 3\)\. Give features=\(i, j\) and fixed=\{k: value\} "
         r"for feature\(s\) \[2\]"),
        (_ThreeFeatureModel(), np.zeros((30, 2)), {}, ValueError,
         "the model was fitted on 3 features but X has 2.*fixed="),
        ("net3", np.zeros((30, 2)), {}, ValueError,
         "the model failed on inputs of 2 features .*features=\\(i, j\\)"),
        ("net", np.zeros((30, 2)), {"y": np.zeros(29)}, ValueError,
         r"y must have one label per row of X \(30\)"),
        ("net", np.zeros((30, 2)), {"class_names": ["a"]}, ValueError,
         "class_names has 1 names for 3 classes"),
        (_ThreeFeatureModel(), np.zeros((30, 3)), {"proba": True, "fixed": "mean"}, ValueError,
         "proba=True needs predict_proba"),
        (lambda A: np.zeros(len(A)), np.zeros((30, 2)), {"proba": True}, ValueError,
         "needs class scores"),
        ("net", np.zeros((30, 3)), {"features": (0, 0), "fixed": "median"}, ValueError,
         "features must be two different column indices"),
        ("net", np.zeros((30, 3)), {"features": (0, 2), "fixed": {1: 0.0, 0: 1.0}},
         ValueError, r"fixed names features \[0\] that are drawn"),
        ("net", np.zeros((30, 2)), {"feature_names": ["a"]}, ValueError,
         "feature_names has 1 names for 2 features"),
        (object(), np.zeros((30, 2)), {}, TypeError, "must have predict, be an nn.Module"),
    ],
)  # fmt: skip
def test_bad_input_draws_nothing(model, X, kwargs, exc, match) -> None:
    if model == "net":
        model = _net()
    elif model == "net3":
        model = nn.Sequential(nn.Linear(3, 2, rng=0))
    ax = blank_axes()
    y = kwargs.pop("y", None)
    with pytest.raises(exc, match=match):
        plot_decision_boundary(model, X, y, resolution=5, ax=ax, **kwargs)
    assert_blank(ax)
