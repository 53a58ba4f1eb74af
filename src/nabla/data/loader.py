"""``DataLoader``: minibatches of a dataset, shuffled as a function of (seed, epoch).

The order of epoch ``e`` is ``numpy.random.default_rng([seed, e]).permutation(n)``: it
depends on nothing but the seed and the epoch number, so a run resumed at epoch ``e``
sees exactly the batches the uninterrupted run saw (the course notes: minibatch SGD draws a fresh
random partition of the training set every epoch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from nabla.data.dataset import Dataset, TensorDataset
from nabla.data.sampler import check_sampler, epoch_batches, epoch_order

Array = np.ndarray


def default_collate(samples: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch.

    Tuples/lists of fields become a tuple of stacked fields; dicts are stacked per key;
    arrays and numbers are stacked along a new axis 0 with ``numpy.stack``.
    """
    if not samples:
        raise ValueError("default_collate: got an empty list of samples")
    first = samples[0]
    if isinstance(first, (tuple, list)):
        width = len(first)
        if any(len(s) != width for s in samples):
            raise ValueError("default_collate: samples have different numbers of fields")
        return tuple(default_collate([s[i] for s in samples]) for i in range(width))
    if isinstance(first, dict):
        return {k: default_collate([s[k] for s in samples]) for k in first}
    return np.stack([np.asarray(s) for s in samples])


def _check_seed(seed: Any) -> int:
    if seed is None:
        # An unseeded loader still needs a fixed base so that its epochs are reproducible
        # within a run; draw it once from the OS.
        return int(np.random.default_rng().integers(2**63))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"DataLoader: seed must be a non-negative integer or None, got {seed!r}")
    return int(seed)


class DataLoader:
    """Iterate over a dataset in minibatches.

    Parameters
    ----------
    dataset : Dataset
        Any map-style dataset; ``TensorDataset`` batches are gathered with one fancy-index
        per array instead of a loop over samples.
    batch_size : int, default 1
        Samples per batch.
    shuffle : bool, default False
        Visit the samples in a new random order every epoch.
    drop_last : bool, default False
        Skip the last batch when it is smaller than ``batch_size``.
    collate_fn : callable, optional
        Turns a list of samples into a batch (default: :func:`default_collate`). When given,
        samples are fetched one by one, also from a ``TensorDataset``.
    seed : int, optional
        The shuffle of epoch ``e`` is ``default_rng([seed, e]).permutation(len(dataset))``.
    transform : callable, optional
        Applied to the first field of each batch (the inputs), e.g. an augmentation from
        :mod:`nabla.data.transforms`. Transforms hold their own ``Generator``.
    sampler : Sampler, optional
        The order of the indices instead (:mod:`nabla.data.sampler`); not with
        ``shuffle=True``, as in PyTorch. Its ``set_epoch`` is called with the loader's epoch.
    batch_sampler : BatchSampler, optional
        Yields the index lists of whole batches; not with ``batch_size``, ``shuffle``,
        ``sampler`` or ``drop_last``, as in PyTorch.

    Attributes
    ----------
    epoch : int
        The epoch whose order the next iteration uses; it advances by one each time an
        iteration starts, and :meth:`set_epoch` sets it (a trainer resuming at epoch
        ``e`` calls it).

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(np.arange(10.0), np.arange(10) % 2)
    >>> [len(x) for x, y in DataLoader(ds, batch_size=4)]
    [4, 4, 2]
    >>> [len(x) for x, y in DataLoader(ds, batch_size=4, drop_last=True)]
    [4, 4]
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        seed: int | None = None,
        transform: Callable[[Array], Array] | None = None,
        sampler: Any = None,
        batch_sampler: Any = None,
    ) -> None:
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(
                f"DataLoader: dataset must have __len__ and __getitem__, got "
                f"{type(dataset).__name__}"
            )
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or batch_size < 1
        ):
            raise ValueError(f"DataLoader: batch_size must be an integer >= 1, got {batch_size!r}")
        for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not isinstance(flag, (bool, np.bool_)):
                raise TypeError(f"DataLoader: {name} must be True or False, got {flag!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {collate_fn!r}")
        if transform is not None and not callable(transform):
            raise TypeError(f"DataLoader: transform must be callable, got {transform!r}")
        if sampler is not None:
            check_sampler("DataLoader", "sampler", sampler)
            if shuffle:
                raise ValueError(
                    "DataLoader: sampler option is mutually exclusive with shuffle=True; the "
                    "sampler decides the order"
                )
        if batch_sampler is not None:
            check_sampler("DataLoader", "batch_sampler", batch_sampler)
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                    "shuffle, sampler and drop_last"
                )
        self.seed = _check_seed(seed)
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.transform = transform
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Make the next iteration use the order of ``epoch`` (0-based)."""
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise ValueError(f"DataLoader.set_epoch: epoch must be an integer >= 0, got {epoch!r}")
        self.epoch = int(epoch)

    def order(self, epoch: int) -> Array:
        """The sample indices of ``epoch`` in the order they are visited."""
        n = len(self.dataset)
        if self.batch_sampler is not None:
            batches = epoch_batches(self.batch_sampler, epoch, n, "DataLoader")
            return np.concatenate(batches) if batches else np.zeros(0, dtype=np.intp)
        if self.sampler is not None:
            return epoch_order(self.sampler, epoch, n, "DataLoader")
        if not self.shuffle:
            return np.arange(n)
        return np.random.default_rng([self.seed, epoch]).permutation(n)

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.dataset) if self.sampler is None else len(self.sampler)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def _batch(self, idx: Array) -> Any:
        if self.collate_fn is None and isinstance(self.dataset, TensorDataset):
            batch: Any = self.dataset[idx]
        else:
            collate = self.collate_fn or default_collate
            batch = collate([self.dataset[int(i)] for i in idx])
        if self.transform is not None:
            if isinstance(batch, tuple):
                batch = (self.transform(batch[0]), *batch[1:])
            else:
                batch = self.transform(batch)
        return batch

    def __iter__(self) -> Iterator[Any]:
        if self.batch_sampler is not None:
            batches = epoch_batches(self.batch_sampler, self.epoch, len(self.dataset), "DataLoader")
            self.epoch += 1
            yield from (self._batch(idx) for idx in batches)
            return
        order = self.order(self.epoch)
        self.epoch += 1
        k = self.batch_size
        for b in range(len(order) // k if self.drop_last else -(-len(order) // k)):
            yield self._batch(order[b * k : (b + 1) * k])
