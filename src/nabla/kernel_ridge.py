"""Kernel ridge regression (seed 000): a = (P + λI)⁻¹ y, f(x) = Σᵢ aᵢ K(xᵢ, x)."""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.linalg
from scipy.linalg import lapack
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from nabla.metrics.pairwise import _kernel_matrix
from nabla.utils import atomic_fit

__all__ = ["KernelRidge"]

_SINGULAR_MSG = "Singular matrix in solving dual problem. Using least-squares solution instead."


def _solve_kernel_ridge(
    K: np.ndarray, y: np.ndarray, alpha: float, *, overwrite_K: bool = False
) -> np.ndarray:
    """Dual coefficients ``a = (K + alpha I)⁻¹ y`` by Cholesky, never an inverse.

    ``K + alpha I = L Lᵀ`` (LAPACK ``potrf``), then ``L z = y`` and ``Lᵀ a = z``
    (``potrs``). Only the lower triangle of ``K`` is read.

    Parameters
    ----------
    K : ndarray of shape (n, n)
        The kernel matrix on the training points (only its lower triangle is used).
    y : ndarray of shape (n,) or (n, n_targets)
    alpha : float
        Ridge penalty λ ≥ 0.
    overwrite_K : bool, default=False
        If True and ``K`` is a contiguous float64 array, it is factored in place (no n-by-n
        copy) and holds the Cholesky factor afterwards. If False, ``K`` is left as it was.

    Returns
    -------
    ndarray of the shape of ``y``.

    Raises
    ------
    numpy.linalg.LinAlgError
        Only when ``overwrite_K=True`` and ``K + alpha I`` is not (numerically) positive
        definite: ``K`` is then destroyed and the caller must rebuild it. With
        ``overwrite_K=False`` the solve falls back to least squares on the untouched
        ``K`` with scikit-learn's warning ("Singular matrix in solving dual problem.").
    """
    n = K.shape[0]
    if K.ndim != 2 or K.shape[1] != n or y.shape[0] != n:
        raise ValueError(
            f"_solve_kernel_ridge: K must be square and match y; got K {K.shape}, y {y.shape}"
        )
    # potrf factors in place only a Fortran-contiguous float64 array; the transpose of a
    # C-contiguous K is one, and its upper triangle is K's lower triangle
    if overwrite_K and K.dtype == np.float64 and K.flags.f_contiguous:
        A, lower = K, True
    elif overwrite_K and K.dtype == np.float64 and K.flags.c_contiguous:
        A, lower = K.T, False
    else:
        A, lower = np.array(K, dtype=np.float64, order="F"), True
    idx = np.arange(n)
    if alpha:
        A[idx, idx] += alpha
    c, info = lapack.dpotrf(A, lower=lower, clean=0, overwrite_a=1)
    if info == 0 and n:
        # a factor that exists but is numerically singular is no better than none: the
        # pivots L_ii² lie between the extreme eigenvalues, so a tiny ratio of pivots
        # proves a condition number beyond what float64 can resolve
        pivots = np.diagonal(c) ** 2
        if pivots.min() <= n * np.finfo(np.float64).eps * pivots.max():
            info = -1
    if info == 0:
        b = np.asfortranarray(y, dtype=np.float64)
        x, info_s = lapack.dpotrs(c, b, lower=lower)
        if info_s != 0:  # pragma: no cover - potrs only fails on bad arguments
            raise np.linalg.LinAlgError(f"potrs failed with info={info_s}")
        return x
    if overwrite_K:
        raise np.linalg.LinAlgError(
            "The kernel matrix plus alpha * I is not positive definite (Cholesky "
            f"failed, info={info}); K was overwritten. Rebuild K and call with "
            "overwrite_K=False for the least-squares fallback, or increase alpha."
        )
    warnings.warn(_SINGULAR_MSG, UserWarning, stacklevel=2)
    return _lstsq_kernel_ridge(K, y, alpha)


