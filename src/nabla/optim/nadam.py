"""NAdam: Adam with Nesterov momentum (Dozat, 2016), as PyTorch's ``NAdam``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.optim._util import blockwise, check_bool, check_real, grad_with_decay, lerp_
from nabla.optim.optimizer import Optimizer, ParamsT


def check_betas(who: str, betas: Any) -> None:
    """``betas`` is a pair of decay rates, each in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"{who}: betas must be a pair (beta1, beta2), got {betas!r}")
    check_real(who, "betas[0]", betas[0], low=0.0, high=1.0, high_open=True)
    check_real(who, "betas[1]", betas[1], low=0.0, high=1.0, high_open=True)


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016): Adam whose momentum step looks ahead, as Nesterov's does;
    PyTorch's ``NAdam``.

    Algorithm (one ``step``; :math:`m`, :math:`v` start at zero, :math:`\Pi_0 = 1`)::

        t <- t + 1
        g <- -g                                        if maximize
        theta <- theta * (1 - lr * weight_decay)       if decoupled_weight_decay
        g <- g + weight_decay * theta                  otherwise, if weight_decay != 0
        mu_t <- beta1 * (1 - 0.5 * 0.96**(t * momentum_decay))      momentum schedule
        mu_next <- beta1 * (1 - 0.5 * 0.96**((t + 1) * momentum_decay))
        Pi <- Pi * mu_t                                product of the mu's so far
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        d <- sqrt(v / (1 - beta2**t)) + eps
        theta <- theta - lr * (1 - mu_t) / (1 - Pi) * g / d
                       - lr * mu_next / (1 - Pi * mu_next) * m / d

    The last line mixes the current gradient with the momentum of the *next* step (the
    look-ahead of Nesterov momentum, the notes on optimisation), each corrected for its
    zero start by the product of the momentum coefficients.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups.
    lr : float, default 2e-3
        Learning rate (>= 0).
    betas : (float, float), default (0.9, 0.999)
        Decay rates of the first and second moments, each in [0, 1).
    eps : float, default 1e-8
        Added to the denominator (>= 0).
    weight_decay : float, default 0
        L2 penalty (>= 0); decoupled if ``decoupled_weight_decay``.
    momentum_decay : float, default 4e-3
        :math:`\psi` of the momentum schedule (>= 0).
    decoupled_weight_decay : bool, default False
        Shrink the parameters directly instead of adding to the gradient (NAdamW).
    maximize : bool, default False
        Maximise the objective instead of minimising it.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.nn.parameter import Parameter
    >>> from nabla.optim import NAdam
    >>> w = Parameter(np.array([1.0, -2.0]))
    >>> opt = NAdam([w], lr=0.1)
    >>> for _ in range(200):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> bool(np.all(np.abs(w.data) < 0.05))
    True
    """

    _shaped_state = ("exp_avg", "exp_avg_sq")

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
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
        check_real(who, "momentum_decay", group["momentum_decay"], low=0.0)
        check_bool(who, "decoupled_weight_decay", group["decoupled_weight_decay"])
        check_bool(who, "maximize", group["maximize"])

    def _update(
        self, param: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        theta = param.data
        lr = float(group["lr"])
        beta1, beta2 = float(group["betas"][0]), float(group["betas"][1])
        psi = float(group["momentum_decay"])
        if not state:
            state["step"] = 0
            state["mu_product"] = 1.0
            state["exp_avg"] = np.zeros_like(theta)
            state["exp_avg_sq"] = np.zeros_like(theta)
        state["step"] += 1
        t = state["step"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))  # mu_t
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))  # mu_{t+1}
        state["mu_product"] = float(state["mu_product"]) * mu  # Pi_t = Pi_{t-1} mu_t
        pi = state["mu_product"]
        weight_decay, maximize = float(group["weight_decay"]), group["maximize"]
        decay = 0.0
        if group["decoupled_weight_decay"]:
            decay, weight_decay = lr * weight_decay, 0.0
        coef_g = lr * (1.0 - mu) / (1.0 - pi)  # lr (1 - mu_t) / (1 - Pi_t)
        coef_m = lr * mu_next / (1.0 - pi * mu_next)  # lr mu_{t+1} / (1 - Pi_t mu_{t+1})
        work = self._scratch(param, 3)
        arrays = [theta, grad, state["exp_avg"], state["exp_avg_sq"], *work]
        coefs = (beta1, beta2, float(group["eps"]), weight_decay, maximize, decay)
        c2 = math.sqrt(1.0 - beta2**t)  # sqrt(1 - beta2^t)
        blockwise(_nadam_kernel, arrays, *coefs, c2, coef_g, coef_m)


def _nadam_kernel(
    theta: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    d: np.ndarray,
    e: np.ndarray,
    f: np.ndarray,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
    decay: float,
    c2: float,
    coef_g: float,
    coef_m: float,
) -> None:
    """One NAdam update of (a block of) one parameter, in place; ``d, e, f`` are work arrays."""
    if decay != 0:
        theta *= 1.0 - decay  # theta <- theta (1 - lr lambda)   (decoupled)
    g = grad_with_decay(grad, theta, weight_decay, maximize, out=e)  # g <- +-g + lambda theta
    lerp_(m, g, 1.0 - beta1, tmp=d)  # m <- beta1 m + (1 - beta1) g
    np.multiply(g, 1.0 - beta2, out=d)  # v <- beta2 v + (1 - beta2) g^2
    d *= g
    v *= beta2
    v += d
    np.sqrt(v, out=d)  # d <- sqrt(v) / sqrt(1 - beta2^t) + eps
    d /= c2
    d += eps
    np.multiply(g, coef_g, out=f)  # theta <- theta - (c_g g + c_m m) / d
    np.multiply(m, coef_m, out=e)
    f += e
    f /= d
    theta -= f
