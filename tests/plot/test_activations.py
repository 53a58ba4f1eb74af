"""plot_activations: the curves are the activations and their autograd derivatives."""

from __future__ import annotations

import numpy as np
import pytest

from nabla import nn
from nabla.plot import plot_activations
from tests.plot._helpers import assert_blank, blank_axes, legend_texts

Z = np.linspace(-4.0, 4.0, 161)  # includes 0: the kink conventions are checked too


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(z / 2.0))


# closed forms (the notes' derivations), independent of nabla
CLOSED = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "softplus": (lambda z: np.logaddexp(0.0, z), _sigmoid),
    "leaky_relu": (
        lambda z: np.where(z > 0, z, 0.01 * z),
        lambda z: np.where(z > 0, 1.0, 0.01),
    ),
    "elu": (
        lambda z: np.where(z > 0, z, np.expm1(z)),
        lambda z: np.where(z > 0, 1.0, np.exp(z)),
    ),
}


def test_each_curve_and_derivative_matches_its_closed_form() -> None:
    names = list(CLOSED)
    ax = plot_activations(names, x=Z, ax=blank_axes())
    assert len(ax.lines) == 2 * len(names)
    assert legend_texts(ax) == [s for n in names for s in (n, f"{n}'")]
    for k, name in enumerate(names):
        g, dg = CLOSED[name]
        line, dline = ax.lines[2 * k], ax.lines[2 * k + 1]
        np.testing.assert_array_equal(line.get_xdata(), Z)
        np.testing.assert_allclose(line.get_ydata(), g(Z), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(dline.get_ydata(), dg(Z), rtol=1e-10, atol=1e-12)
        assert dline.get_linestyle() == "--" and dline.get_color() == line.get_color()
    assert ax.get_xlabel() == "pre-activation z"


def test_module_activation_and_no_derivative() -> None:
    ax = plot_activations([nn.LeakyReLU(0.2), "sigmoid"], derivative=False, x=Z)
    assert [line.get_label() for line in ax.lines] == ["LeakyReLU(negative_slope=0.2)", "sigmoid"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.where(Z > 0, Z, 0.2 * Z))
    assert ax.get_ylabel() == "g(z)"


def test_default_grid_and_new_figure() -> None:
    ax = plot_activations("tanh")
    assert len(ax.lines) == 2 and ax.get_legend() is not None  # tanh and tanh'
    x = ax.lines[0].get_xdata()
    assert x[0] == -5.0 and x[-1] == 5.0 and len(x) == 401


@pytest.mark.parametrize(
    ("names", "kwargs", "exc", "match"),
    [
        (["relu", "swish"], {}, ValueError, r"unknown activation 'swish'; choose from \["),
        ([], {}, ValueError, "names must be one or more of"),
        ([3], {}, TypeError, "must be a name or a callable"),
        (["relu"], {"x": [0.0]}, ValueError, "x needs at least 2 points"),
        (["relu"], {"x": [0.0, np.inf]}, ValueError, "non-finite"),
        (["relu"], {"derivative": "yes"}, TypeError, "derivative must be True or False"),
    ],
)
def test_bad_input_draws_nothing(names, kwargs, exc, match) -> None:
    ax = blank_axes()
    with pytest.raises(exc, match=match):
        plot_activations(names, ax=ax, **kwargs)
    assert_blank(ax)
