r"""Line searches along a direction d: strong Wolfe (bracket and zoom) and backtracking.

Both look at :math:`\phi(t) = f(\theta + t d)`, with :math:`\phi'(t) = \nabla f(\theta +
t d)^\top d` and a descent direction (:math:`\phi'(0) < 0`).

* ``strong_wolfe`` finds :math:`t` with sufficient decrease (Armijo)
  :math:`\phi(t) \le \phi(0) + c_1 t \phi'(0)` and the strong curvature condition
  :math:`|\phi'(t)| \le c_2 |\phi'(0)|` (Nocedal & Wright, *Numerical Optimization*,
  Algorithms 3.5 and 3.6, with cubic interpolation, eq. 3.59), following the choices of
  minFunc and PyTorch's ``LBFGS`` so that trajectories agree with PyTorch's.
* ``backtracking`` shrinks :math:`t` until the Armijo condition holds.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

Array = np.ndarray
# phi(t) -> (f(theta + t d), grad f(theta + t d)) for a fixed theta and d
Phi = Callable[[float], tuple[float, Array]]


def cubic_minimizer(
    t1: float,
    f1: float,
    d1: float,
    t2: float,
    f2: float,
    d2: float,
    bounds: tuple[float, float] | None = None,
) -> float:
    r"""Minimiser of the cubic through :math:`(t_i, f_i)` with slopes :math:`d_i`, clipped.

    Nocedal & Wright eq. 3.59, with :math:`t_2` the larger point:

    .. math::
        \delta_1 = d_1 + d_2 - 3\frac{f_1 - f_2}{t_1 - t_2}, \quad
        \delta_2 = \sqrt{\delta_1^2 - d_1 d_2}, \quad
        t = t_2 - (t_2 - t_1)\frac{d_2 + \delta_2 - \delta_1}{d_2 - d_1 + 2\delta_2}.

    When the cubic has no real minimiser (:math:`\delta_1^2 < d_1 d_2`) the midpoint of
    the bounds is returned. ``bounds`` defaults to the interval between the two points.
    """
    lo, hi = bounds if bounds is not None else (min(t1, t2), max(t1, t2))
    delta1 = d1 + d2 - 3 * (f1 - f2) / (t1 - t2)
    disc = delta1**2 - d1 * d2
    if not disc >= 0:  # also when disc is NaN
        return (lo + hi) / 2.0
    delta2 = math.sqrt(disc)
    if t1 > t2:  # the formula wants (t2, f2, d2) to be the farther (larger) point
        t1, f1, d1, t2, f2, d2 = t2, f2, d2, t1, f1, d1
    t = t2 - (t2 - t1) * ((d2 + delta2 - delta1) / (d2 - d1 + 2 * delta2))
    return min(max(t, lo), hi)


class _Point:
    """A trial step: t, phi(t), the gradient there and phi'(t)."""

    __slots__ = ("f", "g", "slope", "t")

    def __init__(self, t: float, f: float, g: Array, slope: float) -> None:
        self.t, self.f, self.g, self.slope = t, f, g, slope


def strong_wolfe(
    phi: Phi,
    d: Array,
    t: float,
    f0: float,
    g0: Array,
    slope0: float,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, Array, float, int]:
    """Strong-Wolfe line search from ``t``; returns ``(f, g, t, evaluations)``.

    Bracketing phase: step forward (cubic extrapolation within ``[t + 0.01 (t - t_prev),
    10 t]``) until an interval is known to contain acceptable steps. Zoom phase: shrink it
    by cubic interpolation, moving trial points away from the ends when progress stalls,
    until the strong Wolfe conditions hold, the interval is shorter than
    ``tolerance_change`` (measured as ``|t_hi - t_lo| * max|d|``) or ``max_ls`` evaluations
    are spent. The best point seen (the low end) is returned.
    """
    d_norm = float(np.max(np.abs(d)))
    f_new, g_new = phi(t)
    evals = 1
    cur = _Point(t, f_new, g_new, float(g_new @ d))
    prev = _Point(0.0, f0, g0, slope0)
    start = prev
    bracket: list[_Point] | None = None
    it = 0
    while it < max_ls:
        armijo_fails = cur.f > f0 + c1 * cur.t * slope0
        if armijo_fails or (it > 1 and cur.f >= prev.f):
            bracket = [prev, cur]
            break
        if abs(cur.slope) <= -c2 * slope0:
            return cur.f, cur.g, cur.t, evals  # strong Wolfe holds at the first try
        if cur.slope >= 0:
            bracket = [prev, cur]
            break
        # extrapolate: the cubic's minimiser, at least 1% further, at most 10x as far
        lo, hi = cur.t + 0.01 * (cur.t - prev.t), cur.t * 10
        t_next = cubic_minimizer(prev.t, prev.f, prev.slope, cur.t, cur.f, cur.slope, (lo, hi))
        prev = cur
        f_new, g_new = phi(t_next)
        evals += 1
        cur = _Point(t_next, f_new, g_new, float(g_new @ d))
        it += 1
    if bracket is None:  # max_ls evaluations spent without a bracket
        bracket = [start, cur]

    # zoom: keep bracket[low] the point with the lower f
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    done = False
    insufficient_progress = False
    while not done and it < max_ls:
        a, b = bracket[0].t, bracket[1].t
        if abs(b - a) * d_norm < tolerance_change:
            break
        p, q = bracket
        t_next = cubic_minimizer(p.t, p.f, p.slope, q.t, q.f, q.slope)
        # a trial point within 10% of an end makes little progress: after two such
        # points in a row (or one outside the interval), move it to 10% from the end
        width = max(a, b) - min(a, b)
        margin = 0.1 * width
        if min(max(a, b) - t_next, t_next - min(a, b)) < margin:
            if insufficient_progress or t_next >= max(a, b) or t_next <= min(a, b):
                if abs(t_next - max(a, b)) < abs(t_next - min(a, b)):
                    t_next = max(a, b) - margin
                else:
                    t_next = min(a, b) + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = phi(t_next)
        evals += 1
        it += 1
        trial = _Point(t_next, f_new, g_new, float(g_new @ d))
        if trial.f > f0 + c1 * trial.t * slope0 or trial.f >= bracket[low].f:
            # no sufficient decrease, or no better than the low end: it becomes the high end
            bracket[high] = trial
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if abs(trial.slope) <= -c2 * slope0:
                done = True
            elif trial.slope * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]  # the minimiser lies between trial and old low
            bracket[low] = trial
    best = bracket[low]
    return best.f, best.g, best.t, evals


def backtracking(
    phi_f: Callable[[float], float],
    t: float,
    f0: float,
    slope0: float,
    c1: float = 1e-4,
    shrink: float = 0.5,
    max_ls: int = 30,
) -> tuple[float, float, int, bool]:
    r"""Armijo backtracking: try :math:`t, \rho t, \rho^2 t, \dots` until
    :math:`\phi(t) \le \phi(0) + c_1 t \phi'(0)`.

    Returns ``(t, phi(t), evaluations, accepted)``; ``accepted`` is False when ``max_ls``
    trials all failed (``t`` is then the last one tried).
    """
    evals = 0
    f_t = f0
    for _ in range(max_ls):
        f_t = phi_f(t)
        evals += 1
        if f_t <= f0 + c1 * t * slope0:
            return t, f_t, evals, True
        t *= shrink
    return t, f_t, evals, False
