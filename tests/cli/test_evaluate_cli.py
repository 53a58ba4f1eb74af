"""`nabla evaluate --dataset`: a CSV with --target, or a bundled dataset, checked against
accuracies counted here from the model's outputs and scikit-learn's data and split."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

import nabla
from nabla import io
from nabla.cli import main

COLUMNS = ("a", "b", "c", "label")


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def _table(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")


def _write(path: Path, X, y, order=COLUMNS) -> Path:
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(order))
        w.writeheader()
        w.writerows(
            {"a": repr(float(x[0])), "b": repr(float(x[1])), "c": repr(float(x[2])), "label": t}
            for x, t in zip(X, y)
        )
    return path


def _correct(model_path: Path, X: np.ndarray, y_index: np.ndarray) -> int:
    """How many rows the model gets right: its outputs on X standardised as in training."""
    model, meta = io.load(model_path, with_metadata=True)
    model.eval()
    Xs = (X.astype(np.float32) - meta["mean"]) / meta["std"]
    with nabla.no_grad():
        scores = model(nabla.tensor(Xs.astype(np.float32))).data
    return int(np.count_nonzero(scores.argmax(axis=1) == y_index))


def _accuracy_line(out: str, label: str) -> tuple[int, int]:
    m = re.search(rf"^{label} accuracy: (\d+\.\d\d)% \((\d+)/(\d+)\)$", out, re.M)
    assert m, out
    k, n = int(m.group(2)), int(m.group(3))
    assert m.group(1) == f"{100 * k / n:.2f}"
    return k, n


@pytest.fixture(scope="module")
def csv_model(tmp_path_factory) -> tuple[Path, Path]:
    from sklearn.model_selection import train_test_split

    d = tmp_path_factory.mktemp("csv")
    X, y = _table(200, 0)
    data = _write(d / "train.csv", X, y)
    rc = main(
        ["train", "--model", "mlp", "--dataset", str(data), "--target", "label"]
        + ["--epochs", "20", "--output", str(d / "o"), "--no-progress"]
    )
    assert rc == 0
    model = d / "o" / "model.safetensors"
    # the standardisation is the training part's (stratified 25% split, seed 0)
    idx = (y == "yes").astype(int)
    train, _ = train_test_split(np.arange(200), test_size=0.25, random_state=0, stratify=idx)
    meta = io.load(model, with_metadata=True)[1]
    np.testing.assert_allclose(meta["mean"], X[train].astype(np.float32).mean(0), rtol=1e-5)
    assert meta["classes"] == ["no", "yes"] and meta["feature_names"] == ["a", "b", "c"]
    return model, data


def test_evaluate_on_another_csv(tmp_path: Path, capsys, csv_model) -> None:
    model, _ = csv_model
    X, y = _table(100, 1)
    other = _write(tmp_path / "new.csv", X, y)
    rc, out, err = _run(
        capsys, "evaluate", str(model), "--dataset", str(other), "--target", "label"
    )
    assert rc == 0, err
    assert f"data: {other}, all (100 samples)" in out
    k, n = _accuracy_line(out, "all")
    assert (k, n) == (_correct(model, X, (y == "yes").astype(int)), 100)
    assert k >= 85


def test_evaluate_finds_columns_by_name_and_labels_by_the_models_classes(
    tmp_path: Path, capsys, csv_model
) -> None:
    model, _ = csv_model
    X, y = _table(100, 1)
    # columns in another order: the model's features are a, b, c whatever the file's order
    perm = _write(tmp_path / "perm.csv", X, y, order=("label", "c", "b", "a"))
    rc, out, err = _run(capsys, "evaluate", str(model), "--dataset", str(perm), "--target", "label")
    assert rc == 0, err
    assert _accuracy_line(out, "all") == (_correct(model, X, (y == "yes").astype(int)), 100)
    # a file holding only "yes" rows: "yes" is still the model's class 1, not the file's 0
    yes = y == "yes"
    only = _write(tmp_path / "yes.csv", X[yes], y[yes])
    rc, out, err = _run(capsys, "evaluate", str(model), "--dataset", str(only), "--target", "label")
    assert rc == 0, err
    n_yes = int(yes.sum())
    assert _accuracy_line(out, "all") == (_correct(model, X[yes], np.ones(n_yes, int)), n_yes)


def test_evaluate_on_the_training_csv_uses_its_test_split(capsys, csv_model) -> None:
    from sklearn.model_selection import train_test_split

    model, data = csv_model
    X, y = _table(200, 0)
    idx = (y == "yes").astype(int)
    _, test = train_test_split(np.arange(200), test_size=0.25, random_state=0, stratify=idx)
    rc, out, err = _run(capsys, "evaluate", str(model), "--dataset", str(data), "--target", "label")
    assert rc == 0, err
    assert _accuracy_line(out, "test") == (_correct(model, X[test], idx[test]), 50)


@pytest.mark.parametrize(
    ("content", "argv", "match"),
    [
        (
            "a,b,c,label\n0,1,2,maybe\n1,2,3,yes\n",
            ["--target", "label"],
            r"has labels the model does not know in 1 of 2 data rows \(the first is data row "
            r"1\); the model's classes are \['no', 'yes'\]$",
        ),
        ("a,b,label\n0,1,yes\n", ["--target", "label"], r"has no column 'c' in its header row"),
        ("a,b,c,label\n0,1,2,yes\n", [], r"needs a target column \(--target\)"),
        ("a,b,c,label\n0,1,2,yes\n", ["--target", "y"], "has no target column 'y'"),
    ],
)
def test_evaluate_bad_csv(tmp_path: Path, capsys, csv_model, content, argv, match) -> None:
    model, _ = csv_model
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    before = model.read_bytes()
    rc, out, err = _run(capsys, "evaluate", str(model), "--dataset", str(bad), *argv)
    assert rc == 1 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("nabla evaluate: error:")
    assert re.search(match, err), err
    assert "maybe" not in err  # the file's cells are not echoed
    assert bad.read_text() == content and model.read_bytes() == before


def test_evaluate_on_a_bundled_dataset(tmp_path: Path, capsys) -> None:
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split

    d = tmp_path / "iris"
    rc, train_out, err = _run(
        capsys,
        "train",
        "--model",
        "mlp",
        "--dataset",
        "iris",
        "--epochs",
        "30",
        "--output",
        str(d),
        "--no-progress",
    )
    assert rc == 0, err
    model = d / "model.safetensors"
    X, y = load_iris(return_X_y=True)
    # named explicitly, the training dataset is measured on the run's own test split
    rc, out, err = _run(capsys, "evaluate", str(model), "--dataset", "iris")
    assert rc == 0, err
    assert "data: iris, test (38 samples)" in out
    train, test = train_test_split(np.arange(150), test_size=0.25, random_state=0, stratify=y)
    k, n = _accuracy_line(out, "test")
    assert (k, n) == (_correct(model, X[test], y[test]), 38)
    assert re.search(rf"^test accuracy: {100 * k / n:.2f}% \({k}/38\)$", train_out, re.M)
    np.testing.assert_allclose(
        io.load(model, with_metadata=True)[1]["mean"], X[train].mean(0), rtol=1e-6
    )
    rc, out, err = _run(capsys, "evaluate", str(model), "--dataset", "iris", "--split", "all")
    assert rc == 0, err
    assert _accuracy_line(out, "all") == (_correct(model, X, y), 150)
    # another bundled dataset: the wrong task, or the wrong number of features
    rc, out, err = _run(capsys, "evaluate", str(model), "--dataset", "diabetes")
    assert rc == 1 and err == (
        "nabla evaluate: error: the model does classification but 'diabetes' is a "
        "regression dataset\n"
    )
    rc, out, err = _run(capsys, "evaluate", str(model), "--dataset", "wine")
    assert rc == 1 and "the model takes inputs of shape (4,)" in err and len(err.splitlines()) == 1
