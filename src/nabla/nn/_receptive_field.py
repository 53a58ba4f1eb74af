"""``receptive_field``, ``output_size`` and ``layer_geometry``: how many input pixels a unit
of a convolutional network sees, and how large its feature maps are (the notes on CNNs,
"RECEPTIVE FIELD": the amount of input a neuron sees, grown by stacking layers).

Along one dimension, a layer with kernel F, stride S, padding P and dilation D maps an input
of N entries to ``conv_output_size(N, F, S, P, D)`` = floor((N - D (F - 1) - 1 + 2P) / S) + 1
entries (the notes' (N - F + 2P) / S + 1), and, after layers whose units are J input pixels
apart (J: the product of the earlier strides), grows the receptive field R and the jump J as

    R <- R + D (F - 1) J,        J <- J S,

starting from R = J = 1 at the input. The centre of the first unit's field moves by
(D (F - 1) / 2 - P) J. ``Conv2d``, ``MaxPool2d`` and ``AvgPool2d`` change the geometry;
activations, normalisations, dropout and ``Identity`` act pixel by pixel and leave it alone;
the walk stops at the first ``Flatten``, ``Linear`` or layer whose class sets
``ends_spatial = True`` (a global pooling). A module with a ``receptive_path()`` method
(a residual block) is walked along the layers it returns: its longest path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nabla.nn._conv_size import conv_output_size
from nabla.nn.layers import AvgPool2d, Conv2d, Flatten, Identity, Linear, Maxout, MaxPool2d
from nabla.nn.module import Module

Pair = tuple[int, int]

# modules whose layers act on each pixel on its own (activation covers activation_extra)
_POINTWISE_MODULES = (
    "nabla.nn.layers.activation",
    "nabla.nn.layers.normalization",
    "nabla.nn.layers.dropout",
)


@dataclass(frozen=True)
class LayerGeometry:
    """One convolution or pooling layer of a network, seen from the input.

    Attributes
    ----------
    name : str
        The layer's qualified name in the model ('features.0'), or its index in a list.
    layer : Module
    receptive_field : (int, int)
        Input rows and columns that one output unit depends on.
    jump : (int, int)
        Input pixels between neighbouring output units (the product of the strides so far).
    start : (float, float)
        Input coordinate of the centre of the first output unit's field (negative when it
        lies in the padding).
    size : (int, int) or None
        Output height and width, when an input size is given.
    tiles : bool or None
        Whether the layer's stride tiles its input (no rows or columns left unread), when an
        input size is given.
    """

    name: str
    layer: Module
    receptive_field: Pair
    jump: Pair
    start: tuple[float, float]
    size: Pair | None
    tiles: bool | None


def _pair(v: Any) -> Pair:
    return (int(v[0]), int(v[1])) if isinstance(v, (tuple, list)) else (int(v), int(v))


def _input_pair(input_size: Any, who: str) -> Pair | None:
    if input_size is None:
        return None
    values = input_size if isinstance(input_size, (tuple, list)) else (input_size, input_size)
    if len(values) != 2 or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in values
    ):
        raise ValueError(
            f"{who}: input_size must be a positive int or a pair (height, width) of them, got "
            f"{input_size!r}"
        )
    return int(values[0]), int(values[1])


def _collect(obj: Any, name: str, who: str, out: list[tuple[str, Module]]) -> bool:
    """Append the geometric layers of ``obj`` to ``out`` in order; True once a layer ends
    the feature maps (the walk stops there)."""
    if isinstance(obj, (list, tuple)):
        return any(_collect(m, f"{name}{i}", who, out) for i, m in enumerate(obj))
    if not isinstance(obj, Module):
        raise TypeError(f"{who}: expected a Module or a list of layers, got {type(obj).__name__}")
    if hasattr(obj, "receptive_path"):
        children = [(f"{name}.{n}" if name else n, m) for n, m in obj.receptive_path()]
    else:
        children = [(f"{name}.{n}" if name else n, m) for n, m in obj.named_children()]
    if children:
        return any(_collect(m, child_name, who, out) for child_name, m in children)
    if isinstance(obj, (Conv2d, MaxPool2d, AvgPool2d)):
        out.append((name, obj))
        return False
    if isinstance(obj, (Flatten, Linear)) or getattr(obj, "ends_spatial", False):
        return True
    if isinstance(obj, Identity) or (
        type(obj).__module__.startswith(_POINTWISE_MODULES) and not isinstance(obj, Maxout)
    ):
        return False
    raise TypeError(
        f"{who}: cannot tell how a {type(obj).__name__} (layer {name!r}) changes the feature "
        f"maps; pass the layers before it, or give its class a receptive_path() method"
    )


def layer_geometry(
    model: Module | Sequence[Module], input_size: Any = None, strict: bool = False
) -> list[LayerGeometry]:
    """The receptive field, jump and (given ``input_size``) output size after every
    convolution and pooling layer of ``model``, in order.

    Parameters
    ----------
    model : Module or sequence of Module
        A network (walked through its children in order), one layer, or a list of layers.
    input_size : int or (int, int), optional
        Height and width of the input; without it, sizes and tiling are not computed.
    strict : bool, default False
        Raise ``ValueError`` at the first layer whose stride does not tile its input (the
        notes count such a stride as invalid), naming the layer and the sizes that would tile.

    Examples
    --------
    >>> from nabla import nn
    >>> net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 8, 3))
    >>> [(g.name, g.receptive_field, g.size) for g in nn.layer_geometry(net, 32)]
    [('0', (3, 3), (30, 30)), ('2', (4, 4), (15, 15)), ('3', (8, 8), (13, 13))]
    """
    who = "layer_geometry"
    if not isinstance(strict, (bool, np.bool_)):
        raise TypeError(f"{who}: strict must be a bool, got {strict!r}")
    size = _input_pair(input_size, who)
    layers: list[tuple[str, Module]] = []
    _collect(model, "", who, layers)
    r, j, start = [1, 1], [1, 1], [0.0, 0.0]
    out: list[LayerGeometry] = []
    for name, layer in layers:
        k, s, p = _pair(layer.kernel_size), _pair(layer.stride), _pair(layer.padding)
        d = _pair(getattr(layer, "dilation", 1))
        tiles: list[bool] = []
        new_size: list[int] = []
        for a in range(2):
            if size is not None:
                try:
                    new_size.append(conv_output_size(size[a], k[a], s[a], p[a], d[a], strict))
                except ValueError as exc:
                    raise ValueError(f"{who}: at layer {name!r} ({layer!r}): {exc}") from None
                tiles.append((size[a] + 2 * p[a] - d[a] * (k[a] - 1) - 1) % s[a] == 0)
            start[a] += (d[a] * (k[a] - 1) / 2 - p[a]) * j[a]
            r[a] += d[a] * (k[a] - 1) * j[a]
            j[a] *= s[a]
        if size is not None:
            size = (new_size[0], new_size[1])
        out.append(
            LayerGeometry(
                name,
                layer,
                (r[0], r[1]),
                (j[0], j[1]),
                (start[0], start[1]),
                size,
                None if size is None else all(tiles),
            )
        )
    return out


def receptive_field(model: Module | Sequence[Module]) -> Pair:
    """(rows, columns) of input that one unit after the last convolution or pooling layer of
    ``model`` depends on; (1, 1) when there is none.

    Examples
    --------
    >>> from nabla import nn
    >>> # two 3x3 convolutions see as far as one 5x5 (the notes on CNNs, "VGGNET")
    >>> nn.receptive_field([nn.Conv2d(1, 1, 3), nn.ReLU(), nn.Conv2d(1, 1, 3)])
    (5, 5)
    """
    table = layer_geometry(model)
    return table[-1].receptive_field if table else (1, 1)


def output_size(model: Module | Sequence[Module], input_size: Any, strict: bool = False) -> Pair:
    """(height, width) of the feature maps after the last convolution or pooling layer of
    ``model`` for an input of ``input_size`` (an int or a pair); ``strict`` as in
    :func:`layer_geometry`.

    Examples
    --------
    >>> from nabla import nn
    >>> nn.output_size([nn.Conv2d(3, 96, 11, stride=4), nn.MaxPool2d(3, stride=2)], 227)
    (27, 27)
    """
    if input_size is None:
        raise ValueError("output_size: input_size is required, got None")
    table = layer_geometry(model, input_size, strict)
    return table[-1].size if table else _input_pair(input_size, "output_size")  # type: ignore[return-value]


__all__ = ["LayerGeometry", "layer_geometry", "output_size", "receptive_field"]
