"""The elementwise math of ops/math.py and ops/math_binary.py beyond the registry: gradients
at the jumps and at the edges of the domains (against PyTorch), dtype rules, clamp's
gradient conventions with tensor bounds, lerp's exact end point, and bad arguments.
(Forward and gradient on random inputs: tests/autograd/registry_math.py.)"""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla import autograd as ag

torch = pytest.importorskip("torch", reason="the conventions are PyTorch's")


def _grad(fn, values, dtype=np.float64):
    x = nabla.tensor(np.array(values, dtype=dtype), requires_grad=True)
    fn(x).sum().backward()
    return x.grad


def _tgrad(fn, values, dtype=torch.float64):
    x = torch.tensor(values, dtype=dtype, requires_grad=True)
    fn(x).sum().backward()
    return np.zeros(len(values)) if x.grad is None else x.grad.numpy()


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "sign"])
def test_piecewise_constant_zero_gradient_at_the_jumps(name: str) -> None:
    vals = [-2.0, -1.5, -0.5, 0.0, 0.5, 1.0, 2.5]
    g = _grad(lambda t: getattr(t, name)(), vals)
    np.testing.assert_array_equal(g, _tgrad(lambda t: getattr(t, name)(), vals))
    np.testing.assert_array_equal(g, np.zeros(len(vals)))


def test_zero_gradient_of_a_size_one_dimension_reaches_its_shape() -> None:
    x = nabla.tensor(np.full((2, 1, 3), 0.3), requires_grad=True)
    (x.floor() * 2 + x).sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones((2, 1, 3)))


@pytest.mark.parametrize("name", ["floor", "ceil", "round"])
def test_rounding_keeps_integer_tensors(name: str) -> None:
    x = nabla.tensor(np.array([-3, 0, 7], dtype=np.int32))
    y = getattr(x, name)()
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y.data, [-3, 0, 7])
    assert y.data is not x.data


def test_round_half_to_even_and_decimals_as_torch() -> None:
    vals = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 1.25, 1.35], dtype=np.float32)
    np.testing.assert_array_equal(nabla.tensor(vals).round().data, torch.tensor(vals).round())
    np.testing.assert_array_equal(
        nabla.tensor(vals).round(decimals=1).data, torch.tensor(vals).round(decimals=1)
    )
    with pytest.raises(TypeError, match="decimals must be an int"):
        nabla.tensor(vals).round(decimals=1.0)


@pytest.mark.parametrize(
    ("name", "vals"),
    [("asin", [-1.0, 1.0, 0.0]), ("acos", [-1.0, 1.0, 0.5]), ("rsqrt", [4.0, 1e-100])],
)
def test_derivative_at_the_edge_of_the_domain_as_torch(name: str, vals) -> None:
    g = _grad(lambda t: getattr(t, name)(), vals)
    np.testing.assert_allclose(g, _tgrad(lambda t: getattr(t, name)(), vals), rtol=1e-12)


def test_rsqrt_at_zero_gives_minus_inf_gradient() -> None:
    with np.errstate(divide="ignore"):
        y = nabla.tensor(np.array([0.0]), requires_grad=True)
        out = y.rsqrt()
    assert out.data[0] == np.inf
    out.sum().backward()
    assert y.grad[0] == -np.inf == _tgrad(torch.rsqrt, [0.0])[0]


def test_atan2_gradient_at_the_origin_is_zero_as_torch() -> None:
    a = nabla.tensor(np.zeros(2), requires_grad=True)
    b = nabla.tensor(np.array([0.0, -0.0]), requires_grad=True)
    ag.atan2(a, b).sum().backward()
    ta = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor([0.0, -0.0], dtype=torch.float64, requires_grad=True)
    torch.atan2(ta, tb).sum().backward()
    np.testing.assert_array_equal(a.grad, ta.grad.numpy())
    np.testing.assert_array_equal(b.grad, tb.grad.numpy())
    np.testing.assert_array_equal(ag.atan2(a, b).data, torch.atan2(ta, tb).detach().numpy())


