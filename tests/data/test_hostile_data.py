"""Hostile and careless data files: label values that would size the network, a BOM,
duplicate columns, values beyond float32, a single class, NaN images. Each is refused at
load with a message naming the file and the bad value (and never echoing other cells), or
read correctly; nothing is allocated by the size a file claims."""

from __future__ import annotations

import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from nabla.data import load_csv, load_idx_pair
from nabla.data.catalog import load_dataset, prepare_data


def _idx(arr: np.ndarray) -> bytes:
    code = {np.uint8: 0x08, np.int8: 0x09, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}
    head = bytes([0, 0, code[arr.dtype.type], arr.ndim])
    head += b"".join(struct.pack(">I", d) for d in arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def _pair(tmp_path: Path, images: np.ndarray, labels: np.ndarray) -> tuple[Path, Path]:
    i, lab = tmp_path / "images.idx", tmp_path / "labels.idx"
    i.write_bytes(_idx(images))
    lab.write_bytes(_idx(labels))
    return i, lab


# ---- item: label values drive allocation -----------------------------------------------
@pytest.mark.parametrize(
    ("labels", "bad", "index"),
    [
        (np.array([0, 1, 2**31 - 1, 1, 0, 1], np.int32), 2**31 - 1, 2),
        (np.array([0, 1, 200_000_000, 1, 0, 1], np.int32), 200_000_000, 2),
        (np.array([0, 1, 1, -1, 0, 1], np.int8), -1, 3),
        (np.array([0, 1, 2, 3, 4, 6], np.uint8), 6, 5),  # k = 7 > 6 samples
    ],
)
def test_idx_labels_outside_0_to_n_minus_1_are_refused_before_allocating(
    tmp_path: Path, labels: np.ndarray, bad: int, index: int
) -> None:
    imgs, lab = _pair(tmp_path, np.zeros((6, 4, 4), np.uint8), labels)
    before = lab.read_bytes()
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            prepare_data(f"{imgs},{lab}", None, test_size=0.25, seed=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    msg = str(info.value)
    assert msg == (
        f"load_idx_pair: labels '{lab}' hold {bad} (label {index}); class labels must be "
        f"integers in 0..k-1 with k at most the number of samples (6)"
    )
    assert peak < 5 * 2**20  # nothing sized by the label (2**31 - 1 int64s would be 16 GiB)
    assert lab.read_bytes() == before


def test_idx_labels_up_to_n_minus_1_are_accepted(tmp_path: Path) -> None:
    labels = np.array([5, 0, 1, 5, 0, 1], np.uint8)  # k = 6: classes 2..4 are absent
    imgs, lab = _pair(tmp_path, np.zeros((6, 2, 2), np.uint8), labels)
    _, y = load_idx_pair(imgs, lab)
    np.testing.assert_array_equal(y, labels.astype(np.int64))


def test_output_count_includes_labels_only_in_the_test_part(tmp_path: Path) -> None:
    # class 3 has one sample: scikit-learn's split cannot stratify, and the seed puts it
    # in the test part; the network still needs 4 outputs
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 3], np.uint8)
    imgs, lab = _pair(tmp_path, np.zeros((13, 2, 2), np.uint8), labels)
    for seed in range(20):
        data = prepare_data(f"{imgs},{lab}", None, test_size=0.25, seed=seed)
        if 3 in data.y_test and 3 not in data.y_train:
            break
    else:
        pytest.fail("no seed put class 3 in the test part only")
    assert data.n_outputs == 4


def test_csv_label_values_never_size_the_network(tmp_path: Path) -> None:
    """Numeric CSV labels are class names: k is the number of distinct values (<= n)."""
    p = tmp_path / "labels.csv"
    labels = [-1, 2**31 - 1, 200_000_000] * 10  # few distinct integers: classes
    p.write_text("a,y\n" + "".join(f"{i},{v}\n" for i, v in enumerate(labels)))
    data = prepare_data(str(p), "y", test_size=0.25, seed=0)
    assert data.n_outputs == 3 and data.classes == ["-1", "2e+08", "2.14748e+09"]
    y = np.concatenate([data.y_train, data.y_test])
    assert sorted(np.bincount(y).tolist()) == [10, 10, 10]


