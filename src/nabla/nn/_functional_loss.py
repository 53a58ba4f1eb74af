"""Loss functions and parameter-norm penalties (re-exported by ``nabla.nn.functional``).

All take what PyTorch's take (logits for ``cross_entropy`` and
``binary_cross_entropy_with_logits``, log-probabilities for ``nll_loss``, probabilities for
``binary_cross_entropy``) and are finite, with finite gradients, at ±1000.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from nabla.autograd.ops import loss as _loss
from nabla.autograd.tensor import Tensor, apply1, apply2, as_tensor

_REDUCTIONS = ("none", "mean", "sum")


def _check_reduction(reduction: Any, who: str) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{who}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


def _input(x: Any, who: str) -> Tensor:
    t = x if isinstance(x, Tensor) else as_tensor(x)
    if t.dtype.kind != "f":
        raise TypeError(f"{who}: input must be floating point, got dtype {t.dtype}")
    return t


def _target_like(target: Any, x: Tensor, who: str) -> Tensor:
    """A floating target of the input's shape, in the input's dtype unless it needs a grad."""
    t = target if isinstance(target, Tensor) else as_tensor(np.asarray(target))
    if t.shape != x.shape:
        raise ValueError(
            f"{who}: target shape {t.shape} differs from input shape {x.shape}; they must be "
            "equal (reshape one of them, e.g. target.reshape(input.shape))"
        )
    if t.dtype != x.dtype:
        if t.requires_grad:
            return t.astype(x.dtype)
        return Tensor._wrap(t.data.astype(x.dtype))
    return t


def _weight(
    weight: Any, who: str, size: int | None = None, name: str = "weight", dtype: Any = None
) -> Any:
    """A constant weight array (never differentiated), in the input's dtype if given."""
    if weight is None:
        return None
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight)
    if w.dtype.kind not in "biuf":
        raise TypeError(f"{who}: {name} must be numeric, got dtype {w.dtype}")
    if size is not None and w.shape != (size,):
        raise ValueError(f"{who}: {name} must have shape ({size},) (one per class), got {w.shape}")
    return w if dtype is None else w.astype(dtype, copy=False)


def _opmath(x: Tensor, t: Tensor) -> tuple[Tensor, Tensor]:
    """float16 input and target as float32 (the result is cast back): squares and sums of
    float16 overflow at 65504 long before the mean does (as the fused losses do)."""
    if x.dtype != np.float16:
        return x, t
    return x.astype(np.float32), t.astype(np.float32)


def _reduced(v: Tensor, reduction: str, dtype: Any) -> Tensor:
    out = v if reduction == "none" else (v.mean() if reduction == "mean" else v.sum())
    return out if out.dtype == dtype else out.astype(dtype)


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error: mean((x - y)^2) (or its sum, or the elementwise values); float16
    is computed in float32 and cast back."""
    _check_reduction(reduction, "mse_loss")
    x = _input(input, "mse_loss")
    a, b = _opmath(x, _target_like(target, x, "mse_loss"))
    d = a - b
    return _reduced(d * d, reduction, x.dtype)


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Mean absolute error: mean(abs(x - y)) (gradient 0 where x == y, as PyTorch); float16 is
    computed in float32 and cast back."""
    _check_reduction(reduction, "l1_loss")
    x = _input(input, "l1_loss")
    a, b = _opmath(x, _target_like(target, x, "l1_loss"))
    return _reduced((a - b).abs(), reduction, x.dtype)


