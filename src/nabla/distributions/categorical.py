"""``Categorical``: one of K classes, the distribution a softmax classifier predicts."""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.ops.composite import logsumexp, softmax
from nabla.autograd.ops.elementwise import where
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


class Categorical(Distribution):
    """X in {0, ..., K-1} with P(X = k) = p_k (the last axis of the parameter).

    log P(k) = log p_k = l_k - logsumexp(l),   H = -sum_k p_k log p_k

    ``mean`` and ``variance`` are those of the class index k, sum_k k p_k and
    sum_k k^2 p_k - mean^2 (PyTorch returns NaN, the classes being unordered; here they
    are the moments of the integer label, which is what the index counts).

    Parameters
    ----------
    probs : array or Tensor of shape (..., K), optional
        Non-negative, finite, summing to 1 along the last axis (to within 1e-6; they are
        then normalised, as in PyTorch). Zeros are clipped to eps inside the logarithm.
    logits : array or Tensor of shape (..., K), optional
        Finite unnormalised log-probabilities. Give exactly one of the two.
    validate_args : bool, default True
        Check the parameter (``ValueError`` naming it) and refuse, in ``log_prob``, values
        that are not integers in [0, K). With ``validate_args=False``, out-of-range
        integers get -inf; non-integers are still refused.

    Attributes
    ----------
    probs : Tensor (..., K)
    logits : Tensor (..., K)
        Normalised: ``logits = log(probs)``.

    Examples
    --------
    >>> from nabla.distributions import Categorical
    >>> c = Categorical(probs=[0.5, 0.25, 0.25])
    >>> round(c.log_prob(2).exp().item(), 6), round(c.entropy().item(), 6)
    (0.25, 1.039721)
    >>> c.sample((4,), rng=0).shape
    (4,)
    """

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool = True) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Categorical: give exactly one of probs and logits")
        name, given = ("probs", probs) if probs is not None else ("logits", logits)
        p = as_params("Categorical", **{name: given})
        d = p[name].data
        if d.ndim < 1 or d.shape[-1] < 1:
            raise ValueError(
                f"Categorical: {name} must have at least one axis with K >= 1 categories; "
                f"got shape {d.shape}"
            )
        if validate_args:
            check_finite(p[name], "Categorical", name)
        if validate_args and name == "probs":
            check_param(d >= 0, "Categorical", "probs", "non-negative", d)
            tol = max(1e-6, 8 * d.shape[-1] * float(np.finfo(_float(d)).eps))
            total = d.sum(axis=-1)
            check_param(np.abs(total - 1) <= tol, "Categorical", "probs", "summing to 1", total)
        super().__init__(d.shape[:-1], (), validate_args)
        self._store(p)
        self._num_events = d.shape[-1]

    @property
    def probs(self) -> Tensor:
        """p, normalised along the last axis (``softmax(logits)`` when logits were given)."""
        shape = (*self.batch_shape, self._num_events)
        if "probs" in self._raw:
            t = self._param("probs", shape)
            return t / t.sum(axis=-1, keepdims=True)
        return softmax(self._param("logits", shape), axis=-1)

    @property
    def logits(self) -> Tensor:
        """The normalised log-probabilities log p (p clipped to eps when probs were given)."""
        shape = (*self.batch_shape, self._num_events)
        if "probs" in self._raw:
            return probs_to_logits(self.probs, binary=False)
        t = self._param("logits", shape)
        return t - logsumexp(t, axis=-1, keepdims=True)

    @property
    def num_categories(self) -> int:
        """K."""
        return self._num_events

    def _k(self) -> Tensor:
        return Tensor(np.arange(self._num_events, dtype=self._dtype))

    @property
    def mean(self) -> Tensor:
        return (self.probs * self._k()).sum(axis=-1)

    @property
    def variance(self) -> Tensor:
        k = self._k()
        m = self.mean
        return (self.probs * (k * k)).sum(axis=-1) - m * m

    def log_prob(self, value: Any) -> Tensor:
        """log p_value, for integer values in [0, K)."""
        who = "Categorical.log_prob"
        raw = np.asarray(value.data if isinstance(value, Tensor) else value)
        if raw.dtype.kind == "b":
            raw = raw.astype(np.int64)
        if raw.dtype.kind not in "iuf" or not np.all(np.isfinite(raw)) or np.any(raw % 1 != 0):
            raise ValueError(f"{who}: value must hold integer class labels; got {_first(raw)}")
        inside = (raw >= 0) & (raw < self._num_events)
        if self.validate_args and not np.all(inside):
            raise ValueError(
                f"{who}: value must be in [0, {self._num_events}) (K = {self._num_events}); "
                f"got {_first(raw[~inside])}"
            )
        try:
            shape = np.broadcast_shapes(raw.shape, self.batch_shape)
        except ValueError:
            raise ValueError(
                f"{who}: value of shape {raw.shape} does not broadcast with the batch shape "
                f"{self.batch_shape}"
            ) from None
        idx = np.broadcast_to(np.where(inside, raw, 0).astype(np.int64), shape)
        lp = self.logits.broadcast_to((*shape, self._num_events))
        picked = lp[tuple(np.indices(shape, sparse=True)) + (idx,)]  # gather along the last axis
        if np.all(inside):
            return picked
        neg_inf = Tensor(np.full((), -np.inf, dtype=self._dtype))
        return where(np.broadcast_to(inside, shape), picked, neg_inf)

    def entropy(self) -> Tensor:
        return -(self.probs * self.logits).sum(axis=-1)

    def sample(self, sample_shape: Any = (), rng: RNG = None) -> Tensor:
        """Integer labels (int64) of shape ``sample_shape + batch_shape``, by inverting the
        cumulative distribution at uniform draws."""
        shape = sample_shape_of(sample_shape, "Categorical") + self.batch_shape
        u = get_rng(rng, "Categorical").random((*shape, 1))
        cdf = np.cumsum(self.probs.data, axis=-1)
        k = (u >= cdf).sum(axis=-1)  # the first class whose cdf exceeds u
        return Tensor(np.minimum(k, self._num_events - 1).astype(np.int64))


def _float(d: np.ndarray) -> np.dtype:
    return d.dtype if d.dtype.kind == "f" else np.dtype(np.float32)


def _first(values: np.ndarray) -> str:
    flat = values.ravel()
    return ", ".join(str(v) for v in flat[:4]) + (", ..." if flat.size > 4 else "")
