"""``BootstrapCI``: a confidence band for any estimator's predictions (the bootstrap lecture)."""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.exceptions import FitFailedWarning
from sklearn.utils import indexable
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _num_samples, check_is_fitted

from nabla.model_selection import _kernel_fast
from nabla.model_selection._intervals import interval
from nabla.model_selection._parallel import (
    TaskFailure,
    draw_indices,
    map_tasks,
    seed_sequence,
    set_random_states,
    split_failures,
    take_rows,
)


class BootstrapCI(MetaEstimatorMixin, BaseEstimator):
    """Bootstrap confidence interval of an estimator's prediction ``f(x)`` at each input.

    The algorithm of the bootstrap lecture: for ``b = 1..B``, draw ``n`` training points with
    replacement, refit a clone of ``estimator`` on them and predict; the interval at ``x``
    is read from the ``B`` predictions ``f_b(x)``. The point prediction is the fit on the
    full data, ``f(x)``. With ``alpha = (1 - confidence) / 2`` and ``q`` the quantiles of
    the ``f_b(x)``:

    * ``"percentile"``: ``[q(alpha), q(1 - alpha)]`` (the seed's 5th and 95th percentiles);
    * ``"basic"``: ``[2 f(x) - q(1 - alpha), 2 f(x) - q(alpha)]``;
    * ``"bca"``: ``q`` read at levels corrected for bias (the share of ``f_b(x)`` below
      ``f(x)``) and skewness (``n`` extra leave-one-out fits, the jackknife).

    Works with any estimator that has ``fit`` and ``predict`` (nabla's, scikit-learn's,
    networks). Kernel ridge takes a shortcut with equal results: the training kernel is
    computed once and each resample is solved on its distinct points only (see
    ``nabla.model_selection._kernel_fast``).

    Resample ``b`` is drawn from child ``b`` of
    ``numpy.random.SeedSequence(random_state).spawn(n_bootstrap)``, which also seeds every
    ``random_state`` parameter of the refitted clone (as scikit-learn's bagging does), so
    the result is the same for any ``n_jobs`` and joblib backend.

    Parameters
    ----------
    estimator : estimator
        The model to refit; it is cloned, never changed.
    n_bootstrap : int, default=200
        Number of resamples ``B``, at least 1.
    confidence : float, default=0.90
        Confidence level, strictly between 0 and 1.
    method : {"percentile", "basic", "bca"}, default="percentile"
        How the interval is read from the bootstrap predictions.
    random_state : int, Generator, SeedSequence or None
        Seed of the resampling.
    n_jobs : int or None
        Workers for the refits (joblib semantics; the backend is joblib's active one).
    on_error : {"raise", "skip"}, default="raise"
        When the estimator fails on some resamples (a classifier given a single class, a
        solver that does not converge): ``"raise"`` raises after trying all of them and
        says how many failed; ``"skip"`` warns and builds the interval from the others.
    fast_path : bool, default=True
        Use the kernel ridge shortcut when the estimator supports it.

    Attributes
    ----------
    estimator_ : estimator
        The clone fitted on the full data (the point prediction).
    estimators_ : list of estimators
        The clones fitted on the resamples that succeeded (empty on the shortcut).
    n_failed_ : int
        Number of resamples on which the estimator failed (skipped).
    fast_path_ : bool
        Whether the kernel ridge shortcut was used.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from nabla.model_selection import BootstrapCI
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(40, 1)); y = 2 * X[:, 0] + rng.normal(0, 0.1, 40)
    >>> ci = BootstrapCI(LinearRegression(), n_bootstrap=50, random_state=0).fit(X, y)
    >>> pred, low, high = ci.predict([[0.5]])
    >>> bool(low[0] < pred[0] < high[0])
    True
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "estimator": [HasMethods(["fit", "predict"])],
        "n_bootstrap": [Interval(Integral, 1, None, closed="left")],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
        "method": [StrOptions({"percentile", "basic", "bca"})],
        "random_state": [
            Interval(Integral, 0, None, closed="left"),
            np.random.Generator,
            np.random.SeedSequence,
            np.random.RandomState,
            None,
        ],
        "n_jobs": [Integral, None],
        "on_error": [StrOptions({"raise", "skip"})],
        "fast_path": ["boolean"],
    }

    def __init__(
        self,
        estimator: Any,
        n_bootstrap: int = 200,
        confidence: float = 0.90,
        method: str = "percentile",
        random_state: int | np.random.Generator | np.random.SeedSequence | None = None,
        n_jobs: int | None = None,
        on_error: str = "raise",
        fast_path: bool = True,
    ) -> None:
        self.estimator = estimator
        self.n_bootstrap = n_bootstrap
        self.confidence = confidence
        self.method = method
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.on_error = on_error
        self.fast_path = fast_path

    def fit(self, X: ArrayLike, y: ArrayLike) -> BootstrapCI:
        """Fit the estimator on the data and on ``n_bootstrap`` resamples of it.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Inputs; anything the estimator accepts and that can be indexed by rows.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self
        """
        self._validate_params()
        X, y = indexable(X, y)
        n = _num_samples(X)
        if n < 2:
            raise ValueError(f"BootstrapCI: fit needs at least 2 samples to resample; got {n}.")
        # Everything is computed into locals and assigned at the end: a failed fit leaves a
        # previously fitted BootstrapCI as it was.
        full = clone(self.estimator).fit(X, y)
        root = seed_sequence(self.random_state, "BootstrapCI")
        seeds = root.spawn(self.n_bootstrap)
        jack_seeds = root.spawn(n) if self.method == "bca" else []
        y_arr = np.asarray(y)
        solver = None
        if self.fast_path and y_arr.dtype.kind in "fiub":
            solver = _kernel_fast.kernel_solver(full, y_arr)

        if solver is not None:
            y64 = y_arr.astype(np.float64)
            coefs, failed, route = _kernel_fast.bootstrap_coefs(
                full, y64, seeds, solver, self.n_jobs
            )
            estimators: list[Any] = []
        else:
            template = clone(self.estimator)
            results = map_tasks(_fit_resample, seeds, args=(template, X, y), n_jobs=self.n_jobs)
            estimators, failed = split_failures(results)
            coefs, route = None, "plain"
        kept = self._check_failures(failed, len(seeds), "bootstrap resamples")

        jack_coefs, jack_estimators = None, None
        if self.method == "bca":
            if solver is not None:
                jack_coefs = _kernel_fast.jackknife_coefs(full, y_arr.astype(np.float64))
            else:
                template = clone(self.estimator)
                items = list(zip(range(n), jack_seeds))
                results = map_tasks(
                    _fit_leave_one_out, items, args=(template, X, y), n_jobs=self.n_jobs
                )
                jack_estimators, jack_failed = split_failures(results)
                self._check_failures(jack_failed, n, "leave-one-out (jackknife) fits")

        self.estimator_ = full
        self.estimators_ = estimators
        self.fast_path_ = solver is not None
        self._route = route
        self.n_failed_ = len(failed)
        self._seeds = [s for s, ok in zip(seeds, kept) if ok]
        self._n_train = n
        self._coefs = coefs
        self._jack_coefs = jack_coefs
        self._jack_estimators = jack_estimators
        return self

    def _check_failures(self, failed: list[TaskFailure], total: int, what: str) -> list[bool]:
        kept = [True] * total
        for f in failed:
            kept[f.index] = False
        if not failed:
            return kept
        first = failed[0]
        summary = (
            f"BootstrapCI: the estimator failed on {len(failed)} of {total} {what} "
            f"(first: #{first.index}: {type(first.error).__name__}: {first.error})"
        )
        if len(failed) == total:
            raise RuntimeError(summary + "; nothing is left to build an interval from.") from (
                first.error
            )
        if self.on_error == "raise":
            raise RuntimeError(
                summary + ". Pass on_error='skip' to build the interval from the others."
            ) from first.error
        warnings.warn(
            summary + f"; they are left out and the interval uses the other {total - len(failed)}.",
            FitFailedWarning,
            stacklevel=3,
        )
        return kept

    @property
    def bootstrap_indices_(self) -> NDArray[np.intp]:
        """The training rows of each kept resample, shape ``(B_ok, n_samples)``."""
        check_is_fitted(self)
        rows = [draw_indices(s, self._n_train)[0] for s in self._seeds]
        return np.stack(rows) if rows else np.empty((0, self._n_train), dtype=np.intp)

    def predict_bootstrap(self, X: ArrayLike) -> NDArray[Any]:
        """The ``B`` bootstrap predictions ``f_b(X)``, shape ``(B_ok, n_samples[, ...])``."""
        check_is_fitted(self)
        if self._coefs is not None:
            return _kernel_fast.predict_coefs(self.estimator_, X, self._coefs)
        return self._predict_all(self.estimators_, X)

    def predict(self, X: ArrayLike, return_bootstrap: bool = False) -> tuple[NDArray[Any], ...]:
        """Point prediction and confidence bounds at each input.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
        return_bootstrap : bool, default=False
            Also return the bootstrap predictions (for plots), as ``predict_bootstrap``.

        Returns
        -------
        prediction, lower, upper : ndarray of shape (n_samples[, n_outputs])
            ``f(X)`` of the full fit and the bounds of the interval.
        bootstrap : ndarray of shape (B_ok, n_samples[, n_outputs])
            Only with ``return_bootstrap=True``.
        """
        check_is_fitted(self)
        prediction = np.asarray(self.estimator_.predict(X), dtype=np.float64)
        boot = np.asarray(self.predict_bootstrap(X), dtype=np.float64)
        jack = None
        if self.method == "bca":
            if self._jack_coefs is not None:
                jack = _kernel_fast.predict_coefs(self.estimator_, X, self._jack_coefs)
            else:
                jack = self._predict_all(self._jack_estimators or [], X)
        low, high = interval(prediction, boot, self.confidence, self.method, jack)
        if self.method == "bca" and np.any(np.isnan(low)):
            warnings.warn(
                "BootstrapCI: the BCa interval is NaN at some inputs, where the bootstrap "
                "predictions are degenerate (all equal) or the jackknife has no spread.",
                RuntimeWarning,
                stacklevel=2,
            )
        if return_bootstrap:
            return prediction, low, high, boot
        return prediction, low, high

    def _predict_all(self, estimators: list[Any], X: ArrayLike) -> NDArray[Any]:
        results = map_tasks(_predict_one, estimators, args=(X,), n_jobs=self.n_jobs)
        _, failed = split_failures(results)
        if failed:
            raise failed[0].error
        return np.stack([np.asarray(r) for r in results])

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "estimator_")


def _fit_resample(seed: np.random.SeedSequence, template: Any, X: Any, y: Any) -> Any:
    idx, rng = draw_indices(seed, _num_samples(X))
    est = clone(template)
    set_random_states(est, rng)
    return est.fit(take_rows(X, idx), take_rows(y, idx))


def _fit_leave_one_out(
    item: tuple[int, np.random.SeedSequence], template: Any, X: Any, y: Any
) -> Any:
    i, seed = item
    n = _num_samples(X)
    idx = np.concatenate([np.arange(i), np.arange(i + 1, n)])
    est = clone(template)
    set_random_states(est, np.random.default_rng(seed))
    return est.fit(take_rows(X, idx), take_rows(y, idx))


def _predict_one(estimator: Any, X: Any) -> Any:
    return estimator.predict(X)
