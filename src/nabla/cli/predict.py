"""``nabla predict``: run a saved model on the rows of a CSV file.

    nabla predict nabla-output/model.safetensors --input new.csv
    nabla predict model.safetensors --input new.csv --output predictions.csv

The CSV has a header row. For a model trained on a CSV, the feature columns are found by
name (other columns, such as the target, are ignored); for an image model every column is
a pixel in the dataset's raw scale (0..16 for digits, 0..255 for IDX images), row-major.
The predictions (class and its probability, or the predicted value) are written as CSV to
stdout or to ``--output``.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path
from typing import Any

import numpy as np


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "predict",
        help="predict the rows of a CSV file with a saved model",
        description=(
            "Predict the rows of a CSV file (header row) with a model written by nabla train;"
            " the predictions are written as CSV."
        ),
    )
    parser.add_argument("model", type=Path, help="a model file written by nabla train")
    parser.add_argument("--input", type=Path, required=True, help="CSV file of inputs")
    parser.add_argument("--output", type=Path, help="CSV file to write (default: stdout)")
    parser.set_defaults(run=run)
    return parser


def _features(path: Path, meta: dict[str, Any]) -> np.ndarray:
    from nabla.data import load_csv

    names = meta.get("feature_names")
    if names:  # found by name; other columns (the target, ids) are not read
        return load_csv(path, columns=list(names)).X
    return load_csv(path).X * np.float32(meta["input_scale"])


def run(args: argparse.Namespace) -> int:
    from nabla.cli._checks import replaceable_file
    from nabla.cli.evaluate import check_outputs, load_model, outputs, scale_inputs

    if args.output is not None:
        replaceable_file(args.output, "--output")
    model, meta = load_model(args.model)
    X = scale_inputs(_features(args.input, meta), meta, "nabla predict")
    scores = outputs(model, X).astype(np.float64)
    check_outputs(scores, args.model)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if meta["task"] == "classification":
        # softmax, shifted by the row maximum so that exp cannot overflow
        p = np.exp(scores - scores.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        labels = p.argmax(axis=1)
        classes = meta.get("classes")
        if classes and len(classes) != p.shape[1]:
            raise ValueError(
                f"'{args.model}' has invalid metadata: {len(classes)} class names for "
                f"{p.shape[1]} outputs"
            )
        writer.writerow(["prediction", "probability"])
        for label, prob in zip(labels, p.max(axis=1)):
            writer.writerow([classes[label] if classes else int(label), f"{prob:.6f}"])
    else:
        values = scores.reshape(len(X)) * meta["y_std"] + meta["y_mean"]
        writer.writerow(["prediction"])
        writer.writerows([f"{v:.6g}"] for v in values)
    if args.output is None:
        sys.stdout.write(buf.getvalue())
    else:
        from nabla.io import atomic_write_bytes

        atomic_write_bytes(args.output, buf.getvalue().encode(), "nabla predict")
        print(f"wrote {len(X)} predictions to {args.output}")
    return 0
