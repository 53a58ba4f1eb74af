"""VGG (Simonyan & Zisserman, 2015; the notes on CNNs, "VGGNET: use small filters"): stacks
of 3x3 convolutions and 2x2 max-pools, then a dropout-regularised classifier.

Two 3x3 convolutions see as far as one 5x5 and three as far as one 7x7 (the same receptive
field, ``nn.receptive_field``), with fewer weights and more non-linearities. ``vgg11`` and
``vgg16`` give the published networks; ``vgg`` builds any configuration, CPU-sized by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nabla.nn import init
from nabla.nn.container import Sequential
from nabla.nn.layers import BatchNorm2d, Conv2d, Dropout, Linear, MaxPool2d, ReLU
from nabla.nn.models._convnets import ConvNet, check_count, check_dropout, feature_size
from nabla.nn.module import Module

#: The configurations of the paper's Table 1: A (VGG-11), B (VGG-13), D (VGG-16), E (VGG-19);
#: a number is a 3x3 convolution with that many channels, 'M' a 2x2 max-pool.
VGG_CONFIGS: dict[str, list[int | str]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [
        *(64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M"),
        *(512, 512, 512, 512, "M", 512, 512, 512, 512, "M"),
    ],
}


def _conv_stack(
    cfg: Sequence[int | str], in_channels: int, batch_norm: bool, dtype: Any, gen: Any
) -> tuple[Sequential, int]:
    """Conv 3x3 (padding 1) + [BatchNorm] + ReLU per int, MaxPool 2 per 'M'."""
    layers: list[Module] = []
    c = in_channels
    for v in cfg:
        if v == "M":
            layers.append(MaxPool2d(2))
        else:
            layers.append(Conv2d(c, int(v), 3, padding=1, dtype=dtype, rng=gen))
            if batch_norm:
                layers.append(BatchNorm2d(int(v), dtype=dtype))
            layers.append(ReLU())
            c = int(v)
    return Sequential(*layers), c


def vgg_classifier(
    n_in: int, hidden: int, num_classes: int, dropout: float, dtype: Any, gen: Any
) -> Sequential:
    """Linear -> ReLU -> Dropout -> Linear -> ReLU -> Dropout -> Linear (torchvision's order)."""
    return Sequential(
        Linear(n_in, hidden, dtype=dtype, rng=gen),
        ReLU(),
        Dropout(dropout),
        Linear(hidden, hidden, dtype=dtype, rng=gen),
        ReLU(),
        Dropout(dropout),
        Linear(hidden, num_classes, dtype=dtype, rng=gen),
    )


def vgg(
    cfg: str | Sequence[int | str] = "A",
    num_classes: int = 10,
    in_channels: int = 3,
    input_size: int = 32,
    width: float = 0.125,
    hidden: int = 256,
    batch_norm: bool = False,
    dropout: float = 0.5,
    dtype: Any = None,
    rng: init.RNG = None,
) -> ConvNet:
    """A VGG network of any configuration; CPU-sized by default (``vgg11``, ``vgg16``: the
    published ones).

    ``cfg`` is 'A' (VGG-11), 'B' (VGG-13), 'D' (VGG-16), 'E' (VGG-19) or a list of channel
    counts and 'M' (pool); channel counts are scaled by ``width`` (0.125: 8-16-32-64-64).
    The classifier reads the last maps whole: c x s x s features for s x s maps (7 x 7 x 512
    = 25088 at 224 x 224, where torchvision's adaptive 7 x 7 average pool is the identity).

    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> net = nn.models.vgg("A", input_size=32, width=0.0625, hidden=16, rng=0)
    >>> net(nabla.tensor(np.zeros((1, 3, 32, 32), dtype=np.float32))).shape
    (1, 10)
    """
    who = "vgg"
    if isinstance(cfg, str):
        if cfg not in VGG_CONFIGS:
            raise ValueError(
                f"{who}: cfg must be one of {sorted(VGG_CONFIGS)} or a list, got {cfg!r}"
            )
        cfg = VGG_CONFIGS[cfg]
    if not isinstance(cfg, (list, tuple)) or not all(
        v == "M" or (isinstance(v, int) and not isinstance(v, bool) and v >= 1) for v in cfg
    ):
        raise ValueError(f"{who}: cfg must list positive ints and 'M', got {cfg!r}")
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not width > 0:
        raise ValueError(f"{who}: width must be a number > 0, got {width!r}")
    num_classes = check_count(num_classes, who, "num_classes")
    in_channels = check_count(in_channels, who, "in_channels")
    input_size = check_count(input_size, who, "input_size")
    hidden = check_count(hidden, who, "hidden")
    dropout = check_dropout(dropout, who)
    scaled = [v if v == "M" else max(1, round(int(v) * width)) for v in cfg]
    gen = init.get_rng(rng, who)
    features, c = _conv_stack(scaled, in_channels, bool(batch_norm), dtype, gen)
    size = feature_size(features, input_size, who) if "M" in scaled else input_size
    return ConvNet(
        features, vgg_classifier(c * size * size, hidden, num_classes, dropout, dtype, gen)
    )


def _published(cfg: str, who: str, **kwargs: Any) -> ConvNet:
    try:
        return vgg(cfg, **kwargs)
    except ValueError as exc:
        raise ValueError(str(exc).replace("vgg:", f"{who}:", 1)) from None


def vgg11(
    num_classes: int = 1000,
    in_channels: int = 3,
    input_size: int = 224,
    width: float = 1.0,
    hidden: int = 4096,
    batch_norm: bool = False,
    dropout: float = 0.5,
    dtype: Any = None,
    rng: init.RNG = None,
) -> ConvNet:
    """VGG-11 (configuration A), as published by default: 8 convolutions 64-128-256-256-512-
    512-512-512, five 2x2 pools (224 -> 7), 7 x 7 x 512 into 4096-4096-1000: 132,863,336
    parameters, torchvision's ``vgg11`` layer for layer (``vgg11_bn``: ``batch_norm=True``).
    Arguments as :func:`vgg` (``width`` scales the channels)."""
    kw = locals()
    return _published("A", "vgg11", **kw)


def vgg16(
    num_classes: int = 1000,
    in_channels: int = 3,
    input_size: int = 224,
    width: float = 1.0,
    hidden: int = 4096,
    batch_norm: bool = False,
    dropout: float = 0.5,
    dtype: Any = None,
    rng: init.RNG = None,
) -> ConvNet:
    """VGG-16 (configuration D), as published by default: 13 convolutions in five stacks
    (2, 2, 3, 3, 3), five 2x2 pools, 4096-4096-1000: 138,357,544 parameters, torchvision's
    ``vgg16`` layer for layer. Arguments as :func:`vgg`."""
    kw = locals()
    return _published("D", "vgg16", **kw)


__all__ = ["VGG_CONFIGS", "vgg", "vgg11", "vgg16"]
