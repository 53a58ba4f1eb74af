"""PyTorch's beginner tutorials that need no download, and the notes' PyTorch tutorial, run on
nabla as a PyTorch user would: each program below is the tutorial's code as written, and the
only change made to run it on nabla is its import lines (``import torch`` becomes
``import nabla as torch``, ``import torch.nn as nn`` becomes ``import nabla.nn as nn``, ...).
The training loops run fewer iterations than the tutorials' (the one other edit, marked in
each); the comments are trimmed.

Each program runs under nabla and, where its results are deterministic, under PyTorch too,
and the results are compared. Where a tutorial starts from random numbers, nabla's seeded
run is compared with the same algorithm written in NumPy (float64) from the same start, or
with PyTorch started from nabla's initial values.
"""

# ruff: noqa: E501  (the tutorials' code keeps its own long lines)
from __future__ import annotations

import math
import random
import re

import numpy as np
import pytest

import nabla

torch = pytest.importorskip("torch", reason="the tutorials are compared with PyTorch")

NABLA_IMPORTS = {
    "import torch": "import nabla as torch",
    "import torch.nn as nn": "import nabla.nn as nn",
    "import torch.nn.functional as F": "import nabla.nn.functional as F",
    "import torch.optim as optim": "import nabla.optim as optim",
}


def on_nabla(source: str) -> str:
    """The tutorial with its import lines swapped, and nothing else changed."""
    lines = source.splitlines()
    swapped = [NABLA_IMPORTS.get(line, line) for line in lines]
    changed = [old for old, new in zip(lines, swapped) if old != new]
    assert changed and all(old.startswith("import torch") for old in changed)
    return "\n".join(swapped)


def run(source: str, lib: str) -> dict:
    """Execute the tutorial as a script with PyTorch (lib="torch") or nabla; its globals."""
    code = source if lib == "torch" else on_nabla(source)
    namespace: dict = {"__name__": "__main__"}
    exec(compile(code, f"<tutorial on {lib}>", "exec"), namespace)
    return namespace


def printed_losses(out: str) -> list[float]:
    """The losses a tutorial prints as "<iteration> <loss>" lines."""
    return [float(v) for v in re.findall(r"^\d+ ([-+.\deE]+)$", out, re.M)]


# ---- "Tensors" (Learn the Basics; the 60-minute blitz has the same code) ----------------
TENSORS = """\
import torch
import numpy as np

data = [[1, 2],[3, 4]]
x_data = torch.tensor(data)

np_array = np.array(data)
x_np = torch.from_numpy(np_array)

x_ones = torch.ones_like(x_data) # retains the properties of x_data
print(f"Ones Tensor: \\n {x_ones} \\n")

x_rand = torch.rand_like(x_data, dtype=torch.float) # overrides the datatype of x_data
print(f"Random Tensor: \\n {x_rand} \\n")

shape = (2,3,)
rand_tensor = torch.rand(shape)
ones_tensor = torch.ones(shape)
zeros_tensor = torch.zeros(shape)

print(f"Random Tensor: \\n {rand_tensor} \\n")
print(f"Ones Tensor: \\n {ones_tensor} \\n")
print(f"Zeros Tensor: \\n {zeros_tensor}")

tensor = torch.rand(3,4)

print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")

# We move our tensor to the current accelerator if available
if torch.accelerator.is_available():
    tensor = tensor.to(torch.accelerator.current_accelerator())

tensor = torch.ones(4, 4)
print(f"First row: {tensor[0]}")
print(f"First column: {tensor[:, 0]}")
print(f"Last column: {tensor[..., -1]}")
tensor[:,1] = 0
print(tensor)

t1 = torch.cat([tensor, tensor, tensor], dim=1)
print(t1)

# This computes the matrix multiplication between two tensors. y1, y2, y3 will have the same value
# ``tensor.T`` returns the transpose of a tensor
y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)

y3 = torch.rand_like(y1)
torch.matmul(tensor, tensor.T, out=y3)


# This computes the element-wise product. z1, z2, z3 will have the same value
z1 = tensor * tensor
z2 = tensor.mul(tensor)

z3 = torch.rand_like(tensor)
torch.mul(tensor, tensor, out=z3)

agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))

print(f"{tensor} \\n")
tensor.add_(5)
print(tensor)

t = torch.ones(5)
print(f"t: {t}")
n = t.numpy()
print(f"n: {n}")

t.add_(1)
print(f"t: {t}")
print(f"n: {n}")

n = np.ones(5)
t = torch.from_numpy(n)

np.add(n, 1, out=n)
print(f"t: {t}")
print(f"n: {n}")
"""


