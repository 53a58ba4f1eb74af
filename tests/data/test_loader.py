"""Dataset, TensorDataset, Subset, random_split and DataLoader."""

from __future__ import annotations

import numpy as np
import pytest

from nabla.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split


class Squares(Dataset):
    """A map-style dataset that is not a TensorDataset (samples fetched one by one)."""

    def __len__(self) -> int:
        return 10

    def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
        return np.array([i, i * i], dtype=np.float32), i % 3


def _ds(n: int = 10) -> TensorDataset:
    return TensorDataset(np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n))


def test_tensor_dataset_indexing_and_length() -> None:
    ds = _ds(5)
    assert len(ds) == 5
    x, y = ds[3]
    np.testing.assert_array_equal(x, [6.0, 7.0])
    assert y == 3
    xb, yb = ds[np.array([4, 0])]
    np.testing.assert_array_equal(yb, [4, 0])
    assert xb.shape == (2, 2)


@pytest.mark.parametrize(
    ("arrays", "exc", "match"),
    [
        ((), ValueError, "at least one array"),
        ((np.zeros(3), np.zeros(4)), ValueError, r"same length along axis 0, got lengths \[3, 4\]"),
        ((np.float64(1.0),), ValueError, "scalar"),
        ((np.array(["a", "b"]),), TypeError, "non-numeric"),
    ],
)
def test_tensor_dataset_rejects_bad_arrays(arrays, exc, match) -> None:
    with pytest.raises(exc, match=match):
        TensorDataset(*arrays)


def test_batches_cover_every_sample_once_per_epoch() -> None:
    loader = DataLoader(_ds(10), batch_size=3, shuffle=True, seed=7)
    assert len(loader) == 4
    for _ in range(3):
        seen = np.concatenate([y for _, y in loader])
        assert sorted(seen.tolist()) == list(range(10))
        assert [len(y) for _, y in loader][-1] == 1


def test_drop_last() -> None:
    loader = DataLoader(_ds(10), batch_size=3, drop_last=True)
    assert len(loader) == 3
    assert [len(y) for _, y in loader] == [3, 3, 3]


def test_shuffle_is_a_function_of_seed_and_epoch() -> None:
    a = DataLoader(_ds(20), batch_size=20, shuffle=True, seed=3)
    b = DataLoader(_ds(20), batch_size=20, shuffle=True, seed=3)
    epochs_a = [next(iter(a))[1].copy() for _ in range(3)]  # each iteration is a new epoch
    b.set_epoch(2)
    np.testing.assert_array_equal(next(iter(b))[1], epochs_a[2])
    assert not np.array_equal(epochs_a[0], epochs_a[1])
    # the documented formula, independently
    np.testing.assert_array_equal(epochs_a[1], np.random.default_rng([3, 1]).permutation(20))
    c = DataLoader(_ds(20), batch_size=20, shuffle=True, seed=4)
    assert not np.array_equal(next(iter(c))[1], epochs_a[0])


def test_no_shuffle_keeps_order() -> None:
    loader = DataLoader(_ds(5), batch_size=2)
    np.testing.assert_array_equal(np.concatenate([y for _, y in loader]), np.arange(5))


def test_generic_dataset_and_collate_fn() -> None:
    loader = DataLoader(Squares(), batch_size=4)
    x, y = next(iter(loader))
    np.testing.assert_array_equal(x, [[0, 0], [1, 1], [2, 4], [3, 9]])
    np.testing.assert_array_equal(y, [0, 1, 2, 0])
    calls = []

    def collate(samples):
        calls.append(len(samples))
        return default_collate(samples)

    batches = list(DataLoader(_ds(5), batch_size=2, collate_fn=collate))
    assert calls == [2, 2, 1] and len(batches) == 3


def test_default_collate_dicts_and_errors() -> None:
    out = default_collate([{"a": 1, "b": np.zeros(2)}, {"a": 2, "b": np.ones(2)}])
    np.testing.assert_array_equal(out["a"], [1, 2])
    assert out["b"].shape == (2, 2)
    with pytest.raises(ValueError, match="empty list"):
        default_collate([])
    with pytest.raises(ValueError, match="different numbers of fields"):
        default_collate([(1, 2), (1,)])


def test_transform_applies_to_inputs_only_and_copies() -> None:
    ds = _ds(4)
    before = ds.arrays[0].copy()
    loader = DataLoader(ds, batch_size=4, transform=lambda x: x * 10)
    x, y = next(iter(loader))
    np.testing.assert_array_equal(x, before * 10)
    np.testing.assert_array_equal(y, np.arange(4))
    np.testing.assert_array_equal(ds.arrays[0], before)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1, got 0"),
        ({"batch_size": 2.5}, ValueError, "batch_size"),
        ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
        ({"seed": -1}, ValueError, "seed must be a non-negative integer"),
        ({"collate_fn": 3}, TypeError, "collate_fn must be callable"),
        ({"transform": 3}, TypeError, "transform must be callable"),
    ],
)
def test_loader_rejects_bad_arguments(kwargs, exc, match) -> None:
    with pytest.raises(exc, match=match):
        DataLoader(_ds(), **kwargs)


def test_loader_rejects_non_dataset_and_bad_epoch() -> None:
    with pytest.raises(TypeError, match="__len__ and __getitem__"):
        DataLoader(42)
    loader = DataLoader(_ds())
    with pytest.raises(ValueError, match="epoch must be an integer >= 0"):
        loader.set_epoch(-1)
    assert loader.epoch == 0


def test_random_split_fractions_and_lengths() -> None:
    ds = _ds(10)
    a, b = random_split(ds, [0.75, 0.25], seed=0)
    assert (len(a), len(b)) == (8, 2)  # floor(7.5) + remainder to the first part
    idx = np.concatenate([a.indices, b.indices])
    assert sorted(idx.tolist()) == list(range(10))
    c, _d = random_split(ds, [0.75, 0.25], seed=0)
    np.testing.assert_array_equal(a.indices, c.indices)
    parts = random_split(ds, [3, 3, 4], seed=1)
    assert [len(p) for p in parts] == [3, 3, 4]
    assert isinstance(parts[0], Subset)
    _x, y = parts[0][0]
    assert y == parts[0].indices[0]


@pytest.mark.parametrize(
    ("lengths", "match"),
    [([5, 4], "sum to the dataset size 10"), ([0.5, 0.6], "sum to 1"), ([], "must not be empty")],
)
def test_random_split_rejects_bad_lengths(lengths, match) -> None:
    with pytest.raises(ValueError, match=match):
        random_split(_ds(10), lengths, seed=0)


def test_subset_rejects_bad_indices() -> None:
    with pytest.raises(IndexError, match="out of range"):
        Subset(_ds(3), [0, 3])
    with pytest.raises(TypeError, match="1-d sequence of integers"):
        Subset(_ds(3), [0.5])
