"""Shared fitting, neighbour queries and weighting of the k-nearest-neighbour estimators."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from nabla.neighbors._search import _row_norms_sq, kneighbors_search, make_screen

_ALIASES = {"l2": "euclidean", "l1": "manhattan", "cityblock": "manhattan"}


def _neighbor_weights(dist: np.ndarray, weights: Any) -> np.ndarray | None:
    """None for uniform weights; 1/d for "distance" (a query at distance 0 from some
    training points gives those weight 1 and the others 0, as scikit-learn does); or the
    user's callable applied to the distances."""
    if weights == "uniform":
        return None
    if weights == "distance":
        zero = dist == 0.0
        with np.errstate(divide="ignore"):
            w = 1.0 / dist
        rows = zero.any(axis=1)
        w[rows] = zero[rows]
        return w
    return np.asarray(weights(dist), dtype=np.float64)


class _KNeighborsBase(BaseEstimator):
    """Stores the training set; finds neighbours by brute force (see ``_search``)."""

    _parameter_constraints: dict = {
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "weights": [StrOptions({"uniform", "distance"}), callable],
        "metric": [StrOptions({"euclidean", "manhattan", "minkowski", "l1", "l2", "cityblock"})],
        "p": [Interval(Real, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_neighbors: int = 5,
        *,
        weights: Any = "uniform",
        metric: str = "minkowski",
        p: float = 2,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.metric = metric
        self.p = p

    def _effective_metric(self) -> str:
        metric = _ALIASES.get(self.metric, self.metric)
        if metric == "minkowski" and self.p == 2:
            return "euclidean"
        if metric == "minkowski" and self.p == 1:
            return "manhattan"
        return metric

    def _fit_data(self, X: np.ndarray) -> None:
        metric = self._effective_metric()
        screen = make_screen(X, metric)
        sq = _row_norms_sq(X) if metric == "euclidean" else None
        self.effective_metric_ = metric
        self.n_samples_fit_ = X.shape[0]
        self._fit_X = X
        self._screen = screen
        self._sq_fit = sq

    def kneighbors(
        self, X: Any = None, n_neighbors: int | None = None, return_distance: bool = True
    ) -> Any:
        """The k nearest training points of each query, nearest first.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features), default=None
            Queries; None queries the training points, each excluding itself.
        n_neighbors : int, default=None
            k; defaults to ``n_neighbors`` of the estimator.
        return_distance : bool, default=True

        Returns
        -------
        dist : ndarray of shape (n_queries, k)
            Only when ``return_distance``.
        ind : ndarray of shape (n_queries, k)
            Indices into the training set.
        """
        check_is_fitted(self)
        if n_neighbors is None:
            n_neighbors = self.n_neighbors
        elif not isinstance(n_neighbors, Integral) or isinstance(n_neighbors, bool):
            raise TypeError(
                f"n_neighbors does not take {type(n_neighbors)} value, enter integer value"
            )
        elif n_neighbors <= 0:
            raise ValueError(f"Expected n_neighbors > 0. Got {n_neighbors}")
        query_is_train = X is None
        if query_is_train:
            Xq = self._fit_X
        else:
            Xq = validate_data(self, X, dtype=np.float64, reset=False)
        n_fit = self.n_samples_fit_
        k = int(n_neighbors) + int(query_is_train)
        if k > n_fit:
            kk, rel = (k - 1, "<") if query_is_train else (k, "<=")
            raise ValueError(
                f"Expected n_neighbors {rel} n_samples_fit, but n_neighbors = {kk}, "
                f"n_samples_fit = {n_fit}, n_samples = {Xq.shape[0]}"
            )
        dist, ind = kneighbors_search(
            Xq,
            self._fit_X,
            k,
            metric=self.effective_metric_,
            p=float(self.p),
            screen=self._screen,
            sq_y=self._sq_fit,
        )
        if query_is_train:
            dist, ind = _drop_self(dist, ind)
        return (dist, ind) if return_distance else ind


def _drop_self(dist: np.ndarray, ind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove each query's own index from its k + 1 neighbours (else the farthest)."""
    n, k1 = ind.shape
    is_self = ind == np.arange(n)[:, None]
    # rows where the point itself was not found (more duplicates than k) drop the last
    missing = ~is_self.any(axis=1)
    is_self[missing, -1] = True
    keep = ~is_self
    return dist[keep].reshape(n, k1 - 1), ind[keep].reshape(n, k1 - 1)
