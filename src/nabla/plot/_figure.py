"""What every figure shares: where it draws, its legend, and checks of its data.

A figure function validates and computes everything first and asks for axes last, so a bad
input raises before any figure exists. Without ``ax=``, a new figure is made: through
``pyplot`` when the caller has imported it (so ``plt.show()`` shows the figure), otherwise
as a standalone Agg figure, so that a script or a test that never touches ``pyplot`` keeps
its global state (backend, current figure) as it was.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

DEFAULT_SIZE = (6.4, 4.4)


def check_axes(ax: Any, who: str) -> None:
    """Refuse anything that is not a matplotlib ``Axes`` (or None, for a new figure)."""
    if ax is None:
        return
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(
            f"{who}: ax must be a matplotlib Axes (e.g. fig.add_subplot()) or None for a new "
            f"figure; got {type(ax).__name__}."
        )


def new_axes(ax: Any = None, figsize: tuple[float, float] = DEFAULT_SIZE) -> Any:
    """``ax`` itself, or the axes of a new figure (a ``pyplot`` one once pyplot is imported)."""
    if ax is not None:
        return ax
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize).add_subplot()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def legend_if_several(ax: Any, **kwargs: Any) -> None:
    """Add a legend when the axes hold more than one labelled series."""
    handles, _ = ax.get_legend_handles_labels()
    if len(handles) > 1:
        ax.legend(**kwargs)


def finite_1d(values: ArrayLike, who: str, name: str, *, allow_nan: bool = False) -> NDArray:
    """``values`` as a 1-D float64 array (one column accepted), finite unless NaN is allowed."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {name} must be numbers; got {type(values).__name__}.") from None
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{who}: {name} must be 1-D; got shape {arr.shape}.")
    bad = np.isinf(arr) if allow_nan else ~np.isfinite(arr)
    if bad.any():
        raise ValueError(
            f"{who}: {name} has {int(bad.sum())} non-finite value(s) (first at index "
            f"{int(np.argmax(bad))}); remove or replace them before plotting."
        )
    return arr


def finite_2d(values: ArrayLike, who: str, name: str) -> NDArray:
    """``values`` as a 2-D finite float64 array."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {name} must be numbers; got {type(values).__name__}.") from None
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{who}: {name} must be a non-empty 2-D array; got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError(
            f"{who}: {name} has {int((~np.isfinite(arr)).sum())} non-finite value(s); "
            "remove or replace them before plotting."
        )
    return arr


def check_labels(labels: Any, n: int, who: str, what: str) -> list[str] | None:
    """``labels`` as ``n`` strings (None stays None); refuse a count that does not match."""
    if labels is None:
        return None
    if isinstance(labels, str) or not isinstance(labels, Sequence):
        raise TypeError(f"{who}: labels must be a list of strings, one per {what}; got {labels!r}.")
    if len(labels) != n:
        raise ValueError(f"{who}: got {len(labels)} labels for {n} {what}(s); give one per {what}.")
    return [str(label) for label in labels]


def tile_mosaic(tiles: NDArray, n_cols: int) -> NDArray:
    """Tiles ``(k, h, w)`` laid out row by row, ``n_cols`` per row, NaN one pixel between.

    Tile ``t`` starts at row ``(t // n_cols) (h + 1)``, column ``(t % n_cols) (w + 1)``; NaN
    pixels are drawn blank by ``imshow``.
    """
    k, h, w = tiles.shape
    n_rows = -(-k // n_cols)
    out = np.full((n_rows * (h + 1) - 1, n_cols * (w + 1) - 1), np.nan)
    for t in range(k):
        r, c = divmod(t, n_cols)
        out[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = tiles[t]
    return out
