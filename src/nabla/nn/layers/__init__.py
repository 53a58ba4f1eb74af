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
from nabla.nn.layers.conv import Conv2d
from nabla.nn.layers.dropout import Dropout
from nabla.nn.layers.linear import Identity, Linear
from nabla.nn.layers.normalization import BatchNorm1d, BatchNorm2d
from nabla.nn.layers.pooling import AvgPool2d, MaxPool2d
from nabla.nn.layers.shape import Flatten, Unflatten

__all__ = [
    "ELU",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "Dropout",
    "Flatten",
    "Identity",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MaxPool2d",
    "Maxout",
    "PReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
    "Unflatten",
]
