"""The command line at its edges: a model file never chooses a local file to read, bad
numbers and files are refused in one line before anything is printed or written,
diverging runs end in that one line (never raw NumPy warnings), cosmetic flags never
make a run unresumable, and errors never echo a file's cells."""

from __future__ import annotations

import builtins
import csv
import io as _io
import json
import os
import re
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest

from nabla import io
from nabla.cli import main
from nabla.io._format import encode_tree, write_file

SECRET = "TOPSECRET-marker"
SEEDS = "0..4294967295 (2**32 - 1)"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def _only_error(err: str, command: str) -> str:
    """The whole of stderr is one error line; returns it without the prefix."""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"nabla {command}: error: "), err
    return lines[0][len(f"nabla {command}: error: ") :]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def _table(path: Path, n: int = 60, seed: int = 0, bom: bool = False) -> Path:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = np.where(X[:, 0] > X[:, 1], "yes", "no")
    text = "a,b,label\n" + "".join(f"{u!r},{v!r},{t}\n" for (u, v), t in zip(X.tolist(), y))
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path


def _idx(arr: np.ndarray) -> bytes:
    code = {np.uint8: 0x08, np.int32: 0x0C, np.float32: 0x0D}[arr.dtype.type]
    head = bytes([0, 0, code, arr.ndim]) + b"".join(struct.pack(">I", d) for d in arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


@pytest.fixture(scope="module")
def iris_model(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("iris") / "o"
    argv = ["train", "--model", "mlp", "--dataset", "iris", "--epochs", "1", "--no-progress"]
    assert main([*argv, "--output", str(d)]) == 0
    return d / "model.safetensors"


@pytest.fixture(scope="module")
def csv_model(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("m")
    data = _table(d / "train.csv")
    argv = ["train", "--model", "mlp", "--dataset", str(data), "--target", "label"]
    assert main([*argv, "--epochs", "2", "--output", str(d / "o"), "--no-progress"]) == 0
    return d / "o" / "model.safetensors"


# ---- a model file never chooses which local file is read ----------------------------------
def _naming(model: Path, dataset: str, out: Path) -> Path:
    net, meta = io.load(model, with_metadata=True)
    meta["dataset"] = dataset
    meta["run"]["target"] = "x"
    io.save(net, out, metadata=meta)
    return out


@pytest.mark.parametrize("form", ["absolute", "relative", "idx-pair"])
def test_evaluate_never_opens_a_file_the_model_names(
    tmp_path: Path, capsys, monkeypatch, csv_model: Path, form: str
) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text(f"{SECRET},abc\n1,2\n")
    monkeypatch.chdir(tmp_path)
    name = {"absolute": str(secret), "relative": "secret.csv", "idx-pair": "secret.csv,x.idx"}
    evil = _naming(csv_model, name[form], tmp_path / "shared.safetensors")
    opened: list[str] = []

    def spy(real):
        def wrapper(file, *args, **kwargs):
            if isinstance(file, (str, os.PathLike)):
                opened.append(os.path.realpath(file))
            return real(file, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(builtins, "open", spy(builtins.open))
    monkeypatch.setattr(_io, "open", spy(_io.open))
    monkeypatch.setattr(os, "open", spy(os.open))
    rc, out, err = _run(capsys, "evaluate", str(evil))
    monkeypatch.undo()
    assert rc == 1 and out == ""
    shown = repr(name[form])
    assert _only_error(err, "evaluate") == (
        f"'{evil}' was trained on a file ({shown}), not on a bundled dataset; nabla evaluate "
        f"reads only the data you name: pass it with --dataset (and --target for a CSV file)"
    )
    assert os.path.realpath(secret) not in opened
    assert os.path.realpath(evil) in opened  # the spy saw the files that were opened
    assert SECRET not in out + err


def test_evaluate_target_without_dataset_is_refused(capsys, csv_model: Path) -> None:
    rc, out, err = _run(capsys, "evaluate", str(csv_model), "--target", "label")
    assert rc == 1 and out == ""
    assert _only_error(err, "evaluate") == (
        "--target names a column of the --dataset CSV file; give --dataset"
    )


def test_errors_on_a_file_the_user_names_do_not_echo_its_cells(
    tmp_path: Path, capsys, csv_model: Path
) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text(f"{SECRET},abc\n1,2\n")
    rc, out, err = _run(
        capsys, "evaluate", str(csv_model), "--dataset", str(secret), "--target", "x"
    )
    assert rc == 1 and out == "" and SECRET not in err
    assert re.fullmatch(r"load_csv: '.*secret\.csv' has no target column 'x' in its header row "
                        r"\(2 columns\)", _only_error(err, "evaluate"))  # fmt: skip
    bad = tmp_path / "rows.csv"
    bad.write_text(f"a,b,label\n1,2,yes\n{SECRET},3,no\n")
    rc, out, err = _run(capsys, "predict", str(csv_model), "--input", str(bad))
    assert rc == 1 and out == "" and SECRET not in err
    assert _only_error(err, "predict").endswith(
        "line 3, column 'a': a non-numeric value; every feature must be a finite number"
    )


# ---- labels, classes and values of data files ---------------------------------------------
@pytest.mark.parametrize(
    ("labels", "bad"),
    [(np.array([0, 1, 2**31 - 1, 1], np.int32), 2**31 - 1), (np.array([0, 1, 0, 9], np.uint8), 9)],
)
def test_train_refuses_labels_that_would_size_the_network(
    tmp_path: Path, capsys, labels, bad
) -> None:
    imgs, lab = tmp_path / "i.idx", tmp_path / "l.idx"
    imgs.write_bytes(_idx(np.zeros((4, 8, 8), np.uint8)))
    lab.write_bytes(_idx(labels))
    d = tmp_path / "o"
    rc, out, err = _run(capsys, "train", "--dataset", f"{imgs},{lab}", "--output", str(d))
    assert rc == 1 and out == ""
    assert _only_error(err, "train") == (
        f"load_idx_pair: labels '{lab}' hold {bad} (label {list(labels).index(bad)}); class "
        f"labels must be integers in 0..k-1 with k at most the number of samples (4)"
    )
    assert not d.exists()


def test_train_refuses_nan_images_naming_the_file(tmp_path: Path, capsys) -> None:
    images = np.zeros((6, 4, 4), np.float32)
    images[3, 0, 0] = np.nan
    imgs, lab = tmp_path / "i.idx", tmp_path / "l.idx"
    imgs.write_bytes(_idx(images))
    lab.write_bytes(_idx(np.array([0, 1] * 3, np.uint8)))
    rc, _, err = _run(
        capsys, "train", "--dataset", f"{imgs},{lab}", "--output", str(tmp_path / "o")
    )
    assert rc == 1
    assert _only_error(err, "train").startswith(f"load_idx_pair: images '{imgs}' hold NaN")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,y,y\n1,0,0\n2,1,1\n", r"has duplicate column names \['y'\]; every column needs"),
        ("a,y\n1,0\n1e39,1\n2,0\n3,1\n", r"line 3, column 'a': the value is beyond the range of"),
        ("a,y\n1,no\n2,no\n3,no\n4,no\n5,no\n", r"has a single class: classification needs at"),
    ],
)
def test_train_refuses_bad_csv_before_any_output(tmp_path: Path, capsys, content, message) -> None:
    p = tmp_path / "d.csv"
    p.write_text(content)
    d = tmp_path / "o"
    argv = ["train", "--model", "mlp", "--dataset", str(p), "--target", "y"]
    rc, out, err = _run(capsys, *argv, "--output", str(d))
    assert rc == 1 and out == "" and re.search(message, _only_error(err, "train"))
    assert not d.exists() and p.read_text() == content


def test_a_bom_csv_trains_and_predicts_by_column_name(tmp_path: Path, capsys) -> None:
    data = _table(tmp_path / "bom.csv", bom=True)
    d = tmp_path / "o"
    argv = ["train", "--model", "mlp", "--dataset", str(data), "--target", "label"]
    rc, _, err = _run(capsys, *argv, "--epochs", "2", "--output", str(d), "--no-progress")
    assert rc == 0, err
    assert io.load(d / "model.safetensors", with_metadata=True)[1]["feature_names"] == ["a", "b"]
    rc, out, err = _run(capsys, "predict", str(d / "model.safetensors"), "--input", str(data))
    assert rc == 0, err
    assert len(list(csv.reader(_io.StringIO(out)))) == 61


# ---- numbers on the command line ----------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lr", "inf"], "--lr must be a finite number > 0, got inf"),
        (["--lr", "nan"], "--lr must be a finite number > 0, got nan"),
        (["--lr", "0"], "--lr must be a finite number > 0, got 0.0"),
        (["--seed", str(2**70)], f"--seed must be an integer in {SEEDS}, got {2**70}"),
        (["--seed", "-1"], f"--seed must be an integer in {SEEDS}, got -1"),
        (["--test-size", "nan"], "--test-size must be in (0, 1), got nan"),
        (["--batch-size", "0"], "--batch-size must be >= 1, got 0"),
        (["--dataset", "iris", "--target", "y"], "load_dataset: --target applies to CSV files, "
         "not to 'iris'"),
    ],
)  # fmt: skip
def test_train_options_are_checked_first(tmp_path: Path, capsys, argv, message) -> None:
    d = tmp_path / "o"
    rc, out, err = _run(capsys, "train", "--model", "mlp", *argv, "--output", str(d))
    assert rc == 1 and out == ""
    assert _only_error(err, "train") == message
    assert not d.exists()


