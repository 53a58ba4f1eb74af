"""``Normal``: the univariate Gaussian N(mu, sigma^2) of the notes' maximum-likelihood
lecture."""

from __future__ import annotations

from typing import Any

from nabla.autograd.tensor import Tensor
from nabla.distributions._base import (
    LOG_2PI,
    RNG,
    Distribution,
    as_params,
    broadcast_params,
    check_finite,
    check_param,
    get_rng,
)


class Normal(Distribution):
    """Gaussian with mean ``loc`` and standard deviation ``scale``:

    p(x | mu, sigma) = (2 pi sigma^2)^(-1/2) exp(-(x - mu)^2 / (2 sigma^2))

    log p = -(x - mu)^2 / (2 sigma^2) - log sigma - log(2 pi) / 2
    H = 1/2 + log(2 pi) / 2 + log sigma

    Parameters
    ----------
    loc : float, array or Tensor
        Mean mu (any real); a tensor with ``requires_grad`` gets gradients.
    scale : float, array or Tensor
        Standard deviation sigma > 0.
    validate_args : bool, default True
        Check ``loc`` finite and ``scale`` positive and finite (``ValueError`` naming the
        parameter), and refuse NaN values in ``log_prob``.

    Examples
    --------
    The notes' example: y = 1, 0.5, 1.5 independent N(theta, 1). The log-likelihood of
    theta = 1 is larger than that of theta = 2.5:

    >>> import numpy as np
    >>> from nabla.distributions import Normal
    >>> y = np.array([1.0, 0.5, 1.5])
    >>> [round(Normal(theta, 1.0).log_prob(y).sum().item(), 4) for theta in (1.0, 2.5)]
    [-3.0068, -6.3818]
    >>> Normal(0.0, 2.0).sample((2, 3), rng=0).shape
    (2, 3)
    """

    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool = True) -> None:
        p = as_params("Normal", loc=loc, scale=scale)
        batch = broadcast_params("Normal", p)
        if validate_args:
            check_finite(p["loc"], "Normal", "loc")
            s = p["scale"].data
            check_param((s > 0) & (s < float("inf")), "Normal", "scale", "positive and finite", s)
        super().__init__(batch, (), validate_args)
        self._store(p)

    @property
    def loc(self) -> Tensor:
        """mu, broadcast to ``batch_shape``."""
        return self._param("loc")

    @property
    def scale(self) -> Tensor:
        """sigma, broadcast to ``batch_shape``."""
        return self._param("scale")

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        scale = self.scale
        return scale * scale

    @property
    def stddev(self) -> Tensor:
        return self.scale

    def log_prob(self, value: Any) -> Tensor:
        """log p(value); the support is every real number."""
        scale = self.scale
        z = (self._value(value) - self.loc) / scale
        return -0.5 * (z * z) - scale.log() - 0.5 * LOG_2PI

    def entropy(self) -> Tensor:
        return self.scale.log() + 0.5 * (1.0 + LOG_2PI)

    def rsample(self, sample_shape: Any = (), rng: RNG = None) -> Tensor:
        """mu + sigma eps with eps ~ N(0, 1): differentiable in ``loc`` and ``scale``."""
        shape = self._shape(sample_shape)
        eps = get_rng(rng, "Normal").standard_normal(shape).astype(self._dtype)
        return self.loc + self.scale * Tensor(eps)
