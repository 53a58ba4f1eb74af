"""Checks of the states callbacks save in checkpoints (see ``Callback.check_state``).

Each raises ``ValueError`` naming the callback and the field, before anything changes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from nabla.train.trainer import Trainer

Array = np.ndarray


def _short(value: Any) -> str:
    text = repr(value) if value is None or isinstance(value, (bool, int, float)) else None
    if text is None:
        return f"a {type(value).__name__}"
    return text if len(text) <= 40 else text[:37] + "..."


def fields(who: str, state: Any, names: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(state, dict):
        raise ValueError(f"{who}.load_state_dict: expected a dict, got {_short(state)}")
    missing = [k for k in names if k not in state]
    if missing:
        raise ValueError(f"{who}.load_state_dict: the state lacks {missing}")
    return state


def number(who: str, state: dict[str, Any], key: str) -> float | None:
    """None or a real number (not NaN): a best score."""
    v = state[key]
    if v is not None and (
        isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or math.isnan(v)
    ):
        raise ValueError(
            f"{who}.load_state_dict: {key!r} must be a number or None, got {_short(v)}"
        )
    return None if v is None else float(v)


def count(who: str, state: dict[str, Any], key: str, none: bool = False) -> int | None:
    """An integer >= 0 (or None where allowed): an epoch or a counter."""
    v = state[key]
    if v is None and none:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
        raise ValueError(f"{who}.load_state_dict: {key!r} must be an integer >= 0, got {_short(v)}")
    return int(v)


def weights(who: str, value: Any, key: str) -> dict[str, Array]:
    """A state dict of arrays (copied weights)."""
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(a, np.ndarray) for k, a in value.items()
    ):
        raise ValueError(f"{who}.load_state_dict: {key!r} must be a dict of arrays")
    return value


def fit_the_model(who: str, weights: dict[str, Array], key: str, trainer: Trainer) -> None:
    """Saved weights have the model's names, shapes and dtypes (they are loaded into it)."""
    live = {k: t.data for k, t in trainer.model.state_dict().items()}
    if weights.keys() != live.keys():
        raise ValueError(f"{who}: {key!r} holds weights of another model (other names)")
    for k, a in live.items():
        if weights[k].shape != a.shape or weights[k].dtype != a.dtype:
            raise ValueError(
                f"{who}: {key!r} holds {k!r} of shape {weights[k].shape} ({weights[k].dtype}), "
                f"the model's is {a.shape} ({a.dtype})"
            )
