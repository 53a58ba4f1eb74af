"""Activation primitives: relu, sigmoid, tanh, softplus.

sigmoid and softplus are computed so that no exponential of a positive number is ever taken:
they are finite, with finite gradients, at any input (±1000 included), in float32 and float64.
"""

from __future__ import annotations

from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.tensor import Tensor, apply1
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray


def stable_sigmoid(x: Array) -> Array:
    """1 / (1 + exp(-x)) without overflow: exp is only taken of -|x|."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, z) / (1 + z)


# np.maximum(x, 0) takes NumPy's slow path for a scalar operand (about 3x the time of two
# arrays); a zeros array of x's size is as fast as a plain add. np.zeros of a large size is
# calloc'd: its pages all map the kernel's one zero page until written, so the cached
# read-only zeros cost no memory and stay in cache however large x is.
_ZEROS: dict[tuple[int, Any], Array] = {}
_MAX_ZEROS = 64


def zeros_like_readonly(x: Array) -> Array:
    """A read-only array of zeros with x's shape and dtype (cached; never write to it)."""
    key = (x.size, x.dtype)
    z = _ZEROS.get(key)
    if z is None:
        if len(_ZEROS) >= _MAX_ZEROS:
            _ZEROS.clear()
        z = _ZEROS[key] = np.zeros(x.size, dtype=x.dtype)
        z.flags.writeable = False
    return z.reshape(x.shape)


class Relu(Function):
    """y = max(x, 0).  VJP: gx = g * [x > 0] (the gradient at 0 is 0, as PyTorch)."""

    def forward(self, x: Array) -> Array:
        self.y = np.maximum(x, zeros_like_readonly(x))
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        return (g * (self.y > 0),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * (self.y > 0).astype(g.dtype),)


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x)).  VJP: gx = g * y * (1 - y)."""

    def forward(self, x: Array) -> Array:
        self.y = stable_sigmoid(x)
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        y = self.y
        return (g * y * (1 - y),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * y * (1.0 - y),)


class Tanh(Function):
    """y = tanh(x).  VJP: gx = g * (1 - y^2)."""

    def forward(self, x: Array) -> Array:
        self.y = np.tanh(x)
        return self.y

    def backward(self, g: Array) -> tuple[Array]:
        # g - g y^2: three array passes, no Python-number operand (NumPy's slow path)
        gy2 = self.y * self.y
        gy2 *= g
        return (g - gy2,)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * (1.0 - y * y),)


class Softplus(Function):
    """y = log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)).  VJP: gx = g * sigmoid(x)."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    def backward(self, g: Array) -> tuple[Array]:
        return (g * stable_sigmoid(self.x),)

    def backward_graph(self, g: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        return (g * sigmoid(self.inputs[0]),)  # type: ignore[index]


def relu(x: Tensor) -> Tensor:
    return apply1(Relu(), x)


def sigmoid(x: Tensor) -> Tensor:
    return apply1(Sigmoid(), x)


def tanh(x: Tensor) -> Tensor:
    return apply1(Tanh(), x)


def softplus(x: Tensor) -> Tensor:
    return apply1(Softplus(), x)
