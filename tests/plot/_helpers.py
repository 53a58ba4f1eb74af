"""Shared pieces of the figure tests: a blank Agg axes and a check that nothing was drawn."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib", reason="matplotlib draws nabla's figures")


def blank_axes():
    """Axes on a standalone Agg figure (no pyplot: nothing global changes)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def assert_blank(ax) -> None:
    """A refused call left the axes as they were: no artist, no extra axes (colour bar)."""
    drawn = (ax.lines, ax.collections, ax.images, ax.patches, ax.texts)
    assert [len(a) for a in drawn] == [0] * 5
    assert ax.get_legend() is None and ax.get_title() == ""
    assert ax.figure.axes == [ax]


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None, "the figure has no legend"
    return [t.get_text() for t in legend.get_texts()]
