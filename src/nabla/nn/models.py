"""The lecture's networks: ``MLP``, ``LeNet5``, an AlexNet-style and a VGG-style builder
sized for a CPU, a fully connected ``Autoencoder`` (seed 001) and the logic-gate networks of
seed 004 (AND, OR, NOT with the notes' weights, XOR built from them).

Every model takes ``rng`` (a seed or a Generator) for its initial weights and ``dtype``.
Parameter names follow PyTorch's conventions (``features`` / ``classifier`` for the
convolutional builders, '0', '1', ... inside ``Sequential``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nabla.autograd.ops.conv import out_size
from nabla.autograd.ops.shape import concatenate
from nabla.autograd.tensor import Tensor
from nabla.nn import init
from nabla.nn.container import Sequential
from nabla.nn.layers import (
    ELU,
    AvgPool2d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    MaxPool2d,
    ReLU,
    Sigmoid,
    Softplus,
    Tanh,
)
from nabla.nn.module import Module

_ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "relu": ReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "softplus": Softplus,
    "identity": Identity,
}


def make_activation(spec: str | Callable[[], Module] | None, who: str) -> Module:
    """A fresh activation module from a name ('relu', 'tanh', ...) or a factory."""
    if spec is None:
        return Identity()
    if isinstance(spec, str):
        if spec not in _ACTIVATIONS:
            raise ValueError(
                f"{who}: unknown activation {spec!r}; choose from {sorted(_ACTIVATIONS)} or pass "
                "a Module class"
            )
        return _ACTIVATIONS[spec]()
    if callable(spec):
        m = spec()
        if isinstance(m, Module):
            return m
    raise TypeError(f"{who}: activation must be a name or a Module class, got {spec!r}")


def _sizes(sizes: Sequence[int], who: str, minimum: int = 2) -> list[int]:
    out = list(sizes)
    if len(out) < minimum or not all(
        isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in out
    ):
        raise ValueError(f"{who}: sizes must be at least {minimum} positive ints, got {sizes!r}")
    return [int(s) for s in out]


class MLP(Sequential):
    """Fully connected network: Linear -> activation (-> Dropout) ... -> Linear.

    Parameters
    ----------
    sizes : sequence of int
        Widths from input to output, e.g. (784, 256, 128, 10); the seed 001 network
        (3, 4, 2) has 3 x 4 + 4 x 2 = 20 weights and 4 + 2 = 6 biases.
    activation : str or Module class, default 'relu'
        After every hidden layer.
    output_activation : str or Module class, optional
        After the last layer (None: raw scores, as the losses expect logits).
    dropout : float, default 0
        Dropout probability after each hidden activation (0: no Dropout layers).
    dtype, rng
        As ``Linear``.

    Examples
    --------
    >>> from nabla import nn
    >>> net = nn.models.MLP([3, 4, 2], rng=0)
    >>> sum(p.size for p in net.parameters())
    26
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Callable[[], Module] = "relu",
        output_activation: str | Callable[[], Module] | None = None,
        dropout: float = 0.0,
        dtype: Any = None,
        rng: init.RNG = None,
    ) -> None:
        sizes = _sizes(sizes, "MLP")
        make_activation(activation, "MLP")  # a bad name fails even without hidden layers
        gen = init.get_rng(rng, "MLP")
        layers: list[Module] = []
        for i, (a, b) in enumerate(itertools.pairwise(sizes)):
            layers.append(Linear(a, b, dtype=dtype, rng=gen))
            if i < len(sizes) - 2:
                layers.append(make_activation(activation, "MLP"))
                if dropout:
                    layers.append(Dropout(dropout))
        if output_activation is not None:
            layers.append(make_activation(output_activation, "MLP"))
        super().__init__(*layers)
        self.sizes = sizes


