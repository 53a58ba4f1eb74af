"""Epoch metrics, accumulated batch by batch: accuracy for classifiers, R² for regressors.

Accuracy: the fraction of samples whose largest score is the true class (for one output
column, a positive logit means class 1). R²: ``1 - SS_res / SS_tot`` per output column,
``SS_res = sum (y - f)^2``, ``SS_tot = sum (y - mean(y))^2``, averaged over the columns
(scikit-learn's ``r2_score`` with ``multioutput='uniform_average'``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

Array = np.ndarray

#: loss class name -> the metric recorded by default
DEFAULT_METRIC = {
    "CrossEntropyLoss": "accuracy",
    "NLLLoss": "accuracy",
    "BCEWithLogitsLoss": "accuracy",
    "MSELoss": "r2",
    "L1Loss": "r2",
}


class Metric:
    """Accumulate ``update(scores, y)`` over batches; ``compute()`` gives the value."""

    name = "metric"

    def reset(self) -> None:
        raise NotImplementedError

    def update(self, scores: Array, y: Array) -> None:
        raise NotImplementedError

    def compute(self) -> float:
        raise NotImplementedError


class Accuracy(Metric):
    """Fraction of correctly classified samples (argmax of the scores; sign for one column)."""

    name = "accuracy"

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.correct = 0
        self.total = 0

    def update(self, scores: Array, y: Array) -> None:
        if scores.ndim == 2 and scores.shape[1] > 1:
            pred = scores.argmax(axis=1)
        else:
            pred = (scores.reshape(len(scores)) > 0).astype(np.int64)
        truth = y.reshape(len(y))
        if truth.dtype.kind == "f":
            truth = (truth > 0.5).astype(np.int64)
        self.correct += int(np.count_nonzero(pred == truth))
        self.total += len(truth)

    def compute(self) -> float:
        return self.correct / self.total if self.total else float("nan")


class R2(Metric):
    """Coefficient of determination, averaged over output columns."""

    name = "r2"

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._y: list[Array] = []
        self._f: list[Array] = []

    def update(self, scores: Array, y: Array) -> None:
        n = len(y)
        self._f.append(np.asarray(scores, dtype=np.float64).reshape(n, -1))
        self._y.append(np.asarray(y, dtype=np.float64).reshape(n, -1))

    def compute(self) -> float:
        if not self._y:
            return float("nan")
        y = np.concatenate(self._y)
        f = np.concatenate(self._f)
        ss_res = ((y - f) ** 2).sum(axis=0)
        ss_tot = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
        # scikit-learn's convention for a constant target: 1 if predicted exactly, else 0
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(ss_tot > 0, 1 - ss_res / ss_tot, np.where(ss_res == 0, 1.0, 0.0))
        return float(r2.mean())


def make_metric(metric: Any, loss_fn: Any) -> Metric | None:
    """``'auto'`` (from the loss), ``'accuracy'``, ``'r2'``, None, or a ``Metric``."""
    if metric == "auto":
        metric = DEFAULT_METRIC.get(type(loss_fn).__name__)
    if metric is None or isinstance(metric, Metric):
        return metric
    if metric == "accuracy":
        return Accuracy()
    if metric == "r2":
        return R2()
    raise ValueError(
        f"Trainer: metric must be 'auto', 'accuracy', 'r2', None or a Metric, got {metric!r}"
    )
