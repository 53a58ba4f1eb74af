"""Layer behaviour beyond the generic registry tests: dropout statistics and variants, batch
normalisation over several steps and its backward, convolution and pooling sizes, max-pool
ties, Maxout, and bad input (errors name the layer, the expected and the received value)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import nabla
import nabla.nn.functional as F
from nabla import nn


def _t(shape, seed=0, dtype=np.float32, grad=False):
    return nabla.tensor(
        np.random.default_rng(seed).standard_normal(shape).astype(dtype), requires_grad=grad
    )


# ---- dropout ---------------------------------------------------------------------------------
def test_inverted_dropout_keeps_the_expectation() -> None:
    drop = nn.Dropout(0.3, rng=0)
    x = nabla.tensor(np.ones((200, 500), dtype=np.float32), requires_grad=True)
    y = drop(x)
    vals = y.numpy()
    assert set(np.unique(vals)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((vals == 0).mean() - 0.3) < 0.01 and abs(vals.mean() - 1.0) < 0.01
    y.backward(np.ones_like(vals))
    np.testing.assert_array_equal(x.grad, vals)  # the same mask scales the gradient
    assert drop.eval()(x) is x  # identity at test time


def test_non_inverted_dropout_scales_at_test_time() -> None:
    drop = nn.Dropout(0.25, inverted=False, rng=1)
    x = nabla.tensor(np.full((100, 100), 2.0, dtype=np.float32))
    vals = drop(x).numpy()
    assert set(np.unique(vals)) == {0.0, 2.0} and abs((vals == 0).mean() - 0.25) < 0.02
    np.testing.assert_array_equal(drop.eval()(x).numpy(), 1.5)  # (1 - p) h: "pass p to test"
    assert "inverted=False" in repr(drop)


def test_dropout_randomness_is_seeded() -> None:
    x = nabla.tensor(np.ones(50, dtype=np.float32))
    a, b = nn.Dropout(rng=7), nn.Dropout(rng=7)
    first = a(x).numpy()
    np.testing.assert_array_equal(first, b(x).numpy())
    assert not np.array_equal(first, a(x).numpy())  # successive masks differ
    nn.init.manual_seed(3)
    c = nn.Dropout()(x).numpy()
    nn.init.manual_seed(3)
    np.testing.assert_array_equal(c, nn.Dropout()(x).numpy())
    np.testing.assert_array_equal(nn.Dropout(0.0)(x).numpy(), 1.0)


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5, "0.5", True])
def test_dropout_bad_p(p) -> None:
    with pytest.raises(
        ValueError, match=re.escape(f"p must be a probability in [0, 1), got {p!r}")
    ):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout: p must be a probability"):
        F.dropout(_t(3), p)


# ---- batch normalisation ---------------------------------------------------------------------
def test_batchnorm_backward_equals_the_closed_form() -> None:
    """The notes' chain-rule backward equals gx = gamma / (m sigma) (m g - sum g - x^ sum g x^)."""
    x0 = np.random.default_rng(0).normal(3, 2, (8, 3))
    gamma0 = np.array([0.5, 2.0, -1.0])
    x = nabla.tensor(x0, requires_grad=True)
    bn = nn.BatchNorm1d(3).double()
    bn.weight.data[...] = gamma0
    g = np.random.default_rng(1).standard_normal((8, 3))
    bn(x).backward(g)
    m = 8
    sigma = np.sqrt(x0.var(axis=0) + 1e-5)
    xhat = (x0 - x0.mean(axis=0)) / sigma
    expected = gamma0 / (m * sigma) * (m * g - g.sum(0) - xhat * (g * xhat).sum(0))
    np.testing.assert_allclose(x.grad, expected, rtol=1e-10)
    np.testing.assert_allclose(bn.weight.grad, (g * xhat).sum(0), rtol=1e-10)
    np.testing.assert_allclose(bn.bias.grad, g.sum(0), rtol=1e-10)


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_running_stats_over_steps_like_torch(momentum) -> None:
    torch = pytest.importorskip("torch", reason="compares running statistics with PyTorch")
    bn = nn.BatchNorm2d(2, momentum=momentum).double()
    tbn = torch.nn.BatchNorm2d(2, momentum=momentum).double()
    rng = np.random.default_rng(2)
    for _ in range(3):
        x0 = rng.normal(1, 3, (4, 2, 3, 3))
        bn(nabla.tensor(x0))
        tbn(torch.from_numpy(x0))
    for k, v in tbn.state_dict().items():
        np.testing.assert_allclose(bn.state_dict()[k].numpy(), v.numpy(), rtol=1e-12)
    assert int(bn.num_batches_tracked.item()) == 3
    x0 = rng.normal(0, 1, (2, 2, 3, 3))
    x, tx = nabla.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    bn.eval(), tbn.eval()
    y, ty = bn(x), tbn(tx)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    ty.backward(torch.from_numpy(g))
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(bn.weight.grad, tbn.weight.grad.numpy(), rtol=1e-12)
    bn.reset_parameters()
    assert bn.num_batches_tracked.item() == 0 and (bn.running_var.numpy() == 1).all()


