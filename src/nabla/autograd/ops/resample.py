"""Resizing feature maps: the separable linear maps y = A_h x A_w^T (nearest and bilinear
interpolation, adaptive average pooling) and adaptive max pooling. Each matrix row holds the
weights one output entry gives the input entries along one dimension, as PyTorch defines
them.
"""

from __future__ import annotations

from nabla.autograd.engine import Function
from nabla.backend import xp as np

Array = np.ndarray
Pair = tuple[int, int]


class Separable2d(Function):
    """y[n, c] = A_h x[n, c] A_w^T for fixed matrices A_h (OH, H), A_w (OW, W): nearest and
    bilinear interpolation (rows of interpolation weights) and adaptive average pooling
    (rows of 1 / window length over each window).

    VJP: gx[n, c] = A_h^T g[n, c] A_w.
    """

    def __init__(self, ah: Array, aw: Array) -> None:
        self.ah, self.aw = ah, aw

    def forward(self, x: Array) -> Array:
        ah, aw = self.ah.astype(x.dtype, copy=False), self.aw.astype(x.dtype, copy=False)
        return np.matmul(np.matmul(ah, x), aw.T)

    def backward(self, g: Array) -> tuple[Array]:
        ah, aw = self.ah.astype(g.dtype, copy=False), self.aw.astype(g.dtype, copy=False)
        return (np.matmul(np.matmul(ah.T, g), aw),)


def nearest_matrix(n_in: int, n_out: int, scale: float | None) -> Array:
    """Row i is 1 at floor(i s) (capped at n_in - 1), s = 1 / scale_factor or n_in / n_out
    (PyTorch's 'nearest')."""
    s = n_in / n_out if scale is None else 1.0 / scale
    src = np.minimum(np.floor(np.arange(n_out) * np.float32(s)).astype(np.int64), n_in - 1)
    a = np.zeros((n_out, n_in))
    a[np.arange(n_out), src] = 1.0
    return a


def linear_matrix(n_in: int, n_out: int, align_corners: bool, scale: float | None) -> Array:
    """Row i interpolates linearly at source position t: i (n_in - 1) / (n_out - 1) with
    ``align_corners``, else max((i + 0.5) s - 0.5, 0) with s = 1 / scale_factor or
    n_in / n_out (PyTorch's 'bilinear', one dimension)."""
    i = np.arange(n_out, dtype=np.float64)
    if align_corners:
        t = i * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        s = n_in / n_out if scale is None else 1.0 / scale
        t = np.maximum((i + 0.5) * s - 0.5, 0.0)
    i0 = np.minimum(np.floor(t).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    frac = t - i0
    a = np.zeros((n_out, n_in))
    np.add.at(a, (np.arange(n_out), i0), 1.0 - frac)
    np.add.at(a, (np.arange(n_out), i1), frac)
    return a


def adaptive_bounds(n_in: int, n_out: int) -> list[tuple[int, int]]:
    """Window i covers [floor(i n_in / n_out), ceil((i + 1) n_in / n_out)) (PyTorch's)."""
    return [((i * n_in) // n_out, -(-((i + 1) * n_in) // n_out)) for i in range(n_out)]


def adaptive_avg_matrix(n_in: int, n_out: int) -> Array:
    a = np.zeros((n_out, n_in))
    for i, (lo, hi) in enumerate(adaptive_bounds(n_in, n_out)):
        a[i, lo:hi] = 1.0 / (hi - lo)
    return a


class AdaptiveMaxPool2d(Function):
    """y[n, c, i, j] = max of x[n, c] over rows [floor(i H / OH), ceil((i + 1) H / OH)) and
    the same columns of W. VJP: each g entry goes to the first maximum of its window
    (row-major), as PyTorch."""

    def __init__(self, out: Pair) -> None:
        self.out = out

    def forward(self, x: Array) -> Array:
        n, c, h, w = x.shape
        rows, cols = adaptive_bounds(h, self.out[0]), adaptive_bounds(w, self.out[1])
        y = np.empty((n, c, *self.out), dtype=x.dtype)
        self.arg = {}
        for i, (r0, r1) in enumerate(rows):
            for j, (c0, c1) in enumerate(cols):
                win = x[:, :, r0:r1, c0:c1].reshape(n, c, -1)
                k = np.argmax(win, axis=2)  # NaN wins: argmax returns the first NaN
                self.arg[i, j] = (r0 + k // (c1 - c0), c0 + k % (c1 - c0))
                y[:, :, i, j] = np.take_along_axis(win, k[:, :, None], axis=2)[:, :, 0]
        self.x_shape = x.shape
        return y

    def backward(self, g: Array) -> tuple[Array]:
        n, c = self.x_shape[:2]
        gx = np.zeros(self.x_shape, dtype=g.dtype)
        nn, cc = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
        for (i, j), (r, q) in self.arg.items():
            np.add.at(gx, (nn, cc, r, q), g[:, :, i, j])
        return (gx,)