def test_tensors_tutorial_like_torch() -> None:
    ours, theirs = run(TENSORS, "nabla"), run(TENSORS, "torch")
    for name in ("x_data", "x_np", "x_ones", "ones_tensor", "zeros_tensor", "tensor", "t1"):
        assert ours[name].shape == tuple(theirs[name].shape)
        assert ours[name].dtype.name == str(theirs[name].dtype).removeprefix("torch.")
        np.testing.assert_array_equal(ours[name].numpy(), theirs[name].numpy())
    for name in ("y1", "y2", "y3", "z1", "z2", "z3"):
        np.testing.assert_array_equal(ours[name].numpy(), theirs[name].numpy())
    for name in ("x_rand", "rand_tensor"):
        assert ours[name].shape == tuple(theirs[name].shape) and ours[name].dtype == np.float32
    assert ours["agg_item"] == theirs["agg_item"] == 12.0 and type(ours["agg_item"]) is float
    np.testing.assert_array_equal(ours["n"], theirs["n"])  # the NumPy bridge shares memory
    np.testing.assert_array_equal(ours["t"].numpy(), theirs["t"].numpy())
    assert ours["t"].dtype == np.float64


# ---- "Automatic Differentiation with torch.autograd" (Learn the Basics) ------------------
AUTOGRAD = """\
import torch

x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w)+b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

print(f"Gradient function for z = {z.grad_fn}")
print(f"Gradient function for loss = {loss.grad_fn}")

loss.backward()
print(w.grad)
print(b.grad)

z = torch.matmul(x, w)+b
print(z.requires_grad)

with torch.no_grad():
    z = torch.matmul(x, w)+b
print(z.requires_grad)

z = torch.matmul(x, w)+b
z_det = z.detach()
print(z_det.requires_grad)

inp = torch.eye(4, 5, requires_grad=True)
out = (inp+1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\\nSecond call\\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\\nCall after zeroing gradients\\n{inp.grad}")
"""


