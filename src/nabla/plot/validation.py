"""Model complexity against error: the validation curve.

The notes' picture of model selection: as a complexity parameter grows (a polynomial's
degree, 1/λ, 1/k for k neighbours, 1/sigma for a kernel's bandwidth) the training error keeps
falling while the validation error falls, then rises again (overfitting); the chosen value
is where the validation error is lowest. The errors are k-fold cross-validated with
``nabla.model_selection.cross_validate``, every value on the same folds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nabla.plot._figure import check_axes, legend_if_several, new_axes

WHO = "plot_validation_curve"


def _error_of(scoring: Any, classifier: bool) -> tuple[Callable[[NDArray], NDArray], str]:
    """How a score becomes an error (lower is better), and the axis label."""
    if isinstance(scoring, str) and scoring.startswith("neg_"):
        return (lambda s: -s), scoring.removeprefix("neg_").replace("_", " ")
    if scoring is None:
        return (lambda s: 1.0 - s), (
            "error rate (1 - accuracy)" if classifier else "error (1 - R²)"
        )
    name = scoring if isinstance(scoring, str) else getattr(scoring, "__name__", "score")
    return (lambda s: 1.0 - s), f"1 - {name}"


def _validation_errors(
    estimator: Any,
    param: str,
    values: Sequence[Any],
    X: ArrayLike,
    y: ArrayLike | None,
    *,
    cv: Any = 5,
    scoring: Any = None,
    n_jobs: int | None = None,
) -> tuple[NDArray, NDArray]:
    """Training and validation scores, each of shape ``(len(values), n_folds)``.

    Row ``i`` is ``cross_validate`` of ``clone(estimator).set_params(param=values[i])`` on
    folds drawn once for all values (as scikit-learn's ``validation_curve``).
    """
    from sklearn.base import clone

    from nabla.model_selection import cross_validate
    from nabla.model_selection._validation import _check_cv

    folds = _check_cv(cv, estimator, X, y)
    train, test = [], []
    for value in values:
        est = clone(estimator).set_params(**{param: value})
        res = cross_validate(
            est, X, y, cv=folds, scoring=scoring, n_jobs=n_jobs, return_train_score=True
        )
        train.append(res["train_score"])
        test.append(res["test_score"])
    return np.asarray(train, dtype=np.float64), np.asarray(test, dtype=np.float64)


def plot_validation_curve(
    estimator: Any,
    param: str,
    values: Sequence[Any],
    X: ArrayLike,
    y: ArrayLike | None = None,
    *,
    cv: Any = 5,
    scoring: Any = None,
    n_jobs: int | None = None,
    xscale: str | None = None,
    ax: Any = None,
) -> Any:
    """Training and validation error against a complexity parameter, the best value marked.

    Parameters
    ----------
    estimator : estimator
        Cloned for each value; never changed.
    param : str
        The parameter to vary, as ``set_params`` spells it (``"alpha"``,
        ``"poly__degree"`` in a pipeline).
    values : sequence
        Its values, in the order to draw them. Numbers are placed at their value; anything
        else (kernel names) at equal spacing with the values as tick labels.
    X, y : array-like
    cv : int, splitter or iterable of (train, test), default=5
        As in ``nabla.model_selection.cross_validate``; the folds are drawn once.
    scoring : None, str or callable
        ``None`` uses ``estimator.score``. The error drawn is ``-score`` for a ``"neg_*"``
        scorer (``"neg_mean_squared_error"`` gives the mean squared error) and
        ``1 - score`` otherwise (the error rate for accuracy, ``1 - R²`` for R²).
    n_jobs : int, optional
        Workers for the folds.
    xscale : {"linear", "log"}, optional
        Default: ``"log"`` when the values are positive numbers spanning a factor of 100
        or more (lambda, sigma), else ``"linear"``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` and ``ax.lines[1]``: mean training and validation error over the
        folds (shaded: ± one standard deviation over the folds); ``ax.lines[2]``: a
        vertical line at the value with the lowest mean validation error (the first one
        on ties).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from nabla.plot import plot_validation_curve
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 5)); y = X @ [1.0, 0.5, 0.0, 0.0, 2.0] + rng.normal(size=40)
    >>> ax = plot_validation_curve(Ridge(), "alpha", [0.01, 1.0, 100.0, 1e4], X, y)
    >>> [line.get_label() for line in ax.lines]
    ['training error', 'validation error', 'chosen: alpha = 1']
    """
    from sklearn.base import is_classifier

    check_axes(ax, WHO)
    if not (hasattr(estimator, "fit") and hasattr(estimator, "get_params")):
        raise TypeError(f"{WHO}: estimator must have fit and get_params; got {estimator!r}.")
    if not isinstance(param, str):
        raise TypeError(f"{WHO}: param must be a parameter name (str); got {param!r}.")
    known = estimator.get_params(deep=True)
    if param not in known:
        raise ValueError(
            f"{WHO}: {type(estimator).__name__} has no parameter {param!r}; it has {sorted(known)}."
        )
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise TypeError(f"{WHO}: values must be a list of values of {param!r}; got {values!r}.")
    values = list(values)
    if len(values) < 2:
        raise ValueError(f"{WHO}: values needs at least 2 values of {param!r}; got {values!r}.")
    if xscale not in (None, "linear", "log"):
        raise ValueError(f"{WHO}: xscale must be 'linear', 'log' or None; got {xscale!r}.")
    numeric = all(isinstance(v, Real) and not isinstance(v, bool) for v in values)
    if xscale == "log" and not (numeric and min(values) > 0):
        raise ValueError(f"{WHO}: xscale='log' needs positive numeric values; got {values!r}.")

    if y is not None:
        from sklearn.utils import check_consistent_length

        check_consistent_length(X, y)
    train, test = _validation_errors(
        estimator, param, values, X, y, cv=cv, scoring=scoring, n_jobs=n_jobs
    )
    to_error, ylabel = _error_of(scoring, is_classifier(estimator))
    train_err, test_err = to_error(train), to_error(test)
    best = int(np.argmin(test_err.mean(axis=1)))

    x = np.asarray(values, dtype=np.float64) if numeric else np.arange(len(values), dtype=float)
    if xscale is None:
        positive = numeric and x.min() > 0
        xscale = "log" if positive and x.max() / x.min() >= 100 else "linear"
    ax = new_axes(ax)
    for err, name in ((train_err, "training error"), (test_err, "validation error")):
        mean, sd = err.mean(axis=1), err.std(axis=1)
        (line,) = ax.plot(x, mean, "-o", markersize=4, label=name)
        ax.fill_between(x, mean - sd, mean + sd, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.axvline(
        x[best], color="black", linestyle="--", linewidth=1.0,
        label=f"chosen: {param} = {values[best]:g}" if numeric else f"chosen: {values[best]}",
    )  # fmt: skip
    if not numeric:
        ax.set_xticks(x, [str(v) for v in values])
    ax.set_xscale(xscale)
    ax.set_xlabel(param)
    ax.set_ylabel(ylabel)
    n_folds = train.shape[1]
    ax.set_title(f"validation curve ({n_folds}-fold cross-validation, band: ± std)")
    ax.grid(True, alpha=0.3)
    legend_if_several(ax, loc="best", fontsize="small")
    return ax
