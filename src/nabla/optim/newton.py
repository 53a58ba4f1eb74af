"""Newton's method with an exact Hessian (analytic, by double backward through the closure's
loss, or by central differences of the gradient)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nabla.autograd.engine import keep_graphs
from nabla.autograd.higher import grad
from nabla.autograd.ops.shape import concatenate
from nabla.autograd.tensor import Tensor
from nabla.optim._flat import FlatParams, loss_value, require_closure
from nabla.optim._util import Closure, call_closure, check_int, check_real
from nabla.optim.line_search import backtracking
from nabla.optim.optimizer import Optimizer, ParamsT

Array = np.ndarray
HessianFn = Callable[[Array], Array]
_MODES = ("autograd", "fd")


def autograd_hessian(loss: Any, params: list[Tensor], dtype: Any) -> Array:
    """The Hessian of ``loss`` (a tensor whose graph is still held) with respect to the flat
    vector of ``params``, exactly: row ``i`` is the gradient of the ``i``-th entry of the
    gradient (one backward pass through the recorded backward per parameter).

    Raises ``RuntimeError`` when some op of the graph has no differentiable backward or
    the graph was freed, and ``TypeError`` when ``loss`` is not a tensor with a graph.
    """
    if not isinstance(loss, Tensor) or not loss.requires_grad:
        raise TypeError(
            "the exact Hessian needs the closure to return the loss tensor (with its graph), "
            f"got {type(loss).__name__}"
        )
    gs = grad(loss, params, create_graph=True, allow_unused=True)
    n = sum(p.data.size for p in params)
    H = np.zeros((n, n), dtype=dtype)
    parts = [g.reshape(-1) for g in gs if g is not None]
    if not parts:
        return H
    gflat = concatenate(parts)
    if not gflat.requires_grad:  # the gradient does not depend on the parameters
        return H
    used = [i for i, g in enumerate(gs) if g is not None]
    offsets = np.cumsum([0] + [p.data.size for p in params])
    cols = np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i in used])
    for k, i in enumerate(cols):
        e = np.zeros(gflat.shape, dtype=gflat.dtype)
        e[k] = 1
        row = grad(gflat, params, grad_outputs=e, retain_graph=True, allow_unused=True)
        for r, a, b in zip(row, offsets[:-1], offsets[1:]):
            if r is not None:
                H[i, a:b] = r.data.ravel()
    return (H + H.T) / 2


def fd_hessian(grad_at: Callable[[Array], Array], theta: Array) -> Array:
    r"""Hessian by central differences of the gradient, symmetrised.

    Column :math:`j` is :math:`(g(\theta + h_j e_j) - g(\theta - h_j e_j)) / (2 h_j)` with
    :math:`h_j = \epsilon^{1/3}\max(1, |\theta_j|)` (:math:`\epsilon` the machine epsilon
    of theta's dtype; the step that balances truncation, :math:`O(h^2)`, against rounding,
    :math:`O(\epsilon/h)`), taking :math:`2 h_j` as the difference of the two perturbed
    values actually stored. Costs :math:`2n` gradient evaluations.
    """
    n = theta.size
    H = np.empty((n, n), dtype=theta.dtype)
    base = float(np.finfo(theta.dtype).eps) ** (1.0 / 3.0)
    for j in range(n):
        h = base * max(1.0, abs(float(theta[j])))
        plus, minus = theta.copy(), theta.copy()
        plus[j] += h
        minus[j] -= h
        H[:, j] = (grad_at(plus) - grad_at(minus)) / (plus[j] - minus[j])
    return (H + H.T) / 2


class Newton(Optimizer):
    r"""Newton's method, :math:`\theta \leftarrow \theta - H^{-1} g`, with damping and line search.

    One ``step(closure)`` is one Newton iteration on the flat parameter vector
    :math:`\theta` (all parameters concatenated)::

        f, g <- closure()
        H <- hessian(theta)            if a hessian callable was given
        H <- exact, by double backward through the closure's loss (n backward passes)
             when every op of the loss has a differentiable backward
        H <- central differences of g  otherwise (2n closure calls)
        lam <- damping
        while H + lam I is not positive definite (Cholesky fails):
            lam <- max(2 lam, 1e-8 * max(1, max|diag H|))
        d <- -(H + lam I)^{-1} g                       solved, never inverted
        t <- lr;  if line_search: halve t until f(theta + t d) <= f + c1 t g'd
        theta <- theta + t d

    This is the notes' second-order method ("SECOND ORDER METHODS", "Newton/Hessian
    algorithm"): minimise the quadratic Taylor model
    :math:`f(\theta_k) + g_k^\top(\theta-\theta_k) + \frac12(\theta-\theta_k)^\top H_k
    (\theta-\theta_k)`, whose minimiser is :math:`\theta_k - H_k^{-1} g_k`. On a quadratic
    (linear regression) one step with ``lr = 1`` lands on the minimum; on logistic
    regression it is IRLS. Damping (Levenberg-Marquardt) keeps the step a descent
    direction where :math:`H` is not positive definite, and the backtracking line search
    (Armijo) keeps far-from-quadratic steps from overshooting.

    The Hessian costs :math:`n^2` memory and :math:`O(n^3)` to factor, so this is for
    small problems. Without a ``hessian`` callable the exact Hessian is taken from the loss
    tensor the closure returns (its graph is kept while the closure runs, and each row is a
    backward pass through the recorded backward, ``nabla.autograd.grad(create_graph=True)``);
    where some op of the loss has no differentiable backward (see
    ``nabla.autograd.DIFFERENTIABLE_BACKWARD``) it falls back to central differences, which
    cost :math:`2n` closure evaluations per step and are refused above ``max_fd_params``
    parameters. ``state["hessian"]`` says which was used at the last step.

    Parameters
    ----------
    params : iterable of Tensor
        The parameters (one group only).
    lr : float, default 1
        Step length tried first (> 0).
    damping : float, default 0
        :math:`\lambda` added to the Hessian's diagonal (>= 0); raised automatically
        while :math:`H + \lambda I` is not positive definite.
    hessian : callable, "autograd" or "fd", optional
        ``hessian(theta) -> (n, n) array``: the exact Hessian at the flat parameter vector
        ``theta`` (a copy; the parameters also hold it). ``"autograd"``: always by double
        backward (an error if the loss has an op without a differentiable backward);
        ``"fd"``: always central differences. Default (None): by double backward where
        possible, central differences otherwise.
    line_search : bool, default True
        Backtracking (Armijo) line search from ``t = lr``, halving ``t``.
    c1 : float, default 1e-4
        Sufficient-decrease constant of the line search, in (0, 1).
    max_ls : int, default 30
        Most trial step lengths (``lr, lr/2, lr/4, ...``), i.e. closure evaluations of the
        line search; if none gives sufficient decrease the parameters stay where they were.
    max_fd_params : int, default 1000
        Largest parameter count for the finite-difference Hessian.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        damping: float = 0.0,
        hessian: HessianFn | None = None,
        *,
        line_search: bool = True,
        c1: float = 1e-4,
        max_ls: int = 30,
        max_fd_params: int = 1000,
    ) -> None:
        who = type(self).__name__
        if hessian is not None and not callable(hessian) and hessian not in _MODES:
            raise TypeError(
                f"{who}: hessian must be a callable theta -> H, got {hessian!r} (or 'autograd' or "
                f"'fd' to choose how it is computed)"
            )
        check_int(who, "max_fd_params", max_fd_params, low=1)
        defaults = {
            "lr": lr,
            "damping": damping,
            "line_search": line_search,
            "c1": c1,
            "max_ls": max_ls,
        }
        super().__init__(params, defaults)
        n = sum(p.data.size for p in self.param_groups[0]["params"])
        if (hessian is None or hessian == "fd") and n > max_fd_params:
            raise ValueError(
                f"{who}: without an analytic hessian, the Hessian may be estimated by central "
                f"differences (2n gradient evaluations per step), allowed for at most "
                f"max_fd_params={max_fd_params} parameters, but there are {n}; pass "
                f"hessian='autograd' (exact, by double backward) or a callable, raise "
                f"max_fd_params, or use BFGS or LBFGS"
            )
        self.hessian = hessian
        self.max_fd_params = max_fd_params

    def _check_group(self, group: dict[str, Any]) -> None:
        who = type(self).__name__
        check_real(who, "lr", group["lr"], low=0.0, low_open=True)
        check_real(who, "damping", group["damping"], low=0.0)
        if not isinstance(group["line_search"], bool):
            raise TypeError(
                f"{who}: line_search must be True or False, got {group['line_search']!r}"
            )
        check_real(who, "c1", group["c1"], low=0.0, high=1.0, low_open=True, high_open=True)
        check_int(who, "max_ls", group["max_ls"], low=1)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if self.param_groups:
            raise ValueError(
                f"{type(self).__name__} doesn't support per-parameter options (parameter "
                f"groups): pass all parameters in one group"
            )
        super().add_param_group(param_group)

    def _hessian(self, flat: FlatParams, theta: Array, closure: Closure, loss: Any) -> Array:
        who = type(self).__name__
        n = flat.numel
        state = self.state[flat.params[0]]
        if self.hessian in (None, "autograd"):
            try:
                H = autograd_hessian(loss, flat.params, flat.dtype)
            except (RuntimeError, TypeError) as exc:
                if self.hessian == "autograd":
                    raise type(exc)(f"{who}: hessian='autograd': {exc}") from None
            else:
                state["hessian"] = "autograd"
                return H
        if not callable(self.hessian):
            state["hessian"] = "fd"

            def grad_at(x: Array) -> Array:
                flat.set(x)
                call_closure(closure)
                return flat.grad()

            H = fd_hessian(grad_at, theta)
            flat.set(theta)
            return H
        state["hessian"] = "callable"
        H = np.asarray(self.hessian(theta.copy()), dtype=flat.dtype)
        if H.shape != (n, n):
            raise ValueError(
                f"{who}: hessian(theta) returned an array of shape {H.shape}, but the "
                f"{n} parameters need shape ({n}, {n})"
            )
        if not np.all(np.isfinite(H)):
            raise ValueError(f"{who}: hessian(theta) returned NaN or inf values")
        return H

    def step(self, closure: Closure | None = None) -> Any:  # type: ignore[override]
        """One Newton iteration; return the loss before it.

        Parameters
        ----------
        closure : callable
            Required: zeroes the gradients, computes the loss, calls ``backward`` and
            returns the loss.
        """
        who = type(self).__name__
        closure = require_closure(who, closure)
        group = self.param_groups[0]
        flat = FlatParams(group["params"])
        state = self.state[group["params"][0]]
        state.setdefault("n_iter", 0)
        state["n_iter"] += 1
        if self.hessian in (None, "autograd"):
            with keep_graphs():  # the loss keeps its graph for the exact Hessian
                loss, f0, g = flat.evaluate(closure, who)
        else:
            loss, f0, g = flat.evaluate(closure, who)
        if not np.any(g):
            return loss  # a stationary point: nothing to do
        theta = flat.get()
        H = self._hessian(flat, theta, closure, loss)
        lam = float(group["damping"])
        scale = max(1.0, float(np.max(np.abs(np.diag(H)))))
        eye = np.eye(flat.numel, dtype=flat.dtype)
        for _ in range(200):  # lam doubles each time: 200 tries exceed any float scale
            try:
                np.linalg.cholesky(H + lam * eye)  # a test of positive definiteness
                break
            except np.linalg.LinAlgError:
                lam = max(2.0 * lam, 1e-8 * scale)
        state["damping_used"] = lam
        d = np.linalg.solve(H + lam * eye, -g)  # (H + lam I) d = -g
        t = float(group["lr"])
        if group["line_search"]:

            def phi_f(step: float) -> float:
                flat.set(theta + step * d)
                return loss_value(call_closure(closure), who)

            slope = float(g @ d)
            t, _, _, accepted = backtracking(
                phi_f, t, f0, slope, c1=float(group["c1"]), max_ls=group["max_ls"]
            )
            if not accepted:
                t = 0.0  # no step length decreased the loss: stay put
        flat.set(theta + t * d)
        state["t"] = t
        return loss
