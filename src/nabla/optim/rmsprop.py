"""RMSprop, with momentum (the notes' "RMSProp + Momentum") and the centred variant."""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.optim._util import blockwise, check_bool, check_real, grad_with_decay, lerp_
from nabla.optim.optimizer import Optimizer, ParamsT


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, 2012), with momentum and centring; PyTorch's ``RMSprop``.

    Algorithm (one ``step``; :math:`a`, :math:`\bar g`, :math:`b` start at zero)::

        g <- -g                                 if maximize
        g <- g + weight_decay * theta           if weight_decay != 0
        a <- alpha * a + (1 - alpha) * g * g    running mean of g^2
        if centered:
            gbar <- alpha * gbar + (1 - alpha) * g
            s <- sqrt(a - gbar * gbar) + eps    (a running standard deviation)
        else:
            s <- sqrt(a) + eps
        if momentum > 0:
            b <- momentum * b + g / s
            theta <- theta - lr * b
        else:
            theta <- theta - lr * g / s

    The notes write :math:`\beta` for ``alpha`` and :math:`\gamma` for ``eps``:
    RMSProp is :math:`a \leftarrow \beta a + (1-\beta) g\odot g`,
    :math:`\theta \leftarrow \theta - \frac{\varepsilon}{\sqrt a + \gamma}\odot g`, and
    "RMSProp + Momentum" is
    :math:`v \leftarrow \alpha v - \frac{\varepsilon}{\sqrt a + \gamma}\odot g`,
    :math:`\theta \leftarrow \theta + v`. With :math:`v = -\mathrm{lr}\, b` and
    :math:`\alpha` = ``momentum`` this is the update above (exactly, while ``lr`` is
    constant).

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups.
    lr : float, default 1e-2
        Learning rate :math:`\varepsilon` (>= 0).
    alpha : float, default 0.99
        Smoothing constant :math:`\beta` of the running mean of :math:`g^2`, in [0, 1].
    eps : float, default 1e-8
        Added to the denominator (>= 0).
    weight_decay : float, default 0
        L2 penalty (>= 0).
    momentum : float, default 0
        Momentum factor (>= 0).
    centered : bool, default False
        Divide by the running standard deviation of the gradient instead of its running
        root mean square.
    maximize : bool, default False
        Maximise the objective instead of minimising it.
    """

    _shaped_state = ("square_avg", "momentum_buffer", "grad_avg")

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        who = type(self).__name__
        check_real(who, "lr", group["lr"], low=0.0)
        check_real(who, "alpha", group["alpha"], low=0.0, high=1.0)
        check_real(who, "eps", group["eps"], low=0.0)
        check_real(who, "weight_decay", group["weight_decay"], low=0.0)
        check_real(who, "momentum", group["momentum"], low=0.0)
        check_bool(who, "centered", group["centered"])
        check_bool(who, "maximize", group["maximize"])

    def _update(
        self, param: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        theta = param.data
        momentum = float(group["momentum"])
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(theta)
        state["step"] += 1
        b = gbar = None
        if momentum > 0:
            b = state.get("momentum_buffer")
            if b is None:
                b = state["momentum_buffer"] = np.zeros_like(theta)
        if group["centered"]:
            gbar = state.get("grad_avg")
            if gbar is None:
                gbar = state["grad_avg"] = np.zeros_like(theta)
        work = self._scratch(param, 2)
        arrays = [theta, grad, state["square_avg"], gbar, b, work[0], work[1]]
        coefs = (
            float(group["lr"]),
            float(group["alpha"]),
            float(group["eps"]),
            momentum,
            float(group["weight_decay"]),
            group["maximize"],
        )
        blockwise(_rmsprop_kernel, arrays, *coefs)


def _rmsprop_kernel(
    theta: np.ndarray,
    grad: np.ndarray,
    a: np.ndarray,
    gbar: np.ndarray | None,
    b: np.ndarray | None,
    d: np.ndarray,
    e: np.ndarray,
    lr: float,
    alpha: float,
    eps: float,
    momentum: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """One RMSprop update of (a block of) one parameter, in place; ``d``, ``e`` are work arrays."""
    g = grad_with_decay(grad, theta, weight_decay, maximize, out=e)  # g <- +-g + lambda theta
    np.multiply(g, 1.0 - alpha, out=d)  # a <- alpha a + (1 - alpha) g^2
    d *= g
    a *= alpha
    a += d
    if gbar is not None:
        lerp_(gbar, g, 1.0 - alpha, tmp=d)  # gbar <- alpha gbar + (1 - alpha) g
        np.multiply(gbar, gbar, out=d)  # s <- sqrt(a - gbar^2) + eps
        np.subtract(a, d, out=d)
        np.sqrt(d, out=d)
    else:
        np.sqrt(a, out=d)  # s <- sqrt(a) + eps
    d += eps
    np.divide(g, d, out=d)  # g / s
    if b is not None:
        b *= momentum  # b <- momentum b + g / s
        b += d
        np.multiply(b, lr, out=d)  # theta <- theta - lr b
    else:
        d *= lr  # theta <- theta - lr g / s
    theta -= d
