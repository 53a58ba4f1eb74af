"""Figures for teaching and diagnosing: what the lecture notes draw on the board.

Every figure uses matplotlib's object API, takes ``ax=`` (a new figure when not given: a
``pyplot`` one once the caller has imported pyplot, so ``plt.show()`` shows it, else a
standalone Agg figure), labels its axes, adds a legend when it draws more than one series,
and never shows or saves anything by itself (except the file forms that take ``path=``).
Input is checked before anything is drawn.

matplotlib is imported only when a plotting function is first used, so ``import nabla`` stays
fast. Each family lives in its own module: ``curves`` (training histories), ``bands``
(confidence bands), ``boundary`` (decision boundaries), ``activations``, ``optim_paths``
(optimisers on 2-D test functions), ``diagnostics`` (gradient flow, activation statistics),
``lr_find`` (the learning-rate range test),
``validation`` (validation curves), ``matrices`` (confusion and kernel matrices),
``convnets`` (filters, feature maps) and ``intervals`` (ideal against bootstrap bands,
empirical CDFs).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "plot_history": "curves",
    "plot_confidence_band": "bands",
    "plot_decision_boundary": "boundary",
    "plot_activations": "activations",
    "plot_optimizer_paths": "optim_paths",
    "optimizer_path": "optim_paths",
    "rosenbrock": "optim_paths",
    "quadratic_bowl": "optim_paths",
    "beale": "optim_paths",
    "saddle": "optim_paths",
    "plot_gradient_flow": "diagnostics",
    "plot_activation_stats": "diagnostics",
    "plot_lr_find": "lr_find",
    "plot_validation_curve": "validation",
    "plot_confusion_matrix": "matrices",
    "plot_kernel_matrix": "matrices",
    "plot_filters": "convnets",
    "plot_feature_maps": "convnets",
    "plot_intervals": "intervals",
    "plot_ecdf": "intervals",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f"nabla.plot.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'nabla.plot' has no attribute {name!r}")
