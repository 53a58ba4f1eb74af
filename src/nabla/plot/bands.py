"""Confidence bands around a prediction (the bootstrap lecture's figure).

The decision boundaries that used to live here are in ``nabla.plot.boundary``, which
shares ``save_figure``.

Figures are built with matplotlib's object API on the Agg canvas, never through
``pyplot``: nothing global (the backend, the current figure) changes, and no window opens.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

_BAND_COLOR = "#1f77b4"
_TRUTH_COLOR = "#d62728"


def plot_confidence_band(
    x: ArrayLike,
    prediction: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    *,
    bootstrap: ArrayLike | None = None,
    n_curves: int = 20,
    X_train: ArrayLike | None = None,
    y_train: ArrayLike | None = None,
    truth: ArrayLike | None = None,
    confidence: float | None = None,
    title: str | None = None,
    ax: Any = None,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    """Draw a prediction ``f(x)`` with its confidence band ``[lower, upper]``.

    As in the bootstrap lecture's figure: the shaded band, the fit on the full data, a few
    bootstrap fits ``f_b(x)`` in thin lines, the training points and, when known, the true
    function.

    Parameters
    ----------
    x : array-like of shape (n_points,) or (n_points, 1)
        The inputs, in increasing order (a grid).
    prediction, lower, upper : array-like of shape (n_points,)
        ``f(x)`` and the bounds, e.g. from ``BootstrapCI.predict``.
    bootstrap : array-like of shape (B, n_points), optional
        Bootstrap predictions; the first ``n_curves`` are drawn.
    n_curves : int, default=20
        How many bootstrap curves to draw.
    X_train, y_train : array-like, optional
        Training points, drawn as dots.
    truth : array-like of shape (n_points,), optional
        The true function at ``x``, when known (simulated data).
    confidence : float, optional
        The level, for the legend ("90% band").
    title : str, optional
    ax : matplotlib Axes, optional
        Draw into these axes; by default a new figure is made.
    path : str or path-like, optional
        Also save the figure there (format from the suffix, PNG by default), atomically.

    Returns
    -------
    matplotlib.figure.Figure
    """
    xs = _as_1d(x, "x")
    series = {"prediction": prediction, "lower": lower, "upper": upper}
    arrays = {name: _as_1d(v, name) for name, v in series.items()}
    for name, arr in arrays.items():
        if arr.shape != xs.shape:
            raise ValueError(
                f"plot_confidence_band: {name} must have one value per x ({xs.shape[0]}); "
                f"got shape {arr.shape}."
            )
    fig, ax = _figure_and_axes(ax)
    band = f"{round(100 * confidence)}% band" if confidence is not None else "confidence band"
    ax.fill_between(xs, arrays["lower"], arrays["upper"], color=_BAND_COLOR, alpha=0.25, label=band)
    if bootstrap is not None:
        curves = np.asarray(bootstrap, dtype=np.float64).reshape(-1, xs.shape[0])
        for k, curve in enumerate(curves[: max(0, int(n_curves))]):
            label = "bootstrap fits" if k == 0 else None
            ax.plot(xs, curve, color=_BAND_COLOR, alpha=0.3, linewidth=0.6, label=label)
    ax.plot(xs, arrays["prediction"], color=_BAND_COLOR, linewidth=2.0, label="fit")
    if truth is not None:
        ax.plot(xs, _as_1d(truth, "truth"), color=_TRUTH_COLOR, linestyle="--", label="truth")
    if X_train is not None and y_train is not None:
        ax.scatter(
            _as_1d(X_train, "X_train"),
            _as_1d(y_train, "y_train"),
            s=10,
            color="black",
            alpha=0.6,
            label="data",
        )
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    if path is not None:
        save_figure(fig, path)
    return fig


def save_figure(fig: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``fig`` to ``path`` atomically: a temporary sibling, fsynced, then renamed.

    A crash or a full disk leaves any previous file at ``path`` intact. The format comes
    from the suffix (``.png`` when there is none).
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"cannot write the figure {target}: no directory {target.parent}")
    from nabla.io import atomic_write_bytes

    fmt = target.suffix.lstrip(".").lower() or "png"
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=120, bbox_inches="tight")
    # mode as a plain open() would give it, fsync, rename: nabla.io's atomic write
    atomic_write_bytes(target, buffer.getvalue(), "save_figure")
    return target


def _figure_and_axes(ax: Any) -> tuple[Any, Any]:
    from nabla.plot._figure import new_axes

    ax = new_axes(ax, figsize=(7.0, 4.5))
    return ax.figure, ax


def _as_1d(values: ArrayLike, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(
            f"plot_confidence_band: {name} must be 1-D (or one column); got shape {arr.shape}."
        )
    return arr
