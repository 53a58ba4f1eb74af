"""Kernels and squared Euclidean distances between the rows of two matrices (the kernel lecture).

- linear: K(x, x') = xᵀx'
- poly: K(x, x') = (gamma xᵀx' + c₀)^k, degree up to k; gamma = c₀ = 1 gives the notes'
  (1 + xᵀx')^k, and c₀ = 0 the kernel of degree exactly k, (gamma xᵀx')^k
- rbf: K(x, x') = exp(-gamma ‖x - x'‖²); the notes' Gaussian kernel with bandwidth sigma
  is gamma = 1 / (2 sigma²)
- sigmoid: K(x, x') = tanh(gamma xᵀx' + c₀)

Every kernel is one matrix product followed by elementwise work done in place on that
one buffer, in cache-sized blocks: no n-by-n temporaries. ``‖x - x'‖² = ‖x‖² + ‖x'‖² - 2xᵀx'``
is clipped at 0 (rounding can make it slightly negative). With ``lower=True`` only the
lower triangle of the symmetric K(X, X) is computed (BLAS ``syrk``), in Fortran order,
which is what an in-place Cholesky factorisation reads: half the work and no copy.

Scale safety: inputs whose largest magnitude lies outside [2⁻⁴⁰⁰, 2⁴⁰⁰] are first divided
by a power of two 2ᵉ (exact) that brings it into [½, 1), so that no product, norm or sum
overflows or underflows on the way; the factor 4ᵉ is put back in the one elementwise
multiplication that applies gamma. A kernel value that is itself beyond the float64 range
(xᵀx' of two rows of size 1e200) is ±inf, never NaN.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.linalg import blas
from sklearn.utils.validation import check_array

__all__ = [
    "linear_kernel",
    "polynomial_kernel",
    "rbf_kernel",
    "sigmoid_kernel",
    "squared_euclidean_distances",
]

# elementwise work is done on blocks of about this many float64 values (2 MiB: L2-sized)
_BLOCK_VALUES = 1 << 18
# inputs whose largest magnitude has a binary exponent within ±this are used unscaled
_SAFE_EXPONENT = 400


def _row_norms_sq(X: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", X, X)


def _max_abs(*arrays: np.ndarray | None) -> float:
    return max(
        (float(np.max(np.abs(A), initial=0.0)) for A in arrays if A is not None), default=0.0
    )


def _binary_exponent(big: float) -> int:
    """e with big / 2ᵉ in [½, 1) (0 for 0)."""
    return int(math.frexp(big)[1])


def _safe_exponent(big: float, limit: int = _SAFE_EXPONENT) -> int:
    """0 when data of largest magnitude ``big`` can be used as is, else the exponent e that
    brings it into [½, 1) by ``np.ldexp(X, -e)``."""
    e = _binary_exponent(big)
    return 0 if big == 0.0 or abs(e) <= limit else e


def _scale_in_place(blk: np.ndarray, factor: float, exponent: int) -> None:
    """blk *= factor · 2**exponent with a single rounding; overflow gives ±inf, underflow 0.

    ``factor`` is finite. The power of two is applied by ``ldexp`` (exact), so neither it
    nor the product with ``factor`` needs to be representable on its own.
    """
    with np.errstate(over="ignore", under="ignore"):
        if exponent == 0:
            if factor != 1.0:
                blk *= factor
            return
        mantissa, e = math.frexp(factor)
        blk *= mantissa
        np.ldexp(blk, e + exponent, out=blk)


def _finish_block(
    blk: np.ndarray,
    kernel: str,
    gamma: float,
    coef0: float,
    degree: int,
    exponent: int,
    sq_rows: np.ndarray | None,
    sq_cols: np.ndarray | None,
    diagonal: bool = False,
) -> None:
    """Turn a block of scaled inner products into kernel values, in place.

    ``blk`` holds x̃ᵀx̃' (or -2x̃ᵀx̃' for the distance kernels) of the inputs divided by
    2^(exponent / 2); ``diagonal`` says that blk[i, i] pairs a point with itself.
    """
    if kernel in ("rbf", "sqeuclidean"):
        # ‖x̃‖² + ‖x̃'‖² - 2x̃ᵀx̃', clipped at 0 (and exactly 0 from a point to itself)
        assert sq_rows is not None and sq_cols is not None  # internal invariant
        blk += sq_rows[:, None]
        blk += sq_cols[None, :]
        np.maximum(blk, 0.0, out=blk)
        if diagonal:
            np.fill_diagonal(blk, 0.0)
    if kernel == "sqeuclidean":
        _scale_in_place(blk, 1.0, exponent)
    elif kernel == "rbf":
        if math.isinf(gamma):  # exp(-inf · d²): 1 at distance 0, else 0
            np.copyto(blk, blk == 0.0)
            return
        _scale_in_place(blk, -gamma, exponent)
        np.exp(blk, out=blk)
    elif kernel == "linear":
        _scale_in_place(blk, 1.0, exponent)
    else:  # poly, sigmoid: gamma xᵀx' + c₀
        _scale_in_place(blk, gamma, exponent)
        if coef0 != 0.0:
            blk += coef0
        if kernel == "sigmoid":
            np.tanh(blk, out=blk)
        elif degree != 1:
            with np.errstate(over="ignore", under="ignore"):
                np.power(blk, degree, out=blk)


def _mirror_lower(K: np.ndarray, width: int) -> None:
    """Copy the lower triangle of a square matrix onto its upper one, in blocks, in place."""
    n = K.shape[0]
    for j0 in range(0, n, width):
        j1 = min(j0 + width, n)
        diag = K[j0:j1, j0:j1]
        diag[...] = np.tril(diag) + np.tril(diag, -1).T
        K[j0:j1, j1:] = K[j1:, j0:j1].T


def _kernel_matrix(
    X: np.ndarray,
    Y: np.ndarray | None = None,
    *,
    kernel: str = "linear",
    gamma: float = 1.0,
    coef0: float = 1.0,
    degree: int = 3,
    lower: bool = False,
) -> np.ndarray:
    """K(X, Y) for float64 inputs that are already validated (no checks here).

    ``Y=None`` means K(X, X), computed from one triangle (BLAS ``syrk``) and exactly
    symmetric, in Fortran order; with ``lower=True`` the strict upper triangle is left
    unspecified. ``kernel`` is one of linear, poly, rbf, sigmoid, sqeuclidean; for
    ``poly`` pass ``coef0=0`` for the exact-degree kernel. ``gamma`` > 0 (inf only for
    rbf).
    """
    e = _safe_exponent(_max_abs(X, Y))
    if e:
        X = np.ldexp(X, -e)
        Y = None if Y is None else np.ldexp(Y, -e)
    exponent = 2 * e  # xᵀx' and ‖x - x'‖² scale with 4ᵉ
    distance = kernel in ("rbf", "sqeuclidean")
    alpha = -2.0 if distance else 1.0
    sq_x = _row_norms_sq(X) if distance else None
    args = (kernel, float(gamma), float(coef0), int(degree), exponent)
    if Y is None:
        n = X.shape[0]
        # syrk with trans=1 on the Fortran view Xᵀ computes alpha * X Xᵀ, lower triangle
        K = blas.dsyrk(alpha, X.T, trans=1, lower=1)
        width = max(8, _BLOCK_VALUES // max(n, 1))
        for j0 in range(0, n, width):
            j1 = min(j0 + width, n)
            _finish_block(
                K[j0:, j0:j1],
                *args,
                None if sq_x is None else sq_x[j0:],
                None if sq_x is None else sq_x[j0:j1],
                diagonal=True,
            )
        if not lower:
            _mirror_lower(K, width)
        return K
    sq_y = _row_norms_sq(Y) if distance else None
    K = X @ Y.T
    if alpha != 1.0:
        K *= alpha
    if kernel == "linear" and exponent == 0:
        return K
    n_cols = K.shape[1]
    height = max(8, _BLOCK_VALUES // max(n_cols, 1))
    for i0 in range(0, K.shape[0], height):
        i1 = min(i0 + height, K.shape[0])
        _finish_block(K[i0:i1], *args, None if sq_x is None else sq_x[i0:i1], sq_y)
    return K


def _check_pair(X: object, Y: object | None) -> tuple[np.ndarray, np.ndarray | None]:
    Xa = check_array(X, dtype=np.float64, input_name="X")
    if Y is None:
        return Xa, None
    Ya = check_array(Y, dtype=np.float64, input_name="Y")
    if Ya.shape[1] != Xa.shape[1]:
        raise ValueError(
            f"Incompatible dimension for X and Y matrices: X.shape[1] == {Xa.shape[1]} "
            f"while Y.shape[1] == {Ya.shape[1]}"
        )
    return Xa, Ya


def _default_gamma(gamma: float | None, n_features: int) -> float:
    if gamma is None:
        return 1.0 / n_features
    if not gamma > 0:
        raise ValueError(f"gamma must be positive (or None for 1 / n_features); got {gamma!r}")
    return float(gamma)


def linear_kernel(X: object, Y: object | None = None) -> np.ndarray:
    """K(x, x') = xᵀx' for every row x of X and x' of Y (Y defaults to X).

    >>> linear_kernel([[1.0, 2.0]], [[3.0, 4.0]])
    array([[11.]])
    """
    Xa, Ya = _check_pair(X, Y)
    return _kernel_matrix(Xa, Ya, kernel="linear")


def polynomial_kernel(
    X: object,
    Y: object | None = None,
    degree: int = 3,
    gamma: float | None = None,
    coef0: float = 1.0,
) -> np.ndarray:
    """K(x, x') = (gamma xᵀx' + c₀)^degree; gamma defaults to 1 / n_features.

    ``coef0=0`` gives the kernel of degree exactly ``degree``; ``gamma=1, coef0=1`` gives
    the notes' kernel of degree up to ``degree``.

    >>> polynomial_kernel([[1.0, 2.0]], [[3.0, 4.0]], degree=2, gamma=1.0, coef0=1.0)
    array([[144.]])
    """
    Xa, Ya = _check_pair(X, Y)
    g = _default_gamma(gamma, Xa.shape[1])
    return _kernel_matrix(Xa, Ya, kernel="poly", gamma=g, coef0=float(coef0), degree=degree)


def rbf_kernel(X: object, Y: object | None = None, gamma: float | None = None) -> np.ndarray:
    """K(x, x') = exp(-gamma ‖x - x'‖²); the notes' bandwidth sigma is gamma = 1 / (2 sigma²).

    gamma defaults to 1 / n_features.

    >>> rbf_kernel([[0.0, 0.0]], [[1.0, 1.0]], gamma=0.5)
    array([[0.36787944]])
    """
    Xa, Ya = _check_pair(X, Y)
    g = _default_gamma(gamma, Xa.shape[1])
    return _kernel_matrix(Xa, Ya, kernel="rbf", gamma=g)


def sigmoid_kernel(
    X: object, Y: object | None = None, gamma: float | None = None, coef0: float = 1.0
) -> np.ndarray:
    """K(x, x') = tanh(gamma xᵀx' + c₀); gamma defaults to 1 / n_features.

    >>> sigmoid_kernel([[1.0]], [[0.0]], gamma=1.0, coef0=0.0)
    array([[0.]])
    """
    Xa, Ya = _check_pair(X, Y)
    g = _default_gamma(gamma, Xa.shape[1])
    return _kernel_matrix(Xa, Ya, kernel="sigmoid", gamma=g, coef0=float(coef0))


def squared_euclidean_distances(X: object, Y: object | None = None) -> np.ndarray:
    """D[i, j] = ‖x_i - y_j‖², by ‖x‖² + ‖y‖² - 2xᵀy (clipped at 0).

    >>> squared_euclidean_distances([[0.0, 0.0]], [[3.0, 4.0]])
    array([[25.]])
    """
    Xa, Ya = _check_pair(X, Y)
    D = _kernel_matrix(Xa, Ya, kernel="sqeuclidean")
    if Ya is None:
        np.fill_diagonal(D, 0.0)
    return D
