"""Spectral linear algebra with gradients: ``eigh``, ``eigvalsh``, ``svdvals`` and the matrix
norms built on them, as ``torch.linalg``.

Gradients (the notes' matrix calculus, as PyTorch):

* A = V diag(w) V^T (symmetric A): gA = V (diag(gw) + F o skew(V^T gV)) V^T with
  F_ij = 1 / (w_j - w_i), skew(M) = (M - M^T) / 2. It is symmetric, although only one triangle
  of A is read. A repeated eigenvalue has no unique eigenvectors, so a loss that uses them
  there has no gradient: it comes out with inf and NaN entries, as in PyTorch
  (``detect_anomaly`` points at it); a loss of the eigenvalues alone keeps a finite gradient
  there, and so does one whose eigenvector terms cancel exactly between the repeated pair.
* s = singular values of A = U diag(s) V^T: gA = U diag(gs) V^T.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from nabla.autograd.engine import Function, is_grad_enabled
from nabla.autograd.ops._linalg_checks import check_matrix, mT
from nabla.autograd.ops.elementwise import abs as _abs
from nabla.autograd.ops.reduction import check_axis
from nabla.autograd.ops.reduction_extra import amax, amin
from nabla.autograd.ops.reduction_extra import norm as _vector_norm
from nabla.autograd.tensor import Tensor, apply1, as_tensor
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray
_INF = float("inf")


def _uplo(uplo: str, who: str) -> str:
    if uplo not in ("L", "U"):
        raise ValueError(f"{who}: UPLO must be 'L' or 'U', got {uplo!r}")
    return uplo


class Eigh(Function):
    """[w; V]: the eigenvalues w (ascending) of a symmetric matrix stacked on its eigenvectors
    V (columns), shape (..., n + 1, n); ``eigh`` slices them apart, so that one node receives
    both gradients. VJP: see the module docstring.
    """

    def __init__(self, uplo: str = "L") -> None:
        self.uplo = uplo

    def forward(self, a: Array) -> Array:
        check_matrix(a, "eigh")
        self.w, self.v = np.linalg.eigh(a, UPLO="U" if self.uplo == "U" else "L")
        return np.concatenate([self.w[..., None, :], self.v], axis=-2)

    def backward(self, g: Array) -> tuple[Array]:
        w, v = self.w, self.v
        gw, gv = g[..., 0, :], g[..., 1:, :]
        if np.any(gv):
            m = np.matmul(mT(v), gv)
            skew = 0.5 * (m - mT(m))
            gap = w[..., None, :] - w[..., :, None]  # gap_ij = w_j - w_i
            with np.errstate(divide="ignore", invalid="ignore"):
                inner = np.where(skew == 0, 0, skew / gap)  # 0 on the diagonal
        else:
            inner = np.zeros(v.shape, dtype=g.dtype)
        np.einsum("...ii->...i", inner)[...] = gw
        with np.errstate(invalid="ignore"):  # inf where eigenvalues repeat: inf and NaN out
            return (np.matmul(np.matmul(v, inner), mT(v)),)


class Eigvalsh(Function):
    """w: the eigenvalues (ascending) of a symmetric matrix.  VJP: gA = V diag(gw) V^T."""

    def __init__(self, uplo: str = "L") -> None:
        self.uplo = uplo

    def forward(self, a: Array) -> Array:
        check_matrix(a, "eigvalsh")
        w, self.v = np.linalg.eigh(a, UPLO="U" if self.uplo == "U" else "L")
        return w

    def backward(self, g: Array) -> tuple[Array]:
        v = self.v
        return (np.matmul(v * g[..., None, :], mT(v)),)


class Svdvals(Function):
    """s: the singular values (descending) of A, shape (..., min(m, n)).

    VJP: gA = U diag(gs) V^T (thin SVD, computed only when a gradient will be needed).
    """

    def __init__(self, need_uv: bool) -> None:
        self.need_uv = need_uv

    def forward(self, a: Array) -> Array:
        check_matrix(a, "svdvals", square=False)
        if not self.need_uv:
            return np.linalg.svd(a, compute_uv=False)
        self.u, s, self.vt = np.linalg.svd(a, full_matrices=False)
        return s

    def backward(self, g: Array) -> tuple[Array]:
        return (np.matmul(self.u * g[..., None, :], self.vt),)


class EighResult(NamedTuple):
    eigenvalues: Tensor
    eigenvectors: Tensor


def eigh(A: Tensor, UPLO: str = "L") -> EighResult:
    """(eigenvalues ascending, eigenvectors as columns) of a symmetric matrix or batch, read
    from its lower triangle (``UPLO='U'``: the upper one), as ``torch.linalg.eigh``.

    Each eigenvector is defined up to its sign, so a loss should not depend on the signs.
    """
    packed = apply1(Eigh(_uplo(UPLO, "eigh")), as_tensor(A))
    return EighResult(packed[..., 0, :], packed[..., 1:, :])


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues (ascending) of a symmetric matrix or batch, as ``torch.linalg.eigvalsh``."""
    return apply1(Eigvalsh(_uplo(UPLO, "eigvalsh")), as_tensor(A))


