"""AlexNet and ZF Net (the notes on CNNs, "ALEXNET", "ZF NET"): five convolutions, three
max-pools, two dropout-regularised hidden layers; ``ConvNet`` holds them (and VGG).

With no arguments the builders give the published networks (ImageNet's 1000 classes);
smaller variants come from ``channels``, ``hidden`` and ``input_size``. Parameter names are
torchvision's (``features.0.weight``, ``classifier.1.weight``, ...), so state dicts move
between the two where the layers agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.nn import init
from nabla.nn._receptive_field import output_size
from nabla.nn.container import Sequential
from nabla.nn.layers import Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU
from nabla.nn.module import Module

#: AlexNet's five convolutions (Krizhevsky et al., 2012) and ZF Net's (Zeiler & Fergus, 2013)
ALEXNET_CHANNELS = (96, 256, 384, 384, 256)
ZFNET_CHANNELS = (96, 256, 384, 384, 256)


class ConvNet(Module):
    """A convolutional feature extractor (``features``), ``Flatten`` and a fully connected
    ``classifier``: the shape of AlexNet, ZF Net and VGG. Built by ``alexnet``, ``zfnet``,
    ``vgg``, ``vgg11`` and ``vgg16``."""

    def __init__(self, features: Sequential, classifier: Sequential) -> None:
        super().__init__()
        self.features = features
        self.flatten = Flatten()
        self.classifier = classifier

    def forward(self, x: Any) -> Tensor:
        return self.classifier(self.flatten(self.features(x)))


def check_count(value: Any, who: str, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{who}: {name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def check_dropout(p: Any, who: str) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0 <= p <= 1:
        raise ValueError(f"{who}: dropout must be a probability in [0, 1], got {p!r}")
    return float(p)


def check_channels(channels: Any, who: str, count: int) -> list[int]:
    values = list(channels) if isinstance(channels, (tuple, list)) else None
    if values is None or len(values) != count:
        raise ValueError(f"{who}: channels must be {count} positive ints, got {channels!r}")
    return [check_count(c, who, "each of channels") for c in values]


def feature_size(features: Sequential, input_size: int, who: str) -> int:
    """The side of the last feature maps, or a ValueError naming the builder."""
    try:
        return output_size(features, input_size)[0]
    except ValueError as exc:
        raise ValueError(f"{who}: input_size {input_size} is too small ({exc})") from None


def alexnet_classifier(
    n_in: int, hidden: int, num_classes: int, dropout: float, dtype: Any, gen: Any
) -> Sequential:
    """Dropout -> Linear -> ReLU -> Dropout -> Linear -> ReLU -> Linear (torchvision's order)."""
    return Sequential(
        Dropout(dropout),
        Linear(n_in, hidden, dtype=dtype, rng=gen),
        ReLU(),
        Dropout(dropout),
        Linear(hidden, hidden, dtype=dtype, rng=gen),
        ReLU(),
        Linear(hidden, num_classes, dtype=dtype, rng=gen),
    )


def alexnet(
    num_classes: int = 1000,
    in_channels: int = 3,
    input_size: int = 227,
    width: int | None = None,
    hidden: int = 4096,
    dropout: float = 0.5,
    dtype: Any = None,
    rng: init.RNG = None,
    *,
    channels: Sequence[int] | None = None,
) -> ConvNet:
    """AlexNet (Krizhevsky, Sutskever & Hinton, 2012), as published by default.

    A 227 x 227 x 3 image; conv1 96 @ 11x11 stride 4 -> 55 x 55 x 96; overlapping 3x3
    stride-2 max-pools after conv1, conv2 and conv5 (55 -> 27, 27 -> 13, 13 -> 6); conv2
    256 @ 5x5 (padding 2), conv3-5 384, 384, 256 @ 3x3 (padding 1); 6 x 6 x 256 = 9216
    features into two dropout-regularised hidden layers of 4096 and the 1000 classes.

    Parameter count: 62,378,344. The paper's "60 million" (60,965,224) splits conv2, conv4
    and conv5 over two GPUs (grouped convolutions, half the weights each), which nabla's
    ``Conv2d`` does not have; local response normalisation (no parameters) is left out,
    as torchvision does. torchvision's ``alexnet`` is the one-GPU variant with channels
    (64, 192, 384, 256, 256): ``alexnet(channels=(64, 192, 384, 256, 256))`` has its
    61,100,840 parameters, each of the same shape and name (torchvision pads conv1 by 2
    for 224 x 224 inputs and pools adaptively to 6 x 6, which at 227 x 227 is the identity).

    Parameters
    ----------
    num_classes : int, default 1000
    in_channels : int, default 3
    input_size : int, default 227
        Height = width of the input (>= 8). From 67 (the smallest input the published
        layers fit) the published stem is used; below, conv1 is 5x5 with stride 1 and
        padding 2 and the pools are 2x2 (a CPU-sized AlexNet for 32 x 32 images).
    width : int, optional
        Channels (w, 3w, 6w, 4w, 4w): torchvision's proportions (w = 64 is its layout).
    hidden : int, default 4096
        Width of the two hidden layers.
    dropout : float, default 0.5
    dtype, rng
        As ``Linear``.
    channels : 5 ints, optional (keyword)
        The five convolutions' widths (default: the paper's 96, 256, 384, 384, 256).

    Shape
    -----
    (N, in_channels, input_size, input_size) -> (N, num_classes) scores (logits).

    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> net = nn.models.alexnet(10, input_size=32, width=4, hidden=32, rng=0)
    >>> net(nabla.tensor(np.zeros((2, 3, 32, 32), dtype=np.float32))).shape
    (2, 10)
    """
    who = "alexnet"
    num_classes = check_count(num_classes, who, "num_classes")
    in_channels = check_count(in_channels, who, "in_channels")
    input_size = check_count(input_size, who, "input_size", 8)
    hidden = check_count(hidden, who, "hidden")
    dropout = check_dropout(dropout, who)
    if width is not None and channels is not None:
        raise ValueError(f"{who}: give width or channels, not both (got {width!r}, {channels!r})")
    if width is not None:
        w = check_count(width, who, "width")
        c = [w, 3 * w, 6 * w, 4 * w, 4 * w]
    else:
        c = check_channels(ALEXNET_CHANNELS if channels is None else channels, who, 5)
    gen = init.get_rng(rng, who)
    published = input_size >= 67
    k1, s1, p1 = (11, 4, 0) if published else (5, 1, 2)

    def pool() -> MaxPool2d:
        return MaxPool2d(3, stride=2) if published else MaxPool2d(2)

    def conv(a: int, b: int, k: int, stride: int = 1, padding: int = 0) -> Conv2d:
        return Conv2d(a, b, k, stride=stride, padding=padding, dtype=dtype, rng=gen)

    features = Sequential(
        conv(in_channels, c[0], k1, s1, p1),
        ReLU(),
        pool(),
        conv(c[0], c[1], 5, padding=2),
        ReLU(),
        pool(),
        conv(c[1], c[2], 3, padding=1),
        ReLU(),
        conv(c[2], c[3], 3, padding=1),
        ReLU(),
        conv(c[3], c[4], 3, padding=1),
        ReLU(),
        pool(),
    )
    size = feature_size(features, input_size, who)
    classifier = alexnet_classifier(c[4] * size * size, hidden, num_classes, dropout, dtype, gen)
    return ConvNet(features, classifier)


def zfnet(
    num_classes: int = 1000,
    in_channels: int = 3,
    input_size: int = 224,
    hidden: int = 4096,
    dropout: float = 0.5,
    dtype: Any = None,
    rng: init.RNG = None,
    *,
    channels: Sequence[int] | None = None,
) -> ConvNet:
    """ZF Net (Zeiler & Fergus, 2013): AlexNet with smaller filters and strides in the first
    layers (the notes on CNNs, "ZF NET"), as published by default.

    A 224 x 224 x 3 image; conv1 96 @ 7x7 stride 2 (padding 1) -> 110 x 110; 3x3 stride-2
    max-pool -> 55; conv2 256 @ 5x5 stride 2 -> 26; pool -> 13; conv3-5 384, 384, 256 @ 3x3
    (padding 1); pool -> 6 x 6 x 256 into the classifier of AlexNet (two hidden layers of
    4096, dropout). The paper's map sizes (110, 55, 26, 13, 6) come from its rounding up
    in the first two pools; here they pad by 1 instead, which gives the same sizes.
    Contrast normalisation is left out (no parameters). 62,357,608 parameters.

    Parameters
    ----------
    num_classes : int, default 1000
    in_channels : int, default 3
    input_size : int, default 224
        Height = width of the input (>= 53).
    hidden : int, default 4096
    dropout : float, default 0.5
    dtype, rng
        As ``Linear``.
    channels : 5 ints, optional (keyword)
        The five convolutions' widths (default 96, 256, 384, 384, 256).

    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> net = nn.models.zfnet(10, input_size=64, hidden=16, channels=(4, 8, 8, 8, 8), rng=0)
    >>> net(nabla.tensor(np.zeros((1, 3, 64, 64), dtype=np.float32))).shape
    (1, 10)
    """
    who = "zfnet"
    num_classes = check_count(num_classes, who, "num_classes")
    in_channels = check_count(in_channels, who, "in_channels")
    input_size = check_count(input_size, who, "input_size")
    hidden = check_count(hidden, who, "hidden")
    dropout = check_dropout(dropout, who)
    c = check_channels(ZFNET_CHANNELS if channels is None else channels, who, 5)
    gen = init.get_rng(rng, who)

    def conv(a: int, b: int, k: int, stride: int = 1, padding: int = 0) -> Conv2d:
        return Conv2d(a, b, k, stride=stride, padding=padding, dtype=dtype, rng=gen)

    features = Sequential(
        conv(in_channels, c[0], 7, stride=2, padding=1),
        ReLU(),
        MaxPool2d(3, stride=2, padding=1),
        conv(c[0], c[1], 5, stride=2),
        ReLU(),
        MaxPool2d(3, stride=2, padding=1),
        conv(c[1], c[2], 3, padding=1),
        ReLU(),
        conv(c[2], c[3], 3, padding=1),
        ReLU(),
        conv(c[3], c[4], 3, padding=1),
        ReLU(),
        MaxPool2d(3, stride=2),
    )
    size = feature_size(features, input_size, who)
    classifier = alexnet_classifier(c[4] * size * size, hidden, num_classes, dropout, dtype, gen)
    return ConvNet(features, classifier)


__all__ = ["ALEXNET_CHANNELS", "ZFNET_CHANNELS", "ConvNet", "alexnet", "zfnet"]
