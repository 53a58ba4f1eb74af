"""k-nearest neighbours against scikit-learn, brute-force NumPy and the notes' identity."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import neighbors as sk

from nabla.neighbors import KNeighborsClassifier, KNeighborsRegressor, _search


def _data(n: int = 300, d: int = 6, nq: int = 80, seed: int = 0, classes: int = 3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.integers(0, classes, n)
    return X, y, rng.standard_normal((nq, d))


def _brute(Xq, X, k, p=2.0):
    D = (np.abs(Xq[:, None, :] - X[None, :, :]) ** p).sum(-1) ** (1 / p)
    ind = np.argsort(D, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(D, ind, axis=1), ind


@pytest.mark.parametrize(
    ("metric", "p"), [("minkowski", 2), ("euclidean", 2), ("manhattan", 1), ("minkowski", 3)]
)
@pytest.mark.parametrize("n", [300, 5000])  # 5000 takes the float32 screen (Euclidean)
def test_kneighbors_match_brute_force_and_sklearn(metric: str, p: float, n: int) -> None:
    X, y, Xq = _data(n=n)
    ours = KNeighborsClassifier(n_neighbors=7, metric=metric, p=p).fit(X, y)
    if n == 5000 and ours.effective_metric_ == "euclidean":
        assert ours._screen is not None
    dist, ind = ours.kneighbors(Xq)
    ref_d, ref_i = _brute(Xq, X, 7, p=1.0 if metric == "manhattan" else p)
    np.testing.assert_array_equal(ind, ref_i)
    np.testing.assert_allclose(dist, ref_d, rtol=1e-12)
    theirs = sk.KNeighborsClassifier(n_neighbors=7, metric=metric, p=p).fit(X, y)
    np.testing.assert_array_equal(ind, theirs.kneighbors(Xq)[1])


@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("n", [300, 5000])
def test_predictions_match_sklearn(weights: str, n: int) -> None:
    X, y, Xq = _data(n=n)
    labels = np.array(["cat", "dog", "emu"])[y]
    ours = KNeighborsClassifier(n_neighbors=5, weights=weights).fit(X, labels)
    theirs = sk.KNeighborsClassifier(n_neighbors=5, weights=weights).fit(X, labels)
    np.testing.assert_array_equal(ours.predict(Xq), theirs.predict(Xq))
    np.testing.assert_allclose(ours.predict_proba(Xq), theirs.predict_proba(Xq), rtol=1e-10)
    target = np.column_stack([X[:, 0] ** 2, X[:, 1]])
    for t in (target[:, 0], target):
        r = KNeighborsRegressor(n_neighbors=4, weights=weights).fit(X, t)
        s = sk.KNeighborsRegressor(n_neighbors=4, weights=weights).fit(X, t)
        np.testing.assert_allclose(r.predict(Xq), s.predict(Xq), rtol=1e-10)


def test_one_nearest_neighbour_scores_one_on_its_training_set() -> None:
    """Seed 001: each training point is its own nearest neighbour."""
    X, y, _ = _data(n=5000)
    assert KNeighborsClassifier(n_neighbors=1).fit(X, y).score(X, y) == 1.0
    assert (
        KNeighborsClassifier(n_neighbors=1, metric="manhattan")
        .fit(X[:300], y[:300])
        .score(X[:300], y[:300])
        == 1.0
    )


def test_query_the_training_set_excludes_each_point_itself() -> None:
    X, y, _ = _data()
    ours = KNeighborsClassifier(n_neighbors=3).fit(X, y).kneighbors()
    theirs = sk.KNeighborsClassifier(n_neighbors=3).fit(X, y).kneighbors()
    np.testing.assert_array_equal(ours[1], theirs[1])
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)


def test_distance_weights_at_zero_distance_and_callable_weights() -> None:
    X, y, _ = _data()
    model = KNeighborsRegressor(n_neighbors=3, weights="distance").fit(X, X[:, 0])
    np.testing.assert_allclose(model.predict(X[:10]), X[:10, 0])  # exact hits win
    inv_sq = KNeighborsRegressor(n_neighbors=3, weights=lambda d: 1.0 / (d * d + 1.0))
    ref = sk.KNeighborsRegressor(n_neighbors=3, weights=lambda d: 1.0 / (d * d + 1.0))
    Xq = X[:20] + 0.1
    np.testing.assert_allclose(inv_sq.fit(X, y).predict(Xq), ref.fit(X, y).predict(Xq))


@pytest.mark.parametrize("scale", [1e-150, 1e-20, 1.0, 1e20, 1e150])
def test_float32_screen_is_exact_at_any_scale(scale: float) -> None:
    X, _, Xq = _data(n=5000, nq=30)
    X, Xq = X * scale, Xq * scale
    dist, ind = _search.kneighbors_search(Xq, X, 6, screen=_search.make_screen(X, "euclidean"))
    exact = _search.kneighbors_search(Xq, X, 6)
    np.testing.assert_array_equal(ind, exact[1])
    np.testing.assert_allclose(dist, exact[1 - 1], rtol=1e-12)


def test_screen_falls_back_on_ties_and_duplicates() -> None:
    """All points equal: the screen cannot separate them; ties go to the lower index."""
    X = np.ones((5000, 4))
    X[::7] += 1e-9  # a few distinguishable points among the duplicates
    Xq = np.ones((5, 4))
    dist, ind = KNeighborsClassifier(n_neighbors=4).fit(X, np.arange(5000) % 2).kneighbors(Xq)
    np.testing.assert_array_equal(ind, np.tile([1, 2, 3, 4], (5, 1)))
    np.testing.assert_array_equal(dist, 0.0)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
def test_chunks_and_threads_give_the_same_answer(
    monkeypatch: pytest.MonkeyPatch, metric: str
) -> None:
    from threadpoolctl import threadpool_limits

    X, y, Xq = _data(n=5000, nq=50)
    whole = KNeighborsClassifier(metric=metric).fit(X, y).kneighbors(Xq)
    monkeypatch.setattr(_search, "_CHUNK_BYTES", 5000 * 4 * 7)  # 7 queries per chunk
    monkeypatch.setattr(_search, "_PARALLEL_MIN_PAIRS", 0)  # chunks on threads
    with threadpool_limits(2, user_api="blas"):
        chunked = KNeighborsClassifier(metric=metric).fit(X, y).kneighbors(Xq)
    np.testing.assert_array_equal(whole[1], chunked[1])
    np.testing.assert_array_equal(whole[0], chunked[0])


def test_k_larger_than_training_set_raises_like_sklearn() -> None:
    X, y, _ = _data(n=5)
    model = KNeighborsClassifier(n_neighbors=6).fit(X, y)
    with pytest.raises(
        ValueError,
        match="Expected n_neighbors <= n_samples_fit, but n_neighbors = 6, n_samples_fit = 5",
    ):
        model.predict(X)
    with pytest.raises(ValueError, match="Expected n_neighbors < n_samples_fit"):
        KNeighborsClassifier(n_neighbors=5).fit(X, y).kneighbors()
    with pytest.raises(ValueError, match="Expected n_neighbors > 0"):
        model.kneighbors(X, n_neighbors=0)
