"""Classification problems: the logic gates, XOR, moons, circles, spirals and blobs."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nabla.datasets._checks import RandomState, _check_int, _check_noise, _finish, _split

_GATES = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
    "XNOR": (1, 0, 0, 1),
}
_TABLE = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)


def make_logic_gate(
    gate: str = "XOR",
    n_samples: int = 4,
    *,
    noise: float | None = 0.0,
    shuffle: bool = False,
    random_state: RandomState = None,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The truth table of a two-input logic gate, repeated and optionally noisy.

    Row i is the table's row ``i % 4``: (0, 0), (0, 1), (1, 0), (1, 1), so ``n_samples=4``
    is the table itself and ``n_samples=4 k`` repeats it k times. The neural-network
    lecture builds AND, OR and NOT from single sigmoid units and XOR from two layers of them
    (``nabla.nn.models.XORNet``).

    Parameters
    ----------
    gate : {'AND', 'OR', 'NAND', 'NOR', 'XOR', 'XNOR'}, default 'XOR'
        Case-insensitive.
    n_samples : int, default 4
        Number of rows, at least 1.
    noise : float or None, default 0
        Standard deviation of Gaussian noise added to the inputs (not to the labels).
    shuffle : bool, default False
        Shuffle the rows (the table's order otherwise).
    random_state : int, Generator or None

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        Inputs x1, x2 (0/1 plus noise).
    y : ndarray of shape (n_samples,), int64
        The gate's output for the noiseless inputs.

    Examples
    --------
    >>> X, y = make_logic_gate("AND")
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 0, 0, 1])
    >>> make_logic_gate("nand", 8)[1].tolist()
    [1, 1, 1, 0, 1, 1, 1, 0]
    """
    return _truth_table("make_logic_gate", gate, n_samples, noise, shuffle, random_state)


def _truth_table(
    who: str,
    gate: str,
    n_samples: int,
    noise: float | None,
    shuffle: bool,
    random_state: RandomState,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    key = gate.upper() if isinstance(gate, str) else gate
    if key not in _GATES:
        raise ValueError(f"{who}: gate must be one of {sorted(_GATES)}; got {gate!r}.")
    n = _check_int(n_samples, who, "n_samples")
    sigma = _check_noise(noise, who)
    rng = np.random.default_rng(random_state)
    rows = np.arange(n) % 4
    X = _TABLE[rows]
    y = np.asarray(_GATES[key], dtype=np.int64)[rows]
    return _finish(X, y, sigma, bool(shuffle), rng)


def make_xor(
    n_samples: int = 100,
    *,
    noise: float | None = 0.1,
    shuffle: bool = True,
    random_state: RandomState = None,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Noisy clouds around the four corners of {0, 1}^2 labelled x1 XOR x2.

    The corners get ``n_samples / 4`` points each (as evenly as possible), so both classes
    have half the points when ``n_samples`` is a multiple of 4. No line separates the
    classes; a network with one hidden layer of two units does.

    Parameters
    ----------
    n_samples : int, default 100
        At least 1.
    noise : float or None, default 0.1
        Standard deviation of the Gaussian noise around each corner.
    shuffle : bool, default True
    random_state : int, Generator or None

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), int64

    Examples
    --------
    >>> import numpy as np
    >>> X, y = make_xor(8, noise=0.0, shuffle=False)
    >>> y.tolist()
    [0, 1, 1, 0, 0, 1, 1, 0]
    >>> bool(np.all(y == np.logical_xor(X[:, 0], X[:, 1])))
    True
    """
    return _truth_table("make_xor", "XOR", n_samples, noise, shuffle, random_state)


# ---- two-dimensional shapes -------------------------------------------------------------------
def make_moons(
    n_samples: int = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: RandomState = None,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Two interleaving half circles (scikit-learn's ``make_moons``).

    Class 0: ``(cos t, sin t)``; class 1: ``(1 - cos t, 1/2 - sin t)``, with t evenly
    spaced over [0, pi]; ``n_samples // 2`` points in class 0, the rest in class 1.

    Parameters
    ----------
    n_samples : int, default 100
        At least 1.
    shuffle : bool, default True
    noise : float or None, default None
        Standard deviation of the Gaussian noise added to the points.
    random_state : int, Generator or None

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), int64

    Examples
    --------
    >>> X, y = make_moons(6, shuffle=False)
    >>> X[:3].round(3).tolist(), y.tolist()
    ([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], [0, 0, 0, 1, 1, 1])
    """
    who = "make_moons"
    n = _check_int(n_samples, who, "n_samples")
    sigma = _check_noise(noise, who)
    rng = np.random.default_rng(random_state)
    n_out = n // 2
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n - n_out)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = np.column_stack([1.0 - np.cos(t_in), 0.5 - np.sin(t_in)])
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n_out, n - n_out])
    return _finish(np.vstack([outer, inner]), y, sigma, bool(shuffle), rng)


