"""KFold and StratifiedKFold: partitions, proportions, scikit-learn's folds, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.model_selection import KFold as SklearnKFold
from sklearn.model_selection import StratifiedKFold as SklearnStratifiedKFold

from nabla.model_selection import KFold, StratifiedKFold


def _folds(splitter, X, y=None):
    return [(train.tolist(), test.tolist()) for train, test in splitter.split(X, y)]


@pytest.mark.parametrize(("n", "k"), [(2, 2), (7, 3), (10, 5), (23, 2), (23, 5), (5, 5)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_kfold_test_folds_partition_the_indices(n: int, k: int, shuffle: bool) -> None:
    splitter = KFold(k, shuffle=shuffle, random_state=0 if shuffle else None)
    tests = [test for _, test in splitter.split(np.zeros((n, 1)))]
    assert len(tests) == splitter.get_n_splits() == k
    np.testing.assert_array_equal(np.sort(np.concatenate(tests)), np.arange(n))
    sizes = sorted(len(t) for t in tests)
    assert sizes[-1] - sizes[0] <= 1
    for train, test in splitter.split(np.zeros((n, 1))):
        assert set(train).isdisjoint(test) and len(train) + len(test) == n
        assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)


@pytest.mark.parametrize("n", [5, 10, 23])
@pytest.mark.parametrize("k", [2, 3, 5])
def test_kfold_equals_scikit_learn_without_shuffle(n: int, k: int) -> None:
    X = np.zeros((n, 2))
    assert _folds(KFold(k), X) == _folds(SklearnKFold(k), X)


def test_kfold_shuffle_is_seeded() -> None:
    X = np.zeros((20, 1))
    a = _folds(KFold(4, shuffle=True, random_state=1), X)
    assert a == _folds(KFold(4, shuffle=True, random_state=1), X)
    assert a != _folds(KFold(4, shuffle=True, random_state=2), X)
    assert a != _folds(KFold(4), X)


def _labels(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(["b", "a", "c"], size=n, p=[0.5, 0.3, 0.2])


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k", [2, 3, 4])
@pytest.mark.parametrize("shuffle", [False, True])
def test_stratified_folds_keep_class_proportions(seed: int, k: int, shuffle: bool) -> None:
    y = _labels(seed, 60)
    splitter = StratifiedKFold(k, shuffle=shuffle, random_state=seed if shuffle else None)
    tests = [test for _, test in splitter.split(np.zeros((60, 1)), y)]
    np.testing.assert_array_equal(np.sort(np.concatenate(tests)), np.arange(60))
    for c in np.unique(y):
        per_fold = [np.sum(y[t] == c) for t in tests]
        assert max(per_fold) - min(per_fold) <= 1  # each class split as evenly as possible
        assert sum(per_fold) == np.sum(y == c)
    sizes = [len(t) for t in tests]
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k", [2, 3, 5])
def test_stratified_equals_scikit_learn_without_shuffle(seed: int, k: int) -> None:
    y = _labels(seed, 47)
    X = np.zeros((47, 1))
    assert _folds(StratifiedKFold(k), X, y) == _folds(SklearnStratifiedKFold(k), X, y)


def test_splitters_work_inside_grid_search() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(0, 0.1, 60)
    ours = GridSearchCV(Ridge(), {"alpha": [0.01, 1.0, 100.0]}, cv=KFold(4)).fit(X, y)
    ref = GridSearchCV(Ridge(), {"alpha": [0.01, 1.0, 100.0]}, cv=SklearnKFold(4)).fit(X, y)
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], rtol=1e-12
    )
    labels = (X[:, 0] > 0).astype(int)
    grid = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=StratifiedKFold(3))
    assert grid.fit(X, labels).n_splits_ == 3


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [KFold, StratifiedKFold])
@pytest.mark.parametrize("n_splits", [1, 0, -2])
def test_n_splits_below_two(cls, n_splits: int) -> None:
    with pytest.raises(
        ValueError, match=rf"{cls.__name__}: n_splits must be an int >= 2 .*got {n_splits}"
    ):
        cls(n_splits)


@pytest.mark.parametrize("cls", [KFold, StratifiedKFold])
def test_n_splits_not_an_int(cls) -> None:
    with pytest.raises(TypeError, match=r"n_splits must be an int >= 2; got 2\.5"):
        cls(2.5)


def test_n_splits_larger_than_sample_count() -> None:
    with pytest.raises(
        ValueError, match=r"KFold: n_splits=5 is larger than the number of samples \(4\)"
    ):
        list(KFold(5).split(np.zeros((4, 1))))
    y = np.array([0, 0, 1, 1])
    with pytest.raises(
        ValueError, match=r"StratifiedKFold: n_splits=5 is larger than the number of samples \(4\)"
    ):
        list(StratifiedKFold(5).split(np.zeros((4, 1)), y))


def test_class_with_fewer_members_than_folds() -> None:
    y = np.array(["a"] * 6 + ["rare"] * 2)
    message = (
        r"StratifiedKFold: n_splits=3 is larger than the number of members of class 'rare' "
        r"\(2\); every class needs at least n_splits members"
    )
    with pytest.raises(ValueError, match=message):
        list(StratifiedKFold(3).split(np.zeros((8, 1)), y))


def test_stratified_needs_labels_of_the_right_shape() -> None:
    with pytest.raises(ValueError, match="split needs the class labels y"):
        list(StratifiedKFold(2).split(np.zeros((4, 1))))
    with pytest.raises(ValueError, match=r"1-D array of length 4; got shape \(3,\)"):
        list(StratifiedKFold(2).split(np.zeros((4, 1)), [0, 1, 0]))


def test_random_state_without_shuffle() -> None:
    with pytest.raises(ValueError, match="random_state=0 has no effect without shuffle=True"):
        KFold(3, random_state=0)


def test_repr() -> None:
    assert repr(KFold(3)) == "KFold(n_splits=3, shuffle=False, random_state=None)"
