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


def test_decision_boundary_regions_follow_the_classifier(tmp_path) -> None:
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.where(X[:, 0] > 0, "right", "left")
    clf = KNeighborsClassifier(3).fit(X, y)
    path = tmp_path / "boundary.png"
    fig = plot_decision_boundary(clf, X, y, resolution=40, path=path)
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    ax = fig.axes[0]
    assert len(ax.collections) >= 2  # filled regions, boundary line, points
    x0, x1 = ax.get_xlim()
    assert x0 < X[:, 0].min() and x1 > X[:, 0].max()


def test_decision_boundary_without_labels_and_bad_input() -> None:
    from sklearn.linear_model import LogisticRegression

    X = np.random.default_rng(1).normal(size=(30, 2))
    clf = LogisticRegression().fit(X, (X[:, 1] > 0).astype(int))
    plot_decision_boundary(clf, X, resolution=10)
    with pytest.raises(ValueError, match=r"X must have 2 features, .*; got shape \(30, 3\)"):
        plot_decision_boundary(clf, np.zeros((30, 3)))
    with pytest.raises(ValueError, match="resolution must be an int >= 2; got 1"):
        plot_decision_boundary(clf, X, resolution=1)
    with pytest.raises(ValueError, match="labels the estimator does not know"):
        plot_decision_boundary(clf, X, np.full(30, 7), resolution=5)
