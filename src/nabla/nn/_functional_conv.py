"""The functional forms of the convolution and pooling options (re-exported by
``nabla.nn.functional``): ``pad`` with PyTorch's modes, grouped / depthwise convolution and
``padding='same'`` with uneven padding, ``conv_transpose2d``, pooling with ``dilation``,
``ceil_mode`` and ``divisor_override``, ``interpolate`` (nearest, bilinear) and adaptive
pooling. Each checks its arguments, naming the value, before building anything.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.ops import conv as _conv
from nabla.autograd.ops import conv_extra as _cx
from nabla.autograd.ops import resample as _rs
from nabla.autograd.tensor import Tensor, apply1
from nabla.nn import functional as _F

PAD_MODES = ("constant", "reflect", "replicate", "circular")
CONV_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _groups(groups: Any, c: int, o: int, who: str) -> int:
    if not _is_int(groups) or groups < 1:
        raise ValueError(f"{who}: groups must be an int >= 1, got {groups!r}")
    g = int(groups)
    if c % g or o % g:
        raise ValueError(
            f"{who}: groups={g} must divide both the input channels ({c}) and the output "
            f"channels ({o})"
        )
    return g


# ---- padding -------------------------------------------------------------------------------
def pad(input: Any, pad: Any, mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad the last dimensions: ``pad`` = (left, right) for the last, (left, right, top,
    bottom) for the last two, and so on (PyTorch's order; sides may differ: asymmetric
    padding). ``mode``: 'constant' (``value``, any number of dimensions), 'reflect' (mirror,
    edge not repeated; pad < size), 'replicate' (repeat the edge), 'circular' (wrap around;
    pad <= size); the last three pad the last one or two dimensions."""
    who = "pad"
    x = _F._tensor(input, who)
    if mode not in PAD_MODES:
        raise ValueError(f"{who}: mode must be one of {', '.join(PAD_MODES)}, got {mode!r}")
    ok = isinstance(pad, (tuple, list)) and len(pad) % 2 == 0 and 0 < len(pad) // 2 <= x.ndim
    if not ok or not all(_is_int(p) and p >= 0 for p in pad):
        raise ValueError(
            f"{who}: pad must be a tuple of 2 k non-negative ints (left, right, top, bottom, "
            f"...) with k <= {x.ndim} (the input's dimensions), got {pad!r}"
        )
    pads = tuple(int(p) for p in pad)
    if mode != "constant":
        dims = len(pads) // 2
        if dims > 2 or x.ndim not in (dims + 1, dims + 2):
            raise ValueError(
                f"{who}: mode {mode!r} pads the last 1 or 2 dimensions of an input with 1 or "
                f"2 more (as PyTorch); got pad {pad!r} for shape {x.shape}"
            )
        for k in range(dims):
            n = x.shape[x.ndim - 1 - k]
            most = n - 1 if mode == "reflect" else n
            if n == 0 or max(pads[2 * k], pads[2 * k + 1]) > most:
                raise ValueError(
                    f"{who}: mode {mode!r} needs padding at most {most} for a dimension of "
                    f"size {n}, got pad {pad!r} for shape {x.shape}"
                )
    elif isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"{who}: value must be a number, got {value!r}")
    return apply1(_cx.Pad(pads, mode, float(value)), x)


def same_pads(k: tuple[int, int], d: tuple[int, int]) -> tuple[int, int, int, int]:
    """(left, right, top, bottom) of padding='same' at stride 1: d (k - 1) in all, the odd
    one on the right / bottom (as PyTorch)."""
    th, tw = d[0] * (k[0] - 1), d[1] * (k[1] - 1)
    return tw // 2, tw - tw // 2, th // 2, th - th // 2


