"""SGD with ``dampening = momentum`` is the running-mean momentum of the notes on the
multi-layer perceptron:

    theta_{k+1} = theta_k + alpha (theta_k - theta_{k-1}) + (1 - alpha) (-eta grad J(theta_k)),

checked on a quadratic whose gradient A theta - b is computed here in NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from nabla.nn.parameter import Parameter
from nabla.optim import SGD
from tests.optim.helpers import rel_err
from tests.optim.problems import Quadratic

ALPHA, ETA, STEPS = 0.8, 0.05, 60


def _grad(problem: Quadratic, theta: np.ndarray) -> np.ndarray:
    return problem.A @ theta - problem.b  # grad of 1/2 theta^T A theta - b^T theta


def _sgd_path(problem: Quadratic, zero_buffer: bool) -> list[np.ndarray]:
    """theta_0, theta_1, ..., theta_STEPS from nabla's SGD(momentum=alpha, dampening=alpha)."""
    params = problem.nabla_params()
    opt = SGD(params, lr=ETA, momentum=ALPHA, dampening=ALPHA)
    if zero_buffer:  # start at rest, as the notes' recurrence with theta_{-1} = theta_0
        for p in params:
            opt.state[p]["momentum_buffer"] = np.zeros_like(p.data)
    path = [problem.init.copy()]
    for _ in range(STEPS):
        opt.zero_grad()
        problem.nabla_loss(params).backward()
        opt.step()
        path.append(np.concatenate([p.data for p in params]))
    return path


def _notes_path(problem: Quadratic, first: np.ndarray) -> list[np.ndarray]:
    """The notes' recurrence from theta_0 and the given theta_1."""
    path = [problem.init.copy(), first]
    for k in range(1, STEPS):
        prev, theta = path[k - 1], path[k]
        path.append(theta + ALPHA * (theta - prev) + (1 - ALPHA) * (-ETA * _grad(problem, theta)))
    return path


def test_dampening_equal_to_momentum_is_the_notes_recurrence() -> None:
    problem = Quadratic()
    ours = _sgd_path(problem, zero_buffer=False)
    theta0 = problem.init
    # PyTorch's first step is undamped: b_1 = g_1, a full gradient step
    np.testing.assert_allclose(ours[1], theta0 - ETA * _grad(problem, theta0), rtol=1e-14)
    notes = _notes_path(problem, ours[1])
    assert rel_err(ours[-1], ours[0]) > 0.1, "the parameters did not move"
    for k, (a, b) in enumerate(zip(ours, notes)):
        assert rel_err(a, b) <= 1e-12, f"step {k}"


def test_zero_buffer_follows_the_notes_from_the_first_step() -> None:
    problem = Quadratic()
    ours = _sgd_path(problem, zero_buffer=True)
    theta0 = problem.init
    # at rest (theta_{-1} = theta_0) the notes' first step is damped too
    first = theta0 + (1 - ALPHA) * (-ETA * _grad(problem, theta0))
    notes = _notes_path(problem, first)
    for k, (a, b) in enumerate(zip(ours, notes)):
        assert rel_err(a, b) <= 1e-12, f"step {k}"
    assert rel_err(ours[1], _sgd_path(problem, zero_buffer=False)[1]) > 1e-3


def test_dampening_trajectory_equals_torch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch's SGD is the oracle")
    problem = Quadratic()
    ours = _sgd_path(problem, zero_buffer=False)
    t_params = problem.torch_params(torch)
    opt = torch.optim.SGD(t_params, lr=ETA, momentum=ALPHA, dampening=ALPHA)
    for k in range(STEPS):
        opt.zero_grad()
        problem.torch_loss(torch, t_params).backward()
        opt.step()
        theirs = np.concatenate([p.detach().numpy() for p in t_params])
        assert rel_err(ours[k + 1], theirs) <= 1e-12, f"step {k + 1}"


def test_dampening_out_of_range_rejected() -> None:
    p = Parameter(np.ones(2))
    with pytest.raises(ValueError, match=r"SGD: dampening must be in \[0, 1\], got -0.5"):
        SGD([p], lr=0.1, momentum=0.9, dampening=-0.5)
