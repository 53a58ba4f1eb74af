"""Samplers: the order in which a ``DataLoader`` visits a dataset (PyTorch's samplers).

``RandomSampler(replacement=True)`` is the notes' stochastic gradient descent, where the
example i_t of each step is drawn uniformly at random; without replacement it visits
every example once per epoch in a random order (the loader's ``shuffle=True``).
``WeightedRandomSampler`` draws example i with probability proportional to w_i (e.g. to
balance the classes), ``SubsetRandomSampler`` shuffles a subset of the indices (e.g. a
validation split) and ``BatchSampler`` groups any sampler's indices into batches.

Randomness: every random sampler takes ``generator``, an int seed or a
``numpy.random.Generator`` (PyTorch's name for it). With a seed the draws of epoch ``e``
come from ``numpy.random.default_rng([seed, e])``: they depend on nothing but the seed and
the epoch, so a run resumed at epoch ``e`` (``set_epoch(e)``, which ``DataLoader`` calls)
sees the same indices; each iteration advances the epoch by one. With a Generator the
draws continue its stream, as PyTorch's do. None draws a seed once from the operating
system.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator, Sized
from typing import Any, Generic, TypeVar, cast

import numpy as np

Array = np.ndarray
T_co = TypeVar("T_co", covariant=True)


def _check_count(who: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{who}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _check_flag(who: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{who}: {name} must be True or False, got {value!r}")
    return bool(value)


def _length(who: str, data_source: Any) -> int:
    if not isinstance(data_source, Sized):
        raise TypeError(
            f"{who}: data_source must have a length (a dataset or a sequence), got "
            f"{type(data_source).__name__}"
        )
    return len(data_source)


class Sampler(Generic[T_co]):
    """Base class: ``__iter__`` yields dataset indices (or batches of them), ``__len__``
    counts them."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


