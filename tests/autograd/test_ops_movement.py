"""flip, roll, repeat / tile, expand, split / chunk, squeeze / unsqueeze and clone beyond the
registry (tests/autograd/registry_tensor_ops.py): PyTorch's shapes at the edges, its names
for the arguments, and bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla import autograd as ag
from nabla.autograd.ops.reduction import AxisError

torch = pytest.importorskip("torch", reason="the shapes are PyTorch's")


def _shapes(parts) -> list[tuple[int, ...]]:
    return [tuple(p.shape) for p in parts]


@pytest.mark.parametrize(
    ("shape", "args"),
    [
        ((5, 2), (2,)),
        ((5, 2), ([1, 4],)),
        ((5, 2), ([0, 5],)),
        ((4, 6), (4, 1)),
        ((4, 6), (7, 1)),
        ((0, 2), (2,)),
        ((3,), (1,)),
    ],
)
def test_split_shapes_as_torch(shape, args) -> None:
    a = np.arange(float(np.prod(shape))).reshape(shape)
    parts, tparts = nabla.tensor(a).split(*args), torch.tensor(a).split(*args)
    assert isinstance(parts, tuple) and _shapes(parts) == _shapes(tparts)
    for p, tp in zip(parts, tparts):
        np.testing.assert_array_equal(p.data, tp.numpy())


@pytest.mark.parametrize(
    ("shape", "chunks", "dim"), [((6, 2), 4, 0), ((5,), 2, 0), ((2, 7), 3, 1), ((0, 2), 3, 0)]
)
def test_chunk_shapes_as_torch(shape, chunks, dim) -> None:
    a = np.ones(shape)
    assert _shapes(nabla.tensor(a).chunk(chunks, dim)) == _shapes(
        torch.tensor(a).chunk(chunks, dim)
    )


def test_split_gradient_reaches_every_piece() -> None:
    x = nabla.tensor(np.arange(10.0).reshape(5, 2), requires_grad=True)
    a, b, c = x.split(2)
    (a.sum() + 2 * b.sum() + 3 * c.sum()).backward()
    np.testing.assert_array_equal(x.grad[:, 0], [1, 1, 2, 2, 3])


def test_expand_as_torch() -> None:
    a = np.arange(3.0).reshape(3, 1)
    for sizes in [(3, 4), (2, 3, 4), (-1, 5), (2, -1, -1), ((2, 3, 2),)]:
        np.testing.assert_array_equal(
            nabla.tensor(a).expand(*sizes).data, torch.tensor(a).expand(*sizes).numpy()
        )
    x = nabla.tensor(a, requires_grad=True)
    x.expand(2, 3, 4).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((3, 1), 8.0))


def test_squeeze_leaves_other_dimensions_as_torch() -> None:
    a = np.zeros((2, 1, 3, 1))
    for dim in [None, 0, 1, -1, (0, 1), (1, 3)]:
        args = () if dim is None else (dim,)
        got = nabla.tensor(a).squeeze(*args).shape
        assert got == tuple(torch.tensor(a).squeeze(*args).shape), dim
    assert nabla.tensor(np.array(1.0)).squeeze().shape == ()


def test_unsqueeze_positions_as_torch() -> None:
    a = np.zeros((2, 3))
    for dim in (0, 1, 2, -1, -2, -3):
        assert nabla.tensor(a).unsqueeze(dim).shape == tuple(torch.tensor(a).unsqueeze(dim).shape)
    assert ag.unsqueeze(nabla.tensor(np.array(2.0)), 0).shape == (1,)


def test_repeat_and_tile_as_torch() -> None:
    a = np.arange(6.0).reshape(2, 3)
    x, tx = nabla.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for call in [lambda t: t.repeat(2, 2), lambda t: t.repeat((1, 2, 1)), lambda t: t.tile(3)]:
        y, ty = call(x), call(tx)
        np.testing.assert_array_equal(y.data, ty.detach().numpy())
        w = np.random.default_rng(0).standard_normal(y.shape)
        y.backward(w)
        ty.backward(torch.tensor(w))
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-14)
        x.grad, tx.grad = None, None


def test_roll_and_flip_accept_pytorchs_and_numpys_names() -> None:
    a = np.arange(12.0).reshape(3, 4)
    x, ta = nabla.tensor(a), torch.tensor(a)
    np.testing.assert_array_equal(x.roll(1, dims=1).data, ta.roll(1, dims=1).numpy())
    np.testing.assert_array_equal(x.roll(-1, axis=0).data, np.roll(a, -1, axis=0))
    np.testing.assert_array_equal(ag.flip(x, dims=(0,)).data, ta.flip(dims=(0,)).numpy())
    np.testing.assert_array_equal(x.flip(axis=1).data, np.flip(a, axis=1))
    np.testing.assert_array_equal(x.flip((0, 1)).data, ta.flip((0, 1)).numpy())


def test_clone_has_its_own_memory_and_keeps_the_graph() -> None:
    x = nabla.tensor(np.ones(3), requires_grad=True)
    y = x.clone()
    assert not np.shares_memory(x.data, y.data) and y.grad_fn is not None
    (y * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda x: x.split(0), ValueError, "split_size must be > 0, got 0"),
        (lambda x: x.split([1, 1]), ValueError, r"sections \(1, 1\) must be >= 0 and add up to 3"),
        (lambda x: x.split(1.5), TypeError, "split_size must be ints"),
        (lambda x: x.chunk(0), ValueError, "chunks must be > 0, got 0"),
        (lambda x: x.split(1, dim=0, axis=1), TypeError, "got both axis=1 and dim=0"),
        (lambda x: x.expand(3, 5), ValueError, "size 5 at dimension 1 must match the existing"),
        (lambda x: x.expand(-1, 3, 4), ValueError, "-1 is not allowed for the new leading"),
        (lambda x: x.expand(4), ValueError, "fewer dimensions than the tensor's shape"),
        (lambda x: x.repeat(2), ValueError, r"at least one size per dimension \(2\)"),
        (lambda x: x.repeat(1, -1), ValueError, "sizes must be >= 0"),
        (lambda x: x.flip(), TypeError, "give the dimensions to flip once"),
        (lambda x: x.flip(0, 0), ValueError, "repeated axis"),
        (lambda x: x.flip(2), AxisError, "flip: dimension out of range"),
        (lambda x: x.roll((1, 2), 0), ValueError, "must have the same length"),
        (lambda x: x.roll((1, 2)), ValueError, "with no dims, shifts must be one number"),
        (lambda x: x.unsqueeze(3), AxisError, "unsqueeze: dimension out of range"),
        (lambda x: x.unsqueeze(), TypeError, "give the dimension"),
        (lambda x: x.squeeze(2), AxisError, "squeeze: dimension out of range"),
    ],
)
def test_bad_arguments(call, error, match) -> None:
    a = np.arange(12.0).reshape(3, 4)
    x = nabla.tensor(a.copy(), requires_grad=True)
    with pytest.raises(error, match=match):
        call(x)
    np.testing.assert_array_equal(x.data, a)
    assert x.grad is None
