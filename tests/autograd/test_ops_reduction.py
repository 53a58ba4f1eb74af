"""Reductions beyond the registry (tests/autograd/registry_tensor_ops.py): prod and cumprod
with zeros by hand, ties for amax / amin / the inf-norm, argmax / argmin, std and norms at
zero, median and quantile conventions (lower median, NaN), and bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla import autograd as ag
from nabla.autograd.ops.reduction import AxisError

torch = pytest.importorskip("torch", reason="the conventions are PyTorch's")


def _grad(fn, values):
    x = nabla.tensor(np.array(values, dtype=np.float64), requires_grad=True)
    fn(x).sum().backward()
    return x.grad


def _tgrad(fn, values):
    x = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    out = fn(x)
    if not out.requires_grad:
        return np.zeros(np.shape(values))
    out.sum().backward()
    return np.zeros(np.shape(values)) if x.grad is None else x.grad.numpy()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([2.0, 3.0, 4.0], [12.0, 8.0, 6.0]),
        ([0.0, 2.0, 3.0], [6.0, 0.0, 0.0]),  # one zero: only it gets a gradient
        ([0.0, 2.0, 0.0], [0.0, 0.0, 0.0]),  # two zeros: none does
    ],
)
def test_prod_gradient_with_zeros_by_hand(values, expected) -> None:
    np.testing.assert_array_equal(_grad(lambda t: t.prod(), values), expected)
    np.testing.assert_array_equal(_grad(lambda t: t.prod(0), values), expected)


def test_cumprod_gradient_with_zeros_by_hand() -> None:
    # d/dx of sum_k prod_{j<=k} x_j at x = [2, 0, 3, 0, 5]: only entries before and at the
    # first zero matter: 1 + 0 (x_0); 2 * (1 + 3 + 0 + 0) (x_1, the first zero); 0 after it
    vals = [2.0, 0.0, 3.0, 0.0, 5.0]
    g = _grad(lambda t: t.cumprod(0), vals)
    np.testing.assert_array_equal(g, [1.0, 8.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(g, _tgrad(lambda t: t.cumprod(0), vals))


def test_cumprod_rows_with_different_first_zeros_as_torch() -> None:
    x = np.array([[1.5, 0.0, 2.0, 3.0], [0.0, 2.0, 0.0, 1.0], [1.0, 2.0, 3.0, 0.0]])
    for dim in (0, 1):
        g = _grad(lambda t, d=dim: t.cumprod(d) * np.arange(1, 5), x)
        np.testing.assert_allclose(g, _tgrad(lambda t, d=dim: t.cumprod(d) * torch.arange(1, 5), x))


@pytest.mark.parametrize(
    ("fn", "tfn"),
    [
        (lambda t: t.amax(), lambda t: t.amax()),
        (lambda t: t.amin(dim=1), lambda t: t.amin(dim=1)),
        (lambda t: t.amax(dim=()), lambda t: t.amax(dim=())),  # () reduces all (PyTorch)
        (lambda t: t.norm(float("inf"), dim=1), lambda t: t.norm(float("inf"), dim=1)),
        (lambda t: t.norm(-float("inf")), lambda t: torch.linalg.vector_norm(t, -float("inf"))),
    ],
)
def test_ties_share_the_gradient_evenly_as_torch(fn, tfn) -> None:
    vals = [[1.0, -3.0, 3.0, 3.0], [-1.0, 1.0, 0.5, -1.0]]
    np.testing.assert_allclose(_grad(fn, vals), _tgrad(tfn, vals), rtol=1e-15)
    np.testing.assert_array_equal(fn(nabla.tensor(np.array(vals))).data, tfn(torch.tensor(vals)))


@pytest.mark.parametrize("p", [2, 3, 1.5, 1, "fro"])
def test_norm_of_a_zero_vector_has_zero_gradient(p) -> None:
    vals = [[0.0, 0.0], [3.0, -4.0]]
    g = _grad(lambda t: t.norm(p, dim=1), vals)
    np.testing.assert_allclose(g, _tgrad(lambda t: t.norm(p, dim=1), vals), rtol=1e-14)
    np.testing.assert_array_equal(g[0], [0.0, 0.0])


def test_norm_p_below_one_at_zero_entries_as_torch() -> None:
    vals = [0.0, 2.0, 1.0]
    g = _grad(lambda t: t.norm(0.5), vals)
    np.testing.assert_allclose(g, _tgrad(lambda t: t.norm(0.5), vals), rtol=1e-14)


def test_std_of_constant_rows_has_zero_gradient_as_torch() -> None:
    vals = [[1.0, 1.0], [1.0, 2.0]]
    g = _grad(lambda t: t.std(1, ddof=1), vals)
    np.testing.assert_allclose(g, _tgrad(lambda t: t.std(1), vals), rtol=1e-14)
    np.testing.assert_array_equal(g[0], [0.0, 0.0])


def test_std_defaults_to_ddof_0_like_var_and_takes_correction() -> None:
    x = nabla.tensor(np.array([1.0, 2.0, 4.0]))
    np.testing.assert_allclose(x.std().data, np.std([1.0, 2.0, 4.0]), rtol=1e-15)
    np.testing.assert_allclose(x.std().data ** 2, x.var().data, rtol=1e-15)
    np.testing.assert_allclose(x.std(correction=1).data, torch.tensor(x.data).std(), rtol=1e-15)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_as_torch(name: str) -> None:
    a = np.array([[1.0, 5.0, 5.0, -2.0], [-2.0, 0.0, -2.0, 7.0], [3.0, 3.0, 3.0, 3.0]])
    x = nabla.tensor(a, requires_grad=True)
    ta = torch.tensor(a)
    for kwargs in [{}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"keepdim": True}]:
        out = getattr(x, name)(**kwargs)
        expected = getattr(ta, name)(**kwargs)
        assert out.dtype == np.int64 and not out.requires_grad and out.grad_fn is None
        assert out.shape == tuple(expected.shape), kwargs
        np.testing.assert_array_equal(out.data, expected.numpy())
    np.testing.assert_array_equal(getattr(ag, name)(x, axis=-1).data, getattr(ta, name)(-1))
    scalar = nabla.tensor(np.array(2.5))
    assert getattr(scalar, name)(0).item() == 0 == getattr(torch.tensor(2.5), name)(0).item()


def test_arg_reductions_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match=r"cannot take the argmax of an empty tensor \(shape"):
        nabla.tensor(np.zeros((0, 3))).argmax()
    with pytest.raises(AxisError, match="argmin: dimension out of range"):
        nabla.tensor(np.zeros((2, 3))).argmin(2)
    with pytest.raises(TypeError, match="got both axis=0 and dim=1"):
        nabla.tensor(np.zeros((2, 3))).argmax(0, dim=1)


def test_median_is_the_lower_median_with_indices_as_torch() -> None:
    a = np.array([[4.0, 1.0, 3.0, 2.0], [0.5, -1.0, 7.0, 2.5]])
    x, ta = nabla.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    assert x.median().item() == 2.0 == ta.median().item()  # NumPy's median would be 2.25
    res, tres = x.median(dim=1), ta.median(dim=1)
    values, indices = res  # a named tuple, as PyTorch's
    np.testing.assert_array_equal(values.data, tres.values.detach().numpy())
    np.testing.assert_array_equal(res.indices.data, tres.indices.numpy())
    assert indices.dtype == np.int64 and not indices.requires_grad
    values.backward(np.array([1.0, 10.0]))
    tres.values.backward(torch.tensor([1.0, 10.0], dtype=torch.float64))
    np.testing.assert_array_equal(x.grad, ta.grad.numpy())
    kept = x.median(0, keepdim=True)
    assert kept.values.shape == (1, 4) and kept.indices.shape == (1, 4)


def test_median_and_quantile_of_rows_with_nan_as_torch() -> None:
    a = np.array([[1.0, np.nan, 2.0, 3.0, np.nan], [1.0, 5.0, 2.0, 3.0, 4.0]])
    x, ta = nabla.tensor(a), torch.tensor(a)
    res, tres = x.median(1), ta.median(1)
    np.testing.assert_array_equal(res.values.data, tres.values.numpy())
    np.testing.assert_array_equal(res.indices.data, tres.indices.numpy())
    assert np.isnan(x.median().item()) and np.isnan(ta.median().item())
    np.testing.assert_array_equal(x.quantile(0.3, dim=1).data, ta.quantile(0.3, dim=1).numpy())


def test_quantile_shapes_as_torch() -> None:
    a = np.random.default_rng(0).standard_normal((3, 4, 5))
    x, ta = nabla.tensor(a), torch.tensor(a)
    q = np.array([0.0, 0.25, 1.0])
    for kwargs in [{}, {"dim": 1}, {"dim": -1, "keepdim": True}, {"keepdim": True}]:
        for qq in (0.7, q):
            out = x.quantile(qq, **kwargs)
            expected = ta.quantile(torch.tensor(qq) if isinstance(qq, np.ndarray) else qq, **kwargs)
            assert out.shape == tuple(expected.shape), kwargs
            np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-14)
    # q as a tensor
    np.testing.assert_allclose(x.quantile(nabla.tensor(q), 0).data, ta.quantile(torch.tensor(q), 0))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda x: x.quantile(1.5), ValueError, r"q values must be in \[0, 1\]"),
        (lambda x: x.quantile(np.zeros((2, 2))), ValueError, "a 1-D tensor, got shape"),
        (lambda x: x.quantile(0.5, interpolation="cubic"), ValueError, "interpolation must be"),
        (lambda x: x.astype(np.int64).quantile(0.5), TypeError, "floating-point tensor"),
        (lambda x: x[:0].median(0), ValueError, "cannot reduce an empty axis"),
        (lambda x: x.median(2), AxisError, "dimension out of range"),
        (lambda x: x.norm("nuc"), ValueError, "matrix norms such as 'nuc'"),
        (lambda x: x.norm(-1), ValueError, "p must be a number >= 0, inf, -inf or 'fro'"),
        (lambda x: x.astype(np.int64).norm(), TypeError, "floating-point tensor"),
        (lambda x: x[:0].norm(float("inf")), ValueError, "of an empty tensor"),
        (lambda x: x.cumsum(), TypeError, "give the axis"),
        (lambda x: x.cumprod(3), AxisError, "cumprod: dimension out of range"),
        (lambda x: x.std(0, dim=1), TypeError, "got both axis=0 and dim=1"),
        (lambda x: x.prod(axis=(0, 0)), ValueError, "repeated axis"),
    ],
)
def test_bad_arguments(call, error, match) -> None:
    a = np.arange(6.0).reshape(2, 3)
    x = nabla.tensor(a.copy(), requires_grad=True)
    with pytest.raises(error, match=match):
        call(x)
    np.testing.assert_array_equal(x.data, a)
    assert x.grad is None


def test_prod_and_cumsum_of_0d_and_empty_tensors() -> None:
    z = nabla.tensor(np.array(3.0), requires_grad=True)
    assert z.cumsum(0).item() == 3.0 and z.cumprod(-1).item() == 3.0 and z.prod(0).item() == 3.0
    e = nabla.tensor(np.zeros((0, 2)), requires_grad=True)
    out = e.prod(0)
    np.testing.assert_array_equal(out.data, [1.0, 1.0])
    out.sum().backward()
    assert e.grad.shape == (0, 2)
