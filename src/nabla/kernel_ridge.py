"""Kernel ridge regression (the kernel lecture): a = (P + λI)⁻¹ y, f(x) = Σᵢ aᵢ K(xᵢ, x)."""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.linalg
from scipy.linalg import lapack
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from nabla.base import Interval, StrOptions, check_sample_weight
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


# the hyper-parameters each kernel reads (a callable reads kernel_params only)
_KERNEL_PARAMS = {
    "linear": (),
    "poly": ("gamma", "degree", "coef0", "exact_degree"),
    "rbf": ("gamma", "sigma"),
    "sigmoid": ("gamma", "coef0"),
    "precomputed": (),
}


class KernelRidge(MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Kernel ridge regression: ridge regression in the feature space of a kernel.

    With the kernel matrix ``P[i, j] = K(xᵢ, xⱼ)`` on the training points, the notes'
    loss ``‖Pa - y‖² + λ aᵀPa`` is minimised by ``a = (P + λI)⁻¹ y`` (solved by a Cholesky
    factorisation done in place, never an inverse) and ``f(x) = Σᵢ aᵢ K(xᵢ, x)``. There is
    no intercept (as in scikit-learn): centre ``y`` or add a constant to the kernel.

    The kernels, with their defaults (None means the default below):

    - ``linear``: K(x, x') = xᵀx'.
    - ``poly``: K(x, x') = (gamma xᵀx' + c₀)^k with gamma = 1, c₀ = 1, k = 3, i.e. the
      notes' (1 + xᵀx')^k, every monomial up to degree k. (scikit-learn's gamma=None
      means 1 / n_features for poly as well: pass ``gamma=1 / n_features`` for its
      kernel.) With ``exact_degree``: (gamma xᵀx')^k, the monomials of degree exactly k.
    - ``rbf``: K(x, x') = exp(-gamma ‖x - x'‖²) = exp(-‖x - x'‖² / (2 sigma²)), gamma =
      1 / n_features (scikit-learn's default).
    - ``sigmoid``: K(x, x') = tanh(gamma xᵀx' + c₀), gamma = 1 / n_features, c₀ = 1.

    A hyper-parameter that the chosen kernel does not read (``sigma`` with ``poly``,
    ``degree`` with ``rbf``, ``coef0`` with ``exact_degree``, ``kernel_params`` with a
    named kernel) raises ``ValueError`` at ``fit`` instead of being silently ignored.

    Parameters
    ----------
    alpha : float, default=1.0
        The ridge penalty λ ≥ 0.
    kernel : {"linear", "poly", "polynomial", "rbf", "sigmoid", "precomputed"} or callable
        One of the kernels above. ``precomputed``: X is the kernel matrix itself
        (n_samples, n_samples) at fit and (n_queries, n_samples) at predict. A callable
        gets two rows (1-D arrays) and ``**kernel_params`` and returns a float, as in
        scikit-learn.
    gamma : float, default=None
        gamma of the poly, rbf and sigmoid kernels; None means 1 for poly and
        1 / n_features for rbf and sigmoid (unless ``sigma`` is given).
    sigma : float, default=None
        The notes' RBF bandwidth; sets gamma = 1 / (2 sigma²). Give ``gamma`` or
        ``sigma``, not both. rbf kernel only.
    degree : int, default=None
        k of the polynomial kernel; None means 3. poly kernel only.
    coef0 : float, default=None
        c₀ of the poly and sigmoid kernels; None means 1. Not with ``exact_degree``.
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

    Raises
    ------
    ValueError
        From ``fit`` or ``predict`` when a kernel value or the result is beyond the
        float64 range (the linear kernel of rows of size 1e160, a polynomial kernel of
        large features): rescale X, e.g. with ``StandardScaler``. Kernels are computed
        scale-safely otherwise, so finite data never gives NaN.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> model = KernelRidge(alpha=1e-3, kernel="rbf", sigma=1.0).fit(X, np.sin(X).ravel())
    >>> np.round(model.predict([[1.0]]), 3)
    array([0.84])
    >>> poly = KernelRidge(kernel="poly", degree=2).fit(X, X[:, 0] ** 2)
    >>> poly._get_kernel(np.array([[2.0]]), np.array([[3.0]]))  # (1 + 2 * 3)²
    array([[49.]])
    """

    _constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "kernel": [
            StrOptions({"linear", "poly", "polynomial", "rbf", "sigmoid", "precomputed"}),
            callable,
        ],
        "gamma": [Interval(Real, 0, None, closed="neither"), None],
        "sigma": [Interval(Real, 0, None, closed="neither"), None],
        "degree": [Interval(Integral, 1, None, closed="left"), None],
        "coef0": [Interval(Real, None, None, closed="neither"), None],
        "exact_degree": ["boolean"],
        "kernel_params": [dict, None],
    }

    def __init__(
        self,
        alpha: float = 1.0,
        kernel: Any = "linear",
        gamma: float | None = None,
        sigma: float | None = None,
        degree: int | None = None,
        coef0: float | None = None,
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

    def _check_kernel_params(self) -> None:
        """Refuse gamma with sigma, and any hyper-parameter the kernel would ignore."""
        name = type(self).__name__
        if self.gamma is not None and self.sigma is not None:
            raise ValueError(
                f"{name}: give gamma or sigma, not both; got "
                f"gamma={self.gamma!r} and sigma={self.sigma!r}"
            )
        given = {
            key: value
            for key, value in [
                ("gamma", self.gamma),
                ("sigma", self.sigma),
                ("degree", self.degree),
                ("coef0", self.coef0),
                ("exact_degree", self.exact_degree or None),
                ("kernel_params", self.kernel_params),
            ]
            if value is not None
        }
        used: tuple[str, ...]
        if callable(self.kernel):
            kernel, used = "a callable", ("kernel_params",)
        else:
            kernel = repr(self.kernel)
            used = _KERNEL_PARAMS["poly" if self.kernel == "polynomial" else self.kernel]
        unused = [f"{key}={value!r}" for key, value in given.items() if key not in used]
        if unused:
            reads = ", ".join(used) if used else "no hyper-parameter"
            raise ValueError(
                f"{name}: {' and '.join(unused)} {'is' if len(unused) == 1 else 'are'} not "
                f"used by kernel={kernel} (which reads {reads}); remove "
                f"{'it' if len(unused) == 1 else 'them'} or choose a kernel that uses "
                f"{'it' if len(unused) == 1 else 'them'}."
            )
        if self.exact_degree and self.coef0 is not None:
            raise ValueError(
                f"{name}: coef0={self.coef0!r} is not used with exact_degree=True (the "
                "kernel is (gamma xᵀx')^degree); remove coef0 or set exact_degree=False."
            )

    def _kernel_args(self, n_features: int) -> dict[str, Any]:
        """Keyword arguments of ``_kernel_matrix`` for the current hyper-parameters."""
        name = "poly" if self.kernel == "polynomial" else self.kernel
        if self.sigma is not None and name == "rbf":
            # 1 / (2 sigma²) without forming sigma² (which may underflow or overflow)
            gamma = 0.5 / float(self.sigma) / float(self.sigma)
        elif self.gamma is not None:
            gamma = float(self.gamma)
        elif name == "poly":
            gamma = 1.0  # the notes' (1 + xᵀx')^k
        else:
            gamma = 1.0 / n_features
        coef0 = 1.0 if self.coef0 is None else float(self.coef0)
        if name == "poly" and self.exact_degree:
            coef0 = 0.0
        degree = 3 if self.degree is None else int(self.degree)
        return {"kernel": name, "gamma": gamma, "coef0": coef0, "degree": degree}

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

    def _check_finite(
        self, values: np.ndarray, what: str, X: np.ndarray, lower: bool = False
    ) -> None:
        """ValueError unless ``values`` are all finite (checked before any LAPACK call)."""
        if _all_finite(values, lower):
            return
        kernel = "the callable kernel" if callable(self.kernel) else f"the {self.kernel} kernel"
        raise ValueError(
            f"{type(self).__name__}: {what} with {kernel} is not finite: it overflows "
            f"float64 (the largest |x| is {float(np.max(np.abs(X), initial=0.0)):.3g}). "
            "Rescale X (e.g. with StandardScaler) or y, or use a smaller gamma or degree."
        )

    @atomic_fit
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> KernelRidge:
        """Solve (K + λI) a = y on the training points.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training points, or the (n_samples, n_samples) kernel matrix for
            ``kernel="precomputed"``.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Minimise Σᵢ sᵢ (yᵢ - f(xᵢ))² + λ‖f‖² (as scikit-learn): with s = √sample_weight
            the system is (diag(s) K diag(s) + λI) c = s·y and a = s·c.

        Returns
        -------
        self
        """
        self._check_kernel_params()
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        if self.kernel == "precomputed" and X.shape[0] != X.shape[1]:
            raise ValueError(
                f"{type(self).__name__} with kernel='precomputed' needs a square kernel "
                f"matrix of shape (n_samples, n_samples); got X of shape {X.shape}"
            )
        sw = check_sample_weight(sample_weight, X.shape[0])
        root = None if sw is None else np.sqrt(sw)
        alpha = float(self.alpha)
        if self.kernel == "precomputed":
            K = np.array(X, order="F")  # a private copy that the factorisation may consume
        elif callable(self.kernel):
            K = np.asfortranarray(self._get_kernel(X))
        else:
            K = _kernel_matrix(X, lower=True, **self._kernel_args(X.shape[1]))
        # only the lower triangle is computed, and read by the solver
        self._check_finite(K, "the kernel matrix of X", X, lower=True)
        yw = y if root is None else y * (root if y.ndim == 1 else root[:, None])
        try:
            dual = _solve_kernel_ridge(_weigh(K, root), yw, alpha, overwrite_K=True)
        except np.linalg.LinAlgError:
            del K
            warnings.warn(_SINGULAR_MSG, UserWarning, stacklevel=4)
            dual = _lstsq_kernel_ridge(_weigh(np.array(self._get_kernel(X)), root), yw, alpha)
        if root is not None:
            dual = dual * (root if dual.ndim == 1 else root[:, None])
        self._check_finite(dual, "the solution a = (K + alpha I)⁻¹ y", X)
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
        self._check_finite(K, "the kernel between X and the training points", X)
        with np.errstate(over="ignore", invalid="ignore"):
            out = K @ self.dual_coef_
        self._check_finite(out, "the prediction", X)
        return out


def _weigh(K: np.ndarray, root: np.ndarray | None) -> np.ndarray:
    """diag(s) K diag(s) in place (s = √sample_weight); K unchanged for no weights.

    Only the lower triangle of K may be meaningful: the upper one can hold anything, so
    its products are computed quietly.
    """
    if root is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            K *= root[:, None]
            K *= root[None, :]
    return K


def _all_finite(A: np.ndarray, lower: bool = False) -> bool:
    """Whether every entry (of the lower triangle, for a square ``A`` when ``lower``) is
    finite, by blocks of columns: no full-size boolean temporary."""
    if A.ndim == 1:
        return bool(np.isfinite(A).all())
    n_rows, n_cols = A.shape
    width = max(1, (1 << 18) // max(1, n_rows))
    return all(
        np.isfinite(A[j0 if lower else 0 :, j0 : j0 + width]).all()
        for j0 in range(0, n_cols, width)
    )
