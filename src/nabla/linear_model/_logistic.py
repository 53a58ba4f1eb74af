"""Logistic regression and the notes' softmax classifier (seeds 001 and 003)."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from nabla.base import Interval, StrOptions
from nabla.linear_model._logistic_objective import _Problem, rescale
from nabla.linear_model._logistic_solvers import (
    _LARGE_N,
    _solve_gd,
    _solve_lbfgs,
    _solve_newton,
    _solve_sgd,
)
from nabla.linear_model._scaling import check_finite_fit, ldexp, linear_scores
from nabla.utils import atomic_fit, check_classification_y, check_random_generator

__all__ = ["LogisticRegression", "SoftmaxRegression"]


def _auto_solver(prob: _Problem) -> str:
    """Newton while its Hessian (p² per sample, p parameters) costs less than the extra
    gradient passes of L-BFGS: binary models with few features (more of them when the
    Hessian is estimated on a subsample, from _LARGE_N samples). Measured on 2 cores."""
    if prob.multinomial:
        return "lbfgs"
    limit = 64 if prob.X.shape[0] >= _LARGE_N else 16
    return "newton" if prob.size <= limit else "lbfgs"


class _LinearClassifier(ClassifierMixin, BaseEstimator):
    """Shared fit/predict of the logistic (binary) and softmax (multinomial) models."""

    _always_multinomial = False
    # scikit-learn's solver names, mapped to the solver here that minimises the same
    # objective (LogisticRegression only; SoftmaxRegression takes nabla's names)
    _solver_aliases: dict[str, str] = {}

    _constraints: dict = {
        "C": [Interval(Real, 0, None, closed="right")],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions({"auto", "newton", "lbfgs", "gd", "sgd"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "learning_rate": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        C: float = 1.0,
        *,
        fit_intercept: bool = True,
        solver: str = "auto",
        max_iter: int = 100,
        tol: float = 1e-4,
        learning_rate: float | str = "auto",
        batch_size: int = 32,
        random_state: Any = None,
    ) -> None:
        self.C = C
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.random_state = random_state

    @atomic_fit
    def fit(self, X: Any, y: Any) -> Any:
        """Minimise the penalised cross-entropy.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (at least two classes).

        Returns
        -------
        self
        """
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        classes, encoded = check_classification_y(y, min_classes=2)
        n_classes = classes.size
        # columns of extreme magnitude are solved for in units of a power of two
        no_penalty = getattr(self, "penalty", "l2") is None
        Xs, k, lam = rescale(X, np.inf if no_penalty else float(self.C))
        prob = _Problem(
            Xs, encoded, n_classes, self._always_multinomial or n_classes > 2,
            self.fit_intercept, lam,
        )  # fmt: skip
        solver = self._solver_aliases.get(self.solver, self.solver)
        if solver == "auto":
            solver = _auto_solver(prob)
        theta = self._warm_theta(prob, classes, k)
        lr = None if self.learning_rate == "auto" else float(self.learning_rate)
        tol, max_iter = float(self.tol), int(self.max_iter)
        if solver == "newton":
            theta, n_iter = _solve_newton(prob, theta, max_iter, tol)
        elif solver == "lbfgs":
            theta, n_iter = _solve_lbfgs(prob, theta, max_iter, tol)
        elif solver == "gd":
            theta, n_iter = _solve_gd(prob, theta, max_iter, tol, lr)
        else:
            rng = check_random_generator(self.random_state)
            theta, n_iter = _solve_sgd(prob, theta, max_iter, tol, lr, self.batch_size, rng)
        W, b = prob.unpack(theta)
        W = ldexp(W, -k)  # wⱼ = vⱼ 2^-kⱼ, exact unless beyond the float64 range
        check_finite_fit(
            type(self).__name__,
            "Scale X (e.g. StandardScaler) or lower C.",
            coefficients=W,
        )
        if prob.multinomial and self.fit_intercept:
            # only differences of intercepts matter; report the centred ones
            b = b - b.mean()
        self.classes_ = classes
        self.coef_ = np.array(W)
        self.intercept_ = np.array(b, dtype=np.float64)
        self.n_iter_ = np.array([n_iter])
        self.solver_ = solver
        return self

    def _warm_theta(self, prob: _Problem, classes: np.ndarray, k: Any) -> np.ndarray:
        """θ = 0, or the previous fit's (in the rescaled coordinates) for a warm start."""
        theta = np.zeros(prob.size)
        if not getattr(self, "warm_start", False) or not hasattr(self, "coef_"):
            return theta
        same = np.array_equal(np.asarray(getattr(self, "classes_", None)), classes)
        if not same or self.coef_.shape != (prob.k, prob.X.shape[1]):
            raise ValueError(
                f"{type(self).__name__}(warm_start=True): the previous fit had classes "
                f"{getattr(self, 'classes_', None)!r} and coef_ of shape {self.coef_.shape}, "
                "which this data does not match; refit with warm_start=False."
            )
        d = prob.X.shape[1]
        theta[: prob.k * d] = ldexp(self.coef_, k).ravel()  # vⱼ = wⱼ 2^kⱼ
        if prob.fit_intercept:
            theta[prob.k * d :] = self.intercept_
        return theta

    def _scores(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        # ±inf for a score beyond the float64 range (its class is still clear), never NaN
        return linear_scores(X, self.coef_, self.intercept_)

    def decision_function(self, X: Any) -> np.ndarray:
        """Scores: the logit of the second class (two classes) or one score per class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
        """
        check_is_fitted(self)
        if self.coef_.shape[0] == 2:
            # softmax with two classes: log(π₁ / π₀) = z₁ - z₀ = x(w₁ - w₀) + (b₁ - b₀),
            # formed from the coefficients so that two infinite scores give no inf - inf
            X = validate_data(self, X, dtype=np.float64, reset=False)
            diff = self.coef_[1:] - self.coef_[:1]
            return linear_scores(X, diff, self.intercept_[1] - self.intercept_[0])[:, 0]
        z = self._scores(X)
        return z[:, 0] if z.shape[1] == 1 else z

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log P(class | x), computed stably (log-sum-exp).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        # beyond |z| = 1e300 the probabilities are 0 and 1 in float64 anyway; clipping
        # keeps an infinite score from turning z - max(z) into NaN
        z = np.clip(self._scores(X), -1e300, 1e300)
        if z.shape[1] == 1:
            # log sigmoid(z) = -log(1 + e^{-z}), log(1 - sigmoid(z)) = -log(1 + e^{z})
            z = np.hstack([np.zeros_like(z), z])
        m = z.max(axis=1, keepdims=True)
        return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))

    def predict_proba(self, X: Any) -> np.ndarray:
        """P(class | x): sigmoid(z) for two classes, softmax(z) otherwise.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return np.exp(self.predict_log_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        z = self._scores(X)
        if z.shape[1] == 1:
            return self.classes_[(z[:, 0] > 0).astype(np.intp)]
        return self.classes_[np.argmax(z, axis=1)]


class LogisticRegression(_LinearClassifier):
    """Logistic regression with an L2 penalty; multinomial (softmax) for more than 2 classes.

    Minimises ½‖W‖² + C Σᵢ Lᵢ (scikit-learn's objective; the intercept is not penalised),
    with L the cross-entropy of π = sigmoid(xᵀw + b) for two classes (one weight vector) and of
    softmax(Wx + b) otherwise.

    Parameters
    ----------
    C : float, default=1.0
        Inverse penalty strength, in (0, inf]; ``np.inf`` means no penalty.
    fit_intercept : bool, default=True
    solver : {"auto", "newton", "lbfgs", "gd", "sgd"}, default="auto"
        ``newton``: Newton's method with an exact Hessian (IRLS for two classes, seed
        003) and a backtracking line search; ``lbfgs``: SciPy's L-BFGS; ``gd``: gradient
        descent θ ← θ - η∇f; ``sgd``: mini-batch stochastic gradient descent. ``auto``
        takes newton for two classes and few features (at most 15, or 63 from 16384
        samples), else lbfgs.
    max_iter : int, default=100
        Iterations (newton, lbfgs, gd) or epochs (sgd).
    tol : float, default=1e-4
        Stop when the largest gradient entry of the mean objective
        (1/n) ΣLᵢ + ‖W‖²/(2Cn) is at most ``tol``. For a column of extreme magnitude,
        which is solved for in units of a power of two (see Notes), the entry is the
        derivative with respect to the rescaled coefficient.
    learning_rate : float or "auto", default="auto"
        η of gd, η₀ of sgd (ηₑ = η₀/√e at epoch e); "auto" derives it from a bound on the
        curvature, which guarantees descent.
    batch_size : int, default=32
        Mini-batch size of sgd.
    random_state : int, RandomState instance or None, default=None
        Shuffling of sgd.
    penalty : {"l2", None, "deprecated"}, default="deprecated"
        scikit-learn's: "l2" (and "deprecated") is the L2 penalty above; None fits
        without a penalty (as C=inf). L1 and elastic-net penalties are not implemented.
    l1_ratio : float or None, default=0.0
        Only 0.0 or None (the pure L2 penalty) is accepted.
    dual : bool, default=False
        Only False (liblinear's dual formulation is not implemented).
    intercept_scaling : float, default=1
        Accepted for scikit-learn, where only liblinear uses it; no effect here.
    verbose : int, default=0
        Accepted for scikit-learn; nabla's solvers print nothing.
    warm_start : bool, default=False
        Start the solver from the previous fit's ``coef_`` and ``intercept_`` (same
        classes and features).
    n_jobs : int or None, default=None
        Accepted for scikit-learn; no effect (NumPy's BLAS threads do the work).

    ``solver`` also takes scikit-learn's names for solvers of the same objective:
    "newton-cg" and "newton-cholesky" run "newton", "sag" and "saga" run "lbfgs" (the
    minimiser is unique; ``solver_`` says which ran). "liblinear", which penalises the
    intercept (another model), is refused.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) for two classes, else (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : ndarray of shape (1,)
    solver_ : str
        The solver used (resolves "auto").
    n_features_in_ : int

    Notes
    -----
    Scale safety: a column whose largest magnitude lies beyond 2^±64 is multiplied by a
    power of two (exact) before the solver sees it, and its coefficient mapped back
    (a penalty that dominates a tiny column limits how far it is scaled up), so that no
    score, gradient or Hessian overflows; every solver stops within ``max_iter``. A fit
    whose coefficients lie beyond the float64 range, or a ``gd``/``sgd`` run whose
    iterates leave it (a learning rate far too large), raises ``ValueError``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> model = LogisticRegression().fit(X, [0, 0, 1, 1])
    >>> model.predict([[-3.0], [3.0]]).tolist()
    [0, 1]
    """

    _solver_aliases = {
        "newton-cg": "newton",
        "newton-cholesky": "newton",
        "sag": "lbfgs",
        "saga": "lbfgs",
    }
    _constraints: dict = {
        **_LinearClassifier._constraints,
        "solver": [StrOptions({"auto", "newton", "lbfgs", "gd", "sgd", *_solver_aliases})],
        "penalty": [StrOptions({"l2", "deprecated"}), None],
        "l1_ratio": [Interval(Real, 0, 0, closed="both"), None],
        "dual": [False],
        "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
        "verbose": [Interval(Integral, 0, None, closed="left"), "boolean"],
        "warm_start": ["boolean"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        penalty: str | None = "deprecated",
        *,
        C: float = 1.0,
        l1_ratio: float = 0.0,
        dual: bool = False,
        tol: float = 1e-4,
        fit_intercept: bool = True,
        intercept_scaling: float = 1,
        random_state: Any = None,
        solver: str = "auto",
        max_iter: int = 100,
        verbose: int = 0,
        warm_start: bool = False,
        n_jobs: int | None = None,
        learning_rate: float | str = "auto",
        batch_size: int = 32,
    ) -> None:
        super().__init__(
            C, fit_intercept=fit_intercept, solver=solver, max_iter=max_iter, tol=tol,
            learning_rate=learning_rate, batch_size=batch_size, random_state=random_state,
        )  # fmt: skip
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.intercept_scaling = intercept_scaling
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs


class SoftmaxRegression(_LinearClassifier):
    """The notes' softmax classifier: one weight vector per class, even for two classes.

    P(y = k | x) = softmax(Wx + b)ₖ, fitted by maximum likelihood with an L2 penalty:
    minimise ½‖W‖² + C Σᵢ [log Σₖ e^{zᵢₖ} - zᵢ,yᵢ]. With two classes it is logistic
    regression on the difference w₁ - w₀: the optimum equals LogisticRegression with
    ``C`` doubled (the penalty ½(‖w₀‖² + ‖w₁‖²) with w₀ = -w₁ is ¼‖w₁ - w₀‖²).

    Parameters
    ----------
    C, fit_intercept, solver, max_iter, tol, learning_rate, batch_size, random_state
        As in :class:`LogisticRegression`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (n_classes, n_features)
    intercept_ : ndarray of shape (n_classes,)
        Centred (they sum to zero): only their differences matter.
    n_iter_ : ndarray of shape (1,)
    solver_ : str
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> model = SoftmaxRegression().fit(X, ["a", "a", "b", "b"])
    >>> model.coef_.shape, model.predict([[3.0]]).tolist()
    ((2, 1), ['b'])
    """

    _always_multinomial = True
