"""Plots with matplotlib's Agg backend: training curves, confidence bands, decision boundaries.

matplotlib is imported only when a plotting function is first used, so ``import nabla`` stays
fast. Each family lives in its own module: ``curves`` (training history) and ``bands``
(confidence bands, decision boundaries).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "plot_history": "curves",
    "plot_confidence_band": "bands",
    "plot_decision_boundary": "bands",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f"nabla.plot.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'nabla.plot' has no attribute {name!r}")
