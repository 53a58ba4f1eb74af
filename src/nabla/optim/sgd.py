"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.optim._util import blockwise, check_bool, check_real, grad_with_decay
from nabla.optim.optimizer import Optimizer, ParamsT


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum; PyTorch's ``SGD``.

    Algorithm (one ``step``, for each parameter :math:`\theta` with gradient :math:`g`)::

        g <- -g                            if maximize
        g <- g + weight_decay * theta      if weight_decay != 0
        if momentum != 0:
            b <- g                         on the first step
            b <- momentum * b + (1 - dampening) * g   afterwards
            g <- g + momentum * b          if nesterov
            g <- b                         otherwise
        theta <- theta - lr * g

    The notes on deep learning write momentum as

    .. math:: v \leftarrow \alpha v - \varepsilon g, \qquad \theta \leftarrow \theta + v,

    which is the same algorithm: with ``dampening = 0``, :math:`\alpha` = ``momentum``,
    :math:`\varepsilon` = ``lr`` and :math:`v = -\mathrm{lr}\, b`, PyTorch's
    :math:`b \leftarrow \mu b + g,\ \theta \leftarrow \theta - \mathrm{lr}\, b` gives
    :math:`v \leftarrow \mu v - \mathrm{lr}\, g` (both start from :math:`v_1 = -\varepsilon g_1`).
    The two differ only when ``lr`` changes during training (the notes' :math:`v` keeps
    the old learning rates in it). The notes' Nesterov momentum evaluates the gradient at
    the look-ahead point :math:`\theta + \alpha v`; substituting
    :math:`\tilde\theta = \theta + \alpha v` turns it into the update above
    (:math:`\tilde\theta \leftarrow \tilde\theta - \mathrm{lr}(g + \mu b)`), with the
    gradient taken at the parameters the model holds, which is what PyTorch implements.

    The notes on the multi-layer perceptron write momentum as a running mean instead,

    .. math:: \theta_{k+1} = \theta_k + \alpha(\theta_k - \theta_{k-1})
              + (1 - \alpha)(-\eta \nabla J(\theta_k)),

    which is ``momentum = alpha, dampening = alpha, lr = eta``: with
    :math:`\Delta_{k+1} = \theta_{k+1} - \theta_k = -\eta b_k`, the update
    :math:`b_k = \alpha b_{k-1} + (1 - \alpha) g_k` reads
    :math:`\Delta_{k+1} = \alpha \Delta_k + (1 - \alpha)(-\eta g_k)`, the notes' recurrence,
    for every step after the first. On the first step PyTorch (and this class) sets
    :math:`b_1 = g_1`, a full step :math:`-\eta g_1`, where the notes, starting at rest
    (:math:`\theta_{-1} = \theta_0`), take :math:`-(1 - \alpha)\eta g_1`. To follow the
    notes from the first step as well, start the buffer at zero before the first step:
    ``opt.state[p]["momentum_buffer"] = np.zeros_like(p.data)`` for each parameter ``p``.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default 1e-3
        Learning rate :math:`\varepsilon` (>= 0).
    momentum : float, default 0
        Momentum factor :math:`\alpha` (>= 0).
    dampening : float, default 0
        Dampening for momentum, in [0, 1] (the factor on the gradient is
        ``1 - dampening``; ``dampening = momentum`` is the notes' running-mean form).
    weight_decay : float, default 0
        L2 penalty (>= 0), added to the gradient as ``weight_decay * theta``.
    nesterov : bool, default False
        Nesterov momentum; needs ``momentum > 0`` and ``dampening = 0``.
    maximize : bool, default False
        Maximise the objective instead of minimising it.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.nn.parameter import Parameter
    >>> from nabla.optim import SGD
    >>> w = Parameter(np.array([1.0, -2.0]))
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.data
    array([ 0.8, -1.6])
    """

    _shaped_state = ("momentum_buffer",)

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        who = type(self).__name__
        check_real(who, "lr", group["lr"], low=0.0)
        check_real(who, "momentum", group["momentum"], low=0.0)
        check_real(who, "dampening", group["dampening"], low=0.0, high=1.0)
        check_real(who, "weight_decay", group["weight_decay"], low=0.0)
        check_bool(who, "nesterov", group["nesterov"])
        check_bool(who, "maximize", group["maximize"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"{who}: nesterov=True requires momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']!r} and dampening={group['dampening']!r}"
            )

    def _update(
        self, param: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        theta = param.data
        momentum = float(group["momentum"])
        b, first = None, False
        if momentum != 0:
            b = state.get("momentum_buffer")
            if b is None:
                b = state["momentum_buffer"] = np.empty_like(theta)
                first = True
        work = self._scratch(param, 2 if group["nesterov"] else 1)
        arrays = [theta, grad, b, work[0], work[1] if group["nesterov"] else None]
        coefs = (
            float(group["lr"]),
            momentum,
            float(group["dampening"]),
            float(group["weight_decay"]),
            group["maximize"],
            first,
        )
        blockwise(_sgd_kernel, arrays, *coefs)


def _sgd_kernel(
    theta: np.ndarray,
    grad: np.ndarray,
    b: np.ndarray | None,
    d: np.ndarray,
    e: np.ndarray | None,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    maximize: bool,
    first: bool,
) -> None:
    """One SGD update of (a block of) one parameter, in place; ``d``, ``e`` are work arrays."""
    g = grad_with_decay(grad, theta, weight_decay, maximize, out=d)  # g <- +-g + lambda theta
    if b is not None:
        if first:
            np.copyto(b, g)  # b_1 = g_1: no dampening on the first step
        else:
            b *= momentum  # b <- momentum b + (1 - dampening) g
            if dampening != 0:
                np.multiply(g, 1.0 - dampening, out=d)
                b += d
            else:
                b += g
        if e is not None:
            np.multiply(b, momentum, out=e)  # g <- g + momentum b   (Nesterov)
            np.add(g, e, out=d)
            g = d
        else:
            g = b
    np.multiply(g, lr, out=d)  # theta <- theta - lr g
    theta -= d
