"""The kernel ridge shortcut of :class:`BootstrapCI`: one kernel matrix, many small solves.

The plain loop refits kernel ridge on each resample: it builds the ``n x n`` kernel of the
resampled points and solves ``(K_b + lambda I) a = y_b``. But a resample only repeats
training points, so

1. the kernel of the training set ``K`` is computed once, and each resample reads its
   entries from it;
2. a point drawn ``c_u`` times contributes ``c_u`` identical rows. The minimiser of
   ``sum_u c_u (y_u - f(x_u))^2 + lambda ||f||^2`` over the ``m ~ 0.632 n`` distinct
   points ``U`` is the same function, with coefficients ``beta`` solving::

       (K_UU + lambda C^-1) beta = y_U,       C = diag(c_u)

   (symmetric positive definite for lambda > 0, with about the condition number of the
   scaled form ``C^1/2 K_UU C^1/2 + lambda I``, without that form's two passes): a
   Cholesky of size ``m`` instead of ``n`` (``0.632^3 ~ 1/4`` of the work), by the
   estimator module's own ``_solve_kernel_ridge``;
3. ``beta`` is scattered into an ``n``-vector ``w_b`` (zero for points not drawn), so the
   ``B`` predictions at new points ``X*`` are one product ``K(X*, X) W``.

Smooth kernels on low-dimensional data (the kernel lecture's RBF on a line) have a numerically low
rank: ``K = V diag(w) V^T`` has only ``r << n`` eigenvalues above ``eps * w_max``, the
level of the rounding errors ``K`` carries anyway (so the plain loop cannot resolve the
other directions either). With ``F = V_r diag(w_r)^1/2`` (``K = F F^T`` to that level)
and ``f(X) = F theta``, ``||f||^2 = ||theta||^2``, the resample's problem is ridge
regression on ``r`` features::

    (F_U^T C F_U + lambda I) theta = F_U^T C y_U,      w_b = V_r diag(w_r)^-1/2 theta

an ``r x r`` solve (same solver) after an ``m r^2`` product, instead of an ``m x m``
Cholesky. A pivoted Cholesky of ``K`` (``n^2 r`` work) first estimates the rank, and the
eigendecomposition is made only when this route is the cheaper one.

Each resample runs on one BLAS thread, in this process and in joblib's workers alike:
factorisations of a few hundred rows gain little from a second thread and lose badly when
the threads compete with other work, parallelism comes from ``n_jobs`` instead, and with
the same thread count everywhere the result is bitwise the same for any ``n_jobs``.

BCa also needs the ``n`` leave-one-out fits. With ``H = (K + lambda I)^-1`` and
``c = H y``, removing point ``i`` gives (block inversion of ``K + lambda I``)::

    beta_(i) = c - H[:, i] c_i / H_ii        (so beta_(i)_i = 0)

all ``n`` at once from one Cholesky.

The shortcut applies to an estimator whose module defines ``_solve_kernel_ridge(K, y,
alpha)`` and which has ``_get_kernel(X, Y=None)``, ``X_fit_`` and ``dual_coef_`` with
``predict(X) = _get_kernel(X, X_fit_) @ dual_coef_`` (nabla's ``KernelRidge``), a scalar
``alpha`` and a 1-D target; anything else takes the plain loop.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nabla.model_selection._parallel import draw_indices, map_tasks, split_failures

Solver = Callable[[NDArray[np.float64], NDArray[np.float64], float], NDArray[np.float64]]


def kernel_solver(fitted: Any, y: NDArray[Any]) -> Solver | None:
    """The module's ``_solve_kernel_ridge`` if ``fitted`` can take the shortcut, else None."""
    module = sys.modules.get(type(fitted).__module__)
    solver = getattr(module, "_solve_kernel_ridge", None)
    if not callable(solver) or not callable(getattr(fitted, "_get_kernel", None)):
        return None
    X_fit = getattr(fitted, "X_fit_", None)
    dual = getattr(fitted, "dual_coef_", None)
    alpha = getattr(fitted, "alpha", None)
    if X_fit is None or dual is None or alpha is None or np.ndim(alpha) != 0:
        return None
    if not float(alpha) > 0.0:
        return None  # without a ridge a resample's system is singular (repeated rows)
    if y.ndim != 1 or np.ndim(dual) != 1 or len(dual) != len(y):
        return None
    # predict must be the kernel expansion the shortcut reproduces (no intercept, no
    # transformed target); a subclass that changes it takes the plain loop
    probe = X_fit[:3]
    expected = fitted._get_kernel(probe, X_fit) @ dual
    if not np.allclose(fitted.predict(probe), expected, rtol=1e-9, atol=1e-12):
        return None
    if "overwrite_K" in inspect.signature(solver).parameters:
        # each resample's matrix is a fresh gather, ours to factor in place
        return functools.partial(solver, overwrite_K=True)
    return solver  # type: ignore[no-any-return]


def _resample_coef(
    seed: np.random.SeedSequence,
    K: NDArray[np.float64],
    y: NDArray[np.float64],
    fitted: Any,
    solver: Solver,
) -> NDArray[np.float64]:
    n = K.shape[0]
    idx, _ = draw_indices(seed, n)
    counts = np.bincount(idx, minlength=n)
    drawn = counts > 0
    unique = np.flatnonzero(drawn)
    # (K_UU + alpha C^-1) beta = y_U is the resample's system (K_b + alpha I) a = y_b with
    # the copies of a point merged (beta_i = sum of its copies' a); the solver adds alpha
    # to the diagonal, so add the rest, alpha (1/c_i - 1), here. A boolean mask gathers
    # faster than index arrays, rows first (contiguous copies) then columns
    K_u = K.compress(drawn, axis=0).compress(drawn, axis=1)
    alpha = float(fitted.alpha)
    K_u.flat[:: len(unique) + 1] += alpha * (1.0 / counts[unique] - 1.0)
    try:
        beta = solver(K_u, y[unique], alpha)
    except np.linalg.LinAlgError:
        return _refit(fitted, idx, y)
    w = np.zeros(n)
    w[unique] = np.asarray(beta).reshape(-1)
    return w


