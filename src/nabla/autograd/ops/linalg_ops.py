"""Linear algebra with gradients: determinants, inverse, solves and the Cholesky factor.

Every op works on a matrix or a batch of them (leading axes), as ``torch.linalg``; solves
broadcast the batch axes of their two operands. The gradients are the notes' matrix
calculus, formed with solves rather than inverses:

* d|A|/dA = |A| A^{-T} and d log|A|/dA = A^{-T} (solve(A^T, I), the cofactor matrix from
  an SVD when A is singular);
* X = A^{-1} B: gB = A^{-T} G, gA = -gB X^T;  Y = A^{-1}: gA = -Y^T G Y^T;
* A = L L^T: gA = L^{-T} Phi(L^T gL) L^{-1}, symmetrised, Phi(M) taking the lower
  triangle of M with its diagonal halved (as PyTorch, which returns the symmetric gradient
  although only one triangle is read).

NumPy has no triangular solver without SciPy, so a triangular system is solved with
``numpy.linalg.solve`` on the triangular matrix: an LU factorisation, O(n^3) where
substitution would cost O(n^2 k), the same answer to rounding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from nabla.autograd.engine import Function
from nabla.autograd.ops._api import tensor_method
from nabla.autograd.ops._linalg_checks import (
    LinAlgError,
    check_matrix,
    check_rhs,
    mT,
    not_positive_definite,
    singular_error,
)
from nabla.autograd.tensor import Tensor, apply, apply1, as_tensor
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray
_SINGULAR = "it has no inverse; add a small multiple of the identity, or use lstsq / pinv"


def _cofactor(a: Array) -> Array:
    """The cofactor matrix |A| A^{-T}, also where A is singular: with A = U S V^T it is
    det(U) det(V) U diag(prod_{j != i} s_j) V^T (the products without division)."""
    u, s, vt = np.linalg.svd(a)
    before = np.ones_like(s)  # s_0 ... s_{i-1}
    np.cumprod(s[..., :-1], axis=-1, out=before[..., 1:])
    after = np.ones_like(s)  # s_{i+1} ... s_{n-1}
    after[..., :-1] = np.cumprod(s[..., :0:-1], axis=-1)[..., ::-1]
    sign = np.linalg.det(u) * np.linalg.det(vt)
    return sign[..., None, None] * np.matmul(u * (before * after)[..., None, :], vt)


class Det(Function):
    """y = det(A).

    VJP: gA = g y A^{-T}, solved (solve(A^T, g y I)); where A is singular, g times the
    cofactor matrix (the derivative there, zero only when the rank is below n - 1).
    """

    def forward(self, a: Array) -> Array:
        check_matrix(a, "det")
        self.a, self.y = a, np.asarray(np.linalg.det(a))
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        a, y = self.a, self.y
        if np.all(y != 0):
            eye = np.eye(a.shape[-1], dtype=a.dtype)
            try:
                return (np.linalg.solve(mT(a), (g * y)[..., None, None] * eye),)
            except LinAlgError:  # a pivot is exactly zero although det was not
                pass
        return (g[..., None, None] * _cofactor(a),)


class LogAbsDet(Function):
    """y = log|det(A)| (``logdet=True``: log det(A), NaN where det(A) < 0, as PyTorch).

    VJP: gA = g A^{-T} = solve(A^T, g I); 0 where the value is NaN. A singular matrix
    (y = -inf) has an infinite gradient: ``LinAlgError``.
    """

    def __init__(self, logdet: bool = False) -> None:
        self.logdet = logdet

    def forward(self, a: Array) -> Array:
        who = "logdet" if self.logdet else "slogdet"
        check_matrix(a, who)
        sign, logabs = np.linalg.slogdet(a)
        self.a, self.sign = a, np.asarray(sign)
        logabs = np.asarray(logabs)
        return np.where(self.sign < 0, np.nan, logabs) if self.logdet else logabs

    def backward(self, g: Array) -> tuple[Array]:
        a, sign = self.a, self.sign
        if np.any(sign == 0):
            who = "logdet" if self.logdet else "slogdet"
            raise singular_error(
                f"{who} backward", a, "log|det| is -inf there and its gradient is infinite"
            )
        if self.logdet:
            g = np.where(sign < 0, 0, g)
        eye = np.eye(a.shape[-1], dtype=a.dtype)
        return (np.linalg.solve(mT(a), g[..., None, None] * eye),)


class Inv(Function):
    """Y = A^{-1}, solved: Y = solve(A, I).  VJP: gA = -Y^T G Y^T."""

    def forward(self, a: Array) -> Array:
        check_matrix(a, "inv")
        try:
            self.y = np.linalg.solve(a, np.eye(a.shape[-1], dtype=a.dtype))
        except LinAlgError:
            raise singular_error("inv", a, _SINGULAR) from None
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        yt = mT(self.y)
        return (-np.matmul(np.matmul(yt, g), yt),)


class Solve(Function):
    """X = A^{-1} B (B of shape (..., n, k); ``vector``: B of shape (..., n)).

    VJP: gB = A^{-T} G = solve(A^T, G); gA = -gB X^T (batch axes summed back by the engine).
    """

    def __init__(self, vector: bool) -> None:
        self.vector = vector

    def forward(self, a: Array, b: Array) -> Array:
        check_matrix(a, "solve")
        if self.vector and b.shape[-1] != a.shape[-1]:
            raise ValueError(
                f"solve: A of shape {a.shape} and the vector B of shape {b.shape} do not match: "
                f"B needs {a.shape[-1]} entries"
            )
        b = b[..., None] if self.vector else b
        check_rhs(a, b, "solve")
        try:
            x = np.linalg.solve(a, b)
        except LinAlgError:
            raise singular_error("solve", a, _SINGULAR) from None
        self.a, self.x = a, x
        return x[..., 0] if self.vector else x

    def backward(self, g: Array) -> tuple[Array | None, Array | None]:
        g = g[..., None] if self.vector else g
        gb = np.linalg.solve(mT(self.a), g)
        ga = -np.matmul(gb, mT(self.x)) if self.needs_grad[0] else None
        return ga, (gb[..., 0] if self.vector else gb)


def _phi(m: Array) -> Array:
    """The lower triangle of m with its diagonal halved."""
    out = np.tril(m)
    diag = np.einsum("...ii->...i", out)  # a writeable view of the diagonal
    diag *= 0.5
    return out


class Cholesky(Function):
    """L = cholesky(A), lower triangular with L L^T = A, from A's lower triangle
    (``upper``: U = L^T with U^T U = A, from A's upper triangle).

    VJP: gA = sym(L^{-T} Phi(L^T gL) L^{-1}), sym(M) = (M + M^T) / 2, with two triangular
    solves; only the lower triangle of gL counts (L's upper triangle is zero).
    """

    def __init__(self, upper: bool = False) -> None:
        self.upper = upper

    def forward(self, a: Array) -> Array:
        check_matrix(a, "cholesky")
        a = mT(a) if self.upper else a
        try:
            self.low = np.linalg.cholesky(a)
        except LinAlgError:
            raise not_positive_definite("cholesky", a) from None
        return mT(self.low) if self.upper else self.low

    def backward(self, g: Array) -> tuple[Array]:
        low = self.low
        gl = np.tril(mT(g) if self.upper else g)
        lt = mT(low)
        p = np.linalg.solve(lt, _phi(np.matmul(lt, gl)))  # L^{-T} Phi(L^T gL)
        ga = mT(np.linalg.solve(lt, mT(p)))  # ... L^{-1}
        return (0.5 * (ga + mT(ga)),)


class SolveTriangular(Function):
    """X = T^{-1} B (``left=False``: X = B T^{-1}), T the upper or lower triangle of A (with
    ones on the diagonal when ``unitriangular``); the other triangle is never read.

    VJP (left): gB = T^{-T} G, gA = -gB X^T; (right): gB = G T^{-T}, gA = -X^T gB; gA kept
    to the triangle read (its diagonal too, unless unitriangular), as PyTorch.
    """

    def __init__(self, upper: bool, left: bool = True, unitriangular: bool = False) -> None:
        self.upper, self.left, self.unit = upper, left, unitriangular

    def _triangle(self, a: Array) -> Array:
        k = 1 if self.unit else 0
        t = np.triu(a, k) if self.upper else np.tril(a, -k)
        if self.unit:
            t = t + np.eye(a.shape[-1], dtype=a.dtype)
        return t

    def forward(self, a: Array, b: Array) -> Array:
        who = "solve_triangular"
        check_matrix(a, who)
        check_rhs(a, b, who, left=self.left)
        t = self._triangle(a)
        zero = np.any(np.einsum("...ii->...i", t) == 0, axis=-1)
        if not self.unit and np.any(zero):
            raise singular_error(who, t, "its diagonal has a zero (PyTorch returns inf)", zero)
        self.t = t
        self.x = np.linalg.solve(t, b) if self.left else mT(np.linalg.solve(mT(t), mT(b)))
        return self.x

    def backward(self, g: Array) -> tuple[Array | None, Array | None]:
        t, x = self.t, self.x
        if self.left:
            gb = np.linalg.solve(mT(t), g)
            ga = -np.matmul(gb, mT(x))
        else:
            gb = mT(np.linalg.solve(t, mT(g)))
            ga = -np.matmul(mT(x), gb)
        if self.needs_grad[0]:
            k = 1 if self.unit else 0
            ga = np.triu(ga, k) if self.upper else np.tril(ga, -k)
        return (ga if self.needs_grad[0] else None), gb


# ---- functional forms -----------------------------------------------------------------------
class SlogdetResult(NamedTuple):
    sign: Tensor
    logabsdet: Tensor


class TriangularSolveResult(NamedTuple):
    solution: Tensor
    cloned_coefficient: Tensor


def _mT(x: Tensor) -> Tensor:
    axes = list(range(x.ndim))
    axes[-2:] = axes[-1], axes[-2]
    return x.transpose(axes)


def det(A: Tensor) -> Tensor:
    """The determinant of a square matrix (or of each of a batch: shape (..., n, n) -> (...))."""
    return apply1(Det(), as_tensor(A))


def slogdet(A: Tensor) -> SlogdetResult:
    """(sign, log|det|) of a square matrix or batch; det = sign * exp(logabsdet) without
    overflow. ``sign`` has no gradient; log|det| has gradient A^{-T}."""
    fn = LogAbsDet()
    logabs = apply1(fn, as_tensor(A))
    return SlogdetResult(Tensor._wrap(fn.sign.astype(logabs.dtype, copy=False)), logabs)


def logdet(A: Tensor) -> Tensor:
    """log det(A): NaN where det(A) < 0 and -inf where det(A) = 0, as ``torch.logdet``."""
    return apply1(LogAbsDet(logdet=True), as_tensor(A))


def inv(A: Tensor) -> Tensor:
    """The inverse of a square matrix or batch. To solve A x = b, ``solve`` is cheaper and
    more accurate than ``inv(A) @ b``."""
    return apply1(Inv(), as_tensor(A))


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (``left=False``: X A = B), as ``torch.linalg.solve``.

    B is a batch of vectors when it is 1-D or has shape A.shape[:-1]; otherwise a batch of
    (n, k) matrices. The batch axes of A and B broadcast.
    """
    A, B = as_tensor(A), as_tensor(B)
    if not left:  # X A = B  <=>  A^T X^T = B^T
        if B.ndim < 2:
            raise ValueError(f"solve: left=False needs B of shape (..., k, n); got {B.shape}")
        return _mT(apply(Solve(vector=False), _mT(A), _mT(B)))
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    return apply(Solve(vector), A, B)


def cholesky(A: Tensor, upper: bool = False) -> Tensor:
    """The Cholesky factor of a symmetric positive definite matrix or batch: L lower
    triangular with L L^T = A (``upper=True``: U = L^T, U^T U = A).

    Only the lower triangle of A is read (the upper one when ``upper``). ``LinAlgError``
    names the first leading minor that is not positive.
    """
    return apply1(Cholesky(upper), as_tensor(A))


def solve_triangular(
    A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False
) -> Tensor:
    """X with T X = B (``left=False``: X T = B), T the upper (``upper=True``) or lower
    triangle of A, as ``torch.linalg.solve_triangular``; B has shape (..., n, k).

    Unlike PyTorch (which returns inf), a zero on the diagonal raises ``LinAlgError``.
    """
    A, B = as_tensor(A), as_tensor(B)
    return apply(SolveTriangular(bool(upper), left, unitriangular), A, B)


def triangular_solve(
    b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False, unitriangular: bool = False
) -> TriangularSolveResult:
    """PyTorch's older form: (X, A) with T X = b (``transpose``: T^T X = b)."""
    from nabla.autograd.ops.movement import clone

    A = as_tensor(A)
    T, up = (_mT(A), not upper) if transpose else (A, upper)
    x = solve_triangular(T, b, upper=up, unitriangular=unitriangular)
    return TriangularSolveResult(x, clone(A))


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:
    """X with A X = B given the Cholesky factor L of A = L L^T (``upper``: A = U^T U), as
    ``torch.cholesky_solve``: two triangular solves.

    The gradient w.r.t. L is kept to its triangle (the entries read); PyTorch returns a
    full matrix whose other triangle no entry of L influences.
    """
    L = as_tensor(L)
    y = solve_triangular(_mT(L) if upper else L, B, upper=False)
    return solve_triangular(L if upper else _mT(L), y, upper=True)


def _cholesky_method(self: Tensor, upper: bool = False) -> Tensor:
    return cholesky(self, upper)


def _cholesky_solve_method(self: Tensor, L: Tensor, upper: bool = False) -> Tensor:
    return cholesky_solve(self, L, upper)


_METHODS: list[tuple[str, Callable[..., Any]]] = [
    ("det", det),
    ("slogdet", slogdet),
    ("logdet", logdet),
    ("inverse", inv),
    ("cholesky", _cholesky_method),
    ("cholesky_solve", _cholesky_solve_method),
    ("triangular_solve", triangular_solve),
]
for _name, _fn in _METHODS:
    tensor_method(_name, _fn)