def test_autograd_tutorial_like_torch(capsys) -> None:
    ours, theirs = run(AUTOGRAD, "nabla"), run(AUTOGRAD, "torch")
    out = capsys.readouterr().out
    np.testing.assert_array_equal(ours["inp"].grad, theirs["inp"].grad.numpy())
    assert "Gradient function for loss = <" in out
    assert [ours[k].requires_grad for k in ("z", "z_det")] == [True, False]
    # the gradient of the tutorial's loss at nabla's random w and b, computed by PyTorch
    tw = torch.tensor(ours["w"].numpy(), requires_grad=True)
    tb = torch.tensor(ours["b"].numpy(), requires_grad=True)
    tloss = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.matmul(torch.ones(5), tw) + tb, torch.zeros(3)
    )
    tloss.backward()
    np.testing.assert_allclose(ours["w"].grad, tw.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(ours["b"].grad, tb.grad.numpy(), rtol=1e-5)


# ---- "A Gentle Introduction to torch.autograd" (60-minute blitz), the parts that need no
# download (the rest fine-tunes a pretrained ResNet from torchvision) ----------------------
BLITZ_AUTOGRAD = """\
import torch

a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)

Q = 3*a**3 - b**2

external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad)

# check if collected gradients are correct
print(9*a**2 == a.grad)
print(-2*b == b.grad)

x = torch.rand(5, 5)
y = torch.rand(5, 5)
z = torch.rand((5, 5), requires_grad=True)

a = x + y
print(f"Does `a` require gradients?: {a.requires_grad}")
b = x + z
print(f"Does `b` require gradients?: {b.requires_grad}")
"""


def test_blitz_autograd_tutorial_like_torch(capsys) -> None:
    ours = run(BLITZ_AUTOGRAD, "nabla")
    printed = capsys.readouterr().out.splitlines()
    theirs = run(BLITZ_AUTOGRAD, "torch")
    assert printed[0] == printed[1] == "tensor([ True,  True], dtype=bool)"
    np.testing.assert_array_equal(ours["Q"].numpy(), theirs["Q"].detach().numpy())
    assert printed[2:] == capsys.readouterr().out.splitlines()[2:]  # the requires_grad lines


# ---- "Neural Networks" (60-minute blitz) --------------------------------------------------
BLITZ_NN = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution
        # kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        # Convolution layer C1: 1 input image channel, 6 output channels,
        # 5x5 square convolution, it uses RELU activation function, and
        # outputs a Tensor with size (N, 6, 28, 28), where N is the size of the batch
        c1 = F.relu(self.conv1(input))
        # Subsampling layer S2: 2x2 grid, purely functional,
        # this layer does not have any parameter, and outputs a (N, 6, 14, 14) Tensor
        s2 = F.max_pool2d(c1, (2, 2))
        # Convolution layer C3: 6 input channels, 16 output channels,
        # 5x5 square convolution, it uses RELU activation function, and
        # outputs a (N, 16, 10, 10) Tensor
        c3 = F.relu(self.conv2(s2))
        # Subsampling layer S4: 2x2 grid, purely functional,
        # this layer does not have any parameter, and outputs a (N, 16, 5, 5) Tensor
        s4 = F.max_pool2d(c3, 2)
        # Flatten operation: purely functional, outputs a (N, 400) Tensor
        s4 = torch.flatten(s4, 1)
        # Fully connected layer F5: (N, 400) Tensor input,
        # and outputs a (N, 120) Tensor, it uses RELU activation function
        f5 = F.relu(self.fc1(s4))
        # Fully connected layer F6: (N, 120) Tensor input,
        # and outputs a (N, 84) Tensor, it uses RELU activation function
        f6 = F.relu(self.fc2(f5))
        # Gaussian layer OUTPUT: (N, 84) Tensor input, and
        # outputs a (N, 10) Tensor
        output = self.fc3(f6)
        return output


net = Net()
print(net)

params = list(net.parameters())
print(len(params))
print(params[0].size())  # conv1's .weight

input = torch.randn(1, 1, 32, 32)
out = net(input)
print(out)

net.zero_grad()
out.backward(torch.randn(1, 10))

output = net(input)
target = torch.randn(10)  # a dummy target, for example
target = target.view(1, -1)  # make it the same shape as output
criterion = nn.MSELoss()

loss = criterion(output, target)
print(loss)

print(loss.grad_fn)  # MSELoss
print(loss.grad_fn.next_functions[0][0])  # Linear
print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # ReLU

net.zero_grad()     # zeroes the gradient buffers of all parameters

print('conv1.bias.grad before backward')
print(net.conv1.bias.grad)

loss.backward()

print('conv1.bias.grad after backward')
print(net.conv1.bias.grad)

import torch.optim as optim

# create your optimizer
optimizer = optim.SGD(net.parameters(), lr=0.01)

# in your training loop:
optimizer.zero_grad()   # zero the gradient buffers
output = net(input)
loss = criterion(output, target)
loss.backward()
optimizer.step()    # Does the update
"""


def same_network(ours: dict, theirs: dict) -> None:
    """The tutorial's network on both libraries, with PyTorch's weights copied into nabla's:
    the same outputs, the same loss, the same gradients, and the same SGD step."""
    net, tnet = ours["net"], theirs["net"]
    params, tparams = list(net.parameters()), list(tnet.parameters())
    assert len(params) == len(tparams) == 10
    assert params[0].size() == tuple(tparams[0].size())
    for p, tp in zip(params, tparams):
        assert p.size() == tuple(tp.size())
        p.data = tp.detach().numpy().copy()
    x = np.random.default_rng(0).normal(size=(2, 1, 32, 32)).astype(np.float32)
    target = np.random.default_rng(1).normal(size=(2, 10)).astype(np.float32)
    out, tout = net(nabla.tensor(x)), tnet(torch.tensor(x))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-4, atol=1e-6)
    loss = ours["criterion"](out, nabla.tensor(target))
    tloss = theirs["criterion"](tout, torch.tensor(target))
    net.zero_grad()
    tnet.zero_grad()
    loss.backward()
    tloss.backward()
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-3, atol=1e-6)
    ours["optim"].SGD(net.parameters(), lr=0.01).step()
    theirs["optim"].SGD(tnet.parameters(), lr=0.01).step()
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-4, atol=1e-6)


def test_blitz_neural_network_tutorial_like_torch(capsys) -> None:
    nabla.manual_seed(0)
    ours = run(BLITZ_NN, "nabla")
    out = capsys.readouterr().out
    assert "nabla.Size([6, 1, 5, 5])" in out and "\n10\n" in out
    assert "conv1.bias.grad before backward\nNone\n" in out  # zero_grad sets None, as torch
    assert ours["out"].shape == (1, 10) and ours["net"].conv1.bias.grad.shape == (6,)
    same_network(ours, run(BLITZ_NN, "torch"))


# ---- the notes' PyTorch tutorial: the blitz's network as the notes show it (3x3
# convolutions, x.view(-1, self.num_flat_features(x)), x.size()), and its driver code ----
NOTES_NET = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # 1 input image channel, 6 output channels, 3x3 square convolution
        # kernel
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 6 * 6, 120)  # 6*6 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        # Max pooling over a (2, 2) window
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        # If the size is a square you can only specify a single number
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

    def num_flat_features(self, x):
        size = x.size()[1:]  # all dimensions except the batch dimension
        num_features = 1
        for s in size:
            num_features *= s
        return num_features


net = Net()
print(net)

params = list(net.parameters())
print(len(params))
print(params[0].size())  # conv1's .weight

input = torch.randn(1, 1, 32, 32)
out = net(input)
print(out)

net.zero_grad()
out.backward(torch.randn(1, 10))

output = net(input)
target = torch.randn(10)  # a dummy target, for example
target = target.view(1, -1)  # make it the same shape as output
criterion = nn.MSELoss()

loss = criterion(output, target)
print(loss)

import torch.optim as optim

# create your optimizer
optimizer = optim.SGD(net.parameters(), lr=0.01)

# in your training loop:
optimizer.zero_grad()   # zero the gradient buffers
output = net(input)
loss = criterion(output, target)
loss.backward()
optimizer.step()    # Does the update
"""


def test_notes_pytorch_tutorial_like_torch(capsys) -> None:
    nabla.manual_seed(0)
    ours = run(NOTES_NET, "nabla")
    out = capsys.readouterr().out
    assert "nabla.Size([6, 1, 3, 3])" in out
    assert ours["net"].num_flat_features(nabla.zeros(1, 16, 6, 6)) == 576
    before = ours["loss"].item()
    with nabla.no_grad():
        after = ours["criterion"](ours["net"](ours["input"]), ours["target"]).item()
    assert after < before  # the optimiser's step lowered the loss
    same_network(ours, run(NOTES_NET, "torch"))


# ---- "Learning PyTorch with Examples": polynomial fitting -------------------------------
POLY_TENSOR = """\
import torch
import math


dtype = torch.float
device = torch.device("cpu")
# device = torch.device("cuda:0") # Uncomment this to run on GPU

# Create random input and output data
x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

# Randomly initialize weights
a = torch.randn((), device=device, dtype=dtype)
b = torch.randn((), device=device, dtype=dtype)
c = torch.randn((), device=device, dtype=dtype)
d = torch.randn((), device=device, dtype=dtype)

learning_rate = 1e-6
for t in range(300):  # the tutorial: 2000
    # Forward pass: compute predicted y
    y_pred = a + b * x + c * x ** 2 + d * x ** 3

    # Compute and print loss
    loss = (y_pred - y).pow(2).sum().item()
    if t % 100 == 99:
        print(t, loss)

    # Backprop to compute gradients of a, b, c, d with respect to loss
    grad_y_pred = 2.0 * (y_pred - y)
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x).sum()
    grad_c = (grad_y_pred * x ** 2).sum()
    grad_d = (grad_y_pred * x ** 3).sum()

    # Update weights using gradient descent
    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d


print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
"""

POLY_AUTOGRAD = """\
import torch
import math

dtype = torch.float
device = "cuda" if torch.cuda.is_available() else "cpu"
torch.set_default_device(device)

# Create Tensors to hold input and outputs.
# By default, requires_grad=False, which indicates that we do not need to
# compute gradients with respect to these Tensors during the backward pass.
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)

# Create random Tensors for weights. For a third order polynomial, we need
# 4 weights: y = a + b x + c x^2 + d x^3
# Setting requires_grad=True indicates that we want to compute gradients with
# respect to these Tensors during the backward pass.
a = torch.randn((), dtype=dtype, requires_grad=True)
b = torch.randn((), dtype=dtype, requires_grad=True)
c = torch.randn((), dtype=dtype, requires_grad=True)
d = torch.randn((), dtype=dtype, requires_grad=True)

learning_rate = 1e-6
for t in range(300):  # the tutorial: 2000
    # Forward pass: compute predicted y using operations on Tensors.
    y_pred = a + b * x + c * x ** 2 + d * x ** 3

    # Compute and print loss using operations on Tensors.
    # Now loss is a Tensor of shape (1,)
    # loss.item() gets the scalar value held in the loss.
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())

    # Use autograd to compute the backward pass. This call will compute the
    # gradient of loss with respect to all Tensors with requires_grad=True.
    # After this call a.grad, b.grad. c.grad and d.grad will be Tensors holding
    # the gradient of the loss with respect to a, b, c, d respectively.
    loss.backward()

    # Manually update weights using gradient descent. Wrap in torch.no_grad()
    # because weights have requires_grad=True, but we don't need to track this
    # in autograd.
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        # Manually zero the gradients after updating weights
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
"""


def numpy_polynomial_descent(coef: np.ndarray, steps: int, lr: float) -> np.ndarray:
    """The tutorials' gradient descent on sum((a + b x + c x^2 + d x^3 - sin x)^2), float64."""
    x = np.linspace(-math.pi, math.pi, 2000)
    powers = np.stack([x**0, x, x**2, x**3])
    coef = coef.astype(np.float64)
    for _ in range(steps):
        residual = coef @ powers - np.sin(x)
        coef = coef - lr * (2 * residual) @ powers.T
    return coef


@pytest.mark.parametrize("source", [POLY_TENSOR, POLY_AUTOGRAD], ids=["tensors", "autograd"])
def test_polynomial_tutorials_match_numpy_from_the_same_start(source, capsys) -> None:
    nabla.manual_seed(0)
    start = np.array([nabla.randn(()).item() for _ in range(4)])
    nabla.manual_seed(0)
    ours = run(source, "nabla")
    losses = printed_losses(capsys.readouterr().out)
    assert len(losses) == 3 and losses[0] > losses[1] > losses[2]
    fitted = np.array([ours[k].item() for k in "abcd"])
    np.testing.assert_allclose(fitted, numpy_polynomial_descent(start, 300, 1e-6), rtol=1e-3)
    run(source, "torch")
    assert len(printed_losses(capsys.readouterr().out)) == 3  # the same program on PyTorch


POLY_CUSTOM_FUNCTION = """\
import torch
import math


class LegendrePolynomial3(torch.autograd.Function):
    \"\"\"
    We can implement our own custom autograd Functions by subclassing
    torch.autograd.Function and implementing the forward and backward passes
    which operate on Tensors.
    \"\"\"

    @staticmethod
    def forward(ctx, input):
        \"\"\"
        In the forward pass we receive a Tensor containing the input and return
        a Tensor containing the output. ctx is a context object that can be used
        to stash information for backward computation. You can cache arbitrary
        objects for use in the backward pass using the ctx.save_for_backward method.
        \"\"\"
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        \"\"\"
        In the backward pass we receive a Tensor containing the gradient of the loss
        with respect to the output, and we need to compute the gradient of the loss
        with respect to the input.
        \"\"\"
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


dtype = torch.float
device = torch.device("cpu")
# device = torch.device("cuda:0")  # Uncomment this to run on GPU

# Create Tensors to hold input and outputs.
# By default, requires_grad=False, which indicates that we do not need to
# compute gradients with respect to these Tensors during the backward pass.
x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

# Create random Tensors for weights. For this example, we need
# 4 weights: y = a + b * P3(c + d * x), these weights need to be initialized
# not too far from the correct result to ensure convergence.
# Setting requires_grad=True indicates that we want to compute gradients with
# respect to these Tensors during the backward pass.
a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)

learning_rate = 5e-6
for t in range(300):  # the tutorial: 2000
    # To apply our Function, we use Function.apply method. We alias this as 'P3'.
    P3 = LegendrePolynomial3.apply

    # Forward pass: compute predicted y using operations; we compute
    # P3 using our custom autograd operation.
    y_pred = a + b * P3(c + d * x)

    # Compute and print loss
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())

    # Use autograd to compute the backward pass.
    loss.backward()

    # Update weights using gradient descent
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        # Manually zero the gradients after updating weights
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f'Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)')
"""


def test_custom_function_tutorial_like_torch(capsys) -> None:
    """Deterministic from start to end: nabla's fit equals PyTorch's (float32 rounding)."""
    ours = run(POLY_CUSTOM_FUNCTION, "nabla")
    our_losses = printed_losses(capsys.readouterr().out)
    theirs = run(POLY_CUSTOM_FUNCTION, "torch")
    their_losses = printed_losses(capsys.readouterr().out)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-4)
    assert our_losses[0] > our_losses[-1]
    for k in "abcd":
        np.testing.assert_allclose(ours[k].item(), theirs[k].item(), rtol=1e-3, atol=1e-6)


