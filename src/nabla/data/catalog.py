"""One entry point for every dataset a user can name: ``load_dataset(spec, target)``.

``spec`` is a bundled name (``digits``, ``iris``, ``wine``, ``breast_cancer``,
``diabetes``), an IDX pair ``"images.idx,labels.idx"`` (plain or ``.gz``), or the path
of a CSV file whose ``target`` column is predicted. This is what the ``nabla`` command's
``--dataset`` option accepts. ``prepare_data`` adds what a training run does next: a
seeded (stratified, for classes) train/test split and the standardisation of tabular
features, whose statistics the model file keeps for ``nabla evaluate`` and ``predict``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nabla.data.datasets import BUNDLED, load_csv, load_digits, load_idx_pair

Array = np.ndarray


@dataclass
class LoadedDataset:
    """Arrays and what is known about them.

    Attributes
    ----------
    X : ndarray of float32
        ``(n, d)`` features or ``(n, c, h, w)`` images (scaled to [0, 1]).
    y : ndarray
        int64 class indices (classification) or float targets (regression).
    task : {'classification', 'regression'}
    name : str
        How to show the dataset to a user.
    input_scale : float
        ``X = raw * input_scale`` (1/16 for digits, 1/255 for 8-bit IDX images), so that
        new raw inputs can be scaled the same way.
    classes : list of str, optional
        Class names, for CSV targets given as text.
    feature_names : list of str, optional
        CSV column names of the features.
    """

    X: Array
    y: Array
    task: str
    name: str
    input_scale: float = 1.0
    classes: list[str] | None = None
    feature_names: list[str] | None = None

    @property
    def images(self) -> bool:
        return self.X.ndim == 4


def _classification_or_regression(y: Array) -> str:
    # integer-valued targets with few distinct values are class labels
    if y.dtype.kind in "iu":
        return "classification"
    if np.all(y == np.round(y)) and len(np.unique(y)) <= max(2, min(50, len(y) // 5)):
        return "classification"
    return "regression"


def load_dataset(spec: str, target: str | None = None) -> LoadedDataset:
    """Load the dataset that ``spec`` names (see the module docstring).

    Raises
    ------
    ValueError
        An unknown name, a CSV without ``target``, or bad file contents (the message
        names the file).
    FileNotFoundError, IsADirectoryError
        From the file readers.
    """
    if not isinstance(spec, str) or not spec:
        raise ValueError(f"load_dataset: spec must be a non-empty str, got {spec!r}")
    if spec in BUNDLED:
        if target is not None:
            raise ValueError(f"load_dataset: --target applies to CSV files, not to {spec!r}")
        loader, task = BUNDLED[spec]
        if spec == "digits":
            X, y = load_digits(images=True)
            return LoadedDataset(X, y, task, spec, input_scale=1 / 16)
        X, y = loader()
        return LoadedDataset(X, y, task, spec)
    if "," in spec:
        parts = [s.strip() for s in spec.split(",")]
        if len(parts) != 2 or not all(parts):
            raise ValueError(
                f"load_dataset: an IDX dataset is 'IMAGES,LABELS' (two paths), got {spec!r}"
            )
        if target is not None:
            raise ValueError(
                "load_dataset: --target applies to CSV files, not to an IDX pair (its "
                "labels file holds the targets)"
            )
        X, y = load_idx_pair(parts[0], parts[1])
        return LoadedDataset(X, y, "classification", f"{parts[0]},{parts[1]}", 1 / 255)
    if spec.lower().endswith((".csv", ".tsv")) or Path(spec).exists():
        if target is None:
            raise ValueError(
                f"load_dataset: the CSV file '{spec}' needs a target column (--target)"
            )
        table = load_csv(spec, target, delimiter="\t" if spec.lower().endswith(".tsv") else ",")
        raw = np.asarray(table.y)
        classes = table.classes
        if classes is not None or _classification_or_regression(raw) == "classification":
            if classes is None:
                # labels such as {3, 5, 7} become indices 0..k-1; the names keep the values
                values, raw = np.unique(raw, return_inverse=True)
                classes = [f"{v:g}" for v in values]
            y = raw.astype(np.int64)
            return LoadedDataset(
                table.X, y, "classification", spec, 1.0, classes, table.feature_names
            )
        y = raw.astype(np.float32)
        return LoadedDataset(table.X, y, "regression", spec, 1.0, None, table.feature_names)
    raise ValueError(
        f"load_dataset: unknown dataset {spec!r}; use one of {sorted(BUNDLED)}, "
        f"'IMAGES.idx,LABELS.idx', or a .csv file with --target"
    )


# ---- split and scale, as a training run does ----------------------------------------------
@dataclass
class Prepared:
    """A dataset split into training and test parts, scaled as the model will see it."""

    name: str
    task: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    input_scale: float
    mean: np.ndarray | None  # feature standardisation (tabular data), from the training part
    std: np.ndarray | None
    y_mean: float = 0.0  # regression targets are standardised too; predictions undo it
    y_std: float = 1.0
    classes: list[str] | None = None
    feature_names: list[str] | None = None

    @property
    def images(self) -> bool:
        return self.X_train.ndim == 4

    @property
    def n_outputs(self) -> int:
        if self.task == "regression":
            return 1
        if self.classes:
            return len(self.classes)
        # every label of both parts (a class may have landed in the test part only)
        return int(max(self.y_train.max(), self.y_test.max())) + 1

    def metadata(self, cfg: dict[str, Any]) -> dict[str, Any]:
        """What ``nabla evaluate`` and ``nabla predict`` need to use the model."""
        return {
            "run": cfg,
            "dataset": self.name,
            "task": self.task,
            "input_shape": list(self.X_train.shape[1:]),
            "input_scale": self.input_scale,
            "mean": self.mean,
            "std": self.std,
            "y_mean": self.y_mean,
            "y_std": self.y_std,
            "classes": self.classes,
            "feature_names": self.feature_names,
            "n_outputs": self.n_outputs,
        }


def split(y: np.ndarray, task: str, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test indices: stratified by class for classification (scikit-learn's)."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(y))
    stratify = y if task == "classification" and np.bincount(y).min() >= 2 else None
    try:
        train, test = train_test_split(
            idx, test_size=test_size, random_state=seed, stratify=stratify
        )
    except ValueError as exc:
        raise ValueError(
            f"cannot split {len(y)} samples with --test-size {test_size}: {exc}"
        ) from None
    return np.sort(train), np.sort(test)


def _check_classes(y: np.ndarray, name: str, when: str) -> None:
    k = len(np.unique(y))
    if k < 2:
        raise ValueError(
            f"dataset {name!r} has a single class{when}: classification needs at least 2 "
            f"classes (with one, every prediction is trivially right)"
        )


def prepare_data(spec: str, target: str | None, *, test_size: float, seed: int) -> Prepared:
    """Load ``spec``, split it, standardise tabular features (and regression targets)."""
    ds = load_dataset(spec, target)
    if len(ds.y) < 4:
        raise ValueError(f"dataset {ds.name!r} has {len(ds.y)} samples; at least 4 are needed")
    if ds.task == "classification":
        _check_classes(ds.y, ds.name, "")
    train, test = split(ds.y, ds.task, test_size, seed)
    X_train, X_test = ds.X[train], ds.X[test]
    y_train, y_test = ds.y[train], ds.y[test]
    if ds.task == "classification":
        _check_classes(y_train, ds.name, f" after the --test-size {test_size} split")
    mean = std = None
    if not ds.images:
        # in float64: float32 features near 3.4e38 would overflow a float32 sum or square
        mean = X_train.mean(axis=0, dtype=np.float64)
        std = X_train.std(axis=0, dtype=np.float64)
        std[std == 0] = 1.0  # a constant feature stays 0 after centring
        X_train = ((X_train - mean) / std).astype(np.float32)
        X_test = ((X_test - mean) / std).astype(np.float32)
    prepared = Prepared(
        ds.name,
        ds.task,
        X_train,
        y_train,
        X_test,
        y_test,
        ds.input_scale,
        mean,
        std,
        classes=ds.classes,
        feature_names=ds.feature_names,
    )
    if ds.task == "regression":
        y_train64, y_test64 = y_train.astype(np.float64), y_test.astype(np.float64)
        prepared.y_mean = float(y_train64.mean())
        prepared.y_std = float(y_train64.std()) or 1.0
        prepared.y_train = ((y_train64 - prepared.y_mean) / prepared.y_std).astype(np.float32)
        prepared.y_test = ((y_test64 - prepared.y_mean) / prepared.y_std).astype(np.float32)
    return prepared
