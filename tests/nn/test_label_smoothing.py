"""Label smoothing in both forms: PyTorch's (eps spread over all C classes, the default) and
the notes' (the true class keeps 1 - eps, eps is spread over the C - 1 others). References:
a float64 NumPy cross-entropy of the smoothed target and float64 central differences."""

from __future__ import annotations

import re

import numpy as np
import pytest

import nabla
import nabla.nn.functional as F
from nabla import nn

RNG = np.random.default_rng(11)
X0 = RNG.normal(0, 2, (5, 10))
T0 = np.array([0, 3, 9, 3, 7])


def _log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))


def _smoothed(target: np.ndarray, eps: float, over: str) -> np.ndarray:
    """The smoothed target: (1 - eps) T + eps / C, or (1 - eps) T + eps / (C - 1) (1 - T)."""
    c = target.shape[1]
    if over == "all":
        return (1 - eps) * target + eps / c
    return (1 - eps) * target + eps / (c - 1) * (1 - target)


def _ce(x, q, w=None, keep=None, denom=None, reduction="mean"):
    """-sum_c w_c q_ic log softmax(x_i)_c per row; 'mean' divides by ``denom``."""
    w = np.ones(x.shape[1]) if w is None else w
    per = -(w * q * _log_softmax(x)).sum(axis=1)
    if keep is not None:
        per = np.where(keep, per, 0.0)
    if reduction == "none":
        return per
    return per.sum() if reduction == "sum" else per.sum() / denom


def _central_difference(f, x0: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x0)
    for i in np.ndindex(x0.shape):
        e = np.zeros_like(x0)
        e[i] = h
        g[i] = (f(x0 + e) - f(x0 - e)) / (2 * h)
    return g


def test_the_notes_form_gives_0_9_and_0_0111() -> None:
    """eps = 0.1, C = 10: 0.9 on the true class and 0.1 / 9 on each other (the notes)."""
    q = _smoothed(np.eye(10)[T0], 0.1, "others")
    np.testing.assert_allclose(q[0, 0], 0.9)
    np.testing.assert_allclose(q[0, 1:], 0.1 / 9)
    out = F.cross_entropy(nabla.tensor(X0), T0, label_smoothing=0.1, label_smoothing_over="others")
    np.testing.assert_allclose(out.item(), _ce(X0, q, denom=5), rtol=1e-12)
    default = F.cross_entropy(nabla.tensor(X0), T0, label_smoothing=0.1).item()
    assert abs(out.item() - default) > 1e-3  # the two forms differ
    np.testing.assert_allclose(default, _ce(X0, _smoothed(np.eye(10)[T0], 0.1, "all"), denom=5))


@pytest.mark.parametrize("over", ["all", "others"])
@pytest.mark.parametrize("eps", [0.0, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_class_indices_with_weight_and_ignore_index(over, eps, reduction) -> None:
    w = RNG.uniform(0.5, 2, 10)
    t = T0.copy()
    t[2] = -1  # ignored
    keep = t != -1
    q = _smoothed(np.eye(10)[np.where(keep, t, 0)], eps, over)
    denom = w[t[keep]].sum()

    x = nabla.tensor(X0, requires_grad=True)
    out = F.cross_entropy(
        x,
        t,
        weight=w,
        ignore_index=-1,
        reduction=reduction,
        label_smoothing=eps,
        label_smoothing_over=over,
    )
    expected = _ce(X0, q, w, keep, denom, reduction)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
    g = RNG.standard_normal(out.shape)
    out.backward(g)
    numeric = _central_difference(
        lambda z: float((_ce(z, q, w, keep, denom, reduction) * g).sum()), X0
    )
    np.testing.assert_allclose(x.grad, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("over", ["all", "others"])
def test_probability_targets(over) -> None:
    p = RNG.dirichlet(np.ones(10), 5)
    x = nabla.tensor(X0, requires_grad=True)
    out = F.cross_entropy(x, p, label_smoothing=0.2, label_smoothing_over=over, reduction="sum")
    q = _smoothed(p, 0.2, over)
    np.testing.assert_allclose(q.sum(axis=1), 1.0)
    np.testing.assert_allclose(out.item(), _ce(X0, q, reduction="sum"), rtol=1e-12)
    out.backward()
    numeric = _central_difference(lambda z: float(_ce(z, q, reduction="sum")), X0)
    np.testing.assert_allclose(x.grad, numeric, rtol=1e-6, atol=1e-8)


def test_module_takes_the_option_and_shows_it() -> None:
    loss = nn.CrossEntropyLoss(label_smoothing=0.1, label_smoothing_over="others")
    expected = _ce(X0, _smoothed(np.eye(10)[T0], 0.1, "others"), denom=5)
    np.testing.assert_allclose(loss(nabla.tensor(X0), T0).item(), expected, rtol=1e-12)
    assert repr(loss) == "CrossEntropyLoss(label_smoothing=0.1, label_smoothing_over='others')"
    assert repr(nn.CrossEntropyLoss(label_smoothing=0.1)) == "CrossEntropyLoss(label_smoothing=0.1)"


def test_bad_label_smoothing_over() -> None:
    message = re.escape(
        "label_smoothing_over must be 'all' (PyTorch's: eps / C on every class) or 'others' "
        "(eps / (C - 1) on each wrong class), got 'uniform'"
    )
    with pytest.raises(ValueError, match="cross_entropy: " + message):
        F.cross_entropy(nabla.tensor(X0), T0, label_smoothing=0.1, label_smoothing_over="uniform")
    with pytest.raises(ValueError, match="CrossEntropyLoss: " + message):
        nn.CrossEntropyLoss(label_smoothing_over="uniform")
    with pytest.raises(ValueError, match=r"needs at least 2 classes, got input of shape \(3, 1\)"):
        F.cross_entropy(
            nabla.tensor(np.zeros((3, 1))),
            np.zeros(3, int),
            label_smoothing=0.1,
            label_smoothing_over="others",
        )
    # one class without smoothing is fine (the loss is 0)
    out = F.cross_entropy(
        nabla.tensor(np.zeros((3, 1))), np.zeros(3, int), label_smoothing_over="others"
    )
    assert out.item() == 0.0
