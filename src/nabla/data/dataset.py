"""Datasets: indexable collections of samples (PyTorch's ``Dataset`` protocol).

A dataset has a length and returns one sample (usually a tuple ``(x, y)``) for an integer
index. ``TensorDataset`` holds whole arrays and also answers an integer *array* of indices
in one NumPy fancy-indexing call, which is what lets ``DataLoader`` build a batch without a
Python loop over samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nabla.autograd.tensor import Tensor

Array = np.ndarray


class Dataset:
    """Base class of map-style datasets: ``len(ds)`` samples, ``ds[i]`` is sample ``i``.

    Subclasses define ``__len__`` and ``__getitem__``. A sample is usually a tuple of
    arrays (inputs, target); ``DataLoader`` stacks samples into batches.
    """

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} does not define __len__")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define __getitem__")


def _as_array(a: Any, who: str, i: int) -> Array:
    arr = a.data if isinstance(a, Tensor) else np.asarray(a)
    if arr.ndim == 0:
        raise ValueError(f"{who}: array {i} is a scalar; every array needs a sample axis 0")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{who}: array {i} has non-numeric dtype {arr.dtype}")
    return arr


class TensorDataset(Dataset):
    """A dataset of whole arrays that share their first (sample) axis.

    Parameters
    ----------
    *arrays : array_like or Tensor
        One or more arrays with the same length along axis 0, e.g. inputs ``X`` of shape
        ``(n, ...)`` and targets ``y`` of shape ``(n,)``. They are not copied.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.data import TensorDataset
    >>> ds = TensorDataset(np.arange(6.0).reshape(3, 2), np.array([0, 1, 0]))
    >>> len(ds), ds[1]
    (3, (array([2., 3.]), np.int64(1)))
    >>> ds[np.array([0, 2])][1]
    array([0, 0])
    """

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise ValueError("TensorDataset: at least one array is required")
        arrs = tuple(_as_array(a, "TensorDataset", i) for i, a in enumerate(arrays))
        lengths = [len(a) for a in arrs]
        if len(set(lengths)) != 1:
            raise ValueError(
                f"TensorDataset: all arrays must have the same length along axis 0, got "
                f"lengths {lengths}"
            )
        self.arrays = arrs

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: Any) -> tuple[Any, ...]:
        return tuple(a[index] for a in self.arrays)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices`` (in that order)."""

    def __init__(self, dataset: Dataset, indices: Sequence[int] | Array) -> None:
        idx = np.asarray(indices)
        if idx.ndim != 1 or (idx.size and idx.dtype.kind not in "iu"):
            raise TypeError("Subset: indices must be a 1-d sequence of integers")
        n = len(dataset)
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise IndexError(f"Subset: an index is out of range for a dataset of {n} samples")
        self.dataset = dataset
        self.indices = idx.astype(np.int64)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: Any) -> Any:
        return self.dataset[self.indices[index]]


def split_indices(
    n: int, fractions_or_lengths: Sequence[float], seed: int | np.random.Generator | None
) -> list[Array]:
    """Shuffle ``range(n)`` with ``seed`` and cut it into parts of the given sizes.

    Sizes are either integers summing to ``n`` or fractions summing to 1 (rounded down,
    the remainder going to the first parts one by one, as PyTorch's ``random_split``).
    """
    sizes = list(fractions_or_lengths)
    if not sizes:
        raise ValueError("random_split: lengths must not be empty")
    if all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in sizes):
        counts = [int(s) for s in sizes]
        if any(c < 0 for c in counts) or sum(counts) != n:
            raise ValueError(
                f"random_split: integer lengths must be >= 0 and sum to the dataset size "
                f"{n}, got {sizes}"
            )
    else:
        if any(not 0 <= float(s) <= 1 for s in sizes) or abs(sum(map(float, sizes)) - 1) > 1e-9:
            raise ValueError(f"random_split: fractions must be in [0, 1] and sum to 1, got {sizes}")
        counts = [int(np.floor(n * float(s))) for s in sizes]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    bounds = np.cumsum([0, *counts])
    return [perm[bounds[i] : bounds[i + 1]] for i in range(len(counts))]


def random_split(
    dataset: Dataset,
    lengths: Sequence[float],
    seed: int | np.random.Generator | None = None,
) -> list[Subset]:
    """Split ``dataset`` at random into non-overlapping subsets.

    Parameters
    ----------
    dataset : Dataset
    lengths : sequence of int or float
        Subset sizes (summing to ``len(dataset)``) or fractions (summing to 1).
    seed : int or numpy.random.Generator, optional
        The permutation's seed; the same seed gives the same split.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.data import TensorDataset, random_split
    >>> a, b = random_split(TensorDataset(np.arange(10)), [0.8, 0.2], seed=0)
    >>> len(a), len(b)
    (8, 2)
    """
    return [Subset(dataset, idx) for idx in split_indices(len(dataset), lengths, seed)]
