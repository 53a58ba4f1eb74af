"""LeNet-5, the handwriting network of the notes on CNNs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nabla.autograd.ops.conv import out_size
from nabla.autograd.tensor import Tensor
from nabla.nn import init
from nabla.nn.layers import AvgPool2d, Conv2d, Flatten, Linear, MaxPool2d
from nabla.nn.models._mlp import make_activation
from nabla.nn.module import Module


class LeNet5(Module):
    """LeNet-5 (the notes on CNNs, "LENET-5"): C1 6@5x5 -> S2 pool -> C3 16@5x5 -> S4 pool
    -> F5 120 -> F6 84 -> output.

    C1 sees a 32 x 32 image (a 28 x 28 one is padded by 2) and gives 6 maps of 28 x 28; each
    of its 28 x 28 x 6 units has 5 x 5 + 1 connections: 122,304 in all.

    Parameters
    ----------
    num_classes : int, default 10
    in_channels : int, default 1
    input_size : int, default 28
        Height = width of the input (>= 16); C1 pads by 2 below 32, so that a 28 x 28
        image gives the same 28 x 28 maps as the original 32 x 32 one.
    activation : str or Module class, default 'relu'
        'tanh' with ``pooling='avg'`` is the 1998 network; ReLU and max-pooling the
        common modern form (PyTorch's tutorial ``Net``).
    pooling : {'max', 'avg'}, default 'max'
    dtype, rng
        As ``Linear``.

    Shape
    -----
    (N, in_channels, input_size, input_size) -> (N, num_classes) scores (logits).

    Examples
    --------
    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> net = nn.models.LeNet5(rng=0)
    >>> net(nabla.tensor(np.zeros((2, 1, 28, 28), dtype=np.float32))).shape
    (2, 10)
    """

    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 1,
        input_size: int = 28,
        activation: str | Callable[[], Module] = "relu",
        pooling: str = "max",
        dtype: Any = None,
        rng: init.RNG = None,
    ) -> None:
        super().__init__()
        who = "LeNet5"
        if pooling not in ("max", "avg"):
            raise ValueError(f"{who}: pooling must be 'max' or 'avg', got {pooling!r}")
        if isinstance(input_size, bool) or not isinstance(input_size, int) or input_size < 1:
            raise ValueError(f"{who}: input_size must be a positive int, got {input_size!r}")
        pad = 2 if input_size < 32 else 0
        c1 = out_size(input_size, 5, pad, 1)
        s4 = (c1 // 2 - 4) // 2
        if c1 < 2 or s4 < 1:
            raise ValueError(
                f"{who}: input_size {input_size} is too small: C1 (5x5, padding {pad}) gives "
                f"{c1}x{c1} maps and C3's 5x5 kernel does not fit after pooling; use >= 16"
            )
        gen = init.get_rng(rng, who)
        pool = MaxPool2d if pooling == "max" else AvgPool2d
        self.conv1 = Conv2d(in_channels, 6, 5, padding=pad, dtype=dtype, rng=gen)
        self.pool1 = pool(2)
        self.conv2 = Conv2d(6, 16, 5, dtype=dtype, rng=gen)
        self.pool2 = pool(2)
        self.flatten = Flatten()
        self.fc1 = Linear(16 * s4 * s4, 120, dtype=dtype, rng=gen)
        self.fc2 = Linear(120, 84, dtype=dtype, rng=gen)
        self.fc3 = Linear(84, num_classes, dtype=dtype, rng=gen)
        self.act = make_activation(activation, who)

    def forward(self, x: Any) -> Tensor:
        act = self.act
        x = self.pool1(act(self.conv1(x)))
        x = self.pool2(act(self.conv2(x)))
        x = act(self.fc1(self.flatten(x)))
        return self.fc3(act(self.fc2(x)))


__all__ = ["LeNet5"]
