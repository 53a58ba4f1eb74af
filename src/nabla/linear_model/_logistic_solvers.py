"""Four ways to minimise the penalised cross-entropy of ``_logistic_objective``.

Newton's method (IRLS for two classes), L-BFGS, gradient descent and mini-batch SGD, each
on a ``_Problem`` (the objective, possibly in rescaled coordinates). No LAPACK routine is
handed a matrix holding inf or NaN, every loop is bounded by max_iter (and the line
searches by a fixed count), and a gradient-descent run whose iterates leave the float64
range (a learning rate far too large) raises ``ValueError``.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.optimize
from scipy.linalg import lapack
from sklearn.exceptions import ConvergenceWarning

from nabla.linear_model._logistic_objective import _Problem

_ARMIJO = 1e-4
# from this many samples Newton warm-starts on a subsample and subsamples its Hessian
_LARGE_N = 16384
_HESSIAN_ROWS = 4096


def _factor(H: np.ndarray, lower: bool) -> tuple:
    """Cholesky factor of H, or the symmetric H itself when it is singular (λ = 0).

    H must be finite (the caller checks): LAPACK is never handed inf or NaN.
    """
    c, info = lapack.dpotrf(np.array(H, order="F"), lower=lower, clean=0, overwrite_a=1)
    if info == 0:
        return c, None
    return None, (np.tril(H) + np.tril(H, -1).T if lower else H)


def _newton_direction(factor: tuple, g: np.ndarray, lower: bool) -> np.ndarray:
    """Solve H Δ = -g by the Cholesky factor; least squares if H is singular."""
    c, H = factor
    if c is not None:
        step, _ = lapack.dpotrs(c, -g, lower=lower)
        return step
    return scipy.linalg.lstsq(H, -g, check_finite=False)[0]


def _warn_not_converged(solver: str, max_iter: int, detail: str = "") -> None:
    warnings.warn(
        f"{solver} failed to converge after {max_iter} iteration(s){detail}. Increase the "
        "number of iterations (max_iter) or scale the data (StandardScaler).",
        ConvergenceWarning,
        stacklevel=6,  # the caller of fit, through the fit wrappers
    )


def _newton_phase(
    prob: _Problem,
    hess: _Problem,
    stride: int,
    theta: np.ndarray,
    budget: int,
    target: float,
    g_start: float | None = None,
) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Newton iterations on ``prob`` until ‖∇f‖∞ ≤ target: (θ, ∇f, iterations, g_start).

    The Hessian comes from ``hess`` (``prob``'s rows ``::stride``) and its factorisation
    is kept while the steps it gives still cut the gradient tenfold; when even a fresh
    subsampled Hessian does not once the gradient is down to 1e-3 of ``g_start`` (its
    size at the start of the solve, by default here: from there Newton's convergence is
    local, and fast with the exact Hessian), the full one takes over.
    """
    lower = not prob.multinomial
    z = prob.scores(theta)
    f, r = prob.loss_residual(z, theta)
    g = prob.gradient(theta, r)
    if g_start is None:
        g_start = float(np.max(np.abs(g)))
    factor, fresh = None, False
    for it in range(budget):
        g_max = float(np.max(np.abs(g)))
        if g_max <= target or not np.isfinite(g_max):
            return theta, g, it, g_start
        if factor is None:
            H = hess.hessian(prob.rows(z, stride))
            if not np.isfinite(H).all():
                return theta, g, it, g_start  # never hand LAPACK inf or NaN
            factor, fresh = _factor(H, lower), True
        step = _newton_direction(factor, g, lower)
        if not np.isfinite(step).all():
            return theta, g, it, g_start
        # the scores are linear in θ, so z(θ + tΔ) = z + t z(Δ): one product per iteration
        dz = prob.scores(step)
        slope = float(g @ step)
        # below the rounding of f the values cannot judge a step: trust the quadratic model
        trust = -slope <= 1e-12 * abs(f)
        t = 1.0
        for _ in range(40):
            with np.errstate(over="ignore", invalid="ignore"):
                z_new = z + t * dz
            f_new, r = prob.loss_residual(z_new, theta + t * step)
            if (trust and np.isfinite(f_new)) or f_new <= f + _ARMIJO * t * slope:
                break
            t *= 0.5
        else:
            return theta, g, it, g_start  # no decrease left at this precision
        theta = theta + t * step
        z, f = z_new, f_new
        g = prob.gradient(theta, r)
        if t < 1.0 or np.max(np.abs(g)) > 0.1 * g_max:
            if fresh and stride > 1 and t == 1.0 and g_max < 1e-3 * g_start:
                hess, stride = prob, 1  # the subsample is not accurate enough any more
            factor = None
        fresh = False
    return theta, g, budget, g_start


