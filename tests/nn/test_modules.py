"""Generic tests over every entry of module_registry.SPECS: output shape and dtype, float64
gradcheck through inputs and parameters, train/eval behaviour, state_dict round trip and
keys, repr, and PyTorch reference (forward and backward, float32 and float64)."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla.autograd import gradcheck
from tests.nn.module_registry import SPECS, ModuleSpec

IDS = [s.name for s in SPECS]


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_output_shape_and_dtype(spec: ModuleSpec) -> None:
    m = spec.make()
    y = m(nabla.tensor(spec.input(np.random.default_rng(0), np.float32)))
    assert y.shape == spec.output_shape
    assert y.dtype == np.float32
    assert all(p.dtype == np.float32 for p in m.parameters())


@pytest.mark.parametrize(
    "spec", [s for s in SPECS if s.gradcheck], ids=[s.name for s in SPECS if s.gradcheck]
)
def test_gradcheck_inputs_and_parameters(spec: ModuleSpec) -> None:
    m = spec.make().double()
    x = nabla.tensor(spec.input(np.random.default_rng(1), np.float64), requires_grad=True)
    assert gradcheck(m, [x], params=list(m.parameters()), atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_train_eval(spec: ModuleSpec) -> None:
    m = spec.make()
    assert m.training and all(c.training for c in m.modules())
    x = nabla.tensor(spec.input(np.random.default_rng(2), np.float32))
    y_train = m(x).numpy().copy()
    assert m.eval() is m
    assert not m.training and not any(c.training for c in m.modules())
    with nabla.no_grad():
        y_eval = m(x).numpy()
    if spec.mode_dependent:
        assert not np.allclose(y_train, y_eval)
    else:
        np.testing.assert_array_equal(y_train, y_eval)
    assert m.train() is m and all(c.training for c in m.modules())


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_state_dict_round_trip(spec: ModuleSpec) -> None:
    a, b = spec.make(), spec.make()
    x = nabla.tensor(spec.input(np.random.default_rng(3), np.float32))
    a.train()(x)  # moves BatchNorm's running statistics away from their initial values
    sd = a.state_dict()
    result = b.load_state_dict({k: v.numpy().copy() for k, v in sd.items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    for k, v in b.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), sd[k].numpy())
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_repr(spec: ModuleSpec) -> None:
    m = spec.make()
    text = repr(m)
    assert text.startswith(type(m).__name__ + "(") and text.endswith(")")
    if spec.torch_make is not None and spec.same_repr:
        torch = pytest.importorskip("torch", reason="the repr is compared with PyTorch's")
        assert text == repr(spec.torch_make(torch))


TORCH = [s for s in SPECS if s.torch_make is not None]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("spec", TORCH, ids=[s.name for s in TORCH])
def test_matches_torch(spec: ModuleSpec, dtype) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch reference tests need torch")
    m = spec.make().to(dtype)
    tm = spec.torch_make(torch).to(torch.float64 if dtype == np.float64 else torch.float32)
    # same weights: nabla's state dict, converted with numpy() / torch.from_numpy
    tm.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in m.state_dict().items()})
    assert list(tm.state_dict()) == list(m.state_dict())
    x0 = spec.input(np.random.default_rng(4), dtype)
    x = nabla.tensor(x0, requires_grad=True)
    tx = torch.tensor(x0, requires_grad=True)
    y, ty = m(x), tm(tx)
    tol = {"rtol": 2e-4, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-11}
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **tol)
    g = np.random.default_rng(5).standard_normal(y.shape).astype(dtype)
    y.backward(g)
    ty.backward(torch.from_numpy(g))
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), **tol)
    tparams = dict(tm.named_parameters())
    for name, p in m.named_parameters():
        np.testing.assert_allclose(p.grad, tparams[name].grad.numpy(), **tol, err_msg=name)
    tstate = tm.state_dict()
    for name, v in m.state_dict().items():  # running statistics after one training step
        np.testing.assert_allclose(v.numpy(), tstate[name].numpy(), **tol, err_msg=name)
    m.eval(), tm.eval()
    with torch.no_grad():
        ty = tm(tx)
    np.testing.assert_allclose(m(x).numpy(), ty.detach().numpy(), **tol)
