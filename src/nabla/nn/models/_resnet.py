"""Residual networks (He, Zhang, Ren & Sun, 2016): ``BasicBlock`` and ``ResNet``, built by
``resnet18``, ``resnet34`` (ImageNet) and ``resnet20`` (CIFAR-10).

Very deep plain networks train badly: gradients blow up or vanish on the way down (the
bootstrap lecture: "this can be helped by batchnorm or ResNet architecture"). A residual
block learns a correction F(x) to its input and adds the input back,

    y = relu(F(x) + shortcut(x)),    F(x) = bn2(conv2(relu(bn1(conv1(x))))),

so the gradient reaches x through the identity path undiminished. Names follow torchvision
(``conv1``, ``bn1``, ``layer1.0.conv1``, ``layer2.0.downsample.0``, ``fc``), so state dicts
move between the two.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from nabla.autograd.tensor import Tensor
from nabla.nn import init
from nabla.nn.container import Sequential
from nabla.nn.layers import BatchNorm2d, Conv2d, Identity, Linear, MaxPool2d, ReLU
from nabla.nn.layers._util import to_tensor
from nabla.nn.models._convnets import check_count
from nabla.nn.module import Module


class GlobalAvgPool2d(Module):
    """The mean of each channel's map: (N, C, H, W) -> (N, C) (torchvision's
    ``AdaptiveAvgPool2d((1, 1))`` followed by ``flatten(1)``)."""

    ends_spatial = True  # a unit sees the whole input: receptive_field stops here

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, "GlobalAvgPool2d")
        if x.ndim != 4:
            raise ValueError(f"GlobalAvgPool2d: expected (N, C, H, W), got shape {x.shape}")
        return x.mean(axis=(2, 3))


class ZeroPadShortcut(Module):
    """The parameter-free shortcut of the CIFAR ResNets ("option A"): keep every
    ``stride``-th pixel and append ``extra_channels`` channels of zeros."""

    def __init__(self, stride: int, extra_channels: int) -> None:
        super().__init__()
        self.stride = check_count(stride, "ZeroPadShortcut", "stride")
        self.extra_channels = check_count(extra_channels, "ZeroPadShortcut", "extra_channels", 0)

    def forward(self, input: Any) -> Tensor:
        x = input if isinstance(input, Tensor) else to_tensor(input, "ZeroPadShortcut")
        s = self.stride
        return x[:, :, ::s, ::s].pad(((0, 0), (0, self.extra_channels), (0, 0), (0, 0)))

    def extra_repr(self) -> str:
        return f"stride={self.stride}, extra_channels={self.extra_channels}"


def _conv(a: int, b: int, k: int, stride: int, dtype: Any, gen: Any) -> Conv2d:
    return Conv2d(a, b, k, stride=stride, padding=k // 2, bias=False, dtype=dtype, rng=gen)


class BasicBlock(Module):
    """Two 3x3 convolutions with batch normalisation and a shortcut around them.

    Parameters
    ----------
    inplanes, planes : int
        Input and output channels.
    stride : int, default 1
        Of the first convolution (2 halves the maps at the start of a stage).
    shortcut : {'B', 'A'}, default 'B'
        When the shape changes: 'B' projects with a 1x1 convolution and batch normalisation
        (torchvision's ``downsample``), 'A' subsamples and pads with zero channels (no
        parameters, the paper's CIFAR networks). Otherwise the shortcut is the identity.
    dtype, rng
        As ``Conv2d``.

    Shape
    -----
    (N, inplanes, H, W) -> (N, planes, ceil(H / stride), ceil(W / stride)).
    """

    expansion = 1

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        shortcut: str = "B",
        dtype: Any = None,
        rng: init.RNG = None,
    ) -> None:
        super().__init__()
        who = "BasicBlock"
        inplanes = check_count(inplanes, who, "inplanes")
        planes = check_count(planes, who, "planes")
        stride = check_count(stride, who, "stride")
        if shortcut not in ("A", "B"):
            raise ValueError(f"{who}: shortcut must be 'A' or 'B', got {shortcut!r}")
        gen = init.get_rng(rng, who)
        self.conv1 = _conv(inplanes, planes, 3, stride, dtype, gen)
        self.bn1 = BatchNorm2d(planes, dtype=dtype)
        self.relu = ReLU()
        self.conv2 = _conv(planes, planes, 3, 1, dtype, gen)
        self.bn2 = BatchNorm2d(planes, dtype=dtype)
        self.downsample: Module
        if stride == 1 and inplanes == planes:
            self.downsample = Identity()
        elif shortcut == "B":
            self.downsample = Sequential(
                _conv(inplanes, planes, 1, stride, dtype, gen), BatchNorm2d(planes, dtype=dtype)
            )
        elif planes < inplanes:
            raise ValueError(f"{who}: shortcut 'A' cannot drop channels ({inplanes} -> {planes})")
        else:
            self.downsample = ZeroPadShortcut(stride, planes - inplanes)

    def forward(self, x: Any) -> Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.downsample(x))

    def receptive_path(self) -> list[tuple[str, Module]]:
        """The longest path, through the two convolutions (for ``nn.receptive_field``)."""
        return [("conv1", self.conv1), ("conv2", self.conv2)]


class ResNet(Module):
    """A residual network of ``BasicBlock`` stages.

    Stem -> stages ``layer1``, ``layer2``, ... (the first block of every stage but the first
    halves the maps and changes the width) -> global average pool -> ``fc``.

    Parameters
    ----------
    blocks : sequence of int
        Blocks per stage: (2, 2, 2, 2) is ResNet-18, (3, 4, 6, 3) ResNet-34, (3, 3, 3)
        ResNet-20.
    widths : sequence of int
        Channels per stage (as many as ``blocks``).
    num_classes : int, default 1000
    in_channels : int, default 3
    stem : {'imagenet', 'cifar'}, default 'imagenet'
        'imagenet': 7x7 stride-2 convolution to ``widths[0]`` channels, batch norm, ReLU,
        3x3 stride-2 max-pool (224 -> 56). 'cifar': one 3x3 convolution, batch norm and
        ReLU at full resolution (``maxpool`` is the identity).
    shortcut : {'B', 'A'}, default 'B'
        See ``BasicBlock``.
    dtype, rng
        As ``Conv2d``.

    Shape
    -----
    (N, in_channels, H, W) -> (N, num_classes) scores (logits).
    """

    def __init__(
        self,
        blocks: Sequence[int],
        widths: Sequence[int],
        num_classes: int = 1000,
        in_channels: int = 3,
        stem: str = "imagenet",
        shortcut: str = "B",
        dtype: Any = None,
        rng: init.RNG = None,
    ) -> None:
        super().__init__()
        who = "ResNet"
        if not isinstance(blocks, (list, tuple)) or not blocks:
            raise ValueError(f"{who}: blocks must be a non-empty list of ints, got {blocks!r}")
        blocks = [check_count(b, who, "each of blocks") for b in blocks]
        if not isinstance(widths, (list, tuple)) or len(widths) != len(blocks):
            raise ValueError(
                f"{who}: widths must give one width per stage ({len(blocks)}), got {widths!r}"
            )
        widths = [check_count(w, who, "each of widths") for w in widths]
        num_classes = check_count(num_classes, who, "num_classes")
        in_channels = check_count(in_channels, who, "in_channels")
        if stem not in ("imagenet", "cifar"):
            raise ValueError(f"{who}: stem must be 'imagenet' or 'cifar', got {stem!r}")
        if shortcut not in ("A", "B"):
            raise ValueError(f"{who}: shortcut must be 'A' or 'B', got {shortcut!r}")
        gen = init.get_rng(rng, who)
        w0 = widths[0]
        if stem == "imagenet":
            self.conv1 = Conv2d(in_channels, w0, 7, 2, 3, bias=False, dtype=dtype, rng=gen)
        else:
            self.conv1 = _conv(in_channels, w0, 3, 1, dtype, gen)
        self.bn1 = BatchNorm2d(w0, dtype=dtype)
        self.relu = ReLU()
        self.maxpool: Module = MaxPool2d(3, 2, 1) if stem == "imagenet" else Identity()
        inplanes = w0
        for i, (n, w) in enumerate(zip(blocks, widths)):
            stride = 1 if i == 0 else 2
            stage = [BasicBlock(inplanes, w, stride, shortcut, dtype, gen)]
            stage += [BasicBlock(w, w, 1, shortcut, dtype, gen) for _ in range(n - 1)]
            setattr(self, f"layer{i + 1}", Sequential(*stage))
            inplanes = w
        self.avgpool = GlobalAvgPool2d()
        self.fc = Linear(inplanes, num_classes, dtype=dtype, rng=gen)
        self.reset_parameters(gen)

    def reset_parameters(self, rng: init.RNG = None) -> None:
        """He (Kaiming) normal initialisation of the convolutions, fan_out, as the paper and
        torchvision; batch norms start at weight 1, bias 0; ``fc`` keeps ``Linear``'s."""
        gen = init.get_rng(rng, "ResNet")
        for m in self.modules():
            if isinstance(m, Conv2d):
                init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu", rng=gen)

    def stages(self) -> Iterator[Module]:
        """``layer1``, ``layer2``, ... in order."""
        for name, m in self.named_children():
            if name.startswith("layer"):
                yield m

    def forward(self, x: Any) -> Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for stage in self.stages():
            x = stage(x)
        return self.fc(self.avgpool(x))


def _widths(width: Any, stages: int, who: str) -> list[int]:
    w = check_count(width, who, "width")
    return [w * 2**i for i in range(stages)]


def resnet18(
    num_classes: int = 1000,
    in_channels: int = 3,
    width: int = 64,
    dtype: Any = None,
    rng: init.RNG = None,
) -> ResNet:
    """ResNet-18 as published (torchvision's ``resnet18``): stages of 2, 2, 2, 2 basic
    blocks with 64, 128, 256, 512 channels (``width`` times 1, 2, 4, 8): 11,689,512
    parameters. 224 x 224 -> 112 (conv1) -> 56 (maxpool, layer1) -> 28 -> 14 -> 7.

    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> net = nn.models.resnet18(num_classes=5, width=4, rng=0)
    >>> net(nabla.tensor(np.zeros((2, 3, 32, 32), dtype=np.float32))).shape
    (2, 5)
    """
    widths = _widths(width, 4, "resnet18")
    return ResNet((2, 2, 2, 2), widths, num_classes, in_channels, "imagenet", "B", dtype, rng)


def resnet34(
    num_classes: int = 1000,
    in_channels: int = 3,
    width: int = 64,
    dtype: Any = None,
    rng: init.RNG = None,
) -> ResNet:
    """ResNet-34 as published (torchvision's ``resnet34``): stages of 3, 4, 6, 3 basic
    blocks with 64, 128, 256, 512 channels: 21,797,672 parameters."""
    widths = _widths(width, 4, "resnet34")
    return ResNet((3, 4, 6, 3), widths, num_classes, in_channels, "imagenet", "B", dtype, rng)


def resnet20(
    num_classes: int = 10,
    in_channels: int = 3,
    width: int = 16,
    shortcut: str = "A",
    dtype: Any = None,
    rng: init.RNG = None,
) -> ResNet:
    """ResNet-20 for 32 x 32 images (the paper's CIFAR-10 network, n = 3): a 3x3
    convolution, three stages of 3 basic blocks with 16, 32, 64 channels on 32 x 32,
    16 x 16 and 8 x 8 maps, global average pooling, 10 classes; parameter-free shortcuts
    (option A): 269,722 parameters (the paper's 0.27 M); ``shortcut='B'`` projects
    instead (272,474).

    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> net = nn.models.resnet20(rng=0)
    >>> sum(p.size for p in net.parameters())
    269722
    """
    widths = _widths(width, 3, "resnet20")
    return ResNet((3, 3, 3), widths, num_classes, in_channels, "cifar", shortcut, dtype, rng)


__all__ = [
    "BasicBlock",
    "GlobalAvgPool2d",
    "ResNet",
    "ZeroPadShortcut",
    "resnet18",
    "resnet20",
    "resnet34",
]
