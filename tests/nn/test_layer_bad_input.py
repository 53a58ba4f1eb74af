"""Bad input to layers not covered in test_layers.py: each error is a ValueError naming the
layer (or function), what it expected and what it received, raised before any state changes."""

from __future__ import annotations

import re

import numpy as np
import pytest

import nabla
import nabla.nn.functional as F
from nabla import nn


def _t(shape, seed=0):
    return nabla.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def _state(m: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.numpy().copy() for k, v in m.state_dict().items()}


def _assert_unchanged(m: nn.Module, before: dict[str, np.ndarray]) -> None:
    after = _state(m)
    assert list(after) == list(before)
    for k, v in after.items():
        np.testing.assert_array_equal(v, before[k], err_msg=k)


@pytest.mark.parametrize(
    "shape",
    [(6,), (2, 3, 4, 5), (2, 3, 4, 5, 6)]  # wrong rank
    + [(4, 5), (4, 2, 7)],  # wrong channel count
)
def test_batchnorm1d_wrong_shape(shape) -> None:
    bn = nn.BatchNorm1d(3)
    before = _state(bn)
    message = re.escape(
        "BatchNorm1d: expected input of shape (N, 3) or (N, 3, L) (num_features=3), "
        f"got shape {shape}"
    )
    with pytest.raises(ValueError, match=message):
        bn(_t(shape))
    _assert_unchanged(bn, before)  # num_batches_tracked and running stats untouched
    bn.eval()  # evaluation mode checks the same
    with pytest.raises(ValueError, match=message):
        bn(_t(shape))
    _assert_unchanged(bn, before)


@pytest.mark.parametrize("cls", [nn.MaxPool2d, nn.AvgPool2d])
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"padding": -1}, "padding must be an int or a pair of ints >= 0, got -1"),
        ({"padding": (0, -2)}, "padding must be an int or a pair of ints >= 0, got (0, -2)"),
        ({"stride": 0}, "stride must be an int or a pair of ints >= 1, got 0"),
        ({"stride": (2, 0)}, "stride must be an int or a pair of ints >= 1, got (2, 0)"),
        ({"stride": -1}, "stride must be an int or a pair of ints >= 1, got -1"),
    ],
)
def test_pool_bad_padding_or_stride_at_construction(cls, kwargs, message) -> None:
    with pytest.raises(ValueError, match=re.escape(f"{cls.__name__}: {message}")):
        cls(4, **kwargs)


@pytest.mark.parametrize(
    ("fn", "who"), [(F.max_pool2d, "max_pool2d"), (F.avg_pool2d, "avg_pool2d")]
)
def test_functional_pool_bad_stride_and_padding(fn, who) -> None:
    x = _t((1, 1, 4, 4))
    with pytest.raises(ValueError, match=re.escape(f"{who}: stride must be an int or a pair")):
        fn(x, 2, stride=0)
    with pytest.raises(ValueError, match=re.escape(f"{who}: padding must be an int or a pair")):
        fn(x, 2, padding=-1)


@pytest.mark.parametrize("shape", [(4,), (4, 4), (1, 1, 1, 4, 4)])
def test_avgpool2d_wrong_rank(shape) -> None:
    with pytest.raises(
        ValueError,
        match=re.escape(
            "AvgPool2d: expected a 4-D input (N, C, H, W) or a 3-D one (C, H, W), "
            f"got shape {shape}"
        ),
    ):
        nn.AvgPool2d(2)(_t(shape))


def test_linear_on_a_0d_input() -> None:
    layer = nn.Linear(3, 2, rng=0)
    before = _state(layer)
    with pytest.raises(
        ValueError,
        match=re.escape("Linear: expected input of shape (..., 3) (in_features=3), got shape ()"),
    ):
        layer(nabla.tensor(np.float32(1.0)))
    with pytest.raises(ValueError, match=re.escape("got shape ()")):
        layer(np.float32(1.0))  # a NumPy scalar, converted first
    _assert_unchanged(layer, before)
    with pytest.raises(ValueError, match=re.escape("linear: expected input of shape (..., 3)")):
        F.linear(nabla.tensor(np.float32(1.0)), layer.weight, layer.bias)


@pytest.mark.parametrize("pieces", [0, -2, 1.5, True])
def test_functional_maxout_bad_pieces(pieces) -> None:
    with pytest.raises(
        ValueError, match=re.escape(f"maxout: pieces must be an int >= 1, got {pieces!r}")
    ):
        F.maxout(_t((2, 6)), pieces)


def test_functional_maxout_bad_shape() -> None:
    with pytest.raises(
        ValueError,
        match=re.escape(
            "maxout: the last dimension must be a multiple of pieces=4, got shape (2, 6)"
        ),
    ):
        F.maxout(_t((2, 6)), 4)
    with pytest.raises(ValueError, match=re.escape("got shape ()")):
        F.maxout(nabla.tensor(np.float32(1.0)), 1)