POLY_NN = """\
import torch
import math


# Create Tensors to hold input and outputs.
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# For this example, the output y is a linear function of (x, x^2, x^3), so
# we can consider it as a linear layer neural network. Let's prepare the
# tensor (x, x^2, x^3).
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

# In the above code, x.unsqueeze(-1) has shape (2000, 1), and p has shape
# (3,), for this case, broadcasting semantics will apply to obtain a tensor
# of shape (2000, 3)

# Use the nn package to define our model as a sequence of layers. nn.Sequential
# is a Module which contains other Modules, and applies them in sequence to
# produce its output. The Linear Module computes output from input using a
# linear function, and holds internal Tensors for its weight and bias.
# The Flatten layer flatens the output of the linear layer to a 1D tensor,
# to match the shape of `y`.
model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1)
)

# The nn package also contains definitions of popular loss functions; in this
# case we will use Mean Squared Error (MSE) as our loss function.
loss_fn = torch.nn.MSELoss(reduction='sum')

learning_rate = 1e-6
for t in range(300):  # the tutorial: 2000

    # Forward pass: compute predicted y by passing x to the model. Module objects
    # override the __call__ operator so you can call them like functions. When
    # doing so you pass a Tensor of input data to the Module and it produces
    # a Tensor of output data.
    y_pred = model(xx)

    # Compute and print loss. We pass Tensors containing the predicted and true
    # values of y, and the loss function returns a Tensor containing the
    # loss.
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())

    # Zero the gradients before running the backward pass.
    model.zero_grad()

    # Backward pass: compute gradient of the loss with respect to all the learnable
    # parameters of the model. Internally, the parameters of each Module are stored
    # in Tensors with requires_grad=True, so this call will compute gradients for
    # all learnable parameters in the model.
    loss.backward()

    # Update the weights using gradient descent. Each parameter is a Tensor, so
    # we can access its gradients like we did before.
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

# You can access the first layer of `model` like accessing the first item of a list
linear_layer = model[0]

# For linear layer, its output is a linear function of the input, i.e.
# y = linear_layer.weight[:, 0] * x + linear_layer.bias
print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + {linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
"""


