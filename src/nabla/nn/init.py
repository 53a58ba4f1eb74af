"""Weight initialisation (the course notes, "WEIGHT INITIALIZATION"; the neural-network lecture,
"Random initialization").

Every function fills a tensor in place and returns it, with PyTorch's names and formulas.
Randomness comes from ``rng``: a seed, a ``numpy.random.Generator``, or None for this
module's default generator. ``manual_seed(seed)`` resets the default generator, so that

>>> from nabla import nn
>>> _ = nn.init.manual_seed(0); a = nn.Linear(3, 2).weight.numpy().copy()
>>> _ = nn.init.manual_seed(0); b = nn.Linear(3, 2).weight.numpy().copy()
>>> bool((a == b).all())
True

Layers take the same ``rng`` argument and use PyTorch's default initialisation.

Variances (n_in = fan_in, n_out = fan_out, g = gain):

====================  ==============================================================
uniform_(a, b)        U(a, b); the notes' small U(-eps, eps) is ``uniform_(t, -eps, eps)``
normal_(m, s)         N(m, s^2)
xavier_uniform_(t)    U(-g sqrt(6 / (n_in + n_out)), +...)   (var = g^2 2 / (n_in + n_out))
xavier_normal_(t)     N(0, g^2 2 / (n_in + n_out))
kaiming_uniform_(t)   U(-g sqrt(3 / n), +...)                 (var = g^2 / n, n = n_in or n_out)
kaiming_normal_(t)    N(0, g^2 / n)  -- He / MSRA: var = 2 / n_in for ReLU
====================  ==============================================================
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nabla.autograd import generator as _generator
from nabla.autograd.tensor import Tensor

RNG = int | np.random.Generator | None


def manual_seed(seed: int) -> np.random.Generator:
    """Reset the default generator used when no ``rng`` is given; returns it.

    The same seed then gives bit-identical weights (and dropout masks). This is the default
    generator of ``nabla.manual_seed`` (and of ``nabla.randn``, ...), so either call seeds
    both the layers and the random factories, as ``torch.manual_seed`` does.
    """
    return _generator.manual_seed(seed).rng


def default_generator() -> np.random.Generator:
    """The generator used when a function or layer gets ``rng=None``."""
    return _generator.default_generator.rng


def get_rng(rng: RNG, who: str = "rng") -> np.random.Generator:
    """``rng`` as a Generator: None -> the default generator, an int -> a new seeded one."""
    if rng is None:
        return _generator.default_generator.rng
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{who}: rng must be None, an int seed or a numpy.random.Generator, "
        f"got {type(rng).__name__} {rng!r}"
    )


def _data(tensor: Any, who: str) -> np.ndarray:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{who}: expected a nabla Tensor or Parameter, got {type(tensor).__name__}")
    if tensor.data.dtype.kind != "f":
        raise TypeError(f"{who}: the tensor must be floating point, got dtype {tensor.data.dtype}")
    return tensor.data


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    # in place: optimisers and views that hold this array see the new values
    tensor.data[...] = values
    return tensor


_GAINS = {
    "linear": 1.0,
    "identity": 1.0,
    "conv1d": 1.0,
    "conv2d": 1.0,
    "conv3d": 1.0,
    "conv_transpose1d": 1.0,
    "conv_transpose2d": 1.0,
    "conv_transpose3d": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3,
    "relu": math.sqrt(2.0),
    "selu": 3.0 / 4,
}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's table).

    linear / conv / sigmoid: 1; tanh: 5/3; relu: sqrt(2); leaky_relu with slope a:
    sqrt(2 / (1 + a^2)) (a = 0.01 by default); selu: 3/4.
    """
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity not in _GAINS:
        raise ValueError(
            f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; choose from "
            f"{sorted([*_GAINS, 'leaky_relu'])}"
        )
    return _GAINS[nonlinearity]


def calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """fan_in = shape[1] x receptive field, fan_out = shape[0] x receptive field, where the
    receptive field is the product of shape[2:] (PyTorch's layout: (out, in, kh, kw))."""
    shape = _data(tensor, "calculate_fan_in_and_fan_out").shape
    if len(shape) < 2:
        raise ValueError(
            f"calculate_fan_in_and_fan_out: fan in and fan out need a tensor with at least 2 "
            f"dimensions, got shape {shape}"
        )
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor: Tensor, mode: str, who: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{who}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    if fan == 0:
        raise ValueError(
            f"{who}: cannot initialise a tensor with zero elements (shape {tensor.shape})"
        )
    return fan


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, rng: RNG = None) -> Tensor:
    """Fill with samples of U(a, b)."""
    data = _data(tensor, "uniform_")
    if not a <= b:
        raise ValueError(f"uniform_: need a <= b, got a={a}, b={b}")
    return _fill(tensor, get_rng(rng, "uniform_").uniform(a, b, size=data.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, rng: RNG = None) -> Tensor:
    """Fill with samples of N(mean, std^2)."""
    data = _data(tensor, "normal_")
    if not std >= 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    return _fill(tensor, get_rng(rng, "normal_").normal(mean, std, size=data.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the value ``val``."""
    _data(tensor, "constant_")
    return _fill(tensor, np.asarray(val))


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros (the notes: all neurons of a layer stay symmetric -- no learning)."""
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones."""
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, rng: RNG = None) -> Tensor:
    """Glorot / Xavier: U(-a, a) with a = gain sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _fill(tensor, get_rng(rng, "xavier_uniform_").uniform(-a, a, size=tensor.shape))


def xavier_normal_(tensor: Tensor, gain: float = 1.0, rng: RNG = None) -> Tensor:
    """Glorot / Xavier: N(0, std^2) with std = gain sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(tensor, get_rng(rng, "xavier_normal_").normal(0.0, std, size=tensor.shape))


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: RNG = None,
) -> Tensor:
    """He / MSRA: U(-b, b) with b = gain sqrt(3 / fan), gain = calculate_gain(nonlinearity, a).

    PyTorch's default for Linear and Conv2d weights is ``a = sqrt(5)``, which gives
    b = 1 / sqrt(fan_in).
    """
    fan = _fan(tensor, mode, "kaiming_uniform_")
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    return _fill(tensor, get_rng(rng, "kaiming_uniform_").uniform(-bound, bound, tensor.shape))


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: RNG = None,
) -> Tensor:
    """He / MSRA: N(0, std^2) with std = gain / sqrt(fan) (var = 2 / fan_in for ReLU)."""
    fan = _fan(tensor, mode, "kaiming_normal_")
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return _fill(tensor, get_rng(rng, "kaiming_normal_").normal(0.0, std, size=tensor.shape))


# the names without the trailing underscore (older PyTorch spelling)
uniform = uniform_
normal = normal_
constant = constant_
zeros = zeros_
ones = ones_
xavier_uniform = xavier_uniform_
xavier_normal = xavier_normal_
kaiming_uniform = kaiming_uniform_
kaiming_normal = kaiming_normal_
