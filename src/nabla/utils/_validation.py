"""Validation helpers for estimators: parameter checks, transactional fit, class targets.

Data validation itself is scikit-learn's (``validate_data``, ``check_array``), so error
messages match scikit-learn's word for word. What is added here is the transaction: a
``fit`` that fails (bad data, bad hyper-parameter, a matrix that is not positive definite)
leaves the estimator exactly as it was, including the result of a previous fit. The
hyper-parameter table and the sample-weight check it relies on live in ``nabla.base``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils.multiclass import check_classification_targets

from nabla.base import validate_params

F = TypeVar("F", bound=Callable[..., Any])


def atomic_fit(fit: F) -> F:
    """Decorate ``fit``: validate the hyper-parameters first, undo every change on error.

    The hyper-parameters are checked against the class's ``_constraints`` table
    (``nabla.base.validate_params``: ``InvalidParameterError`` names the estimator, the
    parameter, the rule and the value) before anything else happens; a class that still
    declares scikit-learn's ``_parameter_constraints`` instead is checked by scikit-learn.
    ``validate_data`` sets ``n_features_in_`` and
    ``feature_names_in_`` as a side effect, and a solver may fail after the data were
    found valid; so the instance dictionary is snapshotted and restored if ``fit``
    raises. Fitted attributes are always rebound, never modified in place, which makes
    the shallow snapshot sufficient.
    """
    checked = _fit_context(prefer_skip_nested_validation=True)(fit)

    @functools.wraps(fit)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        saved = dict(vars(self))
        try:
            if hasattr(type(self), "_constraints"):
                validate_params(self)
                return fit(self, *args, **kwargs)
            return checked(self, *args, **kwargs)
        except BaseException:
            vars(self).clear()
            vars(self).update(saved)
            raise

    return wrapper  # type: ignore[return-value]


def check_classification_y(
    y: np.ndarray, *, min_classes: int = 1, who: str = "This solver"
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(classes, encoded)`` for a 1-D classification target.

    Continuous or multi-output targets raise scikit-learn's "Unknown label type" error;
    fewer than ``min_classes`` classes raise scikit-learn's single-class message.
    """
    check_classification_targets(y)
    classes, encoded = np.unique(y, return_inverse=True)
    if classes.size < min_classes:
        raise ValueError(
            f"{who} needs samples of at least {min_classes} classes in the data, but the "
            f"data contains only one class: {classes[0]!r}"
        )
    return classes, encoded.reshape(-1)


def check_random_generator(random_state: Any) -> np.random.Generator:
    """A ``numpy.random.Generator`` from ``None``, an int, a RandomState or a Generator."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        # draw a seed from the legacy generator so that its state advances as usual
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    return np.random.default_rng(random_state)


def feature_names_in(estimator: Any, input_features: Any = None) -> list[str]:
    """Input feature names for ``get_feature_names_out``: given, seen at fit, or x0, x1, …"""
    n = estimator.n_features_in_
    seen = getattr(estimator, "feature_names_in_", None)
    if input_features is None:
        return list(seen) if seen is not None else [f"x{i}" for i in range(n)]
    names = [str(f) for f in np.asarray(input_features, dtype=object).ravel()]
    if len(names) != n:
        raise ValueError(
            f"input_features should have length equal to number of features ({n}), got {len(names)}"
        )
    if seen is not None and not np.array_equal(np.asarray(names, dtype=object), seen):
        raise ValueError("input_features is not equal to feature_names_in_")
    return names
