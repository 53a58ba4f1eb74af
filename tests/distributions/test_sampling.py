"""Samples: shapes, determinism under a seed, and moments within CLT bounds (5 standard
errors, so a correct sampler fails about once in 3.5 million runs per check)."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla.distributions import Bernoulli, Categorical, MultivariateNormal, Normal, Uniform

N = 20_000
Z = 5.0


def _close_mean(samples, mean, var, axis=0):
    # |xbar - mu| < Z sigma / sqrt(n)
    se = np.sqrt(var / samples.shape[axis])
    assert np.all(np.abs(samples.mean(axis=axis) - mean) < Z * se)


def test_normal_moments_and_shape() -> None:
    loc, scale = np.array([-1.0, 3.0]), np.array([0.5, 2.0])
    x = Normal(loc, scale).sample((N,), rng=0).numpy()
    assert x.shape == (N, 2) and x.dtype == np.float64
    _close_mean(x, loc, scale**2)
    # Var(s^2) = 2 sigma^4 / n for a Gaussian
    s2 = x.var(axis=0)
    assert np.all(np.abs(s2 - scale**2) < Z * np.sqrt(2 * scale**4 / N))


def test_mvn_moments() -> None:
    loc = np.array([1.0, -2.0, 0.5])
    A = np.array([[2.0, 0, 0], [0.8, 1.0, 0], [-0.5, 0.3, 0.7]])
    cov = A @ A.T
    x = MultivariateNormal(loc, covariance_matrix=cov).sample((N,), rng=1).numpy()
    assert x.shape == (N, 3)
    _close_mean(x, loc, np.diag(cov))
    # Var of the sample covariance entry: (S_ii S_jj + S_ij^2) / n
    emp = np.cov(x.T, bias=True)
    se = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov**2) / N)
    assert np.all(np.abs(emp - cov) < Z * se)


def test_bernoulli_frequencies() -> None:
    p = np.array([0.05, 0.5, 0.9])
    x = Bernoulli(probs=p).sample((N,), rng=2).numpy()
    assert set(np.unique(x)) <= {0.0, 1.0} and x.shape == (N, 3)
    _close_mean(x, p, p * (1 - p))


def test_categorical_frequencies() -> None:
    p = np.array([0.1, 0.2, 0.3, 0.4])
    x = Categorical(probs=p).sample((N,), rng=3).numpy()
    assert x.dtype == np.int64 and x.min() >= 0 and x.max() <= 3
    freq = np.bincount(x, minlength=4) / N
    assert np.all(np.abs(freq - p) < Z * np.sqrt(p * (1 - p) / N))
    batch = Categorical(logits=np.zeros((2, 3))).sample((5,), rng=0)
    assert batch.shape == (5, 2)


def test_uniform_moments_and_support() -> None:
    x = Uniform(-1.0, 3.0).sample((N,), rng=4).numpy()
    assert x.dtype == np.float32 and x.min() >= -1.0 and x.max() <= 3.0
    _close_mean(x.astype(np.float64), 1.0, 16.0 / 12.0)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Normal(0.0, 1.0),
        lambda: MultivariateNormal(np.zeros(2), scale_tril=np.eye(2)),
        lambda: Bernoulli(probs=0.3),
        lambda: Categorical(probs=[0.2, 0.8]),
        lambda: Uniform(0.0, 1.0),
    ],
)
def test_same_seed_same_samples_and_generators_accepted(make) -> None:
    d = make()
    a = d.sample((3, 2), rng=11).numpy()
    b = d.sample((3, 2), rng=np.random.default_rng(11)).numpy()
    np.testing.assert_array_equal(a, b)
    assert a.shape == (3, 2, *d.batch_shape, *d.event_shape)
    assert not d.sample((3, 2), rng=12).requires_grad
    with pytest.raises(ValueError, match="sample_shape must be"):
        d.sample((-1,), rng=0)
    with pytest.raises(TypeError, match="rng must be None, an int seed"):
        d.sample((2,), rng="seed")


def test_rsample_is_differentiable() -> None:
    loc = nabla.tensor(np.array(1.0), requires_grad=True)
    scale = nabla.tensor(np.array(2.0), requires_grad=True)
    x = Normal(loc, scale).rsample((1000,), rng=5)
    x.mean().backward()
    eps = np.random.default_rng(5).standard_normal(1000)
    np.testing.assert_allclose(loc.grad, 1.0)
    np.testing.assert_allclose(scale.grad, eps.mean(), rtol=1e-12)  # d mean(mu + s eps) / ds
