"""L-BFGS: BFGS with the inverse Hessian kept as the last ``history_size`` updates."""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.optim._flat import FlatParams
from nabla.optim._quasi_newton import QuasiNewton
from nabla.optim._util import check_int
from nabla.optim.optimizer import ParamsT

Array = np.ndarray


def two_loop_direction(
    g: Array, s_hist: list[Array], y_hist: list[Array], rho: list[float], h0: float, alpha: list
) -> Array:
    r"""``d = -H g`` for the L-BFGS inverse Hessian H (Nocedal & Wright, Algorithm 7.4).

    H is defined by the pairs :math:`s_i = \theta_{i+1} - \theta_i`,
    :math:`y_i = g_{i+1} - g_i`, :math:`\rho_i = 1/(y_i^\top s_i)` applied to
    :math:`H_0 = h_0 I`: newest to oldest, :math:`\alpha_i = \rho_i s_i^\top q`,
    :math:`q \leftarrow q - \alpha_i y_i` (from :math:`q = -g`); then :math:`r = h_0 q`;
    oldest to newest, :math:`\beta_i = \rho_i y_i^\top r`,
    :math:`r \leftarrow r + (\alpha_i - \beta_i) s_i`. ``alpha`` is a work list with at
    least ``len(s_hist)`` entries.
    """
    q = -g
    for i in range(len(s_hist) - 1, -1, -1):
        alpha[i] = float(s_hist[i] @ q) * rho[i]
        q += -alpha[i] * y_hist[i]
    r = q * h0
    for i in range(len(s_hist)):
        beta = float(y_hist[i] @ r) * rho[i]
        r += (alpha[i] - beta) * s_hist[i]
    return r


class LBFGS(QuasiNewton):
    r"""Limited-memory BFGS; PyTorch's ``LBFGS`` (same defaults, stopping rules and line search).

    One ``step(closure)`` runs up to ``max_iter`` iterations on the flat parameter vector
    :math:`\theta` (all parameters concatenated)::

        f, g <- closure()
        if max|g| <= tolerance_grad: return
        repeat up to max_iter times:
            if first iteration ever: d <- -g;  forget all pairs;  h0 <- 1
            else:
                s <- t d;  y <- g - g_prev                the last step and change of g
                if y's > 1e-10:                           keep only curvature pairs
                    push (s, y), dropping the oldest beyond history_size
                    h0 <- y's / y'y                       scale of the initial H0 = h0 I
                d <- -H g                                 two-loop recursion
            t <- lr * min(1, 1/sum|g|) on the very first iteration, else lr
            if g'd > -tolerance_change: stop              not a descent direction
            t <- strong-Wolfe line search from t          if line_search_fn == "strong_wolfe"
            theta <- theta + t d;  f, g <- closure()      (skipped after the last iteration
                                                           when there is no line search)
            stop if: max_iter or max_eval reached, max|g| <= tolerance_grad,
                     max|t d| <= tolerance_change, |f - f_prev| < tolerance_change

    The notes ("Optimisation") motivate it: Newton's
    :math:`\theta \leftarrow \theta - H^{-1} g` needs an :math:`n \times n` Hessian; BFGS
    builds :math:`H^{-1}` from gradient differences, and L-BFGS keeps only the last
    ``history_size`` pairs, so memory is :math:`O(n \cdot \mathrm{history\_size})`. The
    memory (pairs, last direction) lives in ``state`` of the first parameter, as in
    PyTorch, and carries over between calls to ``step``.

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
    history_size : int, default 100
        Number of (s, y) pairs kept.
    line_search_fn : {None, "strong_wolfe"}, default None
        None takes the step ``t`` as it is.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if max_eval is None and isinstance(max_iter, int) and not isinstance(max_iter, bool):
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        check_int(type(self).__name__, "history_size", group["history_size"], low=1)

    def _reset_memory(self, state: dict[str, Any], flat: FlatParams) -> None:
        state.update(old_dirs=[], old_stps=[], ro=[], H_diag=1.0)

    def _update_memory(self, state: dict[str, Any], s: Array, y: Array, ys: float) -> None:
        if len(state["old_dirs"]) == self.param_groups[0]["history_size"]:
            for key in ("old_dirs", "old_stps", "ro"):
                state[key].pop(0)
        state["old_dirs"].append(y)
        state["old_stps"].append(s)
        state["ro"].append(1.0 / ys)
        state["H_diag"] = ys / float(y @ y)  # H0 = (y's / y'y) I

    def _direction(self, state: dict[str, Any], g: Array) -> Array:
        alpha = state.setdefault("al", [None] * self.param_groups[0]["history_size"])
        if len(alpha) < len(state["old_stps"]):  # history_size grew after a load
            alpha.extend([None] * (len(state["old_stps"]) - len(alpha)))
        return two_loop_direction(
            g, state["old_stps"], state["old_dirs"], state["ro"], state["H_diag"], alpha
        )