def test_batchnorm_bad_input() -> None:
    bn = nn.BatchNorm2d(3)
    before = {k: v.numpy().copy() for k, v in bn.state_dict().items()}
    with pytest.raises(
        ValueError,
        match=re.escape(
            "BatchNorm2d: expected input of shape (N, 3, H, W) (num_features=3), "
            "got shape (2, 3, 4)"
        ),
    ):
        bn(_t((2, 3, 4)))
    with pytest.raises(ValueError, match=re.escape("got shape (2, 4, 2, 2)")):
        bn(_t((2, 4, 2, 2)))
    with pytest.raises(ValueError, match="more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(_t((1, 3)))
    for k, v in bn.state_dict().items():  # nothing updated by the failed calls
        np.testing.assert_array_equal(v.numpy(), before[k])
    with pytest.raises(
        ValueError, match=re.escape("BatchNorm1d: momentum must be a number in [0, 1], got 2")
    ):
        nn.BatchNorm1d(3, momentum=2)
    with pytest.raises(ValueError, match="eps must be > 0, got 0"):
        nn.BatchNorm1d(3, eps=0)
    with pytest.raises(ValueError, match="num_features must be an int >= 1, got 0"):
        nn.BatchNorm2d(0)


# ---- convolution and pooling -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("size", "k", "p", "s", "d"),
    [(7, 3, 0, 1, 1), (7, 3, 1, 2, 1), (32, 5, 0, 1, 1), (10, 3, 2, 3, 2), (5, 5, 0, 1, 1)],
)
def test_conv_output_size_formula(size, k, p, s, d) -> None:
    conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d, rng=0)
    out = conv(_t((1, 1, size, size))).shape[-1]
    assert out == (size - d * (k - 1) - 1 + 2 * p) // s + 1  # the notes' (W - F + 2P) / S + 1
    assert conv.output_shape(size, size) == (1, out, out)


def test_notes_conv_versus_fully_connected_parameter_counts() -> None:
    """Seed 001: 100 filters of 4x4x3 on 32x32x3 give 29x29x100 = 84,100 outputs and 4,900
    parameters; a fully connected layer to 500 outputs has ~1.5 million."""
    conv = nn.Conv2d(3, 100, 4, rng=0)
    assert sum(p.size for p in conv.parameters()) == 4900
    assert conv(_t((1, 3, 32, 32))).size == 84_100
    assert sum(p.size for p in nn.Linear(3072, 500, rng=0).parameters()) == 3072 * 500 + 500


