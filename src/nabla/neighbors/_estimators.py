"""k-nearest-neighbour classification and regression (the course notes, "K-NEAREST NEIGHBORS")."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin, MultiOutputMixin, RegressorMixin
from sklearn.utils.validation import validate_data

from nabla.neighbors._base import _KNeighborsBase, _neighbor_weights
from nabla.utils import atomic_fit, check_classification_y

__all__ = ["KNeighborsClassifier", "KNeighborsRegressor"]

_PARAMS_DOC = """
    Parameters
    ----------
    n_neighbors : int, default=5
        k. It may not exceed the number of training points (checked at query time, as
        in scikit-learn).
    weights : {"uniform", "distance"} or callable, default="uniform"
        Equal votes, votes weighted by 1/distance (a query that coincides with training
        points takes their values), or a function from the (n_queries, k) distances to
        finite weights of the same shape. A query whose weights are all 0 raises
        ValueError at predict time (scikit-learn's message, for the regressor too).
    metric : {"minkowski", "euclidean", "manhattan", "l2", "l1", "cityblock"}
        Distance; "minkowski" uses ``p`` (p=2 is Euclidean, p=1 Manhattan).
    p : float, default=2
        Minkowski power, p ≥ 1.
    algorithm : {"auto", "brute", "ball_tree", "kd_tree"}, default="auto"
        scikit-learn's search structure. Every value gives the same exact neighbours,
        computed here by brute force (scikit-learn's trees are exact searches too).
    leaf_size : int, default=30
        Accepted for scikit-learn (a tree's leaf size); no effect on brute force.
    metric_params : None, default=None
        Only None or an empty dict: the metrics here take no extra parameters.
    n_jobs : int or None, default=None
        Accepted for scikit-learn; no effect (NumPy's BLAS threads do the work).
"""


class KNeighborsClassifier(ClassifierMixin, _KNeighborsBase):
    __doc__ = (
        """Classify by the most common class among the k nearest training points.

    Training stores the points; a query finds its k nearest neighbours by brute force
    (matrix-product distances in memory-bounded chunks) and takes the (weighted)
    majority vote; ties go to the first class in ``classes_``.
"""
        + _PARAMS_DOC
        + """
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    effective_metric_ : str
    n_samples_fit_ : int
    n_features_in_ : int

    Examples
    --------
    >>> X = [[0.0], [1.0], [10.0], [11.0]]
    >>> KNeighborsClassifier(n_neighbors=1).fit(X, ["a", "a", "b", "b"]).predict([[9.0]])
    array(['b'], dtype='<U1')
    """
    )

    @atomic_fit
    def fit(self, X: Any, y: Any) -> KNeighborsClassifier:
        """Store the training points and their classes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        classes, encoded = check_classification_y(y)
        self._fit_data(X)
        self.classes_ = classes
        self._y = encoded
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Share of the (weighted) votes of each class among the k nearest neighbours.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)

        Returns
        -------
        ndarray of shape (n_queries, n_classes)
        """
        dist, ind, e = self._scaled_kneighbors(X)
        w = _neighbor_weights(dist, e, self.weights)
        labels = self._y[ind]
        n, n_classes = labels.shape[0], self.classes_.size
        # one bincount over (row, class) pairs tallies every vote at once
        flat = (np.arange(n)[:, None] * n_classes + labels).ravel()
        votes = np.bincount(
            flat, weights=None if w is None else w.ravel(), minlength=n * n_classes
        ).reshape(n, n_classes)
        return votes / votes.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """The (weighted) majority class among the k nearest neighbours.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)

        Returns
        -------
        ndarray of shape (n_queries,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class KNeighborsRegressor(MultiOutputMixin, RegressorMixin, _KNeighborsBase):
    __doc__ = (
        """Predict the (weighted) mean target of the k nearest training points.
"""
        + _PARAMS_DOC
        + """
    Attributes
    ----------
    effective_metric_ : str
    n_samples_fit_ : int
    n_features_in_ : int

    Examples
    --------
    >>> X = [[0.0], [1.0], [2.0], [3.0]]
    >>> KNeighborsRegressor(n_neighbors=2).fit(X, [0.0, 0.0, 1.0, 1.0]).predict([[1.6]])
    array([0.5])
    """
    )

    @atomic_fit
    def fit(self, X: Any, y: Any) -> KNeighborsRegressor:
        """Store the training points and targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        self
        """
        X, y = validate_data(
            self, X, y, dtype=np.float64, order="C", multi_output=True, y_numeric=True
        )
        self._fit_data(X)
        self._y = np.asarray(y, dtype=np.float64)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Σ wⱼ yⱼ / Σ wⱼ over the k nearest neighbours (wⱼ = 1 when uniform).

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)

        Returns
        -------
        ndarray of shape (n_queries,) or (n_queries, n_targets)
        """
        dist, ind, e = self._scaled_kneighbors(X)
        w = _neighbor_weights(dist, e, self.weights)
        Yn = self._y[ind]  # (n_queries, k) or (n_queries, k, n_targets)
        with np.errstate(over="ignore", invalid="ignore"):
            pred = _weighted_mean(Yn, w)
        if not np.isfinite(pred).all():
            # targets near the float64 limit: average them divided by a power of two
            t = int(np.frexp(np.max(np.abs(Yn)))[1])
            with np.errstate(over="ignore", invalid="ignore"):
                pred = np.ldexp(_weighted_mean(np.ldexp(Yn, -t), w), t)
            if not np.isfinite(pred).all():
                raise ValueError(
                    "KNeighborsRegressor: the weighted mean of the neighbours' targets "
                    "overflows float64; use non-negative weights or rescale y."
                )
        return pred


def _weighted_mean(Yn: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Σⱼ wⱼ yⱼ / Σⱼ wⱼ over axis 1 of ``Yn`` (the plain mean when ``w`` is None)."""
    if w is None:
        return Yn.mean(axis=1)
    if Yn.ndim == 3:
        return np.einsum("qk,qkt->qt", w, Yn) / w.sum(axis=1)[:, None]
    return np.einsum("qk,qk->q", w, Yn) / w.sum(axis=1)
