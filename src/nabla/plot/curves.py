"""Training curves: loss and metric per epoch, training against validation.

Drawn with matplotlib's object-oriented API on an Agg canvas (no pyplot, no global
backend switch, no display needed), and written atomically like every nabla file.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_METRICS = ("accuracy", "r2")
_LABELS = {"loss": "loss", "accuracy": "accuracy", "r2": "R²"}


def _series(history: Mapping[str, Any], key: str) -> list[float] | None:
    values = history.get(key)
    if values is None:
        return None
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"plot_history: history[{key!r}] must be a list of numbers")
    try:
        return [float(v) if v is not None else math.nan for v in values]
    except (TypeError, ValueError):
        raise TypeError(f"plot_history: history[{key!r}] must be a list of numbers") from None


def plot_history(
    history: Mapping[str, Any] | Any,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    val_label: str = "validation",
) -> Path:
    """Plot the loss (and accuracy or R², when recorded) per epoch to an image file.

    Parameters
    ----------
    history : mapping or object with a ``history`` attribute
        Per-epoch lists as recorded by ``nabla.train.Trainer``: ``"loss"`` (required),
        and any of ``"val_loss"``, ``"accuracy"``, ``"val_accuracy"``, ``"r2"``,
        ``"val_r2"``; ``"epoch"`` gives the x values (default 1, 2, ...).
    path : path
        The image file; its suffix picks the format (``.png``, ``.svg``, ``.pdf``).
        Written atomically.
    title : str, optional
    val_label : str, default 'validation'
        Legend of the ``val_*`` curves (e.g. 'test' when the held-out set is a test set).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, os
    >>> from nabla.plot import plot_history
    >>> h = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6], "accuracy": [0.5, 0.8, 0.9]}
    >>> plot_history(h, os.path.join(tempfile.mkdtemp(), "curves.png")).name
    'curves.png'
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from nabla.io import atomic_write_bytes

    if not isinstance(history, Mapping):
        history = getattr(history, "history", history)
    if not isinstance(history, Mapping):
        raise TypeError(f"plot_history: history must be a mapping, got {type(history).__name__}")
    loss = _series(history, "loss")
    if not loss:
        raise ValueError("plot_history: history has no 'loss' values to plot")
    n = len(loss)
    curves: dict[str, list[float]] = {}
    for base in ("loss", *_METRICS):
        for key in (base, f"val_{base}"):
            s = _series(history, key)
            if s is None:
                continue
            if len(s) != n:
                raise ValueError(
                    f"plot_history: history[{key!r}] has {len(s)} values but 'loss' has {n}"
                )
            curves[key] = s
    epochs = _series(history, "epoch") or list(range(1, n + 1))
    if len(epochs) != n:
        raise ValueError(f"plot_history: history['epoch'] has {len(epochs)} values, not {n}")
    fmt = Path(path).suffix.lstrip(".").lower() or "png"

    panels = ["loss"] + [m for m in _METRICS if m in curves or f"val_{m}" in curves]
    fig = Figure(figsize=(5.0 * len(panels), 3.8), layout="constrained")
    FigureCanvasAgg(fig)
    for i, base in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), i + 1)
        for key, style, label in ((base, "-o", "training"), (f"val_{base}", "-s", val_label)):
            if key in curves:
                ax.plot(epochs, curves[key], style, markersize=3, label=label)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(_LABELS[base])
        ax.grid(True, alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format=fmt, dpi=100)
    except ValueError as exc:
        raise ValueError(f"plot_history: cannot write '{path}': {exc}") from None
    return atomic_write_bytes(path, buf.getvalue(), "plot_history")
