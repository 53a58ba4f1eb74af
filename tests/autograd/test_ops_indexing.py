"""gather, scatter, scatter_add, index_select, take_along_dim, masked_fill and one_hot beyond
the registry (tests/autograd/registry_tensor_ops.py): out-of-range indices raise IndexError
naming the index, the dimension and its size, before anything changes; the other bad
arguments; repeated indices; 0-d inputs; one_hot against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla import autograd as ag
from nabla.autograd.ops.indexing import one_hot

torch = pytest.importorskip("torch", reason="the conventions are PyTorch's")

A = np.arange(12.0).reshape(3, 4)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda x: x.gather(1, np.array([[0, 4]])),
            r"gather: index 4 is out of range for dimension 1 with size 4 "
            r"\(indices must be in \[0, 4\)\)",
        ),
        (
            lambda x: x.gather(0, np.array([[-1]])),
            r"gather: index -1 is out of range for dimension 0 with size 3",
        ),
        (
            lambda x: x.scatter(0, np.array([[3]]), 1.0),
            "scatter: index 3 is out of range for dimension 0 with size 3",
        ),
        (
            lambda x: x.scatter(1, np.array([[9]]), nabla.tensor(np.ones((1, 1)))),
            "scatter: index 9 is out of range for dimension 1",
        ),
        (
            lambda x: x.scatter_add(0, np.array([[5]]), nabla.tensor(np.ones((1, 1)))),
            "scatter_add: index 5 is out of range for dimension 0",
        ),
        (
            lambda x: x.index_select(1, np.array([0, 7])),
            "index_select: index 7 is out of range for dimension 1 with size 4",
        ),
        (lambda x: x.index_select(0, np.array([-1])), "index_select: index -1 is out of range"),
        (
            lambda x: x.take_along_dim(np.array([[4]]), 1),
            r"take_along_dim: index 4 is out of range for dimension 1 with size 4 "
            r"\(indices must be in \[-4, 4\)\)",
        ),
        (
            lambda x: x.take_along_dim(np.array([[-5]]), 1),
            "take_along_dim: index -5 is out of range",
        ),
        (
            lambda x: x.take_along_dim(np.array([12])),
            "take_along_dim: index 12 is out of range for dimension 0 with size 12",
        ),
    ],
)
def test_out_of_range_indices_raise_index_error_and_change_nothing(call, match) -> None:
    x = nabla.tensor(A.copy(), requires_grad=True)
    with pytest.raises(IndexError, match=match):
        call(x)
    np.testing.assert_array_equal(x.data, A)
    assert x.grad is None


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda x: x.gather(1, np.array([[0.0]])),
            TypeError,
            "the index must be an integer tensor, got dtype float64",
        ),
        (
            lambda x: x.gather(1, np.array([0, 1])),
            ValueError,
            r"as many dimensions as the input \(2\)",
        ),
        (
            lambda x: x.gather(1, np.zeros((4, 1), dtype=int)),
            ValueError,
            "larger than the input shape",
        ),
        (lambda x: x.gather(2, np.zeros((1, 1), dtype=int)), IndexError, "dimension out of range"),
        (
            lambda x: x.scatter(0, np.zeros((2, 2), dtype=int), nabla.tensor(np.ones((1, 2)))),
            ValueError,
            "at least as large",
        ),
        (lambda x: x.scatter(0, np.zeros((1, 1), dtype=int)), TypeError, "give src"),
        (lambda x: x.index_select(0, np.zeros((1, 1), dtype=int)), ValueError, "must be a vector"),
        (lambda x: x.index_select(0, [True]), TypeError, "integer tensor, got dtype bool"),
        (
            lambda x: x.take_along_dim(np.zeros(2, dtype=int), 1),
            ValueError,
            "same number of dimensions",
        ),
        (
            lambda x: x.take_along_dim(np.zeros((2, 1), dtype=int), 1),
            ValueError,
            "do not broadcast outside dimension 1",
        ),
        (
            lambda x: x.masked_fill(np.ones((3, 4), dtype=np.uint8), 1.0),
            TypeError,
            "mask must be boolean, got dtype uint8",
        ),
        (
            lambda x: x.masked_fill(np.ones(3, dtype=bool), 1.0),
            ValueError,
            r"mask shape \(3,\) does not broadcast",
        ),
        (
            lambda x: x.masked_fill(np.ones(4, dtype=bool), np.ones(2)),
            ValueError,
            "value must be a number or a 0-d tensor",
        ),
    ],
)
def test_bad_arguments(call, error, match) -> None:
    x = nabla.tensor(A.copy(), requires_grad=True)
    with pytest.raises(error, match=match):
        call(x)
    np.testing.assert_array_equal(x.data, A)


def test_gather_of_a_0d_tensor_as_torch() -> None:
    x = nabla.tensor(np.array(5.0), requires_grad=True)
    y = x.gather(0, np.array(0))
    assert y.shape == () and y.item() == 5.0
    y.backward()
    assert x.grad == 1.0


def test_repeated_indices_add_their_gradients_as_torch() -> None:
    idx = np.array([[0, 0, 3], [1, 1, 1], [2, 0, 2]])
    x, tx = nabla.tensor(A.copy(), requires_grad=True), torch.tensor(A, requires_grad=True)
    g = np.arange(9.0).reshape(3, 3)
    x.gather(1, idx).backward(g)
    tx.gather(1, torch.tensor(idx)).backward(torch.tensor(g))
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())
    x.grad = None
    sel = np.array([2, 0, 2, 2])
    x.index_select(0, sel).backward(np.ones((4, 4)))
    np.testing.assert_array_equal(x.grad, [[1.0] * 4, [0.0] * 4, [3.0] * 4])


def test_scatter_with_repeated_places_gradient_as_torch() -> None:
    # the forward picks one writer (PyTorch leaves which unspecified); the gradients do not
    # depend on it: src gets g at its target, the overwritten entries of x get nothing
    idx = np.array([[0, 1, 0, 2]])
    src = np.array([[10.0, 20.0, 30.0, 40.0]])
    x, s = nabla.tensor(A.copy(), requires_grad=True), nabla.tensor(src, requires_grad=True)
    tx, ts = torch.tensor(A, requires_grad=True), torch.tensor(src, requires_grad=True)
    g = np.arange(12.0).reshape(3, 4) + 1
    x.scatter(0, idx, s).backward(g)
    tx.scatter(0, torch.tensor(idx), ts).backward(torch.tensor(g))
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())
    np.testing.assert_array_equal(s.grad, ts.grad.numpy())
    y = x.scatter_add(0, np.array([[0, 0, 0, 0], [0, 0, 0, 0]]), nabla.tensor(np.ones((2, 4))))
    np.testing.assert_array_equal(y.data[0], A[0] + 2)


def test_masked_fill_value_tensor_gets_the_gradient_as_torch() -> None:
    mask = np.array([True, False, True, False])
    x, v = nabla.tensor(A.copy(), requires_grad=True), nabla.tensor(2.0, requires_grad=True)
    tx, tv = torch.tensor(A, requires_grad=True), torch.tensor(2.0, requires_grad=True)
    y, ty = x.masked_fill(mask, v), tx.masked_fill(torch.tensor(mask), tv)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    y.sum().backward()
    ty.sum().backward()
    assert v.grad == tv.grad.item() == 6.0
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())
    big = nabla.tensor(np.zeros(3)).masked_fill(np.ones((2, 3), dtype=bool), 1.0)
    assert big.shape == (2, 3)  # the mask broadcasts, as PyTorch's out-of-place masked_fill


def test_one_hot_as_torch() -> None:
    for labels, n in [
        (np.array([0, 2, 1, 2]), -1),
        (np.array([[1], [0]]), 4),
        (np.zeros(0, int), 3),
    ]:
        out = one_hot(nabla.tensor(labels), n)
        expected = torch.nn.functional.one_hot(torch.tensor(labels, dtype=torch.long), n)
        np.testing.assert_array_equal(out.data, expected.numpy())
        assert out.dtype == np.int64 and out.shape == tuple(expected.shape)
        assert not out.requires_grad


@pytest.mark.parametrize(
    ("labels", "n", "error", "match"),
    [
        (np.array([0, 3]), 2, ValueError, "smaller than num_classes=2, got 3"),
        (np.array([-1]), 2, ValueError, "class values must be >= 0, got -1"),
        (np.zeros(0, int), -1, ValueError, "cannot infer the number of classes of an empty"),
        (np.array([0.0]), 2, TypeError, "integer tensor"),
        (np.array([0]), 2.0, TypeError, "num_classes must be an int"),
        (np.array([0]), -2, ValueError, "num_classes must be -1 or >= 0"),
    ],
)
def test_one_hot_bad_input(labels, n, error, match) -> None:
    with pytest.raises(error, match=match):
        one_hot(labels, n)


def test_functional_forms_match_the_methods() -> None:
    x = nabla.tensor(A)
    i = np.array([[1, 0], [3, 3], [2, 1]])
    np.testing.assert_array_equal(ag.gather(x, 1, i).data, x.gather(1, i).data)
    np.testing.assert_array_equal(ag.take_along_dim(x, i, 1).data, np.take_along_axis(A, i, 1))
    np.testing.assert_array_equal(
        ag.scatter(x, 1, i, value=-1.0).data, _scatter_by_hand(A, i, -1.0)
    )


def _scatter_by_hand(a: np.ndarray, idx: np.ndarray, v: float) -> np.ndarray:
    out = a.copy()
    for r in range(idx.shape[0]):
        for c in range(idx.shape[1]):
            out[r, idx[r, c]] = v
    return out