def _low_rank_coef(
    seed: np.random.SeedSequence,
    F: NDArray[np.float64],
    back: NDArray[np.float64],
    y: NDArray[np.float64],
    fitted: Any,
    solver: Solver,
) -> NDArray[np.float64]:
    n = F.shape[0]
    idx, _ = draw_indices(seed, n)
    counts = np.bincount(idx, minlength=n)
    drawn = counts > 0
    c = counts[drawn].astype(np.float64)
    F_u = F[drawn]
    gram = F_u.T @ (F_u * c[:, np.newaxis])  # F_U^T C F_U
    try:
        theta = solver(gram, F_u.T @ (c * y[drawn]), float(fitted.alpha))
    except np.linalg.LinAlgError:
        return _refit(fitted, idx, y)
    return back @ np.asarray(theta).reshape(-1)


def _refit(fitted: Any, idx: NDArray[np.intp], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Refit one resample exactly as the plain loop does (the estimator's own fallback for
    a numerically singular system) and spread its coefficients over the rows drawn."""
    from sklearn.base import clone

    refit = clone(fitted).fit(fitted.X_fit_[idx], y[idx])
    weights = np.asarray(refit.dual_coef_, dtype=np.float64)
    return np.bincount(idx, weights=weights, minlength=len(y)).astype(np.float64)


def low_rank_basis(
    K: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """``(F, V_r diag(w_r)^-1/2)`` when the low-rank route is cheaper, else None."""
    from scipy.linalg import eigh
    from scipy.linalg.lapack import dpstrf

    n = K.shape[0]
    eps = np.finfo(np.float64).eps
    m = 0.632 * n  # expected distinct points of a resample, 1 - (1 - 1/n)^n
    # cheap rank probe: a pivoted Cholesky stops once the largest remaining pivot is below
    # the tolerance, after about n^2 r work
    _, _, probe_rank, _ = dpstrf(np.array(K, order="F"), tol=eps * float(np.max(np.diag(K))))
    if probe_rank > 0.25 * n:
        return None
    w, V = eigh(K)
    keep = w > eps * w[-1]
    r = int(np.count_nonzero(keep))
    # per resample: m r^2 for the Gram matrix and r^3/3 for its Cholesky, against m^3/3
    # (plus an m x m gather) for the distinct-point Cholesky
    if r == 0 or m * r * r + r**3 / 3 > 0.5 * m**3 / 3:
        return None
    root_w = np.sqrt(w[keep])
    return V[:, keep] * root_w, V[:, keep] / root_w


def bootstrap_coefs(
    fitted: Any,
    y: NDArray[np.float64],
    seeds: list[np.random.SeedSequence],
    solver: Solver,
    n_jobs: int | None,
) -> tuple[NDArray[np.float64], list[Any], str]:
    """Columns ``w_b`` (shape ``(n, B_ok)``) of the resamples that solved, the failures,
    and the route taken (``"low-rank"`` or ``"cholesky"``)."""
    K = np.asarray(fitted._get_kernel(fitted.X_fit_), dtype=np.float64)
    basis = low_rank_basis(K)
    if basis is not None:
        F, back = basis
        del K
        args: tuple[Any, ...] = (F, back, y, fitted, solver)
        results = map_tasks(_low_rank_coef, seeds, args=args, n_jobs=n_jobs, blas_threads=1)
    else:
        # resamples gather rows then columns: on a C-ordered matrix both are contiguous
        # copies, on a Fortran-ordered one (as kernels often come) about 4x slower
        args = (np.ascontiguousarray(K), y, fitted, solver)
        results = map_tasks(_resample_coef, seeds, args=args, n_jobs=n_jobs, blas_threads=1)
    ok, failed = split_failures(results)
    W = np.stack(ok, axis=1) if ok else np.empty((len(y), 0))
    return W, failed, "low-rank" if basis is not None else "cholesky"


def jackknife_coefs(fitted: Any, y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Columns ``beta_(i)`` (shape ``(n, n)``) of the ``n`` leave-one-out fits."""
    from scipy.linalg import cho_factor, cho_solve

    K = np.asarray(fitted._get_kernel(fitted.X_fit_), dtype=np.float64)
    n = K.shape[0]
    K.flat[:: n + 1] += float(fitted.alpha)
    factor = cho_factor(K, lower=True, overwrite_a=True)
    # H itself is needed (its diagonal and columns), not just H y: one solve with I
    H = cho_solve(factor, np.eye(n), overwrite_b=True)
    c = H @ y
    return c[:, np.newaxis] - H * (c / np.diag(H))[np.newaxis, :]


def predict_coefs(fitted: Any, X: Any, coefs: NDArray[np.float64]) -> NDArray[np.float64]:
    """Predictions of each column of ``coefs`` at ``X``, shape ``(n_columns, n_samples)``."""
    from sklearn.utils.validation import check_array

    X = check_array(X, dtype=np.float64) if fitted.kernel != "precomputed" else X
    K_new = np.asarray(fitted._get_kernel(X, fitted.X_fit_), dtype=np.float64)
    return np.ascontiguousarray((K_new @ coefs).T)
