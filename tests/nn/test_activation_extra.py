"""The activation layers of nn/layers/activation_extra.py: PyTorch's constructors, reprs,
forward and backward (float32 and float64), and bad constructor arguments."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla import nn
from nabla.autograd import gradcheck

torch = pytest.importorskip("torch", reason="the layers are compared with PyTorch's")

# (nabla layer, the same in PyTorch); inputs avoid the kinks at 0, ±1, ±3, 6
LAYERS = [
    (lambda: nn.GELU(), lambda: torch.nn.GELU()),
    (lambda: nn.GELU("tanh"), lambda: torch.nn.GELU("tanh")),
    (lambda: nn.SiLU(), lambda: torch.nn.SiLU()),
    (lambda: nn.SiLU(inplace=True), lambda: torch.nn.SiLU(inplace=True)),
    (lambda: nn.Mish(), lambda: torch.nn.Mish()),
    (lambda: nn.SELU(), lambda: torch.nn.SELU()),
    (lambda: nn.CELU(), lambda: torch.nn.CELU()),
    (lambda: nn.CELU(0.5, inplace=True), lambda: torch.nn.CELU(0.5, inplace=True)),
    (lambda: nn.ReLU6(), lambda: torch.nn.ReLU6()),
    (lambda: nn.ReLU6(True), lambda: torch.nn.ReLU6(True)),
    (lambda: nn.Hardtanh(), lambda: torch.nn.Hardtanh()),
    (lambda: nn.Hardtanh(-2, 3, True), lambda: torch.nn.Hardtanh(-2, 3, True)),
    (lambda: nn.Hardsigmoid(), lambda: torch.nn.Hardsigmoid()),
    (lambda: nn.Hardswish(inplace=True), lambda: torch.nn.Hardswish(inplace=True)),
    (lambda: nn.Softsign(), lambda: torch.nn.Softsign()),
    (lambda: nn.LogSigmoid(), lambda: torch.nn.LogSigmoid()),
    (lambda: nn.Softmin(), lambda: torch.nn.Softmin()),
    (lambda: nn.Softmin(dim=0), lambda: torch.nn.Softmin(dim=0)),
]
IDS = [repr(make()) for make, _ in LAYERS]


def _input(dtype) -> np.ndarray:
    x = np.random.default_rng(0).uniform(-5, 8, (3, 4, 5))
    for k in (-3.0, -1.0, 0.0, 1.0, 3.0, 6.0):  # away from every kink
        x = np.where(np.abs(x - k) < 0.05, k + 0.1, x)
    return x.astype(dtype)


@pytest.mark.parametrize(("make", "tmake"), LAYERS, ids=IDS)
def test_repr_is_pytorchs(make, tmake) -> None:
    assert repr(make()) == repr(tmake())


@pytest.mark.filterwarnings("ignore:Implicit dimension choice for softmin:UserWarning")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("make", "tmake"), LAYERS, ids=IDS)
def test_forward_and_backward_match_torch(make, tmake, dtype) -> None:
    xa = _input(dtype)
    x = nabla.tensor(xa, requires_grad=True)
    y = make()(x)
    tx = torch.tensor(xa, requires_grad=True)
    ty = tmake()(tx * 1)  # "* 1": PyTorch's inplace layers may not overwrite a leaf
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-7, "atol": 1e-12}
    np.testing.assert_allclose(y.data, ty.detach().numpy(), **tol)
    g = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
    y.backward(g)
    ty.backward(torch.tensor(g))
    assert y.dtype == dtype and x.grad.dtype == dtype
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), **tol)


@pytest.mark.parametrize(("make", "tmake"), LAYERS, ids=IDS)
def test_gradcheck_and_input_untouched(make, tmake) -> None:
    xa = _input(np.float64)[:2, :2]
    x = nabla.tensor(xa, requires_grad=True)
    assert gradcheck(make(), [x])
    np.testing.assert_array_equal(x.data, xa)  # inplace=True never overwrites the input


def test_softmin_implicit_dim_follows_pytorch() -> None:
    for shape in [(4,), (2, 3), (2, 3, 4), (2, 3, 4, 5)]:
        xa = np.random.default_rng(2).standard_normal(shape)
        with pytest.warns(UserWarning):  # PyTorch warns about the implicit dimension
            expected = torch.nn.Softmin()(torch.tensor(xa)).numpy()
        np.testing.assert_allclose(nn.Softmin()(xa).data, expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: nn.GELU("erf"), ValueError, "approximate must be 'none' or 'tanh'"),
        (lambda: nn.CELU(0.0), ValueError, "alpha must be a finite non-zero number, got 0.0"),
        (lambda: nn.CELU("1"), ValueError, "alpha must be a finite non-zero number"),
        (lambda: nn.Hardtanh(2.0, 1.0), ValueError, r"max_val \(1.0\) must be greater"),
        (lambda: nn.Hardtanh(0.0, float("nan")), ValueError, "max_val must be a finite number"),
        (lambda: nn.ReLU6(inplace="yes"), TypeError, "inplace must be a bool"),
    ],
)
def test_bad_constructor_arguments(make, error, match) -> None:
    with pytest.raises(error, match=match):
        make()


def test_layers_have_no_parameters_and_round_trip_state() -> None:
    for make, _ in LAYERS:
        m = make()
        assert list(m.parameters()) == [] and m.state_dict() == {}
