"""The learning-rate range test's figure: loss against learning rate, the suggestion marked.

The notes read the learning rate from cost curves; :func:`nabla.train.lr_find` measures
the loss over an exponential sweep of rates in one run, and this draws it: the raw
minibatch losses (faint), their moving average, and the suggested rate (the steepest fall
of the average) as a vertical line, on a logarithmic rate axis.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.plot._figure import check_axes, finite_1d, legend_if_several, new_axes


def plot_lr_find(result: Any, *, raw: bool = True, ax: Any = None) -> Any:
    """Draw a learning-rate range test.

    Parameters
    ----------
    result : LRFindResult
        What :func:`nabla.train.lr_find` returned (anything with ``lrs``, ``losses``,
        ``smoothed`` and ``suggestion`` attributes).
    raw : bool, default=True
        Also draw the raw minibatch losses, faintly.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines``: the raw losses (if ``raw``), the smoothed loss, then the suggestion's
        vertical line (if there is one).

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.plot import plot_lr_find
    >>> from nabla.train import LRFindResult
    >>> lrs = np.geomspace(1e-4, 1, 5); loss = np.array([2.0, 1.9, 1.2, 0.9, 3.0])
    >>> ax = plot_lr_find(LRFindResult(lrs, loss, loss, 1e-2))
    >>> [line.get_label() for line in ax.lines], ax.get_xscale()
    (['minibatch loss', 'smoothed loss', 'suggested lr = 0.01'], 'log')
    """
    who = "plot_lr_find"
    check_axes(ax, who)
    missing = [k for k in ("lrs", "losses", "smoothed", "suggestion") if not hasattr(result, k)]
    if missing:
        raise TypeError(
            f"{who}: result must be what nabla.train.lr_find returned; "
            f"{type(result).__name__} lacks {missing}."
        )
    lrs = finite_1d(result.lrs, who, "lrs")
    losses = finite_1d(result.losses, who, "losses")
    smoothed = finite_1d(result.smoothed, who, "smoothed")
    if len(lrs) == 0 or not len(lrs) == len(losses) == len(smoothed):
        raise ValueError(
            f"{who}: lrs, losses and smoothed need one value per step and at least one; got "
            f"{len(lrs)}, {len(losses)} and {len(smoothed)}."
        )
    if (lrs <= 0).any():
        raise ValueError(f"{who}: learning rates must be > 0 for the log axis.")
    suggestion = result.suggestion
    if suggestion is not None and not np.isfinite(suggestion):
        raise ValueError(f"{who}: the suggestion must be a finite rate or None, got {suggestion}.")

    ax = new_axes(ax)
    if raw:
        ax.plot(lrs, losses, "-", color="0.6", alpha=0.5, linewidth=1, label="minibatch loss")
    (line,) = ax.plot(lrs, smoothed, "-", linewidth=2, label="smoothed loss")
    if suggestion is not None:
        ax.axvline(
            suggestion,
            color=line.get_color(),
            linestyle="--",
            label=f"suggested lr = {suggestion:.3g}",
        )
    ax.set_xscale("log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("training loss")
    ax.set_title("learning-rate range test")
    ax.grid(True, alpha=0.3, which="both")
    legend_if_several(ax, loc="best", fontsize="small")
    return ax
