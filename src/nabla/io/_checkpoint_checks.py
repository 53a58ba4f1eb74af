"""Checks of a checkpoint's contents, so that restoring it is all or nothing.

``load_checkpoint`` checks the type of every field; ``Checkpoint.validate`` checks the
optimiser and scheduler states against the live objects they will be loaded into (on
scratch copies, or field by field), before anything changes. Each error is a
``ValueError`` naming the file and the field.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np

Array = np.ndarray

#: field -> (accepted types, what the message says); None is accepted where listed
_FIELDS: dict[str, tuple[tuple[type, ...], str]] = {
    "model_spec": ((dict, type(None)), "a model description or null"),
    "model_state": ((dict,), "a dict of arrays"),
    "optimizer_class": ((str, type(None)), "a class name or null"),
    "optimizer_state": ((dict, type(None)), "a dict or null"),
    "scheduler_class": ((str, type(None)), "a class name or null"),
    "scheduler_state": ((dict, type(None)), "a dict or null"),
    "history": ((dict,), "a dict of lists"),
    "rng_state": ((dict,), "a dict of generator states"),
    "extra": ((dict,), "a dict"),
}


def _kind(value: Any) -> str:
    """How to show a value read from a file: small scalars as they are, others by type."""
    if value is None or isinstance(value, (bool, int, float)):
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."
    return f"a {type(value).__name__}"


def invalid(p: Path, field: str, problem: str, who: str = "load_checkpoint") -> ValueError:
    return ValueError(f"{who}: '{p}' has an invalid {field}: {problem}")


def check_fields(tree: Any, p: Path) -> dict[str, Any]:
    """The checkpoint's fields, each of the type ``save_checkpoint`` writes."""
    if not isinstance(tree, dict):
        raise ValueError(f"load_checkpoint: '{p}' has invalid contents: not a checkpoint tree")
    missing = [k for k in ("epoch", *_FIELDS) if k not in tree]
    if missing:
        raise ValueError(f"load_checkpoint: '{p}' has invalid contents: it lacks {missing}")
    epoch = tree["epoch"]
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise invalid(p, "epoch", f"expected an integer >= 0, got {_kind(epoch)}")
    for name, (types, what) in _FIELDS.items():
        if not isinstance(tree[name], types):
            raise invalid(p, name, f"expected {what}, got {_kind(tree[name])}")
    for name, value in tree["model_state"].items():
        if not isinstance(value, np.ndarray):
            raise invalid(p, f"model_state[{name!r}]", f"expected an array, got {_kind(value)}")
    for part in ("optimizer", "scheduler"):
        if (tree[f"{part}_class"] is None) != (tree[f"{part}_state"] is None):
            raise invalid(p, f"{part}_state", f"it does not match {part}_class")
    for name, values in tree["history"].items():
        if not isinstance(values, list):
            raise invalid(p, f"history[{name!r}]", f"expected a list, got {_kind(values)}")
    for name, state in tree["rng_state"].items():
        if not isinstance(state, dict):
            raise invalid(p, f"rng_state[{name!r}]", f"expected a dict, got {_kind(state)}")
    return tree


def _check_leaves(value: Any, field: str, p: Path, who: str) -> None:
    """Numbers finite, arrays numeric and finite; containers checked recursively."""
    if isinstance(value, dict):
        for k, v in value.items():
            _check_leaves(v, f"{field}[{k!r}]", p, who)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_leaves(v, f"{field}[{i}]", p, who)
    elif isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise invalid(p, field, f"an array of {value.dtype}, not numbers", who)
        if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
            raise invalid(p, field, "it holds NaN or infinite values", who)
    elif isinstance(value, float) and math.isnan(value):
        raise invalid(p, field, "it is NaN", who)
    elif value is not None and not isinstance(value, (bool, int, float, str)):
        raise invalid(p, field, f"unexpected {_kind(value)}", who)


def check_optimizer_state(optimizer: Any, state: dict[str, Any], p: Path, who: str) -> None:
    """``state`` loads into ``optimizer``: tried on a scratch copy, then value by value."""
    field = "optimizer_state"
    try:
        # load_state_dict checks everything, then rebinds the copy's attributes only
        copy.copy(optimizer).load_state_dict(state)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise invalid(p, field, " ".join(str(exc).split()), who) from None
    _check_leaves(state.get("param_groups"), f"{field}['param_groups']", p, who)
    for index, values in state["state"].items():
        where = f"{field}['state'][{index!r}]"
        if not isinstance(values, dict):
            raise invalid(p, where, f"expected a dict, got {_kind(values)}", who)
        for name, value in values.items():
            if name in getattr(optimizer, "_shaped_state", ()) and not isinstance(
                value, (np.ndarray, type(None))
            ):
                raise invalid(
                    p, f"{where}[{name!r}]", f"expected an array, got {_kind(value)}", who
                )
            if name == "step" and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise invalid(
                    p, f"{where}['step']", f"expected an integer >= 0, got {_kind(value)}", who
                )
            _check_leaves(value, f"{where}[{name!r}]", p, who)


def check_like(saved: Any, live: Any, field: str, p: Path, who: str) -> None:
    """``saved`` has the structure and value types of ``live`` (a scheduler's state).

    Keys match exactly; an int stays an int, a float may be any real number (not NaN),
    a str a str, a list a list of the same length; None may take a number's place.
    """
    if isinstance(live, dict):
        if not isinstance(saved, dict) or set(saved) != set(live):
            raise invalid(p, field, f"expected the keys {sorted(map(str, live))}", who)
        for k in live:
            check_like(saved[k], live[k], f"{field}[{k!r}]", p, who)
    elif isinstance(live, (list, tuple)):
        if not isinstance(saved, (list, tuple)) or len(saved) != len(live):
            raise invalid(p, field, f"expected a list of {len(live)} values", who)
        for i, (s, v) in enumerate(zip(saved, live)):
            check_like(s, v, f"{field}[{i}]", p, who)
    elif isinstance(live, bool):
        if not isinstance(saved, bool):
            raise invalid(p, field, f"expected true or false, got {_kind(saved)}", who)
    elif isinstance(live, int):
        if isinstance(saved, bool) or not isinstance(saved, int):
            raise invalid(p, field, f"expected an integer, got {_kind(saved)}", who)
    elif isinstance(live, float) or live is None:
        ok = saved is None if live is None else False
        ok = ok or (
            isinstance(saved, (int, float))
            and not isinstance(saved, bool)
            and not math.isnan(saved)
        )
        if not ok:
            raise invalid(p, field, f"expected a number, got {_kind(saved)}", who)
    elif isinstance(live, str):
        if not isinstance(saved, str):
            raise invalid(p, field, f"expected a string, got {_kind(saved)}", who)
    else:
        _check_leaves(saved, field, p, who)
