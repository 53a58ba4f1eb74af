"""Bagging (bootstrap aggregating, the course notes): average models refitted on resamples."""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    clone,
    is_classifier,
)
from sklearn.exceptions import FitFailedWarning
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from nabla.model_selection._parallel import (
    TaskFailure,
    draw_indices,
    map_tasks,
    restored_on_error,
    seed_sequence,
    set_random_states,
    split_failures,
)


class _BaseBagging(MetaEstimatorMixin, BaseEstimator):
    """Fitting shared by the regressor and the classifier; they differ in aggregation."""

    _parameter_constraints: dict[str, list[Any]] = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "max_samples": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="right"),
        ],
        "bootstrap": ["boolean"],
        "random_state": [
            Interval(Integral, 0, None, closed="left"),
            np.random.Generator,
            np.random.SeedSequence,
            np.random.RandomState,
            None,
        ],
        "n_jobs": [Integral, None],
        "on_error": [StrOptions({"raise", "skip"})],
    }

    def __init__(
        self,
        estimator: Any = None,
        n_estimators: int = 10,
        *,
        max_samples: int | float = 1.0,
        bootstrap: bool = True,
        random_state: int | np.random.Generator | np.random.SeedSequence | None = None,
        n_jobs: int | None = None,
        on_error: str = "raise",
    ) -> None:
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.bootstrap = bootstrap
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.on_error = on_error

    def _default_estimator(self) -> Any:
        raise NotImplementedError

    def _fit_members(self, X: NDArray[Any], y: NDArray[Any]) -> None:
        """Fit the members; attributes are set only once every check has passed.

        Data with one sample (or, for a classifier, one class) gives resamples that all
        share it: the estimator is fitted once on the whole data first, so that an
        estimator that refuses such data raises its own error (a ``ValueError``, as
        scikit-learn's bagging would) before any resample is drawn, instead of failing
        on every resample.
        """
        n = X.shape[0]
        if isinstance(self.max_samples, Integral):
            if self.max_samples > n:
                raise ValueError(
                    f"{type(self).__name__}: max_samples={self.max_samples} is larger than "
                    f"the number of samples ({n})."
                )
            n_draw = int(self.max_samples)
        else:
            n_draw = max(1, round(float(self.max_samples) * n))
        template = clone(
            self.estimator if self.estimator is not None else self._default_estimator()
        )
        if n < 2 or (is_classifier(self) and np.unique(y).size < 2):
            clone(template).fit(X, y)
        seeds = seed_sequence(self.random_state, type(self).__name__).spawn(self.n_estimators)
        results = map_tasks(
            _fit_member, seeds, args=(template, X, y, n_draw, self.bootstrap), n_jobs=self.n_jobs
        )
        members, failed = split_failures(results)
        kept = self._check_failures(failed, len(seeds))
        self.estimator_ = template
        self.estimators_ = members
        self.n_failed_ = len(failed)
        self._seeds = [s for s, ok in zip(seeds, kept) if ok]
        self._n_draw = n_draw
        self._n_train = n

    def _check_failures(self, failed: list[TaskFailure], total: int) -> list[bool]:
        kept = [True] * total
        for f in failed:
            kept[f.index] = False
        if not failed:
            return kept
        first = failed[0]
        summary = (
            f"{type(self).__name__}: the estimator failed on {len(failed)} of {total} "
            f"resamples (first: #{first.index}: {type(first.error).__name__}: {first.error})"
        )
        if len(failed) == total:
            # every resample refused as invalid input: the data is invalid for the estimator
            invalid = all(isinstance(f.error, ValueError) for f in failed)
            raise (ValueError if invalid else RuntimeError)(
                summary + "; no member is left."
            ) from first.error
        if self.on_error == "raise":
            raise RuntimeError(
                summary + ". Pass on_error='skip' to bag the other members."
            ) from first.error
        warnings.warn(
            summary + f"; the ensemble keeps the other {total - len(failed)}.",
            FitFailedWarning,
            stacklevel=3,
        )
        return kept

    @property
    def estimators_samples_(self) -> list[NDArray[np.intp]]:
        """The training rows each member was fitted on."""
        check_is_fitted(self)
        return [
            draw_indices(s, self._n_train, self._n_draw, self.bootstrap)[0] for s in self._seeds
        ]

    def _member_outputs(self, method: str, X: NDArray[Any]) -> list[Any]:
        results = map_tasks(_call_member, self.estimators_, args=(method, X), n_jobs=self.n_jobs)
        _, failed = split_failures(results)
        if failed:
            raise failed[0].error
        return results


