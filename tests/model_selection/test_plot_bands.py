"""nabla.plot: confidence bands and decision boundaries (matplotlib's Agg canvas, no pyplot)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="matplotlib draws nabla's figures")

from nabla.plot import plot_confidence_band, plot_decision_boundary

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _band():
    x = np.linspace(0, 1, 50)
    f = np.sin(2 * np.pi * x)
    boot = f + np.random.default_rng(0).normal(0, 0.1, size=(30, 50))
    return x, f, np.quantile(boot, 0.05, axis=0), np.quantile(boot, 0.95, axis=0), boot


def test_band_figure_has_the_band_fit_curves_and_data(tmp_path) -> None:
    x, f, low, high, boot = _band()
    path = tmp_path / "band.png"
    fig = plot_confidence_band(
        x, f, low, high, bootstrap=boot, n_curves=5, X_train=x, y_train=f, truth=f,
        confidence=0.9, title="band", path=path,
    )  # fmt: skip
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:1] == ["90% band"] and {"fit", "truth", "data", "bootstrap fits"} <= set(labels)
    assert len(ax.lines) == 5 + 2  # bootstrap curves, the fit, the truth
    np.testing.assert_allclose(ax.lines[5].get_ydata(), f)  # the fit
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    assert "matplotlib.pyplot" not in sys.modules  # no global state touched


def test_band_into_given_axes() -> None:
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    x, f, low, high, _ = _band()
    assert plot_confidence_band(x[:, None], f, low, high, ax=ax) is fig


def test_band_shape_mismatch() -> None:
    x, f, low, high, _ = _band()
    with pytest.raises(
        ValueError, match=r"lower must have one value per x \(50\); got shape \(49,\)"
    ):
        plot_confidence_band(x, f, low[:-1], high)


def test_failed_save_keeps_previous_file(tmp_path) -> None:
    x, f, low, high, _ = _band()
    path = tmp_path / "band.png"
    path.write_bytes(b"previous")
    with pytest.raises(ValueError):
        plot_confidence_band(x, f, low, high, path=tmp_path / "band.notaformat")
    assert path.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["band.png"]  # no temporary left
    with pytest.raises(FileNotFoundError, match="no directory"):
        plot_confidence_band(x, f, low, high, path=tmp_path / "missing" / "band.png")


def test_saved_figure_gets_the_mode_of_a_plain_open(tmp_path) -> None:
    """The temporary file is private while written; the figure is not (umask applies)."""
    import os

    x, f, low, high, _ = _band()
    umask = os.umask(0o022)
    try:
        path = tmp_path / "band.png"
        plot_confidence_band(x, f, low, high, path=path)
    finally:
        os.umask(umask)
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    assert path.stat().st_mode & 0o777 == 0o644


def _grid(X: np.ndarray, resolution: int, margin: float = 0.1):
    """The documented grid: the data's range plus ``margin`` of it on each side."""
    low, high = X.min(axis=0), X.max(axis=0)
    pad = margin * (high - low)
    return (
        np.linspace(low[0] - pad[0], high[0] + pad[0], resolution),
        np.linspace(low[1] - pad[1], high[1] + pad[1], resolution),
    )


def _filled_and_lines(ax):
    from matplotlib.contour import ContourSet

    sets = [c for c in ax.collections if isinstance(c, ContourSet)]
    filled = [c for c in sets if c.filled]
    lines = [c for c in sets if not c.filled]
    assert len(filled) == 1
    return filled[0], lines


def _assert_regions_are_the_predictions(clf, X, resolution, filled) -> None:
    """At each grid cell whose four corners the classifier puts in one class, the cell's
    centre lies in that class's filled region and in no other."""
    g0, g1 = _grid(X, resolution)
    xx, yy = np.meshgrid(g0, g1)
    codes = np.searchsorted(clf.classes_, clf.predict(np.column_stack([xx.ravel(), yy.ravel()])))
    codes = codes.reshape(xx.shape)
    same = (
        (codes[:-1, :-1] == codes[1:, :-1])
        & (codes[:-1, :-1] == codes[:-1, 1:])
        & (codes[:-1, :-1] == codes[1:, 1:])
    )
    centres = np.column_stack(
        [((xx[:-1, :-1] + xx[1:, 1:]) / 2)[same], ((yy[:-1, :-1] + yy[1:, 1:]) / 2)[same]]
    )
    expected = codes[:-1, :-1][same]
    assert len(np.unique(expected)) == len(clf.classes_)  # every class has a region
    paths = filled.get_paths()
    inside = np.column_stack([p.contains_points(centres) for p in paths])
    np.testing.assert_array_equal(inside.sum(axis=1), 1)
    np.testing.assert_array_equal(inside.argmax(axis=1), expected)


