"""RAdam: Adam with the variance of its adaptive rate rectified (Liu et al., 2020), as
PyTorch's ``RAdam``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.optim._util import blockwise, check_bool, check_real, grad_with_decay, lerp_
from nabla.optim.nadam import check_betas
from nabla.optim.optimizer import Optimizer, ParamsT


class RAdam(Optimizer):
    r"""RAdam (Liu et al., 2020): Adam that takes plain momentum steps until its estimate of
    the second moment has seen enough gradients to be trusted; PyTorch's ``RAdam``.

    In its first steps Adam divides by :math:`\sqrt{\hat v}` estimated from a handful of
    gradients, whose variance is large (the reason for a warm-up of the learning rate).
    RAdam tracks the length :math:`\rho_t` of the simple moving average that the
    exponential one approximates, and rectifies the adaptive rate by :math:`r_t`, the
    ratio of its variance to the limit's, once :math:`\rho_t > 5`.

    Algorithm (one ``step``; :math:`m`, :math:`v` start at zero)::

        t <- t + 1
        g <- -g                                        if maximize
        theta <- theta * (1 - lr * weight_decay)       if decoupled_weight_decay
        g <- g + weight_decay * theta                  otherwise, if weight_decay != 0
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        m_hat <- m / (1 - beta1**t)
        rho_inf <- 2 / (1 - beta2) - 1
        rho_t <- rho_inf - 2 t beta2**t / (1 - beta2**t)
        if rho_t > 5:
            l <- sqrt(1 - beta2**t) / (sqrt(v) + eps)            adaptive rate
            r <- sqrt((rho_t - 4) (rho_t - 2) rho_inf / ((rho_inf - 4) (rho_inf - 2) rho_t))
            theta <- theta - lr * m_hat * l * r
        else:
            theta <- theta - lr * m_hat                           SGD with momentum

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups.
    lr : float, default 1e-3
        Learning rate (>= 0).
    betas : (float, float), default (0.9, 0.999)
        Decay rates of the first and second moments, each in [0, 1).
    eps : float, default 1e-8
        Added to :math:`\sqrt v` (>= 0).
    weight_decay : float, default 0
        L2 penalty (>= 0); decoupled if ``decoupled_weight_decay``.
    decoupled_weight_decay : bool, default False
        Shrink the parameters directly instead of adding to the gradient (RAdamW).
    maximize : bool, default False
        Maximise the objective instead of minimising it.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.nn.parameter import Parameter
    >>> from nabla.optim import RAdam
    >>> w = Parameter(np.array([1.0, -2.0]))
    >>> opt = RAdam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()  # rho_1 = 1 <= 5: a momentum step, m_hat = g
    >>> w.data
    array([ 0.8, -1.6])
    """

    _shaped_state = ("exp_avg", "exp_avg_sq")

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        who = type(self).__name__
        check_real(who, "lr", group["lr"], low=0.0)
        check_betas(who, group["betas"])
        check_real(who, "eps", group["eps"], low=0.0)
        check_real(who, "weight_decay", group["weight_decay"], low=0.0)
        check_bool(who, "decoupled_weight_decay", group["decoupled_weight_decay"])
        check_bool(who, "maximize", group["maximize"])

    def _update(
        self, param: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        theta = param.data
        lr = float(group["lr"])
        beta1, beta2 = float(group["betas"][0]), float(group["betas"][1])
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(theta)
            state["exp_avg_sq"] = np.zeros_like(theta)
        state["step"] += 1
        t = state["step"]
        bc1, bc2 = 1.0 - beta1**t, 1.0 - beta2**t
        rho_inf = 2.0 / (1.0 - beta2) - 1.0
        rho_t = rho_inf - 2.0 * t * beta2**t / bc2
        rectified = rho_t > 5.0
        if rectified:
            r = math.sqrt(
                (rho_t - 4.0)
                * (rho_t - 2.0)
                * rho_inf
                / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)
            )
            step_size = lr * r * math.sqrt(bc2) / bc1  # lr r sqrt(1 - beta2^t) / (1 - beta1^t)
        else:
            step_size = lr / bc1  # lr / (1 - beta1^t): the momentum step, no adaptive rate
        weight_decay, maximize = float(group["weight_decay"]), group["maximize"]
        decay = 0.0
        if group["decoupled_weight_decay"]:
            decay, weight_decay = lr * weight_decay, 0.0
        work = self._scratch(param, 2)
        arrays = [theta, grad, state["exp_avg"], state["exp_avg_sq"], *work]
        coefs = (beta1, beta2, float(group["eps"]), weight_decay, maximize, decay)
        blockwise(_radam_kernel, arrays, *coefs, rectified, step_size)


def _radam_kernel(
    theta: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    d: np.ndarray,
    e: np.ndarray,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
    decay: float,
    rectified: bool,
    step_size: float,
) -> None:
    """One RAdam update of (a block of) one parameter, in place; ``d``, ``e`` are work arrays.

    ``rectified``: theta -= step_size * m / (sqrt(v) + eps); otherwise theta -= step_size * m."""
    if decay != 0:
        theta *= 1.0 - decay  # theta <- theta (1 - lr lambda)   (decoupled)
    g = grad_with_decay(grad, theta, weight_decay, maximize, out=e)  # g <- +-g + lambda theta
    lerp_(m, g, 1.0 - beta1, tmp=d)  # m <- beta1 m + (1 - beta1) g
    np.multiply(g, 1.0 - beta2, out=d)  # v <- beta2 v + (1 - beta2) g^2
    d *= g
    v *= beta2
    v += d
    if rectified:
        np.sqrt(v, out=d)  # theta <- theta - lr r m_hat sqrt(1 - beta2^t) / (sqrt(v) + eps)
        d += eps
        np.divide(m, d, out=d)
        d *= step_size
    else:
        np.multiply(m, step_size, out=d)  # theta <- theta - lr m_hat
    theta -= d
