"""state_dict / load_state_dict: snapshots, exact resumption, PyTorch's layout, bad input."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from nabla.nn.parameter import Parameter
from tests.optim.helpers import flat, groups, rel_err
from tests.optim.problems import Net
from tests.optim.registry import BY_NAME, FIRST_ORDER, OPTIMIZERS


def _make(spec, config, params):
    if spec.second_order:
        return spec.cls(params, **config)
    return spec.cls(groups(params, config), **config)


def _train(opt, params, problem, steps):
    def closure():
        opt.zero_grad()
        loss = problem.nabla_loss(params)
        loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)


def _equal(a, b) -> bool:
    """Deep equality of state dicts (arrays bit for bit)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return a == b


ROUND_TRIP = [
    pytest.param(spec, config, id=f"{spec.name}-{i}")
    for spec in OPTIMIZERS
    if spec.name != "Newton"
    for i, config in enumerate(spec.configs or [{}])
] + [pytest.param(BY_NAME["Newton"], {"damping": 1e-3}, id="Newton")]


@pytest.mark.parametrize(("spec", "config"), ROUND_TRIP)
def test_round_trip_resumes_identically(spec, config) -> None:
    problem = Net()
    params = problem.nabla_params()
    opt = _make(spec, config, params)
    _train(opt, params, problem, 3)
    saved = opt.state_dict()
    snapshot = copy.deepcopy(saved)
    start = [p.data.copy() for p in params]
    _train(opt, params, problem, 3)
    assert _equal(saved, snapshot), "state_dict() must be a snapshot, not a view"

    params2 = [Parameter(a.copy()) for a in start]
    opt2 = _make(spec, config, params2)
    opt2.load_state_dict(saved)
    _train(opt2, params2, problem, 3)
    assert np.array_equal(flat(p.data for p in params2), flat(p.data for p in params))
    assert _equal(opt2.state_dict(), opt.state_dict())


def test_state_dict_layout_is_pytorchs() -> None:
    """Our state dict loads into torch.optim.Adam and both continue on the same path."""
    torch = pytest.importorskip("torch", reason="PyTorch checks the state-dict layout")
    for spec_name, config in [
        ("Adam", {"lr": 0.01, "amsgrad": True}),
        ("SGD", {"lr": 0.05, "momentum": 0.9}),
        ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
        ("Adagrad", {"lr": 0.1}),
    ]:
        spec = BY_NAME[spec_name]
        problem = Net()
        params = problem.nabla_params()
        opt = _make(spec, config, params)
        _train(opt, params, problem, 5)
        sd = opt.state_dict()
        t_sd = {
            "state": {
                k: {n: torch.tensor(v) if isinstance(v, np.ndarray) else v for n, v in s.items()}
                for k, s in sd["state"].items()
            },
            "param_groups": [
                {k: v for k, v in g.items() if k not in ("bias_correction",)}
                for g in sd["param_groups"]
            ],
        }
        t_params = [torch.tensor(p.data.copy(), requires_grad=True) for p in params]
        t_opt = getattr(torch.optim, spec.torch_name)(groups(t_params, config), **config)
        t_opt.load_state_dict(t_sd)
        for _ in range(5):
            t_opt.zero_grad()
            problem.torch_loss(torch, t_params).backward()
            t_opt.step()
        _train(opt, params, problem, 5)
        ours, theirs = flat(p.data for p in params), flat(p.detach().numpy() for p in t_params)
        assert rel_err(ours, theirs) <= 1e-10, spec_name


@pytest.mark.parametrize("spec", FIRST_ORDER, ids=lambda s: s.name)
def test_load_rejects_mismatches_and_changes_nothing(spec) -> None:
    problem = Net()
    params = problem.nabla_params()
    config = spec.configs[1]  # one with state for every optimiser
    opt = _make(spec, config, params)
    _train(opt, params, problem, 2)
    before = copy.deepcopy(opt.state_dict())
    good = opt.state_dict()
    name = spec.name

    bad_groups = copy.deepcopy(good)
    bad_groups["param_groups"] = bad_groups["param_groups"][:1]
    bad_count = copy.deepcopy(good)
    bad_count["param_groups"][0]["params"] = bad_count["param_groups"][0]["params"][:1]
    bad_lr = copy.deepcopy(good)
    bad_lr["param_groups"][1]["lr"] = -1.0
    bad_shape = copy.deepcopy(good)
    key = next(iter(bad_shape["state"]))
    arrays = [k for k, v in bad_shape["state"][key].items() if isinstance(v, np.ndarray)]
    bad_shape["state"][key][arrays[0]] = np.zeros(7)
    bad_key = copy.deepcopy(good)
    bad_key["state"][99] = bad_key["state"][key]
    cases = [
        ("not a dict", ValueError, "expected a dict with 'state' and 'param_groups'"),
        (bad_groups, ValueError, "the state dict has 1 parameter groups but this optimiser has 2"),
        (bad_count, ValueError, "group 0 of the state dict has 1 parameters but this optimiser's"),
        (bad_lr, ValueError, f"{name}: lr must be >= 0, got -1.0"),
        (bad_shape, ValueError, f"state {arrays[0]!r} of parameter {key} has shape (7,)"),
        (bad_key, ValueError, "has state for parameter 99, which none of its groups lists"),
    ]
    for bad, exc, match in cases:
        with pytest.raises(exc, match=re.escape(match)):
            opt.load_state_dict(bad)
        assert _equal(opt.state_dict(), before)


def test_load_casts_state_to_the_parameter_dtype() -> None:
    from nabla.optim import Adam

    p64 = Parameter(np.ones(3))
    opt = Adam([p64])
    p64.grad = np.ones(3)
    opt.step()
    p32 = Parameter(np.ones(3, dtype=np.float32))
    opt32 = Adam([p32])
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[p32]["exp_avg"].dtype == np.float32
    assert opt32.state[p32]["step"] == 1


def test_loads_a_pytorch_state_dict() -> None:
    """A torch.optim.Adam state dict (tensors, float steps, torch-only keys) resumes here."""
    torch = pytest.importorskip("torch", reason="PyTorch writes the state dict")
    spec, config = BY_NAME["Adam"], {"lr": 0.01, "amsgrad": True}
    problem = Net()
    t_params = problem.torch_params(torch)
    t_opt = torch.optim.Adam(groups(t_params, config), **config)
    for _ in range(5):
        t_opt.zero_grad()
        problem.torch_loss(torch, t_params).backward()
        t_opt.step()
    params = [Parameter(p.detach().numpy().copy()) for p in t_params]
    opt = _make(spec, config, params)
    opt.load_state_dict(t_opt.state_dict())
    assert opt.param_groups[0]["bias_correction"] is True
    for _ in range(5):
        t_opt.zero_grad()
        problem.torch_loss(torch, t_params).backward()
        t_opt.step()
    _train(opt, params, problem, 5)
    theirs = flat(p.detach().numpy() for p in t_params)
    assert rel_err(flat(p.data for p in params), theirs) <= 1e-10
