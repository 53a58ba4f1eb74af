"""plot_gradient_flow and plot_activation_stats: the recorded numbers, drawn as documented."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla import nn
from nabla.nn import functional as F
from nabla.plot import plot_activation_stats, plot_gradient_flow
from tests.plot._helpers import assert_blank, blank_axes, legend_texts

GRADS = {"0.weight": [1e-4, 3e-4, 2e-4], "2.weight": [0.1, 0.2, 0.15], "4.weight": [1.0, 0.9, 0.8]}


def test_gradient_norms_over_steps_one_line_per_layer() -> None:
    ax = plot_gradient_flow(GRADS, steps=[10, 20, 30], ax=blank_axes())
    assert legend_texts(ax) == list(GRADS)
    for line, values in zip(ax.lines, GRADS.values()):
        np.testing.assert_array_equal(line.get_xdata(), [10, 20, 30])
        np.testing.assert_array_equal(line.get_ydata(), values)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step"


def test_profile_across_layers_compares_two_runs() -> None:
    ax = plot_gradient_flow(GRADS, step=-1, label="small init", ax=blank_axes())
    other = {k: [10 * v for v in vals] for k, vals in GRADS.items()}
    plot_gradient_flow(other, step=0, label="large init", ax=ax)
    assert legend_texts(ax) == ["small init", "large init"]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [2e-4, 0.15, 0.8])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [1e-3, 1.0, 10.0])
    assert [t.get_text() for t in ax.get_xticklabels()] == list(GRADS)


def test_module_gradients_are_the_parameter_grad_norms() -> None:
    net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1))
    x = nabla.tensor(np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32))
    F.cross_entropy(net(x), np.array([0, 1, 0, 1, 1])).backward()
    ax = plot_gradient_flow(net)
    names = [n for n, _ in net.named_parameters()]
    assert [t.get_text() for t in ax.get_xticklabels()] == names
    expected = [np.linalg.norm(p.grad.astype(np.float64)) for _, p in net.named_parameters()]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), expected, rtol=1e-12)


def test_activation_stats_mean_with_std_band_and_profile() -> None:
    stats = {
        "tanh1": {"mean": [0.0, 0.1], "std": [0.6, 0.5], "saturation": [0.0, 0.1]},
        "tanh2": {"mean": [0.2, 0.1], "std": [0.3, 0.2], "saturation": [0.2, 0.4]},
    }
    ax = plot_activation_stats(stats, "mean", ax=blank_axes())
    assert legend_texts(ax) == ["tanh1", "tanh2"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [0.2, 0.1])
    assert len(ax.collections) == 2  # a mean ± std band per layer
    ys = ax.collections[1].get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(-0.1) and ys.max() == pytest.approx(0.5)
    assert ax.get_ylabel().startswith("activation mean")
    ax = plot_activation_stats(stats, "saturation", step=1)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [0.1, 0.4])
    assert len(ax.collections) == 0 and ax.get_ylabel() == "fraction of units saturated or dead"


@pytest.mark.parametrize(
    ("stats", "kwargs", "exc", "match"),
    [
        ({}, {}, ValueError, "stats is empty"),
        ({"a": [1.0, 2.0], "b": [1.0]}, {}, ValueError, "'a' has 2 but 'b' has 1"),
        ({"a": []}, {}, ValueError, r"stats\['a'\] is empty"),
        ({"a": [1.0, -2.0]}, {}, ValueError, "gradient norms cannot be negative"),
        ({"a": [1.0]}, {"step": 3}, ValueError, "step must be an int index into the 1"),
        ({"a": [1.0]}, {"steps": [1, 2]}, ValueError, "steps has 2 values but"),
        ({"a": "abc"}, {}, TypeError, "must be a list of numbers"),
        (nn.Linear(2, 2, rng=0), {}, ValueError, "Linear has no gradients; run loss.backward"),
        ([1.0, 2.0], {}, TypeError, "stats must be a mapping"),
    ],
)
def test_gradient_flow_bad_input_draws_nothing(stats, kwargs, exc, match) -> None:
    ax = blank_axes()
    with pytest.raises(exc, match=match):
        plot_gradient_flow(stats, ax=ax, **kwargs)
    assert_blank(ax)


@pytest.mark.parametrize(
    ("stats", "key", "exc", "match"),
    [
        (
            {"a": {"std": [1.0]}},
            "mean",
            ValueError,
            r"layer 'a' has no 'mean'; it records \['std'\]",
        ),
        ({"a": [1.0]}, "std", TypeError, r"stats\['a'\] must be a mapping statistic"),
        (
            {"a": {"std": [1.0, 2.0]}, "b": {"std": [1.0]}},
            "std",
            ValueError,
            "'a' has 2 but 'b' has 1",
        ),
        ({}, "std", ValueError, "non-empty mapping"),
    ],
)
def test_activation_stats_bad_input_draws_nothing(stats, key, exc, match) -> None:
    ax = blank_axes()
    with pytest.raises(exc, match=match):
        plot_activation_stats(stats, key, ax=ax)
    assert_blank(ax)
