"""Fused primitives of neural networks: linear, activations with a parameter, softmax and
log-softmax, the losses that take logits or log-probabilities, batch normalisation and the
dropout mask.

Each is one ``Function`` because a benchmark or numerical stability asks for it: a layer
built from elementary ops would record 3-10 nodes and pay their fixed cost each step, and a
loss written as ``log(softmax(x))`` overflows. Every op keeps float32 float32.
"""

from __future__ import annotations

from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.ops.activation import stable_sigmoid
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray

_ONES: dict[tuple[int, Any], Array] = {}


def ones_vector(n: int, dtype: Any) -> Array:
    """A cached read-only vector of ones: ``ones @ g`` sums the rows of ``g``.

    A matrix-vector product is several times faster than ``g.sum(axis=0)`` for the bias
    gradients of a layer (see PERFORMANCE.md).
    """
    key = (n, np.dtype(dtype))
    v = _ONES.get(key)
    if v is None:
        if len(_ONES) > 64:
            _ONES.clear()
        v = np.ones(n, dtype=dtype)
        v.flags.writeable = False
        _ONES[key] = v
    return v


def sum_rows(g: Array) -> Array:
    """``g.sum(axis=0)`` of a 2-D array, as the product ``ones @ g``."""
    return ones_vector(g.shape[0], g.dtype) @ g


# ---------------------------------------------------------------------------------------
# linear
# ---------------------------------------------------------------------------------------
class Linear(Function):
    """y = x W^T + b (``x``: (..., in), ``W``: (out, in), ``b``: (out,), optional).

    VJP: gx = g W, gW = g^T x (batch axes flattened into the rows), gb = 1^T g (a
    matrix-vector product, cheaper than a sum over rows).
    """

    def forward(self, x: Array, w: Array, b: Array | None = None) -> Array:
        self.x, self.w = x, w
        y = np.matmul(x, w.T)
        if b is not None:
            if y.dtype == np.result_type(y, b):
                y += b  # y is ours: add the bias in place, no temporary
            else:
                y = y + b
        return y

    def backward(self, g: Array) -> tuple[Array | None, ...]:
        x, w = self.x, self.w
        need = self.needs_grad
        gx = np.matmul(g, w) if need[0] else None
        if x.ndim == 1:  # one sample: the products are outer products
            gw = np.multiply.outer(g, x) if need[1] else None
            gb = g if len(need) > 2 and need[2] else None
            return (gx, gw, gb)[: len(need)]
        rows = g.size // g.shape[-1] if g.shape[-1] else x.size // max(x.shape[-1], 1)
        g2 = g if g.ndim == 2 else g.reshape(rows, g.shape[-1])
        gw = None
        if need[1]:
            gw = g2.T @ (x if x.ndim == 2 else x.reshape(rows, x.shape[-1]))
        if len(need) == 2:
            return gx, gw
        return gx, gw, (sum_rows(g2) if need[2] else None)


# ---------------------------------------------------------------------------------------
# activations with a setting or a parameter
# ---------------------------------------------------------------------------------------
class LeakyRelu(Function):
    """y = x if x > 0 else s x.  VJP: gx = g if x > 0 else s g (slope s at 0, as PyTorch)."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.s = negative_slope

    def forward(self, x: Array) -> Array:
        self.pos = x > 0
        return np.where(self.pos, x, x * self.s)

    def backward(self, g: Array) -> tuple[Array]:
        return (np.where(self.pos, g, g * self.s),)


class Elu(Function):
    """y = x if x > 0 else alpha (exp(x) - 1).

    VJP: gx = g if x > 0 else g (y + alpha) (that is g alpha exp(x); alpha at 0, as PyTorch).
    ``exp`` is only taken of min(x, 0), so large inputs do not overflow.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def forward(self, x: Array) -> Array:
        self.pos = x > 0
        self.y = np.where(self.pos, x, self.alpha * np.expm1(np.minimum(x, 0)))
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        return (np.where(self.pos, g, g * (self.y + self.alpha)),)


class Prelu(Function):
    """y = x if x > 0 else a x, with a learned slope ``a`` of shape (1,) or (C,) (channel
    axis 1, or the only axis of a 1-D input).

    VJP: gx = g if x > 0 else a g; ga = sum of g x over the entries with x <= 0, summed over
    every axis but the channel axis.
    """

    def forward(self, x: Array, a: Array) -> Array:
        self.x, self.a_shape = x, a.shape
        if a.size > 1 and x.ndim >= 2:
            a = a.reshape((1, -1) + (1,) * (x.ndim - 2))
        elif a.size == 1:
            a = a.reshape(())
        self.a = a
        self.pos = x > 0
        return np.where(self.pos, x, a * x)

    def backward(self, g: Array) -> tuple[Array | None, Array | None]:
        need_x, need_a = self.needs_grad
        gx = np.where(self.pos, g, g * self.a) if need_x else None
        ga = None
        if need_a:
            gxa = np.where(self.pos, 0, g * self.x)
            if len(self.a_shape) and self.a_shape[0] > 1 and gxa.ndim >= 2:
                axes = (0,) + tuple(range(2, gxa.ndim))
                ga = gxa.sum(axis=axes).reshape(self.a_shape)
            else:
                ga = np.asarray(gxa.sum()).reshape(self.a_shape)
        return gx, ga


