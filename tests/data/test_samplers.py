"""Samplers: their distributions (seeded chi-square tests against the formulas), their
reproducibility by (seed, epoch), the DataLoader's use of them as in PyTorch, bad input."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy import stats

from nabla.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
)

ALPHA = 1e-3  # the seeded draws below pass a goodness-of-fit test at this level


def _fits(counts, probs) -> bool:
    counts = np.asarray(counts, dtype=float)
    expected = np.asarray(probs, dtype=float) * counts.sum()
    return stats.chisquare(counts, expected).pvalue > ALPHA


def _epochs(sampler, n_epochs):
    return [list(sampler) for _ in range(n_epochs)]


# ---- distributions --------------------------------------------------------------------------
def test_with_replacement_draws_uniformly() -> None:
    """The notes' SGD: i_t uniform on {0, ..., n - 1} at every step, independently."""
    s = RandomSampler(range(10), replacement=True, num_samples=20_000, generator=0)
    draws = np.array(list(s))
    assert len(draws) == len(s) == 20_000 and draws.min() >= 0 and draws.max() <= 9
    assert _fits(np.bincount(draws, minlength=10), np.full(10, 0.1))
    # independence: the pairs (i_t, i_t+1) are uniform on the 100 pairs
    pairs = draws[:-1] * 10 + draws[1:]
    assert _fits(np.bincount(pairs, minlength=100), np.full(100, 0.01))
    # an index can come twice in an epoch, or never
    short = list(RandomSampler(range(10), replacement=True, generator=1))
    assert len(short) == 10 and len(set(short)) < 10


def test_without_replacement_is_a_uniform_permutation() -> None:
    s = RandomSampler(range(6), generator=3)
    epochs = _epochs(s, 3000)
    assert all(sorted(e) == list(range(6)) for e in epochs)
    firsts = [e[0] for e in epochs]
    assert _fits(np.bincount(firsts, minlength=6), np.full(6, 1 / 6))
    # more samples than examples: permutations back to back (PyTorch's behaviour)
    long = list(RandomSampler(range(4), num_samples=10, generator=0))
    assert sorted(long[:4]) == sorted(long[4:8]) == [0, 1, 2, 3] and len(set(long[8:])) == 2


def test_weighted_with_replacement_follows_the_weights() -> None:
    w = np.array([0.0, 1.0, 2.0, 0.5, 4.0, 0.0])
    draws = np.array(list(WeightedRandomSampler(w, 30_000, generator=5)))
    counts = np.bincount(draws, minlength=6)
    assert counts[0] == counts[5] == 0  # zero weight: never drawn
    assert _fits(counts[[1, 2, 3, 4]], w[[1, 2, 3, 4]] / w.sum())


def test_weighted_without_replacement_is_successive_sampling() -> None:
    """P(i then j) = w_i / S * w_j / (S - w_i): each draw proportional to the weights left
    (torch.multinomial's rule)."""
    w = np.array([1.0, 2.0, 5.0])
    s = WeightedRandomSampler(w, num_samples=2, replacement=False, generator=7)
    epochs = _epochs(s, 20_000)
    assert all(a != b for a, b in epochs)
    total = w.sum()
    pairs = [(i, j) for i in range(3) for j in range(3) if i != j]
    probs = [w[i] / total * w[j] / (total - w[i]) for i, j in pairs]
    counts = [sum(1 for e in epochs if tuple(e) == p) for p in pairs]
    assert _fits(counts, probs)
    # zero weights are never drawn, even when every positive one has been
    s = WeightedRandomSampler([0.0, 3.0, 0.0, 1.0], 2, replacement=False, generator=0)
    assert all(sorted(e) == [1, 3] for e in _epochs(s, 50))


def test_subset_random_sampler_permutes_its_indices() -> None:
    idx = [11, 3, 8, 20]
    s = SubsetRandomSampler(idx, generator=2)
    epochs = _epochs(s, 2000)
    assert all(sorted(e) == sorted(idx) for e in epochs) and len(s) == 4
    assert _fits([sum(e[0] == i for e in epochs) for i in idx], np.full(4, 0.25))
    assert list(SequentialSampler(range(3))) == [0, 1, 2]