def _solve_newton(prob: _Problem, theta: np.ndarray, max_iter: int, tol: float) -> tuple:
    """Newton's method, θ ← θ - t H⁻¹g, with Armijo backtracking on t (from t = 1).

    For the binary model the full step is IRLS (the MLP lecture): θₖ₊₁ = (XᵀSₖX)⁻¹Xᵀ(SₖXθₖ + y - πₖ)
    with Sₖ = diag(πₖ(1 - πₖ)) (plus the penalty); the line search only shortens it where
    the quadratic model overshoots. The gradient is always exact, so the optimum is too,
    but for large n the cost is cut in two ways that only change the path to it: the
    same objective is first solved on an evenly spaced subsample of about 4096 rows (a
    warm start), and the Hessian of the full-data iterations is estimated on that
    subsample (its factorisation reused while it still cuts the gradient tenfold, the
    full Hessian taking over near the optimum if the estimate is not good enough).
    """
    X, y = prob.X, prob.y
    n = X.shape[0]
    stride, total, g_start, hess = 1, 0, None, prob
    if n >= _LARGE_N:
        stride = n // _HESSIAN_ROWS
        # the evenly spaced subsample, contiguous: the Hessian reads it every iteration
        hess = prob.with_data(np.ascontiguousarray(X[::stride]), y[::stride])
        # warm start: the same objective on the subsample, at a twelfth of the cost
        theta, _, total, g_start = _newton_phase(hess, hess, 1, theta, max_iter, tol)
    theta, g, its, _ = _newton_phase(prob, hess, stride, theta, max_iter - total, tol, g_start)
    total += its
    if not np.max(np.abs(g)) <= tol:  # NaN too: Newton stopped at a non-finite gradient
        _warn_not_converged("newton", max_iter)
    return theta, max(total, 0)


def _lipschitz(prob: _Problem, X: np.ndarray) -> float:
    """An upper estimate of the Lipschitz constant of ∇f: c s_max([X, 1])² / n + λ.

    c = 1/4 for the logistic loss (π(1 - π) ≤ 1/4) and 1/2 for softmax; s_max² by power
    iteration on XₐᵀXₐ, enlarged by 10% because power iteration approaches it from below.
    """
    n, d = X.shape
    v = np.ones(d + 1) / np.sqrt(d + 1)
    s = 0.0
    for _ in range(30):
        u = X @ v[:d] + (v[d] if prob.fit_intercept else 0.0)
        w = np.empty(d + 1)
        w[:d] = u @ X
        w[d] = u.sum() if prob.fit_intercept else 0.0
        s = float(np.linalg.norm(w))
        if s == 0.0:
            break
        v = w / s
    c = 0.5 if prob.multinomial else 0.25
    return 1.1 * c * s / n + float(np.max(prob.lam))


