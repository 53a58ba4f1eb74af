"""What a model file may say about nabla's own layers, checked before anything is built.

Two tables, one entry per built-in layer:

- ``CONFIGS``: the type of every constructor argument a file may give (an int, a bool, a
  number, a pair of ints, a dtype name, ...). A value of the wrong type, or an argument the
  layer does not take, is refused at load; the ranges are then checked by the layer's own
  constructor (``Linear(-1, 2)`` already raises), so each rule lives once.
- ``STATES``: the names, shapes and dtypes of the state dict a layer built from a config
  will have. ``io.load`` compares them with the arrays the file actually holds before it
  allocates anything, so a few bytes describing ``Linear(12000, 12000)`` cannot make it
  allocate gigabytes.

The same checks run when a model is saved, so every file nabla writes loads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Check = Callable[[Any], None]
State = dict[str, tuple[tuple[int, ...], np.dtype]]

_MAX_SIZE = 2**31 - 1  # features, channels, kernel sizes: far beyond any layer that fits
_MAX_DIM = 64  # NumPy's limit on the number of dimensions


def show(value: Any) -> str:
    """``repr(value)``, cut short (values come from files and may be huge)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _int(lo: int, hi: int = _MAX_SIZE) -> Check:
    def check(v: Any) -> None:
        if not (_is_int(v) and lo <= v <= hi):
            raise ValueError(f"must be an int in [{lo}, {hi}], got {show(v)}")

    return check


def _bool(v: Any) -> None:
    if not isinstance(v, bool):
        raise ValueError(f"must be true or false, got {show(v)}")


def _number(v: Any) -> None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"must be a number, got {show(v)}")


def _optional(check: Check) -> Check:
    def optional(v: Any) -> None:
        if v is not None:
            check(v)

    return optional


def _pair(lo: int) -> Check:
    one = _int(lo)

    def pair(v: Any) -> None:
        if isinstance(v, list):
            if len(v) != 2:
                raise ValueError(f"must be an int or a pair of ints, got {show(v)}")
            for x in v:
                one(x)
        else:
            one(v)

    return pair


def _list_of(check: Check, lo: int, hi: int) -> Check:
    def list_of(v: Any) -> None:
        if not isinstance(v, list) or not lo <= len(v) <= hi:
            raise ValueError(f"must be a list of {lo} to {hi} items, got {show(v)}")
        for x in v:
            check(x)

    return list_of


def _dtype(v: Any) -> None:
    if v not in ("float16", "float32", "float64"):
        raise ValueError(f"must be 'float16', 'float32' or 'float64', got {show(v)}")


def _one_of(*values: Any) -> Check:
    def one_of(v: Any) -> None:
        if not isinstance(v, str) or v not in values:
            raise ValueError(f"must be one of {', '.join(map(repr, values))}, got {show(v)}")

    return one_of


def _either(*checks: Check) -> Check:
    """Passes when one of ``checks`` passes; the last one's message otherwise."""

    def either(v: Any) -> None:
        for check in checks[:-1]:
            try:
                check(v)
                return
            except ValueError:
                pass
        checks[-1](v)

    return either


def _size_pair(v: Any) -> None:
    """An output size: an int >= 1 or a pair whose entries are ints >= 1 or None."""
    one = _optional(_int(1))
    if isinstance(v, list) and len(v) == 2:
        for x in v:
            one(x)
    else:
        _int(1)(v)


def _positive(v: Any) -> None:
    _number(v)
    if not 0 < v < float("inf"):
        raise ValueError(f"must be a positive finite number, got {show(v)}")


def _numbers(v: Any) -> None:
    if isinstance(v, list):
        if len(v) != 2:
            raise ValueError(f"must be a number or a pair of numbers, got {show(v)}")
        for x in v:
            _positive(x)
    else:
        _positive(v)