# ---- convolution ---------------------------------------------------------------------------
def conv2d_options(
    input: Any,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: Any,
    who: str,
) -> Tensor:
    """``conv2d`` with ``groups`` or ``padding='same'``: the checks of ``conv2d``, then the
    fast op for groups=1 and ``GroupedConv2d`` otherwise."""
    x = _F._tensor(input, who)
    if weight.ndim != 4:
        raise ValueError(f"{who}: weight must be 4-D (out, in/groups, kh, kw), got {weight.shape}")
    s = _F._pair(stride, who, "stride", 1)
    d = _F._pair(dilation, who, "dilation", 1)
    k = (weight.shape[2], weight.shape[3])
    if x.ndim not in (3, 4):
        raise ValueError(f"{who}: expected a 4-D or 3-D input, got shape {x.shape}")
    g = _groups(groups, x.shape[-3], weight.shape[0], who)
    if weight.shape[1] * g != x.shape[-3]:
        raise ValueError(
            f"{who}: weight {weight.shape} with groups={g} expects {weight.shape[1] * g} input "
            f"channels, got input shape {x.shape}"
        )
    if isinstance(padding, str) and padding == "same":
        if s != (1, 1):
            raise ValueError(f"{who}: padding='same' needs stride 1, got stride {s}")
        left, right, top, bottom = same_pads(k, d)
        if (left, top) != (right, bottom):
            x = pad(x, (left, right, top, bottom))
            p = (0, 0)
        else:
            p = (top, left)
    elif isinstance(padding, str):
        p = _F._same_padding(padding, k, d, s, who)
    else:
        p = _F._pair(padding, who, "padding", 0)
    _F._check_spatial(x, who, x.shape[-3], k, p, d)
    op = _conv.Conv2d(s, p, d) if g == 1 else _cx.GroupedConv2d(s, p, d, g)
    return _F._batched(x, op, weight) if bias is None else _F._batched(x, op, weight, bias)


def conv_transpose2d(
    input: Any,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """Transposed convolution of x (N, C, H, W) with W (C, O / groups, kh, kw) (PyTorch's
    argument order): the gradient of ``conv2d`` with respect to its input, used to upsample.
    H_out = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1, with
    output_padding < stride or < dilation (it picks one of the input sizes a strided
    convolution maps to H)."""
    who = "conv_transpose2d"
    x = _F._tensor(input, who)
    if weight.ndim != 4:
        raise ValueError(f"{who}: weight must be 4-D (in, out/groups, kh, kw), got {weight.shape}")
    if x.ndim not in (3, 4) or x.shape[-3] != weight.shape[0]:
        raise ValueError(
            f"{who}: expected input (N, {weight.shape[0]}, H, W) or ({weight.shape[0]}, H, W) "
            f"for weight {weight.shape}, got shape {x.shape}"
        )
    s = _F._pair(stride, who, "stride", 1)
    p = _F._pair(padding, who, "padding", 0)
    op_ = _F._pair(output_padding, who, "output_padding", 0)
    d = _F._pair(dilation, who, "dilation", 1)
    g = _groups(groups, weight.shape[0], weight.shape[1] * (groups if _is_int(groups) else 1), who)
    for a in range(2):
        if op_[a] >= max(s[a], d[a]):
            raise ValueError(
                f"{who}: output_padding {output_padding!r} must be smaller than stride "
                f"{s} or dilation {d}"
            )
    if bias is not None and bias.shape != (weight.shape[1] * g,):
        raise ValueError(f"{who}: bias must have shape ({weight.shape[1] * g},), got {bias.shape}")
    h, w = x.shape[-2:]
    kh, kw = weight.shape[2:]
    out = [
        (n - 1) * s[a] - 2 * p[a] + d[a] * (kk - 1) + op_[a] + 1
        for a, (n, kk) in enumerate(((h, kh), (w, kw)))
    ]
    if min(out) < 1 or min(h, w) < 1:
        raise ValueError(
            f"{who}: the output would be {out[0]}x{out[1]} for input shape {x.shape}, kernel "
            f"{(kh, kw)}, stride {s}, padding {p}; reduce the padding"
        )
    op = _cx.ConvTranspose2d(s, p, op_, d, g)
    return _F._batched(x, op, weight) if bias is None else _F._batched(x, op, weight, bias)


# ---- pooling -------------------------------------------------------------------------------
def pool2d_options(
    kind: str,
    input: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any = 1,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: Any = None,
    who: str = "max_pool2d",
) -> Tensor:
    """Max or average pooling with ``dilation``, ``ceil_mode`` or ``divisor_override``."""
    k, s, p = _F._pool_args(kernel_size, stride, padding, who)
    d = _F._pair(dilation, who, "dilation", 1)
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"{who}: ceil_mode must be a bool, got {ceil_mode!r}")
    if divisor_override is not None and (not _is_int(divisor_override) or divisor_override < 1):
        raise ValueError(f"{who}: divisor_override must be an int >= 1, got {divisor_override!r}")
    x = _F._tensor(input, who)
    _F._check_spatial(x, who, None, k, p, d)
    if kind == "avg":
        _F._check_floating(x, who)
    op = _cx.Pool2dEx(kind, k, s, p, d, bool(ceil_mode), bool(count_include_pad), divisor_override)
    return _F._batched(x, op)


