"""Newton without line search, and the bound max_ls puts on the backtracking.

On the quadratic f = 1/2 theta'A theta - b'theta the Newton direction from theta is
d = -A^{-1}(A theta - b), computed here by numpy.linalg.solve. Along it
f(theta + t d) = f(theta) + (t - t^2/2) g'd, so the Armijo test
f(theta + t d) <= f(theta) + c1 t g'd holds exactly when t <= 2 (1 - c1): from lr = 2^k
the halvings 2^k, ..., 2, 1 make k + 1 trials, the last one accepted.
"""

from __future__ import annotations

import numpy as np
import pytest

from nabla.optim import Newton
from tests.optim.problems import Quadratic


def _setup(problem, **kwargs):
    params = problem.nabla_params()
    opt = Newton(params, hessian=lambda theta: problem.A, **kwargs)
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = problem.nabla_loss(params)
        loss.backward()
        return loss

    return params, opt, closure, calls


def _theta(params) -> np.ndarray:
    return np.concatenate([p.data for p in params])


def _newton_direction(problem, theta) -> np.ndarray:
    return np.linalg.solve(problem.A, -(problem.A @ theta - problem.b))


@pytest.mark.parametrize("lr", [0.3, 1.0, 3.0])
def test_without_line_search_the_step_is_lr_times_the_newton_direction(lr) -> None:
    problem = Quadratic()
    params, opt, closure, calls = _setup(problem, lr=lr, line_search=False)
    theta0 = problem.init.copy()
    expected = theta0 + lr * _newton_direction(problem, theta0)
    opt.step(closure)
    np.testing.assert_allclose(_theta(params), expected, rtol=1e-12, atol=1e-14)
    assert calls == [1]  # one evaluation: no trial steps
    assert opt.state[params[0]]["t"] == lr
    # a second step goes on from there with the same rule (lr = 3 overshoots and so climbs)
    theta1 = _theta(params)
    opt.step(closure)
    expected = theta1 + lr * _newton_direction(problem, theta1)
    np.testing.assert_allclose(_theta(params), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("lr", "factor"), [(2.0, 1.0), (3.0, 4.0)])
def test_without_line_search_an_overshooting_step_is_taken_whole(lr, factor) -> None:
    # theta - theta* = e becomes (1 - lr) e, so f - f* is multiplied by (1 - lr)^2
    problem = Quadratic()
    f = lambda v: 0.5 * v @ problem.A @ v - problem.b @ v
    f_min = f(problem.minimum)
    params, opt, closure, _ = _setup(problem, lr=lr, line_search=False)
    opt.step(closure)
    assert f(_theta(params)) - f_min == pytest.approx(factor * (f(problem.init) - f_min))
    params, opt, closure, _ = _setup(problem, lr=lr)  # the line search goes down to 1
    opt.step(closure)
    assert f(_theta(params)) < f(problem.init)


@pytest.mark.parametrize("k", [0, 3, 7])
def test_backtracking_makes_k_plus_one_trials_from_lr_2_to_the_k(k) -> None:
    problem = Quadratic()
    params, opt, closure, calls = _setup(problem, lr=2.0**k, max_ls=30)
    opt.step(closure)
    assert len(calls) == 1 + (k + 1)
    assert opt.state[params[0]]["t"] == 1.0
    np.testing.assert_allclose(_theta(params), problem.minimum, rtol=1e-12)


@pytest.mark.parametrize("max_ls", [1, 4, 10])
def test_max_ls_bounds_the_trials_and_a_failed_search_stays_put(max_ls) -> None:
    problem = Quadratic()
    params, opt, closure, calls = _setup(problem, lr=2.0**10, max_ls=max_ls)  # needs 11
    opt.step(closure)
    assert len(calls) == 1 + max_ls
    assert opt.state[params[0]]["t"] == 0.0
    np.testing.assert_array_equal(_theta(params), problem.init)


def test_max_ls_just_enough_accepts_the_last_trial() -> None:
    problem = Quadratic()
    params, opt, closure, calls = _setup(problem, lr=2.0**10, max_ls=11)
    opt.step(closure)
    assert len(calls) == 12
    np.testing.assert_allclose(_theta(params), problem.minimum, rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"line_search": 1}, TypeError, "line_search must be True or False, got 1"),
        ({"max_ls": 0}, ValueError, "max_ls must be >= 1, got 0"),
    ],
)
def test_bad_line_search_arguments(kwargs, exc, message) -> None:
    problem = Quadratic()
    with pytest.raises(exc, match=message):
        Newton(problem.nabla_params(), **kwargs)
