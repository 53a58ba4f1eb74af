"""``nabla.nn.functional`` (import it as ``F``): the stateless forms of the layers.

Each function checks its arguments and calls one fused primitive of
``nabla.autograd.ops.nn`` / ``nabla.autograd.ops.conv`` (or a few elementary ops). Names and
arguments follow ``torch.nn.functional``; class axes are ``dim`` as in PyTorch. The losses
are re-exported from ``nabla.nn._functional_loss``, the further activations (gelu, silu, ...)
and ``one_hot`` from ``nabla.nn._functional_activation``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.ops import conv as _conv
from nabla.autograd.ops import nn as _nn
from nabla.autograd.ops.activation import Relu, Sigmoid, Softplus, Tanh
from nabla.autograd.ops.elementwise import where
from nabla.autograd.ops.reduction import check_axis
from nabla.autograd.tensor import Tensor, apply, apply1, apply2, as_tensor
from nabla.nn._conv_size import conv_output_size
from nabla.nn._functional_activation import (
    celu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    one_hot,
    relu6,
    selu,
    silu,
    softmin,
    softsign,
)
from nabla.nn._functional_loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    l1_penalty,
    l2_penalty,
    mse_loss,
    nll_loss,
)
from nabla.nn.init import RNG, get_rng

__all__ = [
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "conv2d",
    "conv_output_size",
    "conv_transpose2d",
    "cross_entropy",
    "dropout",
    "elu",
    "flatten",
    "gelu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "interpolate",
    "l1_loss",
    "l1_penalty",
    "l2_penalty",
    "leaky_relu",
    "linear",
    "log_softmax",
    "logsigmoid",
    "max_pool2d",
    "maxout",
    "mish",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "pad",
    "prelu",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softmax",
    "softmin",
    "softplus",
    "softsign",
    "tanh",
]

IntPair = int | tuple[int, int]


def _tensor(x: Any, who: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    try:
        return as_tensor(x)
    except TypeError as exc:
        raise TypeError(
            f"{who}: input must be a tensor or an array, got {type(x).__name__}: {exc}"
        ) from None


def _pair(v: Any, who: str, name: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints as a pair, each >= ``minimum``; raises naming the value."""
    vals = (v, v) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else v
    ok = isinstance(vals, (tuple, list)) and len(vals) == 2
    ok = ok and all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in vals)
    if not ok or any(a < minimum for a in vals):
        raise ValueError(f"{who}: {name} must be an int or a pair of ints >= {minimum}, got {v!r}")
    return int(vals[0]), int(vals[1])


