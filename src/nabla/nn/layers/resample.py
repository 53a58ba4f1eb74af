"""Layers that change the size of feature maps: ``ConvTranspose2d`` and ``Upsample`` (the
decoders of convolutional autoencoders), adaptive pooling (any input size to a fixed
output size), and the padding layers of PyTorch (``ZeroPad2d``, ``ConstantPad2d``,
``ReflectionPad2d``, ``ReplicationPad2d``, ``CircularPad2d``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.nn import functional as F
from nabla.nn import init
from nabla.nn.layers._util import check_bool, check_int, float_dtype, to_tensor
from nabla.nn.module import Module
from nabla.nn.parameter import Parameter


class ConvTranspose2d(Module):
    """Transposed convolution (``F.conv_transpose2d``): the gradient of a ``Conv2d`` with
    respect to its input, used to upsample. H_out = (H - 1) stride - 2 padding +
    dilation (kh - 1) + output_padding + 1.

    Parameters
    ----------
    in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, dtype, rng
        As ``Conv2d`` (padding: an int or a pair).
    output_padding : int or (int, int), default 0
        Rows / columns added at the bottom / right of the output (smaller than stride or
        dilation): which of the input sizes a strided ``Conv2d`` maps to H to give back.

    Attributes
    ----------
    weight : Parameter (in_channels, out_channels / groups, kh, kw)
        U(-1/sqrt(k), 1/sqrt(k)) with k = (out_channels / groups) kh kw (PyTorch's default).
    bias : Parameter (out_channels,) or None
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: F.IntPair,
        stride: F.IntPair = 1,
        padding: F.IntPair = 0,
        output_padding: F.IntPair = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: F.IntPair = 1,
        dtype: Any = None,
        rng: init.RNG = None,
    ) -> None:
        super().__init__()
        who = "ConvTranspose2d"
        self.in_channels = check_int(in_channels, who, "in_channels")
        self.out_channels = check_int(out_channels, who, "out_channels")
        self.kernel_size = F._pair(kernel_size, who, "kernel_size", 1)
        self.stride = F._pair(stride, who, "stride", 1)
        self.padding = F._pair(padding, who, "padding", 0)
        self.output_padding = F._pair(output_padding, who, "output_padding", 0)
        self.dilation = F._pair(dilation, who, "dilation", 1)
        self.groups = check_int(groups, who, "groups")
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"{who}: groups={self.groups} must divide in_channels ({self.in_channels}) and "
                f"out_channels ({self.out_channels})"
            )
        for a in range(2):
            if self.output_padding[a] >= max(self.stride[a], self.dilation[a]):
                raise ValueError(
                    f"{who}: output_padding {output_padding!r} must be smaller than stride "
                    f"{self.stride} or dilation {self.dilation}"
                )
        check_bool(bias, who, "bias")
        dt = float_dtype(dtype, who)
        shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(self.out_channels, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(rng)

    def reset_parameters(self, rng: init.RNG = None) -> None:
        """PyTorch's default: W, b ~ U(-1/sqrt(k), 1/sqrt(k)), k = weight.shape[1] kh kw."""
        gen = init.get_rng(rng, "ConvTranspose2d")
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=gen)
        if self.bias is not None:
            fan_in, _ = init.calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound, rng=gen)

    def output_shape(self, h: int, w: int) -> tuple[int, int, int]:
        """(C_out, H_out, W_out) for an input of height h and width w."""
        size = [
            (n - 1) * s - 2 * p + d * (k - 1) + op + 1
            for n, k, s, p, d, op in zip(
                (h, w),
                self.kernel_size,
                self.stride,
                self.padding,
                self.dilation,
                self.output_padding,
            )
        ]
        return self.out_channels, size[0], size[1]

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, "ConvTranspose2d")
        return F.conv_transpose2d(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self.output_padding,
            self.groups,
            self.dilation,
        )

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        for name, default in (
            ("padding", (0, 0)),
            ("output_padding", (0, 0)),
            ("dilation", (1, 1)),
            ("groups", 1),
        ):
            if getattr(self, name) != default:
                s += f", {name}={getattr(self, name)}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Upsample(Module):
    """``F.interpolate`` as a layer: resize (N, C, H, W) to ``size`` or by ``scale_factor``
    with mode 'nearest' or 'bilinear' (``align_corners`` as ``F.interpolate``)."""

    def __init__(
        self,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
    ) -> None:
        super().__init__()
        # the arguments F.interpolate checks without an input, checked now
        if mode not in ("nearest", "bilinear"):
            raise ValueError(f"Upsample: mode must be 'nearest' or 'bilinear', got {mode!r}")
        if (size is None) == (scale_factor is None):
            raise ValueError(
                f"Upsample: give exactly one of size and scale_factor, got {size!r} and "
                f"{scale_factor!r}"
            )
        if align_corners is not None and (mode == "nearest" or not isinstance(align_corners, bool)):
            raise ValueError(
                f"Upsample: align_corners must be None or, for 'bilinear', a bool; got "
                f"{align_corners!r} with mode {mode!r}"
            )
        self.size = tuple(size) if isinstance(size, (tuple, list)) else size
        if isinstance(scale_factor, (tuple, list)):
            scale_factor = tuple(float(v) for v in scale_factor)
        elif scale_factor is not None:
            scale_factor = float(scale_factor)
        self.scale_factor = scale_factor
        self.mode, self.align_corners = mode, align_corners

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, "Upsample")
        return F.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners)

    def extra_repr(self) -> str:
        what = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{what}, mode={self.mode!r}"


