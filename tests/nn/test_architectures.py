"""The published architectures: parameter counts against the papers' and torchvision's
figures and against twins built here from ``torch.nn`` layers, map sizes stage by stage,
forward passes and gradients equal to the twins', one training step, and bad arguments.

torchvision is not a dependency: its layouts are written out below from its documented
architectures (AlexNet's one-GPU variant, VGG configurations A and D, ResNet BasicBlocks).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import nabla
from nabla import nn
from nabla.nn import models

# torchvision's published parameter counts (torchvision.models.<name>().parameters())
TORCHVISION_COUNTS = {
    "alexnet": 61_100_840,
    "vgg11": 132_863_336,
    "vgg16": 138_357_544,
    "resnet18": 11_689_512,
    "resnet34": 21_797_672,
}
VGG = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
}


def count(net) -> int:
    return sum(int(np.prod(p.shape)) for p in net.parameters())


def shapes(net) -> list[tuple[str, tuple[int, ...]]]:
    return [(name, tuple(p.shape)) for name, p in net.named_parameters()]


# ---- torch twins, written from the papers' and torchvision's documented layers -------------
def torch_alexnet(
    t, c=(64, 192, 384, 256, 256), hidden=4096, classes=1000, pad1=2, adaptive=True, p=0.5
):
    tn = t.nn

    class AlexNet(tn.Module):
        def __init__(self):
            super().__init__()
            self.features = tn.Sequential(
                tn.Conv2d(3, c[0], 11, stride=4, padding=pad1),
                tn.ReLU(),
                tn.MaxPool2d(3, stride=2),
                tn.Conv2d(c[0], c[1], 5, padding=2),
                tn.ReLU(),
                tn.MaxPool2d(3, stride=2),
                tn.Conv2d(c[1], c[2], 3, padding=1),
                tn.ReLU(),
                tn.Conv2d(c[2], c[3], 3, padding=1),
                tn.ReLU(),
                tn.Conv2d(c[3], c[4], 3, padding=1),
                tn.ReLU(),
                tn.MaxPool2d(3, stride=2),
            )
            self.avgpool = tn.AdaptiveAvgPool2d((6, 6)) if adaptive else tn.Identity()
            self.classifier = torch_classifier(t, c[4] * 36, hidden, classes, "alexnet", p)

        def forward(self, x):
            return self.classifier(t.flatten(self.avgpool(self.features(x)), 1))

    return AlexNet()


def torch_classifier(t, n_in, hidden, classes, order, p=0.5):
    tn = t.nn
    if order == "alexnet":
        layers = [tn.Dropout(p), tn.Linear(n_in, hidden), tn.ReLU(), tn.Dropout(p)]
        layers += [tn.Linear(hidden, hidden), tn.ReLU(), tn.Linear(hidden, classes)]
    else:
        layers = [tn.Linear(n_in, hidden), tn.ReLU(), tn.Dropout(p), tn.Linear(hidden, hidden)]
        layers += [tn.ReLU(), tn.Dropout(p), tn.Linear(hidden, classes)]
    return tn.Sequential(*layers)


def torch_zfnet(t, c=(96, 256, 384, 384, 256), hidden=4096, classes=1000, size=6, p=0.5):
    tn = t.nn

    class ZFNet(tn.Module):
        def __init__(self):
            super().__init__()
            self.features = tn.Sequential(
                tn.Conv2d(3, c[0], 7, stride=2, padding=1),
                tn.ReLU(),
                tn.MaxPool2d(3, stride=2, padding=1),
                tn.Conv2d(c[0], c[1], 5, stride=2),
                tn.ReLU(),
                tn.MaxPool2d(3, stride=2, padding=1),
                tn.Conv2d(c[1], c[2], 3, padding=1),
                tn.ReLU(),
                tn.Conv2d(c[2], c[3], 3, padding=1),
                tn.ReLU(),
                tn.Conv2d(c[3], c[4], 3, padding=1),
                tn.ReLU(),
                tn.MaxPool2d(3, stride=2),
            )
            self.classifier = torch_classifier(t, c[4] * size * size, hidden, classes, "alexnet", p)

        def forward(self, x):
            return self.classifier(t.flatten(self.features(x), 1))

    return ZFNet()


def torch_vgg(t, cfg, width=1.0, hidden=4096, classes=1000, size=7, p=0.5):
    tn = t.nn
    layers, c = [], 3
    for v in cfg:
        if v == "M":
            layers.append(tn.MaxPool2d(2, 2))
        else:
            w = max(1, round(v * width))
            layers += [tn.Conv2d(c, w, 3, padding=1), tn.ReLU()]
            c = w

    class VGG(tn.Module):
        def __init__(self):
            super().__init__()
            self.features = tn.Sequential(*layers)
            self.avgpool = tn.AdaptiveAvgPool2d((size, size))
            self.classifier = torch_classifier(t, c * size * size, hidden, classes, "vgg", p)

        def forward(self, x):
            return self.classifier(t.flatten(self.avgpool(self.features(x)), 1))

    return VGG()


def torch_resnet(t, blocks, widths, classes=1000, stem="imagenet", shortcut="B"):
    tn = t.nn

    class PadShortcut(tn.Module):  # option A: subsample, then zero channels after the input's
        def __init__(self, stride, extra):
            super().__init__()
            self.stride, self.extra = stride, extra

        def forward(self, x):
            s = self.stride
            return t.nn.functional.pad(x[:, :, ::s, ::s], (0, 0, 0, 0, 0, self.extra))

    class Block(tn.Module):
        def __init__(self, a, b, stride):
            super().__init__()
            self.conv1 = tn.Conv2d(a, b, 3, stride, 1, bias=False)
            self.bn1 = tn.BatchNorm2d(b)
            self.relu = tn.ReLU()
            self.conv2 = tn.Conv2d(b, b, 3, 1, 1, bias=False)
            self.bn2 = tn.BatchNorm2d(b)
            self.downsample = None
            if stride != 1 or a != b:
                if shortcut == "B":
                    self.downsample = tn.Sequential(
                        tn.Conv2d(a, b, 1, stride, bias=False), tn.BatchNorm2d(b)
                    )
                else:
                    self.downsample = PadShortcut(stride, b - a)

        def forward(self, x):
            out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            return self.relu(out + (x if self.downsample is None else self.downsample(x)))

    class ResNet(tn.Module):
        def __init__(self):
            super().__init__()
            if stem == "imagenet":
                self.conv1 = tn.Conv2d(3, widths[0], 7, 2, 3, bias=False)
                self.maxpool = tn.MaxPool2d(3, 2, 1)
            else:
                self.conv1 = tn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
                self.maxpool = tn.Identity()
            self.bn1 = tn.BatchNorm2d(widths[0])
            self.relu = tn.ReLU()
            a = widths[0]
            for i, (n, w) in enumerate(zip(blocks, widths)):
                stage = [Block(a, w, 1 if i == 0 else 2)] + [Block(w, w, 1) for _ in range(n - 1)]
                setattr(self, f"layer{i + 1}", tn.Sequential(*stage))
                a = w
            self.avgpool = tn.AdaptiveAvgPool2d((1, 1))
            self.fc = tn.Linear(a, classes)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            for i in range(len(blocks)):
                x = getattr(self, f"layer{i + 1}")(x)
            return self.fc(t.flatten(self.avgpool(x), 1))

    return ResNet()


# ---- published parameter counts -------------------------------------------------------------
PUBLISHED = [
    # name, builder, count, torch twin (on the meta device: no memory), same names and shapes
    (
        "alexnet",
        lambda: models.alexnet(rng=0),
        62_378_344,
        lambda t: torch_alexnet(t, c=(96, 256, 384, 384, 256), pad1=0),
    ),
    (
        "alexnet-torchvision",
        lambda: models.alexnet(channels=(64, 192, 384, 256, 256), rng=0),
        TORCHVISION_COUNTS["alexnet"],
        lambda t: torch_alexnet(t),
    ),
    ("zfnet", lambda: models.zfnet(rng=0), 62_357_608, lambda t: torch_zfnet(t)),
    (
        "vgg11",
        lambda: models.vgg11(rng=0),
        TORCHVISION_COUNTS["vgg11"],
        lambda t: torch_vgg(t, VGG["A"]),
    ),
    (
        "vgg16",
        lambda: models.vgg16(rng=0),
        TORCHVISION_COUNTS["vgg16"],
        lambda t: torch_vgg(t, VGG["D"]),
    ),
    (
        "resnet18",
        lambda: models.resnet18(rng=0),
        TORCHVISION_COUNTS["resnet18"],
        lambda t: torch_resnet(t, (2, 2, 2, 2), (64, 128, 256, 512)),
    ),
    (
        "resnet34",
        lambda: models.resnet34(rng=0),
        TORCHVISION_COUNTS["resnet34"],
        lambda t: torch_resnet(t, (3, 4, 6, 3), (64, 128, 256, 512)),
    ),
    (
        "resnet20",
        lambda: models.resnet20(rng=0),
        269_722,
        lambda t: torch_resnet(t, (3, 3, 3), (16, 32, 64), classes=10, stem="cifar", shortcut="A"),
    ),
]


@pytest.mark.parametrize(
    ("name", "build", "published", "twin"), PUBLISHED, ids=[p[0] for p in PUBLISHED]
)
def test_published_parameter_count_and_layout(name, build, published, twin) -> None:
    torch = pytest.importorskip("torch", reason="the torch.nn twin is the oracle for the layout")
    with torch.device("meta"):
        theirs = twin(torch)
    ours = build()
    assert count(ours) == published
    assert sum(p.numel() for p in theirs.parameters()) == published
    # every parameter has torchvision's name and shape, in the same order
    assert shapes(ours) == [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert [k for k in ours.state_dict()] == list(theirs.state_dict())


def test_hand_counts_of_the_papers() -> None:
    """The counts above from the layer formulas: k k C_in C_out + C_out per convolution."""

    def conv(k, a, b, bias=True):
        return k * k * a * b + (b if bias else 0)

    fc = 9216 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000
    paper = [conv(11, 3, 96), conv(5, 96, 256), conv(3, 256, 384), conv(3, 384, 384)]
    assert sum(paper) + conv(3, 384, 256) + fc == 62_378_344
    # the paper's two-GPU split halves the inputs of conv2, conv4 and conv5: its "60 million"
    grouped = sum(paper) + conv(3, 384, 256) - 5 * 5 * 48 * 256 - 9 * 192 * 384 - 9 * 192 * 256
    assert grouped + fc == 60_965_224
    # ResNet-20 (option A): 3x3 stem, 9 blocks of two 3x3 convolutions, a BN (2 per channel)
    # after every convolution, fc 64 -> 10
    blocks = [(16, 16)] * 3 + [(16, 32), (32, 32), (32, 32)] + [(32, 64), (64, 64), (64, 64)]
    convs = conv(3, 3, 16, False) + sum(
        conv(3, a, b, False) + conv(3, b, b, False) for a, b in blocks
    )
    bns = 2 * 16 + sum(4 * b for _, b in blocks)
    assert convs + bns + 64 * 10 + 10 == 269_722


# ---- map sizes, stage by stage ---------------------------------------------------------------
def _trace(seq, x):
    out = []
    for layer in seq:
        x = layer(x)
        out.append(tuple(x.shape[1:]))
    return out


def test_alexnet_maps_as_published() -> None:
    net = models.alexnet(rng=0)
    x = nabla.tensor(np.zeros((1, 3, 227, 227), np.float32))
    with nabla.no_grad():
        assert net.features[0](x).shape == (1, 96, 55, 55)  # the notes' 55 x 55 x 96
        maps = _trace(net.features, x)
    convs_and_pools = [maps[i] for i in (0, 2, 3, 5, 6, 8, 10, 12)]
    assert convs_and_pools == [
        (96, 55, 55), (96, 27, 27), (256, 27, 27), (256, 13, 13),
        (384, 13, 13), (384, 13, 13), (256, 13, 13), (256, 6, 6),
    ]  # fmt: skip
    assert net.classifier[1].in_features == 6 * 6 * 256
    # the pools overlap: 3x3 windows moved by 2
    assert net.features[2].kernel_size == (3, 3) and net.features[2].stride == (2, 2)


def test_zfnet_and_vgg_maps() -> None:
    x = nabla.tensor(np.zeros((1, 3, 224, 224), np.float32))
    zf = models.zfnet(rng=0, channels=(4, 4, 4, 4, 4), hidden=8)
    with nabla.no_grad():
        sides = [s[1] for s in _trace(zf.features, x)]
        assert [sides[i] for i in (0, 2, 3, 5, 6, 8, 10, 12)] == [110, 55, 26, 13, 13, 13, 13, 6]
        v16 = models.vgg16(width=1 / 64, hidden=8, rng=0)
        pools = [
            s for s, m in zip(_trace(v16.features, x), v16.features) if "Pool" in type(m).__name__
        ]
    assert [p[1] for p in pools] == [112, 56, 28, 14, 7]
    assert models.vgg16(width=1 / 64, hidden=8).classifier[0].in_features == 8 * 7 * 7


@pytest.mark.parametrize(
    ("build", "size", "expected"),
    [
        (
            lambda: models.resnet18(width=4, rng=0),
            224,
            [(4, 56, 56), (8, 28, 28), (16, 14, 14), (32, 7, 7)],
        ),
        (
            lambda: models.resnet34(width=2, rng=0),
            64,
            [(2, 16, 16), (4, 8, 8), (8, 4, 4), (16, 2, 2)],
        ),
        (lambda: models.resnet20(rng=0), 32, [(16, 32, 32), (32, 16, 16), (64, 8, 8)]),
    ],
    ids=["resnet18", "resnet34", "resnet20"],
)
def test_resnet_stage_shapes(build, size, expected) -> None:
    net = build()
    x = nabla.tensor(
        np.random.default_rng(0).standard_normal((2, 3, size, size)).astype(np.float32)
    )
    with nabla.no_grad():
        h = net.maxpool(net.relu(net.bn1(net.conv1(x))))
        seen = []
        for stage in net.stages():
            h = stage(h)
            seen.append(tuple(h.shape[1:]))
        assert seen == expected
        assert net.avgpool(h).shape == (2, expected[-1][0])
        assert net(x).shape == (2, net.fc.out_features)


# ---- forward and backward equal to the torch twin -------------------------------------------
def _to_torch(torch, ours, theirs):
    theirs.load_state_dict(
        {k: torch.from_numpy(np.asarray(v.numpy())) for k, v in ours.state_dict().items()}
    )


SMALL = [
    (
        "alexnet",
        lambda: models.alexnet(5, hidden=16, channels=(4, 8, 8, 6, 6), dropout=0.0, rng=1),
        lambda t: torch_alexnet(
            t, c=(4, 8, 8, 6, 6), hidden=16, classes=5, pad1=0, adaptive=False, p=0.0
        ),
        227,
    ),
    (
        "zfnet",
        lambda: models.zfnet(5, hidden=16, channels=(4, 8, 8, 6, 6), dropout=0.0, rng=1),
        lambda t: torch_zfnet(t, c=(4, 8, 8, 6, 6), hidden=16, classes=5, p=0.0),
        224,
    ),
    (
        "vgg11",
        lambda: models.vgg11(5, input_size=64, width=1 / 16, hidden=16, dropout=0.0, rng=1),
        lambda t: torch_vgg(t, VGG["A"], width=1 / 16, hidden=16, classes=5, size=2, p=0.0),
        64,
    ),
    (
        "resnet18",
        lambda: models.resnet18(5, width=4, rng=1),
        lambda t: torch_resnet(t, (2, 2, 2, 2), (4, 8, 16, 32), classes=5),
        64,
    ),
    (
        "resnet20-A",
        lambda: models.resnet20(5, width=4, rng=1),
        lambda t: torch_resnet(t, (3, 3, 3), (4, 8, 16), 5, "cifar", "A"),
        16,
    ),
    (
        "resnet20-B",
        lambda: models.resnet20(5, width=4, shortcut="B", rng=1),
        lambda t: torch_resnet(t, (3, 3, 3), (4, 8, 16), 5, "cifar", "B"),
        16,
    ),
]


@pytest.mark.parametrize(("name", "build", "twin", "size"), SMALL, ids=[s[0] for s in SMALL])
def test_forward_and_gradients_equal_torch(name, build, twin, size) -> None:
    torch = pytest.importorskip("torch", reason="the torch.nn twin is the oracle")
    ours = build().double()
    theirs = twin(torch).double()
    _to_torch(torch, ours, theirs)
    x = np.random.default_rng(2).standard_normal((2, 3, size, size))
    y = np.array([1, 3])
    ours.train(), theirs.train()  # batch statistics in the ResNets, no dropout (p = 0)
    out = ours(nabla.tensor(x))
    loss = nn.functional.cross_entropy(out, y)
    loss.backward()
    t_out = theirs(torch.from_numpy(x))
    t_loss = torch.nn.functional.cross_entropy(t_out, torch.from_numpy(y))
    t_loss.backward()
    np.testing.assert_allclose(out.numpy(), t_out.detach().numpy(), rtol=1e-9, atol=1e-12)
    grads = dict(theirs.named_parameters())
    for k, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, grads[k].grad.numpy(), rtol=1e-7, atol=1e-12, err_msg=k)
    ours.eval(), theirs.eval()  # running statistics
    with torch.no_grad():
        np.testing.assert_allclose(
            ours(nabla.tensor(x)).numpy(),
            theirs(torch.from_numpy(x)).numpy(),
            rtol=1e-9,
            atol=1e-12,
        )


@pytest.mark.parametrize(("name", "build", "twin", "size"), SMALL, ids=[s[0] for s in SMALL])
def test_one_training_step_lowers_the_loss(name, build, twin, size) -> None:
    net = build()
    rng = np.random.default_rng(3)
    x = nabla.tensor(rng.standard_normal((4, 3, size, size)).astype(np.float32))
    y = np.array([0, 1, 2, 3])
    opt = nabla.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    net.train()
    losses = []
    for _ in range(4):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        if not losses:
            for k, p in net.named_parameters():
                assert np.isfinite(p.grad).all() and np.abs(p.grad).max() > 0, k
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


# ---- backward compatibility of the CPU-sized builders ---------------------------------------
def test_small_alexnet_keeps_its_layout() -> None:
    """The CPU-sized AlexNet of earlier releases: 5x5 stem, 2x2 pools, same parameters."""
    net = models.alexnet(10, input_size=32, width=4, hidden=16, rng=0)
    assert [s for _, s in shapes(net)] == [
        (4, 3, 5, 5), (4,), (12, 4, 5, 5), (12,), (24, 12, 3, 3), (24,), (16, 24, 3, 3), (16,),
        (16, 16, 3, 3), (16,), (16, 256), (16,), (16, 16), (16,), (10, 16), (10,),
    ]  # fmt: skip
    assert net.features[2].kernel_size == (2, 2)
    assert models.vgg().classifier[0].in_features == 64  # vgg()'s defaults are unchanged


# ---- receptive fields -----------------------------------------------------------------------
def test_receptive_fields_of_the_published_networks() -> None:
    # the well-known figures: AlexNet pool5 195, VGG-16 pool5 212 (conv5_3 196), ResNet-18 435
    assert nn.receptive_field(models.alexnet(rng=0, channels=(1, 1, 1, 1, 1), hidden=1)) == (
        195,
        195,
    )
    v16 = models.vgg16(width=1 / 64, hidden=1)
    assert nn.receptive_field(v16) == (212, 212)
    assert nn.receptive_field(list(v16.features)[:-1]) == (196, 196)
    assert nn.receptive_field(models.resnet18(width=1)) == (435, 435)
    assert nn.receptive_field(models.zfnet(channels=(1, 1, 1, 1, 1), hidden=1)) == (171, 171)
    table = nn.layer_geometry(models.alexnet(channels=(1, 1, 1, 1, 1), hidden=1), 227)
    assert [g.size[0] for g in table] == [55, 27, 27, 13, 13, 13, 13, 6]
    assert [g.name for g in table][:3] == ["features.0", "features.2", "features.3"]
    assert all(g.tiles for g in table)  # 227 is the size the published strides tile
    assert nn.output_size(models.vgg11(width=1 / 64, hidden=1), (224, 160)) == (7, 5)


def _torch_field(torch, layers, size):
    """The receptive field from gradients: the input pixels that one output unit depends on.

    All weights are positive and max-pools become average pools (same windows), so that no
    contribution cancels and every pixel in the window gets a non-zero gradient."""
    tn = torch.nn
    seq = []
    for kind, k, s, p, d in layers:
        if kind == "conv":
            conv = tn.Conv2d(1, 1, k, s, p, d, bias=False).double()
            tn.init.constant_(conv.weight, 1.0)
            seq.append(conv)
        else:
            seq.append(tn.AvgPool2d(k, s, p))
    x = torch.zeros((1, 1, size, size), dtype=torch.float64, requires_grad=True)
    out = tn.Sequential(*seq)(x)
    h, w = out.shape[2] // 2, out.shape[3] // 2
    out[0, 0, h, w].backward()
    rows = np.nonzero(x.grad[0, 0].abs().sum(1).numpy())[0]
    cols = np.nonzero(x.grad[0, 0].abs().sum(0).numpy())[0]
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1, tuple(out.shape[2:])


@pytest.mark.parametrize(
    "layers",
    [
        [("conv", 3, 1, 0, 1), ("pool", 2, 2, 0, 1), ("conv", 3, 1, 0, 1)],
        [("conv", 5, 2, 2, 1), ("pool", 3, 2, 1, 1), ("conv", 3, 1, 1, 2), ("conv", 3, 2, 1, 1)],
        [("conv", 7, 2, 3, 1), ("conv", 3, 1, 2, 2), ("pool", 3, 1, 1, 1), ("conv", 1, 1, 0, 1)],
    ],
)
def test_receptive_field_equals_gradient_support(layers) -> None:
    torch = pytest.importorskip("torch", reason="gradients in torch are the oracle")
    ours = []
    for kind, k, s, p, d in layers:
        if kind == "conv":
            ours.append(nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d))
        else:
            ours.append(nn.MaxPool2d(k, stride=s, padding=p))
        ours.append(nn.ReLU())
    rows, cols, out = _torch_field(torch, layers, 64)
    assert nn.receptive_field(ours) == (rows, cols)
    assert nn.output_size(ours, 64) == out


def test_stride_that_does_not_tile() -> None:
    layers = [nn.Conv2d(1, 1, 3, stride=3)]
    (g,) = nn.layer_geometry(layers, 7)
    assert (g.size, g.tiles, g.jump) == ((2, 2), False, (3, 3))
    assert nn.layer_geometry(layers, 9)[0].tiles
    with pytest.raises(ValueError, match=re.escape("layer_geometry: at layer '0' (Conv2d(")) as e:
        nn.output_size(layers, 7, strict=True)
    assert "stride 3 does not tile an input of size 7" in str(e.value)


def test_geometry_bad_input() -> None:
    with pytest.raises(TypeError, match="cannot tell how a Maxout"):
        nn.receptive_field([nn.Conv2d(1, 1, 3), nn.Maxout(2, 2, 2)])
    with pytest.raises(TypeError, match="expected a Module or a list of layers, got str"):
        nn.receptive_field("conv")
    with pytest.raises(ValueError, match="input_size must be a positive int or a pair"):
        nn.output_size([nn.Conv2d(1, 1, 3)], 0)
    with pytest.raises(ValueError, match="input_size is required"):
        nn.output_size([nn.Conv2d(1, 1, 3)], None)
    with pytest.raises(ValueError, match=r"at layer '1'.*the kernel spans 5 entries"):
        nn.output_size([nn.MaxPool2d(2), nn.Conv2d(1, 1, 5)], 8)
    with pytest.raises(TypeError, match="strict must be a bool"):
        nn.layer_geometry([nn.Conv2d(1, 1, 3)], 8, strict="yes")
    # a fully connected model has no maps: the field of one input pixel
    assert nn.receptive_field(models.MLP([3, 2])) == (1, 1)


# ---- bad arguments --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (
            lambda: models.alexnet(width=4, channels=(1, 2, 3, 4, 5)),
            ValueError,
            "alexnet: give width or channels, not both",
        ),
        (
            lambda: models.alexnet(channels=(96, 256)),
            ValueError,
            "alexnet: channels must be 5 positive ints, got (96, 256)",
        ),
        (
            lambda: models.alexnet(channels=(96, 0, 1, 1, 1)),
            ValueError,
            "alexnet: each of channels must be an int >= 1, got 0",
        ),
        (
            lambda: models.alexnet(dropout=1.5),
            ValueError,
            "alexnet: dropout must be a probability in [0, 1], got 1.5",
        ),
        (
            lambda: models.alexnet(num_classes=0),
            ValueError,
            "alexnet: num_classes must be an int >= 1, got 0",
        ),
        (lambda: models.zfnet(input_size=40), ValueError, "zfnet: input_size 40 is too small"),
        (lambda: models.vgg11(input_size=16), ValueError, "vgg11: input_size 16 is too small"),
        (lambda: models.vgg16(width=0), ValueError, "vgg16: width must be a number > 0, got 0"),
        (lambda: models.vgg(["M", "conv"]), ValueError, "vgg: cfg must list positive ints and 'M'"),
        (
            lambda: models.resnet20(shortcut="C"),
            ValueError,
            "ResNet: shortcut must be 'A' or 'B', got 'C'",
        ),
        (
            lambda: models.resnet18(width=0),
            ValueError,
            "resnet18: width must be an int >= 1, got 0",
        ),
        (
            lambda: models.ResNet([], []),
            ValueError,
            "ResNet: blocks must be a non-empty list of ints",
        ),
        (
            lambda: models.ResNet([2, 2], [8]),
            ValueError,
            "ResNet: widths must give one width per stage (2), got [8]",
        ),
        (
            lambda: models.ResNet([1], [8], stem="tiny"),
            ValueError,
            "ResNet: stem must be 'imagenet' or 'cifar'",
        ),
        (
            lambda: models.BasicBlock(8, 4, 2, shortcut="A"),
            ValueError,
            "BasicBlock: shortcut 'A' cannot drop channels (8 -> 4)",
        ),
        (
            lambda: models.BasicBlock(8, 4, stride=0),
            ValueError,
            "BasicBlock: stride must be an int >= 1, got 0",
        ),
        (
            lambda: models.GlobalAvgPool2d()(np.zeros((2, 3))),
            ValueError,
            "GlobalAvgPool2d: expected (N, C, H, W), got shape (2, 3)",
        ),
    ],
)
def test_bad_arguments(call, exc, match) -> None:
    with pytest.raises(exc, match=re.escape(match)):
        call()
