"""Registry entries for the fused ops of ``nabla.nn`` (ops/nn.py, ops/loss.py and ops/conv.py).

Picked up by ``tests/autograd/registry.all_ops()``: each entry gets the generic tests
(forward vs the NumPy reference below, float64 gradcheck, float32 stays float32, gradient
accumulation, no_grad, PyTorch float32/float64). References are written independently of
the ops: loops over output positions for convolution and pooling, textbook formulas for the
losses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import nabla.nn.functional as F
from tests.autograd.registry import OpSpec, Shapes


def _tF():
    import torch

    return torch.nn.functional


# ---- references ---------------------------------------------------------------------------
def _conv_ref(x, w, b=None, stride=1, padding=0, dilation=1):
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    ow = (wd + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    y = np.zeros((n, o, oh, ow), dtype=np.result_type(x, w))
    for i in range(oh):
        for j in range(ow):
            r, s = i * stride, j * stride
            patch = xp[:, :, r : r + dilation * kh : dilation, s : s + dilation * kw : dilation]
            y[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return y if b is None else y + b[None, :, None, None]


def _pool_ref(x, k, s, p, kind, count_include_pad=True):
    n, c, h, w = x.shape
    fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=fill)
    ones = np.pad(np.ones((h, w)), p)
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    y = np.zeros((n, c, oh, ow), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            win = xp[:, :, i * s : i * s + k, j * s : j * s + k]
            if kind == "max":
                y[:, :, i, j] = win.max(axis=(2, 3))
            else:
                div = (
                    k * k if count_include_pad else ones[i * s : i * s + k, j * s : j * s + k].sum()
                )
                y[:, :, i, j] = win.sum(axis=(2, 3)) / div
    return y


def _bn_ref(x, g, b, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mu = x.mean(axis=axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=axes, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g.reshape(shape) + b.reshape(shape)


def _log_softmax_ref(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _ce_ref(x, t, weight=None, ignore=-100, reduction="mean", eps=0.0):
    x2 = np.moveaxis(x, 1, -1).reshape(-1, x.shape[1]) if x.ndim > 2 else x
    t = t.reshape(-1)
    c = x2.shape[1]
    lp = _log_softmax_ref(x2, 1)
    w = np.ones(c) if weight is None else weight
    losses, wts = [], []
    for i, ti in enumerate(t):
        if ti == ignore:
            losses.append(0.0)
            wts.append(0.0)
            continue
        nll = -w[ti] * lp[i, ti]
        smooth = -(w * lp[i]).sum()
        losses.append((1 - eps) * nll + eps / c * smooth)
        wts.append(w[ti])
    losses = np.array(losses, dtype=x.dtype)
    if reduction == "none":
        return losses.reshape((x.shape[0],) + x.shape[2:])
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / np.sum(wts)


def _ce_prob_ref(x, p, eps=0.0):
    c = x.shape[1]
    q = (1 - eps) * p + eps / c
    return -(q * _log_softmax_ref(x, 1)).sum(axis=1).mean()


# ---- input makers ---------------------------------------------------------------------------
def _with_classes(c_axis: int = 1, ignore: bool = False):
    def make(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
        x = rng.uniform(-3, 3, shapes[0]).astype(dtype)
        c = shapes[0][c_axis]
        t = rng.integers(0, c, shapes[1])
        if ignore:
            t.reshape(-1)[::3] = -1
        return [x, t]

    return make


def _probs(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    x = rng.uniform(-3, 3, shapes[0]).astype(dtype)
    p = rng.uniform(0.05, 1, shapes[1])
    return [x, (p / p.sum(axis=1, keepdims=True)).astype(dtype)]


def _bce_inputs(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    return [
        rng.uniform(0.05, 0.95, shapes[0]).astype(dtype),
        rng.uniform(0, 1, shapes[1]).astype(dtype),
    ]


def _logit_inputs(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    return [rng.uniform(-4, 4, shapes[0]).astype(dtype), rng.uniform(0, 1, shapes[1]).astype(dtype)]


def _distinct(rng: np.random.Generator, shapes: Shapes, dtype: Any) -> list[np.ndarray]:
    """Values without ties: max-pooling is not differentiable at ties."""
    n = int(np.prod(shapes[0]))
    vals = rng.permutation(n) / n * 4 - 2
    return [vals.reshape(shapes[0]).astype(dtype)]


W3 = np.array([0.5, 2.0, 1.0])
RM, RV = np.array([0.3, -0.2, 0.1]), np.array([1.5, 0.5, 2.0])
POS_W = np.array([2.0, 0.5, 1.0, 3.0])
CONV_SHAPES: list[Shapes] = [((2, 2, 5, 5), (3, 2, 3, 3), (3,)), ((1, 1, 6, 4), (2, 1, 2, 3), (2,))]


def _mask_ref(x, p=0.3, seed=0):
    keep = np.random.default_rng(seed).random(x.shape, dtype=x.dtype) >= p
    return x * keep / (1 - p)


OPS: list[OpSpec] = [
    # ---- linear
    OpSpec(
        "linear",
        lambda x, w, b: F.linear(x, w, b),
        lambda x, w, b: x @ w.T + b,
        [
            ((4, 3), (5, 3), (5,)),
            ((2, 3, 3), (2, 3), (2,)),
            ((3,), (4, 3), (4,)),
            ((0, 3), (2, 3), (2,)),
        ],
        torch_fn=lambda x, w, b: _tF().linear(x, w, b),
    ),
    OpSpec(
        "linear_nobias",
        lambda x, w: F.linear(x, w),
        lambda x, w: x @ w.T,
        [((4, 3), (5, 3))],
        torch_fn=lambda x, w: _tF().linear(x, w),
    ),
    # ---- convolution and pooling
    OpSpec(
        "conv2d",
        lambda x, w, b: F.conv2d(x, w, b),
        _conv_ref,
        CONV_SHAPES,
        torch_fn=lambda x, w, b: _tF().conv2d(x, w, b),
    ),
    OpSpec(
        "conv2d_stride_pad",
        lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
        lambda x, w, b: _conv_ref(x, w, b, stride=2, padding=1),
        CONV_SHAPES,
        torch_fn=lambda x, w, b: _tF().conv2d(x, w, b, stride=2, padding=1),
    ),
    OpSpec(
        "conv2d_dilation_nobias",
        lambda x, w: F.conv2d(x, w, dilation=2, padding=1),
        lambda x, w: _conv_ref(x, w, dilation=2, padding=1),
        [((2, 2, 6, 6), (2, 2, 3, 3))],
        torch_fn=lambda x, w: _tF().conv2d(x, w, dilation=2, padding=1),
    ),
    OpSpec(
        "max_pool2d",
        lambda x: F.max_pool2d(x, 2),
        lambda x: _pool_ref(x, 2, 2, 0, "max"),
        [((2, 3, 4, 4),), ((1, 2, 5, 7),)],
        make=_distinct,
        torch_fn=lambda x: _tF().max_pool2d(x, 2),
    ),
    OpSpec(
        "max_pool2d_overlap_pad",
        lambda x: F.max_pool2d(x, 3, stride=2, padding=1),
        lambda x: _pool_ref(x, 3, 2, 1, "max"),
        [((1, 2, 5, 5),), ((2, 1, 6, 4),)],
        make=_distinct,
        torch_fn=lambda x: _tF().max_pool2d(x, 3, stride=2, padding=1),
    ),
    OpSpec(
        "avg_pool2d",
        lambda x: F.avg_pool2d(x, 2),
        lambda x: _pool_ref(x, 2, 2, 0, "avg"),
        [((2, 3, 4, 4),), ((1, 2, 5, 7),)],
        torch_fn=lambda x: _tF().avg_pool2d(x, 2),
    ),
    OpSpec(
        "avg_pool2d_pad_exclude",
        lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
        lambda x: _pool_ref(x, 3, 2, 1, "avg", count_include_pad=False),
        [((1, 2, 5, 5),)],
        torch_fn=lambda x: _tF().avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
    ),
    # ---- normalisation
    OpSpec(
        "batch_norm_train",
        lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True),
        _bn_ref,
        [((6, 3), (3,), (3,)), ((2, 3, 2, 3), (3,), (3,)), ((4, 3, 5), (3,), (3,))],
        torch_fn=lambda x, g, b: _tF().batch_norm(x, None, None, g, b, training=True),
    ),
    OpSpec(
        "batch_norm_eval",
        lambda x, g, b: F.batch_norm(x, RM.astype(x.dtype), RV.astype(x.dtype), g, b),
        lambda x, g, b: (
            (x - RM.reshape(1, 3, *[1] * (x.ndim - 2)))
            / np.sqrt(RV.reshape(1, 3, *[1] * (x.ndim - 2)) + 1e-5)
            * g.reshape(1, 3, *[1] * (x.ndim - 2))
            + b.reshape(1, 3, *[1] * (x.ndim - 2))
        ),
        [((4, 3), (3,), (3,)), ((2, 3, 2, 2), (3,), (3,))],
        torch_fn=lambda x, g, b: _tF().batch_norm(
            x, _t_arr(RM, x), _t_arr(RV, x), g, b, training=False
        ),
    ),
    OpSpec(
        "batch_norm_no_affine",
        lambda x: F.batch_norm(x, None, None, training=True),
        lambda x: _bn_ref(x, np.ones(x.shape[1]), np.zeros(x.shape[1])),
        [((5, 3),)],
        torch_fn=lambda x: _tF().batch_norm(x, None, None, training=True),
    ),
    # ---- activations
    OpSpec(
        "leaky_relu",
        lambda x: F.leaky_relu(x, 0.1),
        lambda x: np.where(x > 0, x, 0.1 * x),
        [((3, 4),), ((5,),), ((),)],
        kinks=(0.0,),
        torch_fn=lambda x: _tF().leaky_relu(x, 0.1),
    ),
    OpSpec(
        "elu",
        lambda x: F.elu(x, 1.5),
        lambda x: np.where(x > 0, x, 1.5 * (np.exp(np.minimum(x, 0)) - 1)),
        [((3, 4),), ((5,),)],
        kinks=(0.0,),
        atol=1e-5,
        torch_fn=lambda x: _tF().elu(x, 1.5),
    ),
    OpSpec(
        "prelu",
        lambda x, a: F.prelu(x, a),
        lambda x, a: np.where(
            x > 0, x, (a.reshape(1, -1, *[1] * (x.ndim - 2)) if a.size > 1 else a) * x
        ),
        [((2, 3, 4), (3,)), ((3, 4), (1,)), ((2, 3, 2, 2), (3,))],
        kinks=(0.0,),
        torch_fn=lambda x, a: _tF().prelu(x, a),
    ),
    OpSpec(
        "softmax_fused",
        lambda x: F.softmax(x, dim=1),
        lambda x: np.exp(_log_softmax_ref(x, 1)),
        [((3, 4),), ((2, 3, 4),)],
        torch_fn=lambda x: _tF().softmax(x, dim=1),
    ),
    OpSpec(
        "log_softmax_fused",
        lambda x: F.log_softmax(x, dim=-1),
        lambda x: _log_softmax_ref(x, -1),
        [((3, 4),), ((2, 3, 4),), ((5,),)],
        torch_fn=lambda x: _tF().log_softmax(x, dim=-1),
    ),
    OpSpec(
        "dropout_mask",
        lambda x: F.dropout(x, 0.3, rng=0),
        _mask_ref,
        [((4, 5),), ((3,),)],
    ),
    # ---- losses
    OpSpec(
        "cross_entropy",
        lambda x, t: F.cross_entropy(x, t),
        lambda x, t: _ce_ref(x, t),
        [((5, 4), (5,)), ((2, 3, 2, 2), (2, 2, 2))],
        make=_with_classes(),
        grad_inputs=(0,),
        torch_fn=lambda x, t: _tF().cross_entropy(x, t),
    ),
    OpSpec(
        "cross_entropy_weight_ignore_smooth",
        lambda x, t: F.cross_entropy(x, t, weight=W3, ignore_index=-1, label_smoothing=0.2),
        lambda x, t: _ce_ref(x, t, W3, -1, "mean", 0.2),
        [((6, 3), (6,)), ((2, 3, 3), (2, 3))],
        make=_with_classes(ignore=True),
        grad_inputs=(0,),
        torch_fn=lambda x, t: _tF().cross_entropy(
            x, t, weight=_t_arr(W3, x), ignore_index=-1, label_smoothing=0.2
        ),
    ),
    OpSpec(
        "cross_entropy_none_smooth",
        lambda x, t: F.cross_entropy(x, t, reduction="none", label_smoothing=0.1),
        lambda x, t: _ce_ref(x, t, None, -100, "none", 0.1),
        [((5, 4), (5,))],
        make=_with_classes(),
        grad_inputs=(0,),
        torch_fn=lambda x, t: _tF().cross_entropy(x, t, reduction="none", label_smoothing=0.1),
    ),
    OpSpec(
        "cross_entropy_sum_weight",
        lambda x, t: F.cross_entropy(x, t, weight=W3, reduction="sum"),
        lambda x, t: _ce_ref(x, t, W3, -100, "sum"),
        [((5, 3), (5,))],
        make=_with_classes(),
        grad_inputs=(0,),
        torch_fn=lambda x, t: _tF().cross_entropy(x, t, weight=_t_arr(W3, x), reduction="sum"),
    ),
    OpSpec(
        "cross_entropy_probs",
        lambda x, p: F.cross_entropy(x, p, label_smoothing=0.1),
        lambda x, p: _ce_prob_ref(x, p, 0.1),
        [((5, 4), (5, 4))],
        make=_probs,
        torch_fn=lambda x, p: _tF().cross_entropy(x, p, label_smoothing=0.1),
    ),
    OpSpec(
        "nll_loss",
        lambda x, t: F.nll_loss(x, t, weight=W3, ignore_index=-1),
        lambda x, t: _ce_ref_nll(x, t),
        [((6, 3), (6,))],
        make=_with_classes(ignore=True),
        grad_inputs=(0,),
        torch_fn=lambda x, t: _tF().nll_loss(x, t, weight=_t_arr(W3, x), ignore_index=-1),
    ),
    OpSpec(
        "binary_cross_entropy",
        lambda p, y: F.binary_cross_entropy(p, y),
        lambda p, y: -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(),
        [((4, 3), (4, 3)), ((5,), (5,))],
        make=_bce_inputs,
        torch_fn=lambda p, y: _tF().binary_cross_entropy(p, y),
    ),
    OpSpec(
        "bce_with_logits_pos_weight",
        lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=POS_W, reduction="sum"),
        lambda x, y: (
            -(
                POS_W * y * np.log(1 / (1 + np.exp(-x)))
                + (1 - y) * np.log(1 - 1 / (1 + np.exp(-x)))
            ).sum()
        ),
        [((3, 4), (3, 4))],
        make=_logit_inputs,
        torch_fn=lambda x, y: _tF().binary_cross_entropy_with_logits(
            x, y, pos_weight=_t_arr(POS_W, x), reduction="sum"
        ),
    ),
    OpSpec(
        "bce_with_logits",
        lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none"),
        lambda x, y: (
            -(y * np.log(1 / (1 + np.exp(-x))) + (1 - y) * np.log(1 - 1 / (1 + np.exp(-x))))
        ),
        [((3, 4), (3, 4))],
        make=_logit_inputs,
        torch_fn=lambda x, y: _tF().binary_cross_entropy_with_logits(x, y, reduction="none"),
    ),
    OpSpec(
        "mse_loss",
        lambda a, b: F.mse_loss(a, b),
        lambda a, b: ((a - b) ** 2).mean(),
        [((4, 3), (4, 3))],
        torch_fn=lambda a, b: _tF().mse_loss(a, b),
    ),
    OpSpec(
        "l1_loss",
        lambda a, b: F.l1_loss(a, b, reduction="sum"),
        lambda a, b: np.abs(a - b).sum(),
        [((4, 3), (4, 3))],
        torch_fn=lambda a, b: _tF().l1_loss(a, b, reduction="sum"),
    ),
]


def _ce_ref_nll(x, t):
    w = np.array([W3[i] if i != -1 else 0.0 for i in t])
    picked = np.array([x[i, ti] if ti != -1 else 0.0 for i, ti in enumerate(t)])
    return -(w * picked).sum() / w.sum()


def _t_arr(a: np.ndarray, like: Any) -> Any:
    import torch

    return torch.tensor(a, dtype=like.dtype)


# ---- convolution and pooling options (ops/conv_extra.py) ------------------------------------
# References: channel groups convolved one by one with _conv_ref, np.pad's own modes, and loops
# over output (or input) positions written from PyTorch's documented formulas.
_NP_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _pad_ref(x, pads, mode="constant", value=0.0):
    width = [(0, 0)] * x.ndim
    for k in range(len(pads) // 2):
        width[x.ndim - 1 - k] = (pads[2 * k], pads[2 * k + 1])
    kw = {"constant_values": value} if mode == "constant" else {}
    return np.pad(x, width, mode=_NP_MODES[mode], **kw)


def _group_conv_ref(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    cg, og = x.shape[1] // groups, w.shape[0] // groups
    parts = [
        _conv_ref(
            x[:, g * cg : (g + 1) * cg], w[g * og : (g + 1) * og], None, stride, padding, dilation
        )
        for g in range(groups)
    ]
    y = np.concatenate(parts, axis=1)
    return y if b is None else y + b[None, :, None, None]


def _conv_t_ref(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    n, c, h, wd = x.shape
    _, og, kh, kw = w.shape
    cg = c // groups
    hf = (h - 1) * stride + dilation * (kh - 1) + 1 + output_padding
    wf = (wd - 1) * stride + dilation * (kw - 1) + 1 + output_padding
    full = np.zeros((n, og * groups, hf, wf), dtype=np.result_type(x, w))
    for g in range(groups):
        xs, ws = x[:, g * cg : (g + 1) * cg], w[g * cg : (g + 1) * cg]
        for yy in range(h):
            for xx in range(wd):
                for i in range(kh):
                    for j in range(kw):
                        r, q = yy * stride + i * dilation, xx * stride + j * dilation
                        full[:, g * og : (g + 1) * og, r, q] += xs[:, :, yy, xx] @ ws[:, :, i, j]
    y = full[:, :, padding : hf - padding, padding : wf - padding]
    return y if b is None else y + b[None, :, None, None]


def _pool_ex_ref(x, k, s, p, d=1, ceil=False, kind="max", include=True, divisor=None):
    n, c, h, w = x.shape

    def size(m):
        span = m + 2 * p - d * (k - 1) - 1
        out = (-(-span // s) if ceil else span // s) + 1
        return out - 1 if ceil and (out - 1) * s >= m + p else out

    oh, ow = size(h), size(w)
    y = np.zeros((n, c, oh, ow), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            rows = [i * s - p + a * d for a in range(k)]
            cols = [j * s - p + a * d for a in range(k)]
            rin = [r for r in rows if 0 <= r < h]
            cin = [q for q in cols if 0 <= q < w]
            win = x[:, :, rin][:, :, :, cin]
            if kind == "max":
                y[:, :, i, j] = win.max(axis=(2, 3))
                continue
            if divisor is not None:
                div = divisor
            elif include:  # positions inside the padded input (-p .. size + p - 1)
                div = sum(-p <= r < h + p for r in rows) * sum(-p <= q < w + p for q in cols)
            else:
                div = len(rin) * len(cin)
            y[:, :, i, j] = win.sum(axis=(2, 3)) / div
    return y


def _adaptive_ref(x, out, kind):
    h, w = x.shape[2:]
    y = np.zeros((*x.shape[:2], *out), dtype=x.dtype)
    for i in range(out[0]):
        r0, r1 = int(np.floor(i * h / out[0])), int(np.ceil((i + 1) * h / out[0]))
        for j in range(out[1]):
            c0, c1 = int(np.floor(j * w / out[1])), int(np.ceil((j + 1) * w / out[1]))
            win = x[:, :, r0:r1, c0:c1]
            y[:, :, i, j] = win.max(axis=(2, 3)) if kind == "max" else win.mean(axis=(2, 3))
    return y


def _nearest_ref(x, size):
    h, w = x.shape[2:]
    rows = [min(int(np.floor(i * np.float32(h / size[0]))), h - 1) for i in range(size[0])]
    cols = [min(int(np.floor(j * np.float32(w / size[1]))), w - 1) for j in range(size[1])]
    return x[:, :, rows][:, :, :, cols]


def _bilinear_ref(x, size, align_corners):
    h, w = x.shape[2:]

    def src(i, n_in, n_out):
        if align_corners:
            t = i * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        else:
            t = max((i + 0.5) * n_in / n_out - 0.5, 0.0)
        i0 = min(int(np.floor(t)), n_in - 1)
        return i0, min(i0 + 1, n_in - 1), t - i0

    y = np.zeros((*x.shape[:2], *size), dtype=x.dtype)
    for i in range(size[0]):
        r0, r1, fr = src(i, h, size[0])
        for j in range(size[1]):
            c0, c1, fc = src(j, w, size[1])
            y[:, :, i, j] = (1 - fr) * ((1 - fc) * x[:, :, r0, c0] + fc * x[:, :, r0, c1]) + fr * (
                (1 - fc) * x[:, :, r1, c0] + fc * x[:, :, r1, c1]
            )
    return y


def _torch_conv_same(x, w, b):
    import warnings

    with warnings.catch_warnings():  # PyTorch notes that it copies the input: expected here
        warnings.simplefilter("ignore", UserWarning)
        return _tF().conv2d(x, w, b, padding="same")


def _opts_pool(name, k, s, p, d=1, ceil=False, kind="max", include=True, divisor=None):
    if kind == "max":
        fn = lambda x: F.max_pool2d(x, k, s, p, d, ceil)
        tfn = lambda x: _tF().max_pool2d(x, k, s, p, d, ceil_mode=ceil)
    else:
        fn = lambda x: F.avg_pool2d(x, k, s, p, ceil, include, divisor)
        tfn = lambda x: _tF().avg_pool2d(x, k, s, p, ceil, include, divisor)
    return OpSpec(
        name,
        fn,
        lambda x: _pool_ex_ref(x, k, s, p, d, ceil, kind, include, divisor),
        [((2, 2, 7, 8),), ((1, 1, 6, 5),)],
        make=_distinct,
        torch_fn=tfn,
    )


OPS += [
    OpSpec(
        "conv2d_groups",
        lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, dilation=2, groups=2),
        lambda x, w, b: _group_conv_ref(x, w, b, 2, 1, 2, groups=2),
        [((2, 4, 7, 8), (6, 2, 3, 3), (6,))],
        torch_fn=lambda x, w, b: _tF().conv2d(x, w, b, stride=2, padding=1, dilation=2, groups=2),
    ),
    OpSpec(
        "conv2d_groups3",
        lambda x, w, b: F.conv2d(x, w, b, groups=3),
        lambda x, w, b: _group_conv_ref(x, w, b, groups=3),
        [((1, 6, 5, 4), (3, 2, 2, 3), (3,))],
        torch_fn=lambda x, w, b: _tF().conv2d(x, w, b, groups=3),
    ),
    OpSpec(
        "conv2d_depthwise",
        lambda x, w: F.conv2d(x, w, padding=1, groups=4),
        lambda x, w: _group_conv_ref(x, w, padding=1, groups=4),
        [((2, 4, 5, 6), (4, 1, 3, 3)), ((1, 4, 4, 4), (8, 1, 2, 2))],
        torch_fn=lambda x, w: _tF().conv2d(x, w, padding=1, groups=4),
    ),
    OpSpec(
        "conv2d_same_uneven",
        lambda x, w, b: F.conv2d(x, w, b, padding="same"),
        lambda x, w, b: _conv_ref(_pad_ref(x, (1, 2, 0, 1)), w, b),
        [((2, 2, 5, 6), (3, 2, 2, 4), (3,))],
        torch_fn=_torch_conv_same,
    ),
    *[
        OpSpec(
            f"pad_{mode}",
            lambda x, mode=mode: F.pad(x, (1, 2, 3, 0), mode=mode),
            lambda x, mode=mode: _pad_ref(x, (1, 2, 3, 0), mode),
            [((2, 3, 4, 5),), ((2, 4, 5),)],
            torch_fn=lambda x, mode=mode: _tF().pad(x, (1, 2, 3, 0), mode=mode),
        )
        for mode in ("constant", "reflect", "replicate", "circular")
    ],
    OpSpec(
        "pad_last_dim_value",
        lambda x: F.pad(x, (2, 1), value=1.5),
        lambda x: _pad_ref(x, (2, 1), value=1.5),
        [((3, 4),), ((2, 3, 4, 5),)],
        torch_fn=lambda x: _tF().pad(x, (2, 1), value=1.5),
    ),
    OpSpec(
        "pad_reflect_1d",
        lambda x: F.pad(x, (3, 2), mode="reflect"),
        lambda x: _pad_ref(x, (3, 2), "reflect"),
        [((2, 3, 5),)],
        torch_fn=lambda x: _tF().pad(x, (3, 2), mode="reflect"),
    ),
    OpSpec(
        "conv_transpose2d",
        lambda x, w, b: F.conv_transpose2d(x, w, b),
        _conv_t_ref,
        [((2, 3, 4, 5), (3, 2, 3, 2), (2,))],
        torch_fn=lambda x, w, b: _tF().conv_transpose2d(x, w, b),
    ),
    OpSpec(
        "conv_transpose2d_options",
        lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1, 2, 2),
        lambda x, w, b: _conv_t_ref(x, w, b, 2, 1, 1, 2, 2),
        [((2, 4, 3, 4), (4, 3, 3, 2), (6,))],
        torch_fn=lambda x, w, b: _tF().conv_transpose2d(x, w, b, 2, 1, 1, 2, 2),
    ),
    OpSpec(
        "conv_transpose2d_stride3_nobias",
        lambda x, w: F.conv_transpose2d(x, w, stride=3, output_padding=2),
        lambda x, w: _conv_t_ref(x, w, stride=3, output_padding=2),
        [((1, 2, 3, 3), (2, 3, 2, 2))],
        torch_fn=lambda x, w: _tF().conv_transpose2d(x, w, stride=3, output_padding=2),
    ),
    _opts_pool("max_pool2d_ceil", 3, 2, 0, ceil=True),
    _opts_pool("max_pool2d_dilation", 3, 2, 1, d=2),
    _opts_pool("max_pool2d_dilation_ceil", 2, 3, 1, d=2, ceil=True),
    _opts_pool("avg_pool2d_ceil", 3, 2, 1, ceil=True, kind="avg"),
    _opts_pool("avg_pool2d_ceil_exclude", 3, 2, 1, ceil=True, kind="avg", include=False),
    _opts_pool("avg_pool2d_divisor", 2, 2, 1, kind="avg", divisor=3),
    *[
        OpSpec(
            f"adaptive_{kind}_pool2d_{out[0]}x{out[1]}",
            (lambda x, out=out: F.adaptive_max_pool2d(x, out))
            if kind == "max"
            else (lambda x, out=out: F.adaptive_avg_pool2d(x, out)),
            lambda x, out=out, kind=kind: _adaptive_ref(x, out, kind),
            [((2, 2, 7, 5),), ((1, 1, 3, 3),)],
            make=_distinct,
            torch_fn=(lambda x, out=out: _tF().adaptive_max_pool2d(x, out))
            if kind == "max"
            else (lambda x, out=out: _tF().adaptive_avg_pool2d(x, out)),
        )
        for kind in ("avg", "max")
        for out in ((3, 2), (1, 1), (5, 7))
    ],
    OpSpec(
        "interpolate_nearest_size",
        lambda x: F.interpolate(x, size=(7, 3)),
        lambda x: _nearest_ref(x, (7, 3)),
        [((2, 2, 4, 5),)],
        torch_fn=lambda x: _tF().interpolate(x, size=(7, 3)),
    ),
    OpSpec(
        "interpolate_nearest_scale",
        lambda x: F.interpolate(x, scale_factor=2),
        lambda x: _nearest_ref(x, (8, 10)),
        [((2, 2, 4, 5),)],
        torch_fn=lambda x: _tF().interpolate(x, scale_factor=2),
    ),
    *[
        OpSpec(
            f"interpolate_bilinear_{'corners' if ac else 'centres'}",
            lambda x, ac=ac: F.interpolate(x, size=(7, 3), mode="bilinear", align_corners=ac),
            lambda x, ac=ac: _bilinear_ref(x, (7, 3), ac),
            [((2, 2, 4, 5),), ((1, 1, 1, 2),)],
            torch_fn=lambda x, ac=ac: _tF().interpolate(
                x, size=(7, 3), mode="bilinear", align_corners=ac
            ),
        )
        for ac in (False, True)
    ],
    OpSpec(
        "interpolate_bilinear_scale",
        lambda x: F.interpolate(x, scale_factor=2, mode="bilinear"),
        lambda x: _bilinear_ref(x, (8, 10), False),
        [((2, 2, 4, 5),)],
        torch_fn=lambda x: _tF().interpolate(x, scale_factor=2, mode="bilinear"),
    ),
]
