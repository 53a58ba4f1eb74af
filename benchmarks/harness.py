"""Side-by-side timing of nabla and its peers in one process.

Rules (see ../shared/PERFORMANCE.md): peers run interleaved in the same process, each timed
sample is preceded by a short pause (idle OpenBLAS threads spin for ~0.1 s after a BLAS call
and would slow whatever runs next), we report medians and the ratio nabla / peer, and every
benchmark checks that the results agree before it reports a time.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

PAUSE_S = 0.15


def set_threads(n: int | None = None) -> int:
    """Give NumPy's BLAS and torch the same number of threads (default: all cores)."""
    n = n or os.cpu_count() or 1
    try:
        import torch

        torch.set_num_threads(n)
    except ImportError:
        pass
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n)
    except ImportError:
        pass
    return n


def compare(
    title: str,
    candidates: dict[str, Callable[[], object]],
    *,
    repeat: int = 5,
    warmup: int = 1,
    per: float = 1.0,
    unit: str = "s",
    pause: float = PAUSE_S,
) -> dict[str, float]:
    """Time each candidate ``repeat`` times, interleaved, and print medians and ratios.

    ``per`` divides each time (e.g. the number of ops or samples) before printing; the ratio
    printed is ``nabla / peer`` of time (below 1 means nabla is faster).
    Returns the median time per ``per`` for each candidate.
    """
    for fn in candidates.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeat):
        for name, fn in candidates.items():
            time.sleep(pause)
            t0 = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - t0)
    medians = {name: statistics.median(s) / per for name, s in samples.items()}
    report(title, medians, unit=unit)
    return medians


def report(title: str, medians: dict[str, float], *, unit: str = "s") -> None:
    scale = {"s": 1.0, "ms": 1e3, "us": 1e6}[unit]
    parts = [f"{name} {t * scale:.3f} {unit}" for name, t in medians.items()]
    line = f"{title}: " + ", ".join(parts)
    if "nabla" in medians:
        for name, t in medians.items():
            if name != "nabla":
                line += f" | ratio nabla/{name} = {medians['nabla'] / t:.2f}x"
    print(line, flush=True)


def check_close(name: str, a: object, b: object, rtol: float = 1e-4, atol: float = 1e-6) -> None:
    """Refuse to report a time for results that disagree."""
    import numpy as np

    a_arr = np.asarray(a, dtype=np.float64)
    b_arr = np.asarray(b, dtype=np.float64)
    if not np.allclose(a_arr, b_arr, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(a_arr - b_arr)))
        raise AssertionError(f"{name}: results disagree (max abs difference {worst:.3g})")
