"""plot_optimizer_paths: each drawn trajectory is the optimiser's iterates; bad input refused."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from nabla import optim
from nabla.nn.parameter import Parameter
from nabla.plot import (
    beale,
    optimizer_path,
    plot_optimizer_paths,
    quadratic_bowl,
    rosenbrock,
    saddle,
)
from tests.plot._helpers import assert_blank, blank_axes, legend_texts

torch = pytest.importorskip("torch")

START = [-1.5, 2.0]
STEPS = 45

# nabla factory and its PyTorch twin, same hyper-parameters
FIRST_ORDER = {
    "SGD": (partial(optim.SGD, lr=1e-3), partial(torch.optim.SGD, lr=1e-3)),
    "momentum": (
        partial(optim.SGD, lr=1e-3, momentum=0.9),
        partial(torch.optim.SGD, lr=1e-3, momentum=0.9),
    ),
    "Nesterov": (
        partial(optim.SGD, lr=1e-3, momentum=0.9, nesterov=True),
        partial(torch.optim.SGD, lr=1e-3, momentum=0.9, nesterov=True),
    ),
    "Adagrad": (partial(optim.Adagrad, lr=0.3), partial(torch.optim.Adagrad, lr=0.3)),
    "RMSProp": (partial(optim.RMSprop, lr=0.01), partial(torch.optim.RMSprop, lr=0.01)),
    "Adam": (partial(optim.Adam, lr=0.05), partial(torch.optim.Adam, lr=0.05)),
}
SECOND_ORDER = {
    "Newton": optim.Newton,
    "BFGS": lambda p: optim.BFGS(p, max_iter=1, max_eval=25),
    "L-BFGS": lambda p: optim.LBFGS(p, max_iter=1, max_eval=25, line_search_fn="strong_wolfe"),
}


def _torch_iterates(make, steps: int) -> np.ndarray:
    w = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = make([w])
    out = [w.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        loss = (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2
        loss.backward()
        opt.step()
        out.append(w.detach().numpy().copy())
    return np.array(out)


def _nabla_iterates(make, steps: int) -> np.ndarray:
    """The optimiser run by hand, outside the figure code."""
    w = Parameter(np.array(START))
    opt = make([w])
    out = [w.data.copy()]

    def closure():
        opt.zero_grad()
        loss = rosenbrock(w[0], w[1])
        loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)
        out.append(w.data.copy())
    return np.array(out)


def test_trajectories_are_the_optimisers_iterates() -> None:
    factories = {name: pair[0] for name, pair in FIRST_ORDER.items()} | SECOND_ORDER
    ax = plot_optimizer_paths("rosenbrock", factories, START, STEPS, ax=blank_axes())
    names = list(factories)
    assert legend_texts(ax) == [*names, "minimum", "start"]
    assert len(ax.lines) == len(names) + 2
    for k, name in enumerate(names):
        drawn = np.column_stack([ax.lines[k].get_xdata(), ax.lines[k].get_ydata()])
        assert drawn.shape == (STEPS + 1, 2)
        if name in FIRST_ORDER:  # an independent oracle: PyTorch's optimiser
            np.testing.assert_allclose(drawn, _torch_iterates(FIRST_ORDER[name][1], STEPS),
                                       rtol=1e-10, atol=1e-12)  # fmt: skip
        np.testing.assert_array_equal(drawn, _nabla_iterates(factories[name], STEPS))
    # second-order methods reach Rosenbrock's minimum (1, 1) within the 45 steps
    for k in range(len(FIRST_ORDER), len(names)):
        np.testing.assert_allclose(
            [ax.lines[k].get_xdata()[-1], ax.lines[k].get_ydata()[-1]], [1.0, 1.0], atol=1e-4
        )
    np.testing.assert_array_equal(ax.lines[-2].get_xydata(), [[1.0, 1.0]])  # the minimum
    np.testing.assert_array_equal(ax.lines[-1].get_xydata(), [START])
    assert len(ax.collections) >= 1  # the contour set
    assert (ax.get_xlim(), ax.get_ylim()) == ((-2.0, 2.0), (-1.0, 3.0))
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "y"


def test_newton_solves_the_quadratic_bowl_in_one_step() -> None:
    path = optimizer_path(quadratic_bowl, optim.Newton, [2.5, -1.5], 1)
    np.testing.assert_allclose(path, [[2.5, -1.5], [0.0, 0.0]], atol=1e-8)


def test_sgd_on_the_bowl_is_the_closed_form_recursion() -> None:
    lr, steps = 0.05, 12
    ax = plot_optimizer_paths(quadratic_bowl, [partial(optim.SGD, lr=lr)], [2.0, 1.0], steps)
    # grad = (x, 10 y): x_k = (1 - lr)^k x_0, y_k = (1 - 10 lr)^k y_0
    k = np.arange(steps + 1)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), 2.0 * (1 - lr) ** k, rtol=1e-12)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 1.0 * (1 - 10 * lr) ** k, rtol=1e-12)
    assert ax.lines[0].get_label() == "SGD (lr=0.05)"  # a label from the partial
    # a custom function: the view is the path's extent plus a tenth of it
    assert ax.get_xlim()[0] < 2.0 * (1 - lr) ** steps and ax.get_xlim()[1] > 2.0


def test_named_functions_have_their_known_minima() -> None:
    assert rosenbrock(1.0, 1.0) == 0.0 and quadratic_bowl(0.0, 0.0) == 0.0
    assert beale(3.0, 0.5) == 0.0 and saddle(0.3, 0.3) == 0.0
    assert rosenbrock(0.0, 0.0) == 1.0 and beale(0.0, 0.0) == pytest.approx(14.203125)


def test_a_diverging_run_stops_at_the_first_non_finite_point() -> None:
    with np.errstate(over="ignore", invalid="ignore"):
        path = optimizer_path("rosenbrock", partial(optim.SGD, lr=0.1), START, 50)
    assert len(path) < 51 and not np.isfinite(path[-1]).all()
    assert np.isfinite(path[:-1]).all()


@pytest.mark.parametrize(
    ("f", "opts", "start", "kwargs", "exc", "match"),
    [
        (lambda w: (w * w).sum(), [optim.SGD], START, {}, ValueError,
         "must be a function of 2 variables called as f"),
        (lambda x, y: np.stack([x, y]), [optim.SGD], START, {}, ValueError,
         r"must return one value per point .* got shape \(2, 2, 3\)"),
        ("rosenbrock", [optim.SGD], [0.0, 1.0, 2.0], {}, ValueError,
         r"start must be a point \(x, y\) of a 2-D function, shape \(2,\); got shape \(3,\)"),
        ("himmelblau", [optim.SGD], START, {}, ValueError, "unknown function 'himmelblau'"),
        ("rosenbrock", {}, START, {}, ValueError, "optimizers is empty"),
        ("rosenbrock", [optim.SGD([Parameter(np.zeros(2))])], START, {}, TypeError,
         "must be a factory params -> optimiser"),
        ("rosenbrock", [optim.SGD], START, {"steps": 0}, ValueError, "steps must be an int >= 1"),
        ("rosenbrock", [optim.SGD], START, {"bounds": ((1, 0), (0, 1))}, ValueError,
         "bounds must be"),
        ("rosenbrock", [lambda p: "not an optimiser"], START, {}, TypeError,
         "it returned str"),
    ],
)  # fmt: skip
def test_bad_input_draws_nothing(f, opts, start, kwargs, exc, match) -> None:
    ax = blank_axes()
    with pytest.raises(exc, match=match):
        plot_optimizer_paths(f, opts, start, ax=ax, **kwargs)
    assert_blank(ax)
