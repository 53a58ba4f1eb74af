"""nabla: the machine learning of the lecture notes, from first principles, on NumPy.

The tensor and autograd API is imported eagerly (it needs only NumPy); every other part
(``nn``, ``optim``, the estimators, ``io``, ``plot``, ...) is imported on first use so that
``import nabla`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from nabla.autograd import (
    Tensor,
    enable_grad,
    is_grad_enabled,
    no_grad,
    tensor,
)

__version__ = "0.1.0"

_SUBMODULES = {
    "autograd",
    "nn",
    "optim",
    "data",
    "train",
    "io",
    "plot",
    "linear_model",
    "preprocessing",
    "kernel_ridge",
    "neighbors",
    "discriminant_analysis",
    "neural_network",
    "model_selection",
    "ensemble",
    "datasets",
    "distributions",
}

__all__ = ["Tensor", "__version__", "enable_grad", "is_grad_enabled", "no_grad", "tensor"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"nabla.{name}")
    raise AttributeError(f"module 'nabla' has no attribute {name!r}")
