"""Shared fitting, neighbour queries and weighting of the k-nearest-neighbour estimators."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted, validate_data

from nabla.base import Interval, StrOptions
from nabla.neighbors._search import (
    _row_norms_sq,
    exponent_limit,
    kneighbors_search,
    make_screen,
    rescale_exponent,
)

_ALIASES = {"l2": "euclidean", "l1": "manhattan", "cityblock": "manhattan"}
# scikit-learn's wording
_ZERO_WEIGHTS_MSG = (
    "All neighbors of some sample is getting zero weights. Please modify 'weights' to "
    "avoid this case if you are using a user-defined function."
)


def _max_abs(X: np.ndarray) -> float:
    return float(np.max(np.abs(X), initial=0.0))


def _neighbor_weights(dist: np.ndarray, exponent: int, weights: Any) -> np.ndarray | None:
    """Weights of the neighbours from their distances ``dist · 2**exponent``, nearest first.

    None for uniform weights. For "distance", 1/d scaled per query to d₁/d (the same
    shares, and no overflow however close the points): a query at distance 0 from some
    training points gives those weight 1 and the others 0, as scikit-learn does. A
    callable gets the true distances; its weights must have their shape and be finite,
    and a query whose weights are all 0 raises scikit-learn's ValueError. Every row is
    scaled by a power of two so that its largest weight lies in [½, 1).
    """
    if weights == "uniform":
        return None
    if weights == "distance":
        zero = dist == 0.0
        with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
            w = dist[:, :1] / dist
        rows = zero[:, 0]  # the nearest is at distance 0
        w[rows] = zero[rows]
        return w
    with np.errstate(over="ignore"):
        true_dist = np.ldexp(dist, exponent) if exponent else dist
    w = np.asarray(weights(true_dist), dtype=np.float64)
    if w.shape != dist.shape:
        raise ValueError(
            f"The weights callable must return an array of the shape of its distances "
            f"{dist.shape}; got shape {w.shape}"
        )
    if not np.isfinite(w).all():
        raise ValueError(
            "The weights callable returned non-finite weights (NaN or inf); it must "
            "return finite weights."
        )
    peak = np.max(np.abs(w), axis=1)
    if not peak.all():
        raise ValueError(_ZERO_WEIGHTS_MSG)
    w = np.ldexp(w, -np.frexp(peak)[1][:, None])
    if not w.sum(axis=1).all():
        raise ValueError(
            "The weights callable gave some query weights that sum to 0; the weighted "
            "vote or mean is undefined. Return non-negative weights, not all 0."
        )
    return w


class _KNeighborsBase(BaseEstimator):
    """Stores the training set; finds neighbours by brute force (see ``_search``).

    Distances are computed on data divided by a power of two 2ᵉ (e = 0 for data of
    moderate size) so that no square or sum overflows or underflows; the neighbours do
    not change and the distances are multiplied back by 2ᵉ.
    """

    _constraints: dict = {
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "weights": [StrOptions({"uniform", "distance"}), callable],
        "metric": [StrOptions({"euclidean", "manhattan", "minkowski", "l1", "l2", "cityblock"})],
        "p": [Interval(Real, 1, None, closed="left")],
        # scikit-learn's tree indexes find the same exact neighbours as brute force
        "algorithm": [StrOptions({"auto", "brute", "ball_tree", "kd_tree"})],
        "leaf_size": [Interval(Integral, 1, None, closed="left")],
        "metric_params": [dict, None],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        n_neighbors: int = 5,
        *,
        weights: Any = "uniform",
        algorithm: str = "auto",
        leaf_size: int = 30,
        p: float = 2,
        metric: str = "minkowski",
        metric_params: dict | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.p = p
        self.metric = metric
        self.metric_params = metric_params
        self.n_jobs = n_jobs

    def _effective_metric(self) -> str:
        metric = _ALIASES.get(self.metric, self.metric)
        if metric == "minkowski" and self.p == 2:
            return "euclidean"
        if metric == "minkowski" and self.p == 1:
            return "manhattan"
        return metric

    def _fit_data(self, X: np.ndarray) -> None:
        if self.metric_params:
            raise ValueError(
                f"{type(self).__name__}: metric_params={self.metric_params!r} is not "
                "supported; nabla's metrics take no extra parameters (give the Minkowski "
                "exponent as p=...). Use metric_params=None."
            )
        self.effective_metric_params_: dict[str, Any] = {}
        metric = self._effective_metric()
        big = _max_abs(X)
        e = rescale_exponent(big, exponent_limit(metric, float(self.p)))
        Xs = np.ldexp(X, -e) if e else X
        self.effective_metric_ = metric
        self.n_samples_fit_ = X.shape[0]
        self._fit_X = Xs  # the training points divided by 2 ** _fit_exponent
        self._fit_exponent = e
        self._fit_max = big
        self._screen = make_screen(Xs, metric)
        self._sq_fit = _row_norms_sq(Xs) if metric == "euclidean" else None

    def _check_k(self, n_neighbors: Any) -> int:
        if n_neighbors is None:
            return int(self.n_neighbors)
        if not isinstance(n_neighbors, Integral) or isinstance(n_neighbors, bool):
            raise TypeError(
                f"n_neighbors does not take {type(n_neighbors)} value, enter integer value"
            )
        if n_neighbors <= 0:
            raise ValueError(f"Expected n_neighbors > 0. Got {n_neighbors}")
        return int(n_neighbors)

    def _scaled_kneighbors(
        self, X: Any = None, n_neighbors: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """(dist, ind, e): the neighbours and their distances divided by 2ᵉ."""
        check_is_fitted(self)
        k_asked = self._check_k(n_neighbors)
        query_is_train = X is None
        Y, e, screen, sq = self._fit_X, self._fit_exponent, self._screen, self._sq_fit
        if query_is_train:
            Xq = Y
            n_queries = Y.shape[0]
        else:
            Xq = validate_data(self, X, dtype=np.float64, reset=False)
            n_queries = Xq.shape[0]
            limit = exponent_limit(self.effective_metric_, float(self.p))
            big = max(self._fit_max, _max_abs(Xq))
            e = rescale_exponent(big, limit, current=self._fit_exponent)
            if e != self._fit_exponent:
                # queries far larger than the training points: scale both anew
                Y = np.ldexp(Y, self._fit_exponent - e)
                screen, sq = None, None
            if e:
                Xq = np.ldexp(Xq, -e)
        n_fit = self.n_samples_fit_
        k = k_asked + int(query_is_train)
        if k > n_fit:
            kk, rel = (k - 1, "<") if query_is_train else (k, "<=")
            raise ValueError(
                f"Expected n_neighbors {rel} n_samples_fit, but n_neighbors = {kk}, "
                f"n_samples_fit = {n_fit}, n_samples = {n_queries}"
            )
        dist, ind = kneighbors_search(
            Xq,
            Y,
            k,
            metric=self.effective_metric_,
            p=float(self.p),
            screen=screen,
            sq_y=sq,
        )
        if query_is_train:
            dist, ind = _drop_self(dist, ind)
        return dist, ind, e

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
            Only when ``return_distance``; inf where a distance exceeds the float64
            range (points near ±1e308 on opposite sides).
        ind : ndarray of shape (n_queries, k)
            Indices into the training set; equal distances go to the lower index.
        """
        dist, ind, e = self._scaled_kneighbors(X, n_neighbors)
        if not return_distance:
            return ind
        if e:
            with np.errstate(over="ignore"):
                dist = np.ldexp(dist, e)
        return dist, ind


def _drop_self(dist: np.ndarray, ind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove each query's own index from its k + 1 neighbours (else the farthest)."""
    n, k1 = ind.shape
    is_self = ind == np.arange(n)[:, None]
    # rows where the point itself was not found (more duplicates than k) drop the last
    missing = ~is_self.any(axis=1)
    is_self[missing, -1] = True
    keep = ~is_self
    return dist[keep].reshape(n, k1 - 1), ind[keep].reshape(n, k1 - 1)
