"""Adam, with or without bias correction, AMSGrad, L2 or decoupled weight decay."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor
from nabla.optim._util import blockwise, check_bool, check_real, grad_with_decay, lerp_
from nabla.optim.optimizer import Optimizer, ParamsT


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015); PyTorch's ``Adam`` plus a switch for bias correction.

    Algorithm (one ``step``; :math:`m`, :math:`v`, :math:`\hat v_{max}` start at zero)::

        t <- t + 1
        g <- -g                                    if maximize
        theta <- theta * (1 - lr * weight_decay)   if decoupled_weight_decay (AdamW)
        g <- g + weight_decay * theta              otherwise, if weight_decay != 0
        m <- beta1 * m + (1 - beta1) * g           first moment
        v <- beta2 * v + (1 - beta2) * g * g       second moment
        vmax <- max(vmax, v)                       if amsgrad (then v is replaced by vmax)
        if bias_correction:
            m_hat <- m / (1 - beta1**t);  v_hat <- v / (1 - beta2**t)
        else:
            m_hat <- m;  v_hat <- v
        theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)

    The notes ("ADAM") give both forms, "without bias correction"
    (:math:`\theta \leftarrow \theta - \frac{\varepsilon}{\sqrt a + \gamma}\odot v`) and
    "with bias correction" (:math:`\tilde v = v/(1-\beta_1^t)`,
    :math:`\tilde a = a/(1-\beta_2^t)`,
    :math:`\theta \leftarrow \theta - \frac{\varepsilon}{\sqrt{\tilde a} + \gamma}\odot
    \tilde v`); their :math:`v, a, \varepsilon, \gamma` are ``m, v, lr, eps`` here. The
    correction matters in the first steps, where :math:`m` and :math:`v` are biased
    towards their zero start. PyTorch always corrects; ``bias_correction=False`` gives the
    notes' first form. The notes take :math:`\gamma = 10^{-7}`, PyTorch ``eps = 1e-8``.

    The last line is evaluated as
    ``theta -= m / (sqrt(v) / (c2 * s) + eps / s)`` with ``s = lr / (1 - beta1**t)`` and
    ``c2 = sqrt(1 - beta2**t)`` (PyTorch's own rearrangement in its capturable path): the
    same value with one pass over the arrays fewer.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups.
    lr : float, default 1e-3
        Learning rate (>= 0).
    betas : (float, float), default (0.9, 0.999)
        Decay rates of the first and second moments, each in [0, 1).
    eps : float, default 1e-8
        Added to the denominator (>= 0).
    weight_decay : float, default 0
        L2 penalty added to the gradient (>= 0); decoupled (AdamW) if
        ``decoupled_weight_decay``.
    amsgrad : bool, default False
        Use the running maximum of :math:`v` (Reddi et al., 2018).
    bias_correction : bool, default True
        Divide the moments by :math:`1-\beta^t`; False is the notes' uncorrected Adam.
    maximize : bool, default False
        Maximise the objective instead of minimising it.
    decoupled_weight_decay : bool, default False
        Shrink the parameters directly instead of adding to the gradient (AdamW).

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.nn.parameter import Parameter
    >>> from nabla.optim import Adam
    >>> w = Parameter(np.array([1.0, -2.0]))
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.data.round(6)  # the first corrected step moves each coordinate by about lr
    array([ 0.9, -1.9])
    """

    _shaped_state = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        bias_correction: bool = True,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "bias_correction": bias_correction,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        who = type(self).__name__
        check_real(who, "lr", group["lr"], low=0.0)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{who}: betas must be a pair (beta1, beta2), got {betas!r}")
        check_real(who, "betas[0]", betas[0], low=0.0, high=1.0, high_open=True)
        check_real(who, "betas[1]", betas[1], low=0.0, high=1.0, high_open=True)
        check_real(who, "eps", group["eps"], low=0.0)
        check_real(who, "weight_decay", group["weight_decay"], low=0.0)
        for flag in ("amsgrad", "bias_correction", "maximize", "decoupled_weight_decay"):
            check_bool(who, flag, group[flag])

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
        amsgrad = group["amsgrad"]
        if amsgrad and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = np.zeros_like(theta)
        state["step"] += 1
        t = state["step"]
        if group["bias_correction"]:
            step_size = lr / (1.0 - beta1**t)  # s = lr / (1 - beta1^t)
            c2 = math.sqrt(1.0 - beta2**t)  # c2 = sqrt(1 - beta2^t)
        else:
            step_size, c2 = lr, 1.0
        weight_decay, maximize = float(group["weight_decay"]), group["maximize"]
        decay = 0.0
        if group["decoupled_weight_decay"]:
            decay, weight_decay = lr * weight_decay, 0.0
        two = weight_decay != 0 or maximize  # a second work array for the modified gradient
        work = self._scratch(param, 2 if two else 1)
        arrays = [
            theta,
            grad,
            state["exp_avg"],
            state["exp_avg_sq"],
            state.get("max_exp_avg_sq") if amsgrad else None,
            work[0],
            work[1] if two else None,
        ]
        coefs = (beta1, beta2, float(group["eps"]), weight_decay, maximize, decay, step_size, c2)
        blockwise(_adam_kernel, arrays, *coefs)


def _adam_kernel(
    theta: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    vmax: np.ndarray | None,
    d: np.ndarray,
    e: np.ndarray | None,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
    decay: float,
    step_size: float,
    c2: float,
) -> None:
    """One Adam update of (a block of) one parameter, in place; ``d``, ``e`` are work arrays."""
    if decay != 0:
        theta *= 1.0 - decay  # theta <- theta (1 - lr lambda)   (AdamW)
    g = grad
    if e is not None:
        g = grad_with_decay(grad, theta, weight_decay, maximize, out=e)  # g <- +-g + lambda theta
    lerp_(m, g, 1.0 - beta1, tmp=d)  # m <- beta1 m + (1 - beta1) g
    np.multiply(g, 1.0 - beta2, out=d)  # v <- beta2 v + (1 - beta2) g^2
    d *= g
    v *= beta2
    v += d
    if vmax is not None:
        v = np.maximum(vmax, v, out=vmax)  # vmax <- max(vmax, v), used in place of v
    if step_size == 0.0:
        return  # lr = 0: the moments move, the parameters do not
    np.sqrt(v, out=d)  # theta <- theta - m / (sqrt(v) / (c2 s) + eps / s)
    d /= c2 * step_size
    d += eps / step_size
    np.divide(m, d, out=d)
    theta -= d