def test_pooling_output_size_and_values() -> None:
    x = nabla.tensor(np.arange(36, dtype=np.float32).reshape(1, 1, 6, 6))
    y = nn.MaxPool2d(2)(x)
    np.testing.assert_array_equal(y.numpy()[0, 0], [[7, 9, 11], [19, 21, 23], [31, 33, 35]])
    np.testing.assert_array_equal(nn.AvgPool2d(3, stride=3)(x).numpy()[0, 0], [[7, 10], [25, 28]])
    assert nn.MaxPool2d(3, stride=2)(x).shape == (1, 1, 2, 2)  # (W - F) / S + 1
    assert nn.MaxPool2d(2).output_shape(6, 7) == (3, 3)


def test_max_pool_ties_route_like_torch() -> None:
    torch = pytest.importorskip("torch", reason="compares tie handling with PyTorch")
    x0 = np.array([[1, 1, 0, 2], [1, 0, 2, 2], [3, 3, 0, 0], [3, 3, 0, 0]], dtype=np.float32)[
        None, None
    ]
    x0 = np.concatenate([x0, np.zeros_like(x0)], axis=1)  # an all-zero channel: every entry ties
    for kwargs in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1}):
        x, tx = nabla.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
        g = (
            np.random.default_rng(0)
            .standard_normal(F.max_pool2d(x, **kwargs).shape)
            .astype(np.float32)
        )
        F.max_pool2d(x, **kwargs).backward(g)
        tF = torch.nn.functional
        tF.max_pool2d(tx, **kwargs).backward(torch.from_numpy(g))
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-6)


def test_unbatched_inputs() -> None:
    conv, pool = nn.Conv2d(2, 3, 3, rng=0), nn.MaxPool2d(2)
    x = _t((2, 6, 6))
    np.testing.assert_allclose(conv(x).numpy(), conv(x.reshape(1, 2, 6, 6)).numpy()[0], rtol=1e-6)
    assert pool(conv(x)).shape == (3, 2, 2)


def test_conv_and_pool_bad_input() -> None:
    conv = nn.Conv2d(3, 6, 5, rng=0)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Conv2d: expected input with 3 channels, shape (N, 3, H, W), "
            "got shape (64, 1, 28, 28) (1 channels)"
        ),
    ):
        conv(_t((64, 1, 28, 28)))
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Conv2d: expected a 4-D input (N, 3, H, W) or a 3-D one (3, H, W), got shape (28, 28)"
        ),
    ):
        conv(_t((28, 28)))
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Conv2d: kernel size (5, 5) (dilation (1, 1)) is larger than the padded input 4x4"
        ),
    ):
        conv(_t((1, 3, 4, 4)))
    with pytest.raises(
        ValueError, match="Conv2d: padding must be an int or a pair of ints >= 0, got -1"
    ):
        nn.Conv2d(3, 6, 5, padding=-1)
    with pytest.raises(
        ValueError, match="Conv2d: stride must be an int or a pair of ints >= 1, got 0"
    ):
        nn.Conv2d(3, 6, 5, stride=0)
    with pytest.raises(
        ValueError, match=r"kernel_size must be an int or a pair of ints >= 1, got \(3, 0\)"
    ):
        nn.Conv2d(3, 6, (3, 0))
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        nn.Conv2d(3, 6, 3, stride=2, padding="same")
    with pytest.raises(
        ValueError, match=r"groups=4 must divide in_channels \(4\) and out_channels \(6\)"
    ):
        nn.Conv2d(4, 6, 3, groups=4)
    with pytest.raises(ValueError, match="in_channels must be an int >= 1, got 0"):
        nn.Conv2d(0, 6, 5)
    with pytest.raises(
        ValueError,
        match=re.escape("MaxPool2d: padding 2 must be at most half the kernel size (2, 2)"),
    ):
        nn.MaxPool2d(2, padding=2)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "AvgPool2d: kernel size (3, 3) (dilation (1, 1)) is larger than the padded input 2x2"
        ),
    ):
        nn.AvgPool2d(3)(_t((1, 1, 2, 2)))
    with pytest.raises(
        ValueError,
        match=re.escape(
            "MaxPool2d: expected a 4-D input (N, C, H, W) or a 3-D one (C, H, W), got shape (4, 4)"
        ),
    ):
        nn.MaxPool2d(2)(_t((4, 4)))


