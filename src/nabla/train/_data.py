"""The trainer's data set-up: datasets from arrays, the validation split, the loaders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nabla.data.dataset import Dataset, Subset, TensorDataset, split_indices
from nabla.data.loader import DataLoader

Array = np.ndarray


def as_dataset(data: Any, who: str) -> Dataset:
    """``data`` as a Dataset: a Dataset as is, a pair ``(X, y)`` as a TensorDataset."""
    if isinstance(data, Dataset):
        return data
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return TensorDataset(*data)
    raise TypeError(
        f"{who}: data must be a Dataset, a DataLoader or a tuple (X, y), got {type(data).__name__}"
    )


def split_validation(ds: Dataset, val_split: float, seed: int) -> tuple[Dataset, Dataset]:
    """Hold out a random ``val_split`` fraction of ``ds`` (seeded by ``[seed, 1]``)."""
    n = len(ds)
    n_val = round(n * val_split)
    if not 0 < n_val < n:
        raise ValueError(
            f"Trainer.fit: val_split={val_split} of {n} samples leaves an empty training "
            f"or validation set"
        )
    train_idx, val_idx = split_indices(n, [n - n_val, n_val], np.random.default_rng([seed, 1]))
    train_idx, val_idx = np.sort(train_idx), np.sort(val_idx)
    if isinstance(ds, TensorDataset):  # keep the one-gather batching of whole arrays
        return (
            TensorDataset(*(a[train_idx] for a in ds.arrays)),
            TensorDataset(*(a[val_idx] for a in ds.arrays)),
        )
    return Subset(ds, train_idx), Subset(ds, val_idx)


def make_loaders(
    train_data: Any,
    val_data: Any,
    val_split: float,
    batch_size: int,
    shuffle: bool,
    drop_last: bool,
    transform: Callable[[Array], Array] | None,
    seed: int,
    who: str,
) -> tuple[DataLoader, DataLoader | None]:
    """The training loader (seeded shuffles, augmentation) and the validation loader."""
    if isinstance(train_data, DataLoader):
        if val_split:
            raise ValueError(f"{who}: val_split needs a dataset, not a DataLoader")
        loader = train_data
    else:
        ds = as_dataset(train_data, who)
        if val_split:
            ds, val_data = split_validation(ds, val_split, seed)
        loader = DataLoader(
            ds,
            batch_size=batch_size,
            shuffle=shuffle,
            drop_last=drop_last,
            seed=seed,
            transform=transform,
        )
    if val_data is None or isinstance(val_data, DataLoader):
        return loader, val_data
    # evaluation needs no gradients: larger batches cost less per sample
    return loader, DataLoader(as_dataset(val_data, who), batch_size=max(256, loader.batch_size))