class _RandomSampler(Sampler[int]):
    """A sampler whose draws come from ``generator`` (see the module docstring)."""

    def __init__(self, generator: Any) -> None:
        who = type(self).__name__
        if generator is None:
            generator = int(np.random.default_rng().integers(2**63))
        if isinstance(generator, np.random.Generator):
            self.seed: int | None = None
            self.generator: np.random.Generator | None = generator
        elif isinstance(generator, numbers.Integral) and not isinstance(generator, bool):
            if generator < 0:
                raise ValueError(f"{who}: a seed must be a non-negative integer, got {generator!r}")
            self.seed, self.generator = int(generator), None
        else:
            raise TypeError(
                f"{who}: generator must be an int seed, a numpy.random.Generator or None, got "
                f"{type(generator).__name__}"
            )
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Make the next iteration draw the indices of ``epoch`` (0-based; seeds only)."""
        if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < 0:
            raise ValueError(
                f"{type(self).__name__}.set_epoch: epoch must be an integer >= 0, got {epoch!r}"
            )
        self.epoch = int(epoch)

    def _rng(self) -> np.random.Generator:
        """The generator of this iteration; advances the epoch."""
        rng = self.generator
        if rng is None:
            rng = np.random.default_rng([cast(int, self.seed), self.epoch])
        self.epoch += 1
        return rng


class SequentialSampler(Sampler[int]):
    """0, 1, ..., len(data_source) - 1, in order (the loader's default).

    >>> list(SequentialSampler(range(4)))
    [0, 1, 2, 3]
    """

    def __init__(self, data_source: Sized) -> None:
        _length("SequentialSampler", data_source)
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(_RandomSampler):
    """Indices in a random order, or drawn uniformly with replacement.

    Parameters
    ----------
    data_source : dataset or sequence
        Only its length is used (read at each iteration).
    replacement : bool, default False
        True: ``num_samples`` independent uniform draws i_t in {0, ..., n - 1} (an index may
        come twice or never). False: a random permutation; ``num_samples`` larger than n
        gives several permutations back to back, as PyTorch does.
    num_samples : int, optional
        Indices per epoch (>= 1; default ``len(data_source)``).
    generator : int, numpy.random.Generator or None
        See the module docstring.

    >>> sorted(RandomSampler(range(5), generator=0)) == [0, 1, 2, 3, 4]
    True
    >>> len(list(RandomSampler(range(5), replacement=True, num_samples=12, generator=0)))
    12
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Any = None,
    ) -> None:
        who = type(self).__name__
        n = _length(who, data_source)
        self.replacement = _check_flag(who, "replacement", replacement)
        if num_samples is None and n == 0:
            raise ValueError(f"{who}: data_source is empty; there is nothing to sample")
        self._num_samples = (
            None if num_samples is None else _check_count(who, "num_samples", num_samples)
        )
        super().__init__(generator)
        self.data_source = data_source

    @property
    def num_samples(self) -> int:
        """Indices per epoch."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, k = len(self.data_source), self.num_samples
        if n == 0:
            raise ValueError(f"{type(self).__name__}: data_source is now empty")
        rng = self._rng()
        if self.replacement:
            idx = rng.integers(0, n, size=k)  # i_t ~ uniform{0, ..., n - 1}, independently
        else:
            idx = np.concatenate([rng.permutation(n) for _ in range(-(-k // n))])[:k]
        return iter(idx.tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(_RandomSampler):
    """The given indices, in a random order (e.g. a validation split of a dataset).

    >>> sorted(SubsetRandomSampler([7, 3, 9], generator=1))
    [3, 7, 9]
    """

    def __init__(self, indices: Iterable[int], generator: Any = None) -> None:
        who = type(self).__name__
        if isinstance(indices, (str, bytes)) or not isinstance(indices, Iterable):
            raise TypeError(f"{who}: indices must be a sequence of integers, got {indices!r}")
        values = list(indices)
        if not all(isinstance(i, numbers.Integral) and not isinstance(i, bool) for i in values):
            raise ValueError(f"{who}: indices must be integers, got {values[:10]!r}")
        super().__init__(generator)
        self.indices = [int(i) for i in values]

    def __iter__(self) -> Iterator[int]:
        order = self._rng().permutation(len(self.indices))
        return iter([self.indices[i] for i in order])

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(_RandomSampler):
    """Index i drawn with probability w_i / sum(w).

    Parameters
    ----------
    weights : sequence of float
        One non-negative, finite weight per example, not all zero (they need not sum to 1).
    num_samples : int
        Indices per epoch (>= 1).
    replacement : bool, default True
        False: no index twice; each draw is proportional to the weights of the indices
        not drawn yet (as ``torch.multinomial``), so ``num_samples`` can be at most the
        number of positive weights.
    generator : int, numpy.random.Generator or None
        See the module docstring.

    >>> s = WeightedRandomSampler([0.0, 1.0, 3.0], num_samples=1000, generator=0)
    >>> counts = np.bincount(list(s), minlength=3)
    >>> int(counts[0]), bool(650 < counts[2] < 850)
    (0, True)
    """

    def __init__(
        self,
        weights: Any,
        num_samples: int,
        replacement: bool = True,
        generator: Any = None,
    ) -> None:
        who = type(self).__name__
        try:
            w = np.array(weights, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{who}: weights must be a sequence of numbers, got {weights!r}"
            ) from None
        if w.ndim != 1 or w.size == 0:
            raise ValueError(
                f"{who}: weights must be a non-empty 1-d sequence, got shape {w.shape}"
            )
        bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"{who}: weights must be finite and >= 0, but weights[{i}] = {float(w[i])!r}"
            )
        positive = int(np.count_nonzero(w))
        if positive == 0:
            raise ValueError(f"{who}: weights are all zero; at least one must be positive")
        self.num_samples = _check_count(who, "num_samples", num_samples)
        self.replacement = _check_flag(who, "replacement", replacement)
        if not self.replacement and self.num_samples > positive:
            raise ValueError(
                f"{who}: cannot draw num_samples={num_samples} indices without replacement "
                f"from {positive} positive weights; lower num_samples or set replacement=True"
            )
        super().__init__(generator)
        self.weights = w

    def __iter__(self) -> Iterator[int]:
        rng, w, k = self._rng(), self.weights, self.num_samples
        if self.replacement:
            cdf = np.cumsum(w)  # i is the first index with cdf[i] > u, u ~ U[0, sum w)
            idx = np.searchsorted(cdf, rng.random(k) * cdf[-1], side="right")
            idx = np.minimum(idx, np.flatnonzero(w)[-1])  # u rounded up to sum w
        else:
            # exponential clocks E_i / w_i: the order in which they ring is successive
            # sampling proportional to the weights left (zero weights never ring)
            with np.errstate(divide="ignore"):
                clocks = rng.exponential(size=len(w)) / w
            idx = np.argsort(clocks, kind="stable")[:k]
        return iter(idx.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Group the indices of ``sampler`` into lists of ``batch_size``.

    >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False))
    [[0, 1, 2], [3, 4, 5], [6]]
    >>> list(BatchSampler(range(7), batch_size=3, drop_last=True))
    [[0, 1, 2], [3, 4, 5]]
    """

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        who = type(self).__name__
        if not isinstance(sampler, Iterable) or not isinstance(sampler, Sized):
            raise TypeError(
                f"{who}: sampler must be an iterable of indices with a length, got "
                f"{type(sampler).__name__}"
            )
        self.batch_size = _check_count(who, "batch_size", batch_size)
        self.drop_last = _check_flag(who, "drop_last", drop_last)
        self.sampler = sampler

    def set_epoch(self, epoch: int) -> None:
        """Passed on to the sampler, if it has epochs."""
        if hasattr(self.sampler, "set_epoch"):
            self.sampler.set_epoch(epoch)

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for i in self.sampler:
            batch.append(int(i))
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def check_sampler(who: str, name: str, sampler: Any) -> None:
    """``sampler`` is iterable and has a length (what ``DataLoader`` needs)."""
    if not isinstance(sampler, Iterable) or not isinstance(sampler, Sized):
        raise TypeError(
            f"{who}: {name} must be iterable and have a length (a Sampler), got "
            f"{type(sampler).__name__}"
        )


def _checked(idx: Array, item: Any, n: int, who: str) -> Array:
    if idx.size == 0:
        return np.zeros(0, dtype=np.intp)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{who}: the sampler yielded {item!r}, not integer indices")
    if idx.min() < 0 or idx.max() >= n:
        bad = idx[(idx < 0) | (idx >= n)][0]
        raise IndexError(
            f"{who}: the sampler yielded index {bad}, outside the dataset of {n} examples"
        )
    return idx.astype(np.intp, copy=False)


def epoch_order(sampler: Any, epoch: int, n: int, who: str) -> Array:
    """The indices ``sampler`` yields for ``epoch``, checked against a dataset of ``n``."""
    if hasattr(sampler, "set_epoch"):
        sampler.set_epoch(epoch)
    items = list(sampler)
    return _checked(np.asarray(items), items[:10], n, who)


def epoch_batches(batch_sampler: Any, epoch: int, n: int, who: str) -> list[Array]:
    """The index lists ``batch_sampler`` yields for ``epoch``, each checked."""
    if hasattr(batch_sampler, "set_epoch"):
        batch_sampler.set_epoch(epoch)
    return [_checked(np.asarray(b), b, n, who) for b in batch_sampler]


__all__ = [
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
]
