"""Probability distributions with ``torch.distributions``' interface, on nabla's autograd.

``Normal``, ``MultivariateNormal``, ``Bernoulli``, ``Categorical`` and ``Uniform`` each
give ``log_prob``, ``sample``, ``entropy``, ``mean`` and ``variance``, differentiable in
their parameters (tensors with ``requires_grad``); ``kl_divergence`` gives KL(p || q) for
pairs of one family, and ``fit_mle`` fits parameters by maximum likelihood with any of
nabla's optimisers (the notes' lecture on maximum-likelihood estimation).

Only NumPy and nabla's autograd are imported: this package is part of the light core.

>>> import numpy as np, nabla
>>> from nabla.distributions import Normal
>>> mu = nabla.tensor(0.0, requires_grad=True, dtype=np.float64)
>>> Normal(mu, 1.0).log_prob(np.array([1.0, 0.5, 1.5])).sum().backward()
>>> mu.grad  # sum_i (y_i - mu) / sigma^2
array(3.)
"""

from nabla.distributions._base import Distribution
from nabla.distributions.bernoulli import Bernoulli
from nabla.distributions.categorical import Categorical
from nabla.distributions.kl import kl_divergence, register_kl
from nabla.distributions.mle import fit_mle
from nabla.distributions.multivariate_normal import MultivariateNormal
from nabla.distributions.normal import Normal
from nabla.distributions.uniform import Uniform

__all__ = [
    "Bernoulli",
    "Categorical",
    "Distribution",
    "MultivariateNormal",
    "Normal",
    "Uniform",
    "fit_mle",
    "kl_divergence",
    "register_kl",
]
