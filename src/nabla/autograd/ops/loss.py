"""Fused losses of neural networks, each one ``Function`` from logits or log-probabilities.

A loss written as ``log(softmax(x))`` overflows and records several nodes; these take the
logits (cross-entropy, binary cross-entropy with logits) or log-probabilities (NLL) and use
the stable forms, with PyTorch's ``reduction``, ``weight``, ``ignore_index`` and
``label_smoothing``. Every op keeps float32 float32.

float16 is computed in float32 and the results cast back (PyTorch's "opmath" for half on
the CPU): intermediate sums and logs of float16 overflow or lose most of their digits, and
binary cross-entropy's clamp 1e-12 is 0 in float16. A gradient too large for float16
saturates at its largest finite value (65504) instead of overflowing to inf.
"""

from __future__ import annotations

from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.ops.activation import stable_sigmoid
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray


_HALF = np.dtype(np.float16)
_HALF_MAX = float(np.finfo(np.float16).max)


def _up(a: Any) -> Any:
    """A float16 array as float32; anything else unchanged."""
    return a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype == _HALF else a


def _down(a: Array, dtype: Any, saturate: bool = False) -> Array:
    """``a`` cast back to ``dtype`` (float16 -> finite values beyond its range become inf,
    or +-65504 with ``saturate``; infinities and nan stay)."""
    if a.dtype == dtype:
        return a
    if saturate:
        a = np.where(np.isfinite(a), np.clip(a, -_HALF_MAX, _HALF_MAX), a)
    with np.errstate(over="ignore"):
        return a.astype(dtype)


class _LossFunction(Function):
    """A loss op: subclasses write ``_forward`` / ``_backward`` on float32 or float64 arrays;
    float16 inputs are computed in float32 and the loss and gradients cast back."""

    def forward(self, x: Array, *others: Array) -> Array:
        self.dtype = x.dtype
        if x.dtype != _HALF:
            return self._forward(x, *others)
        return _down(self._forward(_up(x), *[_up(o) for o in others]), _HALF)

    def backward(self, g: Array) -> tuple[Array | None, ...]:
        if self.dtype != _HALF:
            return self._backward(g)
        grads = self._backward(_up(g))
        return tuple(None if gr is None else _down(gr, _HALF, saturate=True) for gr in grads)

    # (*args: Any, **kwargs: Any) lets each loss declare its own inputs, as Function does
    def _forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define _forward")

    def _backward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define _backward")