_DIM = _int(-_MAX_DIM, _MAX_DIM - 1)
_POOL = {
    "kernel_size": _pair(1),
    "stride": _optional(_pair(1)),
    "padding": _pair(0),
    "ceil_mode": _bool,
}
_PADS = {"padding": _either(_int(0), _list_of(_int(0), 4, 4))}
_BATCH_NORM = {
    "num_features": _int(1),
    "eps": _number,
    "momentum": _optional(_number),
    "affine": _bool,
    "track_running_stats": _bool,
    "dtype": _dtype,
}

CONFIGS: dict[str, dict[str, Check]] = {
    "Linear": {"in_features": _int(0), "out_features": _int(0), "bias": _bool, "dtype": _dtype},
    "Conv2d": {
        "in_channels": _int(1),
        "out_channels": _int(1),
        "kernel_size": _pair(1),
        "stride": _pair(1),
        "padding": _either(_one_of("same", "valid"), _pair(0)),
        "dilation": _pair(1),
        "groups": _int(1),
        "bias": _bool,
        "padding_mode": _one_of("zeros", "reflect", "replicate", "circular"),
        "dtype": _dtype,
    },
    "ConvTranspose2d": {
        "in_channels": _int(1),
        "out_channels": _int(1),
        "kernel_size": _pair(1),
        "stride": _pair(1),
        "padding": _pair(0),
        "output_padding": _pair(0),
        "groups": _int(1),
        "bias": _bool,
        "dilation": _pair(1),
        "dtype": _dtype,
    },
    "Upsample": {
        "size": _optional(_pair(1)),
        "scale_factor": _optional(_numbers),
        "mode": _one_of("nearest", "bilinear"),
        "align_corners": _optional(_bool),
    },
    "AdaptiveAvgPool2d": {"output_size": _size_pair},
    "AdaptiveMaxPool2d": {"output_size": _size_pair},
    "ZeroPad2d": _PADS,
    "ConstantPad2d": {**_PADS, "value": _number},
    "ReflectionPad2d": _PADS,
    "ReplicationPad2d": _PADS,
    "CircularPad2d": _PADS,
    "GlobalAvgPool2d": {},
    "ZeroPadShortcut": {"stride": _int(1), "extra_channels": _int(0)},
    "Maxout": {
        "in_features": _int(1),
        "out_features": _int(1),
        "pieces": _int(1),
        "bias": _bool,
        "dtype": _dtype,
    },
    "PReLU": {"num_parameters": _int(1), "init": _number, "dtype": _dtype},
    "Dropout": {"p": _number, "inverted": _bool},
    "MaxPool2d": {**_POOL, "dilation": _pair(1)},
    "AvgPool2d": {**_POOL, "count_include_pad": _bool, "divisor_override": _optional(_int(1))},
    "Flatten": {"start_dim": _DIM, "end_dim": _DIM},
    "Unflatten": {"dim": _DIM, "unflattened_size": _list_of(_int(-1), 1, _MAX_DIM)},
    "Identity": {},
    "ReLU": {},
    "Sigmoid": {},
    "Tanh": {},
    "LeakyReLU": {"negative_slope": _number},
    "ELU": {"alpha": _number},
    "Softplus": {"beta": _number, "threshold": _number},
    "Softmax": {"dim": _optional(_DIM)},
    "LogSoftmax": {"dim": _optional(_DIM)},
    "BatchNorm1d": _BATCH_NORM,
    "BatchNorm2d": _BATCH_NORM,
    "LogicGate": {"weights": _list_of(_number, 1, 2**16), "bias": _number, "dtype": _dtype},
}

# the arguments a layer cannot be built without
_REQUIRED = {
    "Linear": ("in_features", "out_features"),
    "Conv2d": ("in_channels", "out_channels", "kernel_size"),
    "Maxout": ("in_features", "out_features"),
    "Unflatten": ("dim", "unflattened_size"),
    "BatchNorm1d": ("num_features",),
    "BatchNorm2d": ("num_features",),
    "MaxPool2d": ("kernel_size",),
    "AvgPool2d": ("kernel_size",),
    "LogicGate": ("weights", "bias"),
    "ConvTranspose2d": ("in_channels", "out_channels", "kernel_size"),
    "AdaptiveAvgPool2d": ("output_size",),
    "AdaptiveMaxPool2d": ("output_size",),
    "ZeroPad2d": ("padding",),
    "ConstantPad2d": ("padding",),
    "ReflectionPad2d": ("padding",),
    "ReplicationPad2d": ("padding",),
    "CircularPad2d": ("padding",),
    "ZeroPadShortcut": ("stride", "extra_channels"),
}


