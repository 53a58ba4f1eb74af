"""In-place ops with PyTorch's rules: refused on a leaf that requires grad (PyTorch's error,
nothing changed), written through memory when nothing is recorded, recorded in the graph
otherwise; values and gradients compared with PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import nabla

torch = pytest.importorskip("torch", reason="the in-place rules are compared with PyTorch")

LEAF = "a leaf Variable that requires grad is being used in an in-place operation."

# each op as (nabla call, the same call on a torch tensor)
OPS = {
    "add_": (lambda x: x.add_(1.5), lambda t: t.add_(1.5)),
    "add_alpha": (
        lambda x: x.add_(nabla.ones(3), alpha=2),
        lambda t: t.add_(torch.ones(3), alpha=2),
    ),
    "sub_": (lambda x: x.sub_(0.5), lambda t: t.sub_(0.5)),
    "mul_": (lambda x: x.mul_(3.0), lambda t: t.mul_(3.0)),
    "div_": (lambda x: x.div_(4.0), lambda t: t.div_(4.0)),
    "pow_": (lambda x: x.pow_(2), lambda t: t.pow_(2)),
    "clamp_": (lambda x: x.clamp_(-0.5, 1.0), lambda t: t.clamp_(-0.5, 1.0)),
    "zero_": (lambda x: x.zero_(), lambda t: t.zero_()),
    "fill_": (lambda x: x.fill_(7.0), lambda t: t.fill_(7.0)),
    "copy_": (
        lambda x: x.copy_(nabla.tensor([1.0, 2.0, 3.0])),
        lambda t: t.copy_(torch.tensor([1.0, 2.0, 3.0])),
    ),
    "setitem": (
        lambda x: x.__setitem__(slice(0, 2), 9.0),
        lambda t: t.__setitem__(slice(0, 2), 9.0),
    ),
    "iadd": (lambda x: x.__iadd__(2.0), lambda t: t.__iadd__(2.0)),
    "isub": (lambda x: x.__isub__(2.0), lambda t: t.__isub__(2.0)),
    "imul": (lambda x: x.__imul__(2.0), lambda t: t.__imul__(2.0)),
    "itruediv": (lambda x: x.__itruediv__(2.0), lambda t: t.__itruediv__(2.0)),
}
VALUES = np.array([-1.0, 0.25, 2.0], dtype=np.float32)


@pytest.mark.parametrize("name", sorted(OPS))
def test_refused_on_a_leaf_that_requires_grad_like_torch(name) -> None:
    ours, theirs = OPS[name]
    t = torch.tensor(VALUES, requires_grad=True)
    with pytest.raises(RuntimeError, match=LEAF):
        theirs(t)
    x = nabla.tensor(VALUES, requires_grad=True)
    x.grad = np.ones(3, dtype=np.float32)
    data, grad = x.data.copy(), x.grad.copy()
    with pytest.raises(RuntimeError, match=LEAF):
        ours(x)
    np.testing.assert_array_equal(x.data, data)  # nothing changed
    np.testing.assert_array_equal(x.grad, grad)
    assert x.requires_grad and x.is_leaf and x.grad_fn is None


@pytest.mark.parametrize("name", sorted(OPS))
def test_allowed_under_no_grad_and_written_through_memory_like_torch(name) -> None:
    ours, theirs = OPS[name]
    x, t = nabla.tensor(VALUES, requires_grad=True), torch.tensor(VALUES, requires_grad=True)
    seen = x.numpy()  # a NumPy array sharing x's memory, as t.detach().numpy()
    with nabla.no_grad():
        result = ours(x)
    with torch.no_grad():
        theirs(t)
    assert result is x or name.startswith("i") or name == "setitem"
    np.testing.assert_allclose(x.data, t.detach().numpy(), rtol=1e-6)
    np.testing.assert_array_equal(seen, x.data)
    assert x.requires_grad and x.is_leaf and x.dtype == np.float32


@pytest.mark.parametrize("name", sorted(OPS))
def test_on_a_tensor_without_grad_like_torch(name) -> None:
    ours, theirs = OPS[name]
    x, t = nabla.tensor(VALUES), torch.tensor(VALUES)
    ours(x)
    theirs(t)
    np.testing.assert_allclose(x.data, t.numpy(), rtol=1e-6)
    assert not x.requires_grad and x.dtype == np.float32


def test_dtype_and_shape_rules_leave_the_tensor_unchanged() -> None:
    ints = nabla.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="can't be cast"):
        torch.tensor([1, 2, 3]).add_(1.5)
    with pytest.raises(TypeError, match="cannot be cast to the tensor's dtype int64"):
        ints.add_(1.5)
    assert ints.tolist() == [1, 2, 3] and ints.dtype == np.int64
    ints.add_(2)  # int into int is fine
    assert ints.tolist() == [3, 4, 5]
    x = nabla.zeros(3)
    with pytest.raises(ValueError, match=r"does not fit the tensor's shape \(3,\)"):
        x.add_(nabla.ones(2, 3))
    with pytest.raises(ValueError, match="does not broadcast"):
        x.copy_(nabla.ones(2))
    assert x.tolist() == [0.0, 0.0, 0.0]
    x.add_(nabla.ones(3, dtype=nabla.float64))  # float64 into float32: same kind, as torch
    assert x.dtype == np.float32 and x.tolist() == [1.0, 1.0, 1.0]
    y = nabla.zeros(2, dtype=nabla.long)
    y.copy_(nabla.tensor([1.7, -2.2]))  # copy_ converts any dtype, as torch's
    assert y.tolist() == torch.zeros(2, dtype=torch.long).copy_(torch.tensor([1.7, -2.2])).tolist()
    frozen = nabla.from_numpy(np.broadcast_to(np.zeros(1), (3,)))
    with pytest.raises(ValueError, match="cannot write into this tensor's array"):
        frozen.fill_(1.0)


def test_setitem_like_torch() -> None:
    a = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    x, t = nabla.tensor(a), torch.tensor(a)
    x[:, 1] = 0
    t[:, 1] = 0
    x[x > 8] = -1.0
    t[t > 8] = -1.0
    x[nabla.tensor([0, 2]), 3] = nabla.tensor([5.0, 6.0])
    t[torch.tensor([0, 2]), 3] = torch.tensor([5.0, 6.0])
    np.testing.assert_array_equal(x.data, t.numpy())


def test_recorded_on_a_non_leaf_gradient_like_torch() -> None:
    a = np.array([0.5, -1.0, 2.0])
    x, tx = nabla.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    v, tv = nabla.tensor([3.0], requires_grad=True), torch.tensor([3.0], requires_grad=True)
    y, ty = x * 2, tx * 2
    y.add_(1).mul_(x).clamp_(max=5.0).div_(x + 3)
    ty.add_(1).mul_(tx).clamp_(max=5.0).div_(tx + 3)
    y[1:2] = v * v
    ty[1:2] = tv * tv
    assert not y.is_leaf and y.requires_grad and y.grad_fn is not None
    (y * nabla.tensor([1.0, 2.0, 3.0])).sum().backward()
    (ty * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_allclose(y.data, ty.detach().numpy())
    np.testing.assert_allclose(x.grad, tx.grad.numpy())
    np.testing.assert_allclose(v.grad, tv.grad.numpy())


def test_recorded_fill_and_copy_like_torch() -> None:
    x, tx = (
        nabla.tensor([1.0, 2.0], requires_grad=True),
        torch.tensor([1.0, 2.0], requires_grad=True),
    )
    s, ts = nabla.tensor([4.0], requires_grad=True), torch.tensor([4.0], requires_grad=True)
    y, ty = x * 3, tx * 3
    y.fill_(2.0)
    ty.fill_(2.0)
    assert y.requires_grad == ty.requires_grad and y.tolist() == ty.tolist()
    z, tz = x * 1, tx * 1
    z.copy_(s * 2)
    tz.copy_(ts * 2)
    (y.sum() + (z * z).sum()).backward()
    (ty.sum() + (tz * tz).sum()).backward()
    np.testing.assert_allclose(s.grad, ts.grad.numpy())
    assert x.grad is None or not np.any(x.grad)  # torch: zeros (nothing reaches x)
    assert not np.any(tx.grad.numpy())


def test_operand_that_requires_grad_makes_the_tensor_part_of_the_graph() -> None:
    w, tw = (
        nabla.tensor([1.0, 2.0], requires_grad=True),
        torch.tensor([1.0, 2.0], requires_grad=True),
    )
    buf, tbuf = nabla.zeros(2), torch.zeros(2)
    buf.add_(w, alpha=3)
    tbuf.add_(tw, alpha=3)
    assert buf.requires_grad and not buf.is_leaf
    (buf * buf).sum().backward()
    (tbuf * tbuf).sum().backward()
    np.testing.assert_allclose(w.grad, tw.grad.numpy())


def test_refused_when_the_tensor_may_already_have_been_used() -> None:
    x = nabla.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    z = h * h  # z's backward needs h's old values
    before = h.data.copy()
    with pytest.raises(RuntimeError, match=r"write it out of place, e\.g\. x = x \+ y"):
        h.mul_(3)
    with pytest.raises(RuntimeError, match="out of place"):
        h[0] = 5.0
    np.testing.assert_array_equal(h.data, before)
    z.sum().backward()
    np.testing.assert_allclose(x.grad, 8 * x.data)  # d/dx (2x)^2, untouched


def test_augmented_assignment_in_the_graph_rebinds_the_name() -> None:
    """``h += 1`` on a tensor in the graph is ``h = h + 1``: the earlier use keeps its
    values, so the gradient is right where PyTorch raises (it saved h for h * h)."""
    x = nabla.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    old = h
    z = h * h
    h += 1
    assert h is not old and old.tolist() == [2.0, 4.0] and h.tolist() == [3.0, 5.0]
    (z + h).sum().backward()
    np.testing.assert_allclose(x.grad, 8 * x.data + 2)
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    th = tx * 2
    tz = th * th
    th += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        (tz + th).sum().backward()


def test_parameter_update_under_no_grad_like_the_tutorials() -> None:
    """``with torch.no_grad(): w -= lr * w.grad``: in place, the same tensor, still a leaf."""
    w = nabla.tensor([1.0, -2.0], requires_grad=True)
    tw = torch.tensor([1.0, -2.0], requires_grad=True)
    ident = id(w)
    for _ in range(3):
        (w * w).sum().backward()
        (tw * tw).sum().backward()
        with nabla.no_grad():
            w -= 0.1 * w.grad
            w.grad = None
        with torch.no_grad():
            tw -= 0.1 * tw.grad
            tw.grad = None
    assert id(w) == ident and w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-6)


def test_random_fills_follow_the_generator() -> None:
    a = nabla.zeros(1000).uniform_(-2.0, 3.0, generator=nabla.Generator().manual_seed(0))
    assert a.data.min() >= -2.0 and a.data.max() < 3.0 and abs(a.data.mean() - 0.5) < 0.2
    b = nabla.zeros(1000).normal_(1.0, 0.5, generator=1)
    assert abs(b.data.mean() - 1.0) < 0.06 and abs(b.data.std() - 0.5) < 0.05
    c = nabla.zeros(1000).uniform_(-2.0, 3.0, generator=nabla.Generator().manual_seed(0))
    np.testing.assert_array_equal(a.data, c.data)
