"""einsum beyond the registry (tests/autograd/registry_tensor_ops.py): many subscripts against
PyTorch (forward and gradients, float64), the explicit form of the parser, the ways of
passing operands, and bad equations."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla import autograd as ag
from nabla.autograd.ops.einsum import parse

torch = pytest.importorskip("torch", reason="einsum is compared with torch.einsum")

CASES = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("bij,bkj->bik", [(2, 3, 4), (2, 5, 4)]),
    ("ii->", [(4, 4)]),
    ("iji->j", [(3, 2, 3)]),
    ("ii,i->i", [(3, 3), (3,)]),
    ("ijk->kji", [(2, 3, 4)]),
    ("ij,ij->", [(3, 4), (3, 4)]),
    ("i,j,k->ijk", [(2,), (3,), (4,)]),
    ("ii,ij,jk->k", [(3, 3), (3, 4), (4, 2)]),
    ("ab,bc,cd,de->ae", [(2, 3), (3, 4), (4, 5), (5, 2)]),
    ("a,ab,b,c->c", [(3,), (3, 4), (4,), (2,)]),
    ("...ij,...jk,k->...i", [(2, 3, 4), (4, 5), (5,)]),
    ("abc,cd->abd", [(2, 3, 4), (4, 5)]),
    ("Ab,bA->A", [(3, 2), (2, 3)]),
    ("i j , j k -> i k", [(2, 3), (3, 2)]),
    ("...i,...i->...", [(2, 3, 4), (3, 4)]),
    ("b...,b->...", [(3, 2, 2), (3,)]),
    ("...,...", [(2, 3), (3,)]),
    ("ij...->...ji", [(2, 3, 4)]),
    ("i,i", [(5,), (5,)]),
    ("ijk,k->ij", [(2, 3, 1), (4,)]),
    ("i,j->i", [(3,), (4,)]),
    ("", [()]),
    (",->", [(), ()]),
    ("i,->i", [(3,), ()]),
]


@pytest.mark.parametrize(("eq", "shapes"), CASES, ids=[c[0] or "scalar" for c in CASES])
def test_forward_and_gradients_match_torch(eq, shapes) -> None:
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    xs = [nabla.tensor(a, requires_grad=True) for a in arrays]
    txs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = ag.einsum(eq, *xs), torch.einsum(eq, *txs)
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    for x, tx in zip(xs, txs):
        assert x.grad.shape == x.shape
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_diagonal_gradient_is_zero_off_the_diagonal() -> None:
    x = nabla.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    ag.einsum("ii->i", x).backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.grad, np.diag([1.0, 2.0, 3.0]))


def test_float32_stays_float32_and_operands_as_a_list() -> None:
    a = nabla.tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    b = nabla.tensor(np.ones((3, 4), dtype=np.float32))
    y = ag.einsum("ij,jk->ik", [a, b])
    assert y.dtype == np.float32
    y.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad is None
    np.testing.assert_array_equal(ag.einsum("ij,jk", np.ones((2, 3)), b).data, np.full((2, 4), 3))


def test_parse_gives_the_explicit_form() -> None:
    assert parse("ij,jk", (2, 2)) == (("ij", "jk"), "ik")
    assert parse("ba", (2,)) == (("ba",), "ab")
    assert parse("ii", (2,)) == (("ii",), "")
    # the ellipsis becomes unused letters, aligned from the right
    assert parse("...ij,j->...i", (4, 1)) == (("abij", "j"), "abi")
    assert parse("...ij,...j", (4, 2)) == (("abij", "bj"), "abi")
    assert parse("i...,i", (2, 1)) == (("ia", "i"), "a")


def test_plans_are_found_once_per_subscripts_and_shapes() -> None:
    from nabla.autograd.ops import einsum as mod

    mod._PLANS.clear()
    ops = [nabla.tensor(np.ones(s)) for s in [(2, 3), (3, 4), (4, 5)]]
    first = ag.einsum("ij,jk,kl->il", *ops)
    assert ("path", "ij,jk,kl->il", ((2, 3), (3, 4), (4, 5))) in mod._PLANS
    n = len(mod._PLANS)
    again = ag.einsum("ij,jk,kl->il", *ops)
    assert len(mod._PLANS) == n
    np.testing.assert_array_equal(first.data, again.data)
    np.testing.assert_array_equal(first.data, np.full((2, 5), 12.0))


@pytest.mark.parametrize(
    ("eq", "shapes", "error", "match"),
    [
        ("ij,jk->ik", [(2, 3)], ValueError, r"has 2 operand\(s\) but 1 were given"),
        ("ij->i", [(2, 3, 4)], ValueError, "operand 0 has 3 dimensions but its subscripts"),
        ("ij->ii", [(2, 2)], ValueError, "output subscript 'i'"),
        ("ij->k", [(2, 2)], ValueError, "output subscript 'k'"),
        ("i1->i", [(2, 2)], ValueError, "subscripts must be letters"),
        ("ij,jk->ik", [(2, 3), (4, 2)], ValueError, "subscript 'j' has size 4 in operand 1"),
        ("ii->i", [(2, 3)], ValueError, r"repeats in operand 0 over dimensions of different"),
        ("i->i->i", [(2,)], ValueError, "more than one '->'"),
        ("i..->i", [(2,)], ValueError, "malformed ellipsis"),
        ("...i...->i", [(2,)], ValueError, "malformed ellipsis"),
        ("ij->..", [(2, 2)], ValueError, "malformed ellipsis"),
    ],
)
def test_bad_equations(eq, shapes, error, match) -> None:
    ts = [nabla.tensor(np.ones(s), requires_grad=True) for s in shapes]
    with pytest.raises(error, match=match):
        ag.einsum(eq, *ts)


def test_bad_call() -> None:
    with pytest.raises(TypeError, match="the equation must be a string"):
        ag.einsum(np.ones(2), "i")
    with pytest.raises(ValueError, match="at least one operand"):
        ag.einsum("i")