class LeNet5(Module):
    """LeNet-5 (seed 001 "LENET-5"): C1 6@5x5 -> S2 pool -> C3 16@5x5 -> S4 pool -> F5 120
    -> F6 84 -> output.

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


def _conv_stack(
    cfg: Sequence[int | str],
    in_channels: int,
    input_size: int,
    batch_norm: bool,
    dtype: Any,
    gen: np.random.Generator,
    who: str,
) -> tuple[Sequential, int, int]:
    """Conv 3x3 (padding 1) + [BatchNorm] + ReLU per int, MaxPool 2 per 'M'."""
    layers: list[Module] = []
    c, size = in_channels, input_size
    for v in cfg:
        if v == "M":
            if size < 2:
                raise ValueError(f"{who}: input_size {input_size} is too small for {cfg!r}")
            layers.append(MaxPool2d(2))
            size //= 2
        else:
            layers.append(Conv2d(c, int(v), 3, padding=1, dtype=dtype, rng=gen))
            if batch_norm:
                layers.append(BatchNorm2d(int(v), dtype=dtype))
            layers.append(ReLU())
            c = int(v)
    return Sequential(*layers), c, size


class ConvNet(Module):
    """A convolutional feature extractor (``features``), ``Flatten`` and a fully connected
    ``classifier``: the shape of AlexNet and VGG. Built by ``alexnet`` and ``vgg``."""

    def __init__(self, features: Sequential, classifier: Sequential) -> None:
        super().__init__()
        self.features = features
        self.flatten = Flatten()
        self.classifier = classifier

    def forward(self, x: Any) -> Tensor:
        return self.classifier(self.flatten(self.features(x)))


def _classifier(
    n_in: int, hidden: int, num_classes: int, dropout: float, dtype: Any, gen: Any
) -> Sequential:
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
    num_classes: int = 10,
    in_channels: int = 3,
    input_size: int = 32,
    width: int = 16,
    hidden: int = 256,
    dropout: float = 0.5,
    dtype: Any = None,
    rng: init.RNG = None,
) -> ConvNet:
    """A small AlexNet-style network: five convolutions (a large first kernel, then 5x5
    and three 3x3), three max-pools, two dropout-regularised hidden layers.

    Channel widths are (1, 3, 6, 4, 4) x ``width`` (AlexNet's 64-192-384-256-256 for
    width 64); the input is ``input_size`` x ``input_size`` (>= 8).

    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> net = nn.models.alexnet(input_size=32, width=4, hidden=32, rng=0)
    >>> net(nabla.tensor(np.zeros((2, 3, 32, 32), dtype=np.float32))).shape
    (2, 10)
    """
    who = "alexnet"
    if isinstance(input_size, bool) or not isinstance(input_size, int) or input_size < 8:
        raise ValueError(f"{who}: input_size must be an int >= 8, got {input_size!r}")
    gen = init.get_rng(rng, who)
    w = int(width)
    k1 = 11 if input_size >= 64 else 5
    s1 = 4 if input_size >= 64 else 1
    p1 = 2
    c1 = out_size(input_size, k1, p1, s1)
    features = Sequential(
        Conv2d(in_channels, w, k1, stride=s1, padding=p1, dtype=dtype, rng=gen),
        ReLU(),
        MaxPool2d(2),
        Conv2d(w, 3 * w, 5, padding=2, dtype=dtype, rng=gen),
        ReLU(),
        MaxPool2d(2),
        Conv2d(3 * w, 6 * w, 3, padding=1, dtype=dtype, rng=gen),
        ReLU(),
        Conv2d(6 * w, 4 * w, 3, padding=1, dtype=dtype, rng=gen),
        ReLU(),
        Conv2d(4 * w, 4 * w, 3, padding=1, dtype=dtype, rng=gen),
        ReLU(),
        MaxPool2d(2),
    )
    size = c1 // 2 // 2 // 2
    if size < 1:
        raise ValueError(f"{who}: input_size {input_size} is too small (feature maps vanish)")
    classifier = _classifier(4 * w * size * size, hidden, num_classes, dropout, dtype, gen)
    return ConvNet(features, classifier)


VGG_CONFIGS: dict[str, list[int | str]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
}


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
    """A VGG-style network: stacks of 3x3 convolutions (padding 1) and 2x2 max-pools
    (seed 001 "VGGNET: use small filters"), then a dropout-regularised classifier.

    ``cfg`` is 'A' (VGG-11), 'B' (VGG-13), 'D' (VGG-16) or a list of channel counts and
    'M' (pool); channel counts are scaled by ``width`` (0.125: 8-16-32-64-64).

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
    scaled = [v if v == "M" else max(1, round(int(v) * width)) for v in cfg]
    gen = init.get_rng(rng, who)
    features, c, size = _conv_stack(scaled, in_channels, input_size, batch_norm, dtype, gen, who)
    return ConvNet(features, _classifier(c * size * size, hidden, num_classes, dropout, dtype, gen))


