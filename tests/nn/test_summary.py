"""Model summaries: per-layer output shapes and parameter counts against the PyTorch twin
built layer by layer, MACs against the formula, totals from the notes, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn as tnn

import nabla
from nabla import nn
from nabla.nn import models
from nabla.nn.summary import LayerSummary, ModelSummary, num_parameters


def _torch_rows(model: tnn.Module, input_shape) -> list[tuple[str, tuple, int]]:
    """(type, output shape, parameter count) of every leaf call of a torch model."""
    rows = []

    def hook(m, args, out):
        rows.append((type(m).__name__, tuple(out.shape), sum(p.numel() for p in m.parameters())))

    handles = [m.register_forward_hook(hook) for m in model.modules() if not list(m.children())]
    with torch.no_grad():
        model.eval()(torch.zeros(input_shape))
    for h in handles:
        h.remove()
    return rows


def _nabla_rows(s: ModelSummary) -> list[tuple[str, tuple, int]]:
    return [(r.type, r.output_shape, r.num_params) for r in s.layers]


def _torch_lenet() -> tnn.Module:
    # nabla's LeNet5 for 28x28 inputs: C1 pads by 2; the ReLU module is reused four times
    return tnn.Sequential(
        tnn.Conv2d(1, 6, 5, padding=2),
        tnn.ReLU(),
        tnn.MaxPool2d(2),
        tnn.Conv2d(6, 16, 5),
        tnn.ReLU(),
        tnn.MaxPool2d(2),
        tnn.Flatten(),
        tnn.Linear(400, 120),
        tnn.ReLU(),
        tnn.Linear(120, 84),
        tnn.ReLU(),
        tnn.Linear(84, 10),
    )


def _to_torch(m) -> tnn.Module:
    """The torch twin of a nabla network made of Sequential blocks, built layer by layer
    from each nabla layer's hyper-parameters (torch then computes shapes and counts)."""
    kind = type(m).__name__
    if kind == "Sequential":
        return tnn.Sequential(*[_to_torch(c) for c in m.children()])
    if kind == "ConvNet":  # features -> Flatten -> classifier
        return tnn.Sequential(_to_torch(m.features), tnn.Flatten(), _to_torch(m.classifier))
    if kind == "Conv2d":
        return tnn.Conv2d(
            m.in_channels,
            m.out_channels,
            m.kernel_size,
            stride=m.stride,
            padding=m.padding,
            dilation=m.dilation,
            bias=m.bias is not None,
        )
    if kind == "Linear":
        return tnn.Linear(m.in_features, m.out_features, bias=m.bias is not None)
    if kind in ("MaxPool2d", "AvgPool2d"):
        return getattr(tnn, kind)(m.kernel_size, stride=m.stride, padding=m.padding)
    if kind == "BatchNorm2d":
        return tnn.BatchNorm2d(m.num_features)
    if kind == "Dropout":
        return tnn.Dropout(m.p)
    return getattr(tnn, kind)()  # ReLU, Sigmoid, Tanh, Flatten, Identity


def test_lenet5_against_torch_and_the_notes() -> None:
    s = models.LeNet5(rng=0).summary((2, 1, 28, 28))
    assert _nabla_rows(s) == _torch_rows(_torch_lenet(), (2, 1, 28, 28))
    assert s.total_params == s.trainable_params == 61_706
    assert s.output_shape == (2, 10) and s.input_shape == (2, 1, 28, 28)
    acts = [r for r in s.layers if r.name == "act"]
    assert len(acts) == 4 and [r.repeated for r in acts] == [False, True, True, True]


def test_notes_342_network_has_26_parameters() -> None:
    net = models.MLP([3, 4, 2], activation="sigmoid", rng=0)
    torch_net = tnn.Sequential(tnn.Linear(3, 4), tnn.Sigmoid(), tnn.Linear(4, 2))
    s = nn.summary(net, (5, 3))
    assert _nabla_rows(s) == _torch_rows(torch_net, (5, 3))
    assert s.total_params == net.num_parameters() == 26
    assert [r.name for r in s.layers] == ["0", "1", "2"]


@pytest.mark.parametrize(
    "build",
    [
        lambda: models.alexnet(10, input_size=32, width=4, hidden=32, rng=0),
        lambda: models.alexnet(10, input_size=67, width=2, hidden=8, rng=0),  # the 11x11 stem
        lambda: models.vgg("A", input_size=32, width=0.0625, hidden=16, rng=0),
        lambda: models.vgg("D", input_size=32, width=0.0625, hidden=16, batch_norm=True, rng=0),
    ],
)
def test_alexnet_and_vgg_against_their_torch_twins(build) -> None:
    net = build()
    size = 67 if net.features[0].kernel_size == (11, 11) else 32
    twin = _to_torch(net)
    s = net.summary((2, 3, size, size))
    assert _nabla_rows(s) == _torch_rows(twin, (2, 3, size, size))
    assert s.total_params == sum(p.numel() for p in twin.parameters())
    assert s.output_shape == (2, 10)