class BaggingRegressor(RegressorMixin, _BaseBagging):
    """Bagging regressor: the mean prediction of models fitted on bootstrap resamples.

    Member ``b`` is a clone of ``estimator`` fitted on ``max_samples`` rows drawn (with
    replacement when ``bootstrap``) by child ``b`` of
    ``numpy.random.SeedSequence(random_state).spawn(n_estimators)``, which also seeds the
    clone's ``random_state`` parameters; so the ensemble is the same for any ``n_jobs`` and
    joblib backend. ``predict(x) = (1/B) sum_b f_b(x)``.

    Input is validated before any resample is drawn: X must be 2-D, as in scikit-learn,
    and data with a single sample (or a single class, for the classifier), which every
    resample would share, is first given to the estimator once, so that an estimator that
    refuses it raises its own ``ValueError``, as it would in scikit-learn's bagging.

    Parameters
    ----------
    estimator : estimator or None, default=None
        Any regressor with ``fit`` and ``predict`` (a network too); None means
        scikit-learn's ``DecisionTreeRegressor``.
    n_estimators : int, default=10
        Number of members ``B``.
    max_samples : int or float, default=1.0
        Rows per member: a count, or a fraction of ``n_samples``.
    bootstrap : bool, default=True
        Draw with replacement (bagging) or without (pasting).
    random_state : int, Generator, SeedSequence or None
        Seed of the resampling and of the members.
    n_jobs : int or None
        Workers for fitting and predicting (joblib semantics and backend).
    on_error : {"raise", "skip"}, default="raise"
        When some members fail to fit: raise ``RuntimeError`` (saying how many) or warn
        and keep the others. When every member fails, the fit raises in either case:
        ``ValueError`` if every failure was a ``ValueError`` (the data is invalid for the
        estimator), else ``RuntimeError``.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members.
    estimators_samples_ : list of ndarray
        The rows each member was fitted on.
    n_failed_ : int
        Members that failed and were skipped.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.ensemble import BaggingRegressor
    >>> X = np.linspace(0, 1, 30)[:, None]; y = X[:, 0] ** 2
    >>> model = BaggingRegressor(n_estimators=5, random_state=0).fit(X, y)
    >>> model.predict([[0.5]]).shape
    (1,)
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # y of shape (n_samples, n_outputs) is averaged column by column, when the
        # members themselves accept it
        tags.target_tags.multi_output = True
        return tags

    def _default_estimator(self) -> Any:
        from sklearn.tree import DecisionTreeRegressor

        return DecisionTreeRegressor()

    def fit(self, X: ArrayLike, y: ArrayLike) -> BaggingRegressor:
        """Fit ``n_estimators`` members on resamples of ``(X, y)``."""
        self._validate_params()
        with restored_on_error(self):
            X_arr, y_arr = validate_data(self, X, y, multi_output=True, y_numeric=True)
            self._fit_members(X_arr, y_arr)
        return self

    def predict(self, X: ArrayLike) -> NDArray[np.float64]:
        """The mean of the members' predictions."""
        check_is_fitted(self)
        X_arr = validate_data(self, X, reset=False)
        outputs = self._member_outputs("predict", X_arr)
        return np.mean([np.asarray(o, dtype=np.float64) for o in outputs], axis=0)


class BaggingClassifier(ClassifierMixin, _BaseBagging):
    """Bagging classifier: the average class probabilities of models fitted on resamples.

    Members are drawn and seeded as in :class:`BaggingRegressor`. Each member votes with
    ``predict_proba`` when it has one (soft voting), else with a one-hot ``predict``;
    ``predict_proba`` is the mean vote over the members, and ``predict`` its most likely
    class. A member whose resample lacked some class gives it probability 0.

    Parameters
    ----------
    estimator : estimator or None, default=None
        Any classifier (a network too); None means scikit-learn's
        ``DecisionTreeClassifier``.
    n_estimators, max_samples, bootstrap, random_state, n_jobs, on_error
        As in :class:`BaggingRegressor`.

    Attributes
    ----------
    classes_ : ndarray
        The class labels.
    estimators_ : list of estimators
        The fitted members (trained on the class indices ``0..n_classes-1``).
    estimators_samples_ : list of ndarray
        The rows each member was fitted on.
    n_failed_ : int
        Members that failed and were skipped.
    """

    def _default_estimator(self) -> Any:
        from sklearn.tree import DecisionTreeClassifier

        return DecisionTreeClassifier()

    def fit(self, X: ArrayLike, y: ArrayLike) -> BaggingClassifier:
        """Fit ``n_estimators`` members on resamples of ``(X, y)``."""
        self._validate_params()
        with restored_on_error(self):
            X_arr, y_arr = validate_data(self, X, y)
            check_classification_targets(y_arr)
            classes, encoded = np.unique(y_arr, return_inverse=True)
            self._fit_members(X_arr, encoded.reshape(-1))
            self.classes_ = classes
        return self

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Mean class probabilities (or vote shares) of the members, ``(n_samples, n_classes)``."""
        check_is_fitted(self)
        X_arr = validate_data(self, X, reset=False)
        k = len(self.classes_)
        soft = all(hasattr(m, "predict_proba") for m in self.estimators_)
        outputs = self._member_outputs("predict_proba" if soft else "predict", X_arr)
        total = np.zeros((X_arr.shape[0], k))
        for member, out in zip(self.estimators_, outputs):
            if soft:
                # a member sees only the classes of its resample: put its columns in place
                total[:, np.asarray(member.classes_, dtype=np.intp)] += out
            else:
                total[np.arange(X_arr.shape[0]), np.asarray(out, dtype=np.intp)] += 1.0
        return total / len(self.estimators_)

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """The class with the highest mean probability."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


def _fit_member(
    seed: np.random.SeedSequence,
    template: Any,
    X: NDArray[Any],
    y: NDArray[Any],
    n_draw: int,
    bootstrap: bool,
) -> Any:
    idx, rng = draw_indices(seed, X.shape[0], n_draw, bootstrap)
    member = clone(template)
    set_random_states(member, rng)
    return member.fit(X[idx], y[idx])


def _call_member(member: Any, method: str, X: NDArray[Any]) -> Any:
    return getattr(member, method)(X)
