"""Losses in float16: computed in float32 and cast back, so that what float32 computes finitely
stays finite. References: the float64 NumPy formulas below (on the same float16 inputs, then
rounded to float16) and PyTorch's float16 on the CPU wherever PyTorch is finite."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nabla
import nabla.nn.functional as F

torch = pytest.importorskip("torch", reason="float16 losses are compared with PyTorch")
tF = torch.nn.functional

H = np.float16
HALF_MAX = 65504.0
# a float16 result is the exact value rounded once: half an ulp, 2^-11 relative
TOL = {"rtol": 2e-3, "atol": 1e-6}


def _scale(reduction: str, n: float, g):
    return g / n if reduction == "mean" else g


def _reduce(per: np.ndarray, reduction: str, denom: float):
    return {"none": per, "sum": per.sum(), "mean": per.sum() / denom}[reduction]


def _bce_ref(p, y, w, reduction, g):
    """PyTorch's definition: logs clamped at -100, gradient denominator at 1e-12."""
    with np.errstate(divide="ignore"):
        lp, lq = np.maximum(np.log(p), -100), np.maximum(np.log1p(-p), -100)
    per = -w * (y * lp + (1 - y) * lq)
    gp = _scale(reduction, p.size, g) * w * (p - y) / np.maximum(p * (1 - p), 1e-12)
    return _reduce(per, reduction, p.size), gp


def _bce_logits_ref(x, y, w, reduction, g):
    sp = np.logaddexp(0, -x)  # softplus(-x)
    per = w * ((1 - y) * x + sp)
    gx = _scale(reduction, x.size, g) * w * ((1 - y) - np.exp(-np.logaddexp(0, x)))  # sigma(-x)
    return _reduce(per, reduction, x.size), gx


def _soft_ce_ref(x, q, w, reduction, g, denom):
    """-sum_c w_c q_c log softmax(x)_c per row; gradient s (p sum_c w_c q_c - w q)."""
    m = x.max(axis=1, keepdims=True)
    logp = x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))
    per = -(w * q * logp).sum(axis=1)
    s = _scale(reduction, denom, g)
    s = s[:, None] if reduction == "none" else s
    gx = s * (np.exp(logp) * (w * q).sum(axis=1, keepdims=True) - w * q)
    return _reduce(per, reduction, denom), gx


def _run(fn, x0, reduction, *others, grad_dtype=None):
    x = nabla.tensor(x0, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy RuntimeWarning from inside nabla
        out = fn(x, *others, reduction=reduction)
        g = np.linspace(0.5, 1.5, out.size).reshape(out.shape).astype(x0.dtype)
        out.backward(g)
    return out, x.grad, g


def _torch(tfn, x0, reduction, *others, g):
    tx = torch.tensor(x0, requires_grad=True)
    out = tfn(tx, *[torch.tensor(o) for o in others], reduction=reduction)
    out.backward(torch.tensor(g))
    return out.detach().numpy().astype(np.float64), tx.grad.numpy().astype(np.float64)


def _check(out, grad, ref_out, ref_grad, saturate=False):
    assert out.dtype == grad.dtype == H
    ref_grad = np.clip(ref_grad, -HALF_MAX, HALF_MAX) if saturate else ref_grad
    np.testing.assert_allclose(out.numpy().astype(np.float64), ref_out, **TOL)
    np.testing.assert_allclose(grad.astype(np.float64), ref_grad, **TOL)


def _like_torch_where_finite(ours, theirs, rtol=5e-3, atol=1e-3) -> int:
    """Compare where PyTorch's float16 is finite; return how many entries were compared."""
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs)
    finite = np.isfinite(theirs)
    np.testing.assert_allclose(ours[finite], theirs[finite], rtol=rtol, atol=atol)
    return int(finite.sum())


