"""plot_history: several runs on one axes, bands over seeds; the file form still works."""

from __future__ import annotations

import numpy as np
import pytest

from nabla.plot import plot_history
from tests.plot._helpers import assert_blank, blank_axes, legend_texts

RUNS = {  # the notes' learning-rate figure: three seeds at each of two rates
    "lr=0.01": [
        {"loss": [2.0, 1.5, 1.2, 1.0], "val_loss": [2.1, 1.7, 1.4, 1.3]},
        {"loss": [2.2, 1.4, 1.1, 0.9], "val_loss": [2.3, 1.6, 1.3, 1.2]},
        {"loss": [1.9, 1.6, 1.3, 1.1], "val_loss": [2.0, 1.8, 1.5, 1.4]},
    ],
    "lr=1": [{"loss": [2.0, 3.0, 5.0, 9.0], "val_loss": [2.1, 3.2, 5.5, 9.9]}],
}


def _fills(ax):
    return [
        c
        for c in ax.collections
        if type(c).__name__ in ("PolyCollection", "FillBetweenPolyCollection")
    ]


def test_runs_per_label_are_a_mean_with_a_min_max_band() -> None:
    ax = plot_history(RUNS, ax=blank_axes())
    assert legend_texts(ax) == ["lr=0.01 (mean of 3 runs)", "lr=1"]
    losses = np.array([r["loss"] for r in RUNS["lr=0.01"]])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), losses.mean(axis=0))
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), RUNS["lr=1"][0]["loss"])
    (band,) = _fills(ax)  # one band: the single run at lr=1 has none
    ys = band.get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(losses.min()) and ys.max() == pytest.approx(losses.max())
    assert ax.lines[0].get_color() != ax.lines[1].get_color()
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    assert "min to max" in ax.get_title()


def test_std_band_and_two_keys_with_labels_list() -> None:
    runs = RUNS["lr=0.01"] + RUNS["lr=1"]
    labels = ["small", "small", "small", "large"]
    ax = plot_history(runs, ["loss", "val_loss"], labels=labels, band="std", logy=True)
    assert legend_texts(ax) == [
        "small loss (mean of 3 runs)",
        "small val_loss (mean of 3 runs)",
        "large loss",
        "large val_loss",
    ]
    assert [line.get_linestyle() for line in ax.lines] == ["-", "--", "-", "--"]
    val = np.array([r["val_loss"] for r in RUNS["lr=0.01"]])
    band = _fills(ax)[1]  # the val_loss band of 'small'
    ys = band.get_paths()[0].vertices[:, 1]
    mean, sd = val.mean(axis=0), val.std(axis=0)
    assert ys.min() == pytest.approx((mean - sd).min()) and ys.max() == pytest.approx(
        (mean + sd).max()
    )
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "loss"


def test_single_history_and_trainer_like_object_and_epochs() -> None:
    class Trainer:
        history = {"epoch": [5, 6, 7], "loss": [1.0, None, 0.5], "accuracy": [0.5, 0.6, 0.8]}

    ax = plot_history(Trainer(), ["loss", "accuracy"])
    assert legend_texts(ax) == ["loss", "accuracy"]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [5, 6, 7])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.0, np.nan, 0.5])  # a gap
    assert ax.get_ylabel() == "value"
    ax = plot_history({"loss": [3.0, 2.0]})
    assert len(ax.lines) == 1 and ax.get_legend() is None  # one series: no legend


def test_file_form_is_unchanged(tmp_path) -> None:
    path = plot_history({"loss": [1.0, 0.5]}, tmp_path / "c.png", title="t")
    assert path == tmp_path / "c.png" and path.read_bytes().startswith(b"\x89PNG")
    path = plot_history({"loss": [1.0, 0.5]}, str(tmp_path / "d.svg"))
    assert path.read_text().lstrip().startswith("<?xml")
    assert plot_history({"loss": [1.0]}, path=tmp_path / "e.png").exists()


@pytest.mark.parametrize(
    ("histories", "kwargs", "exc", "match"),
    [
        ([], {}, ValueError, "no histories to plot"),
        ({"loss": []}, {}, ValueError, "the history has an empty 'loss'"),
        ({"a": [{"loss": [1.0, 2.0]}, {"loss": [1.0]}]}, {}, ValueError,
         r"the 2 runs labelled 'a' have 'loss' of different lengths \[1, 2\]"),
        ([{"loss": [1.0]}, {"loss": [2.0]}], {"labels": ["a"]}, ValueError,
         r"got 1 labels for 2 history\(s\)"),
        ({"loss": [1.0]}, {"keys": "val_loss"}, ValueError,
         r"has no 'val_loss'; it records \['loss'\]"),
        ({"loss": [1.0]}, {"keys": []}, TypeError, "keys must be a key or a non-empty list"),
        ({"loss": [1.0]}, {"band": "iqr"}, ValueError, "band must be one of"),
        ({"loss": ["x"]}, {}, TypeError, "must be a list of numbers"),
        (42, {}, TypeError, "histories must be a history"),
        ({"a": {"loss": [1.0]}}, {"labels": ["b"]}, TypeError, "labels are the dict's keys"),
    ],
)  # fmt: skip
def test_bad_input_draws_nothing(histories, kwargs, exc, match) -> None:
    ax = blank_axes()
    with pytest.raises(exc, match=match):
        plot_history(histories, ax=ax, **kwargs)
    assert_blank(ax)


def test_file_form_refuses_figure_arguments(tmp_path) -> None:
    with pytest.raises(TypeError, match="ax= and labels= are for the figure form"):
        plot_history({"loss": [1.0]}, tmp_path / "c.png", ax=blank_axes())
    assert list(tmp_path.iterdir()) == []
