"""The reusable scratch arrays of the convolution and pooling ops are never handed out while
anything (an output, a saved tensor, a .grad, a view) still refers to them."""

from __future__ import annotations

import numpy as np

import nabla
import nabla.nn.functional as F
from nabla import nn
from nabla.autograd.ops import conv as ops_nn


def _x(seed: int, shape=(8, 3, 16, 16), grad: bool = False) -> nabla.Tensor:
    data = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return nabla.tensor(data, requires_grad=grad)


def test_outputs_kept_by_the_user_are_not_overwritten() -> None:
    conv, pool = nn.Conv2d(3, 8, 3, padding=1, rng=0), nn.MaxPool2d(2)
    with nabla.no_grad():
        outs = [pool(conv(_x(i))) for i in range(4)]
        copies = [o.numpy().copy() for o in outs]
        for i in range(4, 8):  # more calls of the same shapes
            pool(conv(_x(i)))
    for o, c in zip(outs, copies):
        np.testing.assert_array_equal(o.numpy(), c)
    assert len({id(o.data) for o in outs}) == 4


def test_gradients_kept_by_the_user_are_not_overwritten() -> None:
    net = nn.Sequential(nn.Conv2d(3, 4, 3, rng=0), nn.ReLU(), nn.MaxPool2d(2))
    grads = []
    for i in range(3):
        x = _x(i, grad=True)
        net(x).sum().backward()
        grads.append((x.grad, x.grad.copy(), net[0].weight.grad.copy()))
        net.zero_grad()
    for g, c, _ in grads:
        np.testing.assert_array_equal(g, c)
    # and the results equal a fresh computation without any reuse
    ops_nn.clear_workspace()
    x = _x(2, grad=True)
    net(x).sum().backward()
    np.testing.assert_array_equal(x.grad, grads[2][1])
    np.testing.assert_array_equal(net[0].weight.grad, grads[2][2])


def test_saved_tensors_survive_other_forwards_before_backward() -> None:
    conv = nn.Conv2d(3, 4, 3, rng=0)
    x1, x2 = _x(1, grad=True), _x(2, grad=True)
    y1 = conv(x1)
    y2 = conv(x2)  # same shapes: must not reuse y1's saved columns
    y1.sum().backward()
    g1 = conv.weight.grad.copy()
    conv.zero_grad()
    y2.sum().backward()
    conv.zero_grad()
    ops_nn.clear_workspace()
    F.conv2d(x1, conv.weight, conv.bias).sum().backward()
    np.testing.assert_allclose(conv.weight.grad, g1, rtol=1e-6)


def test_small_arrays_are_not_pooled() -> None:
    a = ops_nn.workspace((4, 4), np.float32)
    b = ops_nn.workspace((4, 4), np.float32)
    assert a is not b
    big = ops_nn.workspace((256, 256), np.float32)
    del big
    again = ops_nn.workspace((256, 256), np.float32)
    held = ops_nn.workspace((256, 256), np.float32)
    assert again is not held  # a referenced buffer is never handed out twice
