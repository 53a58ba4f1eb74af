"""Training curves: loss and metrics per epoch, for one run or several on one axes.

:func:`plot_history` draws several runs into one axes (the notes' learning-rate figure:
one cost curve per learning rate), with a band over the runs that share a label (seeds).
Given a file path instead of keys (the former form), it writes one run's panels to an image
file, drawn on an Agg canvas (no pyplot) and written atomically like every nabla file.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nabla.plot._figure import check_axes, check_labels, legend_if_several, new_axes

WHO = "plot_history"
_METRICS = ("accuracy", "r2")
_STYLES = ("-", "--", ":", "-.")
_BANDS = ("range", "std")
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


def _plot_history_file(
    history: Mapping[str, Any] | Any,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    val_label: str = "validation",
) -> Path:
    """Plot the loss (and accuracy or R², when recorded) per epoch to an image file.

    The former form of :func:`plot_history`, ``plot_history(history, path)``, used by
    ``nabla train``: one run, one panel per quantity, training against validation.

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


def _is_path(value: Any) -> bool:
    """A file path (the former second argument) rather than history keys."""
    if isinstance(value, os.PathLike):
        return True
    return isinstance(value, str) and (Path(value).suffix != "" or os.sep in value or "/" in value)


def _is_history(obj: Any) -> bool:
    return isinstance(obj, Mapping) or isinstance(getattr(obj, "history", None), Mapping)


def _as_history(obj: Any, where: str) -> Mapping[str, Any]:
    history = obj if isinstance(obj, Mapping) else getattr(obj, "history", None)
    if not isinstance(history, Mapping):
        raise TypeError(
            f"{WHO}: {where} must be a history (a dict of per-epoch lists, or a Trainer); "
            f"got {type(obj).__name__}."
        )
    return history


def _groups(histories: Any, labels: Any) -> dict[str | None, list[Mapping[str, Any]]]:
    """Runs grouped by label, in order of first appearance."""
    if (
        isinstance(histories, Mapping)
        and histories
        and all(
            _is_history(v) or (isinstance(v, (list, tuple)) and v and all(map(_is_history, v)))
            for v in histories.values()
        )
    ):
        if labels is not None:
            raise TypeError(f"{WHO}: labels are the dict's keys here; do not also pass labels=.")
        return {
            str(k): [
                _as_history(r, f"histories[{k!r}]")
                for r in (v if isinstance(v, (list, tuple)) else [v])
            ]
            for k, v in histories.items()
        }
    if _is_history(histories):
        runs = [histories]
    elif isinstance(histories, Sequence) and not isinstance(histories, (str, bytes)):
        runs = list(histories)
    else:
        raise TypeError(
            f"{WHO}: histories must be a history (dict of per-epoch lists, or a Trainer), a "
            f"list of them, or a dict label -> history or list of histories; got "
            f"{type(histories).__name__}."
        )
    if not runs:
        raise ValueError(f"{WHO}: no histories to plot; pass at least one.")
    runs = [_as_history(r, f"histories[{i}]") for i, r in enumerate(runs)]
    names: list[str | None] = list(check_labels(labels, len(runs), WHO, "history") or [])
    if not names:
        names = [None] if len(runs) == 1 else [f"run {i + 1}" for i in range(len(runs))]
    groups: dict[str | None, list[Mapping[str, Any]]] = {}
    for name, run in zip(names, runs):
        groups.setdefault(name, []).append(run)
    return groups


def _curves(
    groups: dict[str | None, list[Mapping[str, Any]]], keys: list[str]
) -> list[tuple[str | None, str, np.ndarray, np.ndarray]]:
    """(label, key, x, values of shape (runs, n)) per label and key; checks every series."""
    out = []
    for label, runs in groups.items():
        where = "the history" if label is None else f"run {label!r}"
        for key in keys:
            rows = []
            for run in runs:
                values = _series(run, key)
                if values is None:
                    raise ValueError(f"{WHO}: {where} has no {key!r}; it records {sorted(run)}.")
                if not values:
                    raise ValueError(f"{WHO}: {where} has an empty {key!r}; nothing to plot.")
                rows.append(values)
            lengths = sorted({len(r) for r in rows})
            if len(lengths) > 1:
                raise ValueError(
                    f"{WHO}: the {len(rows)} runs labelled {label!r} have {key!r} of different "
                    f"lengths {lengths}; a band over runs needs runs of equal length (cut "
                    "them to the shortest, or give them different labels)."
                )
            n = lengths[0]
            epochs = _series(runs[0], "epoch")
            x = np.asarray(epochs if epochs and len(epochs) == n else range(1, n + 1), float)
            out.append((label, key, x, np.asarray(rows, dtype=np.float64)))
    return out