def test_macs_of_linear_and_conv2d_follow_the_formula() -> None:
    s = models.LeNet5(rng=0).summary((3, 1, 28, 28))
    ref = _torch_lenet()
    shapes = _torch_rows(ref, (3, 1, 28, 28))
    expected = []
    for (kind, out, _), m in zip(shapes, ref):
        if kind == "Conv2d":  # N H_out W_out C_out x C_in kh kw
            expected.append(int(np.prod(out)) * m.in_channels * m.kernel_size[0] * m.kernel_size[1])
        elif kind == "Linear":  # N x in x out
            expected.append(out[0] * m.in_features * m.out_features)
        else:
            expected.append(0)
    assert [r.macs for r in s.layers] == expected
    assert s.total_macs == sum(expected) == 3 * (117_600 + 240_000 + 48_000 + 10_080 + 840)


def test_table_and_print_fn() -> None:
    printed = []
    s = models.LeNet5(rng=0).summary((1, 1, 28, 28), print_fn=printed.append)
    assert printed == [str(s)] and repr(s) == str(s)
    text = str(s)
    assert "fc1 (Linear)" in text and "48,120" in text and "Total params: 61,706" in text
    assert "Total MACs: 416,520" in text
    assert isinstance(s.layers[0], LayerSummary)


def test_num_parameters_trainable_only_and_shared_parameters() -> None:
    a = nn.Linear(4, 4, rng=0)
    tied = nn.Sequential(a, nn.ReLU(), a)  # the same layer twice: counted once
    assert tied.num_parameters() == 20
    s = tied.summary((1, 4))
    assert [r.num_params for r in s.layers] == [20, 0, 0] and s.layers[2].repeated
    net = models.MLP([3, 4, 2], rng=0)
    net[0].requires_grad_(False)
    assert net.num_parameters() == 26 and net.num_parameters(trainable_only=True) == 10
    s = net.summary((1, 3))
    assert (s.total_params, s.trainable_params) == (26, 10)
    assert "Non-trainable params: 16" in str(s)
    assert num_parameters(net) == 26


def _snapshot(model):
    return (
        {k: v.numpy().tobytes() for k, v in model.state_dict().items()},
        [m.training for m in model.modules()],
        [(dict(m._forward_hooks), dict(m._forward_pre_hooks)) for m in model.modules()],
    )


def test_summary_leaves_the_model_as_it_was() -> None:
    net = models.vgg("A", input_size=32, width=0.0625, hidden=16, batch_norm=True, rng=0)
    net.train()
    net.classifier[0].eval()  # mixed modes must come back as they were
    before = _snapshot(net)
    net.summary((2, 3, 32, 32))  # eval mode: BatchNorm running statistics untouched
    assert _snapshot(net) == before
    with pytest.raises(ValueError):
        net.summary((2, 3, 4, 4))
    assert _snapshot(net) == before


@pytest.mark.parametrize(
    ("shape", "match"),
    [
        (
            (1, 3, 28, 28),
            r"at layer 'conv1' \(Conv2d\), which received input of shape \(1, 3, 28, 28\)",
        ),
        (
            (1, 1, 8, 8),
            r"at layer 'conv2' \(Conv2d\), which received input of shape \(1, 6, 4, 4\)",
        ),
        ((1, 1, 40, 40), r"at layer 'fc1' \(Linear\), which received input of shape \(1, 1024\)"),
    ],
)
def test_input_shape_that_does_not_fit_names_the_layer(shape, match) -> None:
    with pytest.raises(ValueError, match=r"LeNet5 cannot take input shape .*" + match):
        models.LeNet5(rng=0).summary(shape)


def test_failure_between_layers_names_the_last_layer() -> None:
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 6, rng=0)

        def forward(self, x):
            return self.fc(x).reshape(4, -1)  # 6 values per row do not split into 4 rows

    with pytest.raises(
        ValueError, match=r"after layer 'fc' \(Linear\), whose output has shape \(1, 6\)"
    ):
        Net().summary((1, 3))


@pytest.mark.parametrize(
    ("model", "shape", "exc", "match"),
    [
        (models.MLP([3, 2]), (0, 3), ValueError, "input_shape must hold positive ints"),
        (models.MLP([3, 2]), "13", TypeError, "input_shape must be a non-empty tuple"),
        (models.MLP([3, 2]), (), TypeError, "input_shape must be a non-empty tuple"),
        (models.MLP([3, 2]), (2**20, 2**10), ValueError, "a batch of one sample"),
        (torch.nn.Linear(3, 2), (1, 3), TypeError, "expected a nabla.nn.Module, got Linear"),
    ],
)
def test_bad_arguments(model, shape, exc, match) -> None:
    with pytest.raises(exc, match=match):
        nn.summary(model, shape)


def test_input_dtype_follows_the_parameters() -> None:
    seen = []
    net = nn.Linear(3, 2, dtype=np.float64, rng=0)
    net.register_forward_hook(lambda m, args, out: seen.append(args[0].dtype))
    net.summary((1, 3))
    assert seen == [np.float64]
    out = net(nabla.tensor(np.zeros((1, 3))))
    assert out.shape == (1, 2) and len(net._forward_hooks) == 1  # the user's hook stays
