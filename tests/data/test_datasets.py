"""Dataset loaders: scikit-learn's bundled data, IDX files and CSV tables, good and bad."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from nabla.data import (
    load_breast_cancer,
    load_csv,
    load_diabetes,
    load_digits,
    load_idx,
    load_idx_pair,
    load_iris,
    load_wine,
)
from nabla.data.catalog import load_dataset


# ---- bundled ---------------------------------------------------------------------------------
def test_digits_against_scikit_learn() -> None:
    sk = pytest.importorskip("sklearn.datasets", reason="scikit-learn is the oracle")
    ref = sk.load_digits()
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    np.testing.assert_allclose(X, ref.data / 16.0, rtol=1e-6)
    np.testing.assert_array_equal(y, ref.target)
    Xi, _ = load_digits(images=True)
    np.testing.assert_array_equal(Xi[:, 0], X.reshape(-1, 8, 8))
    assert 0.0 <= X.min() and X.max() == 1.0


@pytest.mark.parametrize(
    ("loader", "shape", "kind"),
    [
        (load_iris, (150, 4), "i"),
        (load_wine, (178, 13), "i"),
        (load_breast_cancer, (569, 30), "i"),
        (load_diabetes, (442, 10), "f"),
    ],
)
def test_other_bundled(loader, shape, kind) -> None:
    X, y = loader()
    assert X.shape == shape and X.dtype == np.float32
    assert len(y) == shape[0] and y.dtype.kind == kind


# ---- IDX -------------------------------------------------------------------------------------
def _idx_bytes(arr: np.ndarray) -> bytes:
    code = {
        np.uint8: 0x08,
        np.int8: 0x09,
        np.int16: 0x0B,
        np.int32: 0x0C,
        np.float32: 0x0D,
        np.float64: 0x0E,
    }[arr.dtype.type]
    head = bytes([0, 0, code, arr.ndim]) + b"".join(struct.pack(">I", d) for d in arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def _write(path: Path, data: bytes) -> Path:
    if path.suffix == ".gz":
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("suffix", [".idx", ".idx.gz"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.float32, np.float64])
def test_idx_round_trip(tmp_path: Path, suffix: str, dtype) -> None:
    arr = (
        (np.arange(60).reshape(3, 4, 5) - 7).astype(dtype)
        if dtype != np.uint8
        else (np.arange(60, dtype=np.uint8).reshape(3, 4, 5))
    )
    out = load_idx(_write(tmp_path / f"a{suffix}", _idx_bytes(arr)))
    np.testing.assert_array_equal(out, arr)
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative


def test_idx_pair(tmp_path: Path) -> None:
    imgs = np.random.default_rng(0).integers(0, 256, size=(7, 4, 3), dtype=np.uint8)
    labels = np.arange(7, dtype=np.uint8) % 3
    X, y = load_idx_pair(
        _write(tmp_path / "i.idx.gz", _idx_bytes(imgs)),
        _write(tmp_path / "l.idx", _idx_bytes(labels)),
    )
    assert X.shape == (7, 1, 4, 3) and X.dtype == np.float32
    np.testing.assert_allclose(X[:, 0], imgs / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)
    assert y.dtype == np.int64


def _unchanged(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before


@pytest.mark.parametrize("suffix", [".idx", ".idx.gz"])
def test_idx_truncated(tmp_path: Path, suffix: str) -> None:
    data = _idx_bytes(np.zeros((10, 5, 5), np.uint8))
    p = tmp_path / f"t{suffix}"
    raw = data[:-30]
    p.write_bytes(gzip.compress(raw) if suffix == ".gz" else raw)
    before = p.read_bytes()
    with pytest.raises(ValueError, match="truncated"):
        load_idx(p)
    _unchanged(p, before)


def test_idx_truncated_gzip_stream(tmp_path: Path) -> None:
    p = tmp_path / "t.idx.gz"
    p.write_bytes(gzip.compress(_idx_bytes(np.arange(5000, dtype=np.int32)))[:-40])
    with pytest.raises(ValueError, match=r"t\.idx\.gz"):
        load_idx(p)


def test_idx_too_long_and_header_truncated(tmp_path: Path) -> None:
    p = _write(tmp_path / "long.idx", _idx_bytes(np.zeros(4, np.uint8)) + b"xx")
    with pytest.raises(ValueError, match="too long"):
        load_idx(p)
    p = _write(tmp_path / "head.idx", bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(ValueError, match="the header needs 16 bytes"):
        load_idx(p)


@pytest.mark.parametrize(
    ("head", "match"),
    [
        (b"\x12\x34\x08\x01", r"wrong magic number \(expected 0x0000TTNN"),
        (b"\x1f\x8b\x08\x00", "it is gzip-compressed: name it"),
        (b"\x00\x00\x07\x01", "wrong magic number"),
        (b"PK\x03\x04", "wrong magic number"),
        (b"\x00\x00\x08\x00", "declares 0 dimensions"),
    ],
)
def test_idx_wrong_magic(tmp_path: Path, head: bytes, match: str) -> None:
    p = _write(tmp_path / "bad.idx", head + b"\x00" * 12)
    with pytest.raises(ValueError, match=match) as info:
        load_idx(p)
    assert head.hex() not in str(info.value)  # the file's bytes are not echoed


@pytest.mark.parametrize("suffix", [".idx", ".idx.gz"])
def test_idx_absurd_header_refused_before_allocating(tmp_path: Path, suffix: str) -> None:
    # claims 2^32-1 x 2^32-1 x 2^32-1 float64: ~6e29 bytes; must fail on the size check, fast
    head = bytes([0, 0, 0x0E, 3]) + struct.pack(">III", 2**32 - 1, 2**32 - 1, 2**32 - 1)
    p = _write(tmp_path / f"huge{suffix}", head + b"\x00" * 64)
    with pytest.raises(ValueError, match=r"claims shape \(4294967295, 4294967295, 4294967295\)"):
        load_idx(p)


def test_idx_label_image_count_mismatch(tmp_path: Path) -> None:
    imgs = _write(tmp_path / "i.idx", _idx_bytes(np.zeros((6, 2, 2), np.uint8)))
    labels = _write(tmp_path / "l.idx", _idx_bytes(np.zeros(5, np.uint8)))
    with pytest.raises(ValueError, match=r"has 6 images but .* has 5 labels"):
        load_idx_pair(imgs, labels)


def test_idx_pair_shape_checks(tmp_path: Path) -> None:
    flat = _write(tmp_path / "flat.idx", _idx_bytes(np.zeros(6, np.uint8)))
    labels = _write(tmp_path / "l.idx", _idx_bytes(np.zeros(6, np.uint8)))
    with pytest.raises(ValueError, match=r"must have shape \(n, h, w\)"):
        load_idx_pair(flat, labels)
    floats = _write(tmp_path / "f.idx", _idx_bytes(np.zeros(6, np.float32)))
    imgs = _write(tmp_path / "i.idx", _idx_bytes(np.zeros((6, 2, 2), np.uint8)))
    with pytest.raises(ValueError, match="1-d integer array"):
        load_idx_pair(imgs, floats)


# ---- files that are not there or not files ---------------------------------------------------
@pytest.mark.parametrize("reader", [load_idx, lambda p: load_csv(p, "y")])
def test_missing_directory_empty(tmp_path: Path, reader) -> None:
    with pytest.raises(FileNotFoundError, match=r"no such file: '.*nope'"):
        reader(tmp_path / "nope")
    with pytest.raises(IsADirectoryError, match="is a directory, not a file"):
        reader(tmp_path)
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="is empty"):
        reader(empty)
    assert empty.read_bytes() == b""


# ---- CSV -------------------------------------------------------------------------------------
def test_csv_numeric_and_text_targets(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("a, b ,y\n1,2,0.5\n\n3,4.5,-1\n")
    table = load_csv(p, "y")
    np.testing.assert_array_equal(table.X, [[1, 2], [3, 4.5]])
    np.testing.assert_array_equal(table.y, [0.5, -1])
    assert table.feature_names == ["a", "b"] and table.classes is None
    p.write_text("x,species\n1,setosa\n2,virginica\n3,setosa\n")
    table = load_csv(p, "species")
    assert table.classes == ["setosa", "virginica"]
    np.testing.assert_array_equal(table.y, [0, 1, 0])


def test_csv_without_target_keeps_all_columns(tmp_path: Path) -> None:
    p = tmp_path / "f.csv"
    p.write_text("a,b\n1,2\n3,4\n")
    table = load_csv(p)
    assert table.y is None and table.X.shape == (2, 2)


@pytest.mark.parametrize(
    ("text", "target", "match"),
    [
        ("a,b\n1,2\n", "y", r"has no target column 'y' in its header row \(2 columns\)$"),
        ("a,y\n1,2\nabc,3\n", "y", r"line 3, column 'a': a non-numeric value; every"),
        ("a,y\n1,2\n,3\n", "y", r"line 3, column 'a': an empty cell"),
        ("a,y\n1,2\ninf,3\n", "y", r"line 3, column 'a': the value is not finite \(inf or"),
        ("a,y\n1,2\n3\n", "y", "line 3 has 1 fields but the header has 2"),
        ("a,y\n", "y", "no data rows"),
        ("y\n1\n", "y", "no feature columns"),
        ("a,y\n1,\n", "y", "line 2: the target 'y' is empty"),
        ("a,y\n1,nan\n2,3\n", "y", "line 2: the target 'y' is not a finite number in the"),
    ],
)
def test_csv_bad_content(tmp_path: Path, text: str, target: str, match: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(ValueError, match=match):
        load_csv(p, target)
    assert p.read_text() == text


# ---- the catalogue used by the command line --------------------------------------------------
def test_load_dataset_names_and_files(tmp_path: Path) -> None:
    ds = load_dataset("digits")
    assert ds.images and ds.X.shape == (1797, 1, 8, 8) and ds.input_scale == 1 / 16
    assert load_dataset("diabetes").task == "regression"
    p = tmp_path / "d.csv"
    p.write_text("a,label\n" + "".join(f"{i},{5 + 2 * (i % 2)}\n" for i in range(20)))
    ds = load_dataset(str(p), "label")
    assert ds.task == "classification" and ds.classes == ["5", "7"]
    np.testing.assert_array_equal(ds.y[:4], [0, 1, 0, 1])
    p.write_text("a,v\n" + "".join(f"{i},{i * 0.37}\n" for i in range(20)))
    assert load_dataset(str(p), "v").task == "regression"


@pytest.mark.parametrize(
    ("spec", "target", "exc", "match"),
    [
        ("mnist", None, ValueError, "unknown dataset 'mnist'"),
        ("digits", "y", ValueError, "--target applies to CSV files"),
        ("a.idx,", None, ValueError, "two paths"),
        ("missing.csv", "y", FileNotFoundError, "no such file"),
        ("data.csv", None, ValueError, r"needs a target column \(--target\)"),
    ],
)
def test_load_dataset_errors(spec, target, exc, match) -> None:
    with pytest.raises(exc, match=match):
        load_dataset(spec, target)


def test_idx_gz_suffix_on_a_plain_file(tmp_path: Path) -> None:
    p = tmp_path / "plain.idx.gz"
    p.write_bytes(_idx_bytes(np.zeros(4, np.uint8)))
    with pytest.raises(ValueError, match=r"'.*plain\.idx\.gz' is not a valid gzip/IDX file"):
        load_idx(p)