def plot_history(
    histories: Any,
    keys: str | Sequence[str] | os.PathLike[str] = "loss",
    *,
    ax: Any = None,
    labels: Sequence[str] | None = None,
    band: str = "range",
    logy: bool = False,
    title: str | None = None,
    path: str | os.PathLike[str] | None = None,
    val_label: str = "validation",
) -> Any:
    """Training curves of one or several runs on one axes, with a band over repeated runs.

    The notes read the learning rate off several cost curves drawn together (too low: a slow
    decline; too high: a plateau or a rise). Runs that share a label (the same settings
    with different seeds) are drawn as their mean with a band: ``band="range"`` shades from
    the smallest to the largest value at each epoch, ``band="std"`` the mean plus and minus
    one (population) standard deviation.

    Parameters
    ----------
    histories : history, list of histories, or dict label -> history or list of histories
        A history is a dict of per-epoch lists as ``nabla.train.Trainer`` records them
        (``"loss"``, ``"val_loss"``, ``"accuracy"``, ...; ``"epoch"`` gives the x values,
        default 1, 2, ...), or an object with such a ``history`` attribute (a ``Trainer``).
        ``None`` entries are drawn as gaps.
    keys : str or list of str, default="loss"
        The quantities to draw; one line style per key (solid, dashed, dotted, ...), one
        colour per label.
    ax : matplotlib Axes, optional
    labels : list of str, optional
        One label per history of a list (equal labels form a band); default "run 1",
        "run 2", ... (no label for a single history).
    band : {"range", "std"}, default="range"
        The band over the runs of one label: min to max, or mean ± standard deviation.
    logy : bool, default=False
        Logarithmic y axis (losses over several decades).
    title : str, optional
    path, val_label
        The former form: ``plot_history(history, path)`` (a path as second argument, or
        ``path=``) writes one run's panels (loss, accuracy or R²) to an image file and
        returns its path; ``val_label`` names the ``val_*`` curves there.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines`` holds one line per label and key, in that order (label-major); its
        y data are the run's values or the mean over the label's runs. (A
        ``pathlib.Path`` in the former form.)

    Examples
    --------
    >>> from nabla.plot import plot_history
    >>> runs = [{"loss": [1.0, 0.6, 0.4]}, {"loss": [1.0, 0.8, 0.5]}, {"loss": [1.0, 1.2, 1.9]}]
    >>> ax = plot_history(runs, labels=["lr=0.01", "lr=0.01", "lr=1"])
    >>> [(line.get_label(), line.get_ydata().round(2).tolist()) for line in ax.lines]
    [('lr=0.01 (mean of 2 runs)', [1.0, 0.7, 0.45]), ('lr=1', [1.0, 1.2, 1.9])]
    """
    if path is not None or _is_path(keys):
        target = path if path is not None else keys
        if path is not None and _is_path(keys):
            raise TypeError(f"{WHO}: give the file path once (second argument or path=).")
        if ax is not None or labels is not None:
            raise TypeError(
                f"{WHO}: writing to a file draws one history; ax= and labels= are for the "
                "figure form plot_history(histories, keys, ax=...)."
            )
        return _plot_history_file(histories, target, title=title, val_label=val_label)  # type: ignore[arg-type]

    check_axes(ax, WHO)
    key_list = [keys] if isinstance(keys, str) else keys
    if (
        not isinstance(key_list, Sequence)
        or not key_list
        or not all(isinstance(k, str) for k in key_list)
    ):
        raise TypeError(f"{WHO}: keys must be a key or a non-empty list of keys; got {keys!r}.")
    if band not in _BANDS:
        raise ValueError(f"{WHO}: band must be one of {list(_BANDS)}; got {band!r}.")
    curves = _curves(_groups(histories, labels), list(key_list))

    ax = new_axes(ax)
    colours: dict[str | None, str] = {}
    for label, key, x, values in curves:
        colour = colours.setdefault(label, f"C{len(colours) % 10}")
        style = _STYLES[key_list.index(key) % len(_STYLES)]
        name = key if label is None else (label if len(key_list) == 1 else f"{label} {key}")
        if len(values) > 1:
            name += f" (mean of {len(values)} runs)"
        with np.errstate(invalid="ignore"):  # all-NaN epochs stay gaps
            mean = np.nanmean(values, axis=0) if len(values) > 1 else values[0]
            if len(values) > 1 and band == "range":
                low, high = np.nanmin(values, axis=0), np.nanmax(values, axis=0)
            elif len(values) > 1:
                sd = np.nanstd(values, axis=0)
                low, high = mean - sd, mean + sd
        ax.plot(x, mean, style, color=colour, marker="o", markersize=2.5, label=name)
        if len(values) > 1:
            ax.fill_between(x, low, high, color=colour, alpha=0.2, linewidth=0)
    bases = {k.removeprefix("val_") for k in key_list}
    base = bases.pop() if len(bases) == 1 else None
    ax.set_ylabel(_LABELS.get(base, base) if base else "value")
    ax.set_xlabel("epoch")
    if logy:
        ax.set_yscale("log")
    if any(len(v) > 1 for *_, v in curves):
        extent = "min to max" if band == "range" else "mean ± std"
        ax.set_title((title + "\n" if title else "") + f"bands: {extent} over runs")
    elif title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    legend_if_several(ax, loc="best", fontsize="small")
    return ax
