"""The parameters of a second-order method seen as one flat vector theta.

Newton, BFGS and L-BFGS work on :math:`\\theta \\in \\mathbb{R}^n`, the concatenation of
every parameter (in group order, each raveled in C order), and on the matching flat
gradient. This class gathers and scatters between the two views; the parameters' arrays
are always updated in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.optim._util import Closure, call_closure

Array = np.ndarray


def require_closure(who: str, closure: Closure | None) -> Closure:
    """Return ``closure``, or raise the ``TypeError`` that second-order methods promise."""
    if closure is None or not callable(closure):
        raise TypeError(
            f"{who}.step() requires a closure: a function that zeroes the gradients, computes "
            f"the loss, calls loss.backward() and returns the loss, e.g. "
            f"opt.step(lambda: (opt.zero_grad(), loss_fn(), ...)); got {closure!r}"
        )
    return closure


def loss_value(loss: Any, who: str) -> float:
    """The closure's loss as a Python float (a one-element Tensor, array or number)."""
    try:
        return float(loss)
    except (TypeError, ValueError):
        raise TypeError(
            f"{who}: the closure must return the loss as a number or a one-element Tensor, "
            f"got {type(loss).__name__}"
        ) from None


class FlatParams:
    """Gather and scatter the flat vector of a list of parameters."""

    def __init__(self, params: Sequence[Tensor]) -> None:
        self.params = list(params)
        self.sizes = [p.data.size for p in self.params]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(int).tolist()
        self.numel = int(self.offsets[-1])
        self.dtype = np.result_type(*[p.data.dtype for p in self.params])

    def get(self) -> Array:
        """theta: a flat copy of the parameters."""
        out = np.empty(self.numel, dtype=self.dtype)
        for p, a, b in zip(self.params, self.offsets[:-1], self.offsets[1:]):
            out[a:b] = p.data.ravel()
        return out

    def set(self, theta: Array) -> None:
        """Write theta into the parameters' arrays, in place."""
        for p, a, b in zip(self.params, self.offsets[:-1], self.offsets[1:]):
            p.data[...] = theta[a:b].reshape(p.data.shape)

    def add(self, t: float, d: Array) -> None:
        """theta <- theta + t d, in place."""
        for p, a, b in zip(self.params, self.offsets[:-1], self.offsets[1:]):
            p.data += t * d[a:b].reshape(p.data.shape)

    def grad(self) -> Array:
        """The flat gradient (zeros for parameters whose grad is None)."""
        out = np.zeros(self.numel, dtype=self.dtype)
        for p, a, b in zip(self.params, self.offsets[:-1], self.offsets[1:]):
            if p.grad is not None:
                out[a:b] = p.grad.ravel()
        return out

    def evaluate(self, closure: Closure, who: str) -> tuple[Any, float, Array]:
        """Run the closure; return its loss object, the loss as a float and the flat grad."""
        loss = call_closure(closure)
        return loss, loss_value(loss, who), self.grad()