# ---- binary cross-entropy: the case ---------------------------------------------------
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_bce_float16_gradient_is_finite_at_0_and_1(reduction) -> None:
    p0, y0 = np.array([0, 1, 0, 1], dtype=H), np.array([1, 0, 0, 1], dtype=H)
    out, grad, g = _run(F.binary_cross_entropy, p0, reduction, y0)
    # float32 gives s * [-1e12, 1e12, 0, 0]; float16 saturates at its largest finite value
    assert np.isfinite(grad).all() and np.isfinite(out.numpy()).all()
    f32, g32, _ = _run(F.binary_cross_entropy, p0.astype(np.float32), reduction, y0)
    np.testing.assert_array_equal(np.sign(grad), np.sign(g32))
    np.testing.assert_array_equal(grad[2:], [0, 0])  # p == y: (p - y) / 1e-12 = 0, not nan
    np.testing.assert_array_equal(np.abs(grad[:2]), [HALF_MAX, HALF_MAX])
    ref_out, ref_grad = _bce_ref(
        p0.astype(float), y0.astype(float), 1.0, reduction, g.astype(float)
    )
    _check(out, grad, ref_out, ref_grad, saturate=True)
    np.testing.assert_allclose(out.numpy(), f32.numpy(), rtol=1e-3)
    # PyTorch's float16 gives [-inf, inf, nan, nan] here; its loss is finite and equal
    tout, tgrad = _torch(tF.binary_cross_entropy, p0, reduction, y0, g=g)
    assert not np.isfinite(tgrad).any()
    np.testing.assert_allclose(out.numpy(), tout, rtol=1e-3)


@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_bce_float16_matches_the_formula_and_torch(reduction) -> None:
    rng = np.random.default_rng(0)
    p0 = np.concatenate([[0, 1, 1e-4, 0.9995, 6e-8, 2e-5], rng.uniform(0, 1, 10)]).astype(H)
    y0 = np.concatenate([[0, 1, 1, 0, 0, 1], rng.uniform(0, 1, 10)]).astype(H)
    w0 = rng.uniform(0.5, 2, p0.size).astype(H)
    out, grad, g = _run(
        lambda p, y, reduction: F.binary_cross_entropy(p, y, weight=w0, reduction=reduction),
        p0,
        reduction,
        y0,
    )
    assert np.isfinite(grad).all()
    f64 = [a.astype(np.float64) for a in (p0, y0, w0, g)]
    _check(out, grad, *_bce_ref(*f64[:3], reduction, f64[3]), saturate=True)
    tout, tgrad = _torch(
        lambda p, y, reduction: tF.binary_cross_entropy(
            p, y, weight=torch.tensor(w0), reduction=reduction
        ),
        p0,
        reduction,
        y0,
        g=g,
    )
    _like_torch_where_finite(out.numpy(), tout)
    # PyTorch's float16 is nan at p = y = 0 and 1, and its gradient at the subnormal p = 6e-8
    # underflows to 0 with 'sum' and 'mean' (the formula above is the reference there)
    normal = p0 >= 1e-4
    assert _like_torch_where_finite(grad[normal], tgrad[normal]) == normal.sum() - 1


# ---- the other losses ------------------------------------------------------------------------
X = np.array([[-1000, 1000, 0.5, 20], [30000, -30000, 11, 12], [0.1, -0.2, 0.3, 0.0], [5, 5, 5, 5]])
T = np.array([1, 2, 3, 0])
Q = np.array([[0.25] * 4, [0, 0, 1, 0], [0.1, 0.2, 0.3, 0.4], [1, 0, 0, 0]])
W = np.array([1.0, 0.5, 2.0, 1.5])


def _onehot(t, c=4):
    return np.eye(c)[t]


CE_CASES = {
    # name: (nabla fn, torch fn, target, (q, weight, denom) of the reference)
    "indices": (
        lambda x, t, reduction: F.cross_entropy(x, t, reduction=reduction),
        lambda x, t, reduction: tF.cross_entropy(x, t, reduction=reduction),
        T,
        (_onehot(T), np.ones(4), 4),
    ),
    "weight_smoothing": (
        lambda x, t, reduction: F.cross_entropy(
            x, t, weight=W, label_smoothing=0.1, reduction=reduction
        ),
        lambda x, t, reduction: tF.cross_entropy(
            x, t, weight=torch.tensor(W, dtype=x.dtype), label_smoothing=0.1, reduction=reduction
        ),
        T,
        (0.9 * _onehot(T) + 0.1 / 4, W, W[T].sum()),
    ),
    "probabilities": (
        lambda x, q, reduction: F.cross_entropy(x, q, reduction=reduction),
        lambda x, q, reduction: tF.cross_entropy(x, q, reduction=reduction),
        Q.astype(H),
        (Q.astype(H).astype(np.float64), np.ones(4), 4),
    ),
}


