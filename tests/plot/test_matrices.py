"""plot_confusion_matrix (counts equal scikit-learn's) and plot_kernel_matrix."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix
from sklearn.metrics.pairwise import rbf_kernel

from nabla.plot import plot_confusion_matrix, plot_kernel_matrix
from tests.plot._helpers import assert_blank, blank_axes


def _labels():
    rng = np.random.default_rng(0)
    y_true = rng.choice(["ant", "bee", "cat", "dog"], size=120)
    y_pred = np.where(rng.random(120) < 0.7, y_true, rng.choice(["ant", "bee", "cat"], 120))
    return y_true, y_pred


def test_counts_are_sklearns_and_written_in_the_cells() -> None:
    y_true, y_pred = _labels()
    ax = plot_confusion_matrix(y_true, y_pred, ax=blank_axes())
    expected = confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(ax.images[0].get_array(), expected)
    assert [t.get_text() for t in ax.texts] == [str(v) for v in expected.ravel()]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["ant", "bee", "cat", "dog"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["ant", "bee", "cat", "dog"]
    assert ax.get_xlabel() == "predicted label" and ax.get_ylabel() == "true label"
    accuracy = np.mean(y_true == y_pred)
    assert ax.get_title() == f"confusion matrix (accuracy {100 * accuracy:.1f}%, 120 samples)"
    assert len(ax.figure.axes) == 2 and ax.images[0].colorbar is not None


@pytest.mark.parametrize("normalize", ["true", "pred", "all"])
def test_label_subset_order_and_normalisation(normalize) -> None:
    y_true, y_pred = _labels()
    labels = ["dog", "ant", "cat"]  # an order of our own, one class left out
    ax = plot_confusion_matrix(y_true, y_pred, labels, normalize=normalize, colorbar=False)
    expected = confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize)
    np.testing.assert_allclose(ax.images[0].get_array(), expected, rtol=1e-12)
    assert [t.get_text() for t in ax.get_xticklabels()] == labels
    assert len(ax.figure.axes) == 1  # no colour bar


def test_integer_labels_match_sklearn() -> None:
    y_true = [2, 0, 2, 2, 0, 1, 5]
    y_pred = [0, 0, 2, 2, 0, 2, 1]
    ax = plot_confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(ax.images[0].get_array(), confusion_matrix(y_true, y_pred))


@pytest.mark.parametrize(
    ("y_true", "y_pred", "kwargs", "exc", "match"),
    [
        ([0, 1, 1], [0, 1], {}, ValueError, "y_true has 3 labels but y_pred has 2"),
        ([], [], {}, ValueError, "empty"),
        ([[0, 1]], [[0, 1]], {}, ValueError, "must be 1-D"),
        ([0, 1], [0, 1], {"labels": [0, 0]}, ValueError, "distinct class labels"),
        ([0, 1], [0, 1], {"labels": [7]}, ValueError, "no sample has both labels among"),
        ([0, 1], [0, 1], {"normalize": "rows"}, ValueError, "normalize must be one of"),
    ],
)
def test_confusion_bad_input_draws_nothing(y_true, y_pred, kwargs, exc, match) -> None:
    ax = blank_axes()
    with pytest.raises(exc, match=match):
        plot_confusion_matrix(y_true, y_pred, ax=ax, **kwargs)
    assert_blank(ax)


def test_kernel_matrix_image_and_colorbar() -> None:
    X = np.sort(np.random.default_rng(0).uniform(size=(12, 1)), axis=0)
    Y = np.linspace(0, 1, 5)[:, None]
    K = rbf_kernel(X, Y, gamma=4.0)
    ax = plot_kernel_matrix(K, ax=blank_axes())
    np.testing.assert_array_equal(ax.images[0].get_array(), K)
    assert ax.get_title() == "kernel matrix (12 x 5)"
    assert ax.images[0].colorbar is not None
    assert ax.images[0].colorbar.ax.get_ylabel() == "k(x_i, x_j)"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("sample j", "sample i")


@pytest.mark.parametrize(
    ("K", "match"), [(np.ones(3), "non-empty 2-D"), ([[1.0, np.nan]], "non-finite")]
)
def test_kernel_bad_input_draws_nothing(K, match) -> None:
    ax = blank_axes()
    with pytest.raises(ValueError, match=match):
        plot_kernel_matrix(K, ax=ax)
    assert_blank(ax)
