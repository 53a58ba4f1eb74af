"""Networks with PyTorch's names: ``Module``, ``Parameter``, containers, layers, losses,
``init`` and ``functional`` (import it as ``F``), and the lecture's models (``models``).

>>> import numpy as np, nabla
>>> from nabla import nn
>>> import nabla.nn.functional as F
>>> net = nn.Sequential(nn.Linear(4, 8, rng=0), nn.ReLU(), nn.Linear(8, 3, rng=1))
>>> x = nabla.tensor(np.ones((2, 4), dtype=np.float32))
>>> loss = F.cross_entropy(net(x), np.array([0, 2]))
>>> loss.backward()
>>> net[0].weight.grad.shape
(8, 4)
"""

from nabla.nn import functional, init
from nabla.nn._receptive_field import (
    LayerGeometry,
    layer_geometry,
    output_size,
    receptive_field,
)
from nabla.nn.container import ModuleDict, ModuleList, Sequential
from nabla.nn.functional import conv_output_size
from nabla.nn.layers import (
    CELU,
    ELU,
    GELU,
    SELU,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    CircularPad2d,
    ConstantPad2d,
    Conv2d,
    ConvTranspose2d,
    Dropout,
    Flatten,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    Identity,
    LeakyReLU,
    Linear,
    LogSigmoid,
    LogSoftmax,
    Maxout,
    MaxPool2d,
    Mish,
    PReLU,
    ReflectionPad2d,
    ReLU,
    ReLU6,
    ReplicationPad2d,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softsign,
    Tanh,
    Unflatten,
    Upsample,
    ZeroPad2d,
)
from nabla.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from nabla.nn.module import IncompatibleKeys, Module, RemovableHandle
from nabla.nn.parameter import Parameter
from nabla.nn.summary import ModelSummary, summary

__all__ = [
    "CELU",
    "ELU",
    "GELU",
    "SELU",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "CircularPad2d",
    "ConstantPad2d",
    "Conv2d",
    "ConvTranspose2d",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "Identity",
    "IncompatibleKeys",
    "L1Loss",
    "LayerGeometry",
    "LeakyReLU",
    "Linear",
    "LogSigmoid",
    "LogSoftmax",
    "MSELoss",
    "MaxPool2d",
    "Maxout",
    "Mish",
    "ModelSummary",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "PReLU",
    "Parameter",
    "ReLU",
    "ReLU6",
    "ReflectionPad2d",
    "RemovableHandle",
    "ReplicationPad2d",
    "Sequential",
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
    "conv_output_size",
    "functional",
    "init",
    "layer_geometry",
    "models",
    "output_size",
    "receptive_field",
    "summary",
]


def __getattr__(name: str) -> object:
    # the model zoo is loaded on first use
    if name == "models":
        import importlib

        return importlib.import_module("nabla.nn.models")
    raise AttributeError(f"module 'nabla.nn' has no attribute {name!r}")
