"""``Bernoulli``: a coin, the notes' model of heads and tails."""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.distributions._base import (
    RNG,
    Distribution,
    as_params,
    check_finite,
    check_param,
    get_rng,
    probs_to_logits,
    sample_shape_of,
)


class Bernoulli(Distribution):
    """X in {0, 1} with P(X = 1) = p: P(X = x | p) = p^x (1 - p)^(1 - x).

    Written with the logit l = log(p / (1 - p)), as a loss from logits is:

    log P(x) = x l - softplus(l),   H = -p log p - (1 - p) log(1 - p) = softplus(l) - p l

    mean = p, variance = p (1 - p).

    Parameters
    ----------
    probs : float, array or Tensor, optional
        p in [0, 1]. A probability of exactly 0 or 1 is clipped to [eps, 1 - eps] inside
        the logarithms (as PyTorch does), so ``log_prob`` is about -36 (float64) rather than
        -inf for the impossible outcome.
    logits : float, array or Tensor, optional
        l, finite. Give exactly one of ``probs`` and ``logits``.
    validate_args : bool, default True
        Check the parameter (``ValueError`` naming it) and refuse values other than 0 and
        1 in ``log_prob``. With ``validate_args=False``, ``log_prob`` evaluates the
        formula above at any x (the binary cross-entropy with a soft target).

    Examples
    --------
    The notes' coin H T H H T T H T (H = 1): the likelihood theta^4 (1 - theta)^4 is
    highest at theta = 0.5 among the three models of the notes.

    >>> import numpy as np
    >>> from nabla.distributions import Bernoulli
    >>> coin = np.array([1, 0, 1, 1, 0, 0, 1, 0])
    >>> [round(Bernoulli(probs=t).log_prob(coin).sum().exp().item(), 6) for t in (0.75, 0.5)]
    [0.001236, 0.003906]
    >>> round(Bernoulli(probs=0.5).entropy().item(), 6)  # log 2: the most uncertain coin
    0.693147
    """

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool = True) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Bernoulli: give exactly one of probs and logits")
        if probs is not None:
            p = as_params("Bernoulli", probs=probs)
            if validate_args:
                d = p["probs"].data
                check_param((d >= 0) & (d <= 1), "Bernoulli", "probs", "in [0, 1]", d)
        else:
            p = as_params("Bernoulli", logits=logits)
            if validate_args:
                check_finite(p["logits"], "Bernoulli", "logits")
        super().__init__(next(iter(p.values())).shape, (), validate_args)
        self._store(p)

    @property
    def probs(self) -> Tensor:
        """p (``sigmoid(logits)`` when logits were given)."""
        if "probs" in self._raw:
            return self._param("probs")
        return self._param("logits").sigmoid()

    @property
    def logits(self) -> Tensor:
        """l = log(p / (1 - p)), with p clipped to [eps, 1 - eps] when probs were given."""
        if "logits" in self._raw:
            return self._param("logits")
        return probs_to_logits(self._param("probs"), binary=True)

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def variance(self) -> Tensor:
        p = self.probs
        return p * (1.0 - p)

    def log_prob(self, value: Any) -> Tensor:
        """x l - softplus(l); values other than 0 and 1 are refused when validating."""
        v = self._value(value)
        if self.validate_args and not np.all((v.data == 0) | (v.data == 1)):
            raise ValueError("Bernoulli.log_prob: value must be 0 or 1 (the support {0, 1})")
        logits = self.logits
        return v * logits - logits.softplus()

    def entropy(self) -> Tensor:
        # softplus(l) - p l, rewritten with a = |l| (H is even in l) so that nothing cancels:
        # H = softplus(-a) + a sigmoid(-a), accurate to the last bit for large |l|
        a = self.logits.abs()
        return (-a).softplus() + a * (-a).sigmoid()

    def sample(self, sample_shape: Any = (), rng: RNG = None) -> Tensor:
        """0/1 draws (in the parameters' floating dtype, as PyTorch) of shape
        ``sample_shape + batch_shape``."""
        shape = sample_shape_of(sample_shape, "Bernoulli") + self.batch_shape
        u = get_rng(rng, "Bernoulli").random(shape)
        return Tensor((u < self.probs.data).astype(self._dtype))
