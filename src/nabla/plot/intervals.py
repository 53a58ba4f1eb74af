"""The bootstrap lecture's last figures: the ideal band against the bootstrap band, and ECDFs.

The lecture defines the interval it wants through the empirical CDF of predictors trained
on fresh training sets, :math:`\\widehat{CDF}(\\hat y) = \\frac1B \\sum_b 1\\{\\hat y^{(b)}
\\le \\hat y\\}`, read at its 5% and 95% levels; the bootstrap replaces fresh sets by
resamples of the one training set. :func:`plot_intervals` draws both bands over a grid and
says how much of the fresh-set predictions the bootstrap band holds; :func:`plot_ecdf`
draws the CDFs themselves at one input. Quantiles interpolate linearly between order
statistics (NumPy's default), as in ``BootstrapCI`` and ``ideal_interval``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nabla.plot._figure import check_axes, check_labels, finite_1d, finite_2d, new_axes

_IDEAL_COLOUR = "#ff7f0e"
_BOOT_COLOUR = "#1f77b4"


def _check_confidence(confidence: Any, who: str) -> float:
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, (int, float, np.integer, np.floating))
        or not 0.0 < float(confidence) < 1.0
    ):
        raise ValueError(
            f"{who}: confidence must be a float strictly between 0 and 1 (0.9 for the 5th "
            f"to 95th percentiles); got {confidence!r}."
        )
    return float(confidence)


def _band_coverage(lower: ArrayLike, upper: ArrayLike, predictions: ArrayLike) -> float:
    """The share of ``predictions[b, i]`` inside ``[lower[i], upper[i]]``, over all b and i."""
    low, high, pred = np.asarray(lower), np.asarray(upper), np.asarray(predictions)
    return float(np.mean((pred >= low) & (pred <= high)))


def plot_intervals(
    x: ArrayLike,
    ideal: ArrayLike,
    bootstrap: ArrayLike | tuple[ArrayLike, ArrayLike],
    *,
    confidence: float = 0.90,
    prediction: ArrayLike | None = None,
    truth: ArrayLike | None = None,
    X_train: ArrayLike | None = None,
    y_train: ArrayLike | None = None,
    ax: Any = None,
) -> Any:
    """The bootstrap band against the ideal band from fresh training sets, coverage stated.

    Parameters
    ----------
    x : array-like of shape (n_points,) or (n_points, 1)
        The inputs, in increasing order.
    ideal : array-like of shape (B_fresh, n_points)
        Predictions of predictors each trained on a fresh training set, e.g. the third
        output of ``ideal_interval(..., return_predictions=True)``; the ideal band is
        their ``confidence`` percentile band.
    bootstrap : array-like of shape (B, n_points), or a pair (lower, upper)
        Bootstrap predictions (``BootstrapCI.predict_bootstrap``), whose percentile band
        is drawn, or the bounds themselves (from ``BootstrapCI.predict``, any method).
    confidence : float, default=0.90
        The level of both bands.
    prediction : array-like of shape (n_points,), optional
        The fit on the one training set.
    truth : array-like of shape (n_points,), optional
        The true regression function.
    X_train, y_train : array-like, optional
        The one training set, drawn as dots.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.collections[0]`` is the ideal band and ``ax.collections[1]`` the bootstrap
        band. The title states the coverage: the share of the fresh-set predictions
        ``ideal[b, i]`` that lie inside the bootstrap band at ``x[i]`` (over all ``b`` and
        ``i``), to compare with ``confidence``.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.plot import plot_intervals
    >>> x = np.linspace(0, 1, 20)
    >>> rng = np.random.default_rng(0)
    >>> ideal = x + rng.normal(0, 0.1, size=(200, 20))
    >>> boot = x + rng.normal(0.02, 0.08, size=(200, 20))
    >>> ax = plot_intervals(x, ideal, boot)
    >>> ax.get_title()
    'bootstrap 90% band holds 79.0% of the fresh-set predictions'
    """
    who = "plot_intervals"
    check_axes(ax, who)
    level = _check_confidence(confidence, who)
    xs = finite_1d(x, who, "x")
    n = len(xs)
    fresh = finite_2d(ideal, who, "ideal")
    if fresh.shape[1] != n or fresh.shape[0] < 2:
        raise ValueError(
            f"{who}: ideal must hold at least 2 fresh-set predictions of the {n} points, shape "
            f"(B_fresh, {n}); got shape {fresh.shape}."
        )
    alpha = (1.0 - level) / 2.0
    ideal_low, ideal_high = np.quantile(fresh, [alpha, 1.0 - alpha], axis=0)
    if isinstance(bootstrap, tuple):
        if len(bootstrap) != 2:
            raise ValueError(f"{who}: bootstrap as a tuple must be (lower, upper).")
        boot_low = finite_1d(bootstrap[0], who, "bootstrap lower bound")
        boot_high = finite_1d(bootstrap[1], who, "bootstrap upper bound")
        n_boot = None
    else:
        boot = finite_2d(bootstrap, who, "bootstrap")
        if boot.shape[0] < 2:
            raise ValueError(f"{who}: bootstrap needs at least 2 predictions; got {boot.shape}.")
        boot_low, boot_high = np.quantile(boot, [alpha, 1.0 - alpha], axis=0)
        n_boot = boot.shape[0]
    extras: dict[str, Any] = {"prediction": prediction, "truth": truth}
    curves = {k: finite_1d(v, who, k) for k, v in extras.items() if v is not None}
    for name, arr in {"bootstrap": boot_low, "bootstrap upper": boot_high, **curves}.items():
        if len(arr) != n:
            raise ValueError(
                f"{who}: {name} has {len(arr)} points but x has {n}; give one value per x."
            )
    if (X_train is None) != (y_train is None):
        raise ValueError(f"{who}: give both X_train and y_train, or neither.")
    if X_train is not None and y_train is not None:
        xt, yt = finite_1d(X_train, who, "X_train"), finite_1d(y_train, who, "y_train")
        if len(xt) != len(yt):
            raise ValueError(f"{who}: X_train has {len(xt)} rows but y_train has {len(yt)}.")
    coverage = _band_coverage(boot_low, boot_high, fresh)

    ax = new_axes(ax)
    pct = f"{100 * level:g}%"
    ax.fill_between(xs, ideal_low, ideal_high, color=_IDEAL_COLOUR, alpha=0.3,
                    label=f"ideal {pct} band ({fresh.shape[0]} fresh training sets)")  # fmt: skip
    boot_label = f"bootstrap {pct} band" + (f" ({n_boot} resamples)" if n_boot else "")
    ax.fill_between(xs, boot_low, boot_high, facecolor="none", edgecolor=_BOOT_COLOUR,
                    hatch="///", linewidth=1.0, label=boot_label)  # fmt: skip
    if "prediction" in curves:
        ax.plot(xs, curves["prediction"], color=_BOOT_COLOUR, linewidth=2.0, label="fit")
    if "truth" in curves:
        ax.plot(xs, curves["truth"], color="#d62728", linestyle="--", label="truth")
    if X_train is not None and y_train is not None:
        ax.scatter(xt, yt, s=10, color="black", alpha=0.6, label="training data")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title(f"bootstrap {pct} band holds {100 * coverage:.1f}% of the fresh-set predictions")
    ax.legend(loc="best", fontsize="small")
    return ax


def _samples(samples: Any, labels: Any, who: str) -> list[tuple[str | None, NDArray]]:
    if isinstance(samples, Mapping):
        if labels is not None:
            raise TypeError(f"{who}: labels are the dict's keys here; do not also pass labels=.")
        items: list[tuple[str | None, Any]] = [(str(k), v) for k, v in samples.items()]
    else:
        arr = np.asarray(samples, dtype=object) if not isinstance(samples, np.ndarray) else samples
        many = arr.ndim == 2 or (
            arr.ndim == 1 and len(arr) > 0 and all(np.ndim(s) == 1 for s in samples)
        )
        series = list(samples) if many else [samples]
        names: list[str | None] = list(check_labels(labels, len(series), who, "sample") or [])
        items = list(zip(names or [None] * len(series), series))
    if not items:
        raise ValueError(f"{who}: no samples to draw.")
    out: list[tuple[str | None, NDArray]] = []
    for name, values in items:
        arr = finite_1d(values, who, "samples" if name is None else f"samples {name!r}")
        if arr.size == 0:
            raise ValueError(f"{who}: {'the' if name is None else repr(name)} sample is empty.")
        out.append((name, arr))
    return out


def plot_ecdf(
    samples: ArrayLike | Mapping[str, ArrayLike] | Sequence[ArrayLike],
    *,
    labels: Sequence[str] | None = None,
    confidence: float | None = None,
    xlabel: str = "prediction f(x)",
    ax: Any = None,
) -> Any:
    """Empirical CDFs, :math:`\\widehat{CDF}(t) = \\frac1B \\#\\{b : s_b \\le t\\}`.

    Parameters
    ----------
    samples : array-like of shape (B,), list of them, or dict label -> array-like
        One sample per curve (e.g. the bootstrap and the fresh-set predictions at one x).
    labels : list of str, optional
        One per sample of a list.
    confidence : float, optional
        Also draw the levels ``alpha`` and ``1 - alpha`` (``alpha = (1 - confidence) / 2``)
        as horizontal lines and, for each sample, its interval (the quantiles at those
        levels) as two vertical dotted lines.
    xlabel : str, default="prediction f(x)"
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[k]`` is sample ``k``'s ECDF as a right-continuous step (``where='post'``):
        x data ``[u_0, u_0, u_1, ...]`` and y data ``[0, F(u_0), F(u_1), ...]`` for the
        sorted distinct values ``u_j``, with ``F(u_j)`` the share of values ``<= u_j``.
        With ``confidence``, the level lines and then two interval lines per sample follow.

    Examples
    --------
    >>> from nabla.plot import plot_ecdf
    >>> ax = plot_ecdf([3.0, 1.0, 2.0, 2.0])
    >>> ax.lines[0].get_xdata().tolist(), ax.lines[0].get_ydata().tolist()
    ([1.0, 1.0, 2.0, 3.0], [0.0, 0.25, 0.75, 1.0])
    """
    who = "plot_ecdf"
    check_axes(ax, who)
    items = _samples(samples, labels, who)
    level = None if confidence is None else _check_confidence(confidence, who)

    ax = new_axes(ax)
    colours = []
    for name, values in items:
        u, counts = np.unique(values, return_counts=True)
        cdf = np.cumsum(counts) / values.size
        (line,) = ax.step(np.r_[u[0], u], np.r_[0.0, cdf], where="post",
                          label=name if name is not None else "ECDF")  # fmt: skip
        colours.append(line.get_color())
    if level is not None:
        alpha = (1.0 - level) / 2.0
        for k, lev in enumerate((alpha, 1.0 - alpha)):
            ax.axhline(lev, color="grey", linestyle="--", linewidth=0.8,
                       label=f"levels {alpha:g} and {1 - alpha:g}" if k == 0 else None)  # fmt: skip
        for (_, values), colour in zip(items, colours):
            for q in np.quantile(values, [alpha, 1.0 - alpha]):
                ax.axvline(q, color=colour, linestyle=":", linewidth=1.0)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("empirical CDF")
    title = "empirical CDF"
    if level is not None:
        title += f" and {100 * level:g}% percentile interval"
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    handles, _ = ax.get_legend_handles_labels()
    if len(handles) > 1:
        ax.legend(loc="best", fontsize="small")
    return ax
