"""Linear algebra with gradients, under ``torch.linalg``'s names.

Every function takes a matrix or a batch of matrices (leading axes), keeps float32 as
float32, and is differentiable:

====================  ==========================================================
``det``               determinant; d det(A)/dA = det(A) A^{-T}
``slogdet``           (sign, log|det|); d log|A|/dA = A^{-T}
``inv``               inverse; gA = -A^{-T} G A^{-T}
``solve``             X with A X = B (batches broadcast; B may be a batch of vectors)
``cholesky``          L lower triangular with L L^T = A
``solve_triangular``  X with T X = B for a triangular T
``eigh``              eigenvalues and eigenvectors of a symmetric matrix
``eigvalsh``          eigenvalues of a symmetric matrix
``svdvals``           singular values
``matrix_norm``       'fro', 'nuc', 1, -1, 2, -2, inf, -inf
``norm``              a vector or matrix norm, by ``dim`` (``torch.linalg.norm``)
``vector_norm``       the p-norm of the entries (the op behind ``Tensor.norm``)
``diagonal``          diagonals of the last two axes
``matmul``            the matrix product
====================  ==========================================================

and the names PyTorch keeps at its top level: ``logdet``, ``trace``, ``diag``,
``diag_embed``, ``cholesky_solve``, ``triangular_solve``, ``inverse``. The Tensor methods
``det``, ``slogdet``, ``logdet``, ``inverse``, ``cholesky``, ``cholesky_solve``,
``triangular_solve``, ``trace``, ``diagonal``, ``diag`` and ``diag_embed`` call the same ops.

Inputs are checked before LAPACK sees them: NaN or infinity raises ``ValueError``; a
singular matrix (``inv``, ``solve``, ``solve_triangular``) or one that is not positive
definite (``cholesky``) raises ``numpy.linalg.LinAlgError`` (a ``ValueError``) naming the
matrix of the batch and what to do.

Where nabla differs from PyTorch, on purpose:

* ``det``'s gradient at an exactly singular matrix is the cofactor matrix (the derivative
  there); PyTorch 2.13 returns zeros.
* ``solve_triangular`` raises ``LinAlgError`` for a zero on the diagonal (PyTorch returns inf),
  and so does the backward of ``slogdet`` / ``logdet`` at a singular matrix (PyTorch: inf).
* ``cholesky_solve``'s gradient w.r.t. the factor is kept to the triangle that is read
  (PyTorch fills the other triangle too).

Examples
--------
>>> import numpy as np, nabla
>>> from nabla import linalg
>>> K = nabla.tensor(np.array([[2.0, 1.0], [1.0, 2.0]]), requires_grad=True)
>>> linalg.det(K).backward()
>>> K.grad  # |K| K^{-T}
array([[ 2., -1.],
       [-1.,  2.]])
"""

from __future__ import annotations

from nabla.autograd.ops._linalg_checks import LinAlgError
from nabla.autograd.ops.diagonal import diag, diag_embed, trace
from nabla.autograd.ops.diagonal import diagonal as _diagonal
from nabla.autograd.ops.linalg import matmul
from nabla.autograd.ops.linalg_ops import (
    SlogdetResult,
    TriangularSolveResult,
    cholesky,
    cholesky_solve,
    det,
    inv,
    logdet,
    slogdet,
    solve,
    solve_triangular,
    triangular_solve,
)
from nabla.autograd.ops.linalg_spectral import (
    EighResult,
    eigh,
    eigvalsh,
    matrix_norm,
    norm,
    svdvals,
    vector_norm,
)
from nabla.autograd.tensor import Tensor

inverse = inv


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The diagonal ``offset`` of the last two axes (``torch.linalg.diagonal``; the Tensor
    method and ``torch.diagonal`` default to the first two)."""
    return _diagonal(A, offset, dim1, dim2)


__all__ = [
    "EighResult",
    "LinAlgError",
    "SlogdetResult",
    "TriangularSolveResult",
    "cholesky",
    "cholesky_solve",
    "det",
    "diag",
    "diag_embed",
    "diagonal",
    "eigh",
    "eigvalsh",
    "inv",
    "inverse",
    "logdet",
    "matmul",
    "matrix_norm",
    "norm",
    "slogdet",
    "solve",
    "solve_triangular",
    "svdvals",
    "trace",
    "triangular_solve",
    "vector_norm",
]