def check_config(name: str, config: Any) -> None:
    """``ValueError`` unless ``config`` gives layer ``name`` only arguments of the right
    types (layers not in ``CONFIGS``, i.e. registered by the user, are not checked)."""
    rules = CONFIGS.get(name)
    if rules is None:
        return
    if not isinstance(config, dict):
        raise ValueError(f"the config of {name} must be an object, got {show(config)}")
    for key, value in config.items():
        if key not in rules:
            raise ValueError(
                f"{name} takes no argument {show(key)} (it takes {', '.join(rules) or 'none'})"
            )
        try:
            rules[key](value)
        except ValueError as exc:
            raise ValueError(f"{name}: {key} {exc}") from None
    missing = [k for k in _REQUIRED.get(name, ()) if k not in config]
    if missing:
        raise ValueError(f"{name} needs the argument(s) {', '.join(missing)}")


# ---- the state a built-in layer will have -----------------------------------------------------
def _pair_of(v: Any) -> tuple[int, int]:
    return (v[0], v[1]) if isinstance(v, list) else (v, v)


def _weights(out: int, shape: tuple[int, ...], bias: bool, dtype: np.dtype) -> State:
    state = {"weight": (shape, dtype)}
    if bias:
        state["bias"] = ((out,), dtype)
    return state


def _linear(c: dict[str, Any], dt: np.dtype) -> State:
    out = c["out_features"]
    return _weights(out, (out, c["in_features"]), c.get("bias", True), dt)


def _conv2d(c: dict[str, Any], dt: np.dtype) -> State:
    out = c["out_channels"]
    shape = (out, c["in_channels"] // c.get("groups", 1), *_pair_of(c["kernel_size"]))
    return _weights(out, shape, c.get("bias", True), dt)


def _conv_transpose2d(c: dict[str, Any], dt: np.dtype) -> State:
    out = c["out_channels"]
    shape = (c["in_channels"], out // c.get("groups", 1), *_pair_of(c["kernel_size"]))
    return _weights(out, shape, c.get("bias", True), dt)


def _maxout(c: dict[str, Any], dt: np.dtype) -> State:
    rows = c["out_features"] * c.get("pieces", 2)
    return _weights(rows, (rows, c["in_features"]), c.get("bias", True), dt)


def _batch_norm(c: dict[str, Any], dt: np.dtype) -> State:
    n = (c["num_features"],)
    state: State = {}
    if c.get("affine", True):
        state.update(weight=(n, dt), bias=(n, dt))
    if c.get("track_running_stats", True):
        state.update(running_mean=(n, dt), running_var=(n, dt))
        state["num_batches_tracked"] = ((), np.dtype(np.int64))
    return state


_STATES: dict[str, Callable[[dict[str, Any], np.dtype], State]] = {
    "Linear": _linear,
    "Conv2d": _conv2d,
    "ConvTranspose2d": _conv_transpose2d,
    "Maxout": _maxout,
    "PReLU": lambda c, dt: {"weight": ((c.get("num_parameters", 1),), dt)},
    "BatchNorm1d": _batch_norm,
    "BatchNorm2d": _batch_norm,
    "LogicGate": lambda c, dt: _weights(1, (1, len(c["weights"])), True, dt),
}


def layer_state(name: str, config: dict[str, Any]) -> State | None:
    """The state dict (name -> (shape, dtype)) layer ``name`` built from a config checked by
    :func:`check_config` will have; None for a layer registered by the user."""
    if name not in CONFIGS:
        return None
    default = "float64" if name == "LogicGate" else "float32"
    fn = _STATES.get(name)
    return {} if fn is None else fn(config, np.dtype(config.get("dtype", default)))
