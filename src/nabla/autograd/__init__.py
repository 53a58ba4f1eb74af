"""Reverse-mode automatic differentiation on NumPy arrays (the notes' backpropagation).

``Tensor`` wraps an array; every op on tensors that require gradients records a ``Function``
node; ``Tensor.backward()`` runs the chain rule back through the recorded graph.
"""

from nabla.autograd.creation import full, ones, randn, zeros
from nabla.autograd.engine import Function, detect_anomaly, enable_grad, is_grad_enabled, no_grad
from nabla.autograd.gradcheck import GradcheckError, gradcheck
from nabla.autograd.ops.activation import relu, sigmoid, softplus, tanh
from nabla.autograd.ops.composite import log_softmax, logsumexp, softmax
from nabla.autograd.ops.elementwise import (
    abs,
    add,
    clip,
    div,
    exp,
    log,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    sqrt,
    sub,
    where,
)
from nabla.autograd.ops.linalg import matmul
from nabla.autograd.ops.reduction import max, mean, min, sum, var
from nabla.autograd.ops.shape import (
    broadcast_to,
    concatenate,
    getitem,
    pad,
    reshape,
    stack,
    transpose,
)
from nabla.autograd.tensor import Tensor, apply, as_tensor, tensor

__all__ = [
    "Function",
    "GradcheckError",
    "Tensor",
    "abs",
    "add",
    "apply",
    "as_tensor",
    "broadcast_to",
    "clip",
    "concatenate",
    "detect_anomaly",
    "div",
    "enable_grad",
    "exp",
    "full",
    "getitem",
    "gradcheck",
    "is_grad_enabled",
    "log",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mul",
    "neg",
    "no_grad",
    "ones",
    "pad",
    "pow",
    "randn",
    "relu",
    "reshape",
    "sigmoid",
    "softmax",
    "softplus",
    "sqrt",
    "stack",
    "sub",
    "sum",
    "tanh",
    "tensor",
    "transpose",
    "var",
    "where",
    "zeros",
]
