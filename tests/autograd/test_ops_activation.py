"""The activations of ops/activation_extra.py through ``nabla.nn.functional``: gradients at
the kinks and at ±1000 against PyTorch, the two places where PyTorch's float64 differs from
the exact value, and bad arguments. (Random inputs: tests/autograd/registry_math.py.)"""

from __future__ import annotations

import math

import numpy as np
import pytest

import nabla
import nabla.nn.functional as F
from nabla.autograd.ops.reduction import AxisError

torch = pytest.importorskip("torch", reason="the conventions are PyTorch's")
tF = torch.nn.functional

# (name, nabla function, torch function, points that include the kinks)
CASES = [
    ("relu6", F.relu6, tF.relu6, [-1.0, 0.0, 3.0, 6.0, 7.0]),
    ("hardtanh", F.hardtanh, tF.hardtanh, [-2.0, -1.0, 0.0, 1.0, 2.0]),
    (
        "hardtanh_0_2",
        lambda x: F.hardtanh(x, 0.0, 2.0),
        lambda x: tF.hardtanh(x, 0.0, 2.0),
        [0.0, 2.0, 1.0],
    ),
    ("hardsigmoid", F.hardsigmoid, tF.hardsigmoid, [-4.0, -3.0, 0.0, 3.0, 4.0]),
    ("hardswish", F.hardswish, tF.hardswish, [-4.0, -3.0, -2.999, 0.0, 2.999, 3.0, 4.0]),
    ("selu", F.selu, tF.selu, [-1.0, 0.0, 1.0]),
    ("celu", lambda x: F.celu(x, 2.0), lambda x: tF.celu(x, 2.0), [-1.0, 0.0, 1.0]),
    ("elu", lambda x: F.elu(x, 2.0), lambda x: tF.elu(x, 2.0), [-1.0, 0.0, 1.0]),
    ("softsign", F.softsign, tF.softsign, [-1.0, 0.0, 1.0]),
    ("gelu", F.gelu, tF.gelu, [-3.0, 0.0, 0.5]),
    ("gelu_tanh", lambda x: F.gelu(x, "tanh"), lambda x: tF.gelu(x, approximate="tanh"), [0.0]),
    ("silu", F.silu, tF.silu, [0.0, -2.0]),
    ("mish", F.mish, tF.mish, [0.0, -2.0]),
    ("logsigmoid", F.logsigmoid, tF.logsigmoid, [0.0, -2.0]),
]


def _forward_backward(fn, values, dtype, lib):
    if lib == "torch":
        x = torch.tensor(values, dtype=getattr(torch, np.dtype(dtype).name), requires_grad=True)
    else:
        x = nabla.tensor(np.array(values, dtype=dtype), requires_grad=True)
    y = fn(x)
    y.backward(torch.ones_like(y) if lib == "torch" else np.ones(y.shape, dtype=dtype))
    if lib == "torch":
        return y.detach().numpy(), x.grad.numpy()
    return y.data, x.grad


# PyTorch evaluates hardsigmoid's slope 1/6 in float32 even for float64 (3e-8 off)
_RTOL64 = {"hardsigmoid": 1e-7, "hardswish": 1e-12}


@pytest.mark.parametrize(("name", "fn", "tfn", "values"), CASES, ids=[c[0] for c in CASES])
def test_value_and_gradient_at_the_kinks_as_torch(name, fn, tfn, values) -> None:
    y, g = _forward_backward(fn, values, np.float64, "nabla")
    ty, tg = _forward_backward(tfn, values, np.float64, "torch")
    np.testing.assert_allclose(y, ty, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g, tg, rtol=_RTOL64.get(name, 1e-12), atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "fn", "tfn", "values"), CASES, ids=[c[0] for c in CASES])
def test_finite_at_plus_minus_1000_as_torch(name, fn, tfn, values, dtype) -> None:
    big = [-1000.0, -80.0, 80.0, 1000.0]
    y, g = _forward_backward(fn, big, dtype, "nabla")
    ty, tg = _forward_backward(tfn, big, dtype, "torch")
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(g))
    assert y.dtype == dtype and g.dtype == dtype
    np.testing.assert_allclose(y, ty, rtol=1e-6, atol=1e-30)
    # PyTorch differentiates softsign as x / (1 + |x|), which cancels in float32 at ±1000
    # (1e-4 off); nabla's 1 / (1 + |x|)^2 is exact, checked in float64
    tol = 2e-4 if (name, dtype) == ("softsign", np.float32) else 1e-6
    np.testing.assert_allclose(g, tg, rtol=tol, atol=1e-30)


def test_hardsigmoid_slope_is_exactly_one_sixth() -> None:
    _, g = _forward_backward(F.hardsigmoid, [0.5, -2.0], np.float64, "nabla")
    np.testing.assert_array_equal(g, [1 / 6, 1 / 6])


def test_celu_is_exact_for_any_alpha() -> None:
    # PyTorch rounds alpha to float32 (so its float64 celu(x, 0.7) is off by ~1e-8)
    y, g = _forward_backward(lambda t: F.celu(t, 0.7), [-0.5], np.float64, "nabla")
    np.testing.assert_allclose(y, [0.7 * math.expm1(-0.5 / 0.7)], rtol=1e-15)
    np.testing.assert_allclose(g, [math.exp(-0.5 / 0.7)], rtol=1e-15)


def test_gelu_exact_uses_the_normal_cdf() -> None:
    from scipy.stats import norm

    x = np.linspace(-6, 6, 25)
    y, g = _forward_backward(F.gelu, x, np.float64, "nabla")
    np.testing.assert_allclose(y, x * norm.cdf(x), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(g, norm.cdf(x) + x * norm.pdf(x), rtol=1e-13, atol=1e-300)


def test_softmin_is_softmax_of_minus_x_as_torch() -> None:
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    for dim in (0, 1, -1):
        y, _ = _forward_backward(lambda t, d=dim: F.softmin(t, dim=d), x, np.float64, "nabla")
        ty = tF.softmin(torch.tensor(x), dim=dim).numpy()
        np.testing.assert_allclose(y, ty, rtol=1e-12)


def test_functional_accepts_arrays_and_refuses_bad_arguments() -> None:
    x = np.array([-1.0, 0.5])
    np.testing.assert_allclose(F.relu6(x).data, [0.0, 0.5])
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh', got 'fast'"):
        F.gelu(x, approximate="fast")
    with pytest.raises(ValueError, match="celu: alpha must not be 0"):
        F.celu(x, 0.0)
    with pytest.raises(ValueError, match=r"min_val \(2.0\) must not exceed max_val \(1.0\)"):
        F.hardtanh(x, 2.0, 1.0)
    with pytest.raises(ValueError, match="max_val must be a finite number"):
        F.hardtanh(x, 0.0, math.inf)
    with pytest.raises(AxisError, match="softmin: dimension out of range"):
        F.softmin(x, dim=1)
    with pytest.raises(TypeError, match="gelu: input must be a tensor or an array"):
        F.gelu("text")


def test_inplace_flag_leaves_the_input_unchanged() -> None:
    x = nabla.tensor(np.array([-1.0, 7.0]))
    before = x.data.copy()
    y = F.relu6(x, inplace=True)
    np.testing.assert_array_equal(x.data, before)
    np.testing.assert_array_equal(y.data, [0.0, 6.0])


def test_one_hot_through_functional_as_torch() -> None:
    labels = np.array([[0, 3], [2, 2]])
    out = F.one_hot(labels, 5)
    np.testing.assert_array_equal(out.data, tF.one_hot(torch.tensor(labels), 5).numpy())
    assert out.dtype == np.int64 and not out.requires_grad
