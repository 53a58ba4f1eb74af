"""LAMB: layer-wise adaptive moments for large batches (You et al., 2020), named by the
bootstrap lecture among "fancier alternatives to SGD (Adagrad, Adam, LAMB, etc.)"."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.optim._util import check_bool, check_real, grad_with_decay, lerp_
from nabla.optim.nadam import check_betas
from nabla.optim.optimizer import Optimizer, ParamsT


def _norm(a: np.ndarray) -> float:
    """The Euclidean norm of all entries of ``a`` (a dot product, no LAPACK)."""
    flat = a.reshape(-1)
    return math.sqrt(float(np.dot(flat, flat)))


class LAMB(Optimizer):
    r"""LAMB (You et al., 2020, Algorithm 2): Adam's step, rescaled layer by layer so that
    each layer moves by a fixed fraction of its own norm.

    With very large batches a single learning rate is too large for some layers and too
    small for others; LAMB computes Adam's direction :math:`r` (plus the weight decay) for
    each layer (here: each parameter tensor) and scales it by the trust ratio
    :math:`\phi(\|\theta\|) / \|r + \lambda\theta\|`, so the step of layer :math:`i` has
    length :math:`\eta\,\phi(\|\theta^{(i)}\|)` whatever the scale of its gradients.

    Algorithm (one ``step``, for each parameter tensor :math:`\theta`; :math:`m`, :math:`v`
    start at zero)::

        t <- t + 1
        g <- -g                                        if maximize
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        m_hat <- m / (1 - beta1**t);  v_hat <- v / (1 - beta2**t)    if bias_correction
        r <- m_hat / (sqrt(v_hat) + eps)
        u <- r + weight_decay * theta
        phi <- min(max(||theta||, gamma_l), gamma_u)    (||theta|| without weight_norm_bounds)
        ratio <- phi / ||u||,   or 1 if phi = 0 or ||u|| = 0
        theta <- theta - lr * ratio * u

    The paper leaves the ratio undefined when a layer or its step is zero (a bias that
    starts at zero would never move); as common implementations do, the ratio is then 1,
    which is Adam's step (with decoupled weight decay).

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups; each tensor is one "layer".
    lr : float, default 1e-3
        Learning rate :math:`\eta` (>= 0).
    betas : (float, float), default (0.9, 0.999)
        Decay rates of the first and second moments, each in [0, 1).
    eps : float, default 1e-6
        Added to the denominator (> 0; the paper's experiments use 1e-6).
    weight_decay : float, default 0
        :math:`\lambda` (>= 0), added to the direction before the trust ratio.
    bias_correction : bool, default True
        Divide the moments by :math:`1 - \beta^t`.
    weight_norm_bounds : (float, float), optional
        :math:`(\gamma_l, \gamma_u)` of the paper's scaling :math:`\phi`, with
        0 <= gamma_l <= gamma_u; None: :math:`\phi(z) = z`.
    maximize : bool, default False
        Maximise the objective instead of minimising it.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.nn.parameter import Parameter
    >>> from nabla.optim import LAMB
    >>> w = Parameter(np.array([3.0, -4.0]))
    >>> opt = LAMB([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> round(float(np.linalg.norm(w.data - [3.0, -4.0])), 6)  # lr * ||theta|| = 0.1 * 5
    0.5
    """

    _shaped_state = ("exp_avg", "exp_avg_sq")

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        bias_correction: bool = True,
        weight_norm_bounds: tuple[float, float] | None = None,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "bias_correction": bias_correction,
            "weight_norm_bounds": weight_norm_bounds,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        who = type(self).__name__
        check_real(who, "lr", group["lr"], low=0.0)
        check_betas(who, group["betas"])
        check_real(who, "eps", group["eps"], low=0.0, low_open=True)
        check_real(who, "weight_decay", group["weight_decay"], low=0.0)
        check_bool(who, "bias_correction", group["bias_correction"])
        check_bool(who, "maximize", group["maximize"])
        bounds = group["weight_norm_bounds"]
        if bounds is not None:
            if not isinstance(bounds, (tuple, list)) or len(bounds) != 2:
                raise TypeError(
                    f"{who}: weight_norm_bounds must be None or a pair (gamma_l, gamma_u), got "
                    f"{bounds!r}"
                )
            check_real(who, "weight_norm_bounds[0]", bounds[0], low=0.0)
            check_real(who, "weight_norm_bounds[1]", bounds[1], low=float(bounds[0]))

    def _update(
        self, param: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        theta = param.data
        beta1, beta2 = float(group["betas"][0]), float(group["betas"][1])
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(theta)
            state["exp_avg_sq"] = np.zeros_like(theta)
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        d, e = self._scratch(param, 2)
        g = grad_with_decay(grad, theta, 0.0, group["maximize"], out=e)  # g <- +-g
        lerp_(m, g, 1.0 - beta1, tmp=d)  # m <- beta1 m + (1 - beta1) g
        np.multiply(g, 1.0 - beta2, out=d)  # v <- beta2 v + (1 - beta2) g^2
        d *= g
        v *= beta2
        v += d
        bc1, bc2 = (1.0 - beta1**t, 1.0 - beta2**t) if group["bias_correction"] else (1.0, 1.0)
        np.sqrt(v, out=d)  # r <- m_hat / (sqrt(v_hat) + eps) = (m / bc1) / (sqrt(v / bc2) + eps)
        d /= math.sqrt(bc2)
        d += float(group["eps"])
        np.divide(m, d, out=d)
        d /= bc1
        weight_decay = float(group["weight_decay"])
        if weight_decay != 0:
            np.multiply(theta, weight_decay, out=e)  # u <- r + lambda theta
            d += e
        phi = _norm(theta)  # phi(||theta||), clipped to [gamma_l, gamma_u] if given
        bounds = group["weight_norm_bounds"]
        if bounds is not None:
            phi = min(max(phi, float(bounds[0])), float(bounds[1]))
        u_norm = _norm(d)
        ratio = phi / u_norm if phi > 0 and u_norm > 0 else 1.0  # the trust ratio
        d *= float(group["lr"]) * ratio  # theta <- theta - lr ratio u
        theta -= d
