"""Bad parameters and values: ValueError naming the parameter, as torch's validate_args."""

from __future__ import annotations

import numpy as np
import pytest

import nabla
from nabla.distributions import Bernoulli, Categorical, MultivariateNormal, Normal, Uniform


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Normal(0.0, -1.0), r"Normal: scale must be positive and finite; got \[-1\]"),
        (lambda: Normal(0.0, 0.0), "scale must be positive"),
        (lambda: Normal(np.nan, 1.0), "loc must be finite"),
        (lambda: Normal(np.zeros(2), np.ones(3)), r"do not broadcast: loc \(2,\), scale \(3,\)"),
        (lambda: Uniform(1.0, 1.0), "high must be greater than low"),
        (lambda: Uniform(0.0, np.inf), "high must be finite"),
        (lambda: Bernoulli(probs=1.5), r"probs must be in \[0, 1\]; got \[1.5\]"),
        (lambda: Bernoulli(probs=[0.5, -0.1]), r"probs must be in \[0, 1\]; got \[-0.1\]"),
        (lambda: Bernoulli(logits=np.inf), "logits must be finite"),
        (lambda: Bernoulli(), "exactly one of probs and logits"),
        (lambda: Bernoulli(probs=0.5, logits=0.0), "exactly one of probs and logits"),
        (lambda: Categorical(probs=[0.5, 0.6]), "probs must be summing to 1"),
        (lambda: Categorical(probs=[1.2, -0.2]), "probs must be non-negative"),
        (lambda: Categorical(logits=5.0), "at least one axis"),
        (
            lambda: MultivariateNormal(np.zeros(2), covariance_matrix=[[1.0, 2.0], [2.0, 1.0]]),
            "covariance_matrix must be positive definite",
        ),
        (
            lambda: MultivariateNormal(np.zeros(2), covariance_matrix=[[1.0, 0.5], [0.0, 1.0]]),
            "covariance_matrix must be symmetric",
        ),
        (
            lambda: MultivariateNormal(np.zeros(2), scale_tril=[[1.0, 0.5], [0.0, 1.0]]),
            "scale_tril must be lower-triangular",
        ),
        (
            lambda: MultivariateNormal(np.zeros(2), scale_tril=[[1.0, 0.0], [0.5, -1.0]]),
            "scale_tril must be with a positive diagonal",
        ),
        (
            lambda: MultivariateNormal(np.zeros(3), covariance_matrix=np.eye(2)),
            r"must have shape \(\.\.\., 3, 3\)",
        ),
        (lambda: MultivariateNormal(np.zeros(2)), "exactly one of covariance_matrix"),
    ],
)
def test_bad_parameters(make, match) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_non_finite_covariance_refused_even_without_validation() -> None:
    cov = np.array([[1.0, np.nan], [np.nan, 1.0]])
    with pytest.raises(ValueError, match="covariance_matrix must be finite"):
        MultivariateNormal(np.zeros(2), covariance_matrix=cov, validate_args=False)
    with pytest.raises(ValueError, match="positive definite"):  # LAPACK still says no
        MultivariateNormal(np.zeros(2), covariance_matrix=-np.eye(2), validate_args=False)


def test_validation_does_not_touch_the_inputs() -> None:
    probs = nabla.tensor(np.array([0.5, 1.5]), requires_grad=True)
    before = probs.numpy().copy()
    with pytest.raises(ValueError, match="probs"):
        Bernoulli(probs=probs)
    np.testing.assert_array_equal(probs.numpy(), before)
    assert probs.grad is None


def test_non_numeric_parameters() -> None:
    with pytest.raises(TypeError, match="loc must be numeric"):
        Normal("a", 1.0)


def test_values_outside_the_support() -> None:
    with pytest.raises(ValueError, match=r"must be 0 or 1"):
        Bernoulli(probs=0.5).log_prob(0.5)
    # without validation, the formula x l - softplus(l) is evaluated (a soft target)
    soft = Bernoulli(probs=0.5, validate_args=False).log_prob(0.5).item()
    np.testing.assert_allclose(soft, np.log(0.5), rtol=1e-6)
    c = Categorical(probs=[0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match=r"must be in \[0, 3\) \(K = 3\); got 3"):
        c.log_prob(3)
    with pytest.raises(ValueError, match=r"integer class labels; got 1\.5"):
        c.log_prob(1.5)
    free = Categorical(probs=[0.2, 0.3, 0.5], validate_args=False)
    out = free.log_prob(np.array([3, 1, -1])).numpy()
    assert out[0] == -np.inf and out[2] == -np.inf
    np.testing.assert_allclose(out[1], np.log(0.3), rtol=1e-6)
    with pytest.raises(ValueError, match=r"outside the support \[low, high\]"):
        Uniform(0.0, 1.0).log_prob(2.0)
    with pytest.raises(ValueError, match="value contains NaN"):
        Normal(0.0, 1.0).log_prob(np.nan)


def test_value_shapes() -> None:
    mvn = MultivariateNormal(np.zeros(3), scale_tril=np.eye(3))
    with pytest.raises(ValueError, match=r"end with the event shape \(3,\); got shape \(4, 2\)"):
        mvn.log_prob(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="does not broadcast with the batch shape"):
        Normal(np.zeros(3), 1.0).log_prob(np.zeros(2))
    with pytest.raises(ValueError, match="does not broadcast with the batch shape"):
        Categorical(logits=np.zeros((3, 2))).log_prob(np.zeros(2, dtype=int))
