"""Functions composed from primitives: logsumexp, log_softmax, softmax.

All three subtract the (detached) maximum before exponentiating, so that no exponential of a
positive number is taken: finite values and gradients at any input, ±1000 included. Treating
the maximum m as a constant is exact: log sum exp(x - m) + m does not depend on m, and its
gradient with respect to x is softmax(x) whichever m is used.
"""

from __future__ import annotations

from nabla.autograd.ops.elementwise import exp, log
from nabla.autograd.ops.reduction import Axis
from nabla.autograd.ops.reduction import max as _max
from nabla.autograd.ops.reduction import sum as _sum
from nabla.autograd.tensor import Tensor


def logsumexp(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x), axis)) = m + log(sum(exp(x - m))) with m = max(x) (no gradient)."""
    m = _max(x.detach(), axis=axis, keepdims=True)
    out = log(_sum(exp(x - m), axis=axis, keepdims=True)) + m
    if keepdims:
        return out
    from nabla.autograd.ops.reduction import normalize_axis

    axes = normalize_axis(axis, x.ndim, "logsumexp")
    return out.reshape(tuple(n for i, n in enumerate(out.shape) if i not in axes))


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x - logsumexp(x, axis)."""
    return x - logsumexp(x, axis=axis, keepdims=True)


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x - m) / sum(exp(x - m), axis) with m = max(x, axis) (no gradient)."""
    e = exp(x - _max(x.detach(), axis=axis, keepdims=True))
    return e / _sum(e, axis=axis, keepdims=True)
