"""Cholesky factor and triangular solve, composed from nabla's differentiable ops.

nabla's autograd has no ``cholesky`` or ``solve_triangular`` op, so these are written with
indexing, products, sums, ``sqrt``, ``pad`` and ``stack``: the engine then differentiates
them like any other expression. Each takes O(d) Python steps on (..., d, d) batches, which
suits the small dimensions of teaching examples; nothing is ever inverted.
"""

from __future__ import annotations

import numpy as np

from nabla.autograd.ops.shape import pad, stack
from nabla.autograd.tensor import Tensor


def diagonal(L: Tensor) -> Tensor:
    """The diagonal of the last two axes, shape (..., d)."""
    i = np.arange(L.shape[-1])
    return L[..., i, i]


def cholesky(A: Tensor) -> Tensor:
    """Lower-triangular L with L L^T = A, column by column (Cholesky-Crout):

    v = A[j:, j] - L[j:, :j] L[j, :j]^T,   L[j, j] = sqrt(v[0]),   L[j+1:, j] = v[1:] / L[j, j]

    ``A`` must be symmetric positive definite (the caller checks it with NumPy first).
    """
    d = A.shape[-1]
    lead = [(0, 0)] * (A.ndim - 2)
    cols: list[Tensor] = []
    for j in range(d):
        v = A[..., j:, j]
        if j:
            prev = stack(cols, axis=-1)  # (..., d, j): the columns found so far
            v = v - (prev[..., j:, :] * prev[..., j : j + 1, :]).sum(axis=-1)
        col = v / v[..., 0:1].sqrt()
        cols.append(pad(col, [*lead, (j, 0)]))  # zeros above the diagonal
    return stack(cols, axis=-1)


def solve_tril(L: Tensor, b: Tensor) -> Tensor:
    """z with L z = b by forward substitution, for lower-triangular L (..., d, d) and
    b (..., d) broadcasting against each other:

    z_i = (b_i - sum_{j<i} L_ij z_j) / L_ii
    """
    d = L.shape[-1]
    zs: list[Tensor] = []
    for i in range(d):
        acc = b[..., i]
        if i:
            acc = acc - (stack(zs, axis=-1) * L[..., i, :i]).sum(axis=-1)
        zs.append(acc / L[..., i, i])
    return stack(zs, axis=-1)
