"""Output sizes of convolution and pooling (``conv_output_size``, one formula for all of them,
against PyTorch's shapes; ``strict=True`` refuses a stride that does not tile the input) and
pooling of integer and boolean tensors (against PyTorch and a NumPy loop)."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

import nabla
import nabla.nn.functional as F
from nabla import nn

torch = pytest.importorskip("torch", reason="output sizes are compared with PyTorch")
tF = torch.nn.functional

# every (input, kernel, stride, padding, dilation) with input 1..9 that PyTorch accepts
CONFIGS = [
    (n, k, s, p, d)
    for n, k, s, p, d in itertools.product(
        range(1, 10), range(1, 5), (1, 2, 3, 4), (0, 1, 2), (1, 2)
    )
    if d * (k - 1) + 1 <= n + 2 * p
]


def test_conv_output_size_is_torchs_for_every_config() -> None:
    assert len(CONFIGS) > 500
    tiles = 0
    for n, k, s, p, d in CONFIGS:
        x = torch.zeros(1, 1, n, n + 1)
        shape = tF.conv2d(x, torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d).shape
        size = F.conv_output_size(n, k, s, p, d)
        assert (size, F.conv_output_size(n + 1, k, s, p, d)) == tuple(shape[2:]), (n, k, s, p, d)
        # strict agrees with the notes' rule: (N - F + 2P) / S + 1 is an integer
        exact = (n - (d * (k - 1) + 1) + 2 * p) / s + 1
        if exact.is_integer():
            tiles += 1
            assert F.conv_output_size(n, k, s, p, d, strict=True) == exact == size
        else:
            with pytest.raises(ValueError, match=f"stride {s} does not tile an input of size {n}"):
                F.conv_output_size(n, k, s, p, d, strict=True)
    assert 0 < tiles < len(CONFIGS)


@pytest.mark.parametrize(("n", "k", "s", "p", "d"), CONFIGS[::17])
def test_layers_use_the_same_formula(n, k, s, p, d) -> None:
    size = F.conv_output_size(n, k, s, p, d)
    x = nabla.tensor(np.zeros((1, 1, n, n), dtype=np.float32))
    conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d, rng=0)
    assert conv(x).shape[2:] == (size, size) and conv.output_shape(n, n) == (1, size, size)
    if d == 1 and p <= k // 2:  # PyTorch's pooling limits
        for ours, theirs in [(nn.MaxPool2d, tF.max_pool2d), (nn.AvgPool2d, tF.avg_pool2d)]:
            pool = ours(k, stride=s, padding=p)
            expected = theirs(torch.zeros(1, 1, n, n), k, s, p).shape[2:]
            assert pool(x).shape[2:] == pool.output_shape(n, n) == (size, size) == tuple(expected)


def test_the_notes_invalid_stride_is_floored_by_default_and_refused_when_strict() -> None:
    """7x7 input, 3x3 kernel, stride 3: (7 - 3) / 3 + 1 = 2.33 (the notes: invalid)."""
    x = nabla.tensor(np.zeros((1, 1, 7, 7), dtype=np.float32))
    assert nn.Conv2d(1, 1, 3, stride=3, rng=0)(x).shape == (1, 1, 2, 2)  # PyTorch's floor
    assert nn.MaxPool2d(3, stride=3)(x).shape == (1, 1, 2, 2)
    assert nn.conv_output_size(7, 3, stride=3) == 2
    message = (
        "conv_output_size: stride 3 does not tile an input of size 7 with kernel_size 3, "
        "padding 0, dilation 1: (N - F + 2P) / S + 1 with F = 3 is (7 - 3 + 0) / 3 + 1 = 2.333, "
        "not an integer, so the last 1 entries of the padded input would never be read. Input "
        "sizes 6 or 9 tile with stride 3; so do strides 1, 2, 4 with this input."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        nn.conv_output_size(7, 3, stride=3, strict=True)
    # the suggestions are right: each tiles
    assert nn.conv_output_size(6, 3, 3, strict=True) == 2
    assert nn.conv_output_size(9, 3, 3, strict=True) == 3
    assert [nn.conv_output_size(7, 3, s, strict=True) for s in (1, 2, 4)] == [5, 3, 2]
    # the notes' valid examples: 32x32 with 5x5 and padding 2 keeps 32; 7x7, 3x3, stride 2 -> 3
    assert nn.conv_output_size(32, 5, 1, 2, strict=True) == 32
    assert nn.conv_output_size(7, 3, 2, strict=True) == 3


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        ((0, 3), {}, ValueError, "the kernel spans 3 entries (kernel_size 3, dilation 1), more"),
        ((5, 3), {"dilation": 3}, ValueError, "the kernel spans 7 entries"),
        ((5, 0), {}, ValueError, "kernel_size must be an int >= 1, got 0"),
        ((5, 3), {"stride": 0}, ValueError, "stride must be an int >= 1, got 0"),
        ((5, 3), {"padding": -1}, ValueError, "padding must be an int >= 0, got -1"),
        ((5.0, 3), {}, ValueError, "input_size must be an int >= 0, got 5.0"),
        ((5, True), {}, ValueError, "kernel_size must be an int >= 1, got True"),
        ((5, 3), {"strict": "yes"}, TypeError, "strict must be a bool, got 'yes'"),
    ],
)
def test_conv_output_size_bad_arguments(args, kwargs, error, message) -> None:
    with pytest.raises(error, match="conv_output_size: " + re.escape(message)):
        F.conv_output_size(*args, **kwargs)


# ---- pooling integer and boolean tensors ---------------------------------------------------------
def _max_pool_ref(x: np.ndarray, k: int, s: int, p: int) -> np.ndarray:
    """A loop over windows; padding entries are skipped (so they can never win)."""
    n, c, h, w = x.shape
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    y = np.empty((n, c, oh, ow), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * s - p, j * s - p
            win = x[:, :, max(r0, 0) : r0 + k, max(c0, 0) : c0 + k]
            y[:, :, i, j] = win.max(axis=(2, 3))
    return y


@pytest.mark.parametrize(
    "dtype", [np.int64, np.int32, np.int16, np.int8, np.uint8, np.uint16, np.bool_]
)
@pytest.mark.parametrize(("k", "s", "p"), [(3, 2, 1), (2, 1, 1), (3, 3, 1), (2, 2, 0), (4, 1, 2)])
def test_max_pool_of_integers_pads_with_the_smallest_value(dtype, k, s, p) -> None:
    rng = np.random.default_rng(0)
    info = np.iinfo(dtype) if dtype is not np.bool_ else None
    lo, hi = (0, 2) if info is None else (info.min, info.max)
    x0 = rng.integers(lo, hi, (2, 3, 6, 5), endpoint=True).astype(dtype)
    if info is not None:
        x0[0, 0] = info.min  # a channel of minima: padding must not beat them
    x0[1, 1] = x0.dtype.type(lo)
    y = F.max_pool2d(nabla.tensor(x0), k, s, p)
    assert y.dtype == dtype
    np.testing.assert_array_equal(y.numpy(), _max_pool_ref(x0, k, s, p))
    np.testing.assert_array_equal(nn.MaxPool2d(k, s, p)(nabla.tensor(x0)).numpy(), y.numpy())
    if dtype in (np.int64, np.int32, np.int16, np.int8, np.uint8):  # what PyTorch pools
        expected = tF.max_pool2d(torch.from_numpy(x0), k, s, p).numpy()
        np.testing.assert_array_equal(y.numpy(), expected)


def test_avg_pool_of_integers_is_refused_before_computing() -> None:
    x = nabla.tensor(np.arange(16).reshape(1, 1, 4, 4))
    message = re.escape(
        "input must be floating point (a mean of integers is not an integer), got dtype int64; "
        "convert it with .float() first"
    )
    with pytest.raises(TypeError, match="avg_pool2d: " + message):
        F.avg_pool2d(x, 2)
    with pytest.raises(TypeError, match="AvgPool2d: " + message):
        nn.AvgPool2d(2, padding=1)(x)
    np.testing.assert_array_equal(x.numpy(), np.arange(16).reshape(1, 1, 4, 4))