class LogSoftmax(Function):
    """y = x - m - log(sum(exp(x - m), axis)) with m = max(x, axis).

    VJP: gx = g - exp(y) sum(g, axis). Subtracting the maximum means no exponential of a
    positive number is taken: finite at ±1000 and beyond.
    """

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def forward(self, x: Array) -> Array:
        z = x - x.max(axis=self.axis, keepdims=True)
        z -= np.log(np.exp(z).sum(axis=self.axis, keepdims=True))
        self.y = z
        return z

    def backward(self, g: Array) -> tuple[Array]:
        return (g - np.exp(self.y) * g.sum(axis=self.axis, keepdims=True),)


class Softmax(Function):
    """y = exp(x - m) / sum(exp(x - m), axis) with m = max(x, axis).

    VJP: gx = y (g - sum(g y, axis)).
    """

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def forward(self, x: Array) -> Array:
        e = np.exp(x - x.max(axis=self.axis, keepdims=True))
        e /= e.sum(axis=self.axis, keepdims=True)
        self.y = e
        return e

    def backward(self, g: Array) -> tuple[Array]:
        y = self.y
        return (y * (g - (g * y).sum(axis=self.axis, keepdims=True)),)


# ---------------------------------------------------------------------------------------
# losses
# ---------------------------------------------------------------------------------------
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


