"""Penalised cross-entropy of the logistic and softmax models, and four ways to minimise it.

The objective (seed 003, "Logistic Regression" and "Softmax regression"), in the mean
form that keeps step sizes independent of n:

    f(W, b) = (1/n) Σᵢ Lᵢ + (λ/2) ‖W‖²,   λ = 1 / (C n),   b never penalised

binary:      zᵢ = xᵢᵀw + b,        Lᵢ = log(1 + e^{zᵢ}) - yᵢ zᵢ,        ∇_w = Xᵀ(π - y)/n + λw
multinomial: zᵢₖ = xᵢᵀwₖ + bₖ,     Lᵢ = log Σₖ e^{zᵢₖ} - zᵢ,yᵢ,        ∇_W = (Π - Y)ᵀX/n + λW

It has the same minimiser as scikit-learn's ½‖W‖² + C Σᵢ Lᵢ. Parameters travel as one flat
vector θ = [W.ravel(), b].
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.optimize
from scipy.linalg import lapack
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning

_ARMIJO = 1e-4
# from this many samples Newton warm-starts on a subsample and subsamples its Hessian
_LARGE_N = 16384
_HESSIAN_ROWS = 4096


@dataclass
class _Problem:
    X: np.ndarray  # (n, d) float64, C-ordered
    y: np.ndarray  # (n,) class indices
    n_classes: int
    multinomial: bool
    fit_intercept: bool
    lam: float  # λ = 1 / (C n); 0 when C = inf

    @property
    def k(self) -> int:
        """Rows of W: 1 for the binary logistic model, n_classes for softmax."""
        return self.n_classes if self.multinomial else 1

    @property
    def size(self) -> int:
        return self.k * (self.X.shape[1] + int(self.fit_intercept))

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d = self.X.shape[1]
        W = theta[: self.k * d].reshape(self.k, d)
        b = theta[self.k * d :] if self.fit_intercept else np.zeros(self.k)
        return W, b

    def scores(self, theta: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
        """z = XWᵀ + b: shape (n,) for binary; (K, n) for multinomial.

        Classes along the first axis make the per-sample reductions over classes
        (max, sum) elementwise operations between K rows, which NumPy vectorises.
        """
        W, b = self.unpack(theta)
        Xv = self.X if X is None else X
        if not self.multinomial:
            return Xv @ W[0] + b[0]
        return W @ Xv.T + b[:, None]

    def rows(self, z: np.ndarray, stride: int) -> np.ndarray:
        """The scores of the samples ``::stride``."""
        return z[::stride] if not self.multinomial else z[:, ::stride]

    def loss_residual(self, z: np.ndarray, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """f (the mean penalised loss) and π - y (or Π - Y), sharing one exponential."""
        f, r = self._loss_parts(z, theta, True)
        assert r is not None  # asked for
        return f, r

    def _loss_parts(
        self, z: np.ndarray, theta: np.ndarray, residual: bool
    ) -> tuple[float, np.ndarray | None]:
        W, _ = self.unpack(theta)
        y = self.y
        n = y.shape[0]
        r = None
        if not self.multinomial:
            # log(1 + e^z) = max(z, 0) + log1p(e^{-|z|}), stable; π from the same e^{-|z|}
            e = np.exp(-np.abs(z))
            data = np.maximum(z, 0.0).sum() + np.log1p(e).sum() - z[y == 1].sum()
            if residual:
                inv = 1.0 / (1.0 + e)
                r = np.where(z >= 0.0, inv, e * inv)
                r -= y == 1
        else:
            m = z.max(axis=0)
            E = np.exp(z - m)
            s = E.sum(axis=0)
            true = np.take_along_axis(z, y[None, :], axis=0)
            data = m.sum() + np.log(s).sum() - true.sum()
            if residual:
                E /= s
                E[y, np.arange(n)] -= 1.0
                r = E
        return float(data / n + 0.5 * self.lam * float(np.vdot(W, W))), r

    def loss_from_scores(self, z: np.ndarray, theta: np.ndarray) -> float:
        return self._loss_parts(z, theta, False)[0]

    def residual(self, z: np.ndarray) -> np.ndarray:
        """π - y (binary) or Π - Y (multinomial): the derivative of ΣL in the scores."""
        if not self.multinomial:
            return expit(z) - (self.y == 1)
        P = np.exp(z - z.max(axis=0))
        P /= P.sum(axis=0)
        P[self.y, np.arange(z.shape[1])] -= 1.0
        return P

    def gradient(self, theta: np.ndarray, r: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
        W, _ = self.unpack(theta)
        Xv = self.X if X is None else X
        m = Xv.shape[0]
        gW = (r @ Xv)[None, :] if not self.multinomial else r @ Xv
        gW /= m
        gW += self.lam * W
        if not self.fit_intercept:
            return gW.ravel()
        gb = np.atleast_1d(r.sum(axis=-1)) / m
        return np.concatenate([gW.ravel(), gb])

    def with_data(self, X: np.ndarray, y: np.ndarray) -> _Problem:
        """The same model and penalty λ on other rows (a subsample)."""
        return _Problem(X, y, self.n_classes, self.multinomial, self.fit_intercept, self.lam)

    def loss_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = self.scores(theta)
        f, r = self.loss_residual(z, theta)
        return f, self.gradient(theta, r)

    def hessian(self, z: np.ndarray) -> np.ndarray:
        """∇²f = Xₐᵀ S Xₐ / n + λ I_W with Xₐ = [X, 1] (binary: S = diag(π(1 - π)))."""
        X, n, d = self.X, self.X.shape[0], self.X.shape[1]
        p = d + int(self.fit_intercept)
        if not self.multinomial:
            pi = expit(z)
            root = np.sqrt(pi * (1.0 - pi))
            A = np.empty((n, p))
            np.multiply(X, root[:, None], out=A[:, :d])
            if self.fit_intercept:
                A[:, d] = root
            # Aᵀ A = Xₐᵀ S Xₐ (NumPy uses a symmetric rank-k update for it)
            H = A.T @ A
            H /= n
            H[np.arange(d), np.arange(d)] += self.lam
            return H
        return self._multinomial_hessian(z, p)

    def _multinomial_hessian(self, z: np.ndarray, p: int) -> np.ndarray:
        # block (k, l) = Xₐᵀ diag(πₖ(δₖₗ - πₗ)) Xₐ / n
        #              = δₖₗ Xₐᵀ diag(πₖ) Xₐ / n - (πₖ ⊙ Xₐ)ᵀ (πₗ ⊙ Xₐ) / n
        # the second term for all (k, l) at once is BᵀB with B = [π₁ ⊙ Xₐ, ..., π_K ⊙ Xₐ]
        X, n, d, K = self.X, self.X.shape[0], self.X.shape[1], self.n_classes
        P = np.exp(z - z.max(axis=0))
        P /= P.sum(axis=0)
        Xa = np.hstack([X, np.ones((n, 1))]) if self.fit_intercept else X
        B = (P.T[:, :, None] * Xa[:, None, :]).reshape(n, K * p)
        Hb = B.T @ B
        Hb /= -n
        for k in range(K):
            blk = slice(k * p, (k + 1) * p)
            Hb[blk, blk] += B[:, blk].T @ Xa / n
        # reorder from (class, column of Xₐ) to θ = [W.ravel(), b]
        pos = np.empty(K * p, dtype=np.intp)
        for k in range(K):
            pos[k * p : k * p + d] = k * d + np.arange(d)
            if self.fit_intercept:
                pos[k * p + d] = K * d + k
        H = np.empty_like(Hb)
        H[np.ix_(pos, pos)] = Hb
        diag = np.arange(K * d)
        H[diag, diag] += self.lam
        # the scores are unchanged by adding one constant to every class's intercept (and,
        # without a penalty, one vector to every wₖ): H is singular along those directions
        # and the gradient is orthogonal to them, so adding their projector makes H
        # positive definite without changing the Newton step
        if self.fit_intercept:
            bi = K * d + np.arange(K)
            H[np.ix_(bi, bi)] += 1.0 / K
        if self.lam == 0.0:
            for j in range(d):
                cj = np.arange(K) * d + j
                H[np.ix_(cj, cj)] += 1.0 / K
        return H


def _factor(H: np.ndarray, lower: bool) -> tuple:
    """Cholesky factor of H, or the symmetric H itself when it is singular (λ = 0)."""
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
        if g_max <= target:
            return theta, g, it, g_start
        if factor is None:
            factor, fresh = _factor(hess.hessian(prob.rows(z, stride)), lower), True
        step = _newton_direction(factor, g, lower)
        # the scores are linear in θ, so z(θ + tΔ) = z + t z(Δ): one product per iteration
        dz = prob.scores(step)
        slope = float(g @ step)
        # below the rounding of f the values cannot judge a step: trust the quadratic model
        trust = -slope <= 1e-12 * abs(f)
        t = 1.0
        for _ in range(40):
            z_new = z + t * dz
            f_new, r = prob.loss_residual(z_new, theta + t * step)
            if trust or f_new <= f + _ARMIJO * t * slope:
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

    For the binary model the full step is IRLS (seed 003): θₖ₊₁ = (XᵀSₖX)⁻¹Xᵀ(SₖXθₖ + y - πₖ)
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
    if np.max(np.abs(g)) > tol:
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
    return 1.1 * c * s / n + prob.lam


def _solve_gd(
    prob: _Problem, theta: np.ndarray, max_iter: int, tol: float, lr: float | None
) -> tuple:
    """Steepest descent θₖ₊₁ = θₖ - η ∇f(θₖ) (seed 003), η = 1/L unless given."""
    eta = lr if lr is not None else 1.0 / _lipschitz(prob, prob.X)
    for it in range(1, max_iter + 1):
        _, g = prob.loss_grad(theta)
        if np.max(np.abs(g)) <= tol:
            return theta, it - 1
        theta = theta - eta * g
    if np.max(np.abs(prob.loss_grad(theta)[1])) > tol:
        _warn_not_converged("gd", max_iter)
    return theta, max_iter


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
    eta0 = lr if lr is not None else 1.0 / _lipschitz(prob, X)
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
            z = prob.scores(theta, Xb)
            theta = theta - eta * sub.gradient(theta, sub.residual(z), Xb)
            total += theta
        theta = total / -(-n // bs)
        if np.max(np.abs(prob.loss_grad(theta)[1])) <= tol:
            return theta, epoch
    _warn_not_converged("sgd", max_iter)
    return theta, max_iter


def _solve_lbfgs(prob: _Problem, theta: np.ndarray, max_iter: int, tol: float) -> tuple:
    """L-BFGS (SciPy's L-BFGS-B without bounds) on f and ∇f, stopping at ‖∇f‖∞ ≤ tol."""
    res = scipy.optimize.minimize(
        prob.loss_grad,
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
