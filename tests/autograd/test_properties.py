"""Property-based tests (hypothesis): broadcasting and shapes for any compatible shapes."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nabla

shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4)


@settings(max_examples=60, deadline=None)
@given(shapes, st.sampled_from(["add", "sub", "mul", "maximum"]))
def test_binary_broadcast_gradients_have_input_shapes(bshapes, op) -> None:
    (sa, sb), out_shape = bshapes.input_shapes, bshapes.result_shape
    rng = np.random.default_rng(0)
    a_np, b_np = rng.standard_normal(sa), rng.standard_normal(sb)
    a = nabla.tensor(a_np, requires_grad=True)
    b = nabla.tensor(b_np, requires_grad=True)
    f = {
        "add": lambda x, y: x + y,
        "sub": lambda x, y: x - y,
        "mul": lambda x, y: x * y,
        "maximum": lambda x, y: x.maximum(y),
    }[op]
    out = f(a, b)
    assert out.shape == out_shape
    out.sum().backward()
    assert a.grad.shape == sa and b.grad.shape == sb
    if op == "add":
        # d(sum(a + b))/da counts how many output entries each entry of a reaches
        np.testing.assert_allclose(a.grad, np.full(sa, np.prod(out_shape) / max(np.prod(sa), 1)))


@settings(max_examples=40, deadline=None)
@given(hnp.array_shapes(min_dims=1, max_dims=4, max_side=5), st.data())
def test_sum_over_any_axes_matches_numpy(shape, data) -> None:
    axes = data.draw(st.lists(st.integers(0, len(shape) - 1), unique=True, max_size=len(shape)))
    keepdims = data.draw(st.booleans())
    x_np = np.random.default_rng(1).standard_normal(shape)
    x = nabla.tensor(x_np, requires_grad=True)
    axis = tuple(axes) if axes else None
    out = x.sum(axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(out.data, x_np.sum(axis=axis, keepdims=keepdims))
    out.backward(np.ones(out.shape))
    np.testing.assert_array_equal(x.grad, np.ones(shape))


@settings(max_examples=40, deadline=None)
@given(hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), st.randoms(use_true_random=False))
def test_transpose_reshape_round_trip_gradient(shape, rnd) -> None:
    perm = list(range(len(shape)))
    rnd.shuffle(perm)
    x_np = np.random.default_rng(2).standard_normal(shape)
    x = nabla.tensor(x_np, requires_grad=True)
    y = x.permute(*perm).reshape(-1)
    g = np.arange(y.shape[0], dtype=np.float64)
    y.backward(g)
    np.testing.assert_array_equal(
        x.grad, g.reshape(x_np.transpose(perm).shape).transpose(np.argsort(perm))
    )
