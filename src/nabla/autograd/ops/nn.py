"""Fused primitives of neural networks: linear, activations with a parameter, softmax and
log-softmax, batch normalisation and the dropout mask (the losses are in ``ops/loss.py``).

Each is one ``Function`` because a benchmark or numerical stability asks for it: a layer
built from elementary ops would record 3-10 nodes and pay their fixed cost each step, and a
loss written as ``log(softmax(x))`` overflows. Every op keeps float32 float32.
"""

from __future__ import annotations

from typing import Any

from nabla.autograd.engine import Function
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

    def backward_graph(self, g: Any, y: Any) -> tuple[Any, ...]:
        x, w = self.inputs[0], self.inputs[1]  # type: ignore[index]
        gx = g.matmul(w)
        if x.ndim == 1:  # one sample: outer products
            gw, gb = g.reshape(-1, 1) * x.reshape(1, -1), g
        else:
            g2, x2 = g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1])
            gw, gb = g2.transpose().matmul(x2), g2.sum(axis=0)
        return (gx, gw, gb)[: len(self.inputs)]  # type: ignore[arg-type]


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

    def backward_graph(self, g: Any, y: Any) -> tuple[Any, ...]:
        return (g * np.where(self.pos, 1.0, self.s).astype(g.dtype),)


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

    def backward_graph(self, g: Any, y: Any) -> tuple[Any, ...]:
        from nabla.autograd.ops.elementwise import where

        return (where(self.pos, g, g * (y + self.alpha)),)


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

    def backward_graph(self, g: Any, y: Any) -> tuple[Any, ...]:
        return (g - y.exp() * g.sum(axis=self.axis, keepdims=True),)


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

    def backward_graph(self, g: Any, y: Any) -> tuple[Any, ...]:
        return (y * (g - (g * y).sum(axis=self.axis, keepdims=True)),)


# ---------------------------------------------------------------------------------------
class BatchNorm(Function):
    """Batch normalisation over every axis but the channel axis 1 (the course notes).

    Training: mu = mean(x), var = mean((x - mu)^2) over the m = N (x spatial) entries of a
    channel, x^ = (x - mu) / sqrt(var + eps), y = gamma x^ + beta; the running statistics
    are updated in place with ``momentum`` (the unbiased variance, as PyTorch).
    Evaluation: the same with the running mean and variance, a fixed affine map.

    VJP in training, as derived in the notes ("BATCH NORMALIZATION"):
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
