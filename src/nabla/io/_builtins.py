"""The model registry's entries for nabla's own classes: the layers and containers of
``nabla.nn`` (rebuilt from their constructor arguments) and the networks of
``nabla.nn.models`` (rebuilt from their children, without running their constructors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

ConfigFn = Callable[[Any], dict[str, Any]]
BuildFn = Callable[[dict[str, Any]], Any]
Entry = tuple[type, ConfigFn | None, BuildFn | None]

# the children the zoo's networks are assembled from (their forward uses these names)
ZOO_CHILDREN = {
    "LeNet5": {"conv1", "pool1", "conv2", "pool2", "flatten", "fc1", "fc2", "fc3", "act"},
    "ConvNet": {"features", "flatten", "classifier"},
    "Autoencoder": {"encoder", "decoder"},
    "XORNet": {"not_gate", "and_gate", "or_gate"},
    "BasicBlock": {"conv1", "bn1", "relu", "conv2", "bn2", "downsample"},
}
# names the children of a zoo network may not take: attributes its instances keep
ZOO_RESERVED = {"MLP": {"sizes"}}
# registered classes whose build function keeps the children's names (the others are the
# user's, and the state dict of what they build is known only once built)
KEEPS_CHILD_NAMES = {"MLP"}


def assemble(cls: type, children: dict[str, Any]) -> Any:
    """A ``cls`` whose whole state is its children, without running its constructor.

    Used for the model zoo's networks, whose constructors take hyper-parameters that
    only shape the children; ``cls`` comes from the registry, never from a string.
    """
    from nabla.nn.module import Module

    obj: Any = object.__new__(cls)
    Module.__init__(obj)
    for k, c in children.items():
        setattr(obj, k, c)
    return obj


def _dtype(m: Any) -> str:
    return str(m.weight.data.dtype)


def _listed(v: Any) -> Any:
    """A tuple as a JSON list (None, numbers and strings as they are)."""
    return list(v) if isinstance(v, tuple) else v


def _bn_dtype(m: Any) -> str:
    t = m.weight if m.weight is not None else m.running_mean
    return "float32" if t is None else str(t.data.dtype)


class NoDraws(np.random.Generator):
    """A generator whose uniform and normal draws are all 0, as a broadcast view (no memory,
    no time): layers built to receive a file's weights need no random initial ones."""

    def uniform(self, low: Any = 0.0, high: Any = 1.0, size: Any = None) -> Any:
        return np.broadcast_to(np.float64(0.0), () if size is None else size)

    def normal(self, loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Any:
        return np.broadcast_to(np.float64(0.0), () if size is None else size)


_NO_DRAWS = NoDraws(np.random.PCG64(0))


def _with_rng(cls: type) -> BuildFn:
    return lambda cfg: cls(**cfg, rng=_NO_DRAWS)


def layer_entries() -> dict[str, Entry]:
    """nabla.nn's layers and containers."""
    from nabla import nn

    def bias(m: Any) -> bool:
        return m.bias is not None

    entries: dict[str, Entry] = {
        "Sequential": (nn.Sequential, None, None),
        "ModuleList": (nn.ModuleList, None, None),
        "Linear": (
            nn.Linear,
            lambda m: {
                "in_features": m.in_features,
                "out_features": m.out_features,
                "bias": bias(m),
                "dtype": _dtype(m),
            },
            _with_rng(nn.Linear),
        ),
        "Conv2d": (
            nn.Conv2d,
            lambda m: {
                "in_channels": m.in_channels,
                "out_channels": m.out_channels,
                "kernel_size": list(m.kernel_size),
                "stride": list(m.stride),
                "padding": m.padding if isinstance(m.padding, str) else list(m.padding),
                "dilation": list(m.dilation),
                "groups": m.groups,
                "bias": bias(m),
                "padding_mode": m.padding_mode,
                "dtype": _dtype(m),
            },
            _with_rng(nn.Conv2d),
        ),
        "ConvTranspose2d": (
            nn.ConvTranspose2d,
            lambda m: {
                "in_channels": m.in_channels,
                "out_channels": m.out_channels,
                "kernel_size": list(m.kernel_size),
                "stride": list(m.stride),
                "padding": list(m.padding),
                "output_padding": list(m.output_padding),
                "groups": m.groups,
                "bias": bias(m),
                "dilation": list(m.dilation),
                "dtype": _dtype(m),
            },
            _with_rng(nn.ConvTranspose2d),
        ),
        "Upsample": (
            nn.Upsample,
            lambda m: {
                "size": _listed(m.size),
                "scale_factor": _listed(m.scale_factor),
                "mode": m.mode,
                "align_corners": m.align_corners,
            },
            None,
        ),
        "AdaptiveAvgPool2d": (
            nn.AdaptiveAvgPool2d,
            lambda m: {"output_size": _listed(m.output_size)},
            None,
        ),
        "AdaptiveMaxPool2d": (
            nn.AdaptiveMaxPool2d,
            lambda m: {"output_size": _listed(m.output_size)},
            None,
        ),
        "ZeroPad2d": (nn.ZeroPad2d, lambda m: {"padding": list(m.padding)}, None),
        "ConstantPad2d": (
            nn.ConstantPad2d,
            lambda m: {"padding": list(m.padding), "value": m.value},
            None,
        ),
        "Maxout": (
            nn.Maxout,
            lambda m: {
                "in_features": m.in_features,
                "out_features": m.out_features,
                "pieces": m.pieces,
                "bias": bias(m),
                "dtype": _dtype(m),
            },
            _with_rng(nn.Maxout),
        ),
        "PReLU": (
            nn.PReLU,
            lambda m: {"num_parameters": m.num_parameters, "init": m.init, "dtype": _dtype(m)},
            None,
        ),
        "Dropout": (nn.Dropout, lambda m: {"p": m.p, "inverted": m.inverted}, None),
        "MaxPool2d": (
            nn.MaxPool2d,
            lambda m: {
                "kernel_size": list(m.kernel_size),
                "stride": list(m.stride),
                "padding": list(m.padding),
                "dilation": list(m.dilation),
                "ceil_mode": m.ceil_mode,
            },
            None,
        ),
        "AvgPool2d": (
            nn.AvgPool2d,
            lambda m: {
                "kernel_size": list(m.kernel_size),
                "stride": list(m.stride),
                "padding": list(m.padding),
                "ceil_mode": m.ceil_mode,
                "count_include_pad": m.count_include_pad,
                "divisor_override": m.divisor_override,
            },
            None,
        ),
        "Flatten": (nn.Flatten, lambda m: {"start_dim": m.start_dim, "end_dim": m.end_dim}, None),
        "Unflatten": (
            nn.Unflatten,
            lambda m: {"dim": m.dim, "unflattened_size": list(m.unflattened_size)},
            None,
        ),
        "Identity": (nn.Identity, None, None),
        "ReLU": (nn.ReLU, None, None),
        "Sigmoid": (nn.Sigmoid, None, None),
        "Tanh": (nn.Tanh, None, None),
        "LeakyReLU": (nn.LeakyReLU, lambda m: {"negative_slope": m.negative_slope}, None),
        "ELU": (nn.ELU, lambda m: {"alpha": m.alpha}, None),
        "Softplus": (nn.Softplus, lambda m: {"beta": m.beta, "threshold": m.threshold}, None),
        "Softmax": (nn.Softmax, lambda m: {"dim": m.dim}, None),
        "LogSoftmax": (nn.LogSoftmax, lambda m: {"dim": m.dim}, None),
    }
    for pad in ("ReflectionPad2d", "ReplicationPad2d", "CircularPad2d"):
        entries[pad] = (getattr(nn, pad), lambda m: {"padding": list(m.padding)}, None)
    for bn in ("BatchNorm1d", "BatchNorm2d"):
        entries[bn] = (
            getattr(nn, bn),
            lambda m: {
                "num_features": m.num_features,
                "eps": m.eps,
                "momentum": m.momentum,
                "affine": m.affine,
                "track_running_stats": m.track_running_stats,
                "dtype": _bn_dtype(m),
            },
            None,
        )
    return entries


def zoo_entries() -> dict[str, Entry]:
    """The networks of ``nabla.nn.models``; they are rebuilt from their children."""
    from nabla.nn import models

    entries: dict[str, Entry] = {}
    for name in ("LeNet5", "ConvNet", "Autoencoder", "XORNet", "ResNet", "BasicBlock"):
        cls = getattr(models, name, None)
        if isinstance(cls, type):
            entries[name] = (cls, None, None)
    pool = getattr(models, "GlobalAvgPool2d", None)
    if isinstance(pool, type):
        entries["GlobalAvgPool2d"] = (pool, None, None)
    shortcut = getattr(models, "ZeroPadShortcut", None)
    if isinstance(shortcut, type):
        entries["ZeroPadShortcut"] = (
            shortcut,
            lambda m: {"stride": m.stride, "extra_channels": m.extra_channels},
            None,
        )
    mlp = getattr(models, "MLP", None)
    if isinstance(mlp, type):

        def build_mlp(children: dict[str, Any]) -> Any:
            net = assemble(mlp, children)
            # the one attribute MLP keeps besides its layers: the widths, from the Linears
            linears = [c for c in children.values() if type(c).__name__ == "Linear"]
            if linears:
                net.sizes = [linears[0].in_features] + [m.out_features for m in linears]
            return net

        entries["MLP"] = (mlp, None, build_mlp)
    gate = getattr(models, "LogicGate", None)
    if isinstance(gate, type):
        entries["LogicGate"] = (
            gate,
            lambda m: {
                "weights": m.weight.data[0].tolist(),
                "bias": float(m.bias.data[0]),
                "dtype": _dtype(m),
            },
            None,
        )
    return entries
