"""``kl_divergence(p, q)``: KL(p || q) = E_p[log p(X) - log q(X)] in closed form.

A registry maps a pair of classes to its formula (as ``torch.distributions.kl``); each
formula is written with differentiable ops, so the divergence can be minimised by
autograd. Pairs within one family are provided; ``register_kl`` adds others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nabla.autograd.ops.elementwise import where
from nabla.autograd.tensor import Tensor
from nabla.distributions._base import Distribution
from nabla.distributions._linalg import diagonal, solve_tril
from nabla.distributions.bernoulli import Bernoulli
from nabla.distributions.categorical import Categorical
from nabla.distributions.multivariate_normal import MultivariateNormal, _mT
from nabla.distributions.normal import Normal
from nabla.distributions.uniform import Uniform

KLFn = Callable[[Any, Any], Tensor]
_KL_REGISTRY: dict[tuple[type, type], KLFn] = {}


def register_kl(type_p: type, type_q: type) -> Callable[[KLFn], KLFn]:
    """Decorator: register ``fn(p, q)`` as KL(p || q) for ``p`` of ``type_p`` and ``q`` of
    ``type_q``.

    Examples
    --------
    A subclass with its own formula takes precedence over its parent's:

    >>> from nabla.distributions import Normal, kl_divergence, register_kl
    >>> class UnitNormal(Normal):  # scale fixed to 1
    ...     def __init__(self, loc):
    ...         super().__init__(loc, 1.0)
    >>> @register_kl(UnitNormal, UnitNormal)
    ... def _kl_unit(p, q):
    ...     return 0.5 * (p.loc - q.loc) ** 2
    >>> kl_divergence(UnitNormal(0.0), UnitNormal(2.0)).item()
    2.0
    """
    for t in (type_p, type_q):
        if not (isinstance(t, type) and issubclass(t, Distribution)):
            raise TypeError(f"register_kl: expected Distribution subclasses, got {t!r}")

    def decorator(fn: KLFn) -> KLFn:
        _KL_REGISTRY[(type_p, type_q)] = fn
        return fn

    return decorator


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p || q), one value per distribution of the (broadcast) batch.

    Parameters
    ----------
    p, q : Distribution
        A pair with a registered formula: Normal-Normal, MultivariateNormal-
        MultivariateNormal, Bernoulli-Bernoulli, Categorical-Categorical, Uniform-Uniform.

    Returns
    -------
    Tensor
        Non-negative, zero when p = q; ``inf`` where p gives mass that q does not (a
        Uniform p outside q's interval, a Categorical p_k > 0 with q_k = 0).

    Raises
    ------
    NotImplementedError
        For a pair of families without a formula (as PyTorch).

    Examples
    --------
    >>> from nabla.distributions import Normal, kl_divergence
    >>> round(kl_divergence(Normal(0.0, 1.0), Normal(1.0, 2.0)).item(), 6)
    0.443147
    """
    fn = None
    for (tp, tq), f in _KL_REGISTRY.items():  # the most specific registered pair wins
        if isinstance(p, tp) and isinstance(q, tq):
            if fn is None or (issubclass(tp, fn[0]) and issubclass(tq, fn[1])):
                fn = (tp, tq, f)
    if fn is None:
        raise NotImplementedError(
            f"kl_divergence: no formula for {type(p).__name__} and {type(q).__name__}; "
            "register one with nabla.distributions.register_kl"
        )
    return fn[2](p, q)


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    # log(sq / sp) + (sp^2 + (mp - mq)^2) / (2 sq^2) - 1/2, written with r = (sp / sq)^2
    r = p.scale / q.scale
    r = r * r
    t = (p.loc - q.loc) / q.scale
    return 0.5 * (r + t * t - 1.0 - r.log())


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    # log((hq - lq) / (hp - lp)) when [lp, hp] lies inside [lq, hq], inf otherwise
    value = ((q.high - q.low) / (p.high - p.low)).log()
    inside = (q.low.data <= p.low.data) & (p.high.data <= q.high.data)
    return where(inside, value, Tensor(np.full((), np.inf, dtype=value.dtype)))


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    # p log(p / q) + (1 - p) log((1 - p) / (1 - q)) with log p = -softplus(-l) and
    # log(1 - p) = -softplus(l): finite for every finite logit
    lp, lq = p.logits, q.logits
    pp = p.probs
    return pp * ((-lq).softplus() - (-lp).softplus()) + (1.0 - pp) * (lq.softplus() - lp.softplus())


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    if p.num_categories != q.num_categories:
        raise ValueError(
            f"kl_divergence: the Categoricals have {p.num_categories} and "
            f"{q.num_categories} categories; they must have the same number"
        )
    pp = p.probs
    t = pp * (p.logits - q.logits)
    # as PyTorch: a zero p_k contributes 0, a zero q_k under a positive p_k makes it inf
    inf = np.broadcast_to((q.probs.data == 0) & (pp.data > 0), t.shape)
    t = where(np.broadcast_to(pp.data == 0, t.shape), t * 0.0, t)
    t = where(inf, Tensor(np.full((), np.inf, dtype=t.dtype)), t)
    return t.sum(axis=-1)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    # (tr(Sq^-1 Sp) + (mq - mp)^T Sq^-1 (mq - mp) - d + log|Sq| - log|Sp|) / 2, with
    # tr(Sq^-1 Sp) = ||Lq^-1 Lp||_F^2 and the quadratic form ||Lq^-1 (mq - mp)||^2
    if p.event_shape != q.event_shape:
        raise ValueError(
            f"kl_divergence: the Gaussians have dimensions {p.event_shape[0]} and "
            f"{q.event_shape[0]}; they must be equal"
        )
    d = p.event_shape[0]
    Lp, Lq = p.scale_tril, q.scale_tril
    Lq_cols = Lq.reshape(*Lq.shape[:-2], 1, d, d)  # one system per column of Lp
    M = solve_tril(Lq_cols, _mT(Lp))  # row k: Lq^-1 (column k of Lp)
    z = solve_tril(Lq, q.loc - p.loc)
    trace = (M * M).sum(axis=(-2, -1))
    maha = (z * z).sum(axis=-1)
    log_det = diagonal(Lq).log().sum(axis=-1) - diagonal(Lp).log().sum(axis=-1)
    return 0.5 * (trace + maha - d) + log_det
