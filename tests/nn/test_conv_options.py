"""Convolution and pooling options: grouped / depthwise convolution, padding modes and
'same' with uneven padding, transposed convolution, pooling with ceil_mode / dilation /
divisor_override, Upsample / interpolate, adaptive pooling, the padding layers, their bad
input, and saving models that use them (nabla.io). The ops themselves are also in
tests/autograd/registry_nn.py (NumPy references, float64 central differences, PyTorch)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import nabla
import nabla.nn.functional as F
from nabla import io, nn
from nabla.autograd import gradcheck
from nabla.autograd.ops import conv as _conv
from nabla.autograd.ops import conv_extra as _cx

torch = pytest.importorskip("torch")
tn = torch.nn
# PyTorch's note that it copies the input for an even kernel with padding='same'
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")

# (nabla layer, torch layer) built with the same arguments; weights are copied over
LAYERS = {
    "conv_groups_reflect": lambda m: m.Conv2d(
        4, 6, 3, stride=2, padding=(1, 2), groups=2, padding_mode="reflect"
    ),
    "conv_depthwise_same_even_kernel": lambda m: m.Conv2d(4, 4, 4, padding="same", groups=4),
    "conv_same_replicate_dilated": lambda m: m.Conv2d(
        4, 2, 3, padding="same", dilation=2, padding_mode="replicate"
    ),
    "conv_circular": lambda m: m.Conv2d(4, 3, (2, 3), padding=1, padding_mode="circular"),
    "conv_transpose": lambda m: m.ConvTranspose2d(
        4, 6, 3, stride=2, padding=1, output_padding=1, groups=2
    ),
    "conv_transpose_dilated": lambda m: m.ConvTranspose2d(4, 2, 2, stride=3, dilation=2),
    "max_pool_ceil_dilation": lambda m: m.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True),
    "avg_pool_ceil_exclude": lambda m: m.AvgPool2d(
        3, 2, 1, ceil_mode=True, count_include_pad=False
    ),
    "avg_pool_divisor": lambda m: m.AvgPool2d(2, divisor_override=3),
    "upsample_nearest": lambda m: m.Upsample(scale_factor=2),
    "upsample_bilinear": lambda m: m.Upsample(size=(5, 13), mode="bilinear", align_corners=False),
    "upsample_bilinear_corners": lambda m: m.Upsample(
        scale_factor=1.5, mode="bilinear", align_corners=True
    ),
    "adaptive_avg": lambda m: m.AdaptiveAvgPool2d((4, None)),
    "adaptive_max": lambda m: m.AdaptiveMaxPool2d(3),
    "zero_pad": lambda m: m.ZeroPad2d((1, 2, 0, 3)),
    "constant_pad": lambda m: m.ConstantPad2d(2, 1.5),
    "reflection_pad": lambda m: m.ReflectionPad2d((1, 2, 0, 3)),
    "replication_pad": lambda m: m.ReplicationPad2d(2),
    "circular_pad": lambda m: m.CircularPad2d((2, 1, 1, 2)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_matches_torch(name: str, dtype) -> None:
    ours, theirs = LAYERS[name](nn), LAYERS[name](tn)
    if dtype == np.float64:
        theirs = theirs.double()
    for k, p in ours.named_parameters():
        p.data = p.data.astype(dtype)
        theirs.get_parameter(k).data = torch.tensor(p.data)
    rng = np.random.default_rng(0)
    x = rng.permutation(2 * 4 * 9 * 10).reshape(2, 4, 9, 10).astype(dtype) / 50 - 3  # no ties
    xn, xt = nabla.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yt = ours(xn), theirs(xt)
    assert y.dtype == dtype and y.shape == tuple(yt.shape)
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}
    np.testing.assert_allclose(y.data, yt.detach().numpy(), **tol)
    g = rng.standard_normal(y.shape).astype(dtype)
    y.backward(g)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), **tol)
    for k, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, theirs.get_parameter(k).grad.numpy(), **tol)


def test_layers_gradcheck_float64() -> None:
    """Central differences through a small network of the new layers, in float64."""
    net = nn.Sequential(
        nn.Conv2d(
            2, 4, 3, padding="same", groups=2, padding_mode="reflect", dtype="float64", rng=0
        ),
        nn.MaxPool2d(2, ceil_mode=True),
        nn.ConvTranspose2d(4, 2, 2, stride=2, groups=2, dtype="float64", rng=1),
        nn.Upsample(size=(6, 5), mode="bilinear"),
        nn.AdaptiveAvgPool2d(2),
    )
    x = nabla.tensor(np.random.default_rng(1).standard_normal((1, 2, 5, 5)), requires_grad=True)
    params = list(net.parameters())
    assert gradcheck(lambda x, *ps: net(x), [x, *params], atol=1e-5, rtol=1e-3)


def test_default_options_keep_the_fast_ops() -> None:
    """groups=1 and no pooling options run conv.py's ops; the options run conv_extra's."""
    x = nabla.tensor(np.zeros((1, 4, 6, 6)), requires_grad=True)
    w = nabla.tensor(np.zeros((4, 4, 3, 3)), requires_grad=True)
    assert type(F.conv2d(x, w, padding=1).grad_fn) is _conv.Conv2d
    assert type(nn.Conv2d(4, 4, 3)(x).grad_fn) is _conv.Conv2d
    assert type(F.max_pool2d(x, 2).grad_fn) is _conv.MaxPool2d
    assert type(F.avg_pool2d(x, 2).grad_fn) is _conv.AvgPool2d
    assert type(F.conv2d(x, w[:, :2], groups=2).grad_fn) is _cx.GroupedConv2d
    assert type(F.max_pool2d(x, 2, ceil_mode=True).grad_fn) is _cx.Pool2dEx
    assert type(F.avg_pool2d(x, 2, divisor_override=2).grad_fn) is _cx.Pool2dEx


@pytest.mark.parametrize("n", [5, 6, 7, 8])
@pytest.mark.parametrize(
    ("k", "s", "p", "d"), [(2, 2, 0, 1), (3, 2, 1, 1), (3, 3, 1, 2), (2, 3, 0, 1)]
)
def test_output_sizes_match_torch(n: int, k: int, s: int, p: int, d: int) -> None:
    for ceil in (False, True):
        expected = tn.MaxPool2d(k, s, p, dilation=d, ceil_mode=ceil)(torch.zeros(1, 1, n, n))
        assert nn.conv_output_size(n, k, s, p, d, ceil_mode=ceil) == expected.shape[-1]
        layer = nn.MaxPool2d(k, s, p, dilation=d, ceil_mode=ceil)
        assert layer.output_shape(n, n) == tuple(expected.shape[-2:])
    t = tn.ConvTranspose2d(1, 1, k, s, p, output_padding=s - 1, dilation=d)(torch.zeros(1, 1, n, n))
    ours = nn.ConvTranspose2d(1, 1, k, s, p, output_padding=s - 1, dilation=d)
    assert ours.output_shape(n, n) == (1, *t.shape[-2:])


# ---- bad input ------------------------------------------------------------------------------
def _x(shape=(1, 4, 6, 6)):
    return nabla.tensor(np.random.default_rng(0).standard_normal(shape))


BAD_CALLS = [
    (lambda: nn.Conv2d(4, 6, 3, groups=4), r"groups=4 must divide in_channels \(4\)"),
    (lambda: nn.Conv2d(4, 6, 3, groups=0), "groups must be an int >= 1, got 0"),
    (lambda: nn.Conv2d(4, 4, 3, padding_mode="mirror"), "padding_mode must be one of .*'mirror'"),
    (lambda: nn.Conv2d(4, 4, 4, stride=2, padding="same"), "padding='same' needs stride 1"),
    (
        lambda: F.conv2d(_x(), nabla.tensor(np.zeros((6, 2, 3, 3))), groups=3),
        r"groups=3 must divide both the input channels \(4\) and the output channels \(6\)",
    ),
    (
        lambda: F.conv2d(_x(), nabla.tensor(np.zeros((4, 1, 3, 3))), groups=2),
        r"expects 2 input channels, got input shape \(1, 4, 6, 6\)",
    ),
    (lambda: F.pad(_x(), (1, 1), mode="mirror"), "mode must be one of .*'mirror'"),
    (lambda: F.pad(_x(), (1, -1)), r"non-negative ints .* got \(1, -1\)"),
    (lambda: F.pad(_x(), (1, 1, 1)), r"got \(1, 1, 1\)"),
    (lambda: F.pad(_x(), (6, 0, 0, 0), mode="reflect"), "at most 5 for a dimension of size 6"),
    (lambda: F.pad(_x((4, 6, 6)), (7, 0), mode="circular"), "at most 6 for a dimension of size 6"),
    (lambda: F.pad(_x(), (1,) * 6, mode="replicate"), "last 1 or 2 dimensions"),
    (lambda: nn.ReflectionPad2d((1, 2, 3)), r"got \(1, 2, 3\)"),
    (
        lambda: nn.ConvTranspose2d(4, 4, 3, stride=2, output_padding=2),
        r"output_padding 2 must be smaller than stride \(2, 2\)",
    ),
    (
        lambda: F.conv_transpose2d(
            _x(), nabla.tensor(np.zeros((4, 2, 3, 3))), stride=1, output_padding=1
        ),
        "output_padding 1 must be smaller than stride",
    ),
    (lambda: nn.ConvTranspose2d(4, 6, 3, groups=4), r"groups=4 must divide in_channels \(4\)"),
    (
        lambda: F.conv_transpose2d(_x(), nabla.tensor(np.zeros((4, 2, 3, 3))), padding=5),
        "the output would be",
    ),
    (lambda: nn.AvgPool2d(2, divisor_override=0), "divisor_override must be an int >= 1, got 0"),
    (lambda: F.avg_pool2d(_x(), 2, divisor_override=0), "divisor_override must be an int >= 1"),
    (lambda: nn.MaxPool2d(2, dilation=0), "dilation must be an int or a pair of ints >= 1, got 0"),
    (lambda: F.max_pool2d(_x(), 3, dilation=4), r"kernel size \(3, 3\) \(dilation \(4, 4\)\)"),
    (lambda: F.interpolate(_x(), size=3, scale_factor=2), "exactly one of size and scale_factor"),
    (lambda: F.interpolate(_x(), size=3, mode="bicubic"), "mode must be 'nearest' or 'bilinear'"),
    (lambda: F.interpolate(_x(), size=3, align_corners=True), "align_corners only applies"),
    (lambda: F.interpolate(_x(), scale_factor=-1.0), "scale_factor must be a positive number"),
    (lambda: F.interpolate(_x(), scale_factor=0.1), "gives an empty output"),
    (lambda: nn.Upsample(scale_factor=2, mode="area"), "mode must be 'nearest' or 'bilinear'"),
    (lambda: nn.AdaptiveAvgPool2d(0), "output_size must be an int >= 1, got 0"),
    (lambda: F.adaptive_max_pool2d(_x(), (2, 0)), r"output_size must be .* got \(2, 0\)"),
]


@pytest.mark.parametrize(("call", "message"), BAD_CALLS, ids=[m[:30] for _, m in BAD_CALLS])
def test_bad_input_raises_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_integer_input() -> None:
    """Nearest upsampling, padding and max pooling keep integers exact; a bilinear mean of
    integers is refused as avg_pool2d refuses it."""
    x = np.arange(12, dtype=np.int64).reshape(1, 1, 3, 4)
    up = F.interpolate(nabla.tensor(x), scale_factor=2).numpy()
    assert up.dtype == np.int64
    np.testing.assert_array_equal(up, x.repeat(2, axis=2).repeat(2, axis=3))
    np.testing.assert_array_equal(
        F.pad(nabla.tensor(x), (1, 1, 1, 1), mode="reflect").numpy(),
        np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="reflect"),
    )
    assert F.max_pool2d(nabla.tensor(x), 2, ceil_mode=True).numpy().tolist() == [
        [[[5, 7], [9, 11]]]
    ]
    with pytest.raises(TypeError, match="input must be floating point"):
        F.interpolate(nabla.tensor(x), scale_factor=2, mode="bilinear")


def test_bad_input_changes_nothing() -> None:
    conv = nn.Conv2d(4, 4, 3, groups=2, padding=1, padding_mode="reflect", rng=0)
    before = {k: v.data.copy() for k, v in conv.state_dict().items()}
    x = _x((1, 4, 1, 6))  # reflect padding 1 needs at least 2 rows
    x0 = x.data.copy()
    with pytest.raises(ValueError, match=re.escape("at most 0 for a dimension of size 1")):
        conv(x)
    np.testing.assert_array_equal(x.data, x0)
    for k, v in conv.state_dict().items():
        np.testing.assert_array_equal(v.data, before[k])
    assert all(p.grad is None for p in conv.parameters())


# ---- saving and loading -----------------------------------------------------------------------
def test_io_round_trip_with_the_options(tmp_path) -> None:
    net = nn.Sequential(
        nn.Conv2d(4, 6, 3, padding="same", groups=2, padding_mode="reflect", rng=0),
        nn.Conv2d(6, 6, 4, padding="same", groups=6, rng=1),
        nn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True),
        nn.AvgPool2d(2, ceil_mode=True, count_include_pad=False, divisor_override=3),
        nn.ConvTranspose2d(6, 4, 3, stride=2, output_padding=1, groups=2, bias=False, rng=2),
        nn.Upsample(scale_factor=(2, 1.5), mode="bilinear", align_corners=True),
        nn.ReflectionPad2d((1, 0, 2, 1)),
        nn.ZeroPad2d(1),
        nn.ConstantPad2d(1, 2.0),
        nn.ReplicationPad2d(1),
        nn.CircularPad2d(1),
        nn.AdaptiveMaxPool2d((5, None)),
        nn.AdaptiveAvgPool2d(3),
    )
    path = io.save(net, tmp_path / "net.safetensors")
    back = io.load(path)
    assert repr(back) == repr(net)
    for (k, a), (k2, b) in zip(net.state_dict().items(), back.state_dict().items()):
        assert k == k2
        np.testing.assert_array_equal(a.data, b.data)
    x = np.random.default_rng(0).standard_normal((2, 4, 16, 16)).astype(np.float32)
    y = net(x).numpy()
    assert y.shape == (2, 4, 3, 3) and np.abs(y).max() > 0
    np.testing.assert_array_equal(back(x).numpy(), y)


def test_io_round_trip_resnet20(tmp_path) -> None:
    net = nn.models.resnet20(rng=0)
    x = np.random.default_rng(1).standard_normal((2, 3, 32, 32)).astype(np.float32)
    net.train()
    net(x)  # moves the batch-norm running statistics away from their initial values
    net.eval()
    path = io.save(net, tmp_path / "resnet20.safetensors")
    back = io.load(path)
    back.eval()
    assert type(back) is type(net) and repr(back) == repr(net)
    state = net.state_dict()
    assert list(back.state_dict()) == list(state)
    for k, v in back.state_dict().items():
        np.testing.assert_array_equal(v.data, state[k].data)
    np.testing.assert_array_equal(back(x).numpy(), net(x).numpy())


def test_schema_refuses_bad_option_values() -> None:
    from nabla.io._schema import check_config, layer_state

    base = {"in_channels": 4, "out_channels": 6, "kernel_size": 3}
    with pytest.raises(ValueError, match=r"padding_mode must be one of .*'mirror'"):
        check_config("Conv2d", {**base, "padding_mode": "mirror"})
    with pytest.raises(ValueError, match="groups must be an int in"):
        check_config("Conv2d", {**base, "groups": 0})
    with pytest.raises(
        ValueError,
        match=r"padding must be an int or a pair of ints, got 'full'|padding must be an int",
    ):
        check_config("Conv2d", {**base, "padding": "full"})
    with pytest.raises(ValueError, match="scale_factor must be a positive finite number"):
        check_config("Upsample", {"scale_factor": -2.0})
    with pytest.raises(ValueError, match="output_size must be an int"):
        check_config("AdaptiveAvgPool2d", {"output_size": [2, 0]})
    # the predicted state: grouped weights are (out, in / groups, kh, kw)
    assert layer_state("Conv2d", {**base, "groups": 2})["weight"][0] == (6, 2, 3, 3)
    t = layer_state("ConvTranspose2d", {**base, "groups": 2})
    assert t["weight"][0] == (4, 3, 3, 3) and t["bias"][0] == (6,)
