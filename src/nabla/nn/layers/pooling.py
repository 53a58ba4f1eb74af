"""Pooling layers (the course notes "POOLING LAYER"): max or mean over windows, per channel."""

from __future__ import annotations

from typing import Any

from nabla.autograd.ops import conv as _conv
from nabla.autograd.ops.conv_extra import pool_out_size
from nabla.autograd.tensor import Tensor
from nabla.nn import functional as F
from nabla.nn.layers._util import check_bool, check_int, to_tensor
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

    dilation: tuple[int, int] = (1, 1)
    ceil_mode = False

    def output_shape(self, h: int, w: int) -> tuple[int, int]:
        """(H_out, W_out): floor((H + 2 p - d (k - 1) - 1) / s) + 1 per dimension, ceil with
        ``ceil_mode`` (see ``nabla.nn.functional.conv_output_size``, which can also refuse a
        stride that does not tile the input)."""
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        (dh, dw), c = self.dilation, self.ceil_mode
        return pool_out_size(h, kh, ph, sh, dh, c), pool_out_size(w, kw, pw, sw, dw, c)

    def _options(self) -> bool:
        return self.dilation != (1, 1) or self.ceil_mode

    def extra_repr(self) -> str:
        s = f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.ceil_mode:
            s += ", ceil_mode=True"
        return s


class MaxPool2d(_Pool2d):
    """Maximum over kh x kw windows, moved by ``stride`` (default: the kernel size).

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
    padding : int or (int, int), default 0
        Implicit -inf padding on each side (the smallest integer for integer input), at
        most half the kernel.
    dilation : int or (int, int), default 1
        Spacing of the window's taps.
    ceil_mode : bool, default False
        Round the output size up: a last, partial window is kept when it starts inside the
        input or the left padding (PyTorch's rule).

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

    def __init__(
        self,
        kernel_size: F.IntPair,
        stride: F.IntPair | None = None,
        padding: F.IntPair = 0,
        dilation: F.IntPair = 1,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride, padding)
        self.dilation = F._pair(dilation, self._who, "dilation", 1)
        self.ceil_mode = check_bool(ceil_mode, self._who, "ceil_mode")

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, self._who)
        k, s, p = self.kernel_size, self.stride, self.padding
        if self._options():
            return F.pool2d_options("max", x, k, s, p, self.dilation, self.ceil_mode, who=self._who)
        F._check_spatial(x, self._who, None, k, p)
        return F._batched(x, _conv.MaxPool2d(k, s, p))


class AvgPool2d(_Pool2d):
    """Mean over kh x kw windows, moved by ``stride`` (default: the kernel size).

    Parameters
    ----------
    kernel_size, stride, padding
        As ``MaxPool2d`` (zero padding).
    ceil_mode : bool, default False
        As ``MaxPool2d``; the part of a last window past the padding is never counted.
    count_include_pad : bool, default True
        Count the padding zeros in the divisor (PyTorch's default).
    divisor_override : int, optional
        Divide every window's sum by this number instead.

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
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__(kernel_size, stride, padding)
        self.ceil_mode = check_bool(ceil_mode, self._who, "ceil_mode")
        self.count_include_pad = check_bool(count_include_pad, self._who, "count_include_pad")
        if divisor_override is not None:
            divisor_override = check_int(divisor_override, self._who, "divisor_override")
        self.divisor_override = divisor_override

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, self._who)
        if self.ceil_mode or self.divisor_override is not None:
            return F.pool2d_options(
                "avg",
                x,
                self.kernel_size,
                self.stride,
                self.padding,
                1,
                self.ceil_mode,
                self.count_include_pad,
                self.divisor_override,
                self._who,
            )
        F._check_spatial(x, self._who, None, self.kernel_size, self.padding)
        F._check_floating(x, self._who)
        op = _conv.AvgPool2d(self.kernel_size, self.stride, self.padding, self.count_include_pad)
        return F._batched(x, op)
