"""Adagrad: per-coordinate step sizes from the accumulated squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.optim._util import blockwise, check_bool, check_real, grad_with_decay
from nabla.optim.optimizer import Optimizer, ParamsT


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011); PyTorch's ``Adagrad``.

    Algorithm (one ``step``; :math:`a` starts at ``initial_accumulator_value``)::

        t <- t + 1
        g <- -g                            if maximize
        g <- g + weight_decay * theta      if weight_decay != 0
        lr_t <- lr / (1 + (t - 1) * lr_decay)
        a <- a + g * g                     (elementwise)
        theta <- theta - lr_t * g / (sqrt(a) + eps)

    This is the notes' form (the course notes, "ADAPTIVE GRADIENT"):
    :math:`a \leftarrow a + g \odot g`,
    :math:`\theta \leftarrow \theta - \frac{\varepsilon}{\sqrt{a} + \gamma} \odot g`,
    with :math:`\varepsilon` = ``lr`` and :math:`\gamma` = ``eps`` (the notes use
    :math:`10^{-7}`, PyTorch :math:`10^{-10}`). Coordinates that have moved a lot take
    smaller steps; the step size never grows again (RMSprop fixes that).

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups.
    lr : float, default 1e-2
        Learning rate (>= 0).
    lr_decay : float, default 0
        Learning-rate decay per step (>= 0).
    weight_decay : float, default 0
        L2 penalty (>= 0).
    initial_accumulator_value : float, default 0
        Starting value of :math:`a` (>= 0).
    eps : float, default 1e-10
        Added to the denominator for numerical stability (>= 0).
    maximize : bool, default False
        Maximise the objective instead of minimising it.
    """

    _shaped_state = ("sum",)

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        who = type(self).__name__
        check_real(who, "lr", group["lr"], low=0.0)
        check_real(who, "lr_decay", group["lr_decay"], low=0.0)
        check_real(who, "weight_decay", group["weight_decay"], low=0.0)
        check_real(who, "initial_accumulator_value", group["initial_accumulator_value"], low=0.0)
        check_real(who, "eps", group["eps"], low=0.0)
        check_bool(who, "maximize", group["maximize"])

    def _update(
        self, param: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        theta = param.data
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(theta, float(group["initial_accumulator_value"]))
        state["step"] += 1
        weight_decay, maximize = float(group["weight_decay"]), group["maximize"]
        lr_t = float(group["lr"]) / (1.0 + (state["step"] - 1) * float(group["lr_decay"]))
        two = weight_decay != 0 or maximize
        work = self._scratch(param, 2 if two else 1)
        arrays = [theta, grad, state["sum"], work[0], work[1] if two else None]
        blockwise(_adagrad_kernel, arrays, lr_t, float(group["eps"]), weight_decay, maximize)


def _adagrad_kernel(
    theta: np.ndarray,
    grad: np.ndarray,
    a: np.ndarray,
    d: np.ndarray,
    e: np.ndarray | None,
    lr_t: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """One Adagrad update of (a block of) one parameter, in place; ``d``, ``e`` are work arrays."""
    g = grad if e is None else grad_with_decay(grad, theta, weight_decay, maximize, out=e)
    np.multiply(g, g, out=d)  # a <- a + g * g
    a += d
    np.sqrt(a, out=d)  # theta <- theta - lr_t g / (sqrt(a) + eps)
    d += eps
    np.divide(g, d, out=d)
    d *= lr_t
    theta -= d
