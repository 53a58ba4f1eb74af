"""Maxout, L1Loss and NLLLoss at ±1000 (finite, and equal to exact NumPy formulas in float64;
the losses in float16 too) and ``F.maxout`` against a NumPy reference. No PyTorch needed."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
import nabla.nn.functional as F
from nabla import nn

DTYPES = [np.float32, np.float64]
# the losses also in float16, which they compute in float32 (rounded once: 2^-11 relative)
LOSS_DTYPES = [*DTYPES, np.float16]


def _rtol(dtype, rtol: float) -> float:
    return 2e-3 if dtype == np.float16 else rtol


def _tol(dtype) -> dict[str, float]:
    return {"rtol": 1e-6, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-9}


def _maxout_reference(z: np.ndarray, pieces: int, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """max over groups of ``pieces`` entries of the last axis, and the gradient of sum(g * y):
    g goes to the largest entry of each group (inputs here have no ties)."""
    zp = z.reshape(*z.shape[:-1], z.shape[-1] // pieces, pieces)
    k = zp.argmax(axis=-1)
    onehot = np.arange(pieces) == k[..., None]
    return zp.max(axis=-1), (onehot * g[..., None]).reshape(z.shape)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "pieces"), [((2, 3, 12), 3), ((2, 3, 12), 4), ((5, 2), 2)])
def test_functional_maxout_matches_numpy(shape, pieces, dtype) -> None:
    rng = np.random.default_rng(7)
    # distinct values (a permutation, scaled) so the maximum of each group is unique
    z0 = (rng.permutation(int(np.prod(shape))).reshape(shape) * 0.5 - 3).astype(dtype)
    z = nabla.tensor(z0, requires_grad=True)
    y = F.maxout(z, pieces)
    g = rng.standard_normal(y.shape)
    ref, gref = _maxout_reference(z0.astype(np.float64), pieces, g)
    assert y.shape == ref.shape and y.dtype == dtype
    np.testing.assert_array_equal(y.numpy(), ref.astype(dtype))
    y.backward(g.astype(dtype))
    np.testing.assert_allclose(z.grad, gref, **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_maxout_layer_at_1000_equals_the_max_of_its_pieces(dtype) -> None:
    m = nn.Maxout(4, 3, pieces=2, rng=0).to(dtype)
    x0 = np.array(
        [[1000.0, -1000.0, 1000.0, 0.5], [-1000.0, -1000.0, 30.0, 1000.0], [1000.0] * 4],
        dtype=dtype,
    )
    x = nabla.tensor(x0, requires_grad=True)
    y = m(x)
    w, b = m.weight.numpy().astype(np.float64), m.bias.numpy().astype(np.float64)
    z = x0.astype(np.float64) @ w.T + b  # (3, 6): the 2 pieces of each of the 3 outputs
    zp = z.reshape(3, 3, 2)
    assert (np.abs(zp[..., 0] - zp[..., 1]) > 1).all()  # no near-ties: the argmax is clear
    g = np.random.default_rng(1).standard_normal((3, 3))
    expected, gz = _maxout_reference(z, 2, g)
    assert np.isfinite(y.numpy()).all()
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6 if dtype == np.float32 else 1e-12)
    y.backward(g.astype(dtype))
    for name, grad, exact in [
        ("x", x.grad, gz @ w),
        ("weight", m.weight.grad, gz.T @ x0.astype(np.float64)),
        ("bias", m.bias.grad, gz.sum(axis=0)),
    ]:
        assert grad.dtype == dtype and np.isfinite(grad).all(), name
        np.testing.assert_allclose(grad, exact, rtol=1e-5 if dtype == np.float32 else 1e-12)


X0 = np.array([[-1000.0, 1000.0, 0.5], [1000.0, -1000.0, 999.0]])
Y0 = np.array([[1000.0, 1000.0, -1000.0], [999.0, 1000.0, 999.0]])  # two ties: gradient 0


@pytest.mark.parametrize("dtype", LOSS_DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_l1_loss_at_1000_equals_the_formula(reduction, dtype) -> None:
    x = nabla.tensor(X0.astype(dtype), requires_grad=True)
    y = nabla.tensor(Y0.astype(dtype), requires_grad=True)
    out = nn.L1Loss(reduction=reduction)(x, y)
    d = X0 - Y0
    per = np.abs(d)
    expected = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
    assert out.dtype == dtype and np.isfinite(out.numpy()).all()
    np.testing.assert_allclose(out.numpy(), expected, rtol=_rtol(dtype, 1e-7))
    g = np.random.default_rng(2).standard_normal(out.shape)
    out.backward(g.astype(dtype))
    scale = 1 / d.size if reduction == "mean" else 1.0
    gx = np.sign(d) * g * scale  # sign(0) = 0: no gradient where x == y (as PyTorch)
    assert gx[0, 1] == 0 and gx[1, 2] == 0
    np.testing.assert_allclose(x.grad, gx, rtol=_rtol(dtype, 1e-6))
    np.testing.assert_allclose(y.grad, -gx, rtol=_rtol(dtype, 1e-6))


LOGP = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [-1000.0, -1000.0, -1000.0]])


@pytest.mark.parametrize("dtype", LOSS_DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("ignore", [False, True])
def test_nll_loss_at_1000_equals_the_formula(reduction, ignore, dtype) -> None:
    w = np.array([0.5, 2.0, 1.0])
    t = np.array([1, -100 if ignore else 2, 0])
    x = nabla.tensor(LOGP.astype(dtype), requires_grad=True)
    out = nn.NLLLoss(weight=w.astype(dtype), reduction=reduction)(x, t)
    keep = t != -100
    rows = np.arange(3)[keep]
    wt = w[t[keep]]
    per = np.zeros(3)
    per[keep] = -wt * LOGP[rows, t[keep]]  # -w_t x_{i, t_i}; 0 for an ignored row
    expected = {"mean": per.sum() / wt.sum(), "sum": per.sum(), "none": per}[reduction]
    assert out.dtype == dtype and np.isfinite(out.numpy()).all()
    np.testing.assert_allclose(out.numpy(), expected, rtol=_rtol(dtype, 1e-7))
    g = np.random.default_rng(3).standard_normal(out.shape)
    out.backward(g.astype(dtype))
    gx = np.zeros((3, 3))
    upstream = g[keep] if reduction == "none" else np.full(keep.sum(), float(g))
    gx[rows, t[keep]] = -wt * upstream / (wt.sum() if reduction == "mean" else 1.0)
    np.testing.assert_allclose(x.grad, gx, rtol=_rtol(dtype, 1e-6), atol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
def test_nll_of_log_softmax_at_1000_equals_the_stable_formula(dtype) -> None:
    t = np.array([1, 2, 0])
    x = nabla.tensor(LOGP.astype(dtype), requires_grad=True)
    out = nn.NLLLoss()(nn.LogSoftmax(dim=1)(x), t)
    m = LOGP.max(axis=1, keepdims=True)
    lse = m + np.log(np.exp(LOGP - m).sum(axis=1, keepdims=True))
    expected = (lse[:, 0] - LOGP[np.arange(3), t]).mean()
    np.testing.assert_allclose(expected, (2000 + 1 + np.log1p(np.exp(-1)) + np.log(3)) / 3)
    np.testing.assert_allclose(out.item(), expected, rtol=1e-6)
    out.backward()
    softmax = np.exp(LOGP - lse)
    gx = (softmax - np.eye(3)[t]) / 3
    assert np.isfinite(x.grad).all()
    np.testing.assert_allclose(x.grad, gx, rtol=1e-6, atol=1e-7)
