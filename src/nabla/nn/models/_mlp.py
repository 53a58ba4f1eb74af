"""Fully connected networks: ``MLP`` and the ``Autoencoder`` of the notes on deep learning,
and ``make_activation``, the activation by name that every model of the zoo uses."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.nn import init
from nabla.nn.container import Sequential
from nabla.nn.layers import (
    ELU,
    Dropout,
    Identity,
    LeakyReLU,
    Linear,
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
        Widths from input to output, e.g. (784, 256, 128, 10); the (3, 4, 2) network of the
        notes on deep learning has 3 x 4 + 4 x 2 = 20 weights and 4 + 2 = 6 biases.
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


class Autoencoder(Module):
    """Fully connected autoencoder (the notes on deep learning, "AUTO ENCODER"): an encoder
    x -> h down to a bottleneck and a mirrored decoder h -> z, trained with
    L = ||z - x||^2 (``MSELoss``) for dimensionality reduction.

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


__all__ = ["MLP", "Autoencoder", "make_activation"]
