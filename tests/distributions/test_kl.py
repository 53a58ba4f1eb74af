"""kl_divergence for each same-family pair against torch.distributions.kl_divergence, with
gradients, and the registry's behaviour."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as td

import nabla
from nabla.distributions import (
    Bernoulli,
    Categorical,
    MultivariateNormal,
    Normal,
    Uniform,
    kl_divergence,
)

RNG = np.random.default_rng(7)


def _n(a):
    return nabla.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def _t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=True)


def _spd(d):
    A = RNG.normal(size=(d, d))
    return A @ A.T + d * np.eye(d)


def _check(ours, theirs, leaves_n, leaves_t, rtol=1e-10):
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=rtol, atol=1e-13)
    ours.sum().backward()
    theirs.sum().backward()
    for a, b in zip(leaves_n, leaves_t):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_normal_normal() -> None:
    vals = [RNG.normal(size=3), RNG.uniform(0.5, 2, 3), RNG.normal(size=3), RNG.uniform(0.5, 2, 3)]
    n, t = [_n(v) for v in vals], [_t(v) for v in vals]
    ours = kl_divergence(Normal(n[0], n[1]), Normal(n[2], n[3]))
    theirs = td.kl_divergence(td.Normal(t[0], t[1]), td.Normal(t[2], t[3]))
    _check(ours, theirs, n, t)


def test_normal_kl_is_zero_for_equal_and_matches_formula() -> None:
    assert kl_divergence(Normal(1.0, 2.0), Normal(1.0, 2.0)).item() == 0.0
    # log(2) + (1 + 1) / 8 - 1/2 by hand
    expected = np.log(2.0) + 2.0 / 8.0 - 0.5
    np.testing.assert_allclose(kl_divergence(Normal(0.0, 1.0), Normal(1.0, 2.0)).item(), expected)


@pytest.mark.parametrize("param", ["covariance_matrix", "scale_tril"])
def test_mvn_mvn(param) -> None:
    d = 3
    covs = [_spd(d), _spd(d)]
    mats = covs if param == "covariance_matrix" else [np.linalg.cholesky(c) for c in covs]
    vals = [RNG.normal(size=d), mats[0], RNG.normal(size=d), mats[1]]
    n, t = [_n(v) for v in vals], [_t(v) for v in vals]
    ours = kl_divergence(
        MultivariateNormal(n[0], **{param: n[1]}), MultivariateNormal(n[2], **{param: n[3]})
    )
    theirs = td.kl_divergence(
        td.MultivariateNormal(t[0], **{param: t[1]}), td.MultivariateNormal(t[2], **{param: t[3]})
    )
    _check(ours, theirs, n, t, rtol=1e-9)


def test_mvn_mvn_batched() -> None:
    locs = RNG.normal(size=(2, 2))
    covs = np.stack([_spd(2), _spd(2)])
    p = MultivariateNormal(locs, covariance_matrix=covs)
    q = MultivariateNormal(np.zeros(2), covariance_matrix=_spd(2))
    ref = td.kl_divergence(
        td.MultivariateNormal(torch.tensor(locs), torch.tensor(covs)),
        td.MultivariateNormal(
            torch.zeros(2, dtype=torch.float64), torch.tensor(q.covariance_matrix.numpy())
        ),
    )
    np.testing.assert_allclose(kl_divergence(p, q).numpy(), ref.numpy(), rtol=1e-10)


def test_bernoulli_bernoulli() -> None:
    vals = [[0.1, 0.5, 0.9], [0.3, 0.5, 0.2]]
    n, t = [_n(v) for v in vals], [_t(v) for v in vals]
    ours = kl_divergence(Bernoulli(probs=n[0]), Bernoulli(probs=n[1]))
    theirs = td.kl_divergence(td.Bernoulli(probs=t[0]), td.Bernoulli(probs=t[1]))
    _check(ours, theirs, n, t)
    lg = [RNG.normal(size=4) * 3, RNG.normal(size=4) * 3]
    n, t = [_n(v) for v in lg], [_t(v) for v in lg]
    ours = kl_divergence(Bernoulli(logits=n[0]), Bernoulli(logits=n[1]))
    theirs = td.kl_divergence(td.Bernoulli(logits=t[0]), td.Bernoulli(logits=t[1]))
    _check(ours, theirs, n, t)


def test_categorical_categorical() -> None:
    vals = [RNG.dirichlet(np.ones(4), size=3), RNG.dirichlet(np.ones(4), size=3)]
    n, t = [_n(v) for v in vals], [_t(v) for v in vals]
    ours = kl_divergence(Categorical(probs=n[0]), Categorical(probs=n[1]))
    theirs = td.kl_divergence(td.Categorical(probs=t[0]), td.Categorical(probs=t[1]))
    _check(ours, theirs, n, t)


def test_categorical_zero_probabilities_as_torch() -> None:
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.0, 0.75])
    ours = kl_divergence(Categorical(probs=p), Categorical(probs=q)).item()
    assert ours == np.inf
    assert (
        td.kl_divergence(td.Categorical(torch.tensor(p)), td.Categorical(torch.tensor(q))) == np.inf
    )
    # a zero p_k contributes nothing: KL([.5, .5, 0] || [.25, .25, .5]) = log 2
    q2 = np.array([0.25, 0.25, 0.5])
    np.testing.assert_allclose(
        kl_divergence(Categorical(probs=p), Categorical(probs=q2)).item(), np.log(2.0), rtol=1e-12
    )


def test_uniform_uniform_inside_and_outside() -> None:
    vals = [[0.0, -1.0], [1.0, 0.5], [-1.0, -3.0], [2.0, 1.0]]
    n, t = [_n(v) for v in vals], [_t(v) for v in vals]
    ours = kl_divergence(Uniform(n[0], n[1]), Uniform(n[2], n[3]))
    theirs = td.kl_divergence(td.Uniform(t[0], t[1]), td.Uniform(t[2], t[3]))
    _check(ours, theirs, n, t)
    out = kl_divergence(Uniform(0.0, 2.0), Uniform(0.0, 1.0)).item()
    assert out == np.inf  # p puts mass where q has none


def test_unknown_pair_and_mismatched_sizes() -> None:
    with pytest.raises(NotImplementedError, match="no formula for Normal and Uniform"):
        kl_divergence(Normal(0.0, 1.0), Uniform(0.0, 1.0))
    with pytest.raises(ValueError, match="3 and 2 categories"):
        kl_divergence(Categorical(logits=np.zeros(3)), Categorical(logits=np.zeros(2)))
    with pytest.raises(ValueError, match="dimensions 2 and 3"):
        kl_divergence(
            MultivariateNormal(np.zeros(2), scale_tril=np.eye(2)),
            MultivariateNormal(np.zeros(3), scale_tril=np.eye(3)),
        )
