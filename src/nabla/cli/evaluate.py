"""``nabla evaluate``: measure a saved model on a dataset.

    nabla evaluate nabla-output/model.safetensors                  # its own test split
    nabla evaluate model.safetensors --dataset digits --split all
    nabla evaluate model.safetensors --dataset test.csv --target y

Without ``--dataset`` the model is measured on the held-out test split it was trained
with (re-created from the seed and test fraction recorded in the model file).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "evaluate",
        help="measure a saved model on a dataset (accuracy, or R² and RMSE)",
        description=(
            "Measure a saved model on a dataset: accuracy for classifiers, R² and RMSE for "
            "regressors. Without --dataset, on the test split it was trained with."
        ),
    )
    parser.add_argument("model", type=Path, help="a model file written by nabla train")
    parser.add_argument(
        "--dataset", help="bundled name, IMAGES.idx,LABELS.idx, or a CSV file (with --target)"
    )
    parser.add_argument("--target", help="the CSV column to predict")
    parser.add_argument(
        "--split",
        choices=["test", "all"],
        help="the training run's test split, or every sample (default: test for the "
        "dataset the model was trained on, all for another)",
    )
    parser.set_defaults(run=run)
    return parser


def load_model(path: Path) -> tuple[Any, dict[str, Any]]:
    """A model written by ``nabla train`` and its metadata (refuses other model files)."""
    from nabla import io

    model, meta = io.load(path, with_metadata=True)
    needed = ("task", "input_shape", "dataset", "run")
    if not all(k in meta for k in needed):
        raise ValueError(
            f"'{path}' is a nabla model but was not written by nabla train (its metadata "
            f"lacks {[k for k in needed if k not in meta]}); use nabla.io.load in Python"
        )
    return model, meta


def scale_inputs(X: np.ndarray, meta: dict[str, Any], who: str) -> np.ndarray:
    """Reshape / standardise inputs already in the dataset's scale as training did."""
    shape = tuple(meta["input_shape"])
    if X.shape[1:] != shape:
        if int(np.prod(X.shape[1:])) != int(np.prod(shape)):
            raise ValueError(
                f"{who}: the model takes inputs of shape {shape} "
                f"({int(np.prod(shape))} values), the data has {X.shape[1:]}"
            )
        X = X.reshape(len(X), *shape)
    if meta.get("mean") is not None:
        X = (X - meta["mean"]) / meta["std"]
    return np.asarray(X, dtype=np.float32)


def outputs(model: Any, X: np.ndarray) -> np.ndarray:
    """The model's raw outputs, batch by batch, without gradients."""
    from nabla.autograd import as_tensor, no_grad

    model.eval()
    with no_grad():
        return np.concatenate(
            [model(as_tensor(X[i : i + 512])).data for i in range(0, len(X), 512)]
        )


def _csv_as_the_model_saw_it(
    spec: str, target: str | None, meta: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """A CSV's features found by the model's column names, its labels as the model's classes.

    The file's own encoding would not do: its classes are numbered in the sorted order of
    the names it contains (a file with only "yes" rows would call "yes" class 0), and its
    columns may come in another order.
    """
    from nabla.data import load_csv

    if target is None:
        raise ValueError(f"the CSV file '{spec}' needs a target column (--target)")
    table = load_csv(
        spec,
        target,
        columns=list(meta["feature_names"]),
        delimiter="\t" if spec.lower().endswith(".tsv") else ",",
    )
    assert table.y is not None  # a target was given
    if meta["task"] == "regression":
        if table.classes is not None:
            raise ValueError(
                f"the model does regression but the target {target!r} of {spec!r} holds class names"
            )
        return table.X, table.y.astype(np.float32)
    classes = list(meta.get("classes") or [])
    if table.classes is not None:
        names = [table.classes[i] for i in table.y]
    else:
        names = [f"{v:g}" for v in table.y]
    index = {name: i for i, name in enumerate(classes)}
    unknown = sorted(set(names) - index.keys())
    if unknown:
        raise ValueError(
            f"the target {target!r} of {spec!r} has labels the model does not know: "
            f"{unknown[:5]}; its classes are {classes}"
        )
    return table.X, np.array([index[name] for name in names], dtype=np.int64)


def run(args: argparse.Namespace) -> int:
    from nabla.cli.train import describe_result
    from nabla.data.catalog import load_dataset, split

    model, meta = load_model(args.model)
    spec = args.dataset or meta["dataset"]
    target = args.target if args.dataset else meta["run"].get("target")
    split_name = args.split or ("test" if spec == meta["dataset"] else "all")
    ds = load_dataset(spec, target)
    if ds.feature_names is not None and meta.get("feature_names"):
        # a CSV for a model trained on one: its own guess of the task does not matter
        X, y = _csv_as_the_model_saw_it(spec, target, meta)
    elif ds.task != meta["task"]:
        raise ValueError(f"the model does {meta['task']} but {spec!r} is a {ds.task} dataset")
    else:
        X, y = ds.X, ds.y
    if split_name == "test":
        run_cfg = meta["run"]
        _, test = split(y, meta["task"], float(run_cfg["test_size"]), int(run_cfg["seed"]))
        X, y = X[test], y[test]
    X = scale_inputs(X, meta, "nabla evaluate")
    scores = outputs(model, X)
    if meta["task"] == "classification" and scores.shape[1] <= int(y.max()):
        raise ValueError(
            f"the model predicts {scores.shape[1]} classes but {spec!r} has labels up to "
            f"{int(y.max())}"
        )
    if meta["task"] == "regression":
        y = (y - meta["y_mean"]) / meta["y_std"]
    print(f"model: {args.model} (trained on {meta['dataset']})")
    print(f"data: {spec}, {split_name} ({len(y)} samples)")
    for line in describe_result(meta["task"], scores, y, meta["y_std"], label=split_name):
        print(line)
    return 0