# ---- reproducibility ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda g: RandomSampler(range(20), generator=g),
        lambda g: RandomSampler(range(20), replacement=True, num_samples=7, generator=g),
        lambda g: WeightedRandomSampler(np.arange(1.0, 21.0), 9, generator=g),
        lambda g: WeightedRandomSampler(np.arange(1.0, 21.0), 9, replacement=False, generator=g),
        lambda g: SubsetRandomSampler(range(5, 25), generator=g),
    ],
    ids=["random", "replacement", "weighted", "weighted-no-replacement", "subset"],
)
def test_a_seed_fixes_every_epoch(make) -> None:
    a, b = make(42), make(42)
    first = _epochs(a, 4)
    assert first == _epochs(b, 4)
    assert len({tuple(e) for e in first}) == 4  # a new order every epoch
    assert _epochs(make(43), 1)[0] != first[0]
    c = make(42)
    c.set_epoch(2)  # resuming at epoch 2 draws what the uninterrupted run drew there
    assert list(c) == first[2] and c.epoch == 3
    # a Generator continues its stream: the same as a fresh one with the same seed
    g1, g2 = make(np.random.default_rng(9)), make(np.random.default_rng(9))
    assert _epochs(g1, 3) == _epochs(g2, 3)


def test_unseeded_sampler_is_reproducible_by_epoch_within_a_run() -> None:
    s = RandomSampler(range(30))
    first = list(s)
    s.set_epoch(0)
    assert list(s) == first


# ---- the DataLoader -------------------------------------------------------------------------
def _ds(n=10):
    return TensorDataset(np.arange(n, dtype=np.float64), np.arange(n) % 3)


def test_loader_batches_the_sampler_order() -> None:
    ds = _ds()
    sampler = WeightedRandomSampler(np.ones(10), 7, generator=0)
    loader = DataLoader(ds, batch_size=3, sampler=sampler)
    expected = _epochs(WeightedRandomSampler(np.ones(10), 7, generator=0), 2)
    for epoch in range(2):
        batches = [x.astype(int).tolist() for x, _ in loader]
        assert batches == [expected[epoch][:3], expected[epoch][3:6], expected[epoch][6:]]
    assert len(loader) == 3 and len(DataLoader(ds, 3, sampler=sampler, drop_last=True)) == 2
    # resuming at epoch 1 sees the same batches
    again = DataLoader(ds, batch_size=3, sampler=WeightedRandomSampler(np.ones(10), 7, generator=0))
    again.set_epoch(1)
    assert [x.astype(int).tolist() for x, _ in again] == [
        expected[1][:3],
        expected[1][3:6],
        expected[1][6:],
    ]


@pytest.mark.parametrize("drop_last", [False, True])
def test_loader_with_a_fixed_sampler_equals_torch(drop_last) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch's DataLoader is the oracle")
    order = [3, 1, 4, 1, 5, 9, 2, 6]
    data = np.arange(10, dtype=np.float64) * 10
    ours = [
        x.tolist()
        for (x,) in DataLoader(TensorDataset(data), 3, drop_last=drop_last, sampler=order)
    ]
    t_ds = torch.utils.data.TensorDataset(torch.from_numpy(data))
    loader = torch.utils.data.DataLoader(t_ds, 3, sampler=order, drop_last=drop_last)
    assert ours == [x.tolist() for (x,) in loader]
    batches = [[0, 2], [9], [4, 4, 1]]
    t_batched = torch.utils.data.DataLoader(t_ds, batch_sampler=batches)
    ours = [x.tolist() for (x,) in DataLoader(TensorDataset(data), batch_sampler=batches)]
    assert ours == [x.tolist() for (x,) in t_batched]


def test_loader_batch_sampler() -> None:
    ds = _ds()
    bs = BatchSampler(RandomSampler(ds, generator=1), batch_size=4, drop_last=False)
    loader = DataLoader(ds, batch_sampler=bs)
    batches = [x.astype(int).tolist() for x, _ in loader]
    assert [len(b) for b in batches] == [4, 4, 2] and len(loader) == 3
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(10))
    expected = list(RandomSampler(ds, generator=1))
    assert flat == expected
    assert loader.order(0).tolist() == expected


