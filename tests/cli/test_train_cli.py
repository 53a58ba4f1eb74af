"""`nabla train`, `nabla evaluate`, `nabla predict`, run in-process through nabla.cli.main."""

from __future__ import annotations

import csv
import gzip
import io as _io
import json
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from nabla import io
from nabla.cli import main


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def _one_error_line(err: str, command: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.startswith(f"nabla {command}: error:")]
    assert len(lines) == 1, err
    return lines[0]


def _weights(path: Path) -> dict[str, np.ndarray]:
    return io.load_state_dict(path)


def _png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---- the main job --------------------------------------------------------------------------
def test_train_cnn_digits_one_epoch(tmp_path: Path, capsys) -> None:
    out_dir = tmp_path / "out"
    rc, out, err = _run(capsys, "train", "--epochs", "1", "--output", str(out_dir))
    assert rc == 0, err
    m = re.search(r"^test accuracy: (\d+\.\d\d)% \((\d+)/450\)$", out, re.M)
    assert m, out
    assert float(m.group(1)) > 50  # one epoch of the CNN is already far above chance
    assert re.search(r"^time: \d+\.\d s training \(1 epochs\), \d+\.\d s in all$", out, re.M)
    assert "epoch 1/1" in err and "cnn on digits (1347 training / 450 test samples)" in err
    for name in (
        "model.safetensors",
        "history.json",
        "curves.png",
        "checkpoint.safetensors",
        "run.json",
    ):
        assert (out_dir / name).is_file(), name
    history = json.loads((out_dir / "history.json").read_text())
    assert history["epoch"] == [1] and len(history["val_accuracy"]) == 1
    assert _png(out_dir / "curves.png")
    model, meta = io.load(out_dir / "model.safetensors", with_metadata=True)
    assert type(model).__name__ == "Sequential" and meta["dataset"] == "digits"
    # the same seed gives the same weights, hence the same accuracy to the last digit
    rc, again, _ = _run(capsys, "train", "--epochs", "1", "--output", str(tmp_path / "again"))
    assert rc == 0 and m.group(0) in again
    a, b = (
        _weights(out_dir / "model.safetensors"),
        _weights(tmp_path / "again" / "model.safetensors"),
    )
    assert all(np.array_equal(a[k], b[k]) for k in a)
    # evaluate re-creates the same test split and gets the same accuracy line
    rc, out2, err2 = _run(capsys, "evaluate", str(out_dir / "model.safetensors"))
    assert rc == 0, err2
    assert m.group(0) in out2 and "digits, test (450 samples)" in out2


