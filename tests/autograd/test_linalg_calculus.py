"""nabla.linalg: the notes' matrix-calculus identities against their closed forms, the
derivatives at delicate points (singular matrices, repeated eigenvalues, one triangle read),
and bad input (wrong shapes, NaN, singular and indefinite matrices)."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla import linalg as LA
from nabla.autograd import gradcheck
from tests.autograd.test_linalg import _general, _spd, _torch

INF = float("inf")


# ---- the notes' matrix calculus, each identity against its closed form -------------------------
def _k(seed: int = 0, n: int = 4) -> np.ndarray:
    return _general(np.random.default_rng(seed), (n, n))


def test_det_gradient_is_det_times_inverse_transpose() -> None:
    K = nabla.tensor(_k(), requires_grad=True)
    LA.det(K).backward()
    np.testing.assert_allclose(K.grad, np.linalg.det(K.data) * np.linalg.inv(K.data).T, rtol=1e-10)


@pytest.mark.parametrize("route", ["slogdet", "logdet", "cholesky"])
def test_logdet_gradient_is_inverse_transpose(route: str) -> None:
    data = _spd(np.random.default_rng(3), (4, 4))
    K = nabla.tensor(data, requires_grad=True)
    if route == "slogdet":
        value = LA.slogdet(K).logabsdet
    elif route == "logdet":
        value = K.logdet()
    else:  # log|K| = 2 sum_i log L_ii
        value = 2 * LA.cholesky(K).diagonal().log().sum()
    value.backward()
    np.testing.assert_allclose(value.item(), np.log(np.linalg.det(data)), rtol=1e-12)
    np.testing.assert_allclose(K.grad, np.linalg.inv(data).T, rtol=1e-10, atol=1e-12)


def test_trace_of_product_gradient_is_transpose() -> None:
    rng = np.random.default_rng(4)
    A = rng.standard_normal((3, 4))
    K = nabla.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    LA.trace(nabla.tensor(A) @ K).backward()  # d tr(AK) / dK = A^T
    np.testing.assert_array_equal(K.grad, A.T)


@pytest.mark.parametrize("route", ["solve", "inv"])
def test_quadratic_form_gradient(route: str) -> None:
    y = np.random.default_rng(5).standard_normal(4)
    K = nabla.tensor(_k(5), requires_grad=True)
    Kinv = np.linalg.inv(K.data)
    if route == "solve":
        value = nabla.tensor(y) @ LA.solve(K, nabla.tensor(y))
    else:
        value = nabla.tensor(y) @ K.inverse() @ nabla.tensor(y)
    value.backward()  # d (y^T K^{-1} y) / dK = -K^{-T} y y^T K^{-T}
    np.testing.assert_allclose(value.item(), y @ Kinv @ y, rtol=1e-12)
    np.testing.assert_allclose(K.grad, -Kinv.T @ np.outer(y, y) @ Kinv.T, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("route", ["slogdet_solve", "cholesky"])
def test_gaussian_log_likelihood_gradient(route: str) -> None:
    """L = -1/2 log|K| - 1/2 y^T K^{-1} y; for symmetric K,
    dL/dK = 1/2 (K^{-1} y y^T K^{-1} - K^{-1})."""
    rng = np.random.default_rng(6)
    data, y = _spd(rng, (5, 5)), rng.standard_normal((5, 1))
    K, Y = nabla.tensor(data, requires_grad=True), nabla.tensor(y)
    if route == "slogdet_solve":
        L = -0.5 * LA.slogdet(K).logabsdet - 0.5 * (Y.T @ LA.solve(K, Y)).sum()
    else:
        C = LA.cholesky(K)
        L = -C.diagonal().log().sum() - 0.5 * (Y.T @ LA.cholesky_solve(Y, C)).sum()
    L.backward()
    Kinv = np.linalg.inv(data)
    alpha = Kinv @ y
    expected_value = -0.5 * np.log(np.linalg.det(data)) - 0.5 * (y.T @ alpha).item()
    np.testing.assert_allclose(L.item(), expected_value, rtol=1e-12)
    np.testing.assert_allclose(K.grad, 0.5 * (alpha @ alpha.T - Kinv), rtol=1e-9, atol=1e-12)


def test_notes_chain_through_the_determinant() -> None:
    """The notes' exercise: b = |K|, a = log b, L = -(D/2) a with K = alpha x x^T + I, so
    dL/dK = -(D/2b) |K| K^{-T} and dL/dx = -D alpha K^{-1} x, dL/dalpha = -(D/2) x^T K^{-1} x."""
    D, x0 = 3.0, np.array([0.5, -1.0, 2.0])
    x = nabla.tensor(x0, requires_grad=True)
    alpha = nabla.tensor(np.array(0.7), requires_grad=True)
    K = alpha * (x.reshape(3, 1) @ x.reshape(1, 3)) + nabla.tensor(np.eye(3))
    K.retain_grad()
    L = -(D / 2) * LA.det(K).log()
    L.backward()
    Kd = 0.7 * np.outer(x0, x0) + np.eye(3)
    Kinv = np.linalg.inv(Kd)
    b = np.linalg.det(Kd)
    np.testing.assert_allclose(K.grad, -(D / (2 * b)) * b * Kinv.T, rtol=1e-10)
    np.testing.assert_allclose(x.grad, -D * 0.7 * Kinv @ x0, rtol=1e-10)
    np.testing.assert_allclose(alpha.grad, -(D / 2) * x0 @ Kinv @ x0, rtol=1e-10)


# ---- where the derivative is delicate ---------------------------------------------------------
def _cofactors(a: np.ndarray) -> np.ndarray:
    n = a.shape[0]
    c = np.empty_like(a)
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(a, i, axis=0), j, axis=1)
            c[i, j] = (-1) ** (i + j) * np.linalg.det(minor)
    return c


@pytest.mark.parametrize("rank", [3, 2])
def test_det_gradient_at_a_singular_matrix_is_the_cofactor_matrix(rank: int) -> None:
    rng = np.random.default_rng(7)
    a = rng.standard_normal((4, rank)) @ rng.standard_normal((rank, 4))
    A = nabla.tensor(a, requires_grad=True)
    LA.det(A).backward()
    expected = _cofactors(a)  # zero when the rank is below n - 1
    np.testing.assert_allclose(A.grad, expected, atol=1e-10)
    assert gradcheck(LA.det, [nabla.tensor(a, requires_grad=True)], atol=1e-7, rtol=1e-6)


def test_logdet_of_a_negative_determinant_is_nan_with_zero_gradient_as_torch() -> None:
    torch = _torch()
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    A, T = nabla.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, tout = LA.logdet(A), torch.logdet(T)
    out.backward()
    tout.backward()
    assert np.isnan(out.item()) and np.isnan(tout.item())
    np.testing.assert_array_equal(A.grad, T.grad.numpy())
    sign, logabs = LA.slogdet(nabla.tensor(a))
    assert sign.item() == -1.0 and logabs.item() == pytest.approx(np.log(2.0))


def test_eigh_at_a_repeated_eigenvalue() -> None:
    """Eigenvalues alone: a finite gradient (V diag(g) V^T). Eigenvectors: not unique there, so
    the gradient does not exist: inf and NaN entries, as in PyTorch."""
    a = np.diag([1.0, 1.0, 3.0])
    A = nabla.tensor(a, requires_grad=True)
    LA.eigh(A).eigenvalues.sum().backward()
    np.testing.assert_allclose(A.grad, np.eye(3), atol=1e-12)
    A = nabla.tensor(a, requires_grad=True)
    V = LA.eigh(A).eigenvectors
    (V * nabla.tensor(np.arange(9.0).reshape(3, 3))).sum().backward()
    torch = _torch()
    T = torch.tensor(a, requires_grad=True)
    (torch.linalg.eigh(T).eigenvectors * torch.arange(9.0).reshape(3, 3)).sum().backward()
    assert not np.isfinite(A.grad).all() and not torch.isfinite(T.grad).all()


def test_solve_triangular_and_cholesky_read_one_triangle() -> None:
    torch = _torch()
    rng = np.random.default_rng(8)
    low = np.tril(_general(rng, (4, 4)))
    junk = low + np.triu(rng.standard_normal((4, 4)), 1)
    b = rng.standard_normal((4, 2))
    A = nabla.tensor(junk, requires_grad=True)
    x = LA.solve_triangular(A, nabla.tensor(b), upper=False)
    np.testing.assert_allclose(x.data, np.linalg.solve(low, b), rtol=1e-12)
    x.sum().backward()
    assert not np.triu(A.grad, 1).any()  # the unread triangle has no gradient, as in PyTorch
    T = torch.tensor(junk, requires_grad=True)
    torch.linalg.solve_triangular(T, torch.tensor(b), upper=False).sum().backward()
    np.testing.assert_allclose(A.grad, T.grad.numpy(), rtol=1e-12, atol=1e-14)
    spd = _spd(rng, (4, 4))
    upper_junk = np.tril(spd) + np.triu(rng.standard_normal((4, 4)), 1)
    np.testing.assert_allclose(
        LA.cholesky(nabla.tensor(upper_junk)).data, np.linalg.cholesky(spd), rtol=1e-12
    )
    lower_junk = np.triu(spd) + np.tril(rng.standard_normal((4, 4)), -1)
    np.testing.assert_allclose(
        LA.cholesky(nabla.tensor(lower_junk), upper=True).data,
        np.linalg.cholesky(spd).T,
        rtol=1e-12,
    )


def test_cholesky_solve_gradient_on_the_factor_keeps_to_its_triangle() -> None:
    torch = _torch()
    rng = np.random.default_rng(9)
    low, b = np.linalg.cholesky(_spd(rng, (4, 4))), rng.standard_normal((4, 3))
    for upper, factor, keep in [(False, low, np.tril), (True, low.T, np.triu)]:
        L = nabla.tensor(factor, requires_grad=True)
        T = torch.tensor(factor, requires_grad=True)
        out = LA.cholesky_solve(nabla.tensor(b), L, upper=upper)
        tout = torch.cholesky_solve(torch.tensor(b), T, upper=upper)
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(out.data, np.linalg.solve(low @ low.T, b), rtol=1e-10)
        out.sum().backward()
        tout.sum().backward()
        np.testing.assert_allclose(L.grad, keep(T.grad.numpy()), rtol=1e-10, atol=1e-14)
        assert gradcheck(
            lambda f, u=upper: LA.cholesky_solve(nabla.tensor(b), f, upper=u),
            [nabla.tensor(factor, requires_grad=True)],
        )


# ---- bad input: the right error, a message that says what to do, nothing changed --------------
T = nabla.tensor
SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])
BAD = [
    (LA.det, (np.ones((3, 4)),), ValueError, r"det: A must be a square matrix.*\(3, 4\)"),
    (LA.inv, (np.ones(3),), ValueError, r"inv: A must be a square matrix.*\(3,\)"),
    (LA.det, (np.array([[1.0, np.nan], [0.0, 1.0]]),), ValueError, "contains NaN or infinity"),
    (LA.cholesky, (np.array([[INF, 0.0], [0.0, 1.0]]),), ValueError, "NaN or infinity"),
    (LA.eigh, (np.eye(2, dtype=np.int64),), TypeError, "float32 or float64, got dtype int64"),
    (LA.inv, (SINGULAR,), np.linalg.LinAlgError, "inv: the matrix is singular; .*identity"),
    (
        LA.inv,
        (np.stack([np.eye(2), SINGULAR, np.eye(2)]).reshape(3, 1, 2, 2),),
        np.linalg.LinAlgError,
        r"batch index \(1, 0\) is singular",
    ),
    (LA.solve, (SINGULAR, np.ones((2, 1))), np.linalg.LinAlgError, "solve: the matrix is singular"),
    (LA.solve, (np.eye(3), np.ones((4, 2))), ValueError, r"\(3, 3\) and B of shape \(4, 2\)"),
    (LA.solve, (np.eye(3), np.ones(4)), ValueError, "B needs 3 entries"),
    (LA.solve, (np.ones((2, 3, 3)), np.ones((4, 3, 1))), ValueError, "do not broadcast"),
    (
        LA.solve,
        (np.eye(2), np.ones((2, 1), dtype=np.float32)),
        TypeError,
        "A is float64 but B is float32",
    ),
    (
        LA.cholesky,
        (np.diag([1.0, 2.0, -1.0, 4.0]),),
        np.linalg.LinAlgError,
        "not positive definite \\(its leading minor of order 3 is not positive\\).*jitter",
    ),
    (
        LA.cholesky,
        (np.stack([np.eye(3), np.diag([1.0, -1.0, 1.0])]),),
        np.linalg.LinAlgError,
        r"batch index \(1,\) is not positive definite .*order 2",
    ),
    (
        lambda a, b: LA.solve_triangular(a, b, upper=True),
        (np.diag([1.0, 0.0]), np.ones((2, 1))),
        np.linalg.LinAlgError,
        "solve_triangular: the matrix is singular; its diagonal has a zero",
    ),
    (
        lambda a, b: LA.solve_triangular(a, b, upper=True, left=False),
        (np.eye(2), np.ones((2, 1))),
        ValueError,
        r"B needs shape \(\.\.\., k, 2\)",
    ),
    (LA.trace, (np.ones((2, 3, 3)),), ValueError, r"trace: expected a matrix \(2-D\)"),
    (LA.diag, (np.ones((2, 3, 3)),), ValueError, "diag: expected a 1-D or 2-D tensor"),
    (lambda a: LA.eigh(a, "X"), (np.eye(2),), ValueError, "UPLO must be 'L' or 'U'"),
    (lambda a: LA.matrix_norm(a, 3), (np.eye(2),), ValueError, "ord must be one of"),
    (lambda a: LA.matrix_norm(a, dim=(1, 1)), (np.eye(2),), ValueError, "axes of dim must differ"),
    (lambda a: LA.matrix_norm(a), (np.ones(3),), ValueError, "at least 2 dimensions"),
    (lambda a: LA.norm(a, "fro"), (np.ones((2, 2, 2)),), ValueError, "must be 1-D or 2-D"),
    (lambda a: a.diagonal(0, 1, 1), (np.eye(2),), ValueError, "dim1 and dim2 must differ"),
]


@pytest.mark.parametrize(("fn", "arrays", "exc", "match"), BAD, ids=[b[3][:30] for b in BAD])
def test_bad_input_raises_and_changes_nothing(fn, arrays, exc, match) -> None:
    xs = [
        nabla.tensor(a, requires_grad=a.dtype.kind == "f") for a in (np.asarray(a) for a in arrays)
    ]
    before = [x.data.copy() for x in xs]
    with pytest.raises(exc, match=match):
        fn(*xs)
    for x, b in zip(xs, before):
        np.testing.assert_array_equal(x.data, b)
        assert x.grad is None


def test_linalg_error_is_a_value_error_and_solve_triangular_needs_upper() -> None:
    assert issubclass(LA.LinAlgError, ValueError) and LA.LinAlgError is np.linalg.LinAlgError
    with pytest.raises(TypeError, match="upper"):
        LA.solve_triangular(T(np.eye(2)), T(np.ones((2, 1))))  # type: ignore[call-arg]


def test_slogdet_backward_at_a_singular_matrix_raises() -> None:
    A = T(SINGULAR, requires_grad=True)
    sign, logabs = LA.slogdet(A)
    assert sign.item() == 0 and logabs.item() == -INF
    with pytest.raises(np.linalg.LinAlgError, match=r"slogdet backward: .*gradient is infinite"):
        logabs.backward()
    assert A.grad is None
