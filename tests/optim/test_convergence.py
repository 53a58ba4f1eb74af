"""Every first-order method reaches the minimum of a convex quadratic."""

from __future__ import annotations

import numpy as np
import pytest

from nabla.optim.lr_scheduler import ExponentialLR
from tests.optim.problems import Quadratic
from tests.optim.registry import FIRST_ORDER


@pytest.mark.parametrize("spec", [s for s in FIRST_ORDER if s.converge], ids=lambda s: s.name)
def test_reaches_the_minimum_of_a_convex_quadratic(spec) -> None:
    kwargs, steps, gamma = spec.converge
    problem = Quadratic()
    params = problem.nabla_params()
    opt = spec.cls(params, **kwargs)
    # RMSprop takes steps of about lr whatever the gradient: a decaying lr settles it
    schedule = ExponentialLR(opt, gamma) if gamma else None
    start = np.linalg.norm(problem.init - problem.minimum)
    for _ in range(steps):
        opt.zero_grad()
        problem.nabla_loss(params).backward()
        opt.step()
        if schedule:
            schedule.step()
    theta = np.concatenate([p.data for p in params])
    assert np.linalg.norm(theta - problem.minimum) <= 1e-6 * start
