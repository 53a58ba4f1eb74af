"""`nabla bootstrap`, run in-process through nabla.cli.main."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from nabla.cli import main


def _check_png(path: Path) -> tuple[int, int]:
    """Walk the PNG chunks, checking every CRC; return (width, height)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, kinds, size = 8, [], (0, 0)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in chunk {kind!r}"
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        kinds.append(kind)
        pos += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    return size


def _seed_000_by_hand(seed: int, B: int) -> tuple[float, float, float]:
    """The command's experiment without nabla's estimators: scikit-learn's kernel ridge
    refitted on the documented resamples (child b of SeedSequence(seed).spawn(B)), the
    5th and 95th percentiles on 200 grid points, compared with sin(2 pi x)."""
    from sklearn.kernel_ridge import KernelRidge

    from nabla.datasets import make_sine

    X, y = make_sine(100, noise=0.3, random_state=seed)
    grid = np.linspace(X.min(), X.max(), 200)[:, None]
    model = KernelRidge(alpha=0.01, kernel="rbf", gamma=1 / (2 * 0.1**2))  # sigma = 0.1
    boot = []
    for child in np.random.SeedSequence(seed).spawn(B):
        rows = np.random.default_rng(child).integers(0, len(y), size=len(y))
        boot.append(model.fit(X[rows], y[rows]).predict(grid))
    low, high = np.percentile(np.stack(boot), [5, 95], axis=0)
    truth = np.sin(2 * np.pi * grid[:, 0])
    width = high - low
    return float(np.mean((low <= truth) & (truth <= high))), width.mean(), width.max()


def test_builtin_experiment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "band.png"
    rc = main(["bootstrap", "--n-bootstrap", "60", "--seed", "3", "--output", str(out)])
    captured = capsys.readouterr()
    assert rc == 0
    lines = captured.out.splitlines()
    assert lines[0] == "data: built-in noisy sine (n=100, noise=0.3, seed=3)"
    assert "60 bootstrap refits; 90% percentile interval" in lines[1]
    coverage = re.search(r"coverage: ([0-9.]+) of the true function on 200 grid", captured.out)
    width = re.search(r"band width: mean ([0-9.]+), max ([0-9.]+)", captured.out)
    expected_coverage, expected_mean, expected_max = _seed_000_by_hand(seed=3, B=60)
    assert coverage[1] == f"{expected_coverage:.3f}"
    assert abs(float(width[1]) - expected_mean) <= 5e-5 + 1e-9
    assert abs(float(width[2]) - expected_max) <= 5e-5 + 1e-9
    assert lines[-1] == f"figure: {out.resolve()}"
    width_px, height_px = _check_png(out)
    assert width_px > 100 and height_px > 100
    assert "60 refits" in captured.err  # progress goes to stderr


def test_same_seed_same_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["bootstrap", "--n-bootstrap", "30", "--method", "basic", "--seed", "1"]
    main([*args, "--output", str(tmp_path / "a.png")])
    first = capsys.readouterr().out.splitlines()[:-1]
    main([*args, "--output", str(tmp_path / "b.png")])
    assert capsys.readouterr().out.splitlines()[:-1] == first


