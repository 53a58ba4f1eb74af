"""log_prob, entropy, mean and variance of each family against SciPy's closed forms and
torch.distributions, and gradients of log_prob against PyTorch's autograd (float64)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st
import torch
import torch.distributions as td

import nabla
from nabla.distributions import Bernoulli, Categorical, MultivariateNormal, Normal, Uniform

RNG = np.random.default_rng(20240617)


def _t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=True)


def _n(a):
    return nabla.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def _spd(d, rng):
    A = rng.normal(size=(d, d))
    return A @ A.T + d * np.eye(d)


# ---- Normal ----------------------------------------------------------------------------------
def test_normal_against_scipy_and_torch() -> None:
    loc = RNG.normal(size=(2, 3))
    scale = RNG.uniform(0.3, 2.0, size=(2, 3))
    x = RNG.normal(size=(4, 2, 3)) * 2
    loc_n, scale_n = _n(loc), _n(scale)
    d = Normal(loc_n, scale_n)
    ref = st.norm(loc, scale)
    lp = d.log_prob(x)
    np.testing.assert_allclose(lp.numpy(), ref.logpdf(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d.entropy().numpy(), ref.entropy(), rtol=1e-12)
    np.testing.assert_allclose(d.mean.numpy(), ref.mean())
    np.testing.assert_allclose(d.variance.numpy(), ref.var(), rtol=1e-12)
    np.testing.assert_allclose(d.stddev.numpy(), ref.std(), rtol=1e-12)
    assert d.batch_shape == (2, 3) and d.event_shape == ()

    loc_t, scale_t = _t(loc), _t(scale)
    lp_t = td.Normal(loc_t, scale_t).log_prob(torch.tensor(x))
    (lp * lp).sum().backward()  # a non-trivial upstream gradient
    (lp_t * lp_t).sum().backward()
    np.testing.assert_allclose(loc_n.grad, loc_t.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(scale_n.grad, scale_t.grad.numpy(), rtol=1e-10)


def test_normal_entropy_gradient_and_broadcast_parameters() -> None:
    scale_n, scale_t = _n([0.5, 2.0]), _t([0.5, 2.0])
    d = Normal(0.0, scale_n)
    assert d.batch_shape == (2,) and d.loc.shape == (2,)
    d.entropy().sum().backward()
    td.Normal(torch.zeros(2, dtype=torch.float64), scale_t).entropy().sum().backward()
    np.testing.assert_allclose(scale_n.grad, scale_t.grad.numpy(), rtol=1e-12)  # 1 / sigma


def test_a_distribution_serves_several_backward_calls() -> None:
    loc = _n([0.0, 1.0])
    d = Normal(loc, 1.0)  # loc is broadcast and cast on use, not at construction
    d.log_prob(np.array([1.0, 1.0])).sum().backward()
    d.log_prob(np.array([1.0, 1.0])).sum().backward()
    np.testing.assert_allclose(loc.grad, 2 * np.array([1.0, 0.0]))
    p = _n(0.25)
    b = Bernoulli(probs=p)
    b.log_prob(1.0).backward()
    b.log_prob(1.0).backward()
    np.testing.assert_allclose(p.grad, 2 * 4.0)  # d log p / dp = 1 / p, twice


def test_python_numbers_give_float32_like_torch() -> None:
    d = Normal(0.0, 1.0)
    assert d.dtype == np.float32 and d.log_prob(0.5).dtype == np.float32
    assert td.Normal(0.0, 1.0).log_prob(torch.tensor(0.5)).dtype == torch.float32
    assert Normal(np.float64(0.0), 1.0).dtype == np.float64


# ---- MultivariateNormal --------------------------------------------------------------------
@pytest.mark.parametrize("param", ["covariance_matrix", "scale_tril"])
def test_mvn_against_scipy_and_torch(param) -> None:
    d = 3
    loc = RNG.normal(size=d)
    cov = _spd(d, RNG)
    mat = cov if param == "covariance_matrix" else np.linalg.cholesky(cov)
    x = RNG.normal(size=(5, d)) * 2
    loc_n, mat_n = _n(loc), _n(mat)
    dist = MultivariateNormal(loc_n, **{param: mat_n})
    ref = st.multivariate_normal(loc, cov)
    lp = dist.log_prob(x)
    np.testing.assert_allclose(lp.numpy(), ref.logpdf(x), rtol=1e-11)
    np.testing.assert_allclose(dist.entropy().item(), ref.entropy(), rtol=1e-12)
    np.testing.assert_allclose(dist.mean.numpy(), loc)
    np.testing.assert_allclose(dist.variance.numpy(), np.diag(cov), rtol=1e-12)
    np.testing.assert_allclose(dist.covariance_matrix.numpy(), cov, rtol=1e-12)
    np.testing.assert_allclose(dist.scale_tril.numpy(), np.linalg.cholesky(cov), rtol=1e-12)

    loc_t, mat_t = _t(loc), _t(mat)
    lp_t = td.MultivariateNormal(loc_t, **{param: mat_t}).log_prob(torch.tensor(x))
    (lp * lp).sum().backward()
    (lp_t * lp_t).sum().backward()
    np.testing.assert_allclose(loc_n.grad, loc_t.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(mat_n.grad, mat_t.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_mvn_batched_parameters_against_torch() -> None:
    loc = RNG.normal(size=(2, 1, 2))  # batch (2, 1) x matrices (4,) -> (2, 4)
    covs = np.stack([_spd(2, RNG) for _ in range(4)])
    x = RNG.normal(size=(3, 2, 4, 2))
    dist = MultivariateNormal(loc, covariance_matrix=covs)
    ref = td.MultivariateNormal(torch.tensor(loc), covariance_matrix=torch.tensor(covs))
    assert dist.batch_shape == tuple(ref.batch_shape) == (2, 4)
    assert dist.event_shape == (2,)
    np.testing.assert_allclose(
        dist.log_prob(x).numpy(), ref.log_prob(torch.tensor(x)).numpy(), rtol=1e-11
    )
    np.testing.assert_allclose(dist.entropy().numpy(), ref.entropy().numpy(), rtol=1e-12)


def test_mvn_entropy_gradient_against_torch() -> None:
    cov = _spd(3, RNG)
    c_n, c_t = _n(cov), _t(cov)
    MultivariateNormal(np.zeros(3), covariance_matrix=c_n).entropy().backward()
    td.MultivariateNormal(torch.zeros(3, dtype=torch.float64), c_t).entropy().backward()
    np.testing.assert_allclose(c_n.grad, c_t.grad.numpy(), rtol=1e-9)  # Sigma^-1 / 2


# ---- Bernoulli ---------------------------------------------------------------------------------
def test_bernoulli_probs_against_scipy_and_torch() -> None:
    p = np.array([0.1, 0.5, 0.8])
    x = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    p_n, p_t = _n(p), _t(p)
    d = Bernoulli(probs=p_n)
    lp = d.log_prob(x)
    np.testing.assert_allclose(lp.numpy(), st.bernoulli(p).logpmf(x), rtol=1e-12)
    np.testing.assert_allclose(d.entropy().numpy(), st.bernoulli(p).entropy(), rtol=1e-12)
    np.testing.assert_allclose(d.mean.numpy(), p)
    np.testing.assert_allclose(d.variance.numpy(), p * (1 - p), rtol=1e-15)
    lp_t = td.Bernoulli(probs=p_t).log_prob(torch.tensor(x))
    (lp * lp).sum().backward()
    (lp_t * lp_t).sum().backward()
    np.testing.assert_allclose(p_n.grad, p_t.grad.numpy(), rtol=1e-9)


def test_bernoulli_logits_against_torch_including_large_logits() -> None:
    logits = np.array([-40.0, -2.0, 0.0, 3.0, 40.0])
    x = np.array([1.0, 0.0, 1.0, 0.0, 0.0])
    l_n, l_t = _n(logits), _t(logits)
    d = Bernoulli(logits=l_n)
    ref = td.Bernoulli(logits=l_t)
    lp, lp_t = d.log_prob(x), ref.log_prob(torch.tensor(x))
    np.testing.assert_allclose(lp.numpy(), lp_t.detach().numpy(), rtol=1e-12)  # -40 is finite
    np.testing.assert_allclose(
        d.entropy().numpy(), ref.entropy().detach().numpy(), rtol=1e-9, atol=1e-15
    )
    np.testing.assert_allclose(d.probs.numpy(), ref.probs.detach().numpy(), rtol=1e-12)
    (lp.sum() + d.entropy().sum()).backward()
    (lp_t.sum() + ref.entropy().sum()).backward()
    np.testing.assert_allclose(l_n.grad, l_t.grad.numpy(), rtol=1e-9, atol=1e-15)


def test_bernoulli_entropy_is_the_notes_formula_at_its_extremes() -> None:
    p = np.array([0.0, 0.5, 1.0])
    h = Bernoulli(probs=p).entropy().numpy()
    np.testing.assert_allclose(h, [0.0, np.log(2.0), 0.0], atol=1e-14)


# ---- Categorical -------------------------------------------------------------------------------
def test_categorical_probs_against_numpy_scipy_and_torch() -> None:
    probs = RNG.dirichlet(np.ones(4), size=2)  # batch of 2, K = 4
    x = np.array([[0, 3], [2, 2], [1, 0]])
    p_n, p_t = _n(probs), _t(probs)
    d = Categorical(probs=p_n)
    lp = d.log_prob(x)
    np.testing.assert_allclose(lp.numpy(), np.log(probs[[0, 1], x]), rtol=1e-12)
    np.testing.assert_allclose(d.entropy().numpy(), st.entropy(probs, axis=-1), rtol=1e-12)
    k = np.arange(4)
    ref_moments = [st.rv_discrete(values=(k, p)) for p in probs]
    np.testing.assert_allclose(d.mean.numpy(), [r.mean() for r in ref_moments], rtol=1e-12)
    np.testing.assert_allclose(d.variance.numpy(), [r.var() for r in ref_moments], rtol=1e-10)
    lp_t = td.Categorical(probs=p_t).log_prob(torch.tensor(x))
    (lp * lp).sum().backward()
    (lp_t * lp_t).sum().backward()
    np.testing.assert_allclose(p_n.grad, p_t.grad.numpy(), rtol=1e-9)


def test_categorical_logits_against_torch() -> None:
    logits = RNG.normal(size=(3, 5)) * 3
    x = np.array([4, 0, 2])
    l_n, l_t = _n(logits), _t(logits)
    d, ref = Categorical(logits=l_n), td.Categorical(logits=l_t)
    lp, lp_t = d.log_prob(x), ref.log_prob(torch.tensor(x))
    np.testing.assert_allclose(lp.numpy(), lp_t.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(d.entropy().numpy(), ref.entropy().detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(d.probs.numpy(), ref.probs.detach().numpy(), rtol=1e-12)
    (lp.sum() + d.entropy().sum()).backward()
    (lp_t.sum() + ref.entropy().sum()).backward()
    np.testing.assert_allclose(l_n.grad, l_t.grad.numpy(), rtol=1e-9, atol=1e-14)


def test_categorical_zero_probability_class() -> None:
    d = Categorical(probs=[0.5, 0.5, 0.0])
    np.testing.assert_allclose(d.entropy().item(), np.log(2.0), rtol=1e-6)
    assert d.log_prob(2).item() < -15  # log(eps): the impossible class, clipped like PyTorch


# ---- Uniform -----------------------------------------------------------------------------------
def test_uniform_against_scipy_and_torch() -> None:
    low, high = np.array([-1.0, 0.5]), np.array([2.0, 0.75])
    x = np.array([[0.0, 0.6], [1.9, 0.7]])
    lo_n, hi_n, lo_t, hi_t = _n(low), _n(high), _t(low), _t(high)
    d = Uniform(lo_n, hi_n)
    ref = st.uniform(loc=low, scale=high - low)
    lp = d.log_prob(x)
    np.testing.assert_allclose(lp.numpy(), ref.logpdf(x), rtol=1e-12)
    np.testing.assert_allclose(d.entropy().numpy(), ref.entropy(), rtol=1e-12)
    np.testing.assert_allclose(d.mean.numpy(), ref.mean(), rtol=1e-12)
    np.testing.assert_allclose(d.variance.numpy(), ref.var(), rtol=1e-12)
    lp_t = td.Uniform(lo_t, hi_t).log_prob(torch.tensor(x))
    (lp * lp).sum().backward()
    (lp_t * lp_t).sum().backward()
    np.testing.assert_allclose(lo_n.grad, lo_t.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(hi_n.grad, hi_t.grad.numpy(), rtol=1e-12)


def test_uniform_outside_support_is_minus_inf_without_validation() -> None:
    d = Uniform(0.0, 1.0, validate_args=False)
    out = d.log_prob(np.array([-0.5, 0.5, 1.5])).numpy()
    assert out[0] == -np.inf and out[2] == -np.inf and out[1] == 0.0