def binary_cross_entropy(
    input: Any, target: Any, weight: Any = None, reduction: str = "mean"
) -> Tensor:
    """-w [y log p + (1 - y) log(1 - p)] for probabilities p in [0, 1] (logs clamped at
    -100 and the gradient's denominator p (1 - p) at 1e-12, as in PyTorch). float16 is
    computed in float32, so its gradient is finite at p = 0 and 1 too (where 1e-12 is 0 in
    float16 and PyTorch's float16 gives inf and nan); a gradient beyond float16's range
    saturates at +-65504. Prefer ``binary_cross_entropy_with_logits`` on logits."""
    _check_reduction(reduction, "binary_cross_entropy")
    x = _input(input, "binary_cross_entropy")
    if x.size and not (np.all(x.data >= 0) and np.all(x.data <= 1)):
        raise ValueError(
            "binary_cross_entropy: all elements of input must be probabilities in [0, 1]; "
            f"got values in [{np.nanmin(x.data):.4g}, {np.nanmax(x.data):.4g}] (apply sigmoid "
            "first, or use binary_cross_entropy_with_logits)"
        )
    t = _target_like(target, x, "binary_cross_entropy")
    w = _weight(weight, "binary_cross_entropy", dtype=x.dtype)
    return apply2(_loss.BinaryCrossEntropy(w, reduction), x, t)


def binary_cross_entropy_with_logits(
    input: Any,
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """Binary cross-entropy of sigmoid(x) computed from the logits x without overflow;
    ``pos_weight`` multiplies the positive term (one per class, last axis)."""
    who = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, who)
    x = _input(input, who)
    t = _target_like(target, x, who)
    w = _weight(weight, who, dtype=x.dtype)
    pw = _weight(pos_weight, who, name="pos_weight", dtype=x.dtype)
    return apply2(_loss.BinaryCrossEntropyWithLogits(w, pw, reduction), x, t)


def _class_target(target: Any, x: Tensor, who: str, ignore_index: int) -> np.ndarray:
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    expected = (x.shape[0],) + x.shape[2:] if x.ndim > 1 else ()
    if t.shape != expected:
        raise ValueError(
            f"{who}: class-index target must have shape {expected} for input of shape "
            f"{x.shape}, got {t.shape}"
        )
    c = x.shape[1] if x.ndim > 1 else x.shape[0]
    if t.size == 0 or (t.min() >= 0 and t.max() < c):
        return t
    bad = (t != ignore_index) & ((t < 0) | (t >= c))
    if np.any(bad):
        raise ValueError(
            f"{who}: target {t[bad].reshape(-1)[0]} is out of bounds for {c} classes "
            f"(valid: 0..{c - 1}, or ignore_index={ignore_index})"
        )
    return t


def _check_logits(x: Tensor, who: str) -> int:
    if x.ndim == 0:
        raise ValueError(f"{who}: input must have a class axis (C,) or (N, C, ...), got a scalar")
    return x.shape[1] if x.ndim > 1 else x.shape[0]


_SMOOTHING_OVER = ("all", "others")


