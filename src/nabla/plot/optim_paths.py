"""Optimisers compared on one figure: their trajectories over the contours of a 2-D function.

As in the notes on optimisation: plain gradient descent zig-zags across a narrow valley,
momentum overshoots and comes back, the adaptive methods rescale each coordinate, and
Newton's method jumps to the minimum of the local quadratic model. Every trajectory is run
with nabla's own optimisers (``nabla.optim``) on a two-element ``Parameter``.

The test functions are written with arithmetic operators only, so one definition serves
NumPy arrays (the contours) and nabla tensors (the gradients).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nabla.plot._figure import check_axes, legend_if_several, new_axes

WHO = "plot_optimizer_paths"
Factory = Callable[[list[Any]], Any]


def rosenbrock(x: Any, y: Any) -> Any:
    """Rosenbrock's banana valley ``(1 - x)^2 + 100 (y - x^2)^2``; minimum 0 at (1, 1).

    Examples
    --------
    >>> from nabla.plot import rosenbrock
    >>> rosenbrock(1.0, 1.0), rosenbrock(0.0, 0.0)
    (0.0, 1.0)
    """
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def quadratic_bowl(x: Any, y: Any) -> Any:
    """An elongated bowl ``x^2 / 2 + 5 y^2`` (Hessian condition number 10); minimum at 0.

    Examples
    --------
    >>> from nabla.plot import quadratic_bowl
    >>> quadratic_bowl(2.0, 1.0)
    7.0
    """
    return 0.5 * x * x + 5.0 * y * y


def beale(x: Any, y: Any) -> Any:
    """Beale's function ``sum_k (c_k - x + x y^k)^2``, c = 1.5, 2.25, 2.625; minimum (3, 0.5).

    Examples
    --------
    >>> from nabla.plot import beale
    >>> beale(3.0, 0.5)
    0.0
    """
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y * y * y) ** 2


def saddle(x: Any, y: Any) -> Any:
    """The saddle ``x^2 - y^2``: a stationary point at 0 that is not a minimum.

    Examples
    --------
    >>> from nabla.plot import saddle
    >>> saddle(1.0, 0.0), saddle(0.0, 1.0)  # up along x, down along y
    (1.0, -1.0)
    """
    return x * x - y * y


# name -> (function, default view ((x0, x1), (y0, y1)), minimum or None)
TEST_FUNCTIONS: dict[str, tuple[Callable[[Any, Any], Any], tuple[Any, Any], Any]] = {
    "rosenbrock": (rosenbrock, ((-2.0, 2.0), (-1.0, 3.0)), (1.0, 1.0)),
    "quadratic_bowl": (quadratic_bowl, ((-3.0, 3.0), (-2.0, 2.0)), (0.0, 0.0)),
    "beale": (beale, ((-4.5, 4.5), (-4.5, 4.5)), (3.0, 0.5)),
    "saddle": (saddle, ((-2.0, 2.0), (-2.0, 2.0)), None),
}


def _check_function(f: Any) -> tuple[Callable[[Any, Any], Any], Any, Any, str]:
    """The function, its default view, its minimum and its name; refuse non-2-D ones."""
    if isinstance(f, str):
        if f not in TEST_FUNCTIONS:
            raise ValueError(
                f"{WHO}: unknown function {f!r}; choose from {sorted(TEST_FUNCTIONS)}."
            )
        fn, view, minimum = TEST_FUNCTIONS[f]
        return fn, view, minimum, f
    if not callable(f):
        raise TypeError(f"{WHO}: f must be a function f(x, y) or a name; got {f!r}.")
    try:
        inspect.signature(f).bind(0.0, 0.0)
    except TypeError:
        raise ValueError(
            f"{WHO}: f must be a function of 2 variables called as f(x, y) (x and y arrays of "
            f"one shape, one value per point); {getattr(f, '__name__', f)!r} cannot take 2 "
            "arguments. For a function of a vector w, pass lambda x, y: g(...) of x and y."
        ) from None
    except ValueError:  # no signature (a builtin): trust the call below
        pass
    return f, None, None, getattr(f, "__name__", "f")


def _check_start(start: ArrayLike) -> NDArray:
    try:
        point = np.asarray(start, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{WHO}: start must be a point (x, y); got {start!r}.") from None
    if point.shape != (2,):
        raise ValueError(
            f"{WHO}: start must be a point (x, y) of a 2-D function, shape (2,); got shape "
            f"{point.shape}. The figure draws functions of exactly 2 variables."
        )
    if not np.isfinite(point).all():
        raise ValueError(f"{WHO}: start must be finite; got {point.tolist()}.")
    return point


def _check_steps(steps: Any) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"{WHO}: steps must be an int >= 1; got {steps!r}.")
    return int(steps)


def optimizer_path(
    f: Callable[[Any, Any], Any] | str, make_optimizer: Factory, start: ArrayLike, steps: int
) -> NDArray:
    """The iterates of one optimiser on ``f``, from ``start``: shape ``(k + 1, 2)``.

    ``w`` is a float64 ``Parameter`` holding ``start``; ``opt = make_optimizer([w])``; then
    ``steps`` times ``opt.step(closure)``, where ``closure`` zeroes the gradient, computes
    ``f(w[0], w[1])``, back-propagates and returns it. Row 0 is ``start`` and row ``i`` the
    parameter after step ``i``. The path stops early (``k < steps``) at the first iterate
    that is not finite, which is then the last row: a diverging run ends where it left the
    plane.

    BFGS and L-BFGS run up to ``max_iter`` iterations per ``step``, as in PyTorch: give
    ``max_iter=1`` to see every iteration, with ``max_eval`` (default ``max_iter * 5 // 4``)
    raised to leave the line search its evaluations, e.g.
    ``BFGS(p, max_iter=1, max_eval=25)``.

    Examples
    --------
    >>> from functools import partial
    >>> from nabla import optim
    >>> from nabla.plot import optimizer_path, quadratic_bowl
    >>> path = optimizer_path(quadratic_bowl, partial(optim.SGD, lr=0.1), [2.0, 1.0], 3)
    >>> path.round(4).tolist()  # x shrinks by 1 - 0.1 * 1 each step, y by 1 - 0.1 * 10
    [[2.0, 1.0], [1.8, 0.0], [1.62, 0.0], [1.458, 0.0]]
    """
    fn = _check_function(f)[0]
    point = _check_start(start)
    n = _check_steps(steps)
    _check_values(fn)
    return _run(fn, make_optimizer, point, n)[0]


def _check_values(fn: Callable[[Any, Any], Any]) -> None:
    """``f`` must give one value per point of two arrays of one shape."""
    probe = np.linspace(0.1, 0.9, 6).reshape(2, 3)
    with np.errstate(all="ignore"):
        try:
            z = np.asarray(fn(probe, probe[::-1]), dtype=np.float64)
        except Exception as exc:
            raise ValueError(
                f"{WHO}: f(x, y) failed on two arrays of shape (2, 3) ({type(exc).__name__}: "
                f"{exc}); f must be a function of 2 variables evaluated elementwise."
            ) from exc
    if z.shape != probe.shape:
        raise ValueError(
            f"{WHO}: f(x, y) must return one value per point of x and y (shape (2, 3) for "
            f"x, y of shape (2, 3)); got shape {z.shape}. Is f a function of exactly 2 "
            "variables?"
        )


def _run(
    fn: Callable[[Any, Any], Any], make_optimizer: Factory, start: NDArray, steps: int
) -> tuple[NDArray, str]:
    """The path and the optimiser's class name."""
    from nabla.nn.parameter import Parameter

    w = Parameter(start.copy())
    opt = make_optimizer([w])
    if not (hasattr(opt, "step") and hasattr(opt, "zero_grad")):
        raise TypeError(
            f"{WHO}: each optimiser must be a factory params -> optimiser, such as "
            f"functools.partial(optim.Adam, lr=0.1); it returned {type(opt).__name__}."
        )

    def closure() -> Any:
        opt.zero_grad()
        loss = fn(w[0], w[1])
        loss.backward()
        return loss

    path = [w.data.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            opt.step(closure)
            path.append(np.asarray(w.data, dtype=np.float64).copy())
            if not np.isfinite(path[-1]).all():
                break
    return np.array(path), type(opt).__name__


def _label(make_optimizer: Any, opt_type: str) -> str:
    kw = getattr(make_optimizer, "keywords", None) or {}
    shown = {k: v for k, v in kw.items() if k in ("lr", "momentum", "nesterov")}
    if not shown:
        return opt_type
    return opt_type + " (" + ", ".join(f"{k}={v}" for k, v in shown.items()) + ")"


def plot_optimizer_paths(
    f: Callable[[Any, Any], Any] | str,
    optimizers: Mapping[str, Factory] | Sequence[Factory],
    start: ArrayLike,
    steps: int = 50,
    *,
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
    levels: int = 30,
    ax: Any = None,
) -> Any:
    """Contours of a 2-D function with the trajectory of each optimiser from one start.

    Parameters
    ----------
    f : callable or str
        ``f(x, y)``, evaluated elementwise on NumPy arrays (the contours) and on nabla
        tensors (the gradients), so written with arithmetic operators; or the name of a
        test function: ``'rosenbrock'``, ``'quadratic_bowl'``, ``'beale'``, ``'saddle'``.
    optimizers : mapping label -> factory, or sequence of factories
        A factory takes the parameter list and returns a ``nabla.optim`` optimiser, e.g.
        ``functools.partial(optim.SGD, lr=1e-3, momentum=0.9)`` or
        ``lambda p: optim.BFGS(p, max_iter=1, max_eval=25)`` (one iteration per step).
        Without labels the legend names the optimiser's class (and a partial's ``lr``,
        ``momentum``, ``nesterov``).
    start : (x, y)
    steps : int, default=50
        Calls of ``step(closure)`` per optimiser (see :func:`optimizer_path`).
    bounds : ((x0, x1), (y0, y1)), optional
        The view. Default: the test function's usual view, else the trajectories' extent
        with a tenth of it as margin.
    levels : int, default=30
        Contour levels, placed at quantiles of ``f`` over the view so that steep and flat
        regions both get lines.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[k]`` is optimiser ``k``'s trajectory: its x and y data are the rows of
        :func:`optimizer_path`. The minimum, when known, is a star after them.

    Examples
    --------
    >>> from functools import partial
    >>> from nabla import optim
    >>> from nabla.plot import plot_optimizer_paths
    >>> ax = plot_optimizer_paths(
    ...     "rosenbrock",
    ...     {"SGD": partial(optim.SGD, lr=1e-3), "Adam": partial(optim.Adam, lr=0.05)},
    ...     start=[-1.5, 2.0], steps=100)
    >>> [line.get_label() for line in ax.lines[:2]], len(ax.lines[0].get_xdata())
    (['SGD', 'Adam'], 101)
    """
    check_axes(ax, WHO)
    fn, view, minimum, fname = _check_function(f)
    point = _check_start(start)
    n = _check_steps(steps)
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 2:
        raise ValueError(f"{WHO}: levels must be an int >= 2; got {levels!r}.")
    entries: list[tuple[str | None, Factory]]
    if isinstance(optimizers, Mapping):
        entries = [(str(k), v) for k, v in optimizers.items()]
    elif isinstance(optimizers, Sequence) and not isinstance(optimizers, str):
        entries = [(None, v) for v in optimizers]
    else:
        raise TypeError(
            f"{WHO}: optimizers must be a dict label -> factory or a list of factories; "
            f"got {type(optimizers).__name__}."
        )
    if not entries:
        raise ValueError(f"{WHO}: optimizers is empty; give at least one factory.")
    for label, factory in entries:
        if not callable(factory):
            raise TypeError(
                f"{WHO}: optimiser {label or factory!r} must be a factory params -> optimiser "
                "(e.g. functools.partial(optim.SGD, lr=0.01)), not an optimiser or a value."
            )
    if bounds is not None:
        view = _check_bounds(bounds)

    _check_values(fn)

    paths, labels = [], []
    for label, factory in entries:
        path, opt_type = _run(fn, factory, point, n)
        paths.append(path)
        labels.append(label if label is not None else _label(factory, opt_type))

    if view is None:
        finite = np.vstack([p[np.isfinite(p).all(axis=1)] for p in paths])
        low, high = finite.min(axis=0), finite.max(axis=0)
        pad = 0.1 * np.where(high > low, high - low, 1.0)
        view = ((low[0] - pad[0], high[0] + pad[0]), (low[1] - pad[1], high[1] + pad[1]))
    (x0, x1), (y0, y1) = view
    xx, yy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    with np.errstate(over="ignore", invalid="ignore"):
        zz = np.asarray(fn(xx, yy), dtype=np.float64)
    zs = zz[np.isfinite(zz)]
    if zs.size == 0 or zs.min() == zs.max():
        raise ValueError(f"{WHO}: f is constant or not finite over the view {view}.")
    contour_levels = np.unique(np.quantile(zs, np.linspace(0.0, 1.0, int(levels))))

    ax = new_axes(ax)
    cs = ax.contour(xx, yy, zz, levels=contour_levels, cmap="viridis", linewidths=0.6)
    for k, (path, label) in enumerate(zip(paths, labels)):
        ax.plot(path[:, 0], path[:, 1], "-o", color=f"C{k % 10}", markersize=2.5,
                linewidth=1.2, label=label)  # fmt: skip
    if minimum is not None:
        ax.plot(*minimum, marker="*", color="red", markersize=12, linestyle="none",
                label="minimum")  # fmt: skip
    ax.plot(*point, marker="s", color="black", markersize=5, linestyle="none", label="start")
    ax.set_xlim(*view[0])
    ax.set_ylim(*view[1])
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(f"{fname}: {n} steps from ({point[0]:g}, {point[1]:g})")
    ax.clabel(cs, cs.levels[:: max(1, len(cs.levels) // 6)], fontsize=6, fmt="%.3g")
    legend_if_several(ax, loc="best", fontsize="small")
    return ax


def _check_bounds(bounds: Any) -> tuple[tuple[float, float], tuple[float, float]]:
    try:
        arr = np.asarray(bounds, dtype=np.float64)
    except (TypeError, ValueError):
        arr = np.empty(0)
    if arr.shape != (2, 2) or not np.isfinite(arr).all() or not (arr[:, 0] < arr[:, 1]).all():
        raise ValueError(
            f"{WHO}: bounds must be ((x0, x1), (y0, y1)) with x0 < x1 and y0 < y1; got {bounds!r}."
        )
    return (float(arr[0, 0]), float(arr[0, 1])), (float(arr[1, 0]), float(arr[1, 1]))
