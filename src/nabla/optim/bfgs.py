"""BFGS with the full inverse-Hessian approximation and a strong-Wolfe line search."""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.optim._flat import FlatParams
from nabla.optim._quasi_newton import QuasiNewton
from nabla.optim.optimizer import ParamsT

Array = np.ndarray


def bfgs_update(H: Array, s: Array, y: Array) -> None:
    r"""In place: :math:`H \leftarrow (I - \rho s y^\top) H (I - \rho y s^\top) + \rho s s^\top`.

    With :math:`\rho = 1/(y^\top s)` and :math:`u = H y` (H symmetric) this expands to
    :math:`H - \rho(s u^\top + u s^\top) + (\rho^2 y^\top u + \rho) s s^\top`, an
    :math:`O(n^2)` rank-two update (Nocedal & Wright eq. 6.17). The result satisfies the
    secant equation :math:`H y = s` and stays positive definite when :math:`y^\top s > 0`.
    """
    rho = 1.0 / float(y @ s)
    u = H @ y
    c = rho * rho * float(y @ u) + rho
    H += np.outer(s, c * s - rho * u)
    H -= rho * np.outer(u, s)


class BFGS(QuasiNewton):
    r"""Broyden-Fletcher-Goldfarb-Shanno with the full :math:`n \times n` inverse Hessian.

    One ``step(closure)`` runs up to ``max_iter`` iterations on the flat parameter vector
    :math:`\theta` (all parameters concatenated), with :math:`H \approx (\nabla^2 f)^{-1}`::

        f, g <- closure()
        if max|g| <= tolerance_grad: return
        repeat up to max_iter times:
            if first iteration ever: d <- -g;  H <- none yet
            else:
                s <- t d;  y <- g - g_prev
                if y's > 1e-10:
                    H <- (y's / y'y) I                      before the first update
                    H <- (I - rho s y') H (I - rho y s') + rho s s',   rho = 1 / y's
                d <- -H g                                   (-g while there is no H)
            t <- lr * min(1, 1/sum|g|) on the very first iteration, else lr
            if g'd > -tolerance_change: stop
            t <- strong-Wolfe line search from t (default);  theta <- theta + t d
            stop on the rules of LBFGS

    The notes introduce it as the affordable form of Newton's
    :math:`\theta \leftarrow \theta - H^{-1} g`: no second derivatives, only gradient
    differences, but still :math:`n^2` numbers of memory and :math:`O(n^2)` work per
    iteration, so it suits up to a few thousand parameters (use :class:`LBFGS` beyond).
    The strong-Wolfe line search guarantees :math:`y^\top s > 0`, which keeps :math:`H`
    positive definite and every :math:`d` a descent direction. The first step length,
    stopping rules and line search are those of :class:`LBFGS`, whose pseudocode gives
    the details; the inverse Hessian is ``state[first parameter]["H"]``.

    Parameters
    ----------
    params : iterable of Tensor
        The parameters (one group only).
    lr : float, default 1
        Step length tried first (>= 0).
    max_iter : int, default 20
        Iterations per ``step``.
    max_eval : int, optional
        Closure evaluations per ``step``; default ``max_iter * 5 // 4``.
    tolerance_grad : float, default 1e-7
        Stop when the largest gradient component is at most this.
    tolerance_change : float, default 1e-9
        Stop when the step, or the change of the loss, is smaller than this.
    line_search_fn : {"strong_wolfe", None}, default "strong_wolfe"
        None takes the step ``t`` as it is (H may then lose positive definiteness).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        line_search_fn: str | None = "strong_wolfe",
    ) -> None:
        if max_eval is None and isinstance(max_iter, int) and not isinstance(max_iter, bool):
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)

    def _reset_memory(self, state: dict[str, Any], flat: FlatParams) -> None:
        state["H"] = None

    def _update_memory(self, state: dict[str, Any], s: Array, y: Array, ys: float) -> None:
        if state["H"] is None:  # scale H0 to the curvature seen along s (N&W eq. 6.20)
            state["H"] = np.eye(s.size, dtype=s.dtype) * (ys / float(y @ y))
        bfgs_update(state["H"], s, y)

    def _direction(self, state: dict[str, Any], g: Array) -> Array:
        H = state["H"]
        return -g if H is None else -(H @ g)
