"""The factor, cyclical and composite schedules equal PyTorch's over 60 steps (rates and
cycled momenta), resume from their state dicts, and reject bad arguments unchanged."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from nabla.nn.parameter import Parameter
from nabla.optim import SGD, Adagrad, Adam
from nabla.optim import lr_scheduler as ls

LRS = (0.1, 0.03)  # two parameter groups with different rates
STEPS = 60


class Halving:
    """A callable object with state: its attributes travel in the state dict."""

    def __init__(self, every: int = 10) -> None:
        self.every = every

    def __call__(self, epoch: int) -> float:
        return 0.5 ** (epoch // self.every)


# each case builds its scheduler from a module (nabla's or torch's lr_scheduler) and optimiser
CASES = {
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda e: 0.95**e),
    "LambdaLR-per-group": lambda m, o: m.LambdaLR(
        o, [lambda e: 1 / (e + 1), lambda e: 0.5 if e % 10 < 5 else 1.0]
    ),
    "LambdaLR-object": lambda m, o: m.LambdaLR(o, Halving(7)),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lambda e: 0.97),
    "MultiplicativeLR-per-group": lambda m, o: m.MultiplicativeLR(
        o, [lambda e: 0.9 if e % 3 else 1.1, lambda e: 0.99]
    ),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[10, 25, 25, 40], gamma=0.5),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=8),
    "ConstantLR-defaults": lambda m, o: m.ConstantLR(o),
    "LinearLR-warmup": lambda m, o: m.LinearLR(o, start_factor=0.1, total_iters=20),
    "LinearLR-decay": lambda m, o: m.LinearLR(o, 1.0, 0.05, total_iters=30),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=40, power=2.0),
    "PolynomialLR-defaults": lambda m, o: m.PolynomialLR(o),
    "OneCycleLR": lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=STEPS),
    "OneCycleLR-three-phase-linear": lambda m, o: m.OneCycleLR(
        o, [0.5, 0.2], epochs=6, steps_per_epoch=10, three_phase=True, anneal_strategy="linear"
    ),
    "OneCycleLR-no-momentum": lambda m, o: m.OneCycleLR(
        o, 0.3, STEPS + 5, pct_start=0.45, cycle_momentum=False, div_factor=10.0
    ),
    "CyclicLR": lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=7),
    "CyclicLR-triangular2": lambda m, o: m.CyclicLR(
        o, [0.01, 0.02], [0.1, 0.05], step_size_up=5, step_size_down=3, mode="triangular2"
    ),
    "CyclicLR-exp-range": lambda m, o: m.CyclicLR(
        o, 0.01, 0.1, step_size_up=4, mode="exp_range", gamma=0.97, base_momentum=0.7
    ),
    "CyclicLR-scale-fn": lambda m, o: m.CyclicLR(
        o, 0.01, 0.1, 6, scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations"
    ),
    "SequentialLR-warmup-exp": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.2, total_iters=5), m.ExponentialLR(o, 0.9)], [5]
    ),
    "SequentialLR-three": lambda m, o: m.SequentialLR(
        o,
        [m.ConstantLR(o, 0.3, 6), m.CosineAnnealingLR(o, 20, 0.001), m.MultiStepLR(o, [35, 50])],
        milestones=[4, 30],
    ),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.25, total_iters=6), m.ExponentialLR(o, gamma=0.95)]
    ),
    "ChainedScheduler-three": lambda m, o: m.ChainedScheduler(
        [m.LinearLR(o, 0.5, total_iters=10), m.StepLR(o, 7, 0.7), m.PolynomialLR(o, 50, 0.5)], o
    ),
}
ADAM_CASES = {  # cycling Adam's beta1 instead of SGD's momentum
    "OneCycleLR-Adam": CASES["OneCycleLR"],
    "CyclicLR-Adam": CASES["CyclicLR-triangular2"],
}


def _ours(build, optimizer="SGD"):
    ps = [Parameter(np.ones(1)), Parameter(np.ones(1))]
    cls = {"SGD": SGD, "Adam": Adam}[optimizer]
    opt = cls([{"params": [ps[0]], "lr": LRS[0]}, {"params": [ps[1]], "lr": LRS[1]}])
    return opt, build(ls, opt)


def _theirs(torch, build, optimizer="SGD"):
    ps = [torch.ones(1, requires_grad=True), torch.ones(1, requires_grad=True)]
    cls = getattr(torch.optim, optimizer)
    opt = cls([{"params": [ps[0]], "lr": LRS[0]}, {"params": [ps[1]], "lr": LRS[1]}])
    return opt, build(torch.optim.lr_scheduler, opt)


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


@pytest.mark.parametrize(
    ("build", "optimizer"),
    [pytest.param(b, "SGD", id=k) for k, b in CASES.items()]
    + [pytest.param(b, "Adam", id=k) for k, b in ADAM_CASES.items()],
)
def test_schedule_equals_torch(build, optimizer) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch's schedulers are the oracle")
    opt, sched = _ours(build, optimizer)
    t_opt, t_sched = _theirs(torch, build, optimizer)
    np.testing.assert_allclose(sched.get_last_lr(), t_sched.get_last_lr(), rtol=1e-13)
    np.testing.assert_allclose(_momenta(opt), _momenta(t_opt), rtol=1e-13)
    seen = {round(sched.get_last_lr()[0], 12)}
    for i in range(STEPS):
        opt.step(), t_opt.step()
        sched.step(), t_sched.step()
        ours, theirs = sched.get_last_lr(), t_sched.get_last_lr()
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15, err_msg=f"step {i}")
        assert [g["lr"] for g in opt.param_groups] == ours
        np.testing.assert_allclose(_momenta(opt), _momenta(t_opt), rtol=1e-12, err_msg=f"step {i}")
        seen.add(round(ours[0], 12))
    assert len(seen) >= 2, "the schedule never changed the rate"


@pytest.mark.parametrize("build", list(CASES.values()), ids=list(CASES))
def test_state_dict_resumes_the_schedule(build) -> None:
    opt, sched = _ours(build)
    for _ in range(25):
        opt.step(), sched.step()
    saved_opt, saved = copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())
    assert "optimizer" not in saved
    for _ in range(25, STEPS):
        opt.step(), sched.step()
    # PyTorch's order: build the schedule, then load the optimiser's state, then the schedule's
    opt2, sched2 = _ours(build)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved)
    for _ in range(25, STEPS):
        opt2.step(), sched2.step()
    assert sched2.get_last_lr() == sched.get_last_lr()
    assert _momenta(opt2) == _momenta(opt)


def test_callable_object_state_travels() -> None:
    _, sched = _ours(CASES["LambdaLR-object"])
    saved = sched.state_dict()
    assert saved["lr_lambdas"] == [{"every": 7}, {"every": 7}]
    opt2 = SGD([Parameter(np.ones(1)), Parameter(np.ones(1))], lr=0.1)
    other = ls.LambdaLR(opt2, Halving(3))
    other.load_state_dict(saved)
    assert other.lr_lambdas[0].every == 7
    plain = ls.LambdaLR(SGD([Parameter(np.ones(1))], lr=0.1), lambda e: 1.0)
    assert plain.state_dict()["lr_lambdas"] == [None]  # code is not state


def test_one_cycle_refuses_to_step_past_its_end() -> None:
    opt, sched = _ours(lambda m, o: m.OneCycleLR(o, 1.0, total_steps=3))
    for _ in range(3):
        opt.step(), sched.step()
    before = [dict(g) for g in opt.param_groups]
    with pytest.raises(ValueError, match="tried to step 4 times, but the schedule has total_st"):
        sched.step()
    assert opt.param_groups == before and sched.last_epoch == 3


def _two_groups(cls=SGD):
    return cls(
        [
            {"params": [Parameter(np.ones(1))], "lr": LRS[0]},
            {"params": [Parameter(np.ones(1))], "lr": LRS[1]},
        ]
    )


BAD = [
    (
        "LambdaLR",
        {"lr_lambda": [lambda e: 1.0]},
        ValueError,
        "LambdaLR: lr_lambda has 1 functions but the optimiser has 2",
    ),
    (
        "LambdaLR",
        {"lr_lambda": 3},
        TypeError,
        "LambdaLR: lr_lambda must be a function of the epoch, got 3",
    ),
    (
        "MultiplicativeLR",
        {"lr_lambda": "0.9"},
        TypeError,
        "MultiplicativeLR: lr_lambda must be a function",
    ),
    (
        "MultiStepLR",
        {"milestones": [5, -1]},
        ValueError,
        "MultiStepLR: each milestone must be >= 0, got -1",
    ),
    (
        "MultiStepLR",
        {"milestones": 5},
        TypeError,
        "MultiStepLR: milestones must be an iterable of ints, got 5",
    ),
    (
        "MultiStepLR",
        {"milestones": [3], "gamma": -0.1},
        ValueError,
        "MultiStepLR: gamma must be >= 0, got -0.1",
    ),
    ("ConstantLR", {"factor": 0.0}, ValueError, "ConstantLR: factor must be in (0, 1], got 0.0"),
    ("ConstantLR", {"factor": 1.5}, ValueError, "ConstantLR: factor must be in (0, 1], got 1.5"),
    ("ConstantLR", {"total_iters": -1}, ValueError, "ConstantLR: total_iters must be >= 0, got -1"),
    (
        "LinearLR",
        {"start_factor": 0.0},
        ValueError,
        "LinearLR: start_factor must be in (0, 1], got 0.0",
    ),
    (
        "LinearLR",
        {"end_factor": 1.5},
        ValueError,
        "LinearLR: end_factor must be in [0, 1], got 1.5",
    ),
    ("LinearLR", {"total_iters": 0}, ValueError, "LinearLR: total_iters must be >= 1, got 0"),
    (
        "PolynomialLR",
        {"total_iters": 0},
        ValueError,
        "PolynomialLR: total_iters must be >= 1, got 0",
    ),
    ("PolynomialLR", {"power": -1.0}, ValueError, "PolynomialLR: power must be >= 0, got -1.0"),
    (
        "CyclicLR",
        {"base_lr": [0.1], "max_lr": 1.0},
        ValueError,
        "CyclicLR: base_lr has 1 values but the optimiser has 2 parameter groups",
    ),
    (
        "CyclicLR",
        {"base_lr": -0.1, "max_lr": 1.0},
        ValueError,
        "CyclicLR: base_lr must be >= 0, got -0.1",
    ),
    (
        "CyclicLR",
        {"base_lr": 0.1, "max_lr": 1.0, "mode": "saw"},
        ValueError,
        "CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range'",
    ),
    (
        "CyclicLR",
        {"base_lr": 0.1, "max_lr": 1.0, "step_size_up": 0},
        ValueError,
        "CyclicLR: step_size_up must be >= 1, got 0",
    ),
    (
        "CyclicLR",
        {"base_lr": 0.1, "max_lr": 1.0, "gamma": 0.0},
        ValueError,
        "CyclicLR: gamma must be > 0, got 0.0",
    ),
    (
        "CyclicLR",
        {"base_lr": 0.1, "max_lr": 1.0, "scale_fn": 3},
        TypeError,
        "CyclicLR: scale_fn must be None or a function, got 3",
    ),
    (
        "CyclicLR",
        {"base_lr": 0.1, "max_lr": 1.0, "scale_mode": "epoch"},
        ValueError,
        "CyclicLR: scale_mode must be 'cycle' or 'iterations'",
    ),
    (
        "OneCycleLR",
        {"max_lr": 1.0},
        ValueError,
        "OneCycleLR: give total_steps, or epochs and steps_per_epoch",
    ),
    (
        "OneCycleLR",
        {"max_lr": 1.0, "total_steps": 0},
        ValueError,
        "OneCycleLR: total_steps must be >= 1, got 0",
    ),
    (
        "OneCycleLR",
        {"max_lr": 1.0, "epochs": 2, "steps_per_epoch": 0},
        ValueError,
        "OneCycleLR: steps_per_epoch must be >= 1, got 0",
    ),
    (
        "OneCycleLR",
        {"max_lr": 1.0, "total_steps": 10, "pct_start": 1.5},
        ValueError,
        "OneCycleLR: pct_start must be in [0, 1], got 1.5",
    ),
    (
        "OneCycleLR",
        {"max_lr": 1.0, "total_steps": 10, "anneal_strategy": "quad"},
        ValueError,
        "OneCycleLR: anneal_strategy must be 'cos' or 'linear', got 'quad'",
    ),
    (
        "OneCycleLR",
        {"max_lr": 1.0, "total_steps": 10, "div_factor": 0.0},
        ValueError,
        "OneCycleLR: div_factor must be > 0, got 0.0",
    ),
    (
        "OneCycleLR",
        {"max_lr": 1.0, "total_steps": 10, "pct_start": 0.1},
        ValueError,
        "OneCycleLR: pct_start=0.1 with total_steps=10 leaves a phase of no steps",
    ),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "exc", "match"), BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)]
)
def test_bad_arguments_leave_the_optimizer_alone(name, kwargs, exc, match) -> None:
    opt = _two_groups()
    before = [dict(g) for g in opt.param_groups]
    with pytest.raises(exc, match=re.escape(match)):
        getattr(ls, name)(opt, **kwargs)
    assert opt.param_groups == before


def test_cycling_momentum_needs_a_momentum() -> None:
    opt = _two_groups(Adagrad)
    before = [dict(g) for g in opt.param_groups]
    for cls, kw in [
        (ls.CyclicLR, {"base_lr": 0.1, "max_lr": 1.0}),
        (ls.OneCycleLR, {"max_lr": 1.0, "total_steps": 10}),
    ]:
        with pytest.raises(
            ValueError,
            match=f"{cls.__name__}: cycle_momentum=True needs an optimiser with a momentum",
        ):
            cls(opt, **kw)
        assert opt.param_groups == before
    ls.OneCycleLR(opt, max_lr=1.0, total_steps=10, cycle_momentum=False)  # fine without


def test_composites_bad_arguments() -> None:
    opt, other = _two_groups(), _two_groups()
    a, b = ls.ExponentialLR(opt, 0.9), ls.StepLR(opt, 3)
    before = [dict(g) for g in opt.param_groups]
    cases = [
        (
            lambda: ls.SequentialLR(opt, [a, b], milestones=[]),
            ValueError,
            "SequentialLR: milestones must list one epoch fewer than the 2 schedulers, got []",
        ),
        (
            lambda: ls.SequentialLR(opt, [], milestones=[]),
            ValueError,
            "SequentialLR: schedulers must be a non-empty list",
        ),
        (
            lambda: ls.SequentialLR(opt, [a, "b"], milestones=[3]),
            TypeError,
            "SequentialLR: schedulers[1] must be an LRScheduler, got str",
        ),
        (
            lambda: ls.SequentialLR(opt, [a, ls.StepLR(other, 3)], [3]),
            ValueError,
            "SequentialLR: schedulers[1] (StepLR) schedules another optimiser",
        ),
        (
            lambda: ls.SequentialLR(opt, [a, b, b], milestones=[5, 5]),
            ValueError,
            "SequentialLR: milestones must increase, got [5, 5]",
        ),
        (
            lambda: ls.SequentialLR(opt, [a, b], milestones=[0]),
            ValueError,
            "SequentialLR: each milestone must be >= 1, got 0",
        ),
        (
            lambda: ls.SequentialLR(opt, [a, ls.ReduceLROnPlateau(opt)], [3]),
            ValueError,
            "SequentialLR: schedulers[1] is a ReduceLROnPlateau",
        ),
        (
            lambda: ls.ChainedScheduler([]),
            ValueError,
            "ChainedScheduler: schedulers must be a non-empty list",
        ),
        (
            lambda: ls.ChainedScheduler([a, ls.ReduceLROnPlateau(opt)]),
            ValueError,
            "ChainedScheduler: schedulers[1] is a ReduceLROnPlateau",
        ),
        (
            lambda: ls.ChainedScheduler([a], optimizer="sgd"),
            TypeError,
            "ChainedScheduler: optimizer must be an Optimizer",
        ),
    ]
    for call, exc, match in cases:
        with pytest.raises(exc, match=re.escape(match)):
            call()
        assert opt.param_groups == before