def test_nn_tutorial_matches_numpy_from_the_same_start(capsys) -> None:
    nabla.manual_seed(1)
    first = nabla.nn.Linear(3, 1)  # the draws the tutorial's model makes after this seed
    start = np.concatenate([first.bias.numpy(), first.weight.numpy()[0]])
    nabla.manual_seed(1)
    ours = run(POLY_NN, "nabla")
    losses = printed_losses(capsys.readouterr().out)
    assert len(losses) == 3 and losses[0] > losses[1] > losses[2]
    assert ours["xx"].dtype == np.float32 and ours["xx"].shape == (2000, 3)
    layer = ours["linear_layer"]
    fitted = np.concatenate([layer.bias.numpy(), layer.weight.numpy()[0]])
    np.testing.assert_allclose(fitted, numpy_polynomial_descent(start, 300, 1e-6), rtol=1e-3)
    theirs = run(POLY_NN, "torch")
    np.testing.assert_allclose(ours["xx"].numpy(), theirs["xx"].numpy(), rtol=1e-6, atol=1e-6)


POLY_OPTIM = """\
import torch
import math


# Create Tensors to hold input and outputs.
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# Prepare the input tensor (x, x^2, x^3).
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

# Use the nn package to define our model and loss function.
model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1)
)
loss_fn = torch.nn.MSELoss(reduction='sum')

# Use the optim package to define an Optimizer that will update the weights of
# the model for us. Here we will use RMSprop; the optim package contains many other
# optimization algorithms. The first argument to the RMSprop constructor tells the
# optimizer which Tensors it should update.
learning_rate = 1e-3
optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
for t in range(300):  # the tutorial: 2000
    # Forward pass: compute predicted y by passing x to the model.
    y_pred = model(xx)

    # Compute and print loss.
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())

    # Before the backward pass, use the optimizer object to zero all of the
    # gradients for the variables it will update (which are the learnable
    # weights of the model). This is because by default, gradients are
    # accumulated in buffers( i.e, not overwritten) whenever .backward()
    # is called. Checkout docs of torch.autograd.backward for more details.
    optimizer.zero_grad()

    # Backward pass: compute gradient of the loss with respect to model
    # parameters
    loss.backward()

    # Calling the step function on an Optimizer makes an update to its
    # parameters
    optimizer.step()


linear_layer = model[0]
print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + {linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
"""


