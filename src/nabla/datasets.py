"""Synthetic datasets with a known truth, for experiments and tests.

``make_sine`` is the 1-D regression problem of seed 000's bootstrap experiment: noisy
samples of a smooth function whose value is known everywhere, so the coverage of a
confidence band can be measured.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["make_sine", "sine"]


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
