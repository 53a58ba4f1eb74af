"""plot_history: a valid image with the expected panels; bad histories refused."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from nabla.plot import plot_history


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR" and data.endswith(b"IEND\xaeB`\x82")
    return struct.unpack(">II", data[16:24])


HISTORY = {
    "epoch": [1, 2, 3],
    "loss": [1.0, 0.6, 0.4],
    "val_loss": [1.1, 0.8, 0.7],
    "accuracy": [0.5, 0.7, 0.8],
    "val_accuracy": [0.45, 0.6, 0.75],
    "lr": [0.1, 0.05, 0.01],
}


def test_two_panels_with_a_metric(tmp_path: Path) -> None:
    w2, h2 = _png_size(plot_history(HISTORY, tmp_path / "c.png", title="t"))
    w1, h1 = _png_size(plot_history({"loss": HISTORY["loss"]}, tmp_path / "l.png"))
    assert h1 == h2 and w2 == 2 * w1  # a second panel for the accuracy


def test_object_with_history_and_r2_and_svg(tmp_path: Path) -> None:
    class H:
        history = {"loss": [3.0, 2.0], "r2": [0.1, 0.5], "val_r2": [0.0, None]}

    p = plot_history(H(), tmp_path / "c.svg")
    assert p.read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize(
    ("history", "exc", "match"),
    [
        ({}, ValueError, "no 'loss' values"),
        ({"loss": []}, ValueError, "no 'loss' values"),
        (
            {"loss": [1.0, 2.0], "val_loss": [1.0]},
            ValueError,
            r"history\['val_loss'\] has 1 values but 'loss' has 2",
        ),
        ({"loss": "abc"}, TypeError, "must be a list of numbers"),
        ({"loss": [1.0, "x"]}, TypeError, "must be a list of numbers"),
        (42, TypeError, "history must be a mapping"),
    ],
)
def test_bad_histories_write_nothing(tmp_path: Path, history, exc, match) -> None:
    with pytest.raises(exc, match=match):
        plot_history(history, tmp_path / "c.png")
    assert os.listdir(tmp_path) == []


def test_unknown_format_and_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cannot write '.*c.xyz'"):
        plot_history(HISTORY, tmp_path / "c.xyz")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        plot_history(HISTORY, tmp_path / "no" / "c.png")
    assert os.listdir(tmp_path) == []
