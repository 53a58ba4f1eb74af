"""The layers of ``nabla.nn``, one family per module."""

from nabla.nn.layers.activation import (
    ELU,
    LeakyReLU,
    LogSoftmax,
    Maxout,
    PReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
)
from nabla.nn.layers.activation_extra import (
    CELU,
    GELU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    Mish,
    ReLU6,
    SiLU,
    Softmin,
    Softsign,
)
from nabla.nn.layers.conv import Conv2d
from nabla.nn.layers.dropout import Dropout
from nabla.nn.layers.linear import Identity, Linear
from nabla.nn.layers.normalization import BatchNorm1d, BatchNorm2d
from nabla.nn.layers.pooling import AvgPool2d, MaxPool2d
from nabla.nn.layers.resample import (
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    CircularPad2d,
    ConstantPad2d,
    ConvTranspose2d,
    ReflectionPad2d,
    ReplicationPad2d,
    Upsample,
    ZeroPad2d,
)
from nabla.nn.layers.shape import Flatten, Unflatten

__all__ = [
    "CELU",
    "ELU",
    "GELU",
    "SELU",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "CircularPad2d",
    "ConstantPad2d",
    "Conv2d",
    "ConvTranspose2d",
    "Dropout",
    "Flatten",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "Identity",
    "LeakyReLU",
    "Linear",
    "LogSigmoid",
    "LogSoftmax",
    "MaxPool2d",
    "Maxout",
    "Mish",
    "PReLU",
    "ReLU",
    "ReLU6",
    "ReflectionPad2d",
    "ReplicationPad2d",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softmin",
    "Softplus",
    "Softsign",
    "Tanh",
    "Unflatten",
    "Upsample",
    "ZeroPad2d",
]
