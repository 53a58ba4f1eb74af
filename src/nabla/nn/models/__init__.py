"""The lecture's networks, with torchvision's builder names where torchvision has them.

* fully connected: ``MLP``, ``Autoencoder`` (the notes on deep learning);
* convolutional: ``LeNet5``, ``alexnet``, ``zfnet``, ``vgg11``, ``vgg16`` (and ``vgg`` for
  any configuration), the residual ``resnet18``, ``resnet34`` and the CIFAR ``resnet20``
  (the notes on CNNs; the bootstrap lecture on ResNets);
* the logic-gate networks of the notes on neural networks (AND, OR, NOT, XOR).

A builder called with no arguments gives the published network (ImageNet-sized, as
torchvision's builders do); smaller variants come from its arguments (``input_size``,
``width``, ``channels``, ``hidden``). Every model takes ``rng`` (a seed or a Generator) for
its initial weights and ``dtype``. Parameter names follow PyTorch's conventions
(``features`` / ``classifier`` for AlexNet, ZF Net and VGG, torchvision's names for the
ResNets, '0', '1', ... inside ``Sequential``). ``nn.receptive_field`` and
``nn.output_size`` give the geometry of any of them.
"""

from nabla.nn.models._convnets import ALEXNET_CHANNELS, ZFNET_CHANNELS, ConvNet, alexnet, zfnet
from nabla.nn.models._lenet import LeNet5
from nabla.nn.models._logic import LogicGate, XORNet, and_gate, not_gate, or_gate
from nabla.nn.models._mlp import MLP, Autoencoder, make_activation
from nabla.nn.models._resnet import (
    BasicBlock,
    GlobalAvgPool2d,
    ResNet,
    ZeroPadShortcut,
    resnet18,
    resnet20,
    resnet34,
)
from nabla.nn.models._vgg import VGG_CONFIGS, vgg, vgg11, vgg16

__all__ = [
    "ALEXNET_CHANNELS",
    "MLP",
    "VGG_CONFIGS",
    "ZFNET_CHANNELS",
    "Autoencoder",
    "BasicBlock",
    "ConvNet",
    "GlobalAvgPool2d",
    "LeNet5",
    "LogicGate",
    "ResNet",
    "XORNet",
    "ZeroPadShortcut",
    "alexnet",
    "and_gate",
    "make_activation",
    "not_gate",
    "or_gate",
    "resnet18",
    "resnet20",
    "resnet34",
    "vgg",
    "vgg11",
    "vgg16",
    "zfnet",
]