def test_user_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 40)
    csv = tmp_path / "data.csv"
    rows = "\n".join(f"{a:.6f},{np.cos(a) + 0.1 * rng.normal():.6f},7" for a in x)
    csv.write_text("hours,score,other\n" + rows + "\n")
    out = tmp_path / "csv.png"
    rc = main(
        ["bootstrap", "--csv", str(csv), "--target", "score", "--feature", "hours",
         "--n-bootstrap", "20", "--output", str(out)]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "coverage: unknown (no true function for CSV data)" in captured.out
    assert "x='hours', y='score'" in captured.out
    _check_png(out)


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (None, [], r"load_csv: no such file: '.*missing\.csv'$"),
        ("x,y\n1,2\n3,oops\n", [], r"the target 'y' of '.*missing\.csv' must hold numbers$"),
        ("x,y\n1,2\noops,3\n", [], r"line 3, column 'x': a non-numeric value; every"),
        ("x,y\n1,2\n", ["--target", "z"], r"has no target column 'z' in its header row \(2 col"),
        ("a,b,y\n1,2,3\n4,5,6\n", [], r"has 2 columns besides 'y'; choose the x column with"),
        ("x,y,y\n1,2,3\n4,5,6\n", [], r"has duplicate column names \['y'\]; every column"),
        ("x,y\n1,1e400\n4,5\n", [], r"line 2: the target 'y' is not a finite number"),
        ("x,y\n1,2\n", [], r"has 1 data rows; the bootstrap needs at least 2"),
    ],
)
def test_bad_csv_gives_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content, extra, message
) -> None:
    csv = tmp_path / "missing.csv"
    if content is not None:
        csv.write_text(content)
    out = tmp_path / "never.png"
    args = ["bootstrap", "--csv", str(csv), "--target", "y", *extra, "--output", str(out)]
    rc = main(args)
    captured = capsys.readouterr()
    assert rc == 1
    assert captured.out == ""
    err_lines = captured.err.strip().splitlines()
    assert len(err_lines) == 1
    assert err_lines[0].startswith("nabla bootstrap: error: ")
    assert re.search(message, err_lines[0])
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--confidence", "1.5"], r"--confidence must be in \(0, 1\), got 1\.5$"),
        (["--confidence", "nan"], r"--confidence must be in \(0, 1\), got nan$"),
        (["--n-bootstrap", "0"], r"--n-bootstrap must be an integer in 1\.\.50000000, got 0$"),
        (["--csv", "data.csv"], r"--csv needs --target"),
        (["--grid", "1"], r"--grid must be an integer in 2\.\.100000, got 1$"),
        (["--grid", "1000000000"], r"--grid must be an integer in 2\.\.100000, got 1000000000$"),
        (["--sigma", "-1"], r"--sigma must be a finite number > 0, got -1\.0$"),
        (["--sigma", "inf"], r"--sigma must be a finite number > 0, got inf$"),
        (["--alpha", "nan"], r"--alpha must be a finite number >= 0, got nan$"),
        (["--alpha", "-1"], r"--alpha must be a finite number >= 0, got -1\.0$"),
        (["--noise", "inf"], r"--noise must be a finite number >= 0, got inf$"),
        (["--n-samples", "1"], r"--n-samples must be an integer in 2\.\.10000, got 1$"),
        (["--n-samples", "10000000"], r"--n-samples must be an integer in 2\.\.10000, got"),
        (["--seed", str(2**70)], rf"--seed must be an integer in 0\.\.4294967295 .*{2**70}$"),
        (["--seed", "-1"], r"--seed must be an integer in 0\.\.4294967295 .*got -1$"),
        (["--n-jobs", "0"], r"--n-jobs must be a positive number of workers"),
        (["--n-bootstrap", "10000000"], r"--n-bootstrap 10000000 with 100 points .* lower"),
    ],
)
def test_bad_options(tmp_path, capsys, args, message) -> None:
    """Every option is checked before anything is printed (no progress line) or written."""
    out = tmp_path / "never.png"
    assert main(["bootstrap", *args, "--output", str(out)]) == 1
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert captured.out == "" and len(err) == 1, captured.err
    assert err[0].startswith("nabla bootstrap: error: ") and re.search(message, err[0]), err
    assert not out.exists()


@pytest.mark.parametrize("name", ["dir", "band.txt", "readonly.png"])
def test_bad_output_is_refused_before_the_work(tmp_path, capsys, monkeypatch, name) -> None:
    import nabla.model_selection

    def never(*args, **kwargs):
        raise AssertionError("the bootstrap ran before the output was checked")

    monkeypatch.setattr(nabla.model_selection.BootstrapCI, "fit", never)
    out = tmp_path / name
    if name == "dir":
        out.mkdir()
    elif name == "readonly.png":
        out.write_bytes(b"previous figure")
        out.chmod(0o444)
    rc = main(["bootstrap", "--n-bootstrap", "5", "--output", str(out)])
    captured = capsys.readouterr()
    assert rc == 1 and captured.out == ""
    line = captured.err.strip()
    assert len(captured.err.splitlines()) == 1 and line.startswith(
        "nabla bootstrap: error: --output"
    )
    assert re.search(r"is a directory|cannot write a \.txt figure|is read-only", line)
    if name == "readonly.png":
        assert out.read_bytes() == b"previous figure"
    elif name == "band.txt":
        assert not out.exists()


def test_output_directory_must_exist(tmp_path: Path, capsys) -> None:
    assert main(["bootstrap", "--output", str(tmp_path / "no" / "band.png")]) == 1
    assert "no directory" in capsys.readouterr().err


def test_help_lists_the_command(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["bootstrap", "--help"])
    assert "--n-bootstrap" in capsys.readouterr().out
