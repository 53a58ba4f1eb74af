"""Training diagnostics layer by layer: gradient norms and activation statistics.

The notes explain vanishing and exploding gradients and why initialisation matters by how
numbers change across layers: with small weights the activations "decay to zero", with
large ones they "explode", and a good initialisation keeps the variance of the activations
and of the gradients about the same in every layer. These figures draw those numbers.

Input format (what a training callback records, one entry per recorded step; step ``i``
of every layer is the same training step):

* gradient statistics: ``{name: [g_0, g_1, ...]}``, ``name`` a layer or parameter name
  (as ``Module.named_parameters`` spells it) and ``g_i >= 0`` the Euclidean norm of its
  gradient at step ``i``;
* activation statistics: ``{layer: {"mean": [...], "std": [...], "saturation": [...]}}``,
  the mean and standard deviation of the layer's outputs over the batch and units, and
  the fraction of units saturated (sigmoid/tanh outputs near their bounds) or dead (ReLU
  outputs exactly 0); any subset of the keys.

Non-finite values (a NaN or inf from an exploding run) are drawn as gaps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nabla.plot._figure import check_axes, legend_if_several, new_axes

_STAT_LABELS = {
    "mean": "activation mean",
    "std": "activation standard deviation",
    "saturation": "fraction of units saturated or dead",
}


def _values(values: Any, who: str, where: str) -> NDArray:
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise TypeError(f"{who}: {where} must be a list of numbers, one per step; got {values!r}.")
    try:
        arr = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {where} must be a list of numbers, one per step.") from None
    if arr.ndim != 1:
        raise ValueError(f"{who}: {where} must be 1-D (one number per step).")
    if arr.size == 0:
        raise ValueError(f"{who}: {where} is empty; record at least one step before plotting.")
    return arr


def _table(series: dict[str, NDArray], who: str) -> NDArray:
    """Stack per-layer series of one length into (layers, steps); refuse unequal lengths."""
    lengths = {name: len(v) for name, v in series.items()}
    if len(set(lengths.values())) > 1:
        first = next(iter(lengths))
        other = next(n for n, k in lengths.items() if k != lengths[first])
        raise ValueError(
            f"{who}: every layer needs one value per step; {first!r} has {lengths[first]} "
            f"but {other!r} has {lengths[other]}."
        )
    return np.vstack(list(series.values()))


def _x(steps: Any, n: int, who: str) -> NDArray:
    if steps is None:
        return np.arange(1, n + 1, dtype=np.float64)
    x = _values(steps, who, "steps")
    if len(x) != n:
        raise ValueError(f"{who}: steps has {len(x)} values but the statistics have {n} steps.")
    return x


def _check_step(step: Any, n: int, who: str) -> int:
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not -n <= step < n:
        raise ValueError(
            f"{who}: step must be an int index into the {n} recorded steps (-1 for the last); "
            f"got {step!r}."
        )
    return int(step)


def _profile(ax: Any, names: list[str], values: NDArray, label: str, log: bool) -> None:
    """One line across layers (x = layer position, ticks = names)."""
    x = np.arange(len(names))
    ax.plot(x, values, "-o", markersize=4, label=label)
    ax.set_xticks(x, names, rotation=45 if len(names) > 4 else 0, ha="right", fontsize="small")
    ax.set_xlabel("layer (input to output)")
    if log:
        ax.set_yscale("log")


def _module_grad_norms(module: Any) -> dict[str, NDArray]:
    norms = {}
    for name, p in module.named_parameters():
        if p.grad is not None:
            g = np.asarray(p.grad, dtype=np.float64)
            norms[name] = np.array([np.sqrt(np.sum(g * g))])
    if not norms:
        raise ValueError(
            f"plot_gradient_flow: {type(module).__name__} has no gradients; run "
            "loss.backward() first (or pass recorded statistics {name: [norm per step]})."
        )
    return norms


def plot_gradient_flow(
    stats: Mapping[str, Sequence[float]] | Any,
    *,
    step: int | None = None,
    steps: Sequence[float] | None = None,
    label: str | None = None,
    logy: bool = True,
    ax: Any = None,
) -> Any:
    """Gradient norms per layer: over training, or across layers at one step.

    Parameters
    ----------
    stats : mapping name -> sequence of gradient norms, or a Module
        The format of the module docstring. A ``Module`` gives the current gradient norm
        ``||p.grad||`` of each named parameter that has a gradient (after a backward pass),
        drawn across parameters.
    step : int, optional
        Draw one line across layers at this recorded step (``-1``: the last) instead of one
        line per layer over the steps: a gradient that shrinks from the output to the input
        layers is vanishing. Call again with another ``step``, or another run's statistics,
        on the same ``ax`` to compare them (an initialisation against another).
    steps : sequence of float, optional
        The x values of the steps (default 1, 2, ...).
    label : str, optional
        The legend entry of the across-layers line (default ``"step k"``).
    logy : bool, default=True
        Logarithmic y axis: gradient norms often span decades.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Over steps: ``ax.lines[k]`` is layer ``k``'s norms. Across layers: the new last line
        holds one norm per layer.

    Examples
    --------
    >>> from nabla.plot import plot_gradient_flow
    >>> stats = {"fc1.weight": [1e-3, 2e-3, 4e-3], "fc2.weight": [0.5, 0.4, 0.3]}
    >>> ax = plot_gradient_flow(stats)
    >>> [line.get_label() for line in ax.lines], ax.get_yscale()
    (['fc1.weight', 'fc2.weight'], 'log')
    >>> ax = plot_gradient_flow(stats, step=-1)
    >>> ax.lines[0].get_ydata().tolist()
    [0.004, 0.3]
    """
    who = "plot_gradient_flow"
    check_axes(ax, who)
    if hasattr(stats, "named_parameters") and callable(stats.named_parameters):
        series = _module_grad_norms(stats)
        step, label = 0 if step is None else step, label or "current gradients"
    elif isinstance(stats, Mapping):
        if not stats:
            raise ValueError(f"{who}: stats is empty; give {{name: [norm per step]}}.")
        series = {str(k): _values(v, who, f"stats[{k!r}]") for k, v in stats.items()}
    else:
        raise TypeError(
            f"{who}: stats must be a mapping name -> gradient norms per step, or a Module; "
            f"got {type(stats).__name__}."
        )
    table = _table(series, who)
    if (table < 0).any():
        raise ValueError(f"{who}: gradient norms cannot be negative; got {table.min()}.")
    names, n = list(series), table.shape[1]
    x = _x(steps, n, who)
    if step is not None:
        step = _check_step(step, n, who)

    ax = new_axes(ax)
    if step is None:
        for name, row in zip(names, table):
            ax.plot(x, row, "-", marker="o", markersize=2.5, label=name)
        ax.set_xlabel("step")
        if logy:
            ax.set_yscale("log")
    else:
        _profile(ax, names, table[:, step], label or f"step {step}", logy)
    ax.set_ylabel("gradient norm ||∂L/∂θ||")
    ax.set_title("gradient flow")
    ax.grid(True, alpha=0.3, which="both")
    legend_if_several(ax, loc="best", fontsize="small")
    return ax


def plot_activation_stats(
    stats: Mapping[str, Mapping[str, Sequence[float]]],
    key: str = "std",
    *,
    step: int | None = None,
    steps: Sequence[float] | None = None,
    label: str | None = None,
    ax: Any = None,
) -> Any:
    """Activation mean, standard deviation or saturated fraction per layer.

    Parameters
    ----------
    stats : mapping layer -> mapping statistic -> sequence
        The format of the module docstring.
    key : {"mean", "std", "saturation"} or another recorded key, default="std"
        The statistic to draw. With ``"mean"``, when ``"std"`` is recorded too, a band
        ``mean ± std`` is shaded around each layer's mean over the steps.
    step : int, optional
        Draw one line across layers at this recorded step (``-1``: the last): the notes'
        check that the variance stays the same in every layer. Call again on the same
        ``ax`` to compare initialisations.
    steps : sequence of float, optional
        The x values of the steps (default 1, 2, ...).
    label : str, optional
        The legend entry of the across-layers line (default ``"step k"``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Over steps: ``ax.lines[k]`` is layer ``k``'s statistic. Across layers: the new last
        line holds one value per layer.

    Examples
    --------
    >>> from nabla.plot import plot_activation_stats
    >>> stats = {"tanh1": {"std": [0.6, 0.5]}, "tanh2": {"std": [0.3, 0.2]}}
    >>> ax = plot_activation_stats(stats, "std", step=0, label="N(0, 0.01) init")
    >>> ax.lines[0].get_ydata().tolist(), ax.get_ylabel()
    ([0.6, 0.3], 'activation standard deviation')
    """
    who = "plot_activation_stats"
    check_axes(ax, who)
    if not isinstance(stats, Mapping) or not stats:
        raise (TypeError if not isinstance(stats, Mapping) else ValueError)(
            f"{who}: stats must be a non-empty mapping layer -> {{statistic: [value per "
            f"step]}}; got {stats!r}."
        )
    if not isinstance(key, str):
        raise TypeError(f"{who}: key must be a statistic name such as 'std'; got {key!r}.")
    series, spread = {}, {}
    for layer, record in stats.items():
        if not isinstance(record, Mapping):
            raise TypeError(
                f"{who}: stats[{layer!r}] must be a mapping statistic -> values per step "
                f"(e.g. {{'mean': [...], 'std': [...]}}); got {type(record).__name__}."
            )
        if key not in record:
            raise ValueError(f"{who}: layer {layer!r} has no {key!r}; it records {sorted(record)}.")
        series[str(layer)] = _values(record[key], who, f"stats[{layer!r}][{key!r}]")
        if key == "mean" and "std" in record:
            spread[str(layer)] = _values(record["std"], who, f"stats[{layer!r}]['std']")
    table = _table(series, who)
    if spread:
        if len(spread) != len(series):
            spread = {}  # a band for some layers only would mislead: none
        elif _table(spread, who).shape != table.shape:
            raise ValueError(f"{who}: 'std' and 'mean' must have the same number of steps.")
    names, n = list(series), table.shape[1]
    x = _x(steps, n, who)
    if step is not None:
        step = _check_step(step, n, who)

    ax = new_axes(ax)
    if step is None:
        for name, row in zip(names, table):
            (line,) = ax.plot(x, row, "-", marker="o", markersize=2.5, label=name)
            if name in spread:
                ax.fill_between(
                    x, row - spread[name], row + spread[name], color=line.get_color(), alpha=0.2
                )
        ax.set_xlabel("step")
    else:
        _profile(ax, names, table[:, step], label or f"step {step}", False)
    ylabel = _STAT_LABELS.get(key, key)
    ax.set_ylabel(ylabel + (" (band: ± std)" if spread and step is None else ""))
    ax.set_title("activation statistics")
    ax.grid(True, alpha=0.3)
    legend_if_several(ax, loc="best", fontsize="small")
    return ax