def _tab10(k: int) -> np.ndarray:
    from matplotlib import colormaps

    return np.array(colormaps["tab10"].colors[k])


def test_decision_boundary_regions_follow_the_classifier(tmp_path) -> None:
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 2)) * [2.0, 0.5]
    angle = np.arctan2(X[:, 1] / 0.5, X[:, 0] / 2.0)
    y = np.select([angle < -1.0, angle < 1.5], ["a", "b"], "c")  # three sectors
    clf = KNeighborsClassifier(3).fit(X, y)
    path = tmp_path / "boundary.png"
    fig = plot_decision_boundary(clf, X, y, resolution=40, path=path)
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    ax = fig.axes[0]
    filled, lines = _filled_and_lines(ax)
    # one filled layer per class, level k - 1/2 .. k + 1/2 for class index k
    np.testing.assert_array_equal(filled.levels, [-0.5, 0.5, 1.5, 2.5])
    _assert_regions_are_the_predictions(clf, X, 40, filled)
    # class k is filled with tab10 colour k, translucent
    faces = filled.get_facecolor()
    np.testing.assert_allclose(faces[:, :3], [_tab10(k) for k in range(3)], atol=1e-12)
    np.testing.assert_allclose(faces[:, 3], 0.3)
    # the boundary lines sit between the class levels
    assert len(lines) == 1
    np.testing.assert_array_equal(lines[0].levels, [0.5, 1.5])
    # the points, coloured by their own label
    (points,) = [c for c in ax.collections if type(c).__name__ == "PathCollection"]
    np.testing.assert_array_equal(points.get_offsets(), X)
    expected_colours = [_tab10(int(k)) for k in np.searchsorted(clf.classes_, y)]
    np.testing.assert_allclose(points.get_facecolor()[:, :3], expected_colours, atol=1e-12)
    # the axes show the whole grid: the data and a tenth of its range on each side
    g0, g1 = _grid(X, 40)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 <= g0[0] < X[:, 0].min() and x1 >= g0[-1] > X[:, 0].max()
    assert y0 <= g1[0] < X[:, 1].min() and y1 >= g1[-1] > X[:, 1].max()


def test_decision_boundary_without_labels_and_bad_input() -> None:
    from sklearn.linear_model import LogisticRegression

    X = np.random.default_rng(1).normal(size=(30, 2))
    clf = LogisticRegression().fit(X, (X[:, 1] > 0).astype(int))
    fig = plot_decision_boundary(clf, X, resolution=10)
    ax = fig.axes[0]
    filled, _ = _filled_and_lines(ax)
    np.testing.assert_array_equal(filled.levels, [-0.5, 0.5, 1.5])
    _assert_regions_are_the_predictions(clf, X, 10, filled)
    (points,) = [c for c in ax.collections if type(c).__name__ == "PathCollection"]
    np.testing.assert_array_equal(points.get_offsets(), X)
    np.testing.assert_allclose(points.get_facecolor(), [[0.0, 0.0, 0.0, 1.0]])  # all black
    with pytest.raises(ValueError, match=r"X must have 2 features, .*; got shape \(30, 3\)"):
        plot_decision_boundary(clf, np.zeros((30, 3)))
    with pytest.raises(ValueError, match="resolution must be an int >= 2; got 1"):
        plot_decision_boundary(clf, X, resolution=1)
    with pytest.raises(ValueError, match="labels the estimator does not know"):
        plot_decision_boundary(clf, X, np.full(30, 7), resolution=5)