# ---- IDX images -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dtype", "value"),
    [(np.float32, np.nan), (np.float32, np.inf), (np.float64, -np.inf), (np.float64, 1e300)],
)
def test_idx_float_images_must_be_finite_in_float32(tmp_path: Path, dtype, value) -> None:
    images = np.zeros((4, 3, 3), dtype)
    images[2, 1, 1] = value
    imgs, lab = _pair(tmp_path, images, np.array([0, 1, 0, 1], np.uint8))
    with pytest.raises(ValueError) as info:
        load_idx_pair(imgs, lab)
    assert str(info.value) == (
        f"load_idx_pair: images '{imgs}' hold NaN, infinite or out-of-float32-range values "
        f"(first in image 2); every pixel must be a finite number"
    )


# ---- CSV ----------------------------------------------------------------------------------
def test_csv_utf8_bom_is_not_part_of_the_first_name(tmp_path: Path) -> None:
    p = tmp_path / "bom.csv"
    p.write_bytes("\ufeffa,b,y\n1,2,0\n3,4,1\n".encode())
    table = load_csv(p, "y")
    assert table.feature_names == ["a", "b"]
    table = load_csv(p, "y", columns=["a"])  # found by its plain name
    np.testing.assert_array_equal(table.X, [[1], [3]])
    p.write_bytes("\ufeffy,a\n0,1\n1,2\n".encode())  # the target itself first
    assert load_csv(p, "y").feature_names == ["a"]


@pytest.mark.parametrize(
    ("header", "dups"), [("a,y,y", "['y']"), ("y,a,a,b,b", "['a', 'b']"), (" a ,a,y", "['a']")]
)
def test_csv_duplicate_column_names_are_refused(tmp_path: Path, header: str, dups: str) -> None:
    p = tmp_path / "dup.csv"
    text = header + "\n" + ",".join(["1"] * len(header.split(","))) + "\n"
    p.write_text(text)
    with pytest.raises(ValueError) as info:
        load_csv(p, "y")
    assert str(info.value) == (
        f"load_csv: '{p}' has duplicate column names {dups}; every column needs its own name"
    )
    assert p.read_text() == text


def test_csv_values_beyond_float32_are_refused_not_made_inf(tmp_path: Path) -> None:
    p = tmp_path / "big.csv"
    p.write_text("a,b,y\n1,2,0\n3,1e39,1\n")
    with pytest.raises(ValueError) as info:
        load_csv(p, "y")
    assert str(info.value) == (
        f"load_csv: '{p}' line 3, column 'b': the value is beyond the range of float32 "
        f"(|x| > 3.403e+38); rescale the column"
    )
    # the largest float32 is read as it is; in float64 1e39 is an ordinary number
    p.write_text("a,b,y\n1,-3.4028234e38,0\n3,1e39,1\n")
    np.testing.assert_array_equal(
        load_csv(p, "y", dtype=np.float64).X, [[1, -3.4028234e38], [3, 1e39]]
    )
    p.write_text("a,y\n1,0\n3,-1e39\n")  # a regression target the working dtype cannot hold
    with pytest.raises(ValueError, match=r"line 3: the target 'y' is not a finite number in"):
        load_csv(p, "y")


