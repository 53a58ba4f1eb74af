"""Confidence intervals from a bootstrap distribution: percentile, basic and BCa.

Shared by :func:`bootstrap_ci` (a statistic of the data) and :class:`BootstrapCI` (a
model's predictions). Conventions: the bootstrap distribution ``theta_b`` has the ``B``
resamples on axis 0; ``theta_hat`` is the estimate on the full data, of shape
``theta_b.shape[1:]``; quantiles interpolate linearly between order statistics (NumPy's
and SciPy's default, Hyndman and Fan's type 7).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

METHODS = ("percentile", "basic", "bca")


def check_interval_params(who: str, confidence: object, method: object) -> None:
    """Validate ``confidence`` and ``method`` before any work is done."""
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, (int, float, np.floating, np.integer))
        or not 0.0 < float(confidence) < 1.0
    ):
        raise ValueError(
            f"{who}: confidence must be a float strictly between 0 and 1 "
            f"(0.90 for a 90% interval); got {confidence!r}."
        )
    if method not in METHODS:
        raise ValueError(f"{who}: method must be one of {list(METHODS)}; got {method!r}.")


def quantile(sorted_b: NDArray[np.float64], p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Type-7 quantiles of ``sorted_b`` (sorted along axis 0) at per-element levels ``p``.

    With ``h = (B - 1) p`` and ``j = floor(h)``, the quantile is
    ``x_(j) + (h - j) (x_(j+1) - x_(j))``; ``p`` has the shape of one slice ``sorted_b[0]``
    (BCa moves the levels element by element), or is a scalar.
    """
    B = sorted_b.shape[0]
    p = np.broadcast_to(np.asarray(p, dtype=np.float64), sorted_b.shape[1:])
    h = (B - 1) * p
    lo = np.clip(np.floor(h), 0, B - 1)
    frac = h - lo
    lo_i = lo.astype(np.intp)
    hi_i = np.minimum(lo_i + 1, B - 1)
    x_lo = np.take_along_axis(sorted_b, lo_i[np.newaxis], axis=0)[0]
    x_hi = np.take_along_axis(sorted_b, hi_i[np.newaxis], axis=0)[0]
    return x_lo + frac * (x_hi - x_lo)


def bca_levels(
    theta_hat: NDArray[np.float64],
    theta_b: NDArray[np.float64],
    theta_jack: NDArray[np.float64] | list[NDArray[np.float64]],
    alpha: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The BCa levels ``(alpha_1, alpha_2)`` at which the bootstrap distribution is read.

    Efron and Tibshirani (1993), 14.3::

        z0 = Phi^-1( (#{theta_b < theta_hat} + #{theta_b <= theta_hat}) / (2 B) )
        a  = sum_i U_i^3 / (6 (sum_i U_i^2)^(3/2)),  U_i = (n - 1) (mean_j theta_(j) - theta_(i))
        alpha_1 = Phi( z0 + (z0 + z_a)   / (1 - a (z0 + z_a)) )
        alpha_2 = Phi( z0 + (z0 + z_1-a) / (1 - a (z0 + z_1-a)) )

    where ``theta_(i)`` is the estimate with observation ``i`` left out (the jackknife).
    ``theta_jack`` is one array of shape ``(n, ...)``, or a list of them for several
    independently resampled samples, whose sums then add up (as in SciPy).
    """
    from scipy.special import ndtr, ndtri

    B = theta_b.shape[0]
    # counting ties as half is what makes z0 = 0 for a symmetric distribution around theta_hat
    below = np.count_nonzero(theta_b < theta_hat, axis=0)
    below_eq = np.count_nonzero(theta_b <= theta_hat, axis=0)
    z0 = ndtri((below + below_eq) / (2.0 * B))

    jacks = theta_jack if isinstance(theta_jack, list) else [theta_jack]
    num = np.zeros(theta_hat.shape)
    den = np.zeros(theta_hat.shape)
    for jack in jacks:
        n = jack.shape[0]
        U = (n - 1) * (jack.mean(axis=0) - jack)
        num += np.sum(U**3, axis=0) / n**3
        den += np.sum(U**2, axis=0) / n**2
    with np.errstate(divide="ignore", invalid="ignore"):
        a = num / (6.0 * den**1.5)

    z_a = float(ndtri(alpha))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha_1 = ndtr(z0 + (z0 + z_a) / (1.0 - a * (z0 + z_a)))
        alpha_2 = ndtr(z0 + (z0 - z_a) / (1.0 - a * (z0 - z_a)))
    return np.asarray(alpha_1, dtype=np.float64), np.asarray(alpha_2, dtype=np.float64)


def interval(
    theta_hat: NDArray[np.float64],
    theta_b: NDArray[np.float64],
    confidence: float,
    method: str,
    theta_jack: NDArray[np.float64] | list[NDArray[np.float64]] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Lower and upper bounds of the two-sided ``confidence`` interval.

    With ``alpha = (1 - confidence) / 2`` and ``q(p)`` the quantile of ``theta_b``:

    * percentile: ``[q(alpha), q(1 - alpha)]``;
    * basic (reverse percentile): ``[2 theta_hat - q(1 - alpha), 2 theta_hat - q(alpha)]``;
    * bca: ``[q(alpha_1), q(alpha_2)]`` with the levels of :func:`bca_levels`.

    A BCa level that cannot be computed (a degenerate distribution) gives NaN bounds.
    """
    theta_hat = np.asarray(theta_hat, dtype=np.float64)
    theta_b = np.asarray(theta_b, dtype=np.float64)
    alpha = (1.0 - confidence) / 2.0
    sorted_b = np.sort(theta_b, axis=0)
    if method == "bca":
        if theta_jack is None:
            raise ValueError("the BCa interval needs the jackknife estimates theta_jack")
        level_1, level_2 = bca_levels(theta_hat, theta_b, theta_jack, alpha)
        bad = ~(np.isfinite(level_1) & np.isfinite(level_2))
        low = quantile(sorted_b, np.where(bad, 0.5, level_1))
        high = quantile(sorted_b, np.where(bad, 0.5, level_2))
        return np.where(bad, np.nan, low), np.where(bad, np.nan, high)
    q_low = quantile(sorted_b, np.asarray(alpha))
    q_high = quantile(sorted_b, np.asarray(1.0 - alpha))
    if method == "basic":
        return 2.0 * theta_hat - q_high, 2.0 * theta_hat - q_low
    return q_low, q_high
