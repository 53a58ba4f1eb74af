"""The iteration shared by BFGS and L-BFGS: directions from curvature pairs, line search, stops.

Subclasses keep the curvature information (``_reset_memory``, ``_update_memory``) and turn
a gradient into a direction (``_direction``); this class runs PyTorch's ``LBFGS`` loop
(first step length, stopping rules, strong-Wolfe line search) around them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.optim._flat import FlatParams, require_closure
from nabla.optim._util import Closure, check_int, check_real
from nabla.optim.line_search import strong_wolfe
from nabla.optim.optimizer import Optimizer

Array = np.ndarray


class QuasiNewton(Optimizer):
    """Base of BFGS and LBFGS (one parameter group; ``step`` needs a closure)."""

    def _check_group(self, group: dict[str, Any]) -> None:
        who = type(self).__name__
        check_real(who, "lr", group["lr"], low=0.0)
        check_int(who, "max_iter", group["max_iter"], low=1)
        check_int(who, "max_eval", group["max_eval"], low=1)
        check_real(who, "tolerance_grad", group["tolerance_grad"], low=0.0)
        check_real(who, "tolerance_change", group["tolerance_change"], low=0.0)
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(
                f"{who}: line_search_fn must be None or 'strong_wolfe', got "
                f"{group['line_search_fn']!r}"
            )

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if self.param_groups:
            raise ValueError(
                f"{type(self).__name__} doesn't support per-parameter options (parameter "
                f"groups): pass all parameters in one group"
            )
        super().add_param_group(param_group)

    # ---- subclasses -------------------------------------------------------------------------
    def _reset_memory(self, state: dict[str, Any], flat: FlatParams) -> None:
        raise NotImplementedError

    def _update_memory(self, state: dict[str, Any], s: Array, y: Array, ys: float) -> None:
        raise NotImplementedError

    def _direction(self, state: dict[str, Any], g: Array) -> Array:
        raise NotImplementedError

    # ---- the loop ---------------------------------------------------------------------------
    def step(self, closure: Closure | None = None) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` iterations; return the loss before them.

        Parameters
        ----------
        closure : callable
            Required: zeroes the gradients, computes the loss, calls ``backward`` and
            returns the loss. It is called several times per step.
        """
        who = type(self).__name__
        closure = require_closure(who, closure)
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        flat = FlatParams(group["params"])
        # the method's memory lives in the state of the first parameter, as in PyTorch
        state = self.state[group["params"][0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss, loss, g = flat.evaluate(closure, who)
        evals = 1
        state["func_evals"] += 1
        if np.max(np.abs(g)) <= tol_grad:
            return orig_loss

        d: Any = state.get("d")
        t: Any = state.get("t")
        g_prev: Any = state.get("prev_flat_grad")
        loss_prev: Any = state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                self._reset_memory(state, flat)
                d = -g  # steepest descent until there is curvature information
            else:
                y = g - g_prev  # y = g_k - g_{k-1}
                s = d * t  # s = theta_k - theta_{k-1}
                ys = float(y @ s)
                if ys > 1e-10:  # only pairs with positive curvature keep H positive definite
                    self._update_memory(state, s, y, ys)
                d = self._direction(state, g)  # d = -H g
            g_prev = g.copy()
            loss_prev = loss

            # the very first step is scaled so that it moves at most lr in the l1 norm
            t = min(1.0, 1.0 / float(np.sum(np.abs(g)))) * lr if state["n_iter"] == 1 else lr
            slope = float(g @ d)  # directional derivative g'd
            if slope > -tol_change:
                break  # not a descent direction (to tolerance)

            if group["line_search_fn"] == "strong_wolfe":
                theta0 = flat.get()

                def phi(step: float, theta0: Array = theta0, d: Array = d) -> tuple[float, Array]:
                    flat.add(step, d)
                    _, f_step, g_step = flat.evaluate(closure, who)
                    flat.set(theta0)
                    return f_step, g_step

                loss, g, t, ls_evals = strong_wolfe(
                    phi, d, t, loss, g, slope, max_ls=max_eval - evals
                )
                flat.add(t, d)
                opt_cond = bool(np.max(np.abs(g)) <= tol_grad)
            else:
                flat.add(t, d)  # a fixed step
                ls_evals, opt_cond = 0, False
                if n_iter != max_iter:  # the last iteration's loss would go unused
                    _, loss, g = flat.evaluate(closure, who)
                    opt_cond = bool(np.max(np.abs(g)) <= tol_grad)
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals

            if n_iter == max_iter or evals >= max_eval or opt_cond:
                break
            if np.max(np.abs(d * t)) <= tol_change:  # the step became negligible
                break
            if abs(loss - loss_prev) < tol_change:  # the loss stopped changing
                break

        state.update(d=d, t=t, prev_flat_grad=g_prev, prev_loss=loss_prev)
        return orig_loss
