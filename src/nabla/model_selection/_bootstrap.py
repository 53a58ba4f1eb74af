"""``bootstrap_ci``: the bootstrap confidence interval of a statistic of the data."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nabla.model_selection._intervals import check_interval_params, interval
from nabla.model_selection._parallel import map_tasks, split_failures

# Resamples per task; a vectorised statistic sees one (chunk, n, ...) array per sample.
_CHUNK = 256
# Jackknife indices held at once (rows of n - 1 observations).
_JACK_ELEMENTS = 1 << 22


@dataclass(frozen=True)
class BootstrapResult:
    """What :func:`bootstrap_ci` returns.

    Attributes
    ----------
    estimate : float or ndarray
        The statistic of the full data, ``theta_hat``.
    low, high : float or ndarray
        The bounds of the confidence interval.
    bootstrap_distribution : ndarray of shape (n_bootstrap, ...)
        The statistic of each resample, resamples on axis 0 (SciPy puts them last).
    standard_error : float or ndarray
        The standard deviation of the bootstrap distribution (``ddof=1``).
    """

    estimate: Any
    low: Any
    high: Any
    bootstrap_distribution: NDArray[np.float64]
    standard_error: Any


def bootstrap_ci(
    statistic: Callable[..., Any],
    data: ArrayLike | tuple[ArrayLike, ...],
    *,
    n_bootstrap: int = 9999,
    confidence: float = 0.90,
    method: str = "percentile",
    paired: bool = False,
    vectorized: bool | None = None,
    random_state: int | np.random.Generator | np.random.SeedSequence | None = None,
    n_jobs: int | None = None,
) -> BootstrapResult:
    """Bootstrap confidence interval of ``statistic(*data)``.

    Each of the ``B = n_bootstrap`` resamples draws ``n`` observations with replacement
    from each sample (the same rows of every sample when ``paired``), the statistic is
    evaluated on it, and the interval is read from the ``B`` values (see ``method``).

    The resamples are drawn exactly as :func:`scipy.stats.bootstrap` draws them:
    ``rng = numpy.random.default_rng(random_state)`` and, for each sample in turn (once when
    ``paired``), ``rng.integers(0, n, size=(B, n))``; so with the same ``random_state``,
    ``confidence`` and ``method`` the two functions give the same interval. The indices are
    drawn up front, so the result does not depend on ``n_jobs`` or the joblib backend.

    Parameters
    ----------
    statistic : callable
        ``statistic(*samples)`` returns a scalar or an array. If it takes an ``axis``
        keyword (or ``vectorized=True``), it is called on many resamples at once, stacked
        on axis 0, with ``axis=1`` (the observations), and on the data with ``axis=0``.
    data : array-like, or tuple of array-likes
        One sample, or a tuple of samples; observations run along axis 0 (at least 2).
    n_bootstrap : int, default=9999
        Number of resamples ``B``, at least 1.
    confidence : float, default=0.90
        Confidence level, strictly between 0 and 1.
    method : {"percentile", "basic", "bca"}, default="percentile"
        With ``alpha = (1 - confidence)/2`` and ``q`` the quantiles of the bootstrap
        distribution: percentile ``[q(alpha), q(1-alpha)]``; basic
        ``[2 theta_hat - q(1-alpha), 2 theta_hat - q(alpha)]``; BCa reads ``q`` at levels
        corrected for bias and skewness (needs one jackknife pass: ``n`` extra statistics).
    paired : bool, default=False
        Resample the rows of all samples together (they must have equal length).
    vectorized : bool or None, default=None
        Whether ``statistic`` takes ``axis``; ``None`` inspects its signature.
    random_state : int, Generator, SeedSequence or None
        Seed of the resampling.
    n_jobs : int or None
        Workers for the statistic evaluations (joblib semantics and backend).

    Returns
    -------
    BootstrapResult

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.model_selection import bootstrap_ci
    >>> x = np.random.default_rng(0).normal(size=50)
    >>> res = bootstrap_ci(np.mean, x, n_bootstrap=999, random_state=1)
    >>> bool(res.low < x.mean() < res.high)
    True
    """
    who = "bootstrap_ci"
    if not callable(statistic):
        raise TypeError(f"{who}: statistic must be callable; got {statistic!r}.")
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, (int, np.integer)):
        raise TypeError(f"{who}: n_bootstrap must be an int >= 1; got {n_bootstrap!r}.")
    if n_bootstrap < 1:
        raise ValueError(f"{who}: n_bootstrap must be an int >= 1; got {n_bootstrap!r}.")
    check_interval_params(who, confidence, method)
    samples = _as_samples(data, paired, who)
    if vectorized is None:
        try:
            vectorized = "axis" in inspect.signature(statistic).parameters
        except (TypeError, ValueError):  # builtins without a signature
            vectorized = False

    rng = np.random.default_rng(random_state)
    B = int(n_bootstrap)
    if paired:
        n = samples[0].shape[0]
        row = rng.integers(0, n, size=(B, n))
        indices = [row] * len(samples)
    else:
        indices = [rng.integers(0, s.shape[0], size=(B, s.shape[0])) for s in samples]

    estimate = np.asarray(
        statistic(*samples, axis=0) if vectorized else statistic(*samples), dtype=np.float64
    )
    chunks = [[idx[start : start + _CHUNK] for idx in indices] for start in range(0, B, _CHUNK)]
    results = map_tasks(
        _statistic_chunk, chunks, args=(statistic, samples, vectorized), n_jobs=n_jobs
    )
    ok, failed = split_failures(results)
    if failed:
        raise failed[0].error
    theta_b = np.concatenate(ok, axis=0)
    if theta_b.shape[1:] != estimate.shape:
        raise ValueError(
            f"{who}: statistic returned shape {theta_b.shape[1:]} on a resample but "
            f"{estimate.shape} on the data; with vectorized=True it must reduce along `axis`."
        )

    jack = _jackknife(statistic, samples, paired, vectorized) if method == "bca" else None
    low, high = interval(estimate, theta_b, float(confidence), method, jack)
    if np.any(np.isnan(low) | np.isnan(high)):
        warnings.warn(
            f"{who}: the {method} interval is NaN for some outputs: the bootstrap "
            "distribution is degenerate there (all resamples give the same value, or the "
            "jackknife has no spread).",
            RuntimeWarning,
            stacklevel=2,
        )
    se = theta_b.std(axis=0, ddof=1) if B > 1 else np.full(estimate.shape, np.nan)
    return BootstrapResult(
        estimate=estimate[()],
        low=low[()],
        high=high[()],
        bootstrap_distribution=theta_b,
        standard_error=se[()],
    )


def _as_samples(data: object, paired: bool, who: str) -> list[NDArray[Any]]:
    raw = list(data) if isinstance(data, tuple) else [data]
    if not raw:
        raise ValueError(f"{who}: data must hold at least one sample; got an empty tuple.")
    samples = [np.asarray(s) for s in raw]
    for j, s in enumerate(samples):
        if s.ndim == 0 or s.shape[0] < 2:
            raise ValueError(
                f"{who}: each sample needs at least 2 observations along axis 0; "
                f"sample {j} has shape {s.shape}."
            )
    if paired and len({s.shape[0] for s in samples}) > 1:
        raise ValueError(
            f"{who}: paired samples must have equal length along axis 0; got lengths "
            f"{[s.shape[0] for s in samples]}."
        )
    return samples


def _statistic_chunk(
    chunk: Sequence[NDArray[np.intp]],
    statistic: Callable[..., Any],
    samples: Sequence[NDArray[Any]],
    vectorized: bool,
) -> NDArray[np.float64]:
    if vectorized:
        resampled = [s[idx] for s, idx in zip(samples, chunk)]
        return np.asarray(statistic(*resampled, axis=1), dtype=np.float64)
    rows = [statistic(*[s[idx[b]] for s, idx in zip(samples, chunk)]) for b in range(len(chunk[0]))]
    return np.asarray(rows, dtype=np.float64)


def _jackknife(
    statistic: Callable[..., Any],
    samples: list[NDArray[Any]],
    paired: bool,
    vectorized: bool,
) -> list[NDArray[np.float64]]:
    """Leave-one-out statistics: one ``(n_j, ...)`` array per independently resampled sample.

    Evaluated in chunks of rows so that memory stays near ``_JACK_ELEMENTS`` indices.
    """

    def evaluate(stacked: list[NDArray[Any]]) -> NDArray[np.float64]:
        if vectorized:
            return np.asarray(statistic(*stacked, axis=1), dtype=np.float64)
        count = stacked[0].shape[0]
        return np.asarray(
            [statistic(*[s[i] for s in stacked]) for i in range(count)], dtype=np.float64
        )

    groups = (
        [list(range(len(samples)))]
        if paired or len(samples) == 1
        else [[j] for j in range(len(samples))]
    )
    out = []
    for group in groups:
        n = samples[group[0]].shape[0]
        step = max(1, _JACK_ELEMENTS // n)
        parts = []
        for start in range(0, n, step):
            idx = _leave_one_out(n, start, min(n, start + step))
            stacked = [
                s[idx] if k in group else np.broadcast_to(s, (idx.shape[0], *s.shape))
                for k, s in enumerate(samples)
            ]
            parts.append(evaluate(stacked))
        out.append(np.concatenate(parts, axis=0))
    return out


def _leave_one_out(n: int, start: int, stop: int) -> NDArray[np.intp]:
    """Jackknife index rows ``start..stop-1``: row ``i`` lists ``0..n-1`` without ``i``."""
    left_out = np.arange(start, stop)[:, np.newaxis]
    j = np.arange(n - 1)[np.newaxis, :]
    return j + (j >= left_out)
