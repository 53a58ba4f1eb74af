"""Confidence bands around a prediction (seed 000's bootstrap figure) and decision boundaries.

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

    As in seed 000's bootstrap figure: the shaded band, the fit on the full data, a few
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


def plot_decision_boundary(
    estimator: Any,
    X: ArrayLike,
    y: ArrayLike | None = None,
    *,
    resolution: int = 200,
    margin: float = 0.1,
    title: str | None = None,
    ax: Any = None,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    """Draw the regions a fitted classifier assigns to each class, over 2-D inputs.

    The classifier's ``predict`` is evaluated on a ``resolution x resolution`` grid
    covering the data plus ``margin`` of its range on each side; the regions are filled
    by class and the points ``X`` (coloured by ``y`` when given) drawn on top.

    Parameters
    ----------
    estimator : fitted classifier
        Anything with ``predict`` on 2 features.
    X : array-like of shape (n_samples, 2)
    y : array-like of shape (n_samples,), optional
    resolution : int, default=200
        Grid points per axis, at least 2.
    margin : float, default=0.1
        Extra space around the data, as a fraction of its range.
    title : str, optional
    ax : matplotlib Axes, optional
    path : str or path-like, optional
        Also save the figure there, atomically.

    Returns
    -------
    matplotlib.figure.Figure
    """
    X_arr = np.asarray(X, dtype=np.float64)
    if X_arr.ndim != 2 or X_arr.shape[1] != 2:
        raise ValueError(
            f"plot_decision_boundary: X must have 2 features, shape (n_samples, 2); got "
            f"shape {X_arr.shape}."
        )
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(
            f"plot_decision_boundary: resolution must be an int >= 2; got {resolution!r}."
        )
    low, high = X_arr.min(axis=0), X_arr.max(axis=0)
    pad = margin * np.where(high > low, high - low, 1.0)
    g0 = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    g1 = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    xx, yy = np.meshgrid(g0, g1)
    labels = np.asarray(estimator.predict(np.column_stack([xx.ravel(), yy.ravel()])))
    known = getattr(estimator, "classes_", None)
    if known is not None:
        classes = np.asarray(known)
    else:
        seen = [labels] if y is None else [labels, np.asarray(y)]
        classes = np.unique(np.concatenate(seen))
    zz = _codes(classes, labels).reshape(xx.shape).astype(np.float64)

    fig, ax = _figure_and_axes(ax)
    levels = np.arange(len(classes) + 1) - 0.5
    ax.contourf(xx, yy, zz, levels=levels, cmap="tab10", vmin=0, vmax=9, alpha=0.3)
    if len(classes) > 1:
        ax.contour(xx, yy, zz, levels=levels[1:-1], colors="black", linewidths=0.8)
    if y is not None:
        point_codes = _codes(classes, np.asarray(y))
        ax.scatter(
            X_arr[:, 0], X_arr[:, 1], c=point_codes, cmap="tab10", vmin=0, vmax=9,
            s=14, edgecolors="black", linewidths=0.3,
        )  # fmt: skip
    else:
        ax.scatter(X_arr[:, 0], X_arr[:, 1], s=14, color="black")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if title:
        ax.set_title(title)
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
    if ax is not None:
        return ax.figure, ax
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 4.5))
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _as_1d(values: ArrayLike, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(
            f"plot_confidence_band: {name} must be 1-D (or one column); got shape {arr.shape}."
        )
    return arr


def _codes(classes: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Position of each label in ``classes`` (which need not be sorted)."""
    order = np.argsort(classes)
    pos = np.searchsorted(classes[order], labels)
    pos = np.clip(pos, 0, len(classes) - 1)
    if not np.all(classes[order][pos] == labels):
        raise ValueError("plot_decision_boundary: y has labels the estimator does not know.")
    return order[pos]
