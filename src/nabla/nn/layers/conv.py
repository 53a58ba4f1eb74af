"""``Conv2d``: a bank of learned filters slid over an image (the course notes "CONVOLUTIONAL NEURAL
NETWORK")."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.nn import functional as F
from nabla.nn import init
from nabla.nn._functional_conv import CONV_PADDING_MODES, same_pads
from nabla.nn.layers._util import check_bool, check_int, float_dtype, to_tensor
from nabla.nn.module import Module
from nabla.nn.parameter import Parameter


class Conv2d(Module):
    """2-D convolution (cross-correlation, as in PyTorch):

    y[n, o] = b[o] + sum_c W[o, c] * x[n, c]   (* sliding a kh x kw window)

    Each output unit sees kh kw C inputs and shares its weights across positions (the
    notes' "shared parameters"); a layer has O (C kh kw + 1) parameters.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride : int or (int, int), default 1
    padding : int, (int, int), 'valid' or 'same', default 0
        Added on each side (the notes: kernel 3 with pad 1 keeps H and W). 'same' with an
        odd total d (k - 1) puts the extra row / column at the bottom / right, as PyTorch;
        the layer then keeps ``padding='same'``.
    dilation : int or (int, int), default 1
    groups : int, default 1
        Split the channels into ``groups`` independent convolutions (both channel counts
        must be multiples); ``groups = in_channels``: depthwise. The weight is
        (out_channels, in_channels / groups, kh, kw).
    bias : bool, default True
    padding_mode : 'zeros', 'reflect', 'replicate' or 'circular', default 'zeros'
        What the padding holds (``F.pad``'s modes).
    dtype : numpy dtype, default float32
    rng : int or numpy.random.Generator, optional

    Shape
    -----
    input (N, C_in, H, W) or (C_in, H, W) -> output (N, C_out, H_out, W_out) with
    H_out = floor((H + 2 padding - dilation (kh - 1) - 1) / stride) + 1 (the notes'
    (W - F + 2P) / S + 1), ``nn.conv_output_size(H, kh, stride, padding, dilation)``.

    A stride that does not tile the input (7x7 input, 3x3 kernel, stride 3: (7 - 3) / 3 + 1
    is not an integer) is floored, as in PyTorch, and the last rows and columns are never
    read; the notes count such a stride as invalid. To refuse it, check the sizes first:
    ``nn.conv_output_size(7, 3, stride=3, strict=True)`` raises ``ValueError`` naming the
    input sizes and strides that would tile.

    Attributes
    ----------
    weight : Parameter (out_channels, in_channels, kh, kw)
        U(-1/sqrt(k), 1/sqrt(k)) with k = in_channels kh kw (PyTorch's default).
    bias : Parameter (out_channels,) or None
        Same distribution.

    Examples
    --------
    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> conv = nn.Conv2d(1, 6, 5, padding=2, rng=0)
    >>> conv(nabla.tensor(np.zeros((2, 1, 28, 28), dtype=np.float32))).shape
    (2, 6, 28, 28)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: F.IntPair,
        stride: F.IntPair = 1,
        padding: F.IntPair | str = 0,
        dilation: F.IntPair = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype: Any = None,
        rng: init.RNG = None,
    ) -> None:
        super().__init__()
        who = "Conv2d"
        self.in_channels = check_int(in_channels, who, "in_channels")
        self.out_channels = check_int(out_channels, who, "out_channels")
        self.kernel_size = F._pair(kernel_size, who, "kernel_size", 1)
        self.stride = F._pair(stride, who, "stride", 1)
        self.dilation = F._pair(dilation, who, "dilation", 1)
        self.padding: tuple[int, int] | str
        if isinstance(padding, str) and padding == "same":
            if self.stride != (1, 1):
                raise ValueError(f"{who}: padding='same' needs stride 1, got {self.stride}")
            left, right, top, bottom = same_pads(self.kernel_size, self.dilation)
            self.padding = (top, left) if (top, left) == (bottom, right) else "same"
        elif isinstance(padding, str):
            self.padding = F._same_padding(
                padding, self.kernel_size, self.dilation, self.stride, who
            )
        else:
            self.padding = F._pair(padding, who, "padding", 0)
        self.groups = check_int(groups, who, "groups")
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"{who}: groups={self.groups} must divide in_channels ({self.in_channels}) and "
                f"out_channels ({self.out_channels})"
            )
        if padding_mode not in CONV_PADDING_MODES:
            raise ValueError(
                f"{who}: padding_mode must be one of {', '.join(CONV_PADDING_MODES)}, got "
                f"{padding_mode!r}"
            )
        self.padding_mode = padding_mode
        check_bool(bias, who, "bias")
        dt = float_dtype(dtype, who)
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(self.out_channels, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(rng)

    def reset_parameters(self, rng: init.RNG = None) -> None:
        """PyTorch's default: W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = C kh kw."""
        gen = init.get_rng(rng, "Conv2d")
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=gen)
        if self.bias is not None:
            fan_in, _ = init.calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound, rng=gen)

    def output_shape(self, h: int, w: int) -> tuple[int, int, int]:
        """(C_out, H_out, W_out) for an input of height h and width w (the formula of
        ``nabla.nn.functional.conv_output_size``)."""
        from nabla.autograd.ops.conv import out_size

        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        if isinstance(self.padding, str):  # 'same'
            return self.out_channels, h, w
        ph, pw = self.padding
        return self.out_channels, out_size(h, kh, ph, sh, dh), out_size(w, kw, pw, sw, dw)

    def _pads(self) -> tuple[int, int, int, int]:
        """(left, right, top, bottom): the padding as ``F.pad`` takes it."""
        if isinstance(self.padding, str):  # 'same'
            return same_pads(self.kernel_size, self.dilation)
        ph, pw = self.padding
        return pw, pw, ph, ph

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, "Conv2d")
        padding: Any = self.padding
        if self.padding_mode != "zeros":
            # PyTorch's order: pad with the mode, then convolve without padding
            if x.ndim not in (3, 4):
                raise ValueError(
                    f"Conv2d: expected a 4-D input (N, {self.in_channels}, H, W) or a 3-D one, "
                    f"got shape {x.shape}"
                )
            x = F.pad(x, self._pads(), mode=self.padding_mode)
            padding = 0
        return F.conv2d(
            x,
            self.weight,
            self.bias,
            self.stride,
            padding,
            self.dilation,
            self.groups,
            _who="Conv2d",
        )

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode!r}"
        if self.bias is None:
            s += ", bias=False"
        return s
