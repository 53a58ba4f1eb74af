"""Losses and activations: PyTorch parity on the cases the registry does not cover,
stability at ±1000, parameter-norm penalties, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
import nabla.nn.functional as F
from nabla import nn

try:
    import torch
    import torch.nn.functional as tF
except ImportError:  # the tests that need no reference still run
    torch = tF = None

# only the tests that compare with PyTorch are skipped without it
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch reference tests need torch")


def _pair(x0: np.ndarray, grad: bool = True):
    return nabla.tensor(x0, requires_grad=grad), torch.tensor(x0, requires_grad=grad)


def _check(out, tout, inputs, tinputs, rtol=1e-6, atol=1e-7) -> None:
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(0).standard_normal(out.shape).astype(out.dtype)
    out.backward(g)
    tout.backward(torch.from_numpy(g))
    for a, b in zip(inputs, tinputs):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=rtol, atol=atol)


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"reduction": "none", "weight": [1.0, 0.5, 2.0, 1.0], "label_smoothing": 0.3},
        {"reduction": "sum", "ignore_index": 2},
        {"ignore_index": 1, "weight": [0.2, 1.0, 3.0, 0.5], "label_smoothing": 0.1},
    ],
)
def test_cross_entropy_class_indices_like_torch(kwargs, dtype) -> None:
    rng = np.random.default_rng(1)
    x0 = rng.normal(0, 3, (6, 4, 3)).astype(dtype)  # spatial: (N, C, d)
    t = rng.integers(0, 4, (6, 3))
    x, tx = _pair(x0)
    tk = dict(kwargs)
    if "weight" in tk:
        tk["weight"] = torch.tensor(tk["weight"], dtype=tx.dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    _check(
        F.cross_entropy(x, t, **kwargs),
        tF.cross_entropy(tx, torch.from_numpy(t), **tk),
        [x],
        [tx],
        tol,
        tol,
    )
    loss = nn.CrossEntropyLoss(**kwargs)
    np.testing.assert_allclose(
        loss(x, t).numpy(),
        tF.cross_entropy(tx, torch.from_numpy(t), **tk).detach().numpy(),
        rtol=tol,
        atol=tol,
    )


@needs_torch
def test_cross_entropy_probabilities_weight_and_unbatched() -> None:
    rng = np.random.default_rng(2)
    x0 = rng.normal(0, 2, (5, 3))
    p0 = rng.dirichlet(np.ones(3), 5)
    w = np.array([0.5, 1.0, 2.0])
    x, tx = _pair(x0)
    p, tp = _pair(p0)
    out = F.cross_entropy(x, p, weight=w, label_smoothing=0.2, reduction="sum")
    tout = tF.cross_entropy(
        tx, tp, weight=torch.from_numpy(w), label_smoothing=0.2, reduction="sum"
    )
    _check(out, tout, [x, p], [tx, tp], 1e-12, 1e-12)
    # an unbatched input (C,) with a scalar target
    x, tx = _pair(x0[0])
    _check(
        F.cross_entropy(x, np.array(2)),
        tF.cross_entropy(tx, torch.tensor(2)),
        [x],
        [tx],
        1e-12,
        1e-12,
    )


@needs_torch
def test_cross_entropy_all_ignored_is_nan_like_torch() -> None:
    x0 = np.zeros((2, 3))
    out = F.cross_entropy(nabla.tensor(x0), np.array([-100, -100]))
    assert np.isnan(out.item()) and np.isnan(
        tF.cross_entropy(torch.tensor(x0), torch.tensor([-100, -100])).item()
    )


def _ce_of_target(x: np.ndarray, q: np.ndarray) -> float:
    """mean_i -sum_c q_ic log softmax(x_i)_c in float64 NumPy."""
    m = x.max(axis=1, keepdims=True)
    logp = x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))
    return float(-(q * logp).sum(axis=1).mean())


@needs_torch
def test_label_smoothing_default_is_pytorchs_target() -> None:
    """The default spreads eps over all C classes: [eps/C, ..., 1 - eps + eps/C, ...], i.e.
    0.01 and 0.91 for eps = 0.1, C = 10 (PyTorch's definition, not the notes')."""
    x0 = np.random.default_rng(3).normal(size=(4, 10))
    t = np.array([0, 3, 9, 3])
    q = np.full((4, 10), 0.01)
    q[np.arange(4), t] = 0.91
    out = F.cross_entropy(nabla.tensor(x0), t, label_smoothing=0.1)
    np.testing.assert_allclose(out.item(), _ce_of_target(x0, q), rtol=1e-12)
    expected = tF.cross_entropy(torch.tensor(x0), torch.from_numpy(t), label_smoothing=0.1)
    np.testing.assert_allclose(out.item(), expected.item(), rtol=1e-12)


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nll_loss_and_log_softmax_equal_cross_entropy(dtype) -> None:
    x0 = np.random.default_rng(4).normal(size=(5, 4)).astype(dtype)
    t = np.array([0, 3, 1, 1, 2])
    x, tx = _pair(x0)
    out = nn.NLLLoss()(nn.LogSoftmax(dim=1)(x), t)
    _check(out, tF.cross_entropy(tx, torch.from_numpy(t)), [x], [tx], 1e-5, 1e-6)


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_clamps_like_torch_at_zero_and_one(dtype) -> None:
    p0 = np.array([0.0, 1.0, 0.3, 1.0, 0.0], dtype=dtype)
    y0 = np.array([1.0, 0.0, 1.0, 1.0, 0.0], dtype=dtype)
    p, tp = _pair(p0)
    w = np.array([1.0, 2.0, 0.5, 1.0, 1.0], dtype=dtype)
    out = nn.BCELoss(weight=w, reduction="none")(p, y0)
    tout = tF.binary_cross_entropy(
        tp, torch.from_numpy(y0), weight=torch.from_numpy(w), reduction="none"
    )
    assert np.isfinite(out.numpy()).all()
    _check(out, tout, [p], [tp], 1e-5, 1e-5)


@needs_torch
def test_bce_with_logits_module_weights() -> None:
    rng = np.random.default_rng(5)
    x0, y0 = rng.normal(0, 3, (4, 3)), rng.uniform(0, 1, (4, 3))
    x, tx = _pair(x0)
    y, ty = _pair(y0)
    loss = nn.BCEWithLogitsLoss(
        weight=np.array([1.0, 2.0, 0.5]), pos_weight=np.array([3.0, 1.0, 0.2])
    )
    tloss = torch.nn.BCEWithLogitsLoss(
        weight=torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64),
        pos_weight=torch.tensor([3.0, 1.0, 0.2], dtype=torch.float64),
    )
    _check(loss(x, y), tloss(tx, ty), [x, y], [tx, ty], 1e-12, 1e-12)
    assert list(loss.state_dict()) == list(tloss.state_dict()) == ["weight", "pos_weight"]


EXTREME = np.array([-1000.0, -30.0, -1.0, 0.5, 30.0, 1000.0])


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "name",
    ["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "Softplus", "Softmax", "LogSoftmax", "PReLU"],
)
def test_activations_finite_at_1000(name, dtype) -> None:
    m = getattr(nn, name)(**({"dim": 0} if "Softmax" in name else {})).to(dtype)
    x, tx = _pair(EXTREME.astype(dtype))
    y = m(x)
    assert np.isfinite(y.numpy()).all()
    tm = getattr(torch.nn, name)(**({"dim": 0} if "Softmax" in name else {})).to(tx.dtype)
    _check(y, tm(tx), [x], [tx], 1e-5, 1e-6)
    assert np.isfinite(x.grad).all()


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_finite_at_1000(dtype) -> None:
    x0 = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]], dtype=dtype)
    for fn, tfn, target in [
        (F.cross_entropy, tF.cross_entropy, np.array([1, 0])),
        (
            lambda a, t: F.cross_entropy(a, t, label_smoothing=0.1),
            lambda a, t: tF.cross_entropy(a, t, label_smoothing=0.1),
            np.array([1, 2]),
        ),
        (
            F.binary_cross_entropy_with_logits,
            tF.binary_cross_entropy_with_logits,
            (x0 > 0).astype(dtype),
        ),
        (
            lambda a, t: F.binary_cross_entropy_with_logits(
                a, t, pos_weight=np.array([2.0, 1.0, 0.5])
            ),
            lambda a, t: tF.binary_cross_entropy_with_logits(
                a, t, pos_weight=torch.tensor([2.0, 1.0, 0.5], dtype=a.dtype)
            ),
            (x0 < 0).astype(dtype),
        ),
        (F.mse_loss, tF.mse_loss, np.zeros_like(x0)),
    ]:
        x, tx = _pair(x0)
        out = fn(x, target)
        assert np.isfinite(out.numpy()).all()
        _check(out, tfn(tx, torch.from_numpy(target)), [x], [tx], 1e-5, 1e-5)
        assert np.isfinite(x.grad).all()


def test_penalties() -> None:
    net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))
    ws = [net[0].weight.numpy(), net[2].weight.numpy()]
    l2 = F.l2_penalty(net)  # biases are left out for a Module
    np.testing.assert_allclose(
        l2.item(), 0.5 * sum((w.astype(np.float64) ** 2).sum() for w in ws), rtol=1e-6
    )
    l2.backward()
    np.testing.assert_allclose(net[0].weight.grad, ws[0])  # d(1/2 |w|^2)/dw = w
    assert net[0].bias.grad is None
    net.zero_grad()
    l1 = F.l1_penalty(list(net.parameters()))
    expected = sum(np.abs(p.numpy().astype(np.float64)).sum() for p in net.parameters())
    np.testing.assert_allclose(l1.item(), expected, rtol=1e-6)
    l1.backward()
    np.testing.assert_array_equal(net[2].bias.grad, np.sign(net[2].bias.numpy()))
    assert F.l2_penalty([]).item() == 0.0
    with pytest.raises(TypeError, match="l1_penalty: expected a Module, a Tensor or an iterable"):
        F.l1_penalty(3)


def test_loss_bad_input() -> None:
    x = nabla.tensor(np.zeros((4, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="target 3 is out of bounds for 3 classes"):
        F.cross_entropy(x, np.array([0, 1, 3, 2]))
    with pytest.raises(
        ValueError, match=r"target must have shape \(4,\) for input of shape \(4, 3\), got \(4, 1\)"
    ):
        F.cross_entropy(x, np.zeros((4, 1), dtype=int))
    with pytest.raises(ValueError, match=r"target shape \(4,\) differs from input shape \(4, 3\)"):
        F.cross_entropy(x, np.zeros(4, dtype=np.float32))
    with pytest.raises(TypeError, match="class indices"):
        F.cross_entropy(x, np.array(["a"] * 4))
    with pytest.raises(ValueError, match=r"reduction must be one of .* got 'avg'"):
        nn.CrossEntropyLoss(reduction="avg")
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got 1.5"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        F.cross_entropy(x, np.array([0, 1, 2, 2]), weight=np.ones(4))
    with pytest.raises(ValueError, match=r"MSELoss|mse_loss: target shape \(4,\) differs"):
        nn.MSELoss()(x, np.zeros(4))
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\]; got values in \\[-1"):
        F.binary_cross_entropy(x - 1.0, np.zeros((4, 3)))
    with pytest.raises(TypeError, match="input must be floating point"):
        F.nll_loss(np.zeros((2, 3), dtype=int), np.array([0, 1]))


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", ["MSELoss", "L1Loss", "BCEWithLogitsLoss"])
def test_regression_and_binary_loss_modules_like_torch(name, reduction, dtype) -> None:
    rng = np.random.default_rng(6)
    x0 = rng.normal(size=(4, 3)).astype(dtype)
    y0 = rng.uniform(0, 1, (4, 3)).astype(dtype)
    x, tx = _pair(x0)
    y, ty = _pair(y0)
    ours = getattr(nn, name)(reduction=reduction)
    theirs = getattr(torch.nn, name)(reduction=reduction)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    _check(ours(x, y), theirs(tx, ty), [x, y], [tx, ty], tol, tol)
    assert repr(ours) == repr(theirs) or reduction != "mean"
