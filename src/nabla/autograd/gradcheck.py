"""``gradcheck``: compare autograd's gradients with central finite differences in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nabla.autograd.engine import enable_grad
from nabla.autograd.tensor import Tensor


class GradcheckError(AssertionError):
    """Raised by ``gradcheck`` when analytic and numerical gradients disagree."""


def _scalar(out: Any, v: np.ndarray) -> float:
    data = out.data if isinstance(out, Tensor) else np.asarray(out)
    return float(np.sum(data * v))


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[Tensor],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    *,
    params: Sequence[Tensor] = (),
    seed: int = 0,
    raise_exception: bool = True,
) -> bool:
    """Check the gradients of ``fn`` against central differences.

    The output ``y = fn(*inputs)`` is reduced to the scalar ``s = sum(y * v)`` with a fixed
    random ``v`` (so every entry of the vector-Jacobian product is exercised); then for every
    entry ``x_i`` of every input that requires a gradient, and of every tensor in ``params``
    (e.g. ``module.parameters()``), the analytic ``ds/dx_i`` from ``backward`` is compared with
    ``(s(x_i + eps) - s(x_i - eps)) / (2 eps)``.

    Parameters
    ----------
    fn : callable
        Takes the input tensors, returns a tensor. A module or a user's own function.
    inputs : sequence of Tensor
        float64 tensors; those with ``requires_grad=True`` are checked.
    eps, atol, rtol : float
        Step of the differences; an entry passes if
        ``|analytic - numeric| <= atol + rtol * |numeric|``.
    params : sequence of Tensor, optional
        Further float64 tensors (parameters) whose gradients are checked.
    seed : int
        Seed of the random projection ``v``.
    raise_exception : bool
        Raise ``GradcheckError`` describing the worst entry on failure (else return False).

    Returns
    -------
    bool
        True when every entry passes.

    Examples
    --------
    >>> import numpy as np, nabla
    >>> from nabla.autograd import gradcheck
    >>> x = nabla.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    >>> gradcheck(lambda t: (t * t).sigmoid(), [x])
    True
    """
    inputs = list(inputs)
    checked = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad] + list(params)
    if not checked:
        raise ValueError("gradcheck: no input or parameter requires a gradient; nothing to check")
    for i, t in enumerate(checked):
        if t.dtype != np.float64:
            raise ValueError(
                f"gradcheck: tensor {i} has dtype {t.dtype}; central differences need float64 "
                "(convert with dtype=numpy.float64)"
            )

    with enable_grad():
        out = fn(*inputs)
        if not isinstance(out, Tensor):
            raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
        v = np.random.default_rng(seed).standard_normal(out.shape)
        saved = [t.grad for t in checked]
        for t in checked:
            t.grad = None
        try:
            out.backward(v)
            analytic = [np.zeros_like(t.data) if t.grad is None else t.grad.copy() for t in checked]
        finally:
            for t, g in zip(checked, saved):
                t.grad = g

    worst: tuple[float, int, tuple[int, ...], float, float] | None = None
    ok = True
    from nabla.autograd.engine import no_grad

    with no_grad():
        for k, t in enumerate(checked):
            if t.data.size == 0:
                continue
            flat = t.data.reshape(-1)
            if not flat.flags.writeable or not np.shares_memory(flat, t.data):
                raise ValueError(f"gradcheck: tensor {k} must be a contiguous, writeable array")
            for j in range(flat.size):
                orig = flat[j]
                flat[j] = orig + eps
                plus = _scalar(fn(*inputs), v)
                flat[j] = orig - eps
                minus = _scalar(fn(*inputs), v)
                flat[j] = orig
                numeric = (plus - minus) / (2 * eps)
                a = float(analytic[k].reshape(-1)[j])
                err = abs(a - numeric)
                excess = err - (atol + rtol * abs(numeric))
                if excess > 0:
                    ok = False
                if worst is None or excess > worst[0]:
                    worst = (
                        excess,
                        k,
                        tuple(int(i) for i in np.unravel_index(j, t.shape)),
                        a,
                        numeric,
                    )
    if not ok and worst is not None:
        _, k, idx, a, numeric = worst
        msg = (
            f"gradcheck failed: tensor {k} (shape {checked[k].shape}) "
            f"at index {tuple(int(i) for i in idx)}: "
            f"analytic {a:.10g}, numerical {numeric:.10g}, "
            f"absolute error {abs(a - numeric):.3g} > atol {atol} + rtol {rtol} * |numerical|"
        )
        if raise_exception:
            raise GradcheckError(msg)
        return False
    return True
