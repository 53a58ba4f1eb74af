"""Decision boundaries of any classifier over two input features.

A classifier is one of three kinds, each evaluated on a grid of points:

* an estimator with ``predict`` (nabla's, scikit-learn's); ``predict_proba`` for shading;
* a nabla ``nn.Module``, called on a float tensor (its parameters' dtype) in evaluation
  mode without gradients; its output is read as logits, as nabla's losses from logits
  expect: ``(m, k)`` scores give class ``argmax`` and probabilities ``softmax``, one column
  (or ``(m,)``) a binary logit, class 1 where it is positive. A network whose last layer
  is ``Sigmoid`` or ``Softmax`` outputs probabilities and is read as such;
* a plain callable on a float64 array ``(m, n_features)``, returning labels ``(m,)`` or
  scores ``(m, k)`` (probabilities when every row is non-negative and sums to 1, else
  logits).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nabla.plot._figure import check_axes, new_axes

WHO = "plot_decision_boundary"


def _softmax(z: NDArray) -> NDArray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _module_output(model: Any, grid: NDArray) -> NDArray:
    from nabla.autograd.engine import no_grad
    from nabla.autograd.tensor import Tensor

    params = list(model.parameters())
    dtype = params[0].data.dtype if params else np.float32
    modes = [(m, m.training) for m in model.modules()]  # parents before their children
    try:
        model.eval()
        with no_grad():
            out = model(Tensor(grid.astype(dtype)))
    except (ValueError, TypeError, RuntimeError) as exc:
        raise ValueError(
            f"{WHO}: the model failed on inputs of {grid.shape[1]} features ({exc}). Pass X "
            "with exactly the features the model takes; to draw 2 of more, choose them with "
            "features=(i, j) and fix the others with fixed={k: value} or fixed='median'."
        ) from exc
    finally:
        for m, mode in modes:
            m.train(mode)
    return np.asarray(getattr(out, "data", out), dtype=np.float64)


def _scores_to_classes(scores: NDArray, probabilities: bool) -> tuple[NDArray, NDArray]:
    """Class codes and class probabilities from ``(m, k)`` scores or a binary column."""
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores[:, 0]
    if scores.ndim == 1:
        p1 = scores if probabilities else 1.0 / (1.0 + np.exp(-np.clip(scores, -500, 500)))
        proba = np.column_stack([1.0 - p1, p1])
    else:
        proba = scores if probabilities else _softmax(scores)
    return proba.argmax(axis=1), proba


def _evaluate(
    model: Any, grid: NDArray, want_proba: bool
) -> tuple[NDArray | None, NDArray, NDArray | None]:
    """The classes (None: from the labels), the labels at the grid, class probabilities."""
    if hasattr(model, "predict"):
        labels = np.asarray(model.predict(grid))
        proba = None
        if want_proba:
            if not hasattr(model, "predict_proba"):
                raise ValueError(
                    f"{WHO}: proba=True needs predict_proba, which "
                    f"{type(model).__name__} does not have."
                )
            proba = np.asarray(model.predict_proba(grid), dtype=np.float64)
        known = getattr(model, "classes_", None)
        return (None if known is None else np.asarray(known)), labels, proba
    if hasattr(model, "named_modules") and hasattr(model, "parameters"):
        out = _module_output(model, grid)
        leaves = [m for m in model.modules() if not list(m.children())]
        probabilities = bool(leaves) and type(leaves[-1]).__name__ in ("Sigmoid", "Softmax")
    elif callable(model):
        out = np.asarray(model(grid))
        if out.ndim == 1 and not want_proba:
            return None, out, None
        if out.ndim == 1:
            raise ValueError(
                f"{WHO}: proba=True needs class scores, shape (m, k), but the callable "
                "returned labels, shape (m,)."
            )
        out = out.astype(np.float64)
        rows = out.sum(axis=1)
        probabilities = bool((out >= 0).all() and np.allclose(rows, 1.0, atol=1e-6))
    else:
        raise TypeError(
            f"{WHO}: the classifier must have predict, be an nn.Module or a callable; got "
            f"{type(model).__name__}."
        )
    if out.ndim not in (1, 2) or out.shape[0] != grid.shape[0] or not np.isfinite(out).all():
        raise ValueError(
            f"{WHO}: the model's output must be finite scores of shape (m, k) or (m,) for m "
            f"inputs; got shape {out.shape} for m = {grid.shape[0]}."
        )
    codes, proba = _scores_to_classes(out, probabilities)
    return np.arange(proba.shape[1]), codes, proba


def _feature_plan(
    X: NDArray, features: Any, fixed: Any
) -> tuple[tuple[int, int], dict[int, float]]:
    """The two drawn features and the values of the others; refuse what is missing."""
    d = X.shape[1]
    try:
        i, j = (int(features[0]), int(features[1]))
        ok = len(features) == 2 and 0 <= i < d and 0 <= j < d and i != j
    except (TypeError, ValueError, IndexError):
        ok = False
    if not ok:
        raise ValueError(
            f"{WHO}: features must be two different column indices of X (0..{d - 1}); "
            f"got {features!r}."
        )
    others = [k for k in range(d) if k not in (i, j)]
    if isinstance(fixed, str):
        if fixed not in ("mean", "median"):
            raise ValueError(f"{WHO}: fixed must be 'mean', 'median' or a dict; got {fixed!r}.")
        stat = np.mean if fixed == "mean" else np.median
        return (i, j), {k: float(stat(X[:, k])) for k in others}
    values = {} if fixed is None else fixed
    if not isinstance(values, Mapping):
        raise TypeError(f"{WHO}: fixed must be a dict {{feature: value}} or 'median'.")
    missing = [k for k in others if k not in values]
    if missing:
        raise ValueError(
            f"{WHO}: X must have 2 features, shape (n_samples, 2), or say which to draw and "
            f"where to hold the rest; got shape {X.shape}. Give features=(i, j) and "
            f"fixed={{k: value}} for feature(s) {missing} (or fixed='median')."
        )
    extra = sorted(set(values) - set(others), key=str)
    if extra:
        raise ValueError(f"{WHO}: fixed names features {extra} that are drawn or not in X.")
    return (i, j), {k: float(values[k]) for k in others}


def plot_decision_boundary(
    estimator: Any,
    X: ArrayLike,
    y: ArrayLike | None = None,
    *,
    resolution: int = 200,
    margin: float = 0.1,
    feature_names: Sequence[str] | None = None,
    class_names: Sequence[str] | None = None,
    features: tuple[int, int] = (0, 1),
    fixed: Mapping[int, float] | str | None = None,
    proba: bool = False,
    title: str | None = None,
    ax: Any = None,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    """Draw the regions a classifier assigns to each class, over two input features.

    The classifier is evaluated on a ``resolution x resolution`` grid covering the data
    plus ``margin`` of its range on each side (the other features held at ``fixed``); the
    regions are filled by class (tab10 colour ``k`` for class ``k``), the boundaries drawn
    in black, and the points ``X`` (coloured by ``y`` when given) on top.

    Parameters
    ----------
    estimator : classifier
        A fitted estimator with ``predict``, an ``nn.Module`` or a callable (see the
        module docstring for how each is read).
    X : array-like of shape (n_samples, n_features)
        Two features, or more with ``features`` and ``fixed``.
    y : array-like of shape (n_samples,), optional
    resolution : int, default=200
        Grid points per axis, at least 2.
    margin : float, default=0.1
        Extra space around the data, as a fraction of its range.
    feature_names : sequence of str, optional
        One name per column of ``X`` (default: a DataFrame's columns, else x1, x2, ...).
    class_names : sequence of str, optional
        Legend names of the classes, in class order (default: the labels; 0..k-1 for a
        network).
    features : (int, int), default=(0, 1)
        The columns of ``X`` on the horizontal and vertical axes.
    fixed : dict {column: value}, "mean" or "median", optional
        Where to hold the other columns; required when ``X`` has more than 2.
    proba : bool, default=False
        Shade each region by the probability of its class instead of a flat fill: the
        colour is the class's, the opacity ``0.6 (p - 1/k) / (1 - 1/k)`` for the
        predicted class's probability ``p`` among ``k`` classes.
    title : str, optional
    ax : matplotlib Axes, optional
    path : str or path-like, optional
        Also save the figure there, atomically.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (for compatibility with earlier releases); ``fig.axes[0]`` holds the
        drawing, with a class legend.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.plot import plot_decision_boundary
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> y = np.array([0, 1, 1, 0])  # XOR
    >>> xor = lambda Z: ((Z[:, 0] > 0.5) != (Z[:, 1] > 0.5)).astype(int)
    >>> fig = plot_decision_boundary(xor, X, y, class_names=["off", "on"],
    ...                              feature_names=["a", "b"], resolution=20)
    >>> ax = fig.axes[0]
    >>> [t.get_text() for t in ax.get_legend().get_texts()], ax.get_xlabel()
    (['off', 'on'], 'a')
    """
    from matplotlib import colormaps
    from matplotlib.patches import Patch

    from nabla.plot.bands import save_figure

    check_axes(ax, WHO)
    X_arr = np.asarray(X, dtype=np.float64)
    if X_arr.ndim != 2 or X_arr.shape[1] < 2 or X_arr.shape[0] == 0:
        raise ValueError(
            f"{WHO}: X must have 2 features, shape (n_samples, 2) (or more with features= "
            f"and fixed=); got shape {X_arr.shape}."
        )
    if not np.isfinite(X_arr).all():
        raise ValueError(f"{WHO}: X has non-finite values; remove them before plotting.")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"{WHO}: resolution must be an int >= 2; got {resolution!r}.")
    if not isinstance(proba, (bool, np.bool_)):
        raise TypeError(f"{WHO}: proba must be True or False; got {proba!r}.")
    d = X_arr.shape[1]
    (fi, fj), held = _feature_plan(X_arr, features, fixed)
    names = feature_names if feature_names is not None else getattr(X, "columns", None)
    names = [f"x{k + 1}" for k in range(d)] if names is None else [str(n) for n in names]
    if len(names) != d:
        raise ValueError(f"{WHO}: feature_names has {len(names)} names for {d} features.")
    n_in = getattr(estimator, "n_features_in_", None)
    if n_in is not None and n_in != d:
        raise ValueError(
            f"{WHO}: the model was fitted on {n_in} features but X has {d}. Pass X with all "
            f"{n_in} columns, choose the two to draw with features=(i, j) and fix the others "
            "with fixed={k: value} or fixed='median'."
        )
    y_arr = None if y is None else np.asarray(y)
    if y_arr is not None and y_arr.shape != (X_arr.shape[0],):
        raise ValueError(
            f"{WHO}: y must have one label per row of X ({X_arr.shape[0]}); got shape "
            f"{y_arr.shape}."
        )

    low, high = X_arr[:, [fi, fj]].min(axis=0), X_arr[:, [fi, fj]].max(axis=0)
    pad = margin * np.where(high > low, high - low, 1.0)
    g0 = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    g1 = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    xx, yy = np.meshgrid(g0, g1)
    grid = np.empty((xx.size, d))
    grid[:, fi], grid[:, fj] = xx.ravel(), yy.ravel()
    for k, v in held.items():
        grid[:, k] = v
    classes, labels, probs = _evaluate(estimator, grid, bool(proba))
    probs = probs if proba else None
    if classes is None:
        seen = [labels] if y_arr is None else [labels, y_arr]
        classes = np.unique(np.concatenate(seen))
    zz = _codes(classes, labels).reshape(xx.shape).astype(np.float64)
    point_codes = None if y_arr is None else _codes(classes, y_arr)
    legend_names = [str(c) for c in classes] if class_names is None else list(class_names)
    if len(legend_names) != len(classes):
        raise ValueError(
            f"{WHO}: class_names has {len(legend_names)} names for {len(classes)} classes."
        )

    tab10 = np.asarray(colormaps["tab10"](np.arange(10)))[:, :3]  # the 10 colours, in order
    ax = new_axes(ax)
    fig = ax.figure
    levels = np.arange(len(classes) + 1) - 0.5
    if probs is None:
        ax.contourf(xx, yy, zz, levels=levels, cmap="tab10", vmin=0, vmax=9, alpha=0.3)
    else:
        k = max(probs.shape[1], 2)
        p = probs.max(axis=1).reshape(xx.shape)
        rgba = np.empty((*xx.shape, 4))
        rgba[..., :3] = tab10[zz.astype(int) % 10]
        rgba[..., 3] = 0.6 * np.clip((p - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
        ax.imshow(rgba, origin="lower", extent=(g0[0], g0[-1], g1[0], g1[-1]), aspect="auto",
                  interpolation="nearest")  # fmt: skip
    if len(classes) > 1:
        ax.contour(xx, yy, zz, levels=levels[1:-1], colors="black", linewidths=0.8)
    if point_codes is not None:
        ax.scatter(
            X_arr[:, fi], X_arr[:, fj], c=point_codes, cmap="tab10", vmin=0, vmax=9,
            s=14, edgecolors="black", linewidths=0.3,
        )  # fmt: skip
    else:
        ax.scatter(X_arr[:, fi], X_arr[:, fj], s=14, color="black")
    handles = [Patch(color=tuple(tab10[c % 10]), alpha=0.6, label=name)
               for c, name in enumerate(legend_names)]  # fmt: skip
    ax.legend(handles=handles, title="class", loc="best", fontsize="small")
    ax.set_xlim(g0[0], g0[-1])
    ax.set_ylim(g1[0], g1[-1])
    ax.set_xlabel(names[fi])
    ax.set_ylabel(names[fj])
    notes = [f"{names[k]} = {v:.3g}" for k, v in held.items()]
    if title or notes:
        ax.set_title((title or "") + (" " if title and notes else "") +
                     (f"({', '.join(notes)} fixed)" if notes else ""))  # fmt: skip
    if path is not None:
        save_figure(fig, path)
    return fig


def _codes(classes: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Position of each label in ``classes`` (which need not be sorted)."""
    order = np.argsort(classes)
    pos = np.searchsorted(classes[order], labels)
    pos = np.clip(pos, 0, len(classes) - 1)
    if not np.all(classes[order][pos] == labels):
        raise ValueError("plot_decision_boundary: y has labels the estimator does not know.")
    return order[pos]