def test_csv_is_read_in_blocks_like_numpy(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    ref = rng.normal(size=(4096 * 2 + 7, 3))
    p = tmp_path / "long.csv"
    np.savetxt(p, ref, delimiter=",", header="a,b,y", comments="", fmt="%.17g")
    table = load_csv(p, "y", dtype=np.float64)
    np.testing.assert_array_equal(table.X, ref[:, :2])
    np.testing.assert_array_equal(table.y, ref[:, 2])
    bad = p.read_text().splitlines()
    bad[4096 + 5] = "1,x,2"  # in the second block: the line number still counts from the top
    p.write_text("\n".join(bad) + "\n")
    with pytest.raises(ValueError, match=rf"line {4096 + 6}, column 'b': a non-numeric value"):
        load_csv(p, "y")


@pytest.mark.parametrize(
    ("text", "target", "match"),
    [
        ("TOPSECRET,y\n1,2\n", "x", r"has no target column 'x' in its header row \(2 columns\)$"),
        ("a,y\n1,2\nTOPSECRET,3\n", "y", r"line 3, column 'a': a non-numeric value"),
        ("a,y\n1,TOPSECRET\n", "y", None),  # text targets are class names: read
    ],
)
def test_csv_errors_never_echo_cells(tmp_path: Path, text: str, target: str, match) -> None:
    p = tmp_path / "s.csv"
    p.write_text(text)
    if match is None:
        assert load_csv(p, target).classes == ["TOPSECRET"]
        return
    with pytest.raises(ValueError, match=match) as info:
        load_csv(p, target)
    assert "TOPSECRET" not in str(info.value)


def test_missing_column_hint_names_only_close_matches(tmp_path: Path) -> None:
    p = tmp_path / "h.csv"
    p.write_text("sepal_length,Label,password\n1,a,x\n")
    with pytest.raises(ValueError) as info:
        load_csv(p, "label")
    assert str(info.value) == (
        f"load_csv: '{p}' has no target column 'label' in its header row (3 columns); for "
        f"'label' did you mean ['Label']?"
    )
    with pytest.raises(ValueError, match=r"has no columns \['sepal', 'petal'\] in its header"):
        load_csv(p, columns=["sepal", "petal"])


# ---- a single class cannot be classified ---------------------------------------------------
def test_single_class_csv_is_refused_for_training(tmp_path: Path) -> None:
    p = tmp_path / "one.csv"
    p.write_text("a,label\n" + "".join(f"{i},yes\n" for i in range(12)))
    with pytest.raises(ValueError) as info:
        prepare_data(str(p), "label", test_size=0.25, seed=0)
    assert str(info.value) == (
        f"dataset '{p}' has a single class: classification needs at least 2 classes (with "
        f"one, every prediction is trivially right)"
    )
    assert load_dataset(str(p), "label").classes == ["yes"]  # reading it is fine


def test_single_class_idx_is_refused_for_training(tmp_path: Path) -> None:
    imgs, lab = _pair(tmp_path, np.zeros((8, 2, 2), np.uint8), np.zeros(8, np.uint8))
    with pytest.raises(ValueError, match=r"has a single class: classification needs at least"):
        prepare_data(f"{imgs},{lab}", None, test_size=0.25, seed=0)


def test_target_with_an_idx_pair_is_refused(tmp_path: Path) -> None:
    imgs, lab = _pair(tmp_path, np.zeros((4, 2, 2), np.uint8), np.array([0, 1, 0, 1], np.uint8))
    with pytest.raises(ValueError, match=r"--target applies to CSV files, not to an IDX pair"):
        load_dataset(f"{imgs},{lab}", "y")


def test_features_near_float32_max_standardise_in_float64(tmp_path: Path) -> None:
    """Sums and squares of float32 values near 3.4e38 overflow float32; the statistics are
    computed in float64 (no RuntimeWarning: pytest turns those into errors here)."""
    rng = np.random.default_rng(0)
    a = rng.uniform(-3.0e38, 3.0e38, size=40).astype(np.float32)
    target = rng.uniform(-3.0e38, 3.0e38, size=40).astype(np.float32)
    p = tmp_path / "huge.csv"
    p.write_text("a,v\n" + "".join(f"{x!r},{t!r}\n" for x, t in zip(a.tolist(), target.tolist())))
    data = prepare_data(str(p), "v", test_size=0.25, seed=0)
    assert data.task == "regression"
    assert np.all(np.isfinite(data.X_train)) and np.all(np.isfinite(data.y_train))
    from sklearn.model_selection import train_test_split

    train = np.sort(train_test_split(np.arange(40), test_size=0.25, random_state=0)[0])
    a64, t64 = a.astype(np.float64)[train], target.astype(np.float64)[train]
    np.testing.assert_allclose(data.mean, [a64.mean()], rtol=1e-12)
    np.testing.assert_allclose(data.X_train[:, 0], (a64 - a64.mean()) / a64.std(), rtol=1e-6)
    np.testing.assert_allclose(data.y_train, (t64 - t64.mean()) / t64.std(), rtol=1e-6)
