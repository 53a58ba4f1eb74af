"""Brute-force k-nearest-neighbour search in memory-bounded chunks.

Euclidean distances come from matrix products, ‖x - y‖² = ‖x‖² - 2xᵀy + ‖y‖², computed
for a chunk of queries at a time so that memory stays bounded. For large training sets a
float32 product screens the candidates (twice the speed of float64, half the memory
traffic) and the survivors are re-ranked exactly in float64; the screening is exact
because its margin is a rigorous bound on the float32 rounding error:

    |fl32(‖y‖² - 2xᵀy) - (‖y‖² - 2xᵀy)| ≤ (d + 4) u (2‖x‖ ‖y‖ + ‖y‖²),  u = 2⁻²⁴

(Higham, Accuracy and Stability of Numerical Algorithms, §3.1: any summation order.)
Selection avoids a partition of every full row: the training columns are dealt into G
strided groups, the group minima are taken with one vectorised ``minimum`` pass, and the
k-th smallest group minimum τ bounds the k-th nearest distance from above; only the few
groups whose minimum is within τ + 2·margin can hold a neighbour.
Manhattan and general Minkowski distances use SciPy's ``cdist`` on the same chunks.

The search itself assumes data of moderate magnitude: the estimators divide training
points and queries by a common power of two (exact) when their magnitude lies outside
the band of ``exponent_limit``, and multiply the distances back.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from scipy.spatial.distance import cdist

# a chunk of the distance matrix holds about this many bytes
_CHUNK_BYTES = 1 << 23
# the exact re-ranking gathers at most this many float64 values at a time (2 MiB)
_GATHER_VALUES = 1 << 18
# the float32 screen pays off from this many training points on
_SCREEN_MIN_SAMPLES = 4096
_GROUPS = 16
# from this many (query, training point) pairs the chunks run on several threads
_PARALLEL_MIN_PAIRS = 1 << 24
_BLAS_CONTROLLER: Any = None
_U32 = float(np.finfo(np.float32).eps) / 2


def _row_norms_sq(X: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", X, X)


def _candidate_sq_distances(X: np.ndarray, Y: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """‖xᵢ - y_idx[i, j]‖² in float64 by direct differences, shape of ``idx``.

    The (rows, candidates, d) differences are formed a block at a time, of at most
    ``_GATHER_VALUES`` values: however many candidates tie (duplicated training points
    make every one a candidate), memory stays O(rows · candidates).
    """
    c, m = idx.shape
    d = max(1, X.shape[1])
    d2 = np.empty((c, m))
    width = m if m * d <= _GATHER_VALUES else max(1, _GATHER_VALUES // d)
    height = max(1, _GATHER_VALUES // (width * d))
    for i0 in range(0, c, height):
        i1 = min(i0 + height, c)
        for j0 in range(0, m, width):
            j1 = min(j0 + width, m)
            diff = Y[idx[i0:i1, j0:j1]] - X[i0:i1, None, :]
            d2[i0:i1, j0:j1] = np.einsum("ijk,ijk->ij", diff, diff)
    return d2


def _sort_candidates(
    X: np.ndarray, Y: np.ndarray, idx: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Exact float64 squared distances to candidate columns ``idx`` (rows by m); top k.

    Ties are broken by the smaller training index (candidates are sorted first, and the
    sort by distance is stable).
    """
    idx = np.sort(idx, axis=1)
    # padding columns (index ≥ n) may fill up a row; they get an infinite distance
    padded = idx >= Y.shape[0]
    d2 = _candidate_sq_distances(X, Y, np.where(padded, 0, idx))
    d2[padded] = np.inf
    order = np.argsort(d2, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(d2, order, axis=1), np.take_along_axis(idx, order, axis=1)


def _exact_chunk(
    X: np.ndarray, Y: np.ndarray, sq_y: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Top k by float64 products on a chunk of queries, re-ranked exactly.

    Every column within the rounding margin of the k-th smallest product-form value is a
    candidate, so that exact ties (duplicated training points) keep the lower index.
    """
    n, d = Y.shape
    D = X @ Y.T
    D *= -2.0
    D += sq_y  # ‖y‖² - 2xᵀy, the squared distance less ‖x‖²
    if k >= n:
        return _sort_candidates(X, Y, np.tile(np.arange(n), (len(X), 1)), k)
    kth = np.partition(D, k - 1, axis=1)[:, k - 1]
    y_max = float(np.sqrt(sq_y.max(initial=0.0)))
    x_norm = np.sqrt(_row_norms_sq(X))
    margin = (d + 4) * np.finfo(np.float64).eps * (2.0 * x_norm * y_max + y_max * y_max)
    count = int((D <= (kth + 2.0 * margin)[:, None]).sum(axis=1).max())
    if count >= n:
        cand = np.tile(np.arange(n), (len(X), 1))
    else:
        cand = np.argpartition(D, count - 1, axis=1)[:, :count]
    return _sort_candidates(X, Y, cand, k)


class _EuclideanScreen:
    """Float32 screening data for one training set (built once per fit)."""

    def __init__(self, Y: np.ndarray) -> None:
        n, d = Y.shape
        self.n, self.d = n, d
        self.m = -(-n // _GROUPS)
        big = float(np.max(np.abs(Y), initial=0.0))
        # an exact power-of-two scale keeps float32 far from overflow and underflow
        self.scale = 2.0 ** -np.ceil(np.log2(big)) if big > 0 else 1.0
        Ys = Y * self.scale
        sq = _row_norms_sq(Ys)
        W = np.zeros((d + 1, self.m * _GROUPS), dtype=np.float32)
        W[:d, :n] = -2.0 * Ys.T
        W[d, :n] = sq
        self.W = W
        self.y_norm_max = float(np.sqrt(sq.max(initial=0.0)))

    def search(
        self, X: np.ndarray, Y: np.ndarray, sq_y: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        c, d = X.shape
        n, m = self.n, self.m
        Xs = X * self.scale
        A = np.ones((c, d + 1), dtype=np.float32)
        A[:, :d] = Xs
        D = A @ self.W  # ‖y‖² - 2xᵀy (scaled), float32
        D[:, n:] = np.inf
        mins = D.reshape(c, _GROUPS, m).min(axis=1)
        k2 = min(m, 2 * k)
        groups = np.argpartition(mins, k2 - 1, axis=1)[:, :k2] if k2 < m else None
        if groups is None:
            groups = np.tile(np.arange(m), (c, 1))
        gmin = np.take_along_axis(mins, groups, axis=1).astype(np.float64)
        tau = np.partition(gmin, k - 1, axis=1)[:, k - 1]
        xn = np.sqrt(_row_norms_sq(Xs))
        margin = (d + 4) * _U32 * (2.0 * xn * self.y_norm_max + self.y_norm_max**2)
        limit = tau + 2.0 * margin
        # sound when every unselected group's minimum exceeds the limit, and finite
        ok = np.isfinite(limit) & ((k2 == m) | (gmin.max(axis=1) > limit))
        cols = (np.arange(_GROUPS)[None, None, :] * m + groups[:, :, None]).reshape(c, -1)
        vals = np.take_along_axis(D, cols, axis=1)
        inside = vals <= limit[:, None]
        dist = np.empty((c, k))
        ind = np.empty((c, k), dtype=np.intp)
        rows = np.flatnonzero(ok)
        if rows.size:
            count = int(inside[rows].sum(axis=1).max())
            take = min(count, cols.shape[1])
            v = vals[rows]
            sel = np.argpartition(v, take - 1, axis=1)[:, :take] if take < v.shape[1] else None
            cand = cols[rows] if sel is None else np.take_along_axis(cols[rows], sel, axis=1)
            dist[rows], ind[rows] = _sort_candidates(X[rows], Y, cand, k)
        bad = np.flatnonzero(~ok)
        if bad.size:
            dist[bad], ind[bad] = _exact_chunk(X[bad], Y, sq_y, k)
        return dist, ind


def _blas() -> Any:
    """threadpoolctl's controller of the BLAS libraries, made once (it scans the process)."""
    global _BLAS_CONTROLLER
    if _BLAS_CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _BLAS_CONTROLLER = ThreadpoolController().select(user_api="blas")
    return _BLAS_CONTROLLER


def kneighbors_search(
    X: np.ndarray,
    Y: np.ndarray,
    k: int,
    *,
    metric: str = "euclidean",
    p: float = 2.0,
    screen: _EuclideanScreen | None = None,
    sq_y: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Distances and indices of the k nearest rows of Y for each row of X, nearest first.

    ``metric`` is "euclidean", "manhattan" or "minkowski" (with ``p``). Both inputs are
    validated float64 arrays and 1 ≤ k ≤ len(Y). With several chunks and a BLAS allowed
    several threads, the chunks run on that many Python threads, each with a one-thread
    BLAS (NumPy releases the GIL in products, partitions and elementwise work): the
    selection work runs in parallel too, and no idle BLAS thread spins against it.
    """
    nq, n = X.shape[0], Y.shape[0]
    dist = np.empty((nq, k))
    ind = np.empty((nq, k), dtype=np.intp)
    per_row = 4 if screen is not None else 8
    chunk = max(1, min(nq, _CHUNK_BYTES // max(1, n * per_row)))
    if metric == "euclidean" and sq_y is None:
        sq_y = _row_norms_sq(Y)

    def run(s: int) -> None:
        e = min(s + chunk, nq)
        Xc = X[s:e]
        if metric == "euclidean":
            assert sq_y is not None  # set above
            if screen is not None:
                d2, ii = screen.search(Xc, Y, sq_y, k)
            else:
                d2, ii = _exact_chunk(Xc, Y, sq_y, k)
            dist[s:e] = np.sqrt(d2)
            ind[s:e] = ii
            return
        if metric == "manhattan":
            D = cdist(Xc, Y, metric="cityblock")
        else:
            D = cdist(Xc, Y, metric="minkowski", p=p)
        if k < n:
            part = np.argpartition(D, k - 1, axis=1)[:, :k]
        else:
            part = np.tile(np.arange(n), (e - s, 1))
        part = np.sort(part, axis=1)
        dk = np.take_along_axis(D, part, axis=1)
        order = np.argsort(dk, axis=1, kind="stable")
        dist[s:e] = np.take_along_axis(dk, order, axis=1)
        ind[s:e] = np.take_along_axis(part, order, axis=1)

    starts = range(0, nq, chunk)
    workers = 1
    if len(starts) > 1 and nq * n >= _PARALLEL_MIN_PAIRS:
        blas = _blas()
        workers = min(len(starts), max(lib.num_threads for lib in blas.lib_controllers))
    if workers <= 1:
        for s in starts:
            run(s)
        return dist, ind
    with blas.limit(limits=1), ThreadPoolExecutor(workers) as pool:
        list(pool.map(run, starts))
    return dist, ind


def exponent_limit(metric: str, p: float) -> int:
    """Data whose largest magnitude has a binary exponent within ±this is searched unscaled.

    Euclidean and Manhattan distances of such data neither overflow nor underflow: their
    squares and sums stay within 2^±(2·400 + log₂ d). A Minkowski distance raises
    differences to the power p, so its band narrows as 900 / p.
    """
    if metric in ("euclidean", "manhattan"):
        return 400
    return max(1, min(400, int(900 // p) - 4))


def rescale_exponent(big: float, limit: int, current: int = 0) -> int:
    """The exponent e to search data scaled by 2⁻ᵉ (``np.ldexp(X, -e)``).

    ``current`` when data of largest magnitude ``big``, scaled by 2^-current, lies in the
    band of ``exponent_limit``; else the e that brings its largest magnitude into
    [¼, ½), where differences of two points are below 1.
    """
    e = math.frexp(big)[1]
    if big == 0.0 or abs(e - current) <= limit:
        return current
    return e + 1


def make_screen(Y: np.ndarray, metric: str) -> _EuclideanScreen | None:
    """The float32 screen for a training set, when it pays off."""
    if metric != "euclidean" or Y.shape[0] < _SCREEN_MIN_SAMPLES:
        return None
    return _EuclideanScreen(Y)