class _Adaptive(Module):
    _fn: Any = None

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        if isinstance(output_size, (tuple, list)) and len(output_size) == 2:
            for v in output_size:
                if v is not None:
                    check_int(v, type(self).__name__, "output_size")
            self.output_size: Any = tuple(output_size)
        else:
            self.output_size = check_int(output_size, type(self).__name__, "output_size")

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, type(self).__name__)
        return type(self)._fn(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_Adaptive):
    """Mean over windows that cover any input with ``output_size`` of them (``F.adaptive_avg
    _pool2d``); ``AdaptiveAvgPool2d(1)`` is global average pooling."""

    _fn = staticmethod(F.adaptive_avg_pool2d)


class AdaptiveMaxPool2d(_Adaptive):
    """Maximum over the windows of ``AdaptiveAvgPool2d`` (``F.adaptive_max_pool2d``)."""

    _fn = staticmethod(F.adaptive_max_pool2d)


class _Pad2d(Module):
    _mode = "constant"

    def __init__(self, padding: Any, value: float = 0.0) -> None:
        super().__init__()
        who = type(self).__name__
        if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
            padding = (padding,) * 4
        ok = isinstance(padding, (tuple, list)) and len(padding) == 4
        if not ok or not all(isinstance(p, (int, np.integer)) and p >= 0 for p in padding):
            raise ValueError(
                f"{who}: padding must be an int or (left, right, top, bottom) of ints >= 0, "
                f"got {padding!r}"
            )
        self.padding = tuple(int(p) for p in padding)
        self.value = float(value)

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, type(self).__name__)
        return F.pad(x, self.padding, self._mode, self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}" + (f", value={self.value}" if self.value else "")


class ZeroPad2d(_Pad2d):
    """Zeros around the last two dimensions: (left, right, top, bottom) or one int."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class ConstantPad2d(_Pad2d):
    """``value`` around the last two dimensions: (left, right, top, bottom) or one int."""


class ReflectionPad2d(ZeroPad2d):
    """Mirror images of the edges (edge not repeated); padding < the size."""

    _mode = "reflect"


class ReplicationPad2d(ZeroPad2d):
    """The edge rows and columns repeated."""

    _mode = "replicate"


class CircularPad2d(ZeroPad2d):
    """Wrapped around: the last columns before the first, as on a torus."""

    _mode = "circular"
