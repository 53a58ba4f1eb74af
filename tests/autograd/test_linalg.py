"""nabla.linalg: forward and gradient against torch.linalg (float64 and float32, batched,
non-contiguous inputs) and float64 central differences, one table of cases; the norms'
dispatch, the Tensor methods, and the lazy submodule. The notes' identities, delicate points
and bad input are in test_linalg_calculus.py."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import nabla
from nabla import linalg as LA
from nabla.autograd import gradcheck

INF = float("inf")


def _torch():
    return pytest.importorskip("torch", reason="the PyTorch reference tests need torch")


# ---- inputs: well-conditioned, so that float32 and central differences are meaningful ----------
def _general(rng, shape):  # eigenvalues near 3: condition number a few units
    return rng.standard_normal(shape) + 3 * np.eye(shape[-1])


def _spd(rng, shape):
    x = rng.standard_normal(shape)
    return x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1])


def _any(rng, shape):
    return rng.standard_normal(shape)


def _spread(rng, shape):
    """Entries away from 0 (|x| is not smooth there) with continuous magnitudes, so that no two
    row or column sums tie (amax / amin are not smooth at a tie)."""
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], size=shape)


def _sym(t):
    """(X + X^T) / 2 with nabla or torch tensors: central differences perturb single entries,
    but cholesky / eigh read one triangle and return the symmetric gradient, as PyTorch."""
    axes = list(range(t.ndim))
    axes[-2:] = axes[-1], axes[-2]
    return (t + t.permute(*axes)) / 2


@dataclass
class Case:
    name: str
    fn: Callable[..., Any]  # nabla tensors -> tensor
    torch_fn: Callable[..., Any]
    makers: tuple[Callable, ...]
    shapes: list[tuple[tuple[int, ...], ...]]
    fd: Callable[..., Any] | None = None  # the function central differences check (fn if None)


def _w(t):
    """Fixed weights of t's dtype for a loss of the eigenvectors that does not depend on their
    signs."""
    w = np.linspace(0.5, 2.0, t.shape[-1])
    if isinstance(t, nabla.Tensor):
        return nabla.tensor(w.astype(t.dtype))
    return _torch().tensor(w, dtype=t.dtype)


SQUARE = [((4, 4),), ((2, 3, 4, 4),)]
PAIR = [((4, 4), (4, 2)), ((2, 3, 4, 4), (2, 3, 4, 2)), ((2, 1, 4, 4), (3, 4, 2))]

CASES = [
    Case("det", LA.det, lambda a: _torch().linalg.det(a), (_general,), SQUARE),
    Case(
        "slogdet",
        lambda a: LA.slogdet(a).logabsdet,
        lambda a: _torch().linalg.slogdet(a).logabsdet,
        (_general,),
        SQUARE,
    ),
    Case("logdet", LA.logdet, lambda a: _torch().logdet(a), (_spd,), SQUARE),
    Case("inv", LA.inv, lambda a: _torch().linalg.inv(a), (_general,), SQUARE),
    Case("solve", LA.solve, lambda a, b: _torch().linalg.solve(a, b), (_general, _any), PAIR),
    Case(
        "solve_vectors",
        LA.solve,
        lambda a, b: _torch().linalg.solve(a, b),
        (_general, _any),
        [((4, 4), (4,)), ((2, 3, 4, 4), (2, 3, 4)), ((2, 3, 4, 4), (4,))],
    ),
    Case(
        "solve_right",
        lambda a, b: LA.solve(a, b, left=False),
        lambda a, b: _torch().linalg.solve(a, b, left=False),
        (_general, _any),
        [((4, 4), (2, 4)), ((2, 3, 4, 4), (3, 2, 4))],
    ),
    Case(
        "cholesky",
        LA.cholesky,
        lambda a: _torch().linalg.cholesky(a),
        (_spd,),
        SQUARE,
        fd=lambda a: LA.cholesky(_sym(a)),
    ),
    Case(
        "cholesky_upper",
        lambda a: LA.cholesky(a, upper=True),
        lambda a: _torch().linalg.cholesky(a, upper=True),
        (_spd,),
        SQUARE,
        fd=lambda a: LA.cholesky(_sym(a), upper=True),
    ),
    *[
        Case(
            f"solve_triangular_{'upper' if up else 'lower'}_{'left' if left else 'right'}"
            + ("_unit" if unit else ""),
            lambda a, b, up=up, left=left, unit=unit: LA.solve_triangular(
                a, b, upper=up, left=left, unitriangular=unit
            ),
            lambda a, b, up=up, left=left, unit=unit: _torch().linalg.solve_triangular(
                a, b, upper=up, left=left, unitriangular=unit
            ),
            (_general, _any),
            [
                ((4, 4), (4, 2) if left else (2, 4)),
                ((2, 3, 4, 4), (3, 4, 2) if left else (3, 2, 4)),
            ],
        )
        for up in (False, True)
        for left in (True, False)
        for unit in (False, True)
    ],
    Case(
        "cholesky_solve_chain",  # through the factor: the gradient w.r.t. A is PyTorch's
        lambda b, a: LA.cholesky_solve(b, LA.cholesky(a)),
        lambda b, a: _torch().cholesky_solve(b, _torch().linalg.cholesky(a)),
        (_any, _spd),
        [((4, 2), (4, 4)), ((2, 3, 4, 2), (2, 3, 4, 4))],
        fd=lambda b, a: LA.cholesky_solve(b, LA.cholesky(_sym(a))),
    ),
    Case(
        "eigh",
        lambda a: LA.eigh(a).eigenvalues * 2 + (LA.eigh(a).eigenvectors ** 2 * _w(a)).sum(-1),
        lambda a: (
            _torch().linalg.eigh(a).eigenvalues * 2
            + (_torch().linalg.eigh(a).eigenvectors ** 2 * _w(a)).sum(-1)
        ),
        (_spd,),
        SQUARE,
        fd=lambda a: (
            LA.eigh(_sym(a)).eigenvalues * 2 + (LA.eigh(_sym(a)).eigenvectors ** 2 * _w(a)).sum(-1)
        ),
    ),
    Case(
        "eigh_upper",
        lambda a: (LA.eigh(a, UPLO="U").eigenvectors ** 2 * _w(a)).sum(-2),
        lambda a: (_torch().linalg.eigh(a, UPLO="U").eigenvectors ** 2 * _w(a)).sum(-2),
        (_any,),
        SQUARE,
        fd=lambda a: (LA.eigh(_sym(a), UPLO="U").eigenvectors ** 2 * _w(a)).sum(-2),
    ),
    Case(
        "eigvalsh",
        LA.eigvalsh,
        lambda a: _torch().linalg.eigvalsh(a),
        (_any,),
        SQUARE,
        fd=lambda a: LA.eigvalsh(_sym(a)),
    ),
    Case(
        "svdvals",
        LA.svdvals,
        lambda a: _torch().linalg.svdvals(a),
        (_any,),
        [((4, 3),), ((2, 3, 3, 5),)],
    ),
    *[
        Case(
            f"matrix_norm_{ord}",
            lambda a, ord=ord: LA.matrix_norm(a, ord),
            lambda a, ord=ord: _torch().linalg.matrix_norm(a, ord),
            (_spread,),
            [((4, 3),), ((2, 3, 3, 5),)],
        )
        for ord in ("fro", "nuc", 1, -1, 2, -2, INF, -INF)
    ],
    *[
        Case(
            f"matrix_norm_{ord}_dims",
            lambda a, ord=ord: LA.matrix_norm(a, ord, dim=(2, 0), keepdim=True),
            lambda a, ord=ord: _torch().linalg.matrix_norm(a, ord, dim=(2, 0), keepdim=True),
            (_spread,),
            [((3, 2, 4),)],
        )
        for ord in ("fro", "nuc", 1, -2, -INF)
    ],
    Case("trace", LA.trace, lambda a: _torch().trace(a), (_any,), [((4, 4),), ((3, 5),)]),
    Case(
        "diagonal",
        lambda a: a.diagonal(1, 2, 0),
        lambda a: a.diagonal(1, 2, 0),
        (_any,),
        [((3, 4, 5),)],
    ),
    Case(
        "linalg_diagonal",
        lambda a: LA.diagonal(a, offset=-1),
        lambda a: _torch().linalg.diagonal(a, offset=-1),
        (_any,),
        [((2, 4, 3),)],
    ),
    Case(
        "diag_matrix", lambda a: LA.diag(a, 2), lambda a: _torch().diag(a, 2), (_any,), [((3, 5),)]
    ),
    Case(
        "diag_vector", lambda a: LA.diag(a, -1), lambda a: _torch().diag(a, -1), (_any,), [((3,),)]
    ),
    Case(
        "diag_embed",
        lambda a: LA.diag_embed(a, 1, 0, 2),
        lambda a: _torch().diag_embed(a, 1, 0, 2),
        (_any,),
        [((3, 4),)],
    ),
]
ALL = [(c, s) for c in CASES for s in c.shapes]
IDS = [f"{c.name}-{'x'.join(str(x) for x in s)}" for c, s in ALL]


def _arrays(case: Case, shapes, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [make(rng, shape) for make, shape in zip(case.makers, shapes)]


def _transposed_copy(a: np.ndarray) -> np.ndarray:
    """The same values in a non-contiguous layout (a transposed view of a copy)."""
    if a.ndim < 2:
        return a[::-1].copy()[::-1]
    return np.swapaxes(np.swapaxes(a, -1, -2).copy(), -1, -2)


@pytest.mark.parametrize("contiguous", [True, False], ids=["contiguous", "strided"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("case", "shapes"), ALL, ids=IDS)
def test_matches_torch(case: Case, shapes, dtype, contiguous: bool) -> None:
    torch = _torch()
    arrays = [a.astype(dtype) for a in _arrays(case, shapes, 0)]
    if not contiguous:
        arrays = [_transposed_copy(a) for a in arrays]
        assert not any(a.flags.c_contiguous for a in arrays)
    xs = [nabla.Tensor(a, requires_grad=True) for a in arrays]  # Tensor keeps the layout
    ts = [torch.tensor(np.ascontiguousarray(a), requires_grad=True) for a in arrays]
    out, tout = case.fn(*xs), case.torch_fn(*ts)
    g = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
    out.backward(g)
    tout.backward(torch.tensor(g))
    tol = {"rtol": 1e-10, "atol": 1e-10} if dtype == np.float64 else {"rtol": 2e-4, "atol": 2e-4}
    assert out.dtype == dtype and out.shape == tuple(tout.shape)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), **tol)
    for x, t in zip(xs, ts):
        assert x.grad.dtype == dtype and x.grad.shape == x.shape
        scale = max(1.0, float(np.abs(t.grad.numpy()).max()))
        np.testing.assert_allclose(x.grad / scale, t.grad.numpy() / scale, **tol)


@pytest.mark.parametrize(("case", "shapes"), ALL, ids=IDS)
def test_central_differences(case: Case, shapes) -> None:
    xs = [nabla.tensor(a, requires_grad=True) for a in _arrays(case, shapes, 2)]
    assert gradcheck(case.fd or case.fn, xs, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize(
    ("ord", "dim"),
    [(None, None), (None, 1), (3, 0), (INF, (0,)), ("fro", (1, 2)), ("nuc", (0, 2)), (-1, (2, 1))],
)
def test_norm_picks_vector_or_matrix_norm_as_torch(ord, dim) -> None:
    torch = _torch()
    a = _spread(np.random.default_rng(10), (2, 3, 4))
    x, t = nabla.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, tout = LA.norm(x, ord, dim), torch.linalg.norm(t, ord, dim)
    out.backward(np.ones(out.shape))
    tout.backward(torch.ones_like(tout))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_vector_norm_is_the_tensor_norm() -> None:
    torch = _torch()
    a = np.random.default_rng(11).standard_normal((3, 4))
    out = LA.vector_norm(nabla.tensor(a), 3, dim=1, keepdim=True)
    np.testing.assert_allclose(out.data, torch.linalg.vector_norm(torch.tensor(a), 3, 1, True))
    np.testing.assert_array_equal(out.data, nabla.tensor(a).norm(3, axis=1, keepdims=True).data)


def test_tensor_methods_call_the_same_ops() -> None:
    rng = np.random.default_rng(12)
    a, spd, b = _general(rng, (3, 3)), _spd(rng, (3, 3)), rng.standard_normal((3, 2))
    A, S, B = nabla.tensor(a), nabla.tensor(spd), nabla.tensor(b)
    np.testing.assert_allclose(A.det().item(), np.linalg.det(a), rtol=1e-12)
    np.testing.assert_allclose(A.inverse().data, np.linalg.inv(a), rtol=1e-10)
    np.testing.assert_allclose(A.logdet().item(), np.log(np.linalg.det(a)), rtol=1e-12)
    np.testing.assert_allclose(A.slogdet().logabsdet.item(), np.linalg.slogdet(a)[1], rtol=1e-12)
    assert A.trace().item() == np.trace(a)
    np.testing.assert_array_equal(A.diagonal(-1).data, np.diagonal(a, -1))
    np.testing.assert_array_equal(A.diag().data, np.diag(a))
    np.testing.assert_array_equal(B.diag_embed().data[1], np.diag(b[1]))
    np.testing.assert_allclose(S.cholesky().data, np.linalg.cholesky(spd), rtol=1e-12)
    np.testing.assert_allclose(
        B.cholesky_solve(S.cholesky()).data, np.linalg.solve(spd, b), rtol=1e-10
    )
    x, coefficient = B.triangular_solve(A, upper=True)
    np.testing.assert_allclose(x.data, np.linalg.solve(np.triu(a), b), rtol=1e-10)
    np.testing.assert_array_equal(coefficient.data, a)


def test_linalg_is_a_lazy_numpy_only_submodule() -> None:
    code = (
        "import sys, nabla; assert 'nabla.linalg' not in sys.modules; nabla.linalg.det; "
        "heavy = [m for m in ('scipy', 'torch', 'sklearn') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
