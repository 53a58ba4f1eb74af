"""The shared layer of nabla's scikit-learn-compatible estimators.

Every estimator declares its hyper-parameters once, in a class attribute ``_constraints``
(a table: parameter name -> list of accepted kinds), and decorates ``fit`` with
``nabla.utils.atomic_fit``. The decorator checks the table before anything else happens
(``InvalidParameterError`` with scikit-learn's wording, which names the estimator, the
parameter, the rule and the value) and undoes every change if ``fit`` raises, so that a
failed refit leaves the previous fitted attributes in place.

Also here: ``check_sample_weight`` (the weights every weighted ``fit`` accepts) and the
dtype policy (``FIT_DTYPE``: nabla's estimators fit and predict in float64).

The constraint kinds are

- ``Interval(Integral | Real, left, right, closed=...)``: a number in a range
  (``None`` for an unbounded side); booleans and NaN are never numbers here;
- ``StrOptions({...})``: one of a set of strings;
- ``"boolean"``, ``"random_state"`` (None, an int in [0, 2³² - 1], a ``RandomState`` or a
  ``Generator``), ``"array-like"``, ``callable``, ``None``, or a type (``dict``, ...).

Examples
--------
>>> from numbers import Real
>>> from sklearn.base import BaseEstimator
>>> class Shrink(BaseEstimator):
...     _constraints = {"alpha": [Interval(Real, 0, None, closed="left")]}
...     def __init__(self, alpha=1.0):
...         self.alpha = alpha
>>> try:
...     validate_params(Shrink(alpha=-1))
... except InvalidParameterError as exc:
...     print(exc)  # doctest: +NORMALIZE_WHITESPACE
The 'alpha' parameter of Shrink must be a float in the range [0.0, inf).
Got -1 instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral, Real
from typing import Any, cast

import numpy as np

__all__ = [
    "FIT_DTYPE",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "check_sample_weight",
    "validate_params",
]

# nabla's estimators compute in float64: inputs of any numeric dtype are converted once,
# at validation, and fitted attributes and predictions are float64
FIT_DTYPE = np.float64

_SEED_MAX = 2**32 - 1


class InvalidParameterError(ValueError, TypeError):
    """A hyper-parameter of the wrong type or value (a ValueError and a TypeError, as in
    scikit-learn, so that code catching either keeps working)."""


class Interval:
    """A number of type ``Integral`` or ``Real`` in [left, right] (``closed`` says which
    ends belong: "left", "right", "both" or "neither"; ``None`` is an open infinite end)."""

    def __init__(self, kind: type, left: float | None, right: float | None, *, closed: str) -> None:
        if kind not in (Integral, Real) or closed not in ("left", "right", "both", "neither"):
            raise ValueError(f"Interval: bad declaration ({kind!r}, closed={closed!r})")
        self.kind, self.left, self.right, self.closed = kind, left, right, closed

    def is_satisfied_by(self, value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, self.kind):
            return False
        value = cast(Any, value)  # a number of the declared kind: compared as such
        if self.kind is Real and not np.isfinite(value) and value == value:
            # ±inf is a float; it lies inside a range only at an open infinite end
            return (value > 0 and self.right is None) or (value < 0 and self.left is None)
        left_ok = self.left is None or (
            value >= self.left if self.closed in ("left", "both") else value > self.left
        )
        right_ok = self.right is None or (
            value <= self.right if self.closed in ("right", "both") else value < self.right
        )
        return bool(left_ok and right_ok)

    def __str__(self) -> str:
        def bound(b: float | None, inf: str) -> str:
            if b is None:
                return inf
            return str(float(b)) if self.kind is Real else str(b)

        lb = "[" if self.closed in ("left", "both") and self.left is not None else "("
        rb = "]" if self.closed in ("right", "both") and self.right is not None else ")"
        kind = "an int" if self.kind is Integral else "a float"
        return f"{kind} in the range {lb}{bound(self.left, '-inf')}, {bound(self.right, 'inf')}{rb}"


class StrOptions:
    """One string out of a fixed set."""

    def __init__(self, options: Iterable[str]) -> None:
        self.options = set(options)

    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.options

    def __str__(self) -> str:
        return "a str among {" + ", ".join(repr(o) for o in sorted(self.options)) + "}"


def _is_random_state(value: Any) -> bool:
    if value is None or isinstance(value, (np.random.RandomState, np.random.Generator)):
        return True
    return (
        isinstance(value, Integral)
        and not isinstance(value, (bool, np.bool_))
        and 0 <= cast(Any, value) <= _SEED_MAX
    )


def _is_array_like(value: Any) -> bool:
    return not isinstance(value, str) and (
        hasattr(value, "__array__") or hasattr(value, "__len__") or hasattr(value, "shape")
    )


# the named kinds: (test, how scikit-learn's messages spell them)
_NAMED: dict[str, tuple[Any, str]] = {
    "boolean": (lambda v: isinstance(v, (bool, np.bool_)), "an instance of 'bool'"),
    "random_state": (
        _is_random_state,
        f"an int in the range [0, {_SEED_MAX}], an instance of 'numpy.random.RandomState', "
        "an instance of 'numpy.random.Generator' or None",
    ),
    "array-like": (_is_array_like, "an array-like"),
}


def _check_one(kind: Any, value: Any) -> tuple[bool, str]:
    """(is ``value`` of this kind, the kind in words)."""
    if kind is None:
        return value is None, "None"
    if isinstance(kind, bool):  # one boolean value, the only one accepted
        return isinstance(value, (bool, np.bool_)) and bool(value) is kind, repr(kind)
    if kind is callable:
        return callable(value), "a callable"
    if isinstance(kind, str):
        test, words = _NAMED[kind]
        return bool(test(value)), words
    if isinstance(kind, type):
        # the abstract number types read as scikit-learn spells them
        names: dict[type, str] = {Integral: "int", Real: "float"}
        name = names.get(kind, kind.__name__)
        ok = isinstance(value, kind) and not (
            kind in (Integral, Real) and isinstance(value, (bool, np.bool_))
        )
        return ok, f"an instance of {name!r}"
    return kind.is_satisfied_by(value), str(kind)


def validate_params(estimator: Any) -> None:
    """Check each hyper-parameter against the class's ``_constraints`` table.

    Raises
    ------
    InvalidParameterError
        "The 'alpha' parameter of Ridge must be a float in the range [0.0, inf). Got -1
        instead.", for the first parameter that matches none of its kinds.
    """
    table: dict[str, list[Any]] = type(estimator)._constraints
    params = estimator.get_params(deep=False)
    for name, kinds in table.items():
        value = params[name]
        words = []
        for kind in kinds:
            ok, text = _check_one(kind, value)
            if ok:
                break
            words.append(text)
        else:
            rule = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
            raise InvalidParameterError(
                f"The {name!r} parameter of {type(estimator).__name__} must be {rule}. "
                f"Got {value!r} instead."
            )


def check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    """``sample_weight`` as a float64 array of shape (n_samples,), or None for unit weights.

    A scalar means that weight for every sample. The weights must be finite and
    non-negative and not all zero (a weighted mean needs a positive total); a weight of
    zero drops its row from the fit.

    Raises
    ------
    ValueError
        With the shape expected, or what is wrong with the values.
    """
    if sample_weight is None:
        return None
    try:
        w = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"sample_weight must be numbers, one per sample; could not convert: {exc}"
        ) from None
    if w.ndim == 0:
        w = np.full(n_samples, float(w))
    if w.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {w.shape}, expected {(n_samples,)}: give one weight "
            "per sample, as a 1-D array."
        )
    if not np.isfinite(w).all():
        raise ValueError("sample_weight contains NaN or infinity; give finite weights.")
    if (w < 0).any():
        raise ValueError("Negative values in data passed to sample_weight; weights must be >= 0.")
    if n_samples and not (w > 0).any():
        raise ValueError("Sample weights must contain at least one non-zero number; all are zero.")
    return w
