"""``Uniform``: the continuous uniform distribution on an interval."""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.ops.elementwise import where
from nabla.autograd.tensor import Tensor
from nabla.distributions._base import (
    RNG,
    Distribution,
    as_params,
    broadcast_params,
    check_finite,
    check_param,
    expand,
    get_rng,
)


class Uniform(Distribution):
    """Uniform on [low, high]: p(x) = 1 / (high - low) inside, 0 outside.

    mean = (low + high) / 2, variance = (high - low)^2 / 12, H = log(high - low).

    Parameters
    ----------
    low, high : float, array or Tensor
        Finite bounds with low < high.
    validate_args : bool, default True
        Check the bounds (``ValueError`` naming ``low`` or ``high``); ``log_prob`` then
        refuses values outside [low, high] with a ``ValueError``. With
        ``validate_args=False`` it returns -inf there instead.

    Examples
    --------
    >>> from nabla.distributions import Uniform
    >>> u = Uniform(0.0, 4.0)
    >>> u.log_prob(1.0).exp().item(), u.mean.item(), round(u.variance.item(), 4)
    (0.25, 2.0, 1.3333)
    >>> Uniform(0.0, 4.0, validate_args=False).log_prob(5.0).item()
    -inf
    """

    has_rsample = True

    def __init__(self, low: Any, high: Any, validate_args: bool = True) -> None:
        p = as_params("Uniform", low=low, high=high)
        batch = broadcast_params("Uniform", p)
        if validate_args:
            check_finite(p["low"], "Uniform", "low")
            check_finite(p["high"], "Uniform", "high")
            lo, hi = np.broadcast_arrays(p["low"].data, p["high"].data)
            check_param(lo < hi, "Uniform", "high", "greater than low", hi)
        super().__init__(batch, (), validate_args)
        self._store(p)

    @property
    def low(self) -> Tensor:
        """The lower bound, broadcast to ``batch_shape``."""
        return self._param("low")

    @property
    def high(self) -> Tensor:
        """The upper bound, broadcast to ``batch_shape``."""
        return self._param("high")

    @property
    def mean(self) -> Tensor:
        return (self.low + self.high) * 0.5

    @property
    def variance(self) -> Tensor:
        w = self.high - self.low
        return w * w / 12.0

    def log_prob(self, value: Any) -> Tensor:
        """-log(high - low) on [low, high]; outside it, ``ValueError`` (validated) or -inf."""
        v = self._value(value)
        low, high = self.low, self.high
        inside = (low.data <= v.data) & (v.data <= high.data)
        if self.validate_args and not np.all(inside):
            raise ValueError(
                "Uniform.log_prob: value outside the support [low, high]; pass "
                "validate_args=False to get -inf there"
            )
        lp = -(high - low).log()
        shape = np.broadcast_shapes(v.shape, self.batch_shape)
        return where(inside, expand(lp, shape), Tensor(np.full((), -np.inf, dtype=self._dtype)))

    def entropy(self) -> Tensor:
        return (self.high - self.low).log()

    def rsample(self, sample_shape: Any = (), rng: RNG = None) -> Tensor:
        """low + (high - low) u with u ~ U[0, 1): differentiable in ``low`` and ``high``."""
        u = get_rng(rng, "Uniform").random(self._shape(sample_shape)).astype(self._dtype)
        low = self.low
        return low + (self.high - low) * Tensor(u)