def make_circles(
    n_samples: int = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: RandomState = None,
    factor: float = 0.8,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """A circle of radius ``factor`` inside the unit circle (scikit-learn's ``make_circles``).

    ``n_samples // 2`` points evenly spaced on the outer circle (class 0), the rest on the
    inner one (class 1).

    Parameters
    ----------
    n_samples : int, default 100
        At least 1.
    shuffle : bool, default True
    noise : float or None, default None
        Standard deviation of the Gaussian noise added to the points.
    random_state : int, Generator or None
    factor : float, default 0.8
        Radius of the inner circle, in [0, 1).

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), int64

    Examples
    --------
    >>> import numpy as np
    >>> X, y = make_circles(8, factor=0.5, shuffle=False)
    >>> np.hypot(X[:, 0], X[:, 1]).round(3).tolist(), y.tolist()
    ([1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5], [0, 0, 0, 0, 1, 1, 1, 1])
    """
    who = "make_circles"
    n = _check_int(n_samples, who, "n_samples")
    sigma = _check_noise(noise, who)
    if not isinstance(factor, numbers.Real) or not 0 <= factor < 1:
        raise ValueError(f"{who}: factor must be a float in [0, 1); got {factor!r}.")
    rng = np.random.default_rng(random_state)
    n_out = n // 2
    t_out = np.linspace(0.0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0.0, 2 * np.pi, n - n_out, endpoint=False)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = float(factor) * np.column_stack([np.cos(t_in), np.sin(t_in)])
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n_out, n - n_out])
    return _finish(np.vstack([outer, inner]), y, sigma, bool(shuffle), rng)


