"""``MultivariateNormal``: the d-dimensional Gaussian N(mu, Sigma) of the notes, through the
Cholesky factor Sigma = L L^T (no inverse, no determinant)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nabla.autograd.engine import is_grad_enabled
from nabla.autograd.tensor import Tensor
from nabla.distributions._base import (
    LOG_2PI,
    RNG,
    Distribution,
    as_params,
    check_finite,
    check_param,
    get_rng,
)
from nabla.distributions._linalg import cholesky, diagonal, solve_tril


def _mT(t: Tensor) -> Tensor:
    axes = list(range(t.ndim))
    axes[-2], axes[-1] = axes[-1], axes[-2]
    return t.transpose(axes)


class MultivariateNormal(Distribution):
    """Gaussian in d dimensions with mean ``loc`` and covariance Sigma = L L^T:

    p(x) = (2 pi)^(-d/2) det(Sigma)^(-1/2) exp(-(x - mu)^T Sigma^(-1) (x - mu) / 2)

    computed with L only: z = L^(-1) (x - mu) by forward substitution, so that

    log p = -(d log(2 pi) + z^T z) / 2 - sum_i log L_ii
    H = d (1 + log(2 pi)) / 2 + sum_i log L_ii    (= log((2 pi e)^d det(Sigma)) / 2, the notes)

    Parameters
    ----------
    loc : array or Tensor of shape (..., d)
    covariance_matrix : array or Tensor of shape (..., d, d), optional
        Symmetric positive definite.
    scale_tril : array or Tensor of shape (..., d, d), optional
        Lower-triangular L with a positive diagonal. Give exactly one of the two.
    validate_args : bool, default True
        Check that the parameters are finite, the covariance symmetric and positive
        definite (its Cholesky factorisation succeeds) and ``scale_tril`` lower-triangular
        with a positive diagonal (``ValueError`` naming the parameter). The support is all
        of R^d: ``log_prob`` is finite for every finite value. Non-finite matrices are
        refused even with ``validate_args=False``, before any factorisation is attempted.

    Notes
    -----
    Every result is differentiable in ``loc`` and in the matrix given. nabla has no
    Cholesky op; when ``covariance_matrix`` requires a gradient, L is computed by a
    Cholesky-Crout recursion composed from differentiable ops (of (Sigma + Sigma^T) / 2, so
    its gradient is symmetric, as PyTorch's), otherwise by ``numpy.linalg.cholesky``. The
    triangular solves are composed the same way: O(d) Python steps, meant for small d.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.distributions import MultivariateNormal
    >>> mvn = MultivariateNormal(np.zeros(2), covariance_matrix=np.array([[4.0, 0], [0, 1]]))
    >>> round(mvn.log_prob(np.zeros(2)).item(), 6)  # -log(2 pi) - log 2
    -2.531024
    >>> mvn.scale_tril.numpy()
    array([[2., 0.],
           [0., 1.]])
    >>> mvn.sample((5,), rng=0).shape
    (5, 2)
    """

    has_rsample = True

    def __init__(
        self,
        loc: Any,
        covariance_matrix: Any = None,
        scale_tril: Any = None,
        validate_args: bool = True,
    ) -> None:
        who = "MultivariateNormal"
        if (covariance_matrix is None) == (scale_tril is None):
            raise ValueError(f"{who}: give exactly one of covariance_matrix and scale_tril")
        name = "covariance_matrix" if covariance_matrix is not None else "scale_tril"
        p = as_params(
            who, loc=loc, **{name: covariance_matrix if scale_tril is None else scale_tril}
        )
        mu, m = p["loc"].data, p[name].data
        if mu.ndim < 1:
            raise ValueError(f"{who}: loc must have shape (..., d); got a scalar")
        d = mu.shape[-1]
        if m.ndim < 2 or m.shape[-2:] != (d, d):
            raise ValueError(
                f"{who}: {name} must have shape (..., {d}, {d}) to match loc of shape "
                f"{mu.shape}; got {m.shape}"
            )
        try:
            batch = tuple(np.broadcast_shapes(mu.shape[:-1], m.shape[:-2]))
        except ValueError:
            raise ValueError(
                f"{who}: the batch shapes of loc {mu.shape[:-1]} and {name} {m.shape[:-2]} "
                "do not broadcast"
            ) from None
        check_finite(p[name], who, name)  # also without validate_args: LAPACK sees only finite data
        if validate_args:
            check_finite(p["loc"], who, "loc")
        L = self._check_matrix(name, np.asarray(m, dtype=np.float64), validate_args)
        super().__init__(batch, (d,), validate_args)
        self._store(p)
        self._L = L.astype(self._dtype)

    @staticmethod
    def _check_matrix(name: str, m: np.ndarray, validate: bool) -> np.ndarray:
        """The Cholesky factor of a covariance (after checking it), or ``scale_tril``."""
        who = "MultivariateNormal"
        if name == "scale_tril":
            if validate:
                upper = np.triu(m, 1)
                check_param(upper == 0, who, "scale_tril", "lower-triangular", upper)
                diag = np.diagonal(m, axis1=-2, axis2=-1)
                check_param(diag > 0, who, "scale_tril", "with a positive diagonal", diag)
            return m
        if validate:
            scale = max(1.0, float(np.max(np.abs(m))))
            sym = np.isclose(m, np.swapaxes(m, -1, -2), rtol=1e-5, atol=1e-6 * scale)
            check_param(np.all(sym), who, "covariance_matrix", "symmetric", m)
        try:
            return np.linalg.cholesky(m)
        except np.linalg.LinAlgError:
            raise ValueError(
                f"{who}: covariance_matrix must be positive definite (its Cholesky "
                "factorisation failed); add a small multiple of the identity (a jitter) or "
                "check for linearly dependent dimensions"
            ) from None

    @property
    def _d(self) -> int:
        return self.event_shape[0]

    @property
    def loc(self) -> Tensor:
        """mu, broadcast to ``batch_shape + (d,)``."""
        return self._param("loc", (*self.batch_shape, self._d))

    @property
    def scale_tril(self) -> Tensor:
        """L, lower-triangular with L L^T = Sigma, shape ``batch_shape + (d, d)``."""
        shape = (*self.batch_shape, self._d, self._d)
        if "scale_tril" in self._raw:
            return self._param("scale_tril", shape)
        cov = self._raw["covariance_matrix"]
        if cov.requires_grad and is_grad_enabled():
            A = self._param("covariance_matrix", shape)
            return cholesky((A + _mT(A)) * 0.5)
        return Tensor(np.broadcast_to(self._L, shape))

    @property
    def covariance_matrix(self) -> Tensor:
        """Sigma, shape ``batch_shape + (d, d)``."""
        if "covariance_matrix" in self._raw:
            return self._param("covariance_matrix", (*self.batch_shape, self._d, self._d))
        L = self.scale_tril
        return L @ _mT(L)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        """The diagonal of Sigma, sum_j L_ij^2."""
        L = self.scale_tril
        return (L * L).sum(axis=-1)

    def _half_log_det(self, L: Tensor) -> Tensor:
        return diagonal(L).log().sum(axis=-1)  # log |Sigma|^(1/2)

    def log_prob(self, value: Any) -> Tensor:
        """log p(value) for values of shape (..., d); the support is all of R^d."""
        v = self._value(value)
        L = self.scale_tril
        z = solve_tril(L, v - self.loc)
        return -0.5 * (self._d * LOG_2PI + (z * z).sum(axis=-1)) - self._half_log_det(L)

    def entropy(self) -> Tensor:
        return self._half_log_det(self.scale_tril) + 0.5 * self._d * (1.0 + LOG_2PI)

    def rsample(self, sample_shape: Any = (), rng: RNG = None) -> Tensor:
        """mu + L eps with eps ~ N(0, I): differentiable in the parameters."""
        eps = get_rng(rng, "MultivariateNormal").standard_normal(self._shape(sample_shape))
        e = Tensor(eps.astype(self._dtype)).reshape(*eps.shape[:-1], 1, self._d)
        return self.loc + (self.scale_tril * e).sum(axis=-1)