def test_default_split_is_stratified_25_percent(tmp_path: Path, capsys, monkeypatch) -> None:
    """The default split is scikit-learn's train_test_split(stratify=y), 25%, seed 0."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    import nabla.cli.train as train_cli

    seen = []
    real = train_cli.prepare_data

    def spy(*args, **kwargs):
        seen.append(real(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(train_cli, "prepare_data", spy)
    argv = ["train", "--model", "mlp", "--epochs", "1", "--no-progress"]  # default data, split
    rc, _, err = _run(capsys, *argv, "--output", str(tmp_path / "o"))
    assert rc == 0, err
    data = seen[0]
    X, y = load_digits(return_X_y=True)
    counts = np.bincount(y)
    test_counts = np.bincount(data.y_test, minlength=10)
    assert len(data.y_test) == 450 and len(data.y_train) == 1347  # ceil(0.25 * 1797)
    # stratified: each class's share of the test part is 25% of its count, to one sample
    assert np.all(np.abs(test_counts - 0.25 * counts) <= 1), (test_counts, counts)
    np.testing.assert_array_equal(np.bincount(data.y_train, minlength=10), counts - test_counts)
    # the very samples scikit-learn's stratified split with random_state=0 puts aside
    _, test = train_test_split(np.arange(len(y)), test_size=0.25, random_state=0, stratify=y)
    test = np.sort(test)
    np.testing.assert_array_equal(data.y_test, y[test])
    images = data.X_test.reshape(len(test), 64) / data.input_scale
    np.testing.assert_allclose(images, X[test], atol=1e-5)


def test_same_seed_same_result_different_seed_differs(tmp_path: Path, capsys) -> None:
    outs = []
    for i, seed in enumerate(["3", "3", "4"]):
        d = tmp_path / str(i)
        rc, out, err = _run(
            capsys,
            "train",
            "--model",
            "mlp",
            "--epochs",
            "2",
            "--seed",
            seed,
            "--output",
            str(d),
            "--no-progress",
        )
        assert rc == 0, err
        assert err == ""  # --no-progress: nothing on stderr
        outs.append((out.splitlines()[0], _weights(d / "model.safetensors")))
    assert outs[0][0] == outs[1][0]
    assert all(np.array_equal(outs[0][1][k], outs[1][1][k]) for k in outs[0][1])
    assert not all(np.array_equal(outs[0][1][k], outs[2][1][k]) for k in outs[0][1])


def test_predict_matches_the_model(tmp_path: Path, capsys) -> None:
    from sklearn.datasets import load_digits

    d = tmp_path / "o"
    assert (
        _run(
            capsys,
            "train",
            "--model",
            "lenet",
            "--epochs",
            "2",
            "--output",
            str(d),
            "--no-progress",
        )[0]
        == 0
    )
    X, _ = load_digits(return_X_y=True)
    src = tmp_path / "in.csv"
    with open(src, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([f"p{i}" for i in range(64)])
        w.writerows(X[:20].astype(int).tolist())
    rc, out, err = _run(capsys, "predict", str(d / "model.safetensors"), "--input", str(src))
    assert rc == 0, err
    rows = list(csv.reader(_io.StringIO(out)))
    assert rows[0] == ["prediction", "probability"] and len(rows) == 21
    model = io.load(d / "model.safetensors")
    import nabla

    scores = model(nabla.tensor((X[:20] / 16).reshape(-1, 1, 8, 8).astype(np.float32))).data
    assert [int(r[0]) for r in rows[1:]] == scores.argmax(1).tolist()
    assert all(0 < float(r[1]) <= 1 for r in rows[1:])
    target = tmp_path / "pred.csv"
    rc, out, _ = _run(
        capsys,
        "predict",
        str(d / "model.safetensors"),
        "--input",
        str(src),
        "--output",
        str(target),
    )
    assert rc == 0 and "wrote 20 predictions" in out
    assert target.read_text().splitlines()[0] == "prediction,probability"


def test_tabular_classification_and_regression(tmp_path: Path, capsys) -> None:
    rc, out, err = _run(
        capsys,
        "train",
        "--model",
        "mlp",
        "--dataset",
        "iris",
        "--epochs",
        "30",
        "--output",
        str(tmp_path / "iris"),
        "--no-progress",
    )
    assert rc == 0, err
    acc = float(re.search(r"test accuracy: (\S+)%", out).group(1))
    assert acc > 80
    rc, out, err = _run(
        capsys,
        "train",
        "--model",
        "mlp",
        "--dataset",
        "diabetes",
        "--epochs",
        "5",
        "--output",
        str(tmp_path / "dia"),
        "--no-progress",
    )
    assert rc == 0, err
    assert re.search(r"^test R²: -?\d\.\d{4}$", out, re.M) and "test RMSE:" in out
    rc, out, err = _run(
        capsys, "evaluate", str(tmp_path / "dia" / "model.safetensors"), "--split", "all"
    )
    assert rc == 0 and "diabetes, all (442 samples)" in out


def _csv_dataset(path: Path, n: int = 80) -> Path:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "c", "label"])
        w.writerows([[*map(float, x), t] for x, t in zip(X, y)])
    return path


def test_csv_dataset_and_predict_by_column_name(tmp_path: Path, capsys) -> None:
    data = _csv_dataset(tmp_path / "d.csv")
    d = tmp_path / "o"
    rc, out, err = _run(
        capsys,
        "train",
        "--model",
        "mlp",
        "--dataset",
        str(data),
        "--target",
        "label",
        "--epochs",
        "20",
        "--output",
        str(d),
        "--no-progress",
    )
    assert rc == 0, err
    rc, out, err = _run(capsys, "predict", str(d / "model.safetensors"), "--input", str(data))
    assert rc == 0, err
    preds = [r[0] for r in list(csv.reader(_io.StringIO(out)))[1:]]
    truth = [r[3] for r in list(csv.reader(open(data)))[1:]]
    assert set(preds) <= {"yes", "no"}
    assert np.mean([p == t for p, t in zip(preds, truth)]) > 0.85
    reordered = tmp_path / "r.csv"
    reordered.write_text("c,a\n0,1\n")
    rc, _, err = _run(capsys, "predict", str(d / "model.safetensors"), "--input", str(reordered))
    assert rc == 1 and "has no column 'b' in its header row" in _one_error_line(err, "predict")


def _idx(arr: np.ndarray) -> bytes:
    head = bytes([0, 0, 0x08, arr.ndim]) + b"".join(struct.pack(">I", s) for s in arr.shape)
    return head + arr.astype(np.uint8).tobytes()


def test_idx_dataset(tmp_path: Path, capsys) -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=60).astype(np.uint8)
    imgs = rng.integers(0, 60, size=(60, 8, 8)).astype(np.uint8)
    imgs[y == 1, 2:6, 2:6] = 250  # class 1 has a bright square
    (tmp_path / "i.idx.gz").write_bytes(gzip.compress(_idx(imgs)))
    (tmp_path / "l.idx").write_bytes(_idx(y))
    spec = f"{tmp_path / 'i.idx.gz'},{tmp_path / 'l.idx'}"
    rc, out, err = _run(
        capsys,
        "train",
        "--dataset",
        spec,
        "--epochs",
        "3",
        "--output",
        str(tmp_path / "o"),
        "--no-progress",
    )
    assert rc == 0, err
    assert "test accuracy" in out


# ---- Ctrl-C, resume, divergence ------------------------------------------------------------
def test_ctrl_c_then_resume_equals_an_uninterrupted_run(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    from nabla.train.trainer import Trainer

    args = ["train", "--model", "mlp", "--epochs", "3", "--batch-size", "64", "--no-progress"]
    assert _run(capsys, *args, "--output", str(tmp_path / "full"))[0] == 0
    real_step = Trainer._step
    calls = {"n": 0}

    def interrupted(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 22 + 5:  # 22 batches per epoch: Ctrl-C in the middle of epoch 2
            raise KeyboardInterrupt
        return real_step(self, *a, **k)

    monkeypatch.setattr(Trainer, "_step", interrupted)
    out_dir = tmp_path / "cut"
    rc, _, err = _run(capsys, *args, "--output", str(out_dir))
    assert rc == 130
    assert err.count("\n") == 1  # one line, not one from train and one from the dispatcher
    assert "the checkpoint of epoch 1 is in" in err and "nabla train --resume --output" in err
    ckpt = out_dir / "checkpoint.safetensors"
    assert io.load_checkpoint(ckpt).epoch == 1
    assert not (out_dir / "model.safetensors").exists()
    monkeypatch.setattr(Trainer, "_step", real_step)
    rc, _out, err = _run(capsys, "train", "--resume", "--output", str(out_dir), "--no-progress")
    assert rc == 0, err
    a, b = (
        _weights(tmp_path / "full" / "model.safetensors"),
        _weights(out_dir / "model.safetensors"),
    )
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    full = json.loads((tmp_path / "full" / "history.json").read_text())
    resumed = json.loads((out_dir / "history.json").read_text())
    assert full["val_loss"] == resumed["val_loss"]


def test_resume_errors(tmp_path: Path, capsys) -> None:
    rc, _, err = _run(capsys, "train", "--resume", "--output", str(tmp_path / "none"))
    assert rc == 1 and "no checkpoint to resume" in _one_error_line(err, "train")
    d = tmp_path / "o"
    assert (
        _run(
            capsys, "train", "--model", "mlp", "--epochs", "1", "--output", str(d), "--no-progress"
        )[0]
        == 0
    )
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    rc, _, err = _run(capsys, "train", "--resume", "--lr", "0.1", "--output", str(d))
    assert rc == 1
    assert "--lr 0.1 differs from the interrupted run's 0.005" in _one_error_line(err, "train")
    assert {p.name: p.read_bytes() for p in d.iterdir()} == before
    from nabla import nn

    other = tmp_path / "other"
    other.mkdir()
    io.save_checkpoint(other / "checkpoint.safetensors", model=nn.Linear(2, 2, rng=0))
    rc, _, err = _run(capsys, "train", "--resume", "--output", str(other))
    assert rc == 1 and "was not written by nabla train" in _one_error_line(err, "train")


@pytest.mark.parametrize("previous", [False, True], ids=["fresh", "over-a-previous-run"])
def test_nan_divergence_keeps_the_last_good_checkpoint(
    tmp_path: Path, capsys, monkeypatch, previous
) -> None:
    from nabla import nn

    d = tmp_path / "o"
    before: dict[str, bytes] = {}
    if previous:  # a finished run's model and history must survive the diverging one
        argv = ["train", "--model", "mlp", "--epochs", "1", "--seed", "1", "--no-progress"]
        assert _run(capsys, *argv, "--output", str(d))[0] == 0
        before = {n: (d / n).read_bytes() for n in ("model.safetensors", "history.json")}
    real = nn.CrossEntropyLoss.forward
    calls = {"n": 0}

    def diverging(self, input, target):
        calls["n"] += 1
        loss = real(self, input, target)
        # 22 training batches and 2 test batches per epoch, then epoch 2: NaN from its 4th batch
        return loss * float("nan") if calls["n"] > 22 + 2 + 3 else loss

    monkeypatch.setattr(nn.CrossEntropyLoss, "forward", diverging)
    rc, _, err = _run(
        capsys,
        "train",
        "--model",
        "mlp",
        "--epochs",
        "3",
        "--batch-size",
        "64",
        "--output",
        str(d),
        "--no-progress",
    )
    assert rc == 1
    line = _one_error_line(err, "train")
    assert re.search(
        r"loss became nan at epoch 2, batch 4; .*checkpoint\.safetensors' \(epoch 1\)", line
    )
    ckpt = io.load_checkpoint(d / "checkpoint.safetensors")
    assert ckpt.epoch == 1
    weights = ckpt.model_state
    assert weights and all(np.all(np.isfinite(w)) for w in weights.values())
    assert all(np.all(np.isfinite(v)) for v in ckpt.history["loss"])
    # no model or history with NaN: none written, or the previous ones byte-identical
    for name in ("model.safetensors", "history.json"):
        if previous:
            assert (d / name).read_bytes() == before[name], name
        else:
            assert not (d / name).exists(), name
    assert not [p.name for p in d.iterdir() if p.name.endswith(".tmp")]


# ---- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--epochs", "0"], "--epochs must be >= 1, got 0"),
        (["--lr", "-1"], r"--lr must be a finite number > 0, got -1\.0$"),
        (["--test-size", "1.5"], r"--test-size must be in \(0, 1\)"),
        (["--model", "cnn", "--dataset", "iris"], "--model cnn needs image data"),
        (["--dataset", "nope"], "unknown dataset 'nope'"),
        (["--dataset", "missing.csv", "--target", "y"], "no such file: 'missing.csv'"),
    ],
)
def test_bad_options_one_line_and_no_output(tmp_path: Path, capsys, argv, match) -> None:
    d = tmp_path / "o"
    rc, out, err = _run(capsys, "train", *argv, "--output", str(d), "--no-progress")
    assert rc == 1 and out == ""
    assert re.search(match, _one_error_line(err, "train"))
    assert not d.exists()


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("a,b\n1,2\n", r"has no target column 'y' in its header row \(2 columns\)$"),
        ("a,Y\n1,2\n", r"has no target column 'y' .*; for 'y' did you mean \['Y'\]\?$"),
        ("a,y\n1,2\n2,x\nz,1\n", r"line 4, column 'a': a non-numeric value; every"),
    ],
)
def test_bad_csv(tmp_path: Path, capsys, content, match) -> None:
    p = tmp_path / "d.csv"
    p.write_text(content)
    rc, _, err = _run(
        capsys,
        "train",
        "--model",
        "mlp",
        "--dataset",
        str(p),
        "--target",
        "y",
        "--output",
        str(tmp_path / "o"),
    )
    assert rc == 1 and re.search(match, _one_error_line(err, "train"))
    assert p.read_text() == content


def test_bad_idx_pairs(tmp_path: Path, capsys) -> None:
    imgs, labels = tmp_path / "i.idx", tmp_path / "l.idx"
    imgs.write_bytes(_idx(np.zeros((10, 8, 8), np.uint8)))
    labels.write_bytes(_idx(np.zeros(9, np.uint8)))
    rc, _, err = _run(
        capsys, "train", "--dataset", f"{imgs},{labels}", "--output", str(tmp_path / "o")
    )
    assert rc == 1 and "has 10 images but" in _one_error_line(err, "train")
    imgs.write_bytes(_idx(np.zeros((10, 8, 8), np.uint8))[:-7])
    rc, _, err = _run(
        capsys, "train", "--dataset", f"{imgs},{labels}", "--output", str(tmp_path / "o")
    )
    assert rc == 1 and "is truncated" in _one_error_line(err, "train")


def test_unwritable_output_folder(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("keep me")
    rc, out, err = _run(
        capsys, "train", "--model", "mlp", "--epochs", "1", "--output", str(blocker / "sub")
    )
    assert rc == 1 and out == ""
    assert "cannot create the output folder" in _one_error_line(err, "train")
    assert blocker.read_text() == "keep me"
    rc, _, err = _run(capsys, "train", "--model", "mlp", "--epochs", "1", "--output", str(blocker))
    assert rc == 1 and "exists and is not a folder" in _one_error_line(err, "train")
    assert blocker.read_text() == "keep me"


@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_bad_model_files(tmp_path: Path, capsys, command) -> None:
    extra = ["--input", str(tmp_path / "x.csv")] if command == "predict" else []
    rc, _, err = _run(capsys, command, str(tmp_path / "missing.safetensors"), *extra)
    assert rc == 1 and "no such file" in _one_error_line(err, command)
    bad = tmp_path / "bad.safetensors"
    import pickle

    bad.write_bytes(pickle.dumps([1, 2]))
    rc, _, err = _run(capsys, command, str(bad), *extra)
    assert rc == 1 and "nabla never unpickles" in _one_error_line(err, command)
    from nabla import nn

    io.save(nn.Linear(2, 2, rng=0), tmp_path / "plain")
    rc, _, err = _run(capsys, command, str(tmp_path / "plain"), *extra)
    assert rc == 1 and "not written by nabla train" in _one_error_line(err, command)


def test_output_folder_without_write_permission(tmp_path: Path, capsys, monkeypatch) -> None:
    import tempfile

    d = tmp_path / "o"
    d.mkdir()
    (d / "keep.txt").write_text("previous results")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "TemporaryFile", denied)
    rc, out, err = _run(capsys, "train", "--model", "mlp", "--epochs", "1", "--output", str(d))
    assert rc == 1 and out == ""
    line = _one_error_line(err, "train")
    assert "cannot write into the output folder" in line and "Permission denied" in line
    assert [p.name for p in d.iterdir()] == ["keep.txt"]
    assert (d / "keep.txt").read_text() == "previous results"


def test_sgd_option(tmp_path: Path, capsys) -> None:
    d = tmp_path / "o"
    rc, out, err = _run(
        capsys,
        "train",
        "--model",
        "mlp",
        "--optimizer",
        "sgd",
        "--epochs",
        "2",
        "--output",
        str(d),
        "--no-progress",
    )
    assert rc == 0, err
    run = json.loads((d / "run.json").read_text())
    assert run["optimizer"] == "sgd" and run["lr"] == 0.1
    assert float(re.search(r"test accuracy: (\S+)%", out).group(1)) > 50  # chance is 10%