class CrossEntropy(Function):
    """Cross-entropy of logits ``x`` (N, C, ...) with class indices or probabilities.

    With log-probabilities ``l = log_softmax(x)`` over the class axis, per prediction i:

    * indices t_i:  loss_i = (1 - eps) w_{t_i} (-l_{i t_i}) + eps / C sum_c w_c (-l_{ic}),
      zero where t_i == ignore_index; 'mean' divides by sum_i w_{t_i} over kept rows;
    * probabilities T:  loss_i = -sum_c w_c T'_{ic} l_{ic} with T' = (1 - eps) T + eps / C;
      'mean' divides by the number of predictions.

    ``eps`` is the label smoothing of the notes (1 - eps on the true class, eps / C spread
    over all), ``w`` the class weights (1 when absent). This is PyTorch's definition.

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

    def forward(self, x: Array, probs: Array | None = None) -> Array:
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

    def backward(self, g: Array) -> tuple[Array | None, ...]:
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


class NLL(Function):
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

    def forward(self, x: Array) -> Array:
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

    def backward(self, g: Array) -> tuple[Array]:
        m = self.ts.shape[0]
        c = self.shape[1] if len(self.shape) > 1 else self.shape[0]
        s = _grad_scale(g, self.reduction, self.denom, self.wt.dtype)
        gx = np.zeros((m, c), dtype=self.wt.dtype)
        gx[np.arange(m), self.ts] = -self.wt * np.reshape(s, -1)
        return (_unrows(gx, self.shape),)


_LOG_MIN = -100.0  # PyTorch clamps the logs of binary cross-entropy at -100


class BinaryCrossEntropy(Function):
    """loss = -w [y log p + (1 - y) log(1 - p)] with each log clamped at -100 (as PyTorch).

    VJP: gp = s w (p - y) / max(p (1 - p), 1e-12); gy = -s w (log p - log(1 - p)).
    """

    def __init__(self, weight: Array | None = None, reduction: str = "mean") -> None:
        self.weight, self.reduction = weight, reduction

    def forward(self, p: Array, y: Array) -> Array:
        self.p, self.y = p, y
        with np.errstate(divide="ignore"):
            self.lp = np.maximum(np.log(p), _LOG_MIN)
            self.lq = np.maximum(np.log1p(-p), _LOG_MIN)
        loss = -(y * self.lp + (1 - y) * self.lq)
        if self.weight is not None:
            loss = loss * self.weight
        self.size = loss.size
        return _reduce(loss, self.reduction)

    def backward(self, g: Array) -> tuple[Array | None, Array | None]:
        p, y, w = self.p, self.y, self.weight
        s = _grad_scale(g, self.reduction, self.size, p.dtype)
        if w is not None:
            s = s * w
        need_p, need_y = self.needs_grad
        gp = s * (p - y) / np.maximum(p * (1 - p), 1e-12) if need_p else None
        gy = -s * (self.lp - self.lq) if need_y else None
        return gp, gy


class BinaryCrossEntropyWithLogits(Function):
    """loss = w [(1 - y) x + c softplus(-x)] with c = 1 + (pos_weight - 1) y, which equals
    -w [pos_weight y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))] without overflow:
    softplus(-x) = max(-x, 0) + log1p(exp(-|x|)).

    VJP: gx = s w [(1 - y) - c sigmoid(-x)]; gy = s w [-x + (pos_weight - 1) softplus(-x)].
    """

    def __init__(
        self, weight: Array | None = None, pos_weight: Array | None = None, reduction: str = "mean"
    ) -> None:
        self.weight, self.pos_weight, self.reduction = weight, pos_weight, reduction

    def forward(self, x: Array, y: Array) -> Array:
        self.x, self.y = x, y
        self.sp = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))  # softplus(-x)
        c = 1 if self.pos_weight is None else 1 + (self.pos_weight - 1) * y
        self.c = c
        loss = (1 - y) * x + c * self.sp
        if self.weight is not None:
            loss = loss * self.weight
        self.size = loss.size
        return _reduce(loss, self.reduction)

    def backward(self, g: Array) -> tuple[Array | None, Array | None]:
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


# ---------------------------------------------------------------------------------------
# batch normalisation and dropout
# ---------------------------------------------------------------------------------------
class BatchNorm(Function):
    """Batch normalisation over every axis but the channel axis 1 (seed 001).

    Training: mu = mean(x), var = mean((x - mu)^2) over the m = N (x spatial) entries of a
    channel, x^ = (x - mu) / sqrt(var + eps), y = gamma x^ + beta; the running statistics
    are updated in place with ``momentum`` (the unbiased variance, as PyTorch).
    Evaluation: the same with the running mean and variance, a fixed affine map.

    VJP in training, as derived in the notes (seed 001, "BATCH NORMALIZATION"):
    gx^ = g gamma;  gvar = sum(gx^ (x - mu)) (-1/2) (var + eps)^(-3/2);
    gmu = -sum(gx^) / sqrt(var + eps) + gvar (-2/m) sum(x - mu)  (the last sum is 0);
    gx = gx^ / sqrt(var + eps) + gvar 2 (x - mu) / m + gmu / m;
    ggamma = sum(g x^), gbeta = sum(g). In evaluation gx = g gamma / sqrt(var + eps).
    """

    def __init__(
        self,
        training: bool,
        momentum: float = 0.1,
        eps: float = 1e-5,
        running_mean: Array | None = None,
        running_var: Array | None = None,
    ) -> None:
        self.training, self.momentum, self.eps = training, momentum, eps
        self.running_mean, self.running_var = running_mean, running_var

    def forward(self, x: Array, gamma: Array | None = None, beta: Array | None = None) -> Array:
        # inputs are (x,) or (x, gamma, beta); F.batch_norm fills a missing one with a constant
        axes = (0,) + tuple(range(2, x.ndim))
        bshape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        self.axes, self.bshape = axes, bshape
        m = x.size // x.shape[1]
        self.m = m
        dt = x.dtype
        if self.training:
            mu = x.mean(axis=axes)
            xc = x - mu.reshape(bshape)
            var = (xc * xc).mean(axis=axes)
            rm, rv, mom = self.running_mean, self.running_var, self.momentum
            if rm is not None and rv is not None:
                rm *= 1 - mom
                rm += mom * mu
                rv *= 1 - mom
                rv += (mom * m / max(m - 1, 1)) * var
        else:
            if self.running_mean is None or self.running_var is None:
                raise ValueError("batch_norm: evaluation needs running_mean and running_var")
            mu = self.running_mean.astype(dt, copy=False)
            var = self.running_var.astype(dt, copy=False)
            xc = x - mu.reshape(bshape)
        inv_std = (1.0 / np.sqrt(var + self.eps)).astype(dt, copy=False)
        self.inv_std = inv_std
        self.xhat = xhat = xc * inv_std.reshape(bshape)
        self.xc = xc
        self.gamma = gamma
        if gamma is None or beta is None:
            return xhat.copy()  # never hand out an array saved for backward
        y = xhat * gamma.reshape(bshape)
        y += beta.reshape(bshape)
        return y

    def backward(self, g: Array) -> tuple[Array | None, ...]:
        axes, bshape, m = self.axes, self.bshape, self.m
        need = self.needs_grad
        gamma, inv_std = self.gamma, self.inv_std
        gxhat = g if gamma is None else g * gamma.reshape(bshape)
        gx = None
        if need[0]:
            if self.training:
                gvar = (gxhat * self.xc).sum(axis=axes) * (-0.5 * inv_std**3)
                gmu = -gxhat.sum(axis=axes) * inv_std
                gx = gxhat * inv_std.reshape(bshape)
                gx += self.xc * (gvar * (2.0 / m)).reshape(bshape)
                gx += (gmu / m).reshape(bshape)
            else:
                gx = gxhat * inv_std.reshape(bshape)
        out: list[Array | None] = [gx]
        if len(need) > 1:
            out.append((g * self.xhat).sum(axis=axes) if need[1] else None)
        if len(need) > 2:
            out.append(g.sum(axis=axes) if need[2] else None)
        return tuple(out)


class MaskMul(Function):
    """y = x * mask for a constant ``mask`` (dropout).  VJP: gx = g * mask."""

    def __init__(self, mask: Array) -> None:
        self.mask = mask

    def forward(self, x: Array) -> Array:
        return x * self.mask

    def backward(self, g: Array) -> tuple[Array]:
        return (g * self.mask,)