def _solve_gd(
    prob: _Problem, theta: np.ndarray, max_iter: int, tol: float, lr: float | None
) -> tuple:
    """Steepest descent θₖ₊₁ = θₖ - η ∇f(θₖ) (the MLP lecture), η = 1/L unless given."""
    eta = lr if lr is not None else _inverse(_lipschitz(prob, prob.X))
    for it in range(1, max_iter + 1):
        f, g = prob.loss_grad(theta)
        _check_diverged("gd", it, f, g, lr)
        if np.max(np.abs(g)) <= tol:
            return theta, it - 1
        with np.errstate(over="ignore", invalid="ignore"):
            theta = theta - eta * g
    f, g = prob.loss_grad(theta)
    _check_diverged("gd", max_iter + 1, f, g, lr)
    if np.max(np.abs(g)) > tol:
        _warn_not_converged("gd", max_iter)
    return theta, max_iter


def _inverse(L: float) -> float:
    """1/L; for L = 0 (X and the intercept column vanish) every step size is safe."""
    return 1.0 / L if L > 0.0 else 1.0


def _check_diverged(solver: str, it: int, f: float, g: np.ndarray, lr: float | None) -> None:
    """Raise ValueError once the loss or the gradient has left the float64 range."""
    if np.isfinite(f) and np.isfinite(g).all():
        return
    given = f"learning_rate={lr!r} is too large for this data; lower it or" if lr else "the"
    raise ValueError(
        f"{solver} diverged: at iteration {it} the loss or its gradient left the float64 "
        f"range. The {given} scale X (e.g. StandardScaler)."
    )


def _solve_sgd(
    prob: _Problem,
    theta: np.ndarray,
    max_iter: int,
    tol: float,
    lr: float | None,
    batch_size: int,
    rng: np.random.Generator,
) -> tuple:
    """Mini-batch SGD θ ← θ - ηₑ ĝ (ĝ: the gradient on a batch), averaged per epoch.

    One iteration is one epoch over a fresh permutation with step ηₑ = η₀ / √e (η₀ = 1/L
    unless given); the epoch ends at the average of its iterates (Polyak-Ruppert
    averaging cancels most of the batch noise), from which the next epoch starts. Stops
    when the full gradient there is at most ``tol``.
    """
    X, y = prob.X, prob.y
    n = X.shape[0]
    eta0 = lr if lr is not None else _inverse(_lipschitz(prob, X))
    bs = min(batch_size, n)
    sub = _Problem(X, y, prob.n_classes, prob.multinomial, prob.fit_intercept, prob.lam)
    for epoch in range(1, max_iter + 1):
        eta = eta0 / np.sqrt(epoch)
        order = rng.permutation(n)
        total = np.zeros_like(theta)
        for s in range(0, n, bs):
            batch = order[s : s + bs]
            Xb = X[batch]
            sub.y = y[batch]
            with np.errstate(over="ignore", invalid="ignore"):
                z = prob.scores(theta, Xb)
                theta = theta - eta * sub.gradient(theta, sub.residual(z), Xb)
                total += theta
        theta = total / -(-n // bs)
        f, g = prob.loss_grad(theta)
        _check_diverged("sgd", epoch, f, g, lr)
        if np.max(np.abs(g)) <= tol:
            return theta, epoch
    _warn_not_converged("sgd", max_iter)
    return theta, max_iter


def _solve_lbfgs(prob: _Problem, theta: np.ndarray, max_iter: int, tol: float) -> tuple:
    """L-BFGS (SciPy's L-BFGS-B without bounds) on f and ∇f, stopping at ‖∇f‖∞ ≤ tol.

    A trial point whose scores overflow reports f = inf (and a zero gradient), which
    SciPy's line search rejects by shortening the step.
    """

    def loss_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = prob.loss_grad(theta)
        if not (np.isfinite(f) and np.isfinite(g).all()):
            return np.inf, np.zeros_like(theta)
        return f, g

    res = scipy.optimize.minimize(
        loss_grad,
        theta,
        jac=True,
        method="L-BFGS-B",
        options={
            "maxiter": max_iter,
            "maxls": 50,
            "gtol": tol,
            "ftol": 64 * np.finfo(float).eps,
        },
    )
    if res.status != 0:
        _warn_not_converged("lbfgs", max_iter, f" (status={res.status}): {res.message}")
    return res.x, int(res.nit)