def _reduce(loss: Array, reduction: str, denom: Any = None) -> Array:
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return np.asarray(total)
    denom = loss.size if denom is None else denom
    if denom:
        return np.asarray(total / denom, dtype=loss.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 / 0 is nan, as in PyTorch
        return np.asarray(total / denom, dtype=loss.dtype)


def _grad_scale(g: Array, reduction: str, denom: Any, dtype: Any) -> Array:
    """d(reduced loss)/d(per-entry loss) times g: a scalar or, for 'none', the array g."""
    if reduction != "mean":
        return g
    if denom:
        return np.asarray(g / denom, dtype=dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(g / denom, dtype=dtype)


def _rows(x: Array) -> Array:
    """(N, C, d1, ...) -> (N d1 ..., C): the class axis last, one row per prediction."""
    if x.ndim == 2:
        return x
    if x.ndim == 1:
        return x[None, :]
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _unrows(g: Array, shape: tuple[int, ...]) -> Array:
    if len(shape) == 2:
        return g
    if len(shape) == 1:
        return g[0]
    c = shape[1]
    return np.moveaxis(g.reshape((shape[0],) + shape[2:] + (c,)), -1, 1)


class CrossEntropy(_LossFunction):
    """Cross-entropy of logits ``x`` (N, C, ...) with class indices or probabilities.

    With log-probabilities ``l = log_softmax(x)`` over the class axis, per prediction i:

    * indices t_i:  loss_i = (1 - eps) w_{t_i} (-l_{i t_i}) + eps / C sum_c w_c (-l_{ic}),
      zero where t_i == ignore_index; 'mean' divides by sum_i w_{t_i} over kept rows;
    * probabilities T:  loss_i = -sum_c w_c T'_{ic} l_{ic} with T' = (1 - eps) T + eps / C;
      'mean' divides by the number of predictions.

    ``eps`` is PyTorch's label smoothing (1 - eps + eps / C on the true class, eps / C on
    each other; the notes' form, 1 - eps on the true class and eps / (C - 1) on each other,
    is this with eps C / (C - 1): see ``nabla.nn.functional.cross_entropy``), ``w`` the
    class weights (1 when absent). This is PyTorch's definition.

    VJP (p = softmax(x), s the reduction's scale of g):
    indices: gx_ij = s [(1 - eps) w_{t_i} (p_ij - [j = t_i]) + eps / C (W p_ij - w_j)] k_i
    with W = sum_c w_c and k_i = 0 for ignored rows; probabilities: gx_ij = s (p_ij sum_c w_c
    T'_ic - w_j T'_ij) and gT_ic = -s (1 - eps) w_c l_ic.
    """

    def __init__(
        self,
        target: Array | None = None,
        weight: Array | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        self.target = target  # class indices (a constant); None for probabilities
        self.weight = weight
        self.ignore_index = ignore_index
        self.reduction = reduction
        self.eps = label_smoothing

    def _forward(self, x: Array, probs: Array | None = None) -> Array:
        self.shape = x.shape
        z = _rows(x)
        z = z - z.max(axis=1, keepdims=True)
        z -= np.log(np.exp(z).sum(axis=1, keepdims=True))
        self.logp = logp = z  # (M, C)
        m, c = logp.shape
        w, eps = self.weight, self.eps
        if w is not None:  # a float64 weight must not promote float32 logits
            w = self.weight = w.astype(logp.dtype, copy=False)
        out_shape = (self.shape[0],) + self.shape[2:] if len(self.shape) > 1 else ()
        if probs is None:
            t = np.asarray(self.target).reshape(-1)
            keep = None if self.ignore_index is None else t != self.ignore_index
            if keep is not None and keep.all():
                keep = None
            ts = t if keep is None else np.where(keep, t, 0)
            rows = np.arange(m)
            loss = -logp[rows, ts]
            wt = None if w is None else w[ts]
            if wt is not None:
                loss *= wt
            if eps:
                smooth = -(logp.sum(axis=1) if w is None else logp @ w)
                loss = (1 - eps) * loss + (eps / c) * smooth
            if keep is not None:
                loss = np.where(keep, loss, 0).astype(logp.dtype, copy=False)
                wt = keep.astype(logp.dtype) if wt is None else wt * keep
            self.ts, self.keep, self.wt = ts, keep, wt
            denom = m if wt is None else wt.sum()
        else:
            tp = _rows(probs)
            if eps:
                tp = (1 - eps) * tp + eps / c
            self.tp = tp
            wl = logp if w is None else logp * w
            loss = -(tp * wl).sum(axis=1)
            denom = m
        self.denom = denom
        return _reduce(loss.reshape(out_shape), self.reduction, denom)

    def _backward(self, g: Array) -> tuple[Array | None, ...]:
        logp, w, eps = self.logp, self.weight, self.eps
        m, c = logp.shape
        s = _grad_scale(g, self.reduction, self.denom, logp.dtype)
        if self.reduction == "none":
            s = np.reshape(s, (m, 1))
        p = np.exp(logp)
        if self.target is not None:
            keep, wt, rows = self.keep, self.wt, np.arange(m)
            if not eps:  # (p - onehot) w_t
                gx = p
                gx[rows, self.ts] -= 1
                if wt is not None:
                    gx *= wt[:, None]
            else:
                wsum = c if w is None else w.sum()
                lead = (1 - eps) * (np.ones(m, logp.dtype) if wt is None else wt)
                gx = p * (lead + (eps / c) * wsum)[:, None]
                gx[rows, self.ts] -= lead
                gx -= (eps / c) * (1 if w is None else w)
                if keep is not None:
                    gx *= keep[:, None]
            gx *= s
            return (_unrows(gx, self.shape),)
        tp = self.tp
        wtp = tp if w is None else tp * w
        gx = p * wtp.sum(axis=1, keepdims=True) - wtp
        gx *= s
        gt = None
        if self.needs_grad[1]:
            gt = -(1 - eps) * (logp if w is None else logp * w) * s
            gt = _unrows(gt, self.shape)
        return _unrows(gx, self.shape), gt

    def backward_graph(self, g: Any, y: Any) -> tuple[Any, ...]:
        from nabla.autograd.ops import loss_graph

        return loss_graph.cross_entropy(self, g)


class NLL(_LossFunction):
    """Negative log-likelihood of log-probabilities ``x`` (N, C, ...) at class indices t.

    loss_i = -w_{t_i} x_{i t_i} (0 where t_i == ignore_index); 'mean' divides by the sum of
    w_{t_i} over kept rows.  VJP: gx_{i t_i} = -s w_{t_i}, 0 elsewhere.
    """

    def __init__(
        self,
        target: Array,
        weight: Array | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
    ) -> None:
        self.target, self.weight = target, weight
        self.ignore_index, self.reduction = ignore_index, reduction

    def _forward(self, x: Array) -> Array:
        self.shape = x.shape
        z = _rows(x)
        m = z.shape[0]
        t = np.asarray(self.target).reshape(-1)
        keep = t != self.ignore_index
        ts = np.where(keep, t, 0)
        wt = keep.astype(z.dtype)
        if self.weight is not None:
            wt *= self.weight[ts]
        self.ts, self.wt, self.denom = ts, wt, wt.sum()
        loss = -z[np.arange(m), ts] * wt
        out_shape = (self.shape[0],) + self.shape[2:] if len(self.shape) > 1 else ()
        return _reduce(loss.reshape(out_shape), self.reduction, self.denom)

    def _backward(self, g: Array) -> tuple[Array]:
        m = self.ts.shape[0]
        c = self.shape[1] if len(self.shape) > 1 else self.shape[0]
        s = _grad_scale(g, self.reduction, self.denom, self.wt.dtype)
        gx = np.zeros((m, c), dtype=self.wt.dtype)
        gx[np.arange(m), self.ts] = -self.wt * np.reshape(s, -1)
        return (_unrows(gx, self.shape),)

    def backward_graph(self, g: Any, y: Any) -> tuple[Any, ...]:
        from nabla.autograd.ops import loss_graph

        return loss_graph.nll(self, g)


_LOG_MIN = -100.0  # PyTorch clamps the logs of binary cross-entropy at -100


class BinaryCrossEntropy(_LossFunction):
    """loss = -w [y log p + (1 - y) log(1 - p)] with each log clamped at -100 (as PyTorch).

    VJP: gp = s w (p - y) / max(p (1 - p), 1e-12); gy = -s w (log p - log(1 - p)).
    """

    def __init__(self, weight: Array | None = None, reduction: str = "mean") -> None:
        self.weight, self.reduction = weight, reduction

    def _forward(self, p: Array, y: Array) -> Array:
        self.p, self.y = p, y
        with np.errstate(divide="ignore"):
            self.lp = np.maximum(np.log(p), _LOG_MIN)
            self.lq = np.maximum(np.log1p(-p), _LOG_MIN)
        loss = -(y * self.lp + (1 - y) * self.lq)
        if self.weight is not None:
            loss = loss * self.weight
        self.size = loss.size
        return _reduce(loss, self.reduction)

    def _backward(self, g: Array) -> tuple[Array | None, Array | None]:
        p, y, w = self.p, self.y, self.weight
        s = _grad_scale(g, self.reduction, self.size, p.dtype)
        if w is not None:
            s = s * w
        need_p, need_y = self.needs_grad
        gp = s * (p - y) / np.maximum(p * (1 - p), 1e-12) if need_p else None
        gy = -s * (self.lp - self.lq) if need_y else None
        return gp, gy


class BinaryCrossEntropyWithLogits(_LossFunction):
    """loss = w [(1 - y) x + c softplus(-x)] with c = 1 + (pos_weight - 1) y, which equals
    -w [pos_weight y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))] without overflow:
    softplus(-x) = max(-x, 0) + log1p(exp(-|x|)).

    VJP: gx = s w [(1 - y) - c sigmoid(-x)]; gy = s w [-x + (pos_weight - 1) softplus(-x)].
    """

    def __init__(
        self, weight: Array | None = None, pos_weight: Array | None = None, reduction: str = "mean"
    ) -> None:
        self.weight, self.pos_weight, self.reduction = weight, pos_weight, reduction

    def _forward(self, x: Array, y: Array) -> Array:
        self.x, self.y = x, y
        self.sp = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))  # softplus(-x)
        c = 1 if self.pos_weight is None else 1 + (self.pos_weight - 1) * y
        self.c = c
        loss = (1 - y) * x + c * self.sp
        if self.weight is not None:
            loss = loss * self.weight
        self.size = loss.size
        return _reduce(loss, self.reduction)

    def _backward(self, g: Array) -> tuple[Array | None, Array | None]:
        x, y, w = self.x, self.y, self.weight
        s = _grad_scale(g, self.reduction, self.size, x.dtype)
        if w is not None:
            s = s * w
        need_x, need_y = self.needs_grad
        gx = s * ((1 - y) - self.c * stable_sigmoid(-x)) if need_x else None
        gy = None
        if need_y:
            gy = -x if self.pos_weight is None else -x + (self.pos_weight - 1) * self.sp
            gy = s * gy
        return gx, gy

    def backward_graph(self, g: Any, y: Any) -> tuple[Any, ...]:
        from nabla.autograd.ops import loss_graph

        return loss_graph.bce_with_logits(self, g)


# ---------------------------------------------------------------------------------------
# batch normalisation and dropout
