"""``conv_output_size``: the one formula for the output size of convolution and pooling
(re-exported by ``nabla.nn`` and ``nabla.nn.functional``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.ops import conv as _conv
from nabla.autograd.ops import conv_extra as _cx


def _count(v: Any, who: str, name: str, minimum: int) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum:
        raise ValueError(f"{who}: {name} must be an int >= {minimum}, got {v!r}")
    return int(v)


def conv_output_size(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    strict: bool = False,
    ceil_mode: bool = False,
) -> int:
    """The output length, along one dimension, of a convolution or pooling window.

    N entries padded by P on each side, a kernel of F taps D apart (it spans D (F - 1) + 1
    entries) moved by S give

        floor((N + 2P - D (F - 1) - 1) / S) + 1,

    the notes' (N - F + 2P) / S + 1 for D = 1. ``Conv2d``, ``MaxPool2d``, ``AvgPool2d`` and
    their functional forms use this formula, per dimension.

    When S does not divide N + 2P - D (F - 1) - 1 the windows do not tile the input: the
    division is floored, as in PyTorch, and the last entries are never read. The notes count
    such a stride as invalid; ``strict=True`` raises ``ValueError`` then, saying which input
    sizes and strides would tile.

    ``ceil_mode=True`` (pooling's option) rounds the division up instead, keeping a last,
    partial window when it starts inside the input or the left padding (PyTorch's rule);
    every entry is then read, so ``strict`` has nothing to refuse.

    >>> conv_output_size(32, 5, padding=2)
    32
    >>> conv_output_size(7, 3, stride=3)
    2
    >>> conv_output_size(7, 3, stride=2, strict=True)
    3
    >>> conv_output_size(7, 3, stride=3, ceil_mode=True)
    3
    """
    who = "conv_output_size"
    n = _count(input_size, who, "input_size", 0)
    k = _count(kernel_size, who, "kernel_size", 1)
    s = _count(stride, who, "stride", 1)
    p = _count(padding, who, "padding", 0)
    d = _count(dilation, who, "dilation", 1)
    if not isinstance(strict, (bool, np.bool_)):
        raise TypeError(f"{who}: strict must be a bool, got {strict!r}")
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"{who}: ceil_mode must be a bool, got {ceil_mode!r}")
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        raise ValueError(
            f"{who}: the kernel spans {span} entries (kernel_size {k}, dilation {d}), more than "
            f"the padded input of {n + 2 * p} (input_size {n}, padding {p})"
        )
    if ceil_mode:
        return _cx.pool_out_size(n, k, p, s, d, ceil_mode=True)
    out = _conv.out_size(n, k, p, s, d)
    rest = (n + 2 * p - span) % s
    if strict and rest:
        free = n + 2 * p - span
        sizes = [m for m in (n - rest, n - rest + s) if m + 2 * p >= span]
        strides = [t for t in range(1, min(free, 64) + 1) if free % t == 0]
        f = f"{k}" if d == 1 else f"{span} (the span of kernel_size {k} with dilation {d})"
        raise ValueError(
            f"{who}: stride {s} does not tile an input of size {n} with kernel_size {k}, "
            f"padding {p}, dilation {d}: (N - F + 2P) / S + 1 with F = {f} is "
            f"({n} - {span} + {2 * p}) / {s} + 1 = {free / s + 1:.4g}, not an integer, so the "
            f"last {rest} entries of the padded input would never be read. Input sizes "
            f"{' or '.join(map(str, sizes))} tile with stride {s}; so do strides "
            f"{', '.join(map(str, strides))} with this input."
        )
    return out