def _out_pair(size: Any, who: str, name: str, x: Tensor) -> tuple[int, int]:
    """An output size: an int, or a pair whose None entries keep the input's size."""
    if isinstance(size, (tuple, list)) and len(size) == 2:
        size = tuple(x.shape[-2 + a] if v is None else v for a, v in enumerate(size))
    return _F._pair(size, who, name, 1)


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Tensor:
    """Mean over windows [floor(i H / OH), ceil((i + 1) H / OH)) x (the same for W): any
    input size to (OH, OW) (``output_size`` an int, a pair, None entries keep that size)."""
    who = "adaptive_avg_pool2d"
    x = _F._tensor(input, who)
    _F._check_spatial(x, who, None, (1, 1), (0, 0))
    _F._check_floating(x, who)
    oh, ow = _out_pair(output_size, who, "output_size", x)
    h, w = x.shape[-2:]
    op = _rs.Separable2d(_rs.adaptive_avg_matrix(h, oh), _rs.adaptive_avg_matrix(w, ow))
    return apply1(op, x)


def adaptive_max_pool2d(input: Any, output_size: Any) -> Tensor:
    """Maximum over the windows of ``adaptive_avg_pool2d``."""
    who = "adaptive_max_pool2d"
    x = _F._tensor(input, who)
    _F._check_spatial(x, who, None, (1, 1), (0, 0))
    out = _out_pair(output_size, who, "output_size", x)
    if min(x.shape[-2:]) < 1:
        raise ValueError(f"{who}: the input must not be empty, got shape {x.shape}")
    return _F._batched(x, _rs.AdaptiveMaxPool2d(out))


INTERPOLATE_MODES = ("nearest", "bilinear")


def interpolate(
    input: Any,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """Resize the last two dimensions of (N, C, H, W) or (C, H, W) to ``size`` or by
    ``scale_factor`` (exactly one): 'nearest' takes entry floor(i / scale), 'bilinear'
    interpolates linearly in each dimension, from the centres of the pixels
    (``align_corners=False``, PyTorch's default) or from the corner pixels (True)."""
    who = "interpolate"
    x = _F._tensor(input, who)
    if mode not in INTERPOLATE_MODES:
        raise ValueError(f"{who}: mode must be 'nearest' or 'bilinear', got {mode!r}")
    if mode == "nearest" and align_corners is not None:
        raise ValueError(
            f"{who}: align_corners only applies to mode 'bilinear', got {align_corners!r}"
        )
    if align_corners is not None and not isinstance(align_corners, (bool, np.bool_)):
        raise ValueError(f"{who}: align_corners must be a bool or None, got {align_corners!r}")
    if x.ndim not in (3, 4):
        raise ValueError(f"{who}: expected a 4-D (N, C, H, W) or 3-D input, got shape {x.shape}")
    if (size is None) == (scale_factor is None):
        raise ValueError(
            f"{who}: give exactly one of size and scale_factor, got {size!r} and {scale_factor!r}"
        )
    h, w = x.shape[-2:]
    if size is not None:
        oh, ow = _F._pair(size, who, "size", 1)
        scales: tuple[Any, Any] = (None, None)
    else:
        sf = scale_factor if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * 2
        if len(sf) != 2 or not all(
            isinstance(v, (int, float, np.number))
            and not isinstance(v, bool)
            and v > 0
            and np.isfinite(v)
            for v in sf
        ):
            raise ValueError(
                f"{who}: scale_factor must be a positive number or pair, got {scale_factor!r}"
            )
        oh, ow = int(np.floor(h * sf[0])), int(np.floor(w * sf[1]))
        if oh < 1 or ow < 1:
            raise ValueError(
                f"{who}: scale_factor {scale_factor!r} gives an empty output for {h}x{w}"
            )
        scales = (float(sf[0]), float(sf[1]))
    if min(h, w) < 1:
        raise ValueError(f"{who}: the input must not be empty, got shape {x.shape}")
    if mode == "bilinear":
        _F._check_floating(x, who)
    if mode == "nearest":
        ah, aw = _rs.nearest_matrix(h, oh, scales[0]), _rs.nearest_matrix(w, ow, scales[1])
    else:
        ac = bool(align_corners)
        ah = _rs.linear_matrix(h, oh, ac, scales[0])
        aw = _rs.linear_matrix(w, ow, ac, scales[1])
    return apply1(_rs.Separable2d(ah, aw), x)
