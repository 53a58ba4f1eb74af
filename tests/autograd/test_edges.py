"""Edges of the elementary ops: ``x ** y`` at x = 0, ``var`` without degrees of freedom, and
axis arguments (0-d tensors, out of range, wrong type) for every reduction. PyTorch and
NumPy formulas are the references."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import nabla
import nabla.nn.functional as F
from nabla.autograd.ops.reduction import AxisError

torch = pytest.importorskip("torch", reason="the edge cases are compared with PyTorch")

# ---- x ** y at x = 0 ------------------------------------------------------------------------
BASES = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.5, -2.0]
EXPONENTS = [0.0, 1.0, 2.0, 0.5, -1.0, 3.0, 0.0, -0.5, 2.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pow_gradient_at_zero_like_torch(dtype) -> None:
    """d/dx 0^0 = 0 (not nan), d/dy 0^y = 0 for y >= 0 (0 log 0 taken as 0), -inf for
    y < 0; the other entries check that the rule does not leak to ordinary points."""
    a0, b0 = np.array(BASES, dtype=dtype), np.array(EXPONENTS, dtype=dtype)
    a, b = nabla.tensor(a0, requires_grad=True), nabla.tensor(b0, requires_grad=True)
    ta, tb = torch.tensor(a0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    g = np.linspace(0.5, 1.5, a0.size).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0 ** -1 in the forward, as NumPy
        y = a**b
    y.backward(g)
    (ta**tb).backward(torch.from_numpy(g))
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-6)
    assert a.grad[0] == 0 and b.grad[0] == 0  # the (0, 0) of the issue: no nan
    assert not np.isnan(a.grad[:6]).any() and not np.isnan(b.grad[:6]).any()


@pytest.mark.parametrize("p", [0, 0.0, 1, 2, 3, 0.5])
def test_pow_scalar_exponent_at_zero_like_torch(p) -> None:
    x0 = np.array([0.0, 1.5, -2.0]) if float(p).is_integer() else np.array([0.0, 1.5])
    x, tx = nabla.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    (x**p).sum().backward()
    (tx**p).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
    if p == 0:
        np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])


# ---- var with ddof >= n -----------------------------------------------------------------------
def _var_zero_dof(x: np.ndarray, axis, g: np.ndarray):
    """sum((x - mean)^2) / 0 and its gradient 2 (x - mean) g / 0, in IEEE arithmetic."""
    c = x - x.mean(axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = (c * c).sum(axis=axis) / 0.0
        gx = 2 * c * np.expand_dims(g, axis) / 0.0
    return y, gx


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ddof", [3, 4, 10])
def test_var_without_degrees_of_freedom_is_inf_with_a_warning(ddof, dtype) -> None:
    x0 = np.array([[1.0, 5.0, 2.0], [2.0, 5.0, 7.0], [3.0, 5.0, 0.0]], dtype=dtype)
    x = nabla.tensor(x0, requires_grad=True)
    with pytest.warns(UserWarning, match=r"var: degrees of freedom is <= 0 \(n - ddof = 3 - "):
        y = x.var(axis=0, ddof=ddof)
    g = np.array([1.0, 1.0, -2.0], dtype=dtype)
    y.backward(g)
    ey, egx = _var_zero_dof(x0.astype(np.float64), 0, g.astype(np.float64))
    # inf, and nan for the constant column (0 / 0); never the -0.5 of 14 / (3 - 4)
    np.testing.assert_array_equal(y.numpy(), [np.inf, np.nan, np.inf])
    np.testing.assert_array_equal(y.numpy(), ey)
    np.testing.assert_array_equal(x.grad, egx)
    assert y.dtype == x.grad.dtype == dtype
    # PyTorch: same forward (its divisor is max(0, n - correction)) and the same warning
    tx = torch.tensor(x0, requires_grad=True)
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        ty = tx.var(dim=0, correction=ddof)
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    if ddof == 3:  # n == ddof: PyTorch's backward is 2 (x - mean) g / 0 too
        ty.backward(torch.from_numpy(g))
        np.testing.assert_array_equal(x.grad, tx.grad.numpy())


def test_var_over_all_axes_and_empty_without_degrees_of_freedom() -> None:
    x = nabla.tensor([4.0, 4.0], requires_grad=True)
    with pytest.warns(UserWarning, match="degrees of freedom"):
        y = x.var(ddof=2)
    assert np.isnan(y.item())  # 0 / 0: the values are all equal
    y.backward()
    assert np.isnan(x.grad).all()
    with pytest.warns(UserWarning, match=r"n - ddof = 0 - 0"):
        e = nabla.tensor(np.zeros((0, 3))).var(axis=0)
    np.testing.assert_array_equal(e.numpy(), np.full(3, np.nan))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        np.testing.assert_array_equal(e.numpy(), torch.zeros(0, 3).var(dim=0, correction=0))
    # ddof < n stays silent and finite
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nabla.tensor([1.0, 3.0]).var(ddof=1).item() == 2.0


def test_mean_of_nothing_is_nan_quietly_like_torch() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = nabla.tensor(np.zeros((0, 3), dtype=np.float32), requires_grad=True).mean(axis=0)
    np.testing.assert_array_equal(m.numpy(), torch.zeros(0, 3).mean(dim=0).numpy())
    assert m.dtype == np.float32


def test_var_ddof_must_be_a_number() -> None:
    with pytest.raises(TypeError, match="var: ddof must be a number, got 'a'"):
        nabla.tensor([1.0, 2.0]).var(ddof="a")


# ---- axis arguments -----------------------------------------------------------------------------
REDUCTIONS = {
    "sum": (lambda t, a: t.sum(axis=a), lambda t, a: t.sum(dim=a)),
    "mean": (lambda t, a: t.mean(axis=a), lambda t, a: t.mean(dim=a)),
    "max": (lambda t, a: t.max(axis=a), lambda t, a: t.amax(dim=a)),
    "min": (lambda t, a: t.min(axis=a), lambda t, a: t.amin(dim=a)),
    "var": (lambda t, a: t.var(axis=a, ddof=0), lambda t, a: t.var(dim=a, correction=0)),
    "logsumexp": (lambda t, a: t.logsumexp(axis=a), lambda t, a: t.logsumexp(dim=a)),
    "softmax": (lambda t, a: t.softmax(axis=a), lambda t, a: t.softmax(dim=a)),
    "log_softmax": (lambda t, a: t.log_softmax(axis=a), lambda t, a: t.log_softmax(dim=a)),
    "F.softmax": (lambda t, a: F.softmax(t, a), lambda t, a: t.softmax(dim=a)),
    "F.log_softmax": (lambda t, a: F.log_softmax(t, a), lambda t, a: t.log_softmax(dim=a)),
}


SINGLE_AXIS = ("softmax", "log_softmax", "F.softmax", "F.log_softmax")  # one int, as PyTorch
ZERO_D_CASES = [
    (name, axis)
    for name in REDUCTIONS
    for axis in ([0, -1] if name in SINGLE_AXIS else [0, -1, (0,), (-1,)])
]


@pytest.mark.parametrize(("name", "axis"), ZERO_D_CASES)
def test_a_0d_tensor_takes_axis_0_and_minus_1_like_torch(name, axis) -> None:
    ours, theirs = REDUCTIONS[name]
    x, tx = nabla.tensor(2.5, requires_grad=True), torch.tensor(2.5, requires_grad=True)
    y, ty = ours(x, axis), theirs(tx, axis)
    assert y.shape == tuple(ty.shape) == ()
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-6)
    y.backward()
    ty.backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    ("shape", "axis", "expected"),
    [
        ((), 1, "[-1, 0], but got 1"),
        ((), -2, "[-1, 0], but got -2"),
        ((2, 3), 2, "[-2, 1], but got 2"),
    ],
)
@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_an_axis_out_of_range_raises_index_error_like_torch(name, shape, axis, expected) -> None:
    ours, theirs = REDUCTIONS[name]
    x = nabla.tensor(np.ones(shape, dtype=np.float32), requires_grad=True)
    message = f"dimension out of range (expected to be in range of {expected})"
    with pytest.raises(IndexError, match=re.escape(message)) as info:
        ours(x, axis)
    assert type(info.value) is AxisError and isinstance(info.value, ValueError)
    assert x.grad is None
    with pytest.raises(
        IndexError,
        match=re.escape(f"Dimension out of range (expected to be in range of {expected})"),
    ):
        theirs(torch.ones(shape), axis)


@pytest.mark.parametrize("axis", [1.5, "a", True, (0, "b")])
@pytest.mark.parametrize("name", ["sum", "mean", "max", "var", "logsumexp", "softmax", "F.softmax"])
def test_an_axis_that_is_not_an_int_raises_type_error(name, axis) -> None:
    with pytest.raises(TypeError, match=r"(axis|an axis) must be an int"):
        REDUCTIONS[name][0](nabla.tensor(np.ones((2, 3))), axis)


def test_repeated_axes_are_refused_also_on_a_0d_tensor() -> None:
    with pytest.raises(ValueError, match=r"sum: repeated axis in \(0, -1\)"):
        nabla.tensor(1.0).sum(axis=(0, -1))
    with pytest.raises(RuntimeError, match="appears multiple times"):
        torch.tensor(1.0).sum(dim=(0, -1))