def test_optim_tutorial_matches_torch_from_the_same_start(capsys) -> None:
    nabla.manual_seed(2)
    first = nabla.nn.Linear(3, 1)
    nabla.manual_seed(2)
    ours = run(POLY_OPTIM, "nabla")
    losses = printed_losses(capsys.readouterr().out)
    assert len(losses) == 3 and losses[0] > losses[1] > losses[2]
    # PyTorch's RMSprop from nabla's initial weights, on PyTorch's own x, y and xx
    theirs = run(POLY_OPTIM, "torch")
    layer = torch.nn.Linear(3, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(first.weight.numpy()))
        layer.bias.copy_(torch.from_numpy(first.bias.numpy()))
    optimizer = torch.optim.RMSprop(layer.parameters(), lr=1e-3)
    for _ in range(300):
        loss = torch.nn.MSELoss(reduction="sum")(layer(theirs["xx"]).flatten(0, 1), theirs["y"])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    ours_layer = ours["linear_layer"]
    np.testing.assert_allclose(ours_layer.weight.numpy(), layer.weight.detach().numpy(), atol=2e-4)
    np.testing.assert_allclose(ours_layer.bias.numpy(), layer.bias.detach().numpy(), atol=2e-4)


POLY_MODULE = """\
import torch
import math


class Polynomial3(torch.nn.Module):
    def __init__(self):
        \"\"\"
        In the constructor we instantiate four parameters and assign them as
        member parameters.
        \"\"\"
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        \"\"\"
        In the forward function we accept a Tensor of input data and we must return
        a Tensor of output data. We can use Modules defined in the constructor as
        well as arbitrary operators on Tensors.
        \"\"\"
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        \"\"\"
        Just like any class in Python, you can also define custom method on PyTorch modules
        \"\"\"
        return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3'


# Create Tensors to hold input and outputs.
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# Construct our model by instantiating the class defined above
model = Polynomial3()

# Construct our loss function and an Optimizer. The call to model.parameters()
# in the SGD constructor will contain the learnable parameters (defined
# with torch.nn.Parameter) which are members of the model.
criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
for t in range(300):  # the tutorial: 2000
    # Forward pass: Compute predicted y by passing x to the model
    y_pred = model(x)

    # Compute and print loss
    loss = criterion(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())

    # Zero gradients, perform a backward pass, and update the weights.
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(f'Result: {model.string()}')
"""


