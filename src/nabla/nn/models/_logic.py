"""The logic-gate networks of the notes on neural networks: AND, OR and NOT as single
sigmoid neurons with the notes' weights, and XOR built from them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nabla.autograd.ops.shape import concatenate
from nabla.autograd.tensor import Tensor
from nabla.nn.layers import Linear
from nabla.nn.module import Module


class LogicGate(Linear):
    """One sigmoid neuron h(x) = g(b + w^T x) with fixed weights (the notes on neural
    networks)."""

    def __init__(self, weights: Sequence[float], bias: float, dtype: Any = np.float64) -> None:
        super().__init__(len(weights), 1, dtype=dtype, rng=0)
        self.weight.data[...] = np.asarray(weights, dtype=self.weight.dtype)
        self.bias.data[...] = bias  # type: ignore[union-attr]

    def forward(self, input: Any) -> Tensor:
        return super().forward(input).sigmoid()


def and_gate() -> LogicGate:
    """x1 AND x2 = g(-30 + 20 x1 + 20 x2) (the notes on neural networks)."""
    return LogicGate([20.0, 20.0], -30.0)


def or_gate() -> LogicGate:
    """x1 OR x2 = g(-10 + 20 x1 + 20 x2) (the notes on neural networks)."""
    return LogicGate([20.0, 20.0], -10.0)


def not_gate() -> LogicGate:
    """NOT x1 = g(10 - 20 x1) (the notes on neural networks)."""
    return LogicGate([-20.0], 10.0)


class XORNet(Module):
    """x1 XOR x2 = (x1 AND NOT x2) OR (x2 AND NOT x1), built from the gates of the notes on
    neural networks.

    Hidden units (the notes' table): a1 = (NOT x1) AND x2, a2 = x1 AND (NOT x2); output
    h = a1 OR a2. Input (N, 2) of 0/1 values -> (N, 1) values close to 0 or 1.

    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> xor = nn.models.XORNet()
    >>> x = nabla.tensor(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64))
    >>> np.round(xor(x).numpy().ravel()).tolist()
    [0.0, 1.0, 1.0, 0.0]
    """

    def __init__(self) -> None:
        super().__init__()
        self.not_gate = not_gate()
        self.and_gate = and_gate()
        self.or_gate = or_gate()

    def hidden(self, x: Any) -> Tensor:
        """(a1, a2) for each input row, shape (N, 2)."""
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float64))
        x1, x2 = x[:, 0:1], x[:, 1:2]
        a1 = self.and_gate(concatenate([self.not_gate(x1), x2], axis=1))
        a2 = self.and_gate(concatenate([x1, self.not_gate(x2)], axis=1))
        return concatenate([a1, a2], axis=1)

    def forward(self, x: Any) -> Tensor:
        return self.or_gate(self.hidden(x))


__all__ = ["LogicGate", "XORNet", "and_gate", "not_gate", "or_gate"]
