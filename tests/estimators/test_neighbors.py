"""k-nearest neighbours against scikit-learn, brute-force NumPy and the notes' identity."""

from __future__ import annotations

import tracemalloc

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


# --- ties: memory and scikit-learn's tie-breaking ------------------------------------------


@pytest.mark.parametrize("d", [64, 256])
def test_tied_training_points_keep_memory_proportional_to_chunk_times_n(d: int) -> None:
    """20,000 identical rows make every training point a candidate of every query; the
    exact re-ranking gathered (queries, candidates, d) values: 2.2 GiB for a full chunk at
    d = 64, MemoryError at d = 256. Memory is O(queries · n), whatever d."""
    n, nq = 20_000, 10
    model = KNeighborsRegressor(n_neighbors=5).fit(np.ones((n, d)), np.arange(n) % 3)
    Xq = np.ones((nq, d))
    tracemalloc.start()
    try:
        dist, ind = model.kneighbors(Xq)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # a dozen (queries, n) float64 arrays and a 2 MiB gather block; the gather of all
    # candidates alone would take nq · n · d · 8 bytes = 100 MiB at d = 64
    assert peak < 12 * nq * n * 8 + 4 * 2**20, peak
    np.testing.assert_array_equal(ind, np.tile(np.arange(5), (nq, 1)))
    np.testing.assert_array_equal(dist, 0.0)
    ref = sk.KNeighborsRegressor(n_neighbors=5, algorithm="brute").fit(np.ones((n, d)), [0] * n)
    np.testing.assert_array_equal(np.sort(ref.kneighbors(Xq)[1], axis=1), ind)
    np.testing.assert_array_equal(model.predict(Xq), np.mean([0, 1, 2, 0, 1]))


@pytest.mark.parametrize(("n", "levels"), [(300, 3), (5000, 16)])  # 5000: the float32 screen
def test_ties_are_broken_by_the_lower_index(n: int, levels: int) -> None:
    """Small integers: exact distances with many ties, at the k-th place too.

    nabla's rule is a stable sort of the exact distances: nearest first, equal distances
    by the lower index. scikit-learn's brute force returns the same distances, but which
    of the points tied at the k-th distance it keeps depends on its heap (a closer point
    found later evicts whichever tied point sits at the root), and it orders ties
    arbitrarily; so the neighbour sets, and the predictions, are compared where the k-th
    distance is not tied with the next one.
    """
    rng = np.random.default_rng(3)
    X = rng.integers(0, levels, (n, 3)).astype(float)
    Xq = rng.integers(0, levels, (200, 3)).astype(float)
    y = rng.integers(0, 3, n)
    full = np.sqrt(((Xq[:, None, :] - X[None]) ** 2).sum(-1))
    kth = np.sort(full, axis=1)[:, 7:9]
    clear = kth[:, 0] < kth[:, 1]  # queries whose 8 nearest points are unambiguous
    assert 0 < clear.sum() < len(Xq)
    for weights in ["uniform", "distance"]:
        ours = KNeighborsClassifier(n_neighbors=8, weights=weights).fit(X, y)
        theirs = sk.KNeighborsClassifier(n_neighbors=8, weights=weights, algorithm="brute")
        theirs.fit(X, y)
        dist, ind = ours.kneighbors(Xq)
        ref_dist, ref_ind = theirs.kneighbors(Xq)
        np.testing.assert_array_equal(ind, np.argsort(full, axis=1, kind="stable")[:, :8])
        np.testing.assert_array_equal(dist, np.sort(ref_dist, axis=1))
        np.testing.assert_array_equal(np.sort(ind[clear], 1), np.sort(ref_ind[clear], 1))
        np.testing.assert_allclose(
            ours.predict_proba(Xq[clear]), theirs.predict_proba(Xq[clear]), rtol=1e-12
        )
        reg = KNeighborsRegressor(n_neighbors=8, weights=weights).fit(X, y * 1.5)
        ref = sk.KNeighborsRegressor(n_neighbors=8, weights=weights, algorithm="brute")
        ref.fit(X, y * 1.5)
        np.testing.assert_allclose(reg.predict(Xq[clear]), ref.predict(Xq[clear]), rtol=1e-12)
        # the tied rows: the mean over nabla's documented neighbours
        expected = (y * 1.5)[ind[~clear]].mean(axis=1) if weights == "uniform" else None
        if expected is not None:
            np.testing.assert_allclose(reg.predict(Xq[~clear]), expected, rtol=1e-12)


# --- weights callables --------------------------------------------------------------------


def _far_only(dist):
    return np.where(dist > 2.5, 1.0, 0.0)  # every neighbour of a query near 0 gets 0


def test_all_zero_weights_raise_as_in_scikit_learn() -> None:
    X, y = np.arange(10.0)[:, None], np.arange(10) % 3
    Xq = np.array([[10.0], [0.0]])  # the second query's neighbours are all within 2.5
    theirs = sk.KNeighborsClassifier(n_neighbors=3, weights=_far_only).fit(X, y)
    with pytest.raises(ValueError) as expected:
        theirs.predict_proba(Xq)
    message = str(expected.value)
    assert message.startswith("All neighbors of some sample is getting zero weights")
    clf = KNeighborsClassifier(n_neighbors=3, weights=_far_only).fit(X, y)
    reg = KNeighborsRegressor(n_neighbors=3, weights=_far_only).fit(X, y * 1.0)
    for call in (clf.predict_proba, clf.predict, reg.predict):
        with pytest.raises(ValueError) as raised:
            call(Xq)
        assert str(raised.value) == message
    # a query with some non-zero weight is answered, as scikit-learn answers it
    np.testing.assert_array_equal(clf.predict_proba(Xq[:1]), theirs.predict_proba(Xq[:1]))
    np.testing.assert_array_equal(clf.predict(Xq[:1]), theirs.predict(Xq[:1]))


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (lambda d: np.ones(len(d)), r"shape of its distances \(2, 3\); got shape \(2,\)"),
        (lambda d: np.where(d > 1.5, np.nan, 1.0), "non-finite weights"),
        (lambda d: np.array([[1.0, -1.0, 0.0]] * len(d)), "sum to 0"),
    ],
)
def test_bad_weights_from_a_callable_raise(weights, message) -> None:
    X, y = np.arange(10.0)[:, None], np.arange(10) % 2
    for model in (
        KNeighborsClassifier(n_neighbors=3, weights=weights).fit(X, y),
        KNeighborsRegressor(n_neighbors=3, weights=weights).fit(X, y * 1.0),
    ):
        with pytest.raises(ValueError, match=message):
            model.predict([[0.0], [4.2]])


def test_huge_callable_weights_do_not_overflow() -> None:
    """Weights near the float64 limit: each query's are scaled by a power of two."""
    X, y = np.arange(10.0)[:, None], np.arange(10) * 1.0
    reg = KNeighborsRegressor(n_neighbors=3, weights=lambda d: 1e308 / (1.0 + d)).fit(X, y)
    ref = sk.KNeighborsRegressor(n_neighbors=3, weights=lambda d: 1.0 / (1.0 + d)).fit(X, y)
    np.testing.assert_allclose(reg.predict([[4.2]]), ref.predict([[4.2]]), rtol=1e-12)
