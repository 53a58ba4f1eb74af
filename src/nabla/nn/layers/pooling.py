"""Pooling layers (seed 001 "POOLING LAYER"): max or mean over windows, per channel."""

from __future__ import annotations

from typing import Any

from nabla.autograd.ops import conv as _conv
from nabla.autograd.tensor import Tensor
from nabla.nn import functional as F
from nabla.nn.layers._util import check_bool, to_tensor
from nabla.nn.module import Module


class _Pool2d(Module):
    _who = "Pool2d"

    def __init__(
        self, kernel_size: F.IntPair, stride: F.IntPair | None = None, padding: F.IntPair = 0
    ) -> None:
        super().__init__()
        # checked now, so that a bad value fails at construction with the value in the message
        self.kernel_size, self.stride, self.padding = F._pool_args(
            kernel_size, stride, padding, self._who
        )

    def output_shape(self, h: int, w: int) -> tuple[int, int]:
        """(H_out, W_out): floor((H + 2 p - k) / s) + 1 per dimension (see
        ``nabla.nn.functional.conv_output_size``, which can also refuse a stride that does
        not tile the input)."""
        out_size = _conv.out_size
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        return out_size(h, kh, ph, sh), out_size(w, kw, pw, sw)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """Maximum over kh x kw windows, moved by ``stride`` (default: the kernel size).

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
    padding : int or (int, int), default 0
        Implicit -inf padding on each side (the smallest integer for integer input), at
        most half the kernel.

    Shape
    -----
    (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out), H_out = floor((H + 2p - k) / s) + 1
    (PyTorch's floor when the stride does not tile the input;
    ``nn.conv_output_size(..., strict=True)`` refuses such a stride).

    Examples
    --------
    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> x = nabla.tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))
    >>> nn.MaxPool2d(2)(x).numpy()[0, 0]
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
    """

    _who = "MaxPool2d"

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, self._who)
        F._check_spatial(x, self._who, None, self.kernel_size, self.padding)
        return F._batched(x, _conv.MaxPool2d(self.kernel_size, self.stride, self.padding))


class AvgPool2d(_Pool2d):
    """Mean over kh x kw windows, moved by ``stride`` (default: the kernel size).

    Parameters
    ----------
    kernel_size, stride, padding
        As ``MaxPool2d`` (zero padding).
    count_include_pad : bool, default True
        Count the padding zeros in the divisor (PyTorch's default).

    Shape
    -----
    As ``MaxPool2d``.
    """

    _who = "AvgPool2d"

    def __init__(
        self,
        kernel_size: F.IntPair,
        stride: F.IntPair | None = None,
        padding: F.IntPair = 0,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__(kernel_size, stride, padding)
        self.count_include_pad = check_bool(count_include_pad, self._who, "count_include_pad")

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, self._who)
        F._check_spatial(x, self._who, None, self.kernel_size, self.padding)
        F._check_floating(x, self._who)
        op = _conv.AvgPool2d(self.kernel_size, self.stride, self.padding, self.count_include_pad)
        return F._batched(x, op)
