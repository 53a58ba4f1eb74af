"""LAMB's layer-wise step lengths (the paper's defining property), and NAdam's and RAdam's
state dicts moving to and from PyTorch. Trajectories are in test_trajectories.py (through
the registry: PyTorch for NAdam and RAdam, the paper's pseudocode in NumPy for LAMB)."""

from __future__ import annotations

import numpy as np
import pytest

from nabla.nn.parameter import Parameter
from nabla.optim import LAMB, NAdam, RAdam
from tests.optim.helpers import flat, groups, rel_err
from tests.optim.problems import Net

LR = 0.01


def _one_step(opt, params, grads):
    for p, g in zip(params, grads):
        p.grad = np.asarray(g, dtype=np.float64)
    opt.step()


def test_lamb_moves_each_layer_by_lr_times_its_norm() -> None:
    """||theta_new - theta|| = lr phi(||theta||) per tensor, whatever its gradient's scale."""
    rng = np.random.default_rng(0)
    start = [rng.standard_normal((4, 3)) * 3, rng.standard_normal(5) * 0.01]
    params = [Parameter(a.copy()) for a in start]
    opt = LAMB(params, lr=LR, weight_decay=0.1)
    for step in range(5):
        before = [p.data.copy() for p in params]
        _one_step(opt, params, [rng.standard_normal((4, 3)) * 1e3, rng.standard_normal(5) * 1e-3])
        for b, p in zip(before, params):
            moved = np.sqrt(np.sum((p.data - b) ** 2))
            np.testing.assert_allclose(moved, LR * np.sqrt(np.sum(b**2)), rtol=1e-12)


def test_lamb_bounds_and_zero_layers() -> None:
    w, b = Parameter(np.array([3.0, 4.0])), Parameter(np.zeros(2))
    opt = LAMB([w, b], lr=LR, weight_norm_bounds=(0.5, 1.0))
    _one_step(opt, [w, b], [[1.0, -2.0], [0.5, -0.25]])
    # ||w|| = 5 is clipped to gamma_u = 1: w moves by lr * 1
    np.testing.assert_allclose(np.sqrt(np.sum((w.data - [3.0, 4.0]) ** 2)), LR, rtol=1e-12)
    # b = 0 is clipped up to gamma_l = 0.5
    np.testing.assert_allclose(np.sqrt(np.sum(b.data**2)), 0.5 * LR, rtol=1e-12)
    # without bounds a zero layer takes Adam's step:
    # lr m_hat / (sqrt(v_hat) + eps) = lr g / (|g| + eps) on the first step
    z = Parameter(np.zeros(2))
    opt = LAMB([z], lr=LR)
    _one_step(opt, [z], [[0.5, -0.25]])
    np.testing.assert_allclose(
        z.data, -LR * np.array([0.5, -0.25]) / (np.array([0.5, 0.25]) + 1e-6)
    )


def test_lamb_float32_stays_float32() -> None:
    w = Parameter(np.array([1.0, -2.0, 0.5], dtype=np.float32))
    opt = LAMB([w], lr=LR)
    data = w.data
    _one_step(opt, [w], [[0.1, 0.2, -0.3]])
    assert w.data is data and w.data.dtype == np.float32
    assert opt.state[w]["exp_avg"].dtype == np.float32


@pytest.mark.parametrize(
    ("cls", "config"),
    [
        (NAdam, {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.01}),
        (NAdam, {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
        (RAdam, {"lr": 0.01, "weight_decay": 0.1}),
        (RAdam, {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ],
)
def test_state_dict_round_trip_with_torch(cls, config) -> None:
    """Ours -> torch's, and torch's -> ours, mid-training: both continue on the same path."""
    torch = pytest.importorskip("torch", reason="PyTorch reads and writes the state dicts")
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # torch's scalar state in float64, as ours
    try:
        problem = Net()
        params = problem.nabla_params()
        opt = cls(groups(params, config), **config)

        def train(o, ps, loss, n):
            for _ in range(n):
                o.zero_grad()
                loss(ps).backward()
                o.step()

        def ours_loss(ps):
            return problem.nabla_loss(ps)

        def torch_loss(ps):
            return problem.torch_loss(torch, ps)

        train(opt, params, ours_loss, 8)  # past RAdam's switch to rectified steps (t = 6)
        sd = opt.state_dict()
        t_params = [torch.tensor(p.data.copy(), requires_grad=True) for p in params]
        t_opt = getattr(torch.optim, cls.__name__)(groups(t_params, config), **config)
        t_opt.load_state_dict(
            {
                "state": {
                    k: {
                        n: torch.tensor(v) if isinstance(v, np.ndarray) else v for n, v in s.items()
                    }
                    for k, s in sd["state"].items()
                },
                "param_groups": sd["param_groups"],
            }
        )
        train(opt, params, ours_loss, 5)
        train(t_opt, t_params, torch_loss, 5)
        assert rel_err(flat(p.data for p in params), flat(p.detach() for p in t_params)) <= 1e-10
        # and back: torch's state (tensors, float steps) resumes here
        back = [Parameter(p.detach().numpy().copy()) for p in t_params]
        opt2 = cls(groups(back, config), **config)
        opt2.load_state_dict(t_opt.state_dict())
        train(opt2, back, ours_loss, 5)
        train(t_opt, t_params, torch_loss, 5)
        assert rel_err(flat(p.data for p in back), flat(p.detach() for p in t_params)) <= 1e-10
    finally:
        torch.set_default_dtype(default)
