"""k-fold cross-validation of any estimator: ``cross_validate`` and ``cross_val_score``."""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nabla.model_selection._parallel import map_tasks, split_failures, take_rows
from nabla.model_selection._split import KFold, StratifiedKFold

Scoring = str | Callable[..., float] | list[str] | tuple[str, ...] | Mapping[str, Any] | None


def cross_validate(
    estimator: Any,
    X: ArrayLike,
    y: ArrayLike | None = None,
    *,
    cv: int | Any = 5,
    scoring: Scoring = None,
    n_jobs: int | None = None,
    return_train_score: bool = False,
    return_estimator: bool = False,
) -> dict[str, NDArray[Any] | list[Any]]:
    """Fit and score ``estimator`` on each fold of a cross-validation.

    For fold ``k`` with test set ``T_k``, a clone is fitted on the other samples and scored
    on ``T_k``; the ``k`` folds run as independent joblib tasks (``n_jobs``), in batches.

    Parameters
    ----------
    estimator : estimator
        Anything with ``fit`` and ``score`` (or the methods ``scoring`` needs): nabla's or
        scikit-learn's estimators.
    X : array-like of shape (n_samples, ...)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), optional
    cv : int, splitter or iterable of (train, test), default=5
        An int ``k`` means :class:`StratifiedKFold` for a classifier (with a class label
        ``y``) and :class:`KFold` otherwise, unshuffled; a splitter is anything with
        ``split(X, y, groups)`` (nabla's or scikit-learn's).
    scoring : None, str, callable, list of str or dict
        ``None`` uses ``estimator.score``; a string names a scikit-learn scorer
        (``"neg_mean_squared_error"``, ``"accuracy"``, ...); a callable is called as
        ``scoring(estimator, X_test, y_test)``; a list or dict gives several scores.
    n_jobs : int or None
        Workers for the folds (joblib semantics and backend).
    return_train_score : bool, default=False
        Also score each fitted clone on its training set.
    return_estimator : bool, default=False
        Also return the fitted clones.

    Returns
    -------
    dict
        ``fit_time``, ``score_time`` and ``test_score`` (``test_<name>`` for several
        scorers), each an array with one entry per fold; ``train_score`` /
        ``train_<name>`` and ``estimator`` when asked.
    """
    from sklearn.base import clone

    scorers = _check_scoring(estimator, scoring)
    folds = _check_cv(cv, estimator, X, y)
    template = clone(estimator)
    results = map_tasks(
        _fit_and_score,
        folds,
        args=(template, X, y, scorers, return_train_score, return_estimator),
        n_jobs=n_jobs,
    )
    ok, failed = split_failures(results)
    if failed:
        first = failed[0]
        raise RuntimeError(
            f"cross_validate: the estimator failed on {len(failed)} of {len(results)} folds "
            f"(first: fold {first.index}: {type(first.error).__name__}: {first.error})"
        ) from first.error

    out: dict[str, Any] = {
        "fit_time": np.array([r["fit_time"] for r in ok]),
        "score_time": np.array([r["score_time"] for r in ok]),
    }
    for name in scorers:
        key = "score" if name is None else name
        out[f"test_{key}"] = np.array([r["test"][name] for r in ok])
        if return_train_score:
            out[f"train_{key}"] = np.array([r["train"][name] for r in ok])
    if return_estimator:
        out["estimator"] = [r["estimator"] for r in ok]
    return out


def cross_val_score(
    estimator: Any,
    X: ArrayLike,
    y: ArrayLike | None = None,
    *,
    cv: int | Any = 5,
    scoring: str | Callable[..., float] | None = None,
    n_jobs: int | None = None,
) -> NDArray[np.float64]:
    """One score per fold: ``cross_validate(...)["test_score"]`` with a single scorer.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from nabla.model_selection import cross_val_score
    >>> X = np.arange(20.0).reshape(10, 2); y = X @ [1.0, -1.0]
    >>> cross_val_score(Ridge(alpha=1e-6), X, y, cv=5).round(6).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0]
    """
    if isinstance(scoring, (list, tuple, dict)):
        raise TypeError(
            "cross_val_score: scoring must be one scorer (None, a name or a callable); "
            f"got {type(scoring).__name__}. Use cross_validate for several scores."
        )
    result = cross_validate(estimator, X, y, cv=cv, scoring=scoring, n_jobs=n_jobs)
    return np.asarray(result["test_score"], dtype=np.float64)


def _check_scoring(estimator: Any, scoring: Scoring) -> dict[str | None, Any]:
    """Map score names to scorers; the single default scorer has the name None."""
    from sklearn.metrics import get_scorer

    if scoring is None:
        if not hasattr(estimator, "score"):
            raise TypeError(
                f"cross_validate: {type(estimator).__name__} has no score method; "
                "pass scoring= (a scorer name or a callable)."
            )
        return {None: _default_score}
    if isinstance(scoring, str):
        return {None: get_scorer(scoring)}
    if callable(scoring):
        return {None: scoring}
    if isinstance(scoring, (list, tuple)):
        if not scoring or not all(isinstance(s, str) for s in scoring):
            raise ValueError(
                "cross_validate: a list of scorers must be non-empty scorer names; "
                f"got {scoring!r}."
            )
        return {name: get_scorer(name) for name in scoring}
    if isinstance(scoring, Mapping) and scoring:
        return {
            str(name): get_scorer(s) if isinstance(s, str) else s for name, s in scoring.items()
        }
    raise ValueError(
        "cross_validate: scoring must be None, a scorer name, a callable, a list of names "
        f"or a dict of scorers; got {scoring!r}."
    )


def _default_score(estimator: Any, X: Any, y: Any) -> float:
    return float(estimator.score(X, y))


def _check_cv(cv: Any, estimator: Any, X: Any, y: Any) -> list[tuple[Any, Any]]:
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if _is_classifier(estimator) and y is not None and _is_class_label(y):
            cv = StratifiedKFold(int(cv))
        else:
            cv = KFold(int(cv))
    if hasattr(cv, "split") and not isinstance(cv, str):
        return list(cv.split(X, y))
    if isinstance(cv, Iterable) and not isinstance(cv, str):
        return list(cv)
    raise ValueError(
        "cross_validate: cv must be an int, a splitter with a split method, or an iterable "
        f"of (train, test) index pairs; got {cv!r}."
    )


def _is_classifier(estimator: Any) -> bool:
    from sklearn.base import is_classifier

    return bool(is_classifier(estimator))


def _is_class_label(y: Any) -> bool:
    from sklearn.utils.multiclass import type_of_target

    return type_of_target(y) in ("binary", "multiclass")


def _fit_and_score(
    fold: tuple[NDArray[np.intp], NDArray[np.intp]],
    template: Any,
    X: Any,
    y: Any,
    scorers: dict[str | None, Any],
    return_train_score: bool,
    return_estimator: bool,
) -> dict[str, Any]:
    from sklearn.base import clone

    train, test = fold
    est = clone(template)
    X_train, y_train = take_rows(X, train), take_rows(y, train)
    start = time.perf_counter()
    if y_train is None:
        est.fit(X_train)
    else:
        est.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    start = time.perf_counter()
    X_test, y_test = take_rows(X, test), take_rows(y, test)
    result: dict[str, Any] = {"test": {n: s(est, X_test, y_test) for n, s in scorers.items()}}
    result["score_time"] = time.perf_counter() - start
    result["fit_time"] = fit_time
    if return_train_score:
        result["train"] = {n: s(est, X_train, y_train) for n, s in scorers.items()}
    if return_estimator:
        result["estimator"] = est
    return result
