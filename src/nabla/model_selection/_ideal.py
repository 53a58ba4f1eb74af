"""The ideal confidence interval of a prediction: refits on fresh training sets.

The bootstrap lecture first builds the interval it would like to have: if training sets
could be drawn at will, train ``B`` predictors, each on ``n`` fresh samples, and read the
interval at ``x`` off the empirical CDF of their predictions ``f^(b)(x)``. The bootstrap
imitates this with resamples of the one training set; on simulated data, where fresh sets
are available, :func:`ideal_interval` gives the target the bootstrap band is compared with.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nabla.model_selection._intervals import check_interval_params, quantile
from nabla.model_selection._parallel import (
    map_tasks,
    seed_sequence,
    set_random_states,
    split_failures,
)

WHO = "ideal_interval"


class _BadDraw(ValueError):
    """``data_generator`` did not return a training set ``(X, y)``."""


def _fit_fresh(
    seed: np.random.SeedSequence,
    data_generator: Callable[[np.random.Generator], Any],
    template: Any,
    X: Any,
) -> NDArray[np.float64]:
    from sklearn.base import clone

    rng = np.random.default_rng(seed)
    drawn = data_generator(rng)
    if not (isinstance(drawn, tuple) and len(drawn) == 2):
        raise _BadDraw(
            f"{WHO}: data_generator(rng) must return a training set (X_train, y_train); got "
            f"{type(drawn).__name__}."
        )
    est = clone(template)
    set_random_states(est, rng)
    return np.asarray(est.fit(*drawn).predict(X), dtype=np.float64)


def ideal_interval(
    data_generator: Callable[[np.random.Generator], tuple[Any, Any]],
    estimator: Any,
    X: ArrayLike,
    B: int = 200,
    confidence: float = 0.90,
    random_state: int | np.random.Generator | np.random.SeedSequence | None = None,
    *,
    n_jobs: int | None = None,
    return_predictions: bool = False,
) -> tuple[NDArray[np.float64], ...]:
    """The percentile band of predictions at ``X`` over ``B`` fresh training sets.

    The contract, exactly (so that a plain loop reproduces it)::

        seeds = numpy.random.SeedSequence(random_state).spawn(B)
        for b in range(B):
            rng = numpy.random.default_rng(seeds[b])
            X_b, y_b = data_generator(rng)            # a fresh training set
            est = sklearn.base.clone(estimator)
            # its k random_state parameters (nested ones too), in sorted order of
            # their names, get rng.integers(0, 2**31 - 1, size=k)
            predictions[b] = est.fit(X_b, y_b).predict(X)
        alpha = (1 - confidence) / 2
        lower = numpy.quantile(predictions, alpha, axis=0)        # linear interpolation
        upper = numpy.quantile(predictions, 1 - alpha, axis=0)

    (a ``Generator`` as ``random_state`` is first asked for the ``SeedSequence``'s
    entropy, as in :class:`BootstrapCI`). The result is the same for any ``n_jobs``.

    Parameters
    ----------
    data_generator : callable
        ``data_generator(rng) -> (X_train, y_train)``: one fresh training set, drawing all
        its randomness from the ``numpy.random.Generator`` it is given. It must be
        picklable (a module-level function or a ``functools.partial``) to run with
        ``n_jobs`` other than 1.
    estimator : estimator
        Anything with ``fit`` and ``predict``; cloned for each set, never changed.
    X : array-like of shape (n_points, ...)
        Where to predict (a grid).
    B : int, default=200
        Number of fresh training sets, at least 2.
    confidence : float, default=0.90
        The level, strictly between 0 and 1 (the lecture's 5th to 95th percentiles).
    random_state : int, Generator, SeedSequence or None
    n_jobs : int, optional
        Workers for the refits (joblib).
    return_predictions : bool, default=False
        Also return the ``B`` predictions, shape ``(B, n_points[, n_outputs])``: their
        empirical CDF at one ``x`` is the lecture's :math:`\\widehat{CDF}(\\hat y)`.

    Returns
    -------
    lower, upper : ndarray of shape (n_points[, n_outputs])
    predictions : ndarray of shape (B, n_points[, n_outputs])
        Only with ``return_predictions=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from nabla.model_selection import ideal_interval
    >>> def draw(rng):
    ...     x = rng.uniform(-1, 1, size=(30, 1))
    ...     return x, 2 * x[:, 0] + rng.normal(0, 0.5, 30)
    >>> low, high = ideal_interval(draw, LinearRegression(), [[0.0], [1.0]], B=100,
    ...                            random_state=0)
    >>> bool(np.all(low < high)), bool(high[1] - low[1] > high[0] - low[0])  # wider at the edge
    (True, True)
    """
    if not callable(data_generator):
        raise TypeError(
            f"{WHO}: data_generator must be a function rng -> (X_train, y_train); got "
            f"{type(data_generator).__name__}."
        )
    if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
        raise TypeError(f"{WHO}: estimator must have fit and predict; got {estimator!r}.")
    if isinstance(B, bool) or not isinstance(B, Integral) or B < 2:
        raise ValueError(f"{WHO}: B must be an int >= 2 (fresh training sets); got {B!r}.")
    check_interval_params(WHO, confidence, "percentile")
    if not isinstance(return_predictions, (bool, np.bool_)):
        raise TypeError(f"{WHO}: return_predictions must be True or False.")
    from sklearn.base import clone

    seeds = seed_sequence(random_state, WHO).spawn(int(B))
    results = map_tasks(
        _fit_fresh, seeds, args=(data_generator, clone(estimator), X), n_jobs=n_jobs
    )
    _, failed = split_failures(results)
    if failed:
        first = failed[0]
        if isinstance(first.error, _BadDraw):
            raise first.error
        raise RuntimeError(
            f"{WHO}: fitting failed on {len(failed)} of {B} fresh training sets (first: set "
            f"{first.index}: {type(first.error).__name__}: {first.error})"
        ) from first.error
    shapes = {r.shape for r in results}
    if len(shapes) > 1:
        raise ValueError(f"{WHO}: the predictions at X differ in shape across sets: {shapes}.")
    predictions = np.stack(results)
    bad = ~np.isfinite(predictions).reshape(len(predictions), -1).all(axis=1)
    if bad.any():
        raise RuntimeError(
            f"{WHO}: the estimator predicted non-finite values after {int(bad.sum())} of {B} "
            f"fresh training sets (first: set {int(np.argmax(bad))}); no interval can be read."
        )
    alpha = (1.0 - float(confidence)) / 2.0
    ordered = np.sort(predictions, axis=0)
    lower, upper = quantile(ordered, np.float64(alpha)), quantile(ordered, np.float64(1 - alpha))
    if return_predictions:
        return lower, upper, predictions
    return lower, upper
