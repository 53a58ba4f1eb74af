"""Every op of the registry (tests/autograd/registry.all_ops) on non-contiguous inputs: strided
views and transposed (Fortran-ordered) arrays give the same values and gradients as the same
numbers in contiguous arrays."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from tests.autograd.registry import OpSpec, all_ops

CASES = [
    (spec, shapes)
    for spec in all_ops()
    for shapes in spec.shapes
    if any(len(s) >= 1 and int(np.prod(s)) > 1 for s in shapes)
]
IDS = [f"{spec.name}-{'x'.join(str(s) for s in shapes)}" for spec, shapes in CASES]


def _strided(a: np.ndarray) -> np.ndarray:
    """The same values in every other slot of a larger buffer (not contiguous)."""
    if a.ndim == 0:
        return a
    buf = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), dtype=a.dtype)
    view = buf[..., ::2]
    view[...] = a
    return view


def _fortran(a: np.ndarray) -> np.ndarray:
    return np.asfortranarray(a) if a.ndim else a  # (asfortranarray makes 0-d arrays 1-D)


def _run(spec: OpSpec, arrays: list[np.ndarray], g: np.ndarray | None):
    diff = spec.differentiable(len(arrays))
    # Tensor(...) keeps the array as given (nabla.tensor would copy it contiguously)
    ts = [nabla.Tensor(a, requires_grad=i in diff) for i, a in enumerate(arrays)]
    out = spec.fn(*ts)
    if g is None:
        g = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(g)
    return out.data.copy(), [t.grad for t in ts if t.requires_grad], g


@pytest.mark.parametrize("layout", [_strided, _fortran], ids=["strided", "fortran"])
@pytest.mark.parametrize(("spec", "shapes"), CASES, ids=IDS)
def test_non_contiguous_inputs_give_the_same_results(spec: OpSpec, shapes, layout) -> None:
    arrays = spec.inputs(np.random.default_rng(0), shapes, np.float64)
    moved = [layout(a) for a in arrays]
    if layout is _strided and any(m.size > 1 for m in moved):
        assert any(not m.flags.c_contiguous for m in moved if m.size > 1)
    y, grads, g = _run(spec, [a.copy() for a in arrays], None)
    y2, grads2, _ = _run(spec, moved, g)
    np.testing.assert_allclose(y2, y, rtol=1e-13, atol=1e-13)
    for a, b in zip(grads2, grads):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)
