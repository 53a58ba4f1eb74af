"""The Optimizer protocol: params and groups, zero_grad, step, in-place updates, dtypes."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla.nn.parameter import Parameter
from nabla.optim import SGD, Adam
from tests.optim.helpers import groups
from tests.optim.problems import Net
from tests.optim.registry import FIRST_ORDER

FIRST_ORDER_CASES = [
    pytest.param(spec, config, id=f"{spec.name}-{i}")
    for spec in FIRST_ORDER
    for i, config in enumerate(spec.configs)
]


def test_params_forms() -> None:
    w, b = Parameter(np.ones(2)), Parameter(np.zeros(1))
    assert SGD(p for p in [w, b]).param_groups[0]["params"] == [w, b]
    named = SGD([("weight", w), ("bias", b)], lr=0.1)
    assert named.param_groups[0]["param_names"] == ["weight", "bias"]
    grouped = SGD([{"params": [w]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in grouped.param_groups] == [0.1, 0.5]
    assert grouped.param_groups[1]["momentum"] == 0.9
    assert grouped.param_groups[1]["params"] == [b]


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        (
            Parameter(np.ones(2)),
            TypeError,
            "SGD: params must be an iterable of Tensors or of dicts",
        ),
        ({Parameter(np.ones(2))}, TypeError, "SGD: params must be an ordered collection"),
        ([], ValueError, "SGD: got an empty parameter list"),
        (3, TypeError, "SGD: params must be an iterable of Tensors or of dicts, got int"),
        ([np.ones(2)], TypeError, "SGD: can only optimise Tensors, but parameter 0 of the group"),
        ([nabla.tensor([1, 2])], TypeError, "SGD: can only optimise floating-point tensors"),
        ([{"lr": 0.1}], ValueError, "SGD: a parameter group must have a 'params' entry"),
    ],
)
def test_bad_params(params, exc, match) -> None:
    with pytest.raises(exc, match=match):
        SGD(params, lr=0.1)


def test_non_leaf_and_duplicates_rejected() -> None:
    w = Parameter(np.ones(2))
    with pytest.raises(ValueError, match="SGD: can't optimise a non-leaf Tensor"):
        SGD([w * 2.0])
    with pytest.raises(ValueError, match="the same parameter twice"):
        SGD([w, w])
    opt = SGD([w])
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [w]})
    assert len(opt.param_groups) == 1


def test_zero_grad() -> None:
    w = Parameter(np.ones(2))
    opt = SGD([w], lr=0.1)
    w.grad = np.array([1.0, 2.0])
    held = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is held and w.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


def test_parameters_without_grad_are_skipped_and_closure_loss_returned() -> None:
    a, b = Parameter(np.ones(2)), Parameter(np.ones(2))
    opt = Adam([a, b], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert float(loss) == 2.0
    assert b.data.tolist() == [1.0, 1.0] and b not in opt.state
    assert np.all(a.data < 1.0)
    assert opt.step() is None


def test_grad_shape_mismatch_raises() -> None:
    w = Parameter(np.ones(3))
    w.grad = np.ones(2)
    with pytest.raises(RuntimeError, match=r"shape \(3,\) has a gradient of shape \(2,\)"):
        SGD([w], lr=0.1).step()
    assert w.data.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(("spec", "config"), FIRST_ORDER_CASES)
def test_float32_in_place_and_grad_untouched(spec, config) -> None:
    """float32 stays float32 (no promotion), p.data changes in place, p.grad is only read."""
    problem = Net()
    params = [Parameter(p.data.astype(np.float32)) for p in problem.nabla_params()]
    arrays = [p.data for p in params]
    opt = spec.cls(groups(params, config), **config)
    for _ in range(3):
        opt.zero_grad()
        x, y = (
            nabla.tensor(problem.x.astype(np.float32)),
            nabla.tensor(problem.y.astype(np.float32)),
        )
        W1, b1, W2, b2 = params
        (((x @ W1.T + b1).tanh() @ W2.T + b2 - y) ** 2).mean().backward()
        grads = [p.grad.copy() for p in params]
        opt.step()
        for p, g in zip(params, grads):
            np.testing.assert_array_equal(p.grad, g)
    for p, arr in zip(params, arrays):
        assert p.data is arr and p.data.dtype == np.float32
        for value in opt.state[p].values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32


def test_repr_lists_groups() -> None:
    text = repr(Adam([Parameter(np.ones(1))], lr=0.5))
    assert text.startswith("Adam (") and "Parameter Group 0" in text and "lr: 0.5" in text