def _lstsq_kernel_ridge(K: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    # minimum-norm least squares on (K + alpha I) a = y, as scikit-learn's fallback
    n = K.shape[0]
    full = np.tril(K) + np.tril(K, -1).T
    full[np.arange(n), np.arange(n)] += alpha
    return scipy.linalg.lstsq(full, y, check_finite=False)[0]


class KernelRidge(MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Kernel ridge regression: ridge regression in the feature space of a kernel.

    With the kernel matrix ``P[i, j] = K(xᵢ, xⱼ)`` on the training points, the notes'
    loss ``‖Pa - y‖² + λ aᵀPa`` is minimised by ``a = (P + λI)⁻¹ y`` (solved by a Cholesky
    factorisation done in place, never an inverse) and ``f(x) = Σᵢ aᵢ K(xᵢ, x)``. There is
    no intercept (as in scikit-learn): centre ``y`` or add a constant to the kernel.

    Parameters
    ----------
    alpha : float, default=1.0
        The ridge penalty λ ≥ 0.
    kernel : {"linear", "poly", "polynomial", "rbf", "sigmoid", "precomputed"} or callable
        ``poly``: (gamma xᵀx' + c₀)^degree, or (gamma xᵀx')^degree when ``exact_degree``;
        ``rbf``: exp(-gamma ‖x - x'‖²) = exp(-‖x - x'‖² / (2 sigma²));
        ``sigmoid``: tanh(gamma xᵀx' + c₀).
        ``precomputed``: X is the kernel matrix itself (n_samples, n_samples) at fit and
        (n_queries, n_samples) at predict. A callable gets two rows (1-D arrays) and
        ``**kernel_params`` and returns a float, as in scikit-learn.
    gamma : float, default=None
        gamma of the poly, rbf and sigmoid kernels; None means 1 / n_features (scikit-learn's
        default), unless ``sigma`` is given.
    sigma : float, default=None
        The notes' RBF bandwidth; sets gamma = 1 / (2 sigma²). Give ``gamma`` or
        ``sigma``, not both. Used by the rbf kernel only.
    degree : int, default=3
        k of the polynomial kernel.
    coef0 : float, default=1
        c₀ of the poly and sigmoid kernels (ignored by poly when ``exact_degree``).
    exact_degree : bool, default=False
        Polynomial kernel of degree exactly k, (gamma xᵀx')^k, instead of up to k.
    kernel_params : dict, default=None
        Extra keyword arguments of a callable kernel.

    Attributes
    ----------
    dual_coef_ : ndarray of shape (n_samples,) or (n_samples, n_targets)
        a.
    X_fit_ : ndarray of shape (n_samples, n_features)
        The training points (the training kernel matrix for ``precomputed``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> model = KernelRidge(alpha=1e-3, kernel="rbf", sigma=1.0).fit(X, np.sin(X).ravel())
    >>> np.round(model.predict([[1.0]]), 3)
    array([0.84])
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "kernel": [
            StrOptions({"linear", "poly", "polynomial", "rbf", "sigmoid", "precomputed"}),
            callable,
        ],
        "gamma": [Interval(Real, 0, None, closed="neither"), None],
        "sigma": [Interval(Real, 0, None, closed="neither"), None],
        "degree": [Interval(Integral, 1, None, closed="left")],
        "coef0": [Interval(Real, None, None, closed="neither")],
        "exact_degree": ["boolean"],
        "kernel_params": [dict, None],
    }

    def __init__(
        self,
        alpha: float = 1.0,
        kernel: Any = "linear",
        gamma: float | None = None,
        sigma: float | None = None,
        degree: int = 3,
        coef0: float = 1,
        exact_degree: bool = False,
        kernel_params: dict | None = None,
    ) -> None:
        self.alpha = alpha
        self.kernel = kernel
        self.gamma = gamma
        self.sigma = sigma
        self.degree = degree
        self.coef0 = coef0
        self.exact_degree = exact_degree
        self.kernel_params = kernel_params

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.kernel == "precomputed"
        return tags

    def _kernel_args(self, n_features: int) -> dict[str, Any]:
        """Keyword arguments of ``_kernel_matrix`` for the current hyper-parameters."""
        if self.gamma is not None and self.sigma is not None:
            raise ValueError(
                f"{type(self).__name__}: give gamma or sigma, not both; got "
                f"gamma={self.gamma!r} and sigma={self.sigma!r}"
            )
        name = "poly" if self.kernel == "polynomial" else self.kernel
        if self.sigma is not None and name == "rbf":
            gamma = 1.0 / (2.0 * float(self.sigma) ** 2)
        elif self.gamma is not None:
            gamma = float(self.gamma)
        else:
            gamma = 1.0 / n_features
        coef0 = 0.0 if (name == "poly" and self.exact_degree) else float(self.coef0)
        return {"kernel": name, "gamma": gamma, "coef0": coef0, "degree": int(self.degree)}

    def _get_kernel(self, X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
        """The full kernel matrix K(X, Y) (Y defaults to X) for the current hyper-parameters.

        X and Y must be validated float64 arrays. For ``precomputed`` X is returned as is.
        """
        if self.kernel == "precomputed":
            return X
        if callable(self.kernel):
            params = self.kernel_params or {}
            Yv = X if Y is None else Y
            K = np.empty((X.shape[0], Yv.shape[0]))
            for i, xi in enumerate(X):
                for j, yj in enumerate(Yv):
                    K[i, j] = self.kernel(xi, yj, **params)
            return K
        return _kernel_matrix(X, Y, **self._kernel_args(X.shape[1]))

    @atomic_fit
    def fit(self, X: Any, y: Any) -> KernelRidge:
        """Solve (K + λI) a = y on the training points.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training points, or the (n_samples, n_samples) kernel matrix for
            ``kernel="precomputed"``.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        self
        """
        if self.gamma is not None and self.sigma is not None:
            raise ValueError(
                f"{type(self).__name__}: give gamma or sigma, not both; got "
                f"gamma={self.gamma!r} and sigma={self.sigma!r}"
            )
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        if self.kernel == "precomputed" and X.shape[0] != X.shape[1]:
            raise ValueError(
                f"{type(self).__name__} with kernel='precomputed' needs a square kernel "
                f"matrix of shape (n_samples, n_samples); got X of shape {X.shape}"
            )
        alpha = float(self.alpha)
        if self.kernel == "precomputed":
            K = np.array(X, order="F")  # a private copy that the factorisation may consume
        elif callable(self.kernel):
            K = np.asfortranarray(self._get_kernel(X))
        else:
            K = _kernel_matrix(X, lower=True, **self._kernel_args(X.shape[1]))
        try:
            dual = _solve_kernel_ridge(K, y, alpha, overwrite_K=True)
        except np.linalg.LinAlgError:
            del K
            warnings.warn(_SINGULAR_MSG, UserWarning, stacklevel=4)
            dual = _lstsq_kernel_ridge(self._get_kernel(X), y, alpha)
        self.dual_coef_ = dual
        self.X_fit_ = X
        return self

    def predict(self, X: Any) -> np.ndarray:
        """f(x) = Σᵢ aᵢ K(xᵢ, x) for each row x of X.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            Query points, or the (n_queries, n_samples) kernel between the queries and the
            training points for ``kernel="precomputed"``.

        Returns
        -------
        ndarray of shape (n_queries,) or (n_queries, n_targets)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        K = self._get_kernel(X, self.X_fit_)
        return K @ self.dual_coef_
