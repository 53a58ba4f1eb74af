"""The checks every linear-algebra op makes before LAPACK sees its data, and the errors it
raises when a factorisation fails.

LAPACK is never called on NaN or infinity (its behaviour there is undefined: a wrong answer
or a loop that does not end), so the inputs are checked first and a ``ValueError`` says so.
A singular or indefinite matrix raises ``numpy.linalg.LinAlgError`` (a ``ValueError``), as
PyTorch raises its ``LinAlgError``, naming the op, the matrix of the batch, and what to do.
"""

from __future__ import annotations

from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray
LinAlgError = np.linalg.LinAlgError


def mT(a: Array) -> Array:
    """The transpose of the last two axes (a view)."""
    return np.swapaxes(a, -1, -2)


def check_matrix(a: Array, who: str, name: str = "A", square: bool = True) -> None:
    """``a`` is a float32 / float64 matrix or batch of matrices (square unless told),
    with finite entries."""
    if a.dtype not in (np.float32, np.float64):
        raise TypeError(
            f"{who}: {name} must be float32 or float64, got dtype {a.dtype}; convert it with "
            ".float() or .double()"
        )
    if a.ndim < 2 or (square and a.shape[-1] != a.shape[-2]):
        kind = (
            "a square matrix or a batch of them, shape (..., n, n)"
            if square
            else ("a matrix or a batch of them, shape (..., m, n)")
        )
        raise ValueError(f"{who}: {name} must be {kind}; got shape {a.shape}")
    check_finite(a, who, name)


def check_finite(a: Array, who: str, name: str = "A") -> None:
    if not np.isfinite(a).all():
        raise ValueError(
            f"{who}: {name} contains NaN or infinity; linear algebra needs finite entries "
            "(nabla.autograd.detect_anomaly() finds where a NaN comes from)"
        )


def check_rhs(a: Array, b: Array, who: str, name: str = "B", left: bool = True) -> None:
    """``b`` has A's dtype, a batch shape that broadcasts with A's, and n rows (shape
    (..., n, k)) for A X = B, or n columns (shape (..., k, n)) for X A = B (``left=False``)."""
    check_matrix(b, who, name, square=False)
    n = a.shape[-1]
    if b.dtype != a.dtype:
        raise TypeError(
            f"{who}: A is {a.dtype} but {name} is {b.dtype}; convert one of them (.float() or "
            ".double()) so that both have the same dtype"
        )
    if b.shape[-2 if left else -1] != n:
        need = f"(..., {n}, k)" if left else f"(..., k, {n})"
        raise ValueError(
            f"{who}: A of shape {a.shape} and {name} of shape {b.shape} do not match: {name} "
            f"needs shape {need}"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(
            f"{who}: the batch shapes of A {a.shape} and {name} {b.shape} do not broadcast "
            f"({a.shape[:-2]} against {b.shape[:-2]})"
        ) from None


def _which(index: tuple[int, ...]) -> str:
    return f"the matrix at batch index {index}" if index else "the matrix"


def singular_error(who: str, a: Array, advice: str, singular: Array | None = None) -> LinAlgError:
    """The error for a singular ``a``, naming the first singular matrix of the batch:
    ``singular`` (a boolean per matrix) when given, else the first with an exact zero pivot in
    its LU factorisation (the test LAPACK itself makes)."""
    if singular is None:
        sign, _ = np.linalg.slogdet(a)  # a is finite: checked before the failed solve
        singular = np.asarray(sign) == 0
    where = np.argwhere(singular)
    index = tuple(int(i) for i in where[0]) if len(where) else ()
    return LinAlgError(f"{who}: {_which(index)} is singular; {advice}")


def _factorises(m: Array) -> bool:
    try:
        np.linalg.cholesky(m)
    except LinAlgError:
        return False
    return True


def not_positive_definite(who: str, a: Array) -> LinAlgError:
    """The error for a failed Cholesky factorisation, naming the first matrix of the batch
    that fails and the order of its first leading minor that is not positive.

    The order is found by bisection on the leading k x k blocks (a block factorises if and
    only if its leading minors are all positive): log2(n) factorisations, only on failure.
    """
    batch = a.reshape((-1,) + a.shape[-2:])
    flat = next((i for i, m in enumerate(batch) if not _factorises(m)), 0)
    m = batch[flat]
    lo, hi = 1, m.shape[-1]  # the smallest failing order is in [lo, hi]
    while lo < hi:
        mid = (lo + hi) // 2
        if _factorises(m[:mid, :mid]):
            lo = mid + 1
        else:
            hi = mid
    index = tuple(int(i) for i in np.unravel_index(flat, a.shape[:-2])) if a.ndim > 2 else ()
    return LinAlgError(
        f"{who}: {_which(index)} is not positive definite (its leading minor of order {lo} "
        "is not positive); only one triangle is read (the lower, or the upper with "
        "upper=True), so make it symmetric, and add a small jitter to the diagonal "
        "(A + eps * I) if it is only semi-definite"
    )