class Autoencoder(Module):
    """Fully connected autoencoder (seed 001 "AUTO ENCODER"): an encoder x -> h down to a
    bottleneck and a mirrored decoder h -> z, trained with L = ||z - x||^2 (``MSELoss``) for
    dimensionality reduction.

    Parameters
    ----------
    sizes : sequence of int
        Encoder widths from the input to the code, e.g. (784, 128, 32); the decoder
        mirrors them. The code layer is linear.
    activation : str or Module class, default 'relu'
    output_activation : str or Module class, optional
        E.g. 'sigmoid' for inputs in [0, 1].
    dtype, rng
        As ``Linear``.

    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> ae = nn.models.Autoencoder([6, 4, 2], rng=0)
    >>> x = nabla.tensor(np.ones((3, 6), dtype=np.float32))
    >>> ae.encode(x).shape, ae(x).shape
    ((3, 2), (3, 6))
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Callable[[], Module] = "relu",
        output_activation: str | Callable[[], Module] | None = None,
        dtype: Any = None,
        rng: init.RNG = None,
    ) -> None:
        super().__init__()
        sizes = _sizes(sizes, "Autoencoder")
        gen = init.get_rng(rng, "Autoencoder")
        self.encoder = MLP(sizes, activation, dtype=dtype, rng=gen)
        self.decoder = MLP(
            sizes[::-1], activation, output_activation=output_activation, dtype=dtype, rng=gen
        )

    def encode(self, x: Any) -> Tensor:
        return self.encoder(x)

    def decode(self, h: Any) -> Tensor:
        return self.decoder(h)

    def forward(self, x: Any) -> Tensor:
        return self.decoder(self.encoder(x))


class LogicGate(Linear):
    """One sigmoid neuron h(x) = g(b + w^T x) with fixed weights (seed 004)."""

    def __init__(self, weights: Sequence[float], bias: float, dtype: Any = np.float64) -> None:
        super().__init__(len(weights), 1, dtype=dtype, rng=0)
        self.weight.data[...] = np.asarray(weights, dtype=self.weight.dtype)
        self.bias.data[...] = bias  # type: ignore[union-attr]

    def forward(self, input: Any) -> Tensor:
        return super().forward(input).sigmoid()


def and_gate() -> LogicGate:
    """x1 AND x2 = g(-30 + 20 x1 + 20 x2) (seed 004)."""
    return LogicGate([20.0, 20.0], -30.0)


def or_gate() -> LogicGate:
    """x1 OR x2 = g(-10 + 20 x1 + 20 x2) (seed 004)."""
    return LogicGate([20.0, 20.0], -10.0)


def not_gate() -> LogicGate:
    """NOT x1 = g(10 - 20 x1) (seed 004)."""
    return LogicGate([-20.0], 10.0)


class XORNet(Module):
    """x1 XOR x2 = (x1 AND NOT x2) OR (x2 AND NOT x1), built from the seed 004 gates.

    Hidden units (the notes' table): a1 = (NOT x1) AND x2, a2 = x1 AND (NOT x2); output
    h = a1 OR a2. Input (N, 2) of 0/1 values -> (N, 1) values close to 0 or 1.

    >>> import numpy as np, nabla
    >>> from nabla import nn
    >>> xor = nn.models.XORNet()
    >>> x = nabla.tensor(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64))
    >>> np.round(xor(x).numpy().ravel()).tolist()
    [0.0, 1.0, 1.0, 0.0]
    """

    def __init__(self) -> None:
        super().__init__()
        self.not_gate = not_gate()
        self.and_gate = and_gate()
        self.or_gate = or_gate()

    def hidden(self, x: Any) -> Tensor:
        """(a1, a2) for each input row, shape (N, 2)."""
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float64))
        x1, x2 = x[:, 0:1], x[:, 1:2]
        a1 = self.and_gate(concatenate([self.not_gate(x1), x2], axis=1))
        a2 = self.and_gate(concatenate([x1, self.not_gate(x2)], axis=1))
        return concatenate([a1, a2], axis=1)

    def forward(self, x: Any) -> Tensor:
        return self.or_gate(self.hidden(x))


__all__ = [
    "MLP",
    "VGG_CONFIGS",
    "Autoencoder",
    "ConvNet",
    "LeNet5",
    "LogicGate",
    "XORNet",
    "alexnet",
    "and_gate",
    "make_activation",
    "not_gate",
    "or_gate",
    "vgg",
]
