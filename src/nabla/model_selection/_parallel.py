"""Repeated independent work through joblib: per-task seeds, batching, failures.

Every bootstrap refit, cross-validation fold and bagged member is one *task*. Tasks are
independent, so they can run anywhere: in this process, in joblib's worker processes, or
on a Dask or Ray cluster through ``joblib.parallel_config(backend=...)``. Two rules make
the result independent of where they ran:

* a task's randomness comes only from its own seed, a child of
  ``numpy.random.SeedSequence(random_state).spawn(n_tasks)``, never from shared state;
* results are returned in task order, whatever order the workers finish in.

Tasks are sent in a few large batches (one per worker), not one by one, and a problem so
small that shipping it would cost more than computing it is finished in this process.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

# Below this projected serial time (seconds) the remaining tasks run in this process. A
# parallel call costs tens of milliseconds even with warm workers (pickling the data and
# the estimators both ways, waking the processes) and up to a second to start them, so on
# two cores it only pays from a few tenths of a second of work. Tests set it to 0 to force
# the parallel path.
MIN_PARALLEL_SECONDS = 0.25

RandomStateLike = int | np.integer | np.random.SeedSequence | np.random.Generator | None


@dataclass(frozen=True)
class TaskFailure:
    """A task that raised: its position and the exception (sent back from the worker)."""

    index: int
    error: BaseException

    def describe(self) -> str:
        return f"task {self.index}: {type(self.error).__name__}: {self.error}"


def seed_sequence(random_state: object, who: str) -> np.random.SeedSequence:
    """Turn ``random_state`` into a fresh ``SeedSequence``.

    An int (or None, for fresh entropy) gives ``SeedSequence(random_state)``, so the same
    int always spawns the same children. A ``Generator`` or ``RandomState`` is asked for
    128 bits of entropy (advancing it, as scikit-learn does with a shared random state); a
    ``SeedSequence`` is used as it is (spawning from it advances its child counter).
    """
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, np.random.SeedSequence):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if int(random_state) < 0:
            raise ValueError(
                f"{who}: random_state must be a non-negative int, a numpy Generator, "
                f"a SeedSequence or None; got {random_state!r}."
            )
        return np.random.SeedSequence(int(random_state))
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(random_state.integers(0, 2**32, size=4, dtype=np.uint64))
    if isinstance(random_state, np.random.RandomState):
        return np.random.SeedSequence(random_state.randint(0, 2**32, size=4, dtype=np.uint64))
    raise ValueError(
        f"{who}: random_state must be a non-negative int, a numpy Generator, a SeedSequence "
        f"or None; got {random_state!r}."
    )


def spawn_seeds(random_state: object, n: int, who: str) -> list[np.random.SeedSequence]:
    """``n`` independent child seeds: task ``b`` always gets child ``b``."""
    return seed_sequence(random_state, who).spawn(n)


def draw_indices(
    seed: np.random.SeedSequence, n: int, n_draw: int | None = None, replace: bool = True
) -> tuple[NDArray[np.intp], np.random.Generator]:
    """The resample of task ``seed``: ``n_draw`` (default ``n``) rows of ``0..n-1``.

    With replacement (the bootstrap) or without; returns the task's Generator too, for the
    task's other random choices. The one place a resample is drawn, so the kernel ridge
    shortcut, the plain loop and ``bootstrap_indices_`` all see the same resamples.
    """
    rng = np.random.default_rng(seed)
    m = n if n_draw is None else n_draw
    idx = rng.integers(0, n, size=m) if replace else rng.permutation(n)[:m]
    return idx, rng


def take_rows(data: Any, idx: NDArray[np.intp]) -> Any:
    """Rows ``idx`` of an array, sparse matrix, DataFrame or list (None stays None).

    NumPy arrays and sparse matrices are indexed directly: scikit-learn's ``_safe_indexing``
    spends about 0.4 ms per call recognising dataframe libraries, more than a small refit.
    """
    if data is None:
        return None
    if isinstance(data, np.ndarray) or hasattr(data, "tocsr"):
        return data[idx]
    from sklearn.utils import _safe_indexing

    return _safe_indexing(data, idx)


def set_random_states(estimator: Any, rng: np.random.Generator) -> None:
    """Give every ``random_state`` parameter of ``estimator`` (nested ones too) a fresh int.

    As scikit-learn's bagging does: members built from the same estimator then differ in
    their own randomness too (a network's initial weights), and the whole run is
    reproducible from the meta-estimator's ``random_state`` alone.
    """
    if not hasattr(estimator, "get_params"):
        return
    keys = sorted(
        key
        for key in estimator.get_params(deep=True)
        if key == "random_state" or key.endswith("__random_state")
    )
    if keys:
        seeds = rng.integers(0, np.iinfo(np.int32).max, size=len(keys))
        estimator.set_params(**{key: int(seed) for key, seed in zip(keys, seeds)})


@contextmanager
def restored_on_error(obj: Any) -> Iterator[None]:
    """Undo every attribute change of ``obj`` if the block raises.

    ``validate_data`` records ``n_features_in_`` as it checks, and members may fail after
    that: a fit that fails leaves the estimator exactly as it was (a previous fit
    included). Attributes are rebound, never mutated in place, so a shallow copy suffices.
    """
    saved = dict(vars(obj))
    try:
        yield
    except BaseException:
        vars(obj).clear()
        vars(obj).update(saved)
        raise


def _run_batch(
    func: Callable[..., Any],
    batch: Sequence[tuple[int, Any]],
    args: tuple[Any, ...],
    blas_threads: int | None = None,
) -> list[Any]:
    """Run one batch in a worker; a failing task becomes a ``TaskFailure``, not a crash."""
    out: list[Any] = []
    with _blas_limit(blas_threads):
        for index, item in batch:
            try:
                out.append(func(item, *args))
            except Exception as exc:  # reported to the caller, which raises or skips
                out.append(TaskFailure(index, exc))
    return out


@contextmanager
def _blas_limit(threads: int | None) -> Iterator[None]:
    if threads is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads, user_api="blas"):
        yield


def map_tasks(
    func: Callable[..., Any],
    items: Sequence[Any],
    *,
    args: tuple[Any, ...] = (),
    n_jobs: int | None = None,
    blas_threads: int | None = None,
) -> list[Any]:
    """Return ``[func(item, *args) for item in items]``, in order, in parallel batches.

    A task that raises gives a :class:`TaskFailure` in its place. ``n_jobs`` follows joblib
    (``None`` means the active ``joblib.parallel_config``, else 1; ``-1`` all cores), and
    the backend is whatever ``joblib.parallel_config`` selects (loky processes by default,
    Dask, Ray, threads). The first two tasks always run here and are timed: when the rest
    would take less than ``MIN_PARALLEL_SECONDS`` serially, they run here too.

    ``blas_threads`` limits BLAS to that many threads while the tasks run, here and in the
    workers alike. Tasks made of small factorisations gain little from BLAS threads, lose
    much when the threads compete with other work, and give bitwise the same result for
    any ``n_jobs`` only when every task sees the same thread count.
    """
    indexed = list(enumerate(items))
    if not indexed:
        return []
    n_workers = _effective_n_jobs(n_jobs)
    if n_workers <= 1 or len(indexed) <= 2:
        return _run_batch(func, indexed, args, blas_threads)
    # time the first two tasks here; the faster one, since the first may pay for warm-up
    # (lazy imports, caches)
    results: list[Any] = []
    per_task = math.inf
    for item in indexed[:2]:
        start = time.perf_counter()
        results += _run_batch(func, [item], args, blas_threads)
        per_task = min(per_task, time.perf_counter() - start)
    rest = indexed[2:]
    if per_task * len(rest) < MIN_PARALLEL_SECONDS:
        return results + _run_batch(func, rest, args, blas_threads)

    from joblib import Parallel, delayed

    # One batch per worker: every batch pays the transfer of ``args`` (the data) once.
    size = math.ceil(len(rest) / min(n_workers, len(rest)))
    batches = [rest[i : i + size] for i in range(0, len(rest), size)]
    parallel = Parallel(n_jobs=n_jobs if n_jobs is not None else n_workers)
    tasks = (delayed(_run_batch)(func, batch, args, blas_threads) for batch in batches)
    for part in parallel(tasks):
        results.extend(part)
    return results


def _effective_n_jobs(n_jobs: int | None) -> int:
    if n_jobs == 1:
        return 1
    from joblib import effective_n_jobs

    return int(effective_n_jobs(n_jobs))


def split_failures(results: list[Any]) -> tuple[list[Any], list[TaskFailure]]:
    ok = [r for r in results if not isinstance(r, TaskFailure)]
    failed = [r for r in results if isinstance(r, TaskFailure)]
    return ok, failed