def check_label_smoothing(eps: Any, over: Any, who: str) -> float:
    """``label_smoothing`` as a float in [0, 1]; ``label_smoothing_over`` one of
    ``_SMOOTHING_OVER``."""
    ok = isinstance(eps, (int, float, np.integer, np.floating)) and not isinstance(eps, bool)
    if not ok or not 0.0 <= eps <= 1.0:
        raise ValueError(f"{who}: label_smoothing must be in [0, 1], got {eps!r}")
    if not isinstance(over, str) or over not in _SMOOTHING_OVER:
        raise ValueError(
            f"{who}: label_smoothing_over must be 'all' (PyTorch's: eps / C on every class) or "
            f"'others' (eps / (C - 1) on each wrong class), got {over!r}"
        )
    return float(eps)


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    label_smoothing_over: str = "all",
) -> Tensor:
    """Cross-entropy of logits (N, C, ...) with class indices (N, ...) or class
    probabilities (same shape as the input); see ``nabla.autograd.ops.loss.CrossEntropy``.

    ``weight`` rescales each class; ``ignore_index`` drops predictions whose target is that
    index (class indices only). ``label_smoothing`` eps replaces the target T (one-hot, or
    the given probabilities) by a smoothed one, in one of two ways:

    * ``label_smoothing_over='all'`` (default, PyTorch's): T' = (1 - eps) T + eps / C, so
      eps is spread over all C classes, the true one included: 1 - eps + eps / C on the
      true class and eps / C on each other (0.91 and 0.01 for eps = 0.1, C = 10);
    * ``label_smoothing_over='others'`` (the notes' form): T' = (1 - eps) T +
      eps / (C - 1) (1 - T), so the true class keeps exactly 1 - eps and eps is spread over
      the C - 1 other classes (0.9 and 0.0111 for eps = 0.1, C = 10). This equals the 'all'
      form with eps C / (C - 1), which is how it is computed; it needs C >= 2.
    """
    who = "cross_entropy"
    _check_reduction(reduction, who)
    eps = check_label_smoothing(label_smoothing, label_smoothing_over, who)
    x = _input(input, who)
    c = _check_logits(x, who)
    if label_smoothing_over == "others" and eps:
        if c < 2:
            raise ValueError(
                f"{who}: label_smoothing_over='others' spreads eps over the other classes and "
                f"needs at least 2 classes, got input of shape {x.shape} (C = {c})"
            )
        eps = eps * c / (c - 1)
    w = _weight(weight, who, c)
    kind = (target.dtype if isinstance(target, Tensor) else np.asarray(target).dtype).kind
    if kind == "f":
        t = _target_like(target, x, who)
        return apply2(_loss.CrossEntropy(None, w, ignore_index, reduction, eps), x, t)
    if kind not in "iu":
        raise TypeError(f"{who}: target must hold class indices (integers) or probabilities")
    idx = _class_target(target, x, who, ignore_index)
    return apply1(_loss.CrossEntropy(idx, w, ignore_index, reduction, eps), x)


def nll_loss(
    input: Any, target: Any, weight: Any = None, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    """Negative log-likelihood of log-probabilities (N, C, ...) at class indices (N, ...)."""
    who = "nll_loss"
    _check_reduction(reduction, who)
    x = _input(input, who)
    c = _check_logits(x, who)
    w = _weight(weight, who, c)
    kind = (target.dtype if isinstance(target, Tensor) else np.asarray(target).dtype).kind
    if kind not in "iu":
        raise TypeError(f"{who}: target must hold class indices (integers), got kind {kind!r}")
    idx = _class_target(target, x, who, ignore_index)
    return apply1(_loss.NLL(idx, w, ignore_index, reduction), x)


def _penalty_params(params: Any, who: str) -> list[Tensor]:
    from nabla.nn.module import Module

    if isinstance(params, Module):
        # the notes penalise weights, not biases (the neural-network lecture: "if j != 0")
        return [p for name, p in params.named_parameters() if not name.endswith("bias")]
    if isinstance(params, Tensor):
        return [params]
    out = list(params) if isinstance(params, Iterable) else None
    if out is None or not all(isinstance(p, Tensor) for p in out):
        raise TypeError(f"{who}: expected a Module, a Tensor or an iterable of Tensors")
    return out


def l2_penalty(params: Any) -> Tensor:
    """Omega = 1/2 sum_i ||w_i||^2 (the course notes "L2 REGULARIZATION"); add alpha * Omega to a
    loss. Given a Module, its biases are left out (pass a list to choose yourself).
    Its gradient is w, so SGD becomes w <- (1 - eps alpha) w - eps grad J (weight decay)."""
    ps = _penalty_params(params, "l2_penalty")
    total: Any = None
    for p in ps:
        term = (p * p).sum()
        total = term if total is None else total + term
    return Tensor._wrap(np.zeros((), np.float32)) if total is None else total * 0.5


def l1_penalty(params: Any) -> Tensor:
    """Omega = sum_i abs(w_i) (the course notes, "L1 REGULARIZATION": pushes weights to 0)."""
    ps = _penalty_params(params, "l1_penalty")
    total: Any = None
    for p in ps:
        term = p.abs().sum()
        total = term if total is None else total + term
    return Tensor._wrap(np.zeros((), np.float32)) if total is None else total


__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "l1_loss",
    "l1_penalty",
    "l2_penalty",
    "mse_loss",
    "nll_loss",
]