@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
@pytest.mark.parametrize("case", list(CE_CASES))
def test_cross_entropy_float16_matches_the_formula_and_torch(case, reduction) -> None:
    fn, tfn, target, (q, w, denom) = CE_CASES[case]
    x0 = X.astype(H)
    out, grad, g = _run(fn, x0, reduction, target)
    ref = _soft_ce_ref(x0.astype(np.float64), q, w, reduction, g.astype(np.float64), denom)
    # e.g. smoothing of [30000, -30000, 11, 12]: the sum of its log-probabilities overflows
    # float16, but the loss (about 3e4) does not; PyTorch's float16 gives inf
    assert np.isfinite(out.numpy()).all() and np.isfinite(grad).all()
    _check(out, grad, *ref)
    tout, tgrad = _torch(tfn, x0, reduction, target, g=g)
    _like_torch_where_finite(out.numpy(), tout)
    assert _like_torch_where_finite(grad, tgrad, atol=2e-3) == grad.size


@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_nll_float16_matches_the_formula_and_torch(reduction) -> None:
    x0 = X.astype(H)
    fn = lambda x, t, reduction: F.nll_loss(x, t, weight=W, reduction=reduction)
    out, grad, g = _run(fn, x0, reduction, T)
    xs, gs = x0.astype(np.float64), g.astype(np.float64)
    per = -W[T] * xs[np.arange(4), T]
    ref_grad = np.zeros((4, 4))
    s = gs if reduction == "none" else np.full(4, _scale(reduction, W[T].sum(), gs))
    ref_grad[np.arange(4), T] = -W[T] * s
    _check(out, grad, _reduce(per, reduction, W[T].sum()), ref_grad)
    tfn = lambda x, t, reduction: tF.nll_loss(
        x, t, weight=torch.tensor(W, dtype=x.dtype), reduction=reduction
    )
    tout, tgrad = _torch(tfn, x0, reduction, T, g=g)
    _like_torch_where_finite(out.numpy(), tout)
    np.testing.assert_allclose(grad.astype(np.float64), tgrad, rtol=2e-3)


@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_bce_with_logits_float16_matches_the_formula_and_torch(reduction) -> None:
    x0 = X.astype(H)
    y0 = np.array([[1, 0, 1, 0.5], [1, 0, 0, 1], [0.2, 0.4, 0.6, 0.8], [0, 1, 0, 1]], dtype=H)
    out, grad, g = _run(F.binary_cross_entropy_with_logits, x0, reduction, y0)
    f64 = [a.astype(np.float64) for a in (x0, y0, g)]
    _check(out, grad, *_bce_logits_ref(f64[0], f64[1], 1.0, reduction, f64[2]))
    tout, tgrad = _torch(tF.binary_cross_entropy_with_logits, x0, reduction, y0, g=g)
    _like_torch_where_finite(out.numpy(), tout)
    _like_torch_where_finite(grad, tgrad)


@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
@pytest.mark.parametrize("name", ["mse", "l1"])
def test_mse_and_l1_float16_matches_the_formula_and_torch(name, reduction) -> None:
    # 300^2 = 90000 overflows float16, but their mean over 16 entries does not
    x0 = np.zeros((4, 4), dtype=H)
    x0[0, 0], x0[1, 2], x0[3, 3] = 300, -200, 0.25
    y0 = np.full((4, 4), 0.5, dtype=H)
    fn = {"mse": F.mse_loss, "l1": F.l1_loss}[name]
    out, grad, g = _run(fn, x0, reduction, y0)
    d, gs = x0.astype(np.float64) - y0.astype(np.float64), g.astype(np.float64)
    s = _scale(reduction, d.size, gs)
    per, ref_grad = (d * d, 2 * d * s) if name == "mse" else (np.abs(d), np.sign(d) * s)
    ref = _reduce(per, reduction, d.size)
    with np.errstate(over="ignore"):
        ref = np.asarray(ref).astype(H).astype(np.float64)  # beyond 65504 is inf in float16
    _check(out, grad, ref, ref_grad)
    if name == "mse" and reduction == "mean":
        assert np.isfinite(out.item())  # 5667.0: finite where an elementwise square is not
    tout, tgrad = _torch(getattr(tF, f"{name}_loss"), x0, reduction, y0, g=g)
    _like_torch_where_finite(out.numpy(), tout)
    _like_torch_where_finite(grad, tgrad)


def test_float32_and_float64_losses_are_not_cast() -> None:
    """The float32 path is untouched: same dtype out, and the exact float32 arithmetic."""
    p0 = np.array([0.2, 0.7], dtype=np.float32)
    y0 = np.array([1.0, 0.0], dtype=np.float32)
    out, grad, _ = _run(F.binary_cross_entropy, p0, "sum", y0)
    assert out.dtype == grad.dtype == np.float32
    lp, lq = np.log(p0), np.log1p(-p0)
    assert out.item() == np.float32(-(y0 * lp + (1 - y0) * lq)).sum()
