"""Loss modules (the course notes "Loss Function", "Output Activations"): thin wrappers of the
functions in ``nabla.nn.functional`` with PyTorch's names and arguments.

Each loss takes ``(input, target)`` and a ``reduction``: 'mean' (default), 'sum' or 'none'.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.nn import _functional_loss as FL
from nabla.nn.module import Module


def _buffer(value: Any, who: str, name: str) -> Tensor | None:
    if value is None:
        return None
    arr = np.asarray(value.data if isinstance(value, Tensor) else value)
    if arr.dtype.kind not in "biuf" or arr.ndim != 1:
        raise ValueError(f"{who}: {name} must be a 1-D numeric array, got {arr.dtype} {arr.shape}")
    return Tensor(arr.astype(np.float32) if arr.dtype.kind != "f" else arr.copy())


class _Loss(Module):
    _who = "Loss"

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = FL._check_reduction(reduction, self._who)

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error mean((x - y)^2) (the course notes' L = 1/m sum (h(x) - y)^2)."""

    _who = "MSELoss"

    def forward(self, input: Any, target: Any) -> Tensor:
        return FL.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error mean(abs(x - y))."""

    _who = "L1Loss"

    def forward(self, input: Any, target: Any) -> Tensor:
        return FL.l1_loss(input, target, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities (the course notes: CE = -sum y log sigma(z) + (1 - y)
    log(1 - sigma(z))). ``weight`` rescales each entry (broadcast to the input)."""

    _who = "BCELoss"

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        w = (
            None
            if weight is None
            else Tensor(np.asarray(weight.data if isinstance(weight, Tensor) else weight))
        )
        self.register_buffer("weight", w)

    def forward(self, input: Any, target: Any) -> Tensor:
        return FL.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy computed from logits z (stable: no sigmoid is formed); its
    gradient is sigma(z) - y (the course notes). ``pos_weight`` (per class) weighs positives."""

    _who = "BCEWithLogitsLoss"

    def __init__(self, weight: Any = None, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(reduction)
        w = (
            None
            if weight is None
            else Tensor(np.asarray(weight.data if isinstance(weight, Tensor) else weight))
        )
        self.register_buffer("weight", w)
        self.register_buffer("pos_weight", _buffer(pos_weight, self._who, "pos_weight"))

    def forward(self, input: Any, target: Any) -> Tensor:
        return FL.binary_cross_entropy_with_logits(
            input, target, self.weight, self.reduction, self.pos_weight
        )


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits (the course notes: log sum_j exp(a_j) - a_y).

    Parameters
    ----------
    weight : array (C,), optional
        Per-class weights.
    ignore_index : int, default -100
        Targets equal to it contribute nothing (class indices only).
    reduction : {'mean', 'sum', 'none'}
    label_smoothing : float in [0, 1], default 0
        Smooth the target by eps, as ``label_smoothing_over`` says.
    label_smoothing_over : {'all', 'others'}, default 'all'
        'all' (PyTorch's): T' = (1 - eps) T + eps / C, i.e. 1 - eps + eps / C on the true
        class and eps / C on each other (0.91 / 0.01 for eps = 0.1, C = 10). 'others' (the
        notes' form): 1 - eps on the true class and eps / (C - 1) on each other class
        (0.9 / 0.0111), T' = (1 - eps) T + eps / (C - 1) (1 - T).

    Shape
    -----
    input (N, C) or (N, C, d1, ...) logits; target (N,) / (N, d1, ...) class indices, or
    probabilities of the input's shape. Output: a scalar, or (N, ...) with 'none'.

    Examples
    --------
    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> logits = nabla.tensor(np.array([[2.0, 0.0, -1.0]], dtype=np.float32))
    >>> round(nn.CrossEntropyLoss()(logits, np.array([0])).item(), 4)
    0.1698
    """

    _who = "CrossEntropyLoss"

    def __init__(
        self,
        weight: Any = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
        label_smoothing_over: str = "all",
    ) -> None:
        super().__init__(reduction)
        eps = FL.check_label_smoothing(label_smoothing, label_smoothing_over, self._who)
        if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
            raise TypeError(f"{self._who}: ignore_index must be an int, got {ignore_index!r}")
        self.register_buffer("weight", _buffer(weight, self._who, "weight"))
        self.ignore_index = int(ignore_index)
        self.label_smoothing = eps
        self.label_smoothing_over = label_smoothing_over

    def forward(self, input: Any, target: Any) -> Tensor:
        return FL.cross_entropy(
            input,
            target,
            self.weight,
            self.ignore_index,
            self.reduction,
            self.label_smoothing,
            self.label_smoothing_over,
        )

    def extra_repr(self) -> str:
        parts = [] if self.reduction == "mean" else [f"reduction={self.reduction!r}"]
        if self.label_smoothing:
            parts.append(f"label_smoothing={self.label_smoothing}")
            if self.label_smoothing_over != "all":
                parts.append(f"label_smoothing_over={self.label_smoothing_over!r}")
        if self.ignore_index != -100:
            parts.append(f"ignore_index={self.ignore_index}")
        return ", ".join(parts)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (use after ``LogSoftmax``)."""

    _who = "NLLLoss"

    def __init__(
        self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
            raise TypeError(f"{self._who}: ignore_index must be an int, got {ignore_index!r}")
        self.register_buffer("weight", _buffer(weight, self._who, "weight"))
        self.ignore_index = int(ignore_index)

    def forward(self, input: Any, target: Any) -> Tensor:
        return FL.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)