# ---- linear and convolution ---------------------------------------------------------------
def linear(input: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b; ``x`` (..., in), ``W`` (out, in), ``b`` (out,)."""
    x = _tensor(input, "linear")
    if x.ndim == 0 or x.shape[-1] != weight.shape[-1]:
        raise ValueError(
            f"linear: expected input of shape (..., {weight.shape[-1]}) for a weight of shape "
            f"{weight.shape}, got shape {x.shape}"
        )
    if bias is None:
        return apply2(_nn.Linear(), x, weight)
    return apply(_nn.Linear(), x, weight, bias)


def _check_spatial(
    x: Tensor,
    who: str,
    channels: int | None,
    kernel: tuple[int, int],
    pad: tuple[int, int],
    dilation: tuple[int, int] = (1, 1),
) -> None:
    if x.ndim not in (3, 4):
        c = "C" if channels is None else str(channels)
        raise ValueError(
            f"{who}: expected a 4-D input (N, {c}, H, W) or a 3-D one ({c}, H, W), "
            f"got shape {x.shape}"
        )
    if channels is not None and x.shape[-3] != channels:
        raise ValueError(
            f"{who}: expected input with {channels} channels, shape (N, {channels}, H, W), "
            f"got shape {x.shape} ({x.shape[-3]} channels)"
        )
    for axis, (k, p, d) in enumerate(zip(kernel, pad, dilation)):
        size = x.shape[-2 + axis] + 2 * p
        if d * (k - 1) + 1 > size:
            raise ValueError(
                f"{who}: kernel size {kernel} (dilation {dilation}) is larger than the padded "
                f"input {x.shape[-2] + 2 * pad[0]}x{x.shape[-1] + 2 * pad[1]} (input shape "
                f"{x.shape}, padding {pad})"
            )


def _batched(x: Tensor, op: Any, *others: Tensor) -> Tensor:
    """Run a 4-D op on a 3-D (unbatched) input by adding and removing the batch axis."""
    if x.ndim == 3:
        out = apply(op, x.reshape((1, *x.shape)), *others)
        return out.reshape(out.shape[1:])
    if others:
        return apply(op, x, *others)
    return apply1(op, x)


def conv2d(
    input: Any,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntPair = 1,
    padding: IntPair | str = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    _who: str = "conv2d",
) -> Tensor:
    """2-D cross-correlation (PyTorch's convolution) of x (N, C, H, W) with W (O, C / groups,
    kh, kw).

    Output size per dimension: floor((H + 2 p - d (k - 1) - 1) / s) + 1. ``padding`` may be
    'valid' (0) or 'same' (stride 1; an odd total d (k - 1) puts the extra row / column on
    the bottom / right, as PyTorch). ``groups`` splits the channels into groups convolved
    separately (``groups = C``: depthwise).
    """
    if groups != 1 or (isinstance(padding, str) and padding == "same"):
        return conv2d_options(input, weight, bias, stride, padding, dilation, groups, _who)
    x = _tensor(input, _who)
    if weight.ndim != 4:
        raise ValueError(f"{_who}: weight must be 4-D (out, in, kh, kw), got shape {weight.shape}")
    s = _pair(stride, _who, "stride", 1)
    d = _pair(dilation, _who, "dilation", 1)
    k = (weight.shape[2], weight.shape[3])
    p = (
        _same_padding(padding, k, d, s, _who)
        if isinstance(padding, str)
        else _pair(padding, _who, "padding", 0)
    )
    _check_spatial(x, _who, weight.shape[1], k, p, d)
    op = _conv.Conv2d(s, p, d)
    return _batched(x, op, weight) if bias is None else _batched(x, op, weight, bias)


def _same_padding(
    padding: str, k: tuple[int, int], d: tuple[int, int], s: tuple[int, int], who: str
) -> tuple[int, int]:
    """The padding of ``padding='valid'`` (0) or ``'same'`` (output size = input size)."""
    if padding == "valid":
        return 0, 0
    if padding != "same":
        raise ValueError(
            f"{who}: padding must be an int, a pair, 'valid' or 'same', got {padding!r}"
        )
    if s != (1, 1):
        raise ValueError(f"{who}: padding='same' needs stride 1, got stride {s}")
    total = [di * (ki - 1) for ki, di in zip(k, d)]
    if any(t % 2 for t in total):
        raise ValueError(
            f"{who}: padding='same' with kernel {k} and dilation {d} would need uneven padding; "
            "give the padding explicitly"
        )
    return total[0] // 2, total[1] // 2


# ---- pooling -------------------------------------------------------------------------------
def _pool_args(
    kernel_size: Any, stride: Any, padding: Any, who: str
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    k = _pair(kernel_size, who, "kernel_size", 1)
    s = k if stride is None else _pair(stride, who, "stride", 1)
    p = _pair(padding, who, "padding", 0)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"{who}: padding {padding!r} must be at most half the kernel size {k}")
    return k, s, p


def _check_floating(x: Tensor, who: str) -> None:
    if x.dtype.kind != "f":
        raise TypeError(
            f"{who}: input must be floating point (a mean of integers is not an integer), got "
            f"dtype {x.dtype}; convert it with .float() first"
        )


def max_pool2d(
    input: Any,
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    ceil_mode: bool = False,
) -> Tensor:
    """Maximum over kh x kw windows with the given stride (default: the kernel size); the
    padding is -inf (the smallest integer for integer input). Output size: see
    ``conv_output_size`` (``ceil_mode=True`` rounds up, keeping a last partial window that
    starts inside the input or the left padding); ``dilation`` spaces the window's taps."""
    if dilation != 1 or ceil_mode is not False:
        return pool2d_options("max", input, kernel_size, stride, padding, dilation, ceil_mode)
    k, s, p = _pool_args(kernel_size, stride, padding, "max_pool2d")
    x = _tensor(input, "max_pool2d")
    _check_spatial(x, "max_pool2d", None, k, p)
    return _batched(x, _conv.MaxPool2d(k, s, p))


def avg_pool2d(
    input: Any,
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over kh x kw windows (zero padding counted unless ``count_include_pad=False``;
    ``divisor_override`` divides every window's sum by that number; ``ceil_mode`` as
    ``max_pool2d``, the part of a last window past the padding never counted)."""
    if ceil_mode is not False or divisor_override is not None:
        return pool2d_options(
            "avg",
            input,
            kernel_size,
            stride,
            padding,
            1,
            ceil_mode,
            count_include_pad,
            divisor_override,
            "avg_pool2d",
        )
    k, s, p = _pool_args(kernel_size, stride, padding, "avg_pool2d")
    x = _tensor(input, "avg_pool2d")
    _check_spatial(x, "avg_pool2d", None, k, p)
    _check_floating(x, "avg_pool2d")
    return _batched(x, _conv.AvgPool2d(k, s, p, bool(count_include_pad)))


# ---- normalisation and dropout ---------------------------------------------------------------
def _array(t: Any) -> np.ndarray | None:
    if t is None:
        return None
    return t.data if isinstance(t, Tensor) else np.asarray(t)


def batch_norm(
    input: Any,
    running_mean: Any,
    running_var: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation over all axes but the channel axis 1 (see ``ops.nn.BatchNorm``).

    In training the batch statistics are used and ``running_mean`` / ``running_var`` (if
    given) are updated in place; otherwise the running statistics are used.
    """
    x = _tensor(input, "batch_norm")
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an input (N, C, ...), got shape {x.shape}")
    rm, rv = _array(running_mean), _array(running_var)
    if not training and (rm is None or rv is None):
        raise ValueError("batch_norm: running_mean and running_var are needed when not training")
    if training and x.size // x.shape[1] <= 1:
        raise ValueError(
            f"batch_norm: expected more than 1 value per channel when training, got input "
            f"shape {x.shape}"
        )
    op = _nn.BatchNorm(bool(training), momentum, eps, rm, rv)
    if weight is None and bias is None:
        return apply1(op, x)
    c = x.shape[1]
    w = weight if weight is not None else Tensor._wrap(np.ones(c, dtype=x.dtype))
    b = bias if bias is not None else Tensor._wrap(np.zeros(c, dtype=x.dtype))
    return apply(op, x, w, b)


def dropout(
    input: Any, p: float = 0.5, training: bool = True, inverted: bool = True, rng: RNG = None
) -> Tensor:
    """Zero each entry with probability p (the course notes "DROPOUT").

    Inverted (default, as the notes recommend and PyTorch does): in training keep entries
    with probability 1 - p and scale them by 1 / (1 - p); at test time do nothing.
    Non-inverted (the notes' first variant): keep without scaling in training, multiply by
    1 - p at test time.
    """
    if not isinstance(p, (int, float)) or isinstance(p, bool) or not 0 <= p < 1:
        raise ValueError(f"dropout: p must be a probability in [0, 1), got {p!r}")
    x = _tensor(input, "dropout")
    if not training:
        return x if inverted or p == 0 else x * (1.0 - p)
    if p == 0:
        return x
    gen = get_rng(rng, "dropout")
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    keep = gen.random(x.shape, dtype=np.float32 if dt == np.float32 else np.float64) >= p
    mask = keep.astype(dt)
    if inverted:
        mask *= 1.0 / (1.0 - p)
    return apply1(_nn.MaskMul(mask), x)


def flatten(input: Any, start_dim: int = 1, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim``..``end_dim`` (default: all but the batch axis)."""
    from nabla.nn.layers.shape import flatten_dims

    x = _tensor(input, "flatten")
    n = max(x.ndim, 1)
    if not (-n <= start_dim < n and -n <= end_dim < n):
        raise ValueError(
            f"flatten: start_dim={start_dim}, end_dim={end_dim} are out of range for an input "
            f"of shape {x.shape}"
        )
    return flatten_dims(x, start_dim, end_dim)


# ---- activations -----------------------------------------------------------------------------
def relu(input: Any) -> Tensor:
    """max(x, 0); the gradient at 0 is 0."""
    return apply1(Relu(), _tensor(input, "relu"))


def sigmoid(input: Any) -> Tensor:
    """1 / (1 + exp(-x)), stable at any x."""
    return apply1(Sigmoid(), _tensor(input, "sigmoid"))


def tanh(input: Any) -> Tensor:
    return apply1(Tanh(), _tensor(input, "tanh"))


def leaky_relu(input: Any, negative_slope: float = 0.01) -> Tensor:
    """max(a x, x) for a fixed slope a (the course notes: the hyper-parameter variant)."""
    return apply1(_nn.LeakyRelu(negative_slope), _tensor(input, "leaky_relu"))


def elu(input: Any, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha (exp(x) - 1) otherwise."""
    return apply1(_nn.Elu(alpha), _tensor(input, "elu"))


def prelu(input: Any, weight: Tensor) -> Tensor:
    """max(a x, x) with a learned slope a: one per channel (axis 1) or one shared."""
    x = _tensor(input, "prelu")
    n = weight.size
    if n != 1 and (x.ndim < 2 or x.shape[1] != n):
        raise ValueError(
            f"prelu: {n} slopes need an input with {n} channels on axis 1, got shape {x.shape}"
        )
    return apply2(_nn.Prelu(), x, weight)


def softplus(input: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, computed stably at any x; as in PyTorch, the identity x
    (gradient 1) where ``beta x > threshold``, where the two differ by under exp(-threshold).
    """
    x = _tensor(input, "softplus")
    out = apply1(Softplus(), x) if beta == 1 else apply1(Softplus(), x * beta) / beta
    above = (x.data * beta) > threshold
    if not above.any():
        return out
    return where(above, x, out)


def softmax(input: Any, dim: int = -1) -> Tensor:
    """exp(x_i - m) / sum_j exp(x_j - m) along ``dim`` (m the maximum)."""
    x = _tensor(input, "softmax")
    _check_dim(x, dim, "softmax")
    return apply1(_nn.Softmax(dim), x)


def log_softmax(input: Any, dim: int = -1) -> Tensor:
    """x_i - m - log sum_j exp(x_j - m) along ``dim``; stable at ±1000."""
    x = _tensor(input, "log_softmax")
    _check_dim(x, dim, "log_softmax")
    return apply1(_nn.LogSoftmax(dim), x)


def _check_dim(x: Tensor, dim: int, who: str) -> None:
    # the reductions' rule: TypeError for a non-int, AxisError (an IndexError) out of range
    check_axis(dim, x.ndim, who)


def maxout(input: Any, pieces: int) -> Tensor:
    """max over groups of ``pieces`` consecutive entries of the last axis (the neural-network
    lecture):
    (..., F pieces) -> (..., F)."""
    if isinstance(pieces, bool) or not isinstance(pieces, (int, np.integer)) or pieces < 1:
        raise ValueError(f"maxout: pieces must be an int >= 1, got {pieces!r}")
    x = _tensor(input, "maxout")
    if x.ndim == 0 or x.shape[-1] % pieces:
        raise ValueError(
            f"maxout: the last dimension must be a multiple of pieces={pieces}, got shape {x.shape}"
        )
    return x.reshape((*x.shape[:-1], x.shape[-1] // pieces, pieces)).max(axis=-1)


# the convolution and pooling options live in their own module (it uses the helpers above)
from nabla.nn._functional_conv import (  # noqa: E402
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    conv2d_options,
    conv_transpose2d,
    interpolate,
    pad,
    pool2d_options,
)