def test_loader_rejects_conflicting_options() -> None:
    ds = _ds()
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, shuffle=True, sampler=RandomSampler(ds, generator=0))
    bs = BatchSampler(range(10), 2, False)
    for kw in [{"batch_size": 2}, {"shuffle": True}, {"sampler": range(10)}, {"drop_last": True}]:
        with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
            DataLoader(ds, batch_sampler=bs, **kw)
    with pytest.raises(TypeError, match="DataLoader: sampler must be iterable and have a length"):
        DataLoader(ds, sampler=5)
    with pytest.raises(IndexError, match="the sampler yielded index 12, outside the dataset of 10"):
        list(DataLoader(ds, sampler=[0, 12]))
    with pytest.raises(TypeError, match="not integer indices"):
        list(DataLoader(ds, sampler=[0.5, 1.0]))


# ---- bad input ------------------------------------------------------------------------------
BAD = [
    (
        lambda: WeightedRandomSampler([1.0, -0.5, 2.0], 3),
        ValueError,
        "WeightedRandomSampler: weights must be finite and >= 0, but weights[1] = -0.5",
    ),
    (
        lambda: WeightedRandomSampler([1.0, np.nan], 3),
        ValueError,
        "weights must be finite and >= 0, but weights[1] = nan",
    ),
    (
        lambda: WeightedRandomSampler([0.0, 0.0], 3),
        ValueError,
        "WeightedRandomSampler: weights are all zero",
    ),
    (
        lambda: WeightedRandomSampler([[1.0, 2.0]], 3),
        ValueError,
        "weights must be a non-empty 1-d sequence, got shape (1, 2)",
    ),
    (
        lambda: WeightedRandomSampler(["a", "b"], 3),
        TypeError,
        "weights must be a sequence of numbers",
    ),
    (
        lambda: WeightedRandomSampler([1.0, 2.0], 0),
        ValueError,
        "WeightedRandomSampler: num_samples must be a positive integer, got 0",
    ),
    (
        lambda: WeightedRandomSampler([1.0, 2.0], 2.5),
        ValueError,
        "num_samples must be a positive integer, got 2.5",
    ),
    (
        lambda: WeightedRandomSampler([1.0, 0.0, 2.0], 3, replacement=False),
        ValueError,
        "cannot draw num_samples=3 indices without replacement from 2 positive weights",
    ),
    (
        lambda: RandomSampler(range(5), num_samples=0),
        ValueError,
        "RandomSampler: num_samples must be a positive integer, got 0",
    ),
    (
        lambda: RandomSampler(range(5), replacement="yes"),
        TypeError,
        "RandomSampler: replacement must be True or False, got 'yes'",
    ),
    (lambda: RandomSampler([]), ValueError, "RandomSampler: data_source is empty"),
    (lambda: RandomSampler(5), TypeError, "RandomSampler: data_source must have a length"),
    (
        lambda: RandomSampler(range(5), generator="seed"),
        TypeError,
        "generator must be an int seed, a numpy.random.Generator or None, got str",
    ),
    (
        lambda: RandomSampler(range(5), generator=-1),
        ValueError,
        "RandomSampler: a seed must be a non-negative integer, got -1",
    ),
    (
        lambda: SubsetRandomSampler([1, 2.5]),
        ValueError,
        "SubsetRandomSampler: indices must be integers",
    ),
    (
        lambda: SubsetRandomSampler(3),
        TypeError,
        "SubsetRandomSampler: indices must be a sequence of integers, got 3",
    ),
    (
        lambda: BatchSampler(range(5), 0, False),
        ValueError,
        "BatchSampler: batch_size must be a positive integer, got 0",
    ),
    (
        lambda: BatchSampler(range(5), 2, "no"),
        TypeError,
        "BatchSampler: drop_last must be True or False, got 'no'",
    ),
    (
        lambda: BatchSampler(7, 2, False),
        TypeError,
        "BatchSampler: sampler must be an iterable of indices with a length",
    ),
]


@pytest.mark.parametrize(("call", "exc", "match"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_input(call, exc, match) -> None:
    with pytest.raises(exc, match=re.escape(match)):
        call()


def test_bad_epoch_changes_nothing() -> None:
    s = RandomSampler(range(5), generator=0)
    list(s)
    with pytest.raises(ValueError, match=r"RandomSampler.set_epoch: epoch must be an integer >= 0"):
        s.set_epoch(-1)
    assert s.epoch == 1