def test_clamp_gradient_conventions_with_tensor_bounds_as_torch() -> None:
    # x on a bound, inside, outside, and lo > hi (the result is hi) and lo == hi
    xv = [0.0, 1.0, 1.5, 1.0, 3.0, -1.0, 0.5, 0.2]
    lov = [0.0, 0.0, 2.0, 0.0, 5.0, 0.0, 0.5, 0.5]
    hiv = [1.0, 1.0, 1.0, 1.0, 4.0, 1.0, 0.5, 0.5]
    x, lo, hi = (nabla.tensor(np.array(v), requires_grad=True) for v in (xv, lov, hiv))
    y = x.clamp(lo, hi)
    y.backward(np.arange(1.0, 9.0))
    tx, tlo, thi = (
        torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (xv, lov, hiv)
    )
    ty = tx.clamp(tlo, thi)
    ty.backward(torch.arange(1.0, 9.0, dtype=torch.float64))
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    for mine, theirs in ((x, tx), (lo, tlo), (hi, thi)):
        np.testing.assert_array_equal(mine.grad, theirs.grad.numpy())


@pytest.mark.parametrize("which", ["min", "max"])
def test_clamp_one_tensor_bound_as_torch(which: str) -> None:
    xv, bv = [0.0, 1.5, -1.0, 1.0], [0.0, 1.0, 0.0, 2.0]
    x, b = (nabla.tensor(np.array(v), requires_grad=True) for v in (xv, bv))
    ag.clamp(x, **{which: b}).sum().backward()
    tx, tb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (xv, bv))
    torch.clamp(tx, **{which: tb}).sum().backward()
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())
    np.testing.assert_array_equal(b.grad, tb.grad.numpy())


def test_clamp_number_bounds_match_clip_and_torch() -> None:
    v = np.array([-2.0, -0.5, 0.3, 1.0, 2.0])
    g = _grad(lambda t: t.clamp(-0.5, 1.0), v)
    np.testing.assert_array_equal(g, _tgrad(lambda t: t.clamp(-0.5, 1.0), list(v)))
    np.testing.assert_array_equal(nabla.tensor(v).clamp(max=0.0).data, np.minimum(v, 0))


def test_clamp_bad_arguments() -> None:
    x = nabla.tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="at least one of min and max"):
        x.clamp()
    with pytest.raises(ValueError, match=r"shape \(4,\) does not broadcast to the input's shape"):
        x.clamp(nabla.tensor(np.zeros(4)))
    with pytest.raises(ValueError, match=r"shape \(4, 3\) does not broadcast to the input"):
        x.clamp(max=np.zeros((4, 3)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lerp_is_exact_at_both_ends_and_keeps_dtype(dtype) -> None:
    a = nabla.tensor(np.array([0.1, -3.7, 1e8], dtype=dtype))
    b = nabla.tensor(np.array([0.3, 2.9, -1e-8], dtype=dtype))
    np.testing.assert_array_equal(a.lerp(b, 1.0).data, b.data)
    np.testing.assert_array_equal(a.lerp(b, 0.0).data, a.data)
    w = nabla.tensor(np.array([1.0, 0.0, 1.0], dtype=dtype))
    np.testing.assert_array_equal(a.lerp(b, w).data, [b.data[0], a.data[1], b.data[2]])
    assert a.lerp(b, 0.25).dtype == dtype and a.lerp(b, w).dtype == dtype


def test_lerp_bad_shapes() -> None:
    a, b = nabla.tensor(np.zeros(3)), nabla.tensor(np.zeros(3))
    with pytest.raises(ValueError, match=r"lerp: shapes \(3,\), \(3,\), \(2,\) do not broadcast"):
        a.lerp(b, nabla.tensor(np.zeros(2)))


def test_float32_math_stays_float32_with_its_constants() -> None:
    x = nabla.tensor(np.array([0.5, 0.25], dtype=np.float32), requires_grad=True)
    for name in ("log2", "log10", "exp2", "expm1", "log1p", "rsqrt", "atan", "asin", "acos"):
        x.grad = None
        y = getattr(x, name)()
        y.sum().backward()
        assert y.dtype == np.float32 and x.grad.dtype == np.float32, name


def test_aliases_are_the_same_functions() -> None:
    t = nabla.Tensor
    assert t.arcsin is t.asin and t.arccos is t.acos and t.arctan is t.atan
    assert t.arctan2 is t.atan2 is ag.atan2