def test_a_diverging_run_ends_in_one_line_without_numpy_warnings(tmp_path: Path, capsys) -> None:
    d = tmp_path / "o"
    argv = ["train", "--model", "mlp", "--dataset", "iris", "--lr", "1e30", "--epochs", "3"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning that escaped would fail here
        rc, out, err = _run(capsys, *argv, "--output", str(d), "--no-progress")
    assert rc == 1 and out == ""
    line = _only_error(err, "train")
    assert re.match(
        r"Trainer\.fit: (the training loss became (nan|inf) at epoch \d+, batch \d+|the "
        r"model's '.*' became NaN or infinite in epoch \d+).* Lower the learning rate",
        line,
    ), line
    assert not (d / "model.safetensors").exists() and not (d / "history.json").exists()


def test_warnings_of_a_successful_command_are_one_line_each(
    capsys, monkeypatch, iris_model: Path
) -> None:
    import nabla.cli.train as train_cli

    real = train_cli.describe_result

    def noisy(*args, **kwargs):
        warnings.warn("first line\n   second line", UserWarning, stacklevel=1)
        warnings.warn("first line\n   second line", UserWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(train_cli, "describe_result", noisy)
    rc, out, err = _run(capsys, "evaluate", str(iris_model))
    assert rc == 0 and "test accuracy" in out
    assert err == "nabla evaluate: warning: first line second line\n"


def test_read_only_outputs_are_refused_before_the_work(
    tmp_path: Path, capsys, monkeypatch, iris_model: Path
) -> None:
    from nabla.train import Trainer

    d = tmp_path / "o"
    d.mkdir()
    kept = d / "model.safetensors"
    kept.write_bytes(b"a model the user keeps")
    kept.chmod(0o444)

    def never(*args, **kwargs):
        raise AssertionError("trained before checking the outputs")

    monkeypatch.setattr(Trainer, "fit", never)
    rc, out, err = _run(capsys, "train", "--model", "mlp", "--dataset", "iris", "--output", str(d))
    assert rc == 1 and out == ""
    assert re.fullmatch(r"--output: '.*model\.safetensors' is read-only \(-r--r--r--\); make it "
                        r"writable or choose another path", _only_error(err, "train"))  # fmt: skip
    assert _files(d) == {"model.safetensors": b"a model the user keeps"}
    target = tmp_path / "pred.csv"
    target.write_text("old")
    target.chmod(0o444)
    rc, out, err = _run(
        capsys, "predict", str(iris_model), "--input", str(kept), "--output", str(target)
    )
    assert rc == 1 and "is read-only" in _only_error(err, "predict")
    assert target.read_text() == "old"


def test_predict_refuses_a_model_with_non_finite_outputs(
    tmp_path: Path, capsys, iris_model: Path
) -> None:
    net, meta = io.load(iris_model, with_metadata=True)
    state = {k: v.data.copy() for k, v in net.state_dict().items()}
    first = next(iter(state))
    state[first][...] = np.inf
    net.load_state_dict(state)
    broken = io.save(net, tmp_path / "broken.safetensors", metadata=meta)
    rows = tmp_path / "in.csv"
    rows.write_text("a,b,c,d\n1,2,3,4\n")
    for argv in (["predict", str(broken), "--input", str(rows)], ["evaluate", str(broken)]):
        rc, out, err = _run(capsys, *argv)
        assert rc == 1 and out == ""
        assert _only_error(err, argv[0]) == (
            f"the model '{broken}' gives NaN or infinite outputs on this data; its weights are "
            f"damaged or diverged"
        )


# ---- resume -------------------------------------------------------------------------------
RESUMABLE = ["train", "--model", "mlp", "--dataset", "iris", "--epochs", "3", "--batch-size", "64"]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("full") / "o"
    assert main([*RESUMABLE, "--output", str(d), "--no-progress"]) == 0
    return d


def _interrupted(d: Path, monkeypatch, capsys, progress: bool) -> None:
    from nabla.train.trainer import Trainer

    real = Trainer._step
    calls = {"n": 0}

    def step(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 2 + 1:  # 2 batches per epoch: Ctrl-C at the first batch of epoch 2
            raise KeyboardInterrupt
        return real(self, *a, **k)

    monkeypatch.setattr(Trainer, "_step", step)
    flags = [] if progress else ["--no-progress"]
    rc, _, err = _run(capsys, *RESUMABLE, "--output", str(d), *flags)
    monkeypatch.setattr(Trainer, "_step", real)
    assert rc == 130 and "the checkpoint of epoch 1 is in" in err


@pytest.mark.parametrize("first", ["progress", "no-progress"])
def test_resume_with_the_other_progress_flag(
    tmp_path: Path, capsys, monkeypatch, uninterrupted: Path, first: str
) -> None:
    d = tmp_path / "o"
    _interrupted(d, monkeypatch, capsys, progress=first == "progress")
    flags = ["--no-progress"] if first == "progress" else []
    rc, _, err = _run(capsys, "train", "--resume", "--output", str(d), *flags)
    assert rc == 0, err
    if flags:
        assert err == ""
    else:
        assert err.splitlines()[0].startswith("nabla train: mlp on iris (112 training")
        assert re.search(r"^epoch 3/3 ", err, re.M) and "epoch 1/3" not in err
    a, b = (
        io.load_state_dict(uninterrupted / "model.safetensors"),
        io.load_state_dict(d / "model.safetensors"),
    )
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    full = json.loads((uninterrupted / "history.json").read_text())
    resumed = json.loads((d / "history.json").read_text())
    assert full["val_loss"] == resumed["val_loss"] and full["loss"] == resumed["loss"]


def _rewrite_checkpoint(path: Path, corrupt) -> None:
    c = io.load_checkpoint(path)
    tree = {
        "epoch": c.epoch,
        "model_spec": c.model_spec,
        "model_state": c.model_state,
        "optimizer_class": c.optimizer_class,
        "optimizer_state": c.optimizer_state,
        "scheduler_class": c.scheduler_class,
        "scheduler_state": c.scheduler_state,
        "history": c.history,
        "rng_state": c.rng_state,
        "extra": c.extra,
    }
    corrupt(tree)
    arrays: dict[str, np.ndarray] = {}
    write_file(path, "checkpoint", encode_tree(tree, arrays), arrays, "test")


def _bad_rng(tree: dict) -> None:
    tree["rng_state"]["nn.init"]["state"] = "garbage"


def _bad_lr(tree: dict) -> None:
    tree["extra"]["hparams"]["lr"] = float("inf")


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (_bad_rng, r"Trainer\.fit: the checkpoint '.*' has an invalid rng_state\['nn\.init'\]: "),
        (_bad_lr, r"--resume: '.*' holds invalid settings: --lr must be a finite number > 0"),
    ],
)
def test_a_bad_checkpoint_fails_resume_before_anything_is_printed_or_written(
    tmp_path: Path, capsys, monkeypatch, corrupt, message
) -> None:
    d = tmp_path / "o"
    _interrupted(d, monkeypatch, capsys, progress=False)
    _rewrite_checkpoint(d / "checkpoint.safetensors", corrupt)
    before = _files(d)
    rc, out, err = _run(capsys, "train", "--resume", "--output", str(d))  # progress on
    assert rc == 1 and out == ""
    assert re.match(message, _only_error(err, "train"))  # no progress line before it
    assert _files(d) == before