def test_module_tutorial_matches_numpy_from_the_same_start(capsys) -> None:
    nabla.manual_seed(3)
    start = np.array([nabla.randn(()).item() for _ in range(4)])
    nabla.manual_seed(3)
    ours = run(POLY_MODULE, "nabla")
    losses = printed_losses(capsys.readouterr().out)
    assert len(losses) == 3 and losses[0] > losses[1] > losses[2]
    model = ours["model"]
    fitted = np.array([getattr(model, k).item() for k in "abcd"])
    np.testing.assert_allclose(fitted, numpy_polynomial_descent(start, 300, 1e-6), rtol=1e-3)
    assert model.string().startswith("y = ")
    run(POLY_MODULE, "torch")


DYNAMIC_NET = """\
import random
import torch
import math


class DynamicNet(torch.nn.Module):
    def __init__(self):
        \"\"\"
        In the constructor we instantiate five parameters and assign them as members.
        \"\"\"
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))
        self.e = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        \"\"\"
        For the forward pass of the model, we randomly choose either 4, 5
        and reuse the e parameter to compute the contribution of these orders.

        Since each forward pass builds a dynamic computation graph, we can use normal
        Python control-flow operators like loops or conditional statements when
        defining the forward pass of the model.

        Here we also see that it is perfectly safe to reuse the same parameter many
        times when defining a computational graph.
        \"\"\"
        y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
        for exp in range(4, random.randint(4, 6)):
            y = y + self.e * x ** exp
        return y

    def string(self):
        \"\"\"
        Just like any class in Python, you can also define custom method on PyTorch modules
        \"\"\"
        return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3 + {self.e.item()} x^4 ? + {self.e.item()} x^5 ?'


# Create Tensors to hold input and outputs.
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# Construct our model by instantiating the class defined above
model = DynamicNet()

# Construct our loss function and an Optimizer. Training this strange model with
# vanilla stochastic gradient descent is tough, so we use momentum
criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
for t in range(4000):  # the tutorial: 30000
    # Forward pass: Compute predicted y by passing x to the model
    y_pred = model(x)

    # Compute and print loss
    loss = criterion(y_pred, y)
    if t % 2000 == 1999:
        print(t, loss.item())

    # Zero gradients, perform a backward pass, and update the weights.
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(f'Result: {model.string()}')
"""


def test_dynamic_net_tutorial_trains_and_is_reproducible(capsys) -> None:
    outputs = []
    for _ in range(2):
        random.seed(4)
        nabla.manual_seed(4)
        ours = run(DYNAMIC_NET, "nabla")
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]  # seeded runs repeat exactly
    losses = printed_losses(outputs[0])
    assert len(losses) == 2 and losses[-1] < losses[0]
    assert outputs[0].splitlines()[-1] == f"Result: {ours['model'].string()}"
    assert len(list(ours["model"].parameters())) == 5