def svdvals(A: Tensor) -> Tensor:
    """The singular values (descending) of a matrix or batch, as ``torch.linalg.svdvals``."""
    A = as_tensor(A)
    return apply1(Svdvals(A.requires_grad and is_grad_enabled()), A)


def _is_matrix_ord(ord: Any) -> bool:
    if isinstance(ord, str):
        return ord in ("fro", "nuc")
    if isinstance(ord, bool) or not isinstance(ord, (int, float, np.number)):
        return False
    return ord in (1, -1, 2, -2, _INF, -_INF)


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False) -> Tensor:
    """A matrix norm over the two axes ``dim``, as ``torch.linalg.matrix_norm``.

    ord: 'fro' sqrt(sum a_ij^2); 'nuc' the sum of the singular values; 2 / -2 the largest /
    smallest singular value; 1 / -1 the largest / smallest column sum of abs(a_ij); inf / -inf
    the largest / smallest row sum. Ties share the gradient evenly (as ``amax``).
    """
    A = as_tensor(A)
    if not _is_matrix_ord(ord):
        raise ValueError(
            f"matrix_norm: ord must be one of 'fro', 'nuc', 1, -1, 2, -2, inf, -inf; got {ord!r}"
        )
    if A.ndim < 2:
        raise ValueError(f"matrix_norm: A must have at least 2 dimensions, got shape {A.shape}")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise ValueError(f"matrix_norm: dim must be a pair of axes, got {dim!r}")
    d0, d1 = (check_axis(d, A.ndim, "matrix_norm") for d in dim)
    if d0 == d1:
        raise ValueError(f"matrix_norm: the two axes of dim must differ, got {tuple(dim)}")
    if ord == "fro":
        return _vector_norm(A, 2, axis=(d0, d1), keepdims=keepdim)
    if ord in (1, -1, _INF, -_INF):  # ±1: column sums of |a_ij|, ±inf: row sums
        summed, other = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = _abs(A).sum(axis=summed, keepdims=True)
        out = (amax if ord > 0 else amin)(sums, axis=other, keepdims=True)
    else:  # from the singular values, the two axes moved last
        rest = [i for i in range(A.ndim) if i not in (d0, d1)]
        s = svdvals(A.transpose(rest + [d0, d1]))
        out = s.sum(axis=-1) if ord == "nuc" else (amax if ord > 0 else amin)(s, axis=-1)
        out = out.reshape(tuple(1 if i in (d0, d1) else n for i, n in enumerate(A.shape)))
    return (
        out
        if keepdim
        else out.reshape(tuple(n for i, n in enumerate(A.shape) if i not in (d0, d1)))
    )


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False) -> Tensor:
    """``torch.linalg.norm``: a vector norm over one axis (``dim`` an int or a 1-tuple, or a
    1-D A), a matrix norm over two (``dim`` a pair, or a 2-D A), the 2-norm of all entries
    when ``ord`` and ``dim`` are both None."""
    A = as_tensor(A)
    if dim is None and ord is None:
        return _vector_norm(A, 2, axis=None, keepdims=keepdim)
    if dim is None:
        if A.ndim not in (1, 2):
            raise ValueError(
                f"norm: with ord={ord!r} and no dim, A must be 1-D or 2-D; got shape {A.shape}"
            )
        dim = (-2, -1) if A.ndim == 2 else (-1,)
    if isinstance(dim, int) and not isinstance(dim, bool):
        dim = (dim,)
    if isinstance(dim, (tuple, list)) and len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, tuple(dim), keepdim)
    if isinstance(dim, (tuple, list)) and len(dim) == 1:
        return _vector_norm(A, 2 if ord is None else ord, axis=tuple(dim), keepdims=keepdim)
    raise ValueError(f"norm: dim must be an int, or a tuple of 1 or 2 ints, got {dim!r}")


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
    """``torch.linalg.vector_norm``: the p-norm of ``x`` over ``dim`` (all entries when None),
    the same op as ``Tensor.norm`` with a number p."""
    return _vector_norm(as_tensor(x), ord, axis=dim, keepdims=keepdim)