def make_spirals(
    n_samples: int = 100,
    *,
    n_arms: int = 2,
    turns: float = 1.0,
    noise: float | None = 0.0,
    shuffle: bool = True,
    random_state: RandomState = None,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Interleaved spiral arms, one class per arm.

    Arm k has points at radii r evenly spaced over (0, 1] and angles
    ``2 pi k / n_arms + 2 pi turns r``, i.e. ``r (cos angle, sin angle)``; the arms get
    ``n_samples / n_arms`` points each (as evenly as possible).

    Parameters
    ----------
    n_samples : int, default 100
        At least 1.
    n_arms : int, default 2
        Number of arms (classes), at least 1.
    turns : float, default 1
        How many times each arm winds around the centre, > 0.
    noise : float or None, default 0
        Standard deviation of the Gaussian noise added to the points.
    shuffle : bool, default True
    random_state : int, Generator or None

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), int64
        The arm, in 0 .. n_arms - 1.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = make_spirals(6, n_arms=3, shuffle=False)
    >>> np.hypot(X[:, 0], X[:, 1]).round(3).tolist(), y.tolist()
    ([0.5, 1.0, 0.5, 1.0, 0.5, 1.0], [0, 0, 1, 1, 2, 2])
    """
    who = "make_spirals"
    n = _check_int(n_samples, who, "n_samples")
    if isinstance(n_arms, bool) or not isinstance(n_arms, numbers.Integral) or n_arms < 1:
        raise ValueError(
            f"{who}: n_arms must be a whole number of arms (an int >= 1); got {n_arms!r}."
        )
    if not isinstance(turns, numbers.Real) or not np.isfinite(turns) or turns <= 0:
        raise ValueError(f"{who}: turns must be a finite float > 0; got {turns!r}.")
    sigma = _check_noise(noise, who)
    rng = np.random.default_rng(random_state)
    sizes = _split(n, int(n_arms))
    y = np.repeat(np.arange(int(n_arms), dtype=np.int64), sizes)
    r = np.concatenate([np.arange(1, m + 1) / m for m in sizes])  # (0, 1] on each arm
    angle = 2 * np.pi * (y / n_arms + float(turns) * r)
    X = r[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _finish(X, y, sigma, bool(shuffle), rng)


# ---- clusters and linear models ---------------------------------------------------------------
def make_blobs(
    n_samples: int | ArrayLike = 100,
    n_features: int = 2,
    *,
    centers: int | ArrayLike | None = None,
    cluster_std: float | ArrayLike = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    random_state: RandomState = None,
    return_centers: bool = False,
) -> tuple[NDArray[Any], ...]:
    """Isotropic Gaussian clusters (scikit-learn's ``make_blobs``): x = c_k + s_k e, e ~ N(0, I).

    Parameters
    ----------
    n_samples : int or array-like of int, default 100
        The total, split as evenly as possible over the clusters, or one count per cluster.
    n_features : int, default 2
    centers : int, array of shape (n_centers, n_features) or None
        The centres, or how many to draw uniformly in ``center_box`` (None: 3, or one per
        entry of an array-like ``n_samples``).
    cluster_std : float or array-like of float, default 1.0
        Standard deviation of each cluster (>= 0).
    center_box : (float, float), default (-10, 10)
    shuffle : bool, default True
    random_state : int, Generator or None
    return_centers : bool, default False

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,), int64
        The cluster of each point.
    centers : ndarray of shape (n_centers, n_features)
        Only with ``return_centers=True``.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = make_blobs(300, centers=[[0, 0], [5, 5]], cluster_std=0.5, random_state=0)
    >>> np.bincount(y).tolist(), X[y == 1].mean(axis=0).round(0).tolist()
    ([150, 150], [5.0, 5.0])
    """
    who = "make_blobs"
    n_features = _check_int(n_features, who, "n_features")
    counts = None
    if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool):
        counts = np.asarray(n_samples)
        if counts.ndim != 1 or counts.size < 1 or counts.dtype.kind not in "iu" or counts.min() < 0:
            raise ValueError(
                f"{who}: n_samples must be an int >= 1 or a list of counts >= 0; got {n_samples!r}."
            )
        if counts.sum() < 1:
            raise ValueError(f"{who}: the counts in n_samples add up to 0; give at least one.")
    else:
        _check_int(n_samples, who, "n_samples")
    C = None
    if centers is None or isinstance(centers, numbers.Integral):
        k = (3 if counts is None else counts.size) if centers is None else int(centers)
        if k < 1:
            raise ValueError(f"{who}: centers must be >= 1; got {centers!r}.")
        lo, hi = center_box
        if not lo < hi:
            raise ValueError(f"{who}: center_box must be (low, high) with low < high.")
    else:
        C = np.asarray(centers, dtype=np.float64)
        if C.ndim != 2 or C.shape[0] < 1 or C.shape[1] != n_features or not np.isfinite(C).all():
            raise ValueError(
                f"{who}: centers must be finite, of shape (n_centers, n_features={n_features}); "
                f"got shape {C.shape}."
            )
        k = C.shape[0]
    sizes = _split(int(n_samples), k) if counts is None else counts.astype(np.int64)
    if sizes.size != k:
        raise ValueError(f"{who}: n_samples gives {sizes.size} counts for {k} centers.")
    std = np.asarray(cluster_std, dtype=np.float64)
    if std.ndim > 1 or std.size not in (1, k) or not np.all(np.isfinite(std)) or np.any(std < 0):
        raise ValueError(
            f"{who}: cluster_std must be one float >= 0 or one per center; got {cluster_std!r}."
        )
    std = np.broadcast_to(std.reshape(-1), (k,))
    rng = np.random.default_rng(random_state)  # every check passed: now draw
    if C is None:
        C = rng.uniform(lo, hi, size=(k, n_features))
    y = np.repeat(np.arange(k, dtype=np.int64), sizes)
    X = C[y] + std[y, None] * rng.standard_normal((len(y), n_features))
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return (X, y, C) if return_centers else (X, y)
