"""The penalised cross-entropy of the logistic and softmax models, its derivatives, and
the rescaling that keeps them inside the float64 range.

The objective (the notes' "Logistic Regression" and "Softmax regression"), in the mean
form that keeps step sizes independent of n:

    f(W, b) = (1/n) Σᵢ Lᵢ + (λ/2) ‖W‖²,   λ = 1 / (C n),   b never penalised

binary:      zᵢ = xᵢᵀw + b,        Lᵢ = log(1 + e^{zᵢ}) - yᵢ zᵢ,        ∇_w = Xᵀ(π - y)/n + λw
multinomial: zᵢₖ = xᵢᵀwₖ + bₖ,     Lᵢ = log Σₖ e^{zᵢₖ} - zᵢ,yᵢ,        ∇_W = (Π - Y)ᵀX/n + λW

It has the same minimiser as scikit-learn's ½‖W‖² + C Σᵢ Lᵢ. Parameters travel as one flat
vector θ = [W.ravel(), b].

Scale safety: a column of X whose entries reach beyond 2^±64 in magnitude is multiplied
by a power of two (exact) before solving, X = Xₛ 2ᵏ column by column (see ``rescale``), so
the scores, gradients and Hessians stay far inside the float64 range; the model is then
fitted in the rescaled coordinates vⱼ = wⱼ 2^kⱼ, whose penalty is λⱼ = λ 2^(-2kⱼ) (the same
objective), and mapped back. A trial point whose scores overflow has f = inf, never NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from nabla.linear_model._scaling import ldexp, max_abs, pow2_exponent

_MAX_FLOAT = float(np.finfo(np.float64).max)
# columns of X whose largest magnitude lies beyond 2^±_SAFE_EXPONENT are rescaled
_SAFE_EXPONENT = 64


@dataclass
class _Problem:
    X: np.ndarray  # (n, d) float64, C-ordered
    y: np.ndarray  # (n,) class indices
    n_classes: int
    multinomial: bool
    fit_intercept: bool
    # λ = 1 / (C n); 0 when C = inf; per column (shape (d,)) when columns were rescaled
    lam: float | np.ndarray

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
        # far steps (a line search's trial points) may overflow: their loss is then inf
        with np.errstate(over="ignore", invalid="ignore"):
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

    def penalty(self, W: np.ndarray) -> float:
        """(1/2) Σⱼ λⱼ ‖W[:, j]‖²."""
        if np.ndim(self.lam) == 0:
            return 0.5 * float(self.lam) * float(np.vdot(W, W))
        return 0.5 * float(np.vdot(W * self.lam, W))

    def _loss_parts(
        self, z: np.ndarray, theta: np.ndarray, residual: bool
    ) -> tuple[float, np.ndarray | None]:
        # a trial step far out (a line search's) can overflow the scores: f is then inf,
        # never NaN, and the step is rejected
        with np.errstate(over="ignore", invalid="ignore"):
            f, r = self._loss_terms(z, theta, residual)
        return (f if np.isfinite(f) else np.inf), r

    def _loss_terms(
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
        return float(data / n + self.penalty(W)), r

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
        with np.errstate(over="ignore", invalid="ignore"):  # the solvers check finiteness
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
        H[diag, diag] += np.broadcast_to(self.lam, (K, d)).ravel()
        # the scores are unchanged by adding one constant to every class's intercept (and,
        # without a penalty, one vector to every wₖ): H is singular along those directions
        # and the gradient is orthogonal to them, so adding their projector makes H
        # positive definite without changing the Newton step
        if self.fit_intercept:
            bi = K * d + np.arange(K)
            H[np.ix_(bi, bi)] += 1.0 / K
        for j in np.flatnonzero(np.broadcast_to(self.lam, (d,)) == 0.0):
            cj = np.arange(K) * d + j
            H[np.ix_(cj, cj)] += 1.0 / K
        return H


def rescale(X: np.ndarray, C: float) -> tuple[np.ndarray, np.ndarray, float | np.ndarray]:
    """(Xₛ, k, λ): the columns Xₛ = X 2^-k to solve on, and the penalty for them.

    λ = 1/(C n) (0 for C = inf; at most the largest float, for a C near 0). kⱼ = 0 for a
    column whose largest magnitude 2^eⱼ lies within 2^±64. A larger column is brought
    into (-1, 1) (kⱼ = eⱼ); a smaller one is brought up as far as its penalty allows,
    kⱼ = max(eⱼ, ⌈log₂(λ)/2⌉) while that is negative, which keeps its penalty
    λⱼ = λ 2^(-2kⱼ) at most 1 (a larger one would dominate the column's curvature and the
    column would not matter; rescaling it up would only make the problem stiff).
    """
    n = X.shape[0]
    if np.isinf(C):
        lam = 0.0
    else:
        with np.errstate(over="ignore"):
            lam = min(float(np.float64(1.0) / (np.float64(C) * n)), _MAX_FLOAT)
    e = pow2_exponent(max_abs(X, axis=0)).astype(np.int64)
    floor = int(np.ceil(np.log2(lam) / 2)) if lam > 0.0 else np.iinfo(np.int64).min
    up = np.minimum(np.maximum(e, floor), 0)
    k = np.where(e > _SAFE_EXPONENT, e, np.where(e < -_SAFE_EXPONENT, up, 0))
    if not k.any():
        return X, k, lam
    return ldexp(X, -k), k, ldexp(lam, -2 * k)
