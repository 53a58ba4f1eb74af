"""plot_filters and plot_feature_maps: the tiles are the weights and the layer's outputs."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla import nn
from nabla.nn import functional as F
from nabla.plot import plot_feature_maps, plot_filters
from tests.plot._helpers import assert_blank, blank_axes


def _tile(mosaic, t, n_cols, h, w):
    r, c = divmod(t, n_cols)
    return mosaic[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w]


def test_single_channel_filters_in_a_square_grid() -> None:
    conv = nn.Conv2d(1, 6, 5, rng=0)
    ax = plot_filters(conv, ax=blank_axes())
    mosaic = np.ma.filled(ax.images[0].get_array(), np.nan)
    assert mosaic.shape == (2 * 6 - 1, 3 * 6 - 1)  # 6 filters: 2 rows of 3, 1 px gaps
    W = conv.weight.data.astype(np.float64)
    for o in range(6):
        np.testing.assert_array_equal(_tile(mosaic, o, 3, 5, 5), W[o, 0])
    assert np.isnan(mosaic[5, :]).all() and np.isnan(mosaic[:, 5]).all()  # the gaps
    vmin, vmax = ax.images[0].get_clim()
    assert vmin == -vmax == -np.abs(W).max()  # centred on 0
    assert ax.images[0].colorbar is not None
    assert ax.get_title() == "convolution filters (6 x 1 x 5 x 5)"


def test_multi_channel_filters_rows_are_outputs() -> None:
    W = np.random.default_rng(0).normal(size=(4, 3, 2, 2))
    ax = plot_filters(W)
    mosaic = np.ma.filled(ax.images[0].get_array(), np.nan)
    for o in range(4):
        for c in range(3):
            np.testing.assert_array_equal(_tile(mosaic, 3 * o + c, 3, 2, 2), W[o, c])
    assert ax.get_xlabel() == "input channel" and ax.get_ylabel() == "output channel (filter)"


def test_feature_maps_are_the_layer_output_in_eval_mode() -> None:
    net = nn.Sequential(
        nn.Conv2d(1, 4, 3, rng=0), nn.BatchNorm2d(4), nn.ReLU(), nn.Dropout(0.5), nn.Flatten()
    )
    net.train()
    net[1].eval()  # a sub-module in its own mode, which must survive the call
    before = {k: v.data.copy() for k, v in net.state_dict().items()}
    x = np.random.default_rng(1).normal(size=(1, 1, 9, 9)).astype(np.float32)
    ax = plot_feature_maps(net, x, layer="3", ax=blank_axes())  # after dropout
    # the oracle: the same layers called by hand in evaluation mode (dropout is the identity)
    bn = net[1]
    z = F.conv2d(nabla.tensor(x), net[0].weight, net[0].bias).data.astype(np.float64)[0]
    rm = bn.running_mean.data.astype(np.float64)[:, None, None]
    rv = bn.running_var.data.astype(np.float64)[:, None, None]
    g = bn.weight.data.astype(np.float64)[:, None, None]
    b = bn.bias.data.astype(np.float64)[:, None, None]
    expected = np.maximum((z - rm) / np.sqrt(rv + bn.eps) * g + b, 0.0)
    mosaic = np.ma.filled(ax.images[0].get_array(), np.nan)
    for ch in range(4):
        np.testing.assert_allclose(_tile(mosaic, ch, 2, 7, 7), expected[ch], rtol=1e-5, atol=1e-6)
    assert ax.get_title() == "feature maps of layer '3' (Dropout): 4 x 7 x 7"
    # modes restored one by one, and no state changed (batch-norm statistics)
    assert net.training and net[0].training and not net[1].training and net[3].training
    after = net.state_dict()
    assert all(np.array_equal(before[k], after[k].data) for k in before)
    # the layer may be given as the module itself; a (C, H, W) image works too
    ax2 = plot_feature_maps(net, x[0], layer=net[2])
    np.testing.assert_array_equal(ax2.images[0].get_array(), ax.images[0].get_array())


@pytest.mark.parametrize(
    ("layer", "x_shape", "exc", "match"),
    [
        ("4", (1, 1, 9, 9), ValueError, r"layer '4' outputs shape \(1, 196\), not feature maps"),
        (
            "conv9",
            (1, 1, 9, 9),
            ValueError,
            r"'conv9' is not a layer of the model; its layers are \[",
        ),
        ("0", (2, 1, 9, 9), ValueError, "x holds 2 images; pass one"),
        ("0", (9, 9), ValueError, "x must be one image"),
    ],
)
def test_feature_maps_bad_input_draws_nothing(layer, x_shape, exc, match) -> None:
    net = nn.Sequential(nn.Conv2d(1, 4, 3, rng=0), nn.ReLU(), nn.Flatten())
    net = nn.Sequential(*net, nn.Identity(), nn.Identity())
    ax = blank_axes()
    with pytest.raises(exc, match=match):
        plot_feature_maps(net, np.zeros(x_shape, dtype=np.float32), layer=layer, ax=ax)
    assert_blank(ax)
    assert net.training


def test_filters_bad_input_draws_nothing() -> None:
    ax = blank_axes()
    with pytest.raises(
        TypeError, match=r"expected a Conv2d layer .* got Linear with a weight of shape \(2, 3\)"
    ):
        plot_filters(nn.Linear(3, 2, rng=0), ax=ax)
    assert_blank(ax)
