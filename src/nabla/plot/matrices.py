"""Matrices as images: a classifier's confusion matrix and a kernel (Gram) matrix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nabla.plot._figure import check_axes, finite_2d, new_axes

_NORMALIZE = (None, "true", "pred", "all")


def _labels_1d(values: ArrayLike, who: str, name: str) -> NDArray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(
            f"{who}: {name} must be 1-D (one label per sample); got shape {arr.shape}."
        )
    return arr


def _confusion_counts(y_true: ArrayLike, y_pred: ArrayLike, labels: ArrayLike) -> NDArray:
    """``C[i, j]``: how many samples of true class ``labels[i]`` were predicted ``labels[j]``.

    Samples whose true or predicted label is not in ``labels`` are not counted.
    """
    labels = np.asarray(labels)
    t, p = np.asarray(y_true), np.asarray(y_pred)
    order = np.argsort(labels, kind="stable")
    ti = np.searchsorted(labels[order], t).clip(0, len(labels) - 1)
    pi = np.searchsorted(labels[order], p).clip(0, len(labels) - 1)
    keep = (labels[order][ti] == t) & (labels[order][pi] == p)
    counts = np.zeros((len(labels), len(labels)), dtype=np.int64)
    np.add.at(counts, (order[ti[keep]], order[pi[keep]]), 1)
    return counts


def plot_confusion_matrix(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    labels: Sequence[Any] | None = None,
    *,
    normalize: str | None = None,
    colorbar: bool = True,
    ax: Any = None,
) -> Any:
    """The confusion matrix as an image: rows true classes, columns predicted classes.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    labels : sequence, optional
        The classes and their order; default the sorted union of ``y_true`` and
        ``y_pred``. Samples with other labels are not counted (as in scikit-learn).
    normalize : {None, "true", "pred", "all"}
        Draw counts (None) or fractions of each row (``"true"``: the recall per class on
        the diagonal), of each column (``"pred"``: the precision) or of the total.
    colorbar : bool, default=True
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` holds the matrix (counts equal scikit-learn's
        ``confusion_matrix``); each cell's value is written in it; the title gives the
        accuracy.

    Examples
    --------
    >>> from nabla.plot import plot_confusion_matrix
    >>> ax = plot_confusion_matrix(["cat", "dog", "dog", "cat"], ["cat", "dog", "cat", "cat"])
    >>> ax.images[0].get_array().tolist()
    [[2, 0], [1, 1]]
    >>> [t.get_text() for t in ax.get_xticklabels()], ax.get_title()
    (['cat', 'dog'], 'confusion matrix (accuracy 75.0%, 4 samples)')
    """
    who = "plot_confusion_matrix"
    check_axes(ax, who)
    t, p = _labels_1d(y_true, who, "y_true"), _labels_1d(y_pred, who, "y_pred")
    if len(t) != len(p):
        raise ValueError(
            f"{who}: y_true has {len(t)} labels but y_pred has {len(p)}; give one predicted "
            "label per sample."
        )
    if len(t) == 0:
        raise ValueError(f"{who}: y_true and y_pred are empty; nothing to count.")
    if normalize not in _NORMALIZE:
        raise ValueError(f"{who}: normalize must be one of {list(_NORMALIZE)}; got {normalize!r}.")
    classes = np.unique(np.concatenate([t, p])) if labels is None else np.asarray(labels)
    if classes.ndim != 1 or len(classes) == 0 or len(np.unique(classes)) != len(classes):
        raise ValueError(f"{who}: labels must be distinct class labels; got {labels!r}.")
    counts = _confusion_counts(t, p, classes)
    total = counts.sum()
    if total == 0:
        raise ValueError(f"{who}: no sample has both labels among {classes.tolist()}.")
    shown: NDArray = counts
    if normalize is not None:
        axis = {"true": 1, "pred": 0, "all": None}[normalize]
        sums = counts.sum(axis=axis, keepdims=axis is not None)
        with np.errstate(invalid="ignore", divide="ignore"):
            shown = np.where(sums > 0, counts / np.where(sums > 0, sums, 1), 0.0)

    ax = new_axes(ax)
    im = ax.imshow(shown, cmap="Blues", vmin=0)
    high = shown.max()
    for i in range(shown.shape[0]):
        for j in range(shown.shape[1]):
            v = shown[i, j]
            text = f"{v:d}" if normalize is None else f"{v:.2f}"
            colour = "white" if high > 0 and v > high / 2 else "black"
            ax.text(j, i, text, ha="center", va="center", color=colour, fontsize="small")
    names = [str(c) for c in classes]
    ax.set_xticks(range(len(names)), names, rotation=45 if len(names) > 6 else 0)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    accuracy = np.trace(counts) / total
    ax.set_title(f"confusion matrix (accuracy {100 * accuracy:.1f}%, {total} samples)")
    if colorbar:
        label = "count" if normalize is None else f"fraction ({normalize})"
        ax.figure.colorbar(im, ax=ax, label=label)
    return ax


def plot_kernel_matrix(
    K: ArrayLike,
    *,
    cmap: str = "viridis",
    colorbar: bool = True,
    title: str | None = None,
    ax: Any = None,
) -> Any:
    """A kernel (Gram) matrix ``K[i, j] = k(x_i, x_j)`` as an image.

    Sorting the samples by class or by input makes the block structure visible: a narrow
    RBF kernel gives a thin diagonal band, a wide one a nearly constant matrix.

    Parameters
    ----------
    K : array-like of shape (n, m)
        Finite values; square for a training Gram matrix, rectangular for ``k(X, Y)``.
    cmap : str, default="viridis"
    colorbar : bool, default=True
    title : str, optional
        Default ``"kernel matrix (n x m)"``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` holds ``K``.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.metrics.pairwise import rbf_kernel
    >>> from nabla.plot import plot_kernel_matrix
    >>> X = np.linspace(0, 1, 5)[:, None]
    >>> ax = plot_kernel_matrix(rbf_kernel(X, X, gamma=10.0))
    >>> ax.images[0].get_array().shape, ax.get_title()
    ((5, 5), 'kernel matrix (5 x 5)')
    """
    who = "plot_kernel_matrix"
    check_axes(ax, who)
    mat = finite_2d(K, who, "K")
    ax = new_axes(ax)
    im = ax.imshow(mat, cmap=cmap, interpolation="nearest")
    ax.set_xlabel("sample j")
    ax.set_ylabel("sample i")
    ax.set_title(title if title is not None else f"kernel matrix ({mat.shape[0]} x {mat.shape[1]})")
    if colorbar:
        ax.figure.colorbar(im, ax=ax, label="k(x_i, x_j)")
    return ax
