"""k-fold splitters: ``KFold`` and ``StratifiedKFold`` (the course notes,
"k-fold cross validation").

Both follow scikit-learn's splitter protocol (``split(X, y, groups)`` yields
``(train_index, test_index)``, ``get_n_splits``), so they work as ``cv=`` in scikit-learn's
``GridSearchCV`` and ``cross_val_score`` as well as in nabla's.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

IndexPair = tuple[NDArray[np.intp], NDArray[np.intp]]


class _KFoldBase:
    """Validation and the train/test bookkeeping shared by the two splitters."""

    def __init__(
        self,
        n_splits: int = 5,
        *,
        shuffle: bool = False,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        who = type(self).__name__
        if isinstance(n_splits, bool) or not isinstance(n_splits, numbers.Integral):
            raise TypeError(f"{who}: n_splits must be an int >= 2; got {n_splits!r}.")
        if n_splits < 2:
            raise ValueError(
                f"{who}: n_splits must be an int >= 2 (one fold to validate on, at least one "
                f"to train on); got {n_splits!r}."
            )
        if not isinstance(shuffle, bool):
            raise TypeError(f"{who}: shuffle must be True or False; got {shuffle!r}.")
        if not shuffle and random_state is not None:
            raise ValueError(
                f"{who}: random_state={random_state!r} has no effect without shuffle=True; "
                "set shuffle=True or leave random_state=None."
            )
        self.n_splits: int = int(n_splits)
        self.shuffle: bool = shuffle
        self.random_state: int | np.random.Generator | None = random_state

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of folds, ``n_splits``."""
        return self.n_splits

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[IndexPair]:
        """Yield ``(train_index, test_index)`` for each fold, indices in increasing order.

        The test folds partition ``0..n_samples-1``; each train set is the complement.
        """
        n = _num_samples(X)
        if self.n_splits > n:
            raise ValueError(
                f"{type(self).__name__}: n_splits={self.n_splits} is larger than the number "
                f"of samples ({n}); each fold needs at least one sample."
            )
        fold = self._fold_of_each_sample(n, y)
        for k in range(self.n_splits):
            is_test = fold == k
            yield np.flatnonzero(~is_test), np.flatnonzero(is_test)

    def _rng(self) -> np.random.Generator:
        return np.random.default_rng(self.random_state)

    def _fold_of_each_sample(self, n: int, y: Any) -> NDArray[np.intp]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(n_splits={self.n_splits}, shuffle={self.shuffle}, "
            f"random_state={self.random_state!r})"
        )


class KFold(_KFoldBase):
    """k-fold cross-validation: ``k`` consecutive folds, each the test set once.

    The first ``n % k`` folds have ``n // k + 1`` samples, the others ``n // k`` (the same
    folds as scikit-learn's ``KFold`` without shuffling). With ``shuffle=True`` the samples
    are permuted first by ``numpy.random.default_rng(random_state)``.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds ``k``, at least 2.
    shuffle : bool, default=False
        Permute the samples before cutting them into folds.
    random_state : int, Generator or None
        Seed of the permutation (only with ``shuffle=True``).

    Examples
    --------
    >>> from nabla.model_selection import KFold
    >>> [test.tolist() for _, test in KFold(3).split(list(range(7)))]
    [[0, 1, 2], [3, 4], [5, 6]]
    """

    def _fold_of_each_sample(self, n: int, y: Any) -> NDArray[np.intp]:
        k = self.n_splits
        sizes = np.full(k, n // k)
        sizes[: n % k] += 1
        fold = np.repeat(np.arange(k), sizes)
        if self.shuffle:
            order = self._rng().permutation(n)
            shuffled = np.empty(n, dtype=np.intp)
            shuffled[order] = fold
            return shuffled
        return fold


class StratifiedKFold(_KFoldBase):
    """k-fold cross-validation that keeps the class proportions in every fold.

    The labels, sorted by class (classes in order of first appearance), are dealt to the
    folds in turn, so that each class's count and each fold's size differ by at most one
    between folds. Within a class the samples go
    to the folds in order of appearance (shuffled first with ``shuffle=True``). Without
    shuffling these are the folds of scikit-learn's ``StratifiedKFold``.

    Every class must have at least ``n_splits`` members, so that it appears in every test
    fold (scikit-learn only warns; a fold without a class gives a misleading score).

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds ``k``, at least 2.
    shuffle : bool, default=False
        Shuffle the samples of each class before dealing them.
    random_state : int, Generator or None
        Seed of the shuffling (only with ``shuffle=True``).

    Examples
    --------
    >>> from nabla.model_selection import StratifiedKFold
    >>> y = [0, 0, 0, 0, 1, 1]
    >>> [test.tolist() for _, test in StratifiedKFold(2).split(y, y)]
    [[0, 1, 4], [2, 3, 5]]
    """

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[IndexPair]:
        """Yield ``(train_index, test_index)`` for each fold; ``y`` holds the class labels."""
        if y is None:
            raise ValueError("StratifiedKFold: split needs the class labels y; got y=None.")
        return super().split(X, y, groups)

    def _fold_of_each_sample(self, n: int, y: Any) -> NDArray[np.intp]:
        labels = np.asarray(y)
        if labels.ndim != 1 or labels.shape[0] != n:
            raise ValueError(
                "StratifiedKFold: y must be one label per sample, a 1-D array of length "
                f"{n}; got shape {labels.shape}."
            )
        classes, first, encoded, counts = np.unique(
            labels, return_index=True, return_inverse=True, return_counts=True
        )
        # number the classes in order of first appearance, so the dealing order (and the
        # folds) follow the data rather than the sort order of the labels
        appearance = np.argsort(np.argsort(first))
        encoded = appearance[encoded.reshape(-1)]
        classes, counts = classes[np.argsort(first)], counts[np.argsort(first)]
        k = self.n_splits
        if np.min(counts) < k:
            c = int(np.argmin(counts))
            label = classes[c].item() if isinstance(classes[c], np.generic) else classes[c]
            raise ValueError(
                f"StratifiedKFold: n_splits={k} is larger than the number of members of "
                f"class {label!r} ({counts[c]}); every class needs at least n_splits "
                "members."
            )
        # Deal the class-sorted labels to the folds in turn: fold f receives the labels at
        # positions f, f + k, f + 2k, ... of the sorted sequence.
        dealt = np.sort(encoded)
        per_fold = np.stack([np.bincount(dealt[f::k], minlength=len(classes)) for f in range(k)])
        rng = self._rng() if self.shuffle else None
        fold = np.empty(n, dtype=np.intp)
        for c in range(len(classes)):
            members = np.flatnonzero(encoded == c)
            if rng is not None:
                members = rng.permutation(members)
            fold[members] = np.repeat(np.arange(k), per_fold[:, c])
        return fold


def _num_samples(X: Any) -> int:
    if hasattr(X, "shape") and len(X.shape) > 0:
        return int(X.shape[0])
    try:
        return len(X)
    except TypeError as exc:
        raise TypeError(
            f"cannot count the samples of {type(X).__name__}: expected an array-like"
        ) from exc