# ---- linear, activations, maxout --------------------------------------------------------------
def test_linear_bad_input_and_arrays() -> None:
    layer = nn.Linear(784, 10, rng=0)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Linear: expected input of shape (..., 784) (in_features=784), got shape (64, 100)"
        ),
    ):
        layer(_t((64, 100)))
    with pytest.raises(ValueError, match="out_features must be an int >= 0, got -3"):
        nn.Linear(3, -3)
    with pytest.raises(TypeError, match="bias must be a bool"):
        nn.Linear(3, 3, bias="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="dtype must be a floating-point type"):
        nn.Linear(3, 3, dtype=np.int32)
    x = np.ones((2, 784), dtype=np.float32)  # a NumPy array is accepted as input
    np.testing.assert_allclose(layer(x).numpy(), layer(nabla.tensor(x)).numpy())
    assert nn.Linear(3, 3, dtype=np.float64, rng=0).weight.dtype == np.float64


def test_maxout_is_the_max_of_linear_pieces() -> None:
    m = nn.Maxout(4, 3, pieces=2, rng=0)
    x = _t((5, 4), seed=1)
    w, b = m.weight.numpy(), m.bias.numpy()
    pieces = (x.numpy() @ w.T + b).reshape(5, 3, 2)
    np.testing.assert_allclose(m(x).numpy(), pieces.max(axis=-1), rtol=1e-6)
    assert m.weight.shape == (6, 4)
    with pytest.raises(
        ValueError, match=re.escape("Maxout: expected input of shape (..., 4), got shape (5, 3)")
    ):
        m(_t((5, 3)))
    with pytest.raises(ValueError, match="pieces must be an int >= 1, got 0"):
        nn.Maxout(4, 3, pieces=0)


def test_activation_bad_hyper_parameters() -> None:
    with pytest.raises(
        ValueError, match="LeakyReLU: negative_slope must be a finite number, got 'a'"
    ):
        nn.LeakyReLU("a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"ELU: alpha must be a number >= 0.0, got -1"):
        nn.ELU(-1)
    with pytest.raises(ValueError, match="Softplus: beta must be > 0, got 0"):
        nn.Softplus(beta=0)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "PReLU: expected input with 3 channels on axis 1, shape (N, 3, ...), got shape (2, 4)"
        ),
    ):
        nn.PReLU(3)(_t((2, 4)))
    with pytest.raises(
        IndexError,
        match=re.escape("softmax: dimension out of range (expected to be in range of [-2, 1], but"),
    ):
        nn.Softmax(dim=2)(_t((2, 4)))
    with pytest.raises(ValueError, match="Flatten: start_dim=3, end_dim=-1 are out of range"):
        nn.Flatten(3)(_t((2, 4)))


def test_softmax_default_dim_is_torchs_rule() -> None:
    x = _t((2, 3, 4))
    np.testing.assert_allclose(nn.Softmax()(x).numpy().sum(axis=0), 1, rtol=1e-6)  # 3-D: dim 0
    np.testing.assert_allclose(nn.LogSoftmax()(_t((2, 3))).exp().numpy().sum(axis=1), 1, rtol=1e-6)


def test_empty_batch_runs_forward_and_backward() -> None:
    x = nabla.tensor(np.zeros((0, 3, 8, 8), dtype=np.float32), requires_grad=True)
    net = nn.Sequential(
        nn.Conv2d(3, 4, 3, rng=0),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 2, 3, stride=2, padding=1, rng=0),
        nn.Flatten(),
        nn.Linear(8, 3, rng=0),
    )
    y = net(x)
    assert y.shape == (0, 3)
    y.sum().backward()
    assert x.grad.shape == (0, 3, 8, 8) and not net[0].weight.grad.any()
    assert F.flatten(x).shape == (0, 192)
