"""``nabla evaluate``: measure a saved model on a dataset.

    nabla evaluate nabla-output/model.safetensors                  # its own test split
    nabla evaluate model.safetensors --dataset digits --split all
    nabla evaluate model.safetensors --dataset test.csv --target y

Without ``--dataset`` the model is measured on the held-out test split it was trained
with (re-created from the seed and test fraction recorded in the model file), for a
model trained on a bundled dataset. A model file never chooses which local file is read:
a model trained on a CSV or IDX file is evaluated on the data given with ``--dataset``.
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
            "regressors. Without --dataset, on the test split of the bundled dataset it "
            "was trained on; a model trained on a file needs --dataset."
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
    shape = meta["input_shape"]
    if (
        meta["task"] not in ("classification", "regression")
        or not isinstance(meta["run"], dict)
        or not isinstance(meta["dataset"], str)
        or not isinstance(shape, list)
        or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in shape)
    ):
        raise ValueError(
            f"'{path}' has invalid metadata (task, run, dataset or input_shape); it was not "
            f"written by nabla train or was altered"
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
    unknown = [r for r, name in enumerate(names) if name not in index]
    if unknown:
        # the file's labels are not echoed: the row to look at and the model's classes are
        shown = ", ".join(map(repr, classes[:10])) + (", ..." if len(classes) > 10 else "")
        raise ValueError(
            f"the target {target!r} of '{spec}' has labels the model does not know in "
            f"{len(unknown)} of {len(names)} data rows (the first is data row "
            f"{unknown[0] + 1}); the model's classes are [{shown}]"
        )
    return table.X, np.array([index[name] for name in names], dtype=np.int64)


def _data_spec(args: argparse.Namespace, meta: dict[str, Any]) -> tuple[str, str | None]:
    """The dataset to measure on and its target column.

    A model file never chooses a local file to read: without ``--dataset`` only a bundled
    dataset recorded in the model is used; a model trained on a file needs ``--dataset``.
    """
    from nabla.data import BUNDLED

    if args.dataset is not None:
        return args.dataset, args.target
    if args.target is not None:
        raise ValueError("--target names a column of the --dataset CSV file; give --dataset")
    name = meta["dataset"]
    if isinstance(name, str) and name in BUNDLED:
        return name, None
    shown = repr(name) if len(repr(name)) <= 200 else repr(name)[:197] + "..."
    raise ValueError(
        f"'{args.model}' was trained on a file ({shown}), not on a bundled dataset; "
        f"nabla evaluate reads only the data you name: pass it with --dataset (and "
        f"--target for a CSV file)"
    )


def _test_split(meta: dict[str, Any], y: np.ndarray, model: Path) -> np.ndarray:
    """Indices of the training run's test split, re-created from the model's metadata."""
    from nabla.data.catalog import split

    run_cfg = meta["run"]
    test_size, seed = run_cfg.get("test_size"), run_cfg.get("seed")
    if (
        isinstance(test_size, bool)
        or not isinstance(test_size, (int, float))
        or not 0 < test_size < 1
        or isinstance(seed, bool)
        or not isinstance(seed, int)
        or not 0 <= seed < 2**32
    ):
        raise ValueError(
            f"'{model}' has invalid metadata: its run's test_size and seed cannot re-create "
            f"the test split; use --split all"
        )
    return split(y, meta["task"], float(test_size), int(seed))[1]


def check_outputs(scores: np.ndarray, model: Path) -> None:
    """Refuse NaN or infinite outputs (a damaged or diverged model), never print them."""
    if not np.all(np.isfinite(scores)):
        raise ValueError(
            f"the model '{model}' gives NaN or infinite outputs on this data; its weights "
            f"are damaged or diverged"
        )


def run(args: argparse.Namespace) -> int:
    from nabla.cli.train import describe_result
    from nabla.data.catalog import load_dataset

    model, meta = load_model(args.model)
    spec, target = _data_spec(args, meta)
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
        test = _test_split(meta, y, args.model)
        X, y = X[test], y[test]
    X = scale_inputs(X, meta, "nabla evaluate")
    scores = outputs(model, X)
    check_outputs(scores, args.model)
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
