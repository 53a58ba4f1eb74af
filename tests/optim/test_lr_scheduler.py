"""Learning-rate schedules equal PyTorch's over 100 steps; state dicts; bad arguments."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nabla.nn.parameter import Parameter
from nabla.optim import SGD
from nabla.optim import lr_scheduler as ls

LRS = (0.1, 0.03)  # two parameter groups with different rates
STEPS = 100
# a noisy, mostly decreasing validation loss with plateaus (for ReduceLROnPlateau)
_rng = np.random.default_rng(0)
METRICS = (np.maximum(1.0 - np.arange(STEPS) / 40, 0.2) + _rng.normal(0, 0.02, STEPS)).tolist()

SCHEDULES = [
    ("StepLR", {"step_size": 7, "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.95}),
    ("CosineAnnealingLR", {"T_max": 30, "eta_min": 0.001}),
    ("CosineAnnealingLR", {"T_max": 100}),
    ("CosineAnnealingWarmRestarts", {"T_0": 10}),
    ("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 2, "eta_min": 1e-4}),
    ("ReduceLROnPlateau", {"patience": 3, "factor": 0.5}),
    (
        "ReduceLROnPlateau",
        {"patience": 1, "cooldown": 3, "threshold": 0.1, "factor": 0.5, "min_lr": [0.01, 0.0]},
    ),
    ("ReduceLROnPlateau", {"mode": "max", "threshold_mode": "abs", "patience": 1, "factor": 0.7}),
]


def _ours(name, kwargs):
    opt = SGD(
        [
            {"params": [Parameter(np.ones(1))], "lr": LRS[0]},
            {"params": [Parameter(np.ones(1))], "lr": LRS[1]},
        ]
    )
    return opt, getattr(ls, name)(opt, **kwargs)


def _theirs(torch, name, kwargs):
    opt = torch.optim.SGD(
        [
            {"params": [torch.ones(1, requires_grad=True)], "lr": LRS[0]},
            {"params": [torch.ones(1, requires_grad=True)], "lr": LRS[1]},
        ]
    )
    return opt, getattr(torch.optim.lr_scheduler, name)(opt, **kwargs)


def _advance(opt, sched, i, name):
    opt.step()
    if name == "ReduceLROnPlateau":
        sched.step(METRICS[i] if "max" not in str(sched.mode) else -METRICS[i])
    else:
        sched.step()


@pytest.mark.parametrize(
    ("name", "kwargs"), SCHEDULES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULES)]
)
def test_schedule_equals_torch(name, kwargs) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch's schedulers are the oracle")
    opt, sched = _ours(name, kwargs)
    t_opt, t_sched = _theirs(torch, name, kwargs)
    assert sched.get_last_lr() == pytest.approx(t_sched.get_last_lr(), rel=1e-13)
    seen = set()
    for i in range(STEPS):
        _advance(opt, sched, i, name)
        _advance(t_opt, t_sched, i, name)
        ours, theirs = sched.get_last_lr(), t_sched.get_last_lr()
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15, err_msg=f"step {i}")
        assert [g["lr"] for g in opt.param_groups] == ours
        seen.add(round(ours[0], 12))
    assert len(seen) > 2, "the schedule never changed the rate"


def test_chained_schedulers_equal_torch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch's schedulers are the oracle")
    opt, a = _ours("StepLR", {"step_size": 10, "gamma": 0.5})
    b = ls.ExponentialLR(opt, gamma=0.97)
    t_opt, ta = _theirs(torch, "StepLR", {"step_size": 10, "gamma": 0.5})
    tb = torch.optim.lr_scheduler.ExponentialLR(t_opt, gamma=0.97)
    for i in range(STEPS):
        opt.step(), t_opt.step()
        a.step(), b.step(), ta.step(), tb.step()
        np.testing.assert_allclose(
            b.get_last_lr(), tb.get_last_lr(), rtol=1e-12, err_msg=f"step {i}"
        )


def test_warm_restarts_fractional_epochs_equal_torch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch's schedulers are the oracle")
    kwargs = {"T_0": 3, "T_mult": 2, "eta_min": 0.001}
    opt, sched = _ours("CosineAnnealingWarmRestarts", kwargs)
    t_opt, t_sched = _theirs(torch, "CosineAnnealingWarmRestarts", kwargs)
    for epoch in range(12):
        for it in range(4):
            opt.step(), t_opt.step()
            sched.step(epoch + it / 4)
            t_sched.step(epoch + it / 4)
            np.testing.assert_allclose(sched.get_last_lr(), t_sched.get_last_lr(), rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "kwargs"), SCHEDULES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULES)]
)
def test_state_dict_resumes_the_schedule(name, kwargs) -> None:
    opt, sched = _ours(name, kwargs)
    for i in range(40):
        _advance(opt, sched, i, name)
    saved_opt, saved = opt.state_dict(), sched.state_dict()
    for i in range(40, STEPS):
        _advance(opt, sched, i, name)

    opt2, _ = _ours(name, kwargs)
    opt2.load_state_dict(saved_opt)  # restores each group's lr and initial_lr
    sched2 = getattr(ls, name)(opt2, **kwargs)
    sched2.load_state_dict(saved)
    for i in range(40, STEPS):
        _advance(opt2, sched2, i, name)
    assert sched2.get_last_lr() == sched.get_last_lr()
    assert "optimizer" not in saved


@pytest.mark.parametrize(
    ("name", "kwargs", "exc", "match"),
    [
        ("StepLR", {"step_size": 0}, ValueError, "StepLR: step_size must be >= 1, got 0"),
        ("StepLR", {"step_size": 2.5}, TypeError, "StepLR: step_size must be an integer, got 2.5"),
        (
            "ExponentialLR",
            {"gamma": -0.5},
            ValueError,
            "ExponentialLR: gamma must be >= 0, got -0.5",
        ),
        (
            "CosineAnnealingLR",
            {"T_max": 0},
            ValueError,
            "CosineAnnealingLR: T_max must be >= 1, got 0",
        ),
        (
            "CosineAnnealingWarmRestarts",
            {"T_0": 10, "T_mult": 0},
            ValueError,
            "CosineAnnealingWarmRestarts: T_mult must be >= 1, got 0",
        ),
        (
            "ReduceLROnPlateau",
            {"factor": 1.0},
            ValueError,
            "ReduceLROnPlateau: factor must be in [0, 1), got 1.0",
        ),
        (
            "ReduceLROnPlateau",
            {"mode": "up"},
            ValueError,
            "ReduceLROnPlateau: mode must be 'min' or 'max', got 'up'",
        ),
        (
            "ReduceLROnPlateau",
            {"min_lr": [0.1]},
            ValueError,
            "ReduceLROnPlateau: min_lr has 1 values but the optimiser has 2 parameter groups",
        ),
    ],
)
def test_bad_arguments_leave_the_optimizer_alone(name, kwargs, exc, match) -> None:
    opt = SGD(
        [
            {"params": [Parameter(np.ones(1))], "lr": LRS[0]},
            {"params": [Parameter(np.ones(1))], "lr": LRS[1]},
        ]
    )
    before = [dict(g) for g in opt.param_groups]
    with pytest.raises(exc, match=re.escape(match)):
        getattr(ls, name)(opt, **kwargs)
    assert opt.param_groups == before


def test_resume_needs_initial_lr() -> None:
    opt = SGD([Parameter(np.ones(1))], lr=0.1)
    with pytest.raises(KeyError, match="has no 'initial_lr'"):
        ls.StepLR(opt, step_size=3, last_epoch=5)
    with pytest.raises(TypeError, match="optimizer must be an Optimizer"):
        ls.StepLR("sgd", step_size=3)
