"""Gradient clipping: rescale by the global norm, or clamp each component."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.optim._util import check_real


def _grads(parameters: Tensor | Iterable[Tensor], who: str) -> list[np.ndarray]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{who}: parameters must be Tensors, item {i} is {type(p).__name__}")
    return [p.grad for p in params if p.grad is not None]


def _total_norm(grads: list[np.ndarray], norm_type: float) -> float:
    """The norm of all gradients seen as one long vector."""
    if not grads:
        return 0.0
    if math.isinf(norm_type):
        return max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    if norm_type == 2.0:
        # the dot product of a raveled array with itself is one BLAS call per parameter
        return math.sqrt(sum(float(np.dot(g.ravel(), g.ravel())) for g in grads))
    total = sum(float(np.sum(np.abs(g) ** norm_type)) for g in grads)
    return total ** (1.0 / norm_type)


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> float:
    r"""Rescale all gradients together so that their global norm is at most ``max_norm``.

    The notes' remedy for exploding gradients (the course notes):
    :math:`\text{if } \|g\| \ge \text{clip}: g \leftarrow \frac{g}{\|g\|}\,\text{clip}`,
    where :math:`g` is every parameter's gradient concatenated. As in PyTorch, the factor
    is :math:`\min(1, \text{max\_norm} / (\|g\| + 10^{-6}))` and the direction of
    :math:`g` never changes. Gradients are scaled in place.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        Tensors whose ``.grad`` to clip (those without a gradient are ignored).
    max_norm : float
        Largest allowed norm (>= 0).
    norm_type : float, default 2
        Order of the norm (> 0, or ``inf`` for the largest absolute component).
    error_if_nonfinite : bool, default False
        Raise ``RuntimeError`` if the total norm is NaN or inf (otherwise the gradients
        become NaN, as in PyTorch).

    Returns
    -------
    float
        The total norm of the gradients before clipping.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.nn.parameter import Parameter
    >>> from nabla.optim import clip_grad_norm_
    >>> w = Parameter(np.zeros(2))
    >>> w.grad = np.array([3.0, 4.0])
    >>> clip_grad_norm_([w], max_norm=1.0)
    5.0
    >>> np.round(w.grad, 6)
    array([0.6, 0.8])
    """
    who = "clip_grad_norm_"
    check_real(who, "max_norm", max_norm, low=0.0)
    check_real(who, "norm_type", norm_type, low=0.0, low_open=True)
    grads = _grads(parameters, who)
    total = _total_norm(grads, float(norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"{who}: the total norm of order {norm_type} of the gradients is {total}, so it "
            f"cannot be clipped; pass error_if_nonfinite=False to skip this check"
        )
    coef = float(max_norm) / (total + 1e-6)
    if coef < 1.0 or not math.isfinite(total):
        for g in grads:
            g *= coef
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> float:
    r"""Clamp every gradient component to :math:`[-\text{clip\_value}, \text{clip\_value}]`.

    Unlike norm clipping this can change the direction of the gradient. Gradients are
    clipped in place.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        Tensors whose ``.grad`` to clip (those without a gradient are ignored).
    clip_value : float
        The bound (>= 0).

    Returns
    -------
    float
        The total 2-norm of the gradients before clipping (PyTorch returns None).
    """
    who = "clip_grad_value_"
    check_real(who, "clip_value", clip_value, low=0.0)
    grads = _grads(parameters, who)
    total = _total_norm(grads, 2.0)
    c = float(clip_value)
    for g in grads:
        np.clip(g, -c, c, out=g)
    return total
