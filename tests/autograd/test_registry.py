"""Generic tests over every op of the registry: forward vs NumPy, float64 gradcheck,
dtype preservation, gradient accumulation, no_grad, and PyTorch reference (float32/64)."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla.autograd import gradcheck
from tests.autograd.registry import OpSpec, all_ops

CASES = [(spec, shapes) for spec in all_ops() for shapes in spec.shapes]
IDS = [f"{spec.name}-{'x'.join(str(s) for s in shapes)}" for spec, shapes in CASES]


def _tensors(spec: OpSpec, arrays: list[np.ndarray], grad: bool = True) -> list[nabla.Tensor]:
    diff = spec.differentiable(len(arrays))
    return [nabla.tensor(a, requires_grad=grad and i in diff) for i, a in enumerate(arrays)]


@pytest.mark.parametrize(("spec", "shapes"), CASES, ids=IDS)
def test_forward_matches_numpy(spec: OpSpec, shapes) -> None:
    arrays = spec.inputs(np.random.default_rng(0), shapes, np.float64)
    out = spec.fn(*_tensors(spec, arrays))
    np.testing.assert_allclose(out.data, spec.ref(*arrays), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("spec", "shapes"), CASES, ids=IDS)
def test_gradcheck_float64(spec: OpSpec, shapes) -> None:
    arrays = spec.inputs(np.random.default_rng(1), shapes, np.float64)
    tensors = _tensors(spec, arrays)
    if not any(t.requires_grad and t.size for t in tensors):
        # nothing to differentiate: backward must still give empty gradients of each shape
        out = spec.fn(*tensors)
        out.backward(np.ones(out.shape))
        assert all(t.grad.shape == t.shape for t in tensors if t.requires_grad)
        return
    assert gradcheck(spec.fn, tensors, atol=spec.atol, rtol=spec.rtol)


@pytest.mark.parametrize(("spec", "shapes"), CASES, ids=IDS)
def test_float32_stays_float32(spec: OpSpec, shapes) -> None:
    arrays = spec.inputs(np.random.default_rng(2), shapes, np.float32)
    tensors = _tensors(spec, arrays)
    out = spec.fn(*tensors)
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, dtype=np.float32))
    for t in tensors:
        if t.requires_grad:
            assert t.grad is not None and t.grad.dtype == np.float32 and t.grad.shape == t.shape


@pytest.mark.parametrize(("spec", "shapes"), CASES, ids=IDS)
def test_gradients_accumulate(spec: OpSpec, shapes) -> None:
    """Using the inputs twice gives twice the gradient; a second backward adds to .grad."""
    arrays = spec.inputs(np.random.default_rng(3), shapes, np.float64)
    tensors = _tensors(spec, arrays)
    once = spec.fn(*tensors)
    g = np.random.default_rng(4).standard_normal(once.shape)
    once.backward(g)
    first = [t.grad.copy() for t in tensors if t.requires_grad]
    for t in tensors:
        t.grad = None
    twice = spec.fn(*tensors) + spec.fn(*tensors)
    twice.backward(g)
    for f, t in zip(first, [t for t in tensors if t.requires_grad]):
        np.testing.assert_allclose(t.grad, 2 * f, rtol=1e-12, atol=1e-12)
    spec.fn(*tensors).backward(g)  # accumulates across backward calls
    for f, t in zip(first, [t for t in tensors if t.requires_grad]):
        np.testing.assert_allclose(t.grad, 3 * f, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("spec", "shapes"), CASES, ids=IDS)
def test_no_grad_records_nothing(spec: OpSpec, shapes) -> None:
    arrays = spec.inputs(np.random.default_rng(5), shapes, np.float64)
    with nabla.no_grad():
        out = spec.fn(*_tensors(spec, arrays))
    assert not out.requires_grad and out.grad_fn is None


TORCH_CASES = [(spec, shapes) for spec, shapes in CASES if spec.torch_fn is not None]
TORCH_IDS = [f"{spec.name}-{'x'.join(str(s) for s in shapes)}" for spec, shapes in TORCH_CASES]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("spec", "shapes"), TORCH_CASES, ids=TORCH_IDS)
def test_matches_torch(spec: OpSpec, shapes, dtype) -> None:
    torch = pytest.importorskip(
        "torch", reason="PyTorch reference tests need torch (pip install -e '.[test]')"
    )
    arrays = spec.inputs(np.random.default_rng(6), shapes, dtype)
    diff = spec.differentiable(len(arrays))
    tensors = _tensors(spec, arrays)
    ttensors = [torch.tensor(a, requires_grad=i in diff) for i, a in enumerate(arrays)]
    out = spec.fn(*tensors)
    tout = spec.torch_fn(*ttensors)
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}
    np.testing.assert_allclose(out.data, tout.detach().numpy(), **tol)
    g = np.random.default_rng(7).standard_normal(out.shape).astype(dtype)
    out.backward(g)
    tout.backward(torch.tensor(g))
    for i in diff:
        expected = ttensors[i].grad
        expected = np.zeros_like(arrays[i]) if expected is None else expected.numpy()
        np.testing.assert_allclose(tensors[i].grad, expected, **tol)
