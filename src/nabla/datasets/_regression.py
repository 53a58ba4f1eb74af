"""Regression problems with a known truth: the bootstrap lecture's noisy sine, and a sparse
linear model."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nabla.datasets._checks import RandomState, _check_int, _check_noise


def sine(X: ArrayLike) -> NDArray[np.float64]:
    """The true regression function of :func:`make_sine`: ``f(x) = sin(2 pi x)``.

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, 1)

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    x = np.asarray(X, dtype=np.float64)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise ValueError(f"sine: X must be 1-D or one column; got shape {x.shape}.")
    return np.sin(2.0 * np.pi * x)


def make_sine(
    n_samples: int = 100,
    *,
    noise: float = 0.3,
    random_state: int | np.random.Generator | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Noisy samples of ``f(x) = sin(2 pi x)`` at uniform random ``x`` in ``[0, 1]``.

    ``x_i ~ U(0, 1)``, ``y_i = f(x_i) + noise * e_i`` with ``e_i ~ N(0, 1)``.

    Parameters
    ----------
    n_samples : int, default=100
        Number of points, at least 1.
    noise : float, default=0.3
        Standard deviation of the Gaussian noise, at least 0.
    random_state : int, Generator or None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
    y : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> X, y = make_sine(5, noise=0.0, random_state=0)
    >>> bool(np.allclose(y, sine(X)))
    True
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"make_sine: n_samples must be an int >= 1; got {n_samples!r}.")
    if n_samples < 1:
        raise ValueError(f"make_sine: n_samples must be an int >= 1; got {n_samples!r}.")
    if not isinstance(noise, numbers.Real) or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"make_sine: noise must be a finite float >= 0; got {noise!r}.")
    rng = np.random.default_rng(random_state)
    X = rng.uniform(0.0, 1.0, size=(int(n_samples), 1))
    y = sine(X) + float(noise) * rng.standard_normal(int(n_samples))
    return X, y


def make_regression(
    n_samples: int = 100,
    n_features: int = 100,
    *,
    n_informative: int = 10,
    n_targets: int = 1,
    bias: float = 0.0,
    noise: float = 0.0,
    shuffle: bool = True,
    coef: bool = False,
    random_state: RandomState = None,
) -> tuple[NDArray[Any], ...]:
    """A sparse linear model y = X w + bias + noise e (scikit-learn's ``make_regression``
    without its low-rank option).

    X ~ N(0, I); the first ``n_informative`` features (before shuffling the columns) have
    weights w ~ 100 U(0, 1), the others 0; e ~ N(0, 1).

    Parameters
    ----------
    n_samples, n_features : int, default 100, 100
    n_informative : int, default 10
        Features with a non-zero weight (``min(n_informative, n_features)``).
    n_targets : int, default 1
        Columns of y (y is 1-D when 1).
    bias : float, default 0
    noise : float, default 0
        Standard deviation of the Gaussian noise on y.
    shuffle : bool, default True
        Shuffle the samples and the features (``coef`` follows the features).
    coef : bool, default False
        Also return the true weights.
    random_state : int, Generator or None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    coef : ndarray of shape (n_features,) or (n_features, n_targets)
        Only with ``coef=True``.

    Examples
    --------
    >>> import numpy as np
    >>> X, y, w = make_regression(50, 5, n_informative=2, coef=True, random_state=0)
    >>> int(np.count_nonzero(w)), bool(np.allclose(X @ w, y))
    (2, True)
    """
    who = "make_regression"
    n = _check_int(n_samples, who, "n_samples")
    p = _check_int(n_features, who, "n_features")
    k = _check_int(n_informative, who, "n_informative", 0)
    t = _check_int(n_targets, who, "n_targets")
    sigma = _check_noise(noise, who)
    k = min(k, p)  # as scikit-learn: at most every feature is informative
    if not isinstance(bias, numbers.Real) or not np.isfinite(bias):
        raise ValueError(f"{who}: bias must be a finite float; got {bias!r}.")
    rng = np.random.default_rng(random_state)
    X = rng.standard_normal((n, p))
    w = np.zeros((p, t))
    w[:k] = 100.0 * rng.uniform(size=(k, t))
    y = X @ w + float(bias)
    if sigma:
        y = y + sigma * rng.standard_normal(y.shape)
    if shuffle:
        rows, cols = rng.permutation(n), rng.permutation(p)
        X, y = X[rows][:, cols], y[rows]
        w = w[cols]
    if t == 1:
        y, w = y[:, 0], w[:, 0]
    return (X, y, w) if coef else (X, y)
