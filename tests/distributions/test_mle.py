"""Maximum likelihood by autograd: the notes' examples and closed forms."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import nabla
from nabla import optim
from nabla.distributions import Bernoulli, MultivariateNormal, Normal, fit_mle

COIN = np.array([1, 0, 1, 1, 0, 0, 1, 0], dtype=np.float64)  # H T H H T T H T, H = 1


def _leaf(v):
    return nabla.tensor(np.asarray(v, dtype=np.float64), requires_grad=True)


def test_coin_mle_is_the_fraction_of_heads() -> None:
    logit = _leaf(2.0)
    nll = fit_mle(lambda: Bernoulli(logits=logit), COIN, optim.SGD([logit], lr=2.0), steps=100)
    p_hat = COIN.mean()  # 4 / 8, the notes' theta = 0.5
    np.testing.assert_allclose(1 / (1 + np.exp(-logit.item())), p_hat, atol=1e-9)
    # the minimum mean NLL is the entropy of the fitted coin, log 2
    np.testing.assert_allclose(nll[-1], np.log(2.0), atol=1e-12)
    assert all(a >= b for a, b in itertools.pairwise(nll))


def test_coin_through_probs_with_a_second_order_method() -> None:
    p = _leaf(0.75)  # the notes' "model 2"
    fit_mle(lambda: Bernoulli(probs=p), COIN[:7], optim.Newton([p]), steps=20, tol=1e-14)
    np.testing.assert_allclose(p.item(), 4 / 7, atol=1e-10)


def test_gaussian_mean_of_the_notes() -> None:
    theta = _leaf(2.5)  # the notes' other guess
    y = np.array([1.0, 0.5, 1.5])
    fit_mle(lambda: Normal(theta, 1.0), y, optim.SGD([theta], lr=0.5), steps=60)
    np.testing.assert_allclose(theta.item(), y.mean(), atol=1e-12)


def test_gaussian_mean_and_variance_closed_form() -> None:
    y = np.random.default_rng(0).normal(3.0, 2.0, size=50)
    mu, log_sigma = _leaf(0.0), _leaf(0.0)
    opt = optim.LBFGS(
        [mu, log_sigma], tolerance_grad=1e-12, tolerance_change=0.0, line_search_fn="strong_wolfe"
    )
    fit_mle(lambda: Normal(mu, log_sigma.exp()), y, opt, steps=10)
    np.testing.assert_allclose(mu.item(), y.mean(), rtol=1e-7)
    # sigma^2_ML = (1/m) sum (y - mean)^2 (the notes), numpy's ddof=0 variance
    np.testing.assert_allclose(np.exp(2 * log_sigma.item()), y.var(), rtol=1e-6)


def test_mvn_mean_mle() -> None:
    y = np.random.default_rng(1).normal(size=(40, 2)) + [1.0, -1.0]
    mu = _leaf(np.zeros(2))
    L = np.array([[1.0, 0.0], [0.3, 0.8]])
    opt = optim.LBFGS(
        [mu], tolerance_grad=1e-12, tolerance_change=0.0, line_search_fn="strong_wolfe"
    )
    fit_mle(lambda: MultivariateNormal(mu, scale_tril=L), y, opt, steps=5)
    np.testing.assert_allclose(mu.numpy(), y.mean(axis=0), rtol=1e-7)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"steps": 0}, ValueError, "steps must be an int >= 1; got 0"),
        ({"tol": -1.0}, ValueError, "tol must be a finite number >= 0"),
        ({"data": np.array([])}, ValueError, "non-empty array of finite numbers"),
        ({"data": np.array([1.0, np.nan])}, ValueError, "non-empty array of finite numbers"),
        ({"make_dist": 3}, TypeError, "make_dist must be a callable"),
        ({"optimizer": "sgd"}, TypeError, "optimizer must be a nabla.optim optimiser"),
        ({"make_dist": lambda: 3.0}, TypeError, "returned float, not a Distribution"),
    ],
)
def test_bad_input_leaves_the_parameter_alone(kwargs, exc, match) -> None:
    theta = _leaf(2.5)
    args = {
        "make_dist": lambda: Normal(theta, 1.0),
        "data": np.array([1.0, 0.5, 1.5]),
        "optimizer": optim.SGD([theta], lr=0.5),
    }
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        fit_mle(args.pop("make_dist"), args.pop("data"), args.pop("optimizer"), **args)
    assert theta.item() == 2.5
