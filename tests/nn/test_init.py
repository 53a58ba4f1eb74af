"""nabla.nn.init: PyTorch's formulas and distributions, seeds, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import nabla
from nabla import nn
from nabla.nn import init


def _ks_uniform(x: np.ndarray, bound: float) -> float:
    return stats.kstest(x.ravel(), stats.uniform(-bound, 2 * bound).cdf).pvalue


def _ks_normal(x: np.ndarray, std: float) -> float:
    return stats.kstest(x.ravel(), stats.norm(0, std).cdf).pvalue


def test_linear_default_init_is_pytorch_uniform() -> None:
    layer = nn.Linear(400, 300, rng=0)
    b = 1 / math.sqrt(400)
    w = layer.weight.numpy()
    assert np.abs(w).max() <= b and np.abs(w).max() > 0.99 * b
    assert _ks_uniform(w, b) > 1e-3
    assert _ks_uniform(nn.Linear(400, 3000, rng=1).bias.numpy(), b) > 1e-3


def test_conv_default_init_is_pytorch_uniform() -> None:
    conv = nn.Conv2d(6, 64, 5, rng=0)
    b = 1 / math.sqrt(6 * 25)
    assert _ks_uniform(conv.weight.numpy(), b) > 1e-3
    assert np.abs(conv.bias.numpy()).max() <= b


def test_default_init_matches_torch_distribution() -> None:
    torch = pytest.importorskip("torch", reason="compares with PyTorch's initial weights")
    torch.manual_seed(0)
    for ours, theirs in [
        (nn.Linear(200, 100, rng=0), torch.nn.Linear(200, 100)),
        (nn.Conv2d(3, 40, 5, rng=0), torch.nn.Conv2d(3, 40, 5)),
    ]:
        a, t = ours.weight.numpy().ravel(), theirs.weight.detach().numpy().ravel()
        assert stats.ks_2samp(a, t).pvalue > 1e-3
        assert abs(np.abs(a).max() - np.abs(t).max()) < 1e-3 * np.abs(t).max() + 1e-4
        assert ours.bias.dtype == np.float32


def test_same_seed_gives_bit_identical_weights() -> None:
    def weights(**kw):
        return [p.numpy().copy() for p in nn.models.LeNet5(**kw).parameters()]

    for a, b in zip(weights(rng=3), weights(rng=3)):
        np.testing.assert_array_equal(a, b)
    init.manual_seed(11)
    first = weights()
    init.manual_seed(11)
    for a, b in zip(first, weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(weights(rng=3)[0], weights(rng=4)[0])
    gen = np.random.default_rng(0)
    assert not np.array_equal(
        nn.Linear(3, 3, rng=gen).weight.numpy(), nn.Linear(3, 3, rng=gen).weight.numpy()
    )
    g = init.manual_seed(1)
    assert init.default_generator() is g


# scale(fan_in, fan_out): the std (normal) or the bound (uniform) each initialiser must give
@pytest.mark.parametrize(
    ("fn", "kwargs", "kind", "scale"),
    [
        (
            init.xavier_uniform_,
            {"gain": 2.0},
            "uniform",
            lambda fi, fo: 2.0 * math.sqrt(6 / (fi + fo)),
        ),
        (init.xavier_normal_, {}, "normal", lambda fi, fo: math.sqrt(2 / (fi + fo))),
        (
            init.kaiming_uniform_,
            {"nonlinearity": "relu"},
            "uniform",
            lambda fi, fo: math.sqrt(2) * math.sqrt(3 / fi),
        ),
        (
            init.kaiming_normal_,
            {"nonlinearity": "relu"},
            "normal",
            lambda fi, fo: math.sqrt(2 / fi),
        ),
        (
            init.kaiming_normal_,
            {"mode": "fan_out", "nonlinearity": "tanh"},
            "normal",
            lambda fi, fo: 5 / 3 / math.sqrt(fo),
        ),
        (init.kaiming_uniform_, {"a": math.sqrt(5)}, "uniform", lambda fi, fo: 1 / math.sqrt(fi)),
        # the notes' small U(-eps, eps), and a plain normal: no fan involved
        (init.uniform_, {"a": -0.01, "b": 0.01}, "uniform", lambda fi, fo: 0.01),
        (init.normal_, {"std": 0.3}, "normal", lambda fi, fo: 0.3),
    ],
)
def test_init_distributions(fn, kwargs, kind, scale) -> None:
    def check(x: np.ndarray, s: float) -> None:
        x = x.astype(np.float64)
        if kind == "uniform":
            assert np.abs(x).max() <= s * (1 + 1e-6) and _ks_uniform(x, s) > 1e-3
        else:
            assert _ks_normal(x, s) > 1e-3

    t4 = nn.Parameter(np.zeros((30, 50), dtype=np.float32))
    data = t4.data
    assert fn(t4, rng=0, **kwargs) is t4 and t4.data is data  # in place
    check(t4.numpy(), scale(50, 30))
    # a receptive field multiplies the fans (conv weights): (30, 50, 4) has fan_in 200 and
    # fan_out 120, so the scale differs from the 2-D case's (except for uniform_ / normal_)
    t = nn.Parameter(np.zeros((30, 50, 4), dtype=np.float32))
    assert fn(t, rng=0, **kwargs) is t
    check(t.numpy(), scale(50 * 4, 30 * 4))
    np.testing.assert_array_equal(fn(t4, rng=5, **kwargs).numpy(), fn(t4, rng=5, **kwargs).numpy())


def test_constant_zeros_ones() -> None:
    t = nn.Parameter(np.ones((2, 3)))
    assert not init.zeros_(t).numpy().any()
    assert (init.ones_(t).numpy() == 1).all()
    assert (init.constant_(t, 0.5).numpy() == 0.5).all()
    assert init.zeros is init.zeros_  # the names without underscore


def test_gain_and_fans_match_torch() -> None:
    torch = pytest.importorskip("torch", reason="compares with torch.nn.init")
    for name, param in [
        ("linear", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
        ("conv2d", None),
    ]:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param)
        )
    for shape in [(4, 3), (8, 3, 5, 5), (2, 7, 3)]:
        ours = init.calculate_fan_in_and_fan_out(nabla.tensor(np.zeros(shape)))
        assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))


def test_init_bad_input() -> None:
    t = nn.Parameter(np.zeros((3, 4)))
    before = t.numpy().copy()
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out', got 'fan'"):
        init.kaiming_uniform_(t, mode="fan")
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.kaiming_normal_(t, nonlinearity="swish")
    with pytest.raises(ValueError, match="at least 2 dimensions, got shape \\(3,\\)"):
        init.xavier_uniform_(nn.Parameter(np.zeros(3)))
    with pytest.raises(
        TypeError, match=r"rng must be None, an int seed or a numpy.random.Generator"
    ):
        init.normal_(t, rng="seed")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="std must be >= 0, got -1"):
        init.normal_(t, std=-1)
    with pytest.raises(ValueError, match="need a <= b"):
        init.uniform_(t, 1.0, 0.0)
    with pytest.raises(TypeError, match="seed must be an int"):
        init.manual_seed(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected a nabla Tensor"):
        init.zeros_(np.zeros(3))  # type: ignore[arg-type]
    np.testing.assert_array_equal(t.numpy(), before)


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("PReLU", (), {}),
        ("PReLU", (5,), {}),
        ("PReLU", (3,), {"init": 0.1}),
        ("BatchNorm1d", (4,), {}),
        ("BatchNorm2d", (3,), {}),
        ("BatchNorm1d", (4,), {"affine": False}),
        ("BatchNorm2d", (3,), {"track_running_stats": False}),
    ],
)
def test_default_parameters_and_buffers_equal_fresh_torch_modules(name, args, kwargs) -> None:
    torch = pytest.importorskip("torch", reason="compares with freshly built torch modules")
    ours = getattr(nn, name)(*args, **kwargs).state_dict()
    theirs = getattr(torch.nn, name)(*args, **kwargs).state_dict()
    assert list(ours) == list(theirs)  # same parameters and buffers, in the same order
    for key, t in theirs.items():
        expected = t.detach().numpy()
        assert ours[key].dtype == expected.dtype, key
        assert ours[key].shape == expected.shape, key
        np.testing.assert_array_equal(ours[key].numpy(), expected, err_msg=key)


def test_default_prelu_and_batchnorm_values() -> None:
    np.testing.assert_array_equal(nn.PReLU().weight.numpy(), np.float32([0.25]))
    np.testing.assert_array_equal(nn.PReLU(3).weight.numpy(), np.full(3, 0.25, np.float32))
    bn = nn.BatchNorm2d(3)
    for key, value in [("weight", 1), ("bias", 0), ("running_mean", 0), ("running_var", 1)]:
        np.testing.assert_array_equal(getattr(bn, key).numpy(), np.full(3, value, np.float32))
    assert bn.num_batches_tracked.item() == 0 and bn.num_batches_tracked.dtype == np.int64
