"""Convolution and pooling on (N, C, H, W) arrays: conv2d via im2col and one matrix product
per sample, max-pooling as elementwise maxima of strided slices, average pooling.

Windows are strided views (``as_strided``) of the (padded) input: no Python loop over
positions. Output size along a dimension of size H with kernel k, padding p, stride s,
dilation d is floor((H + 2p - d (k - 1) - 1) / s) + 1 (the notes' (W - F + 2P) / S + 1).
"""

from __future__ import annotations

import sys
from typing import Any

from numpy.lib.stride_tricks import as_strided

from nabla.autograd.engine import Function
from nabla.autograd.ops.nn import ones_vector
from nabla.backend import xp as np  # the array module (NumPy; one place to swap)

Array = np.ndarray
Pair = tuple[int, int]


# ---- workspace: reusable large scratch arrays ---------------------------------------------
# A training step of a small CNN allocates and frees tens of MB of temporaries (im2col
# columns, padded images, pooling gradients). glibc returns that memory to the OS and takes
# it back on the next step, so every step pays thousands of page faults (measured: 1.5x the
# time of a LeNet-5 step). ``workspace`` hands out an array of a given shape and dtype from
# a small pool, reusing one only when nothing else references it -- its CPython reference
# count is that of an array held by the pool alone -- so reuse is never visible to a caller,
# whether the array was a temporary, an output, or became some tensor's ``.grad``.
_POOL: dict[tuple[tuple[int, ...], str], list[Array]] = {}
_POOL_MIN_BYTES = 1 << 17  # smaller arrays come from malloc's own free lists
_POOL_MAX_BYTES = 1 << 28
_POOL_PER_KEY = 4


def _first_ref_count(bufs: list[Array]) -> int:
    for a in bufs:
        return sys.getrefcount(a)
    return 0


def _first_free(bufs: list[Array], free: int) -> Array | None:
    # same frame layout as _first_ref_count, so the counts compare
    for a in bufs:
        if sys.getrefcount(a) <= free:
            return a
    return None


_FREE_REFS = _first_ref_count([np.empty(1)])


def workspace(shape: tuple[int, ...], dtype: Any) -> Array:
    """An uninitialised array of this shape and dtype, reused across calls when free."""
    dt = np.dtype(dtype)
    nbytes = dt.itemsize
    for n in shape:
        nbytes *= n
    if nbytes < _POOL_MIN_BYTES:
        return np.empty(shape, dtype=dt)
    key = (tuple(shape), dt.str)
    bufs = _POOL.get(key)
    if bufs is not None:
        a = _first_free(bufs, _FREE_REFS)
        if a is not None:
            return a
    a = np.empty(shape, dtype=dt)
    if bufs is None:
        bufs = _POOL[key] = []
    if len(bufs) < _POOL_PER_KEY and _pool_bytes() + nbytes <= _POOL_MAX_BYTES:
        bufs.append(a)
    return a


def _pool_bytes() -> int:
    return sum(a.nbytes for bufs in _POOL.values() for a in bufs)


def clear_workspace() -> None:
    """Forget the pooled scratch arrays (memory is freed once nothing else uses them)."""
    _POOL.clear()


def out_size(n: int, k: int, p: int, s: int, d: int = 1) -> int:
    """Output length of a window of size k, dilation d, stride s over n entries padded by p."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def lowest(dtype: Any) -> Any:
    """The value below every other of ``dtype``, the padding of max-pooling: -inf for floats,
    the minimum for integers, False for booleans."""
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return -np.inf
    if dt.kind in "iu":
        return np.iinfo(dt).min
    return False


def _pad(x: Array, ph: int, pw: int, value: Any = 0.0) -> Array:
    """x (N, C, H, W) padded by ph rows and pw columns on each side (one copy)."""
    if not ph and not pw:
        return x
    n, c, h, w = x.shape
    out = np.empty((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
    if value == 0:
        out.fill(0)
    else:
        out.fill(value)
    out[:, :, ph : ph + h, pw : pw + w] = x
    return out


def _windows(xp: Array, kh: int, kw: int, oh: int, ow: int, s: Pair, d: Pair) -> Array:
    """View of xp (N, C, Hp, Wp) with shape (N, C, kh, kw, oh, ow): entry [n, c, i, j, y, x]
    is xp[n, c, y s_h + i d_h, x s_w + j d_w]."""
    sn, sc, sh, sw = xp.strides
    return as_strided(
        xp,
        (xp.shape[0], xp.shape[1], kh, kw, oh, ow),
        (sn, sc, sh * d[0], sw * d[1], sh * s[0], sw * s[1]),
        writeable=False,
    )


class Conv2d(Function):
    """y[n, o] = sum_{c, i, j} W[o, c, i, j] x_pad[n, c, s_h y + d_h i, s_w x + d_w j] + b[o].

    Computed as im2col: the windows of each sample become the columns of a matrix
    X_n (C kh kw, OH OW) and y_n = W_2 X_n with W_2 = W reshaped to (O, C kh kw).

    VJP: gW_2 = sum_n g_n X_n^T; gb = sum of g over n, y, x; gX_n = W_2^T g_n, and gx is
    col2im of gX (each column entry added back to the input position it was read from;
    positions in the padding are dropped).

    With stride 1 the columns run over "extended" rows of the padded width Wp instead of OW:
    window offset (i, j) is then one contiguous run of the flattened image, at i d_h Wp +
    j d_w, so im2col and col2im move long runs instead of OW-sized pieces (NumPy's cost per
    run dominates otherwise). The Wp - OW extra columns per row are computed and dropped;
    their gradient is zero.
    """

    def __init__(self, stride: Pair = (1, 1), padding: Pair = (0, 0), dilation: Pair = (1, 1)):
        self.stride, self.padding, self.dilation = stride, padding, dilation

    def forward(self, x: Array, w: Array, b: Array | None = None) -> Array:
        n, c, h, wd = x.shape
        o, _, kh, kw = w.shape
        (ph, pw), s, d = self.padding, self.stride, self.dilation
        oh, ow = out_size(h, kh, ph, s[0], d[0]), out_size(wd, kw, pw, s[1], d[1])
        self.w, self.x_shape, self.out = w, x.shape, (oh, ow)
        self.flat = s == (1, 1)
        if self.flat:
            hp, wp = h + 2 * ph, wd + 2 * pw
            slack = d[1] * (kw - 1)  # the last window run reads this far past the image
            buf = workspace((n, c, hp * wp + slack), x.dtype)
            buf.fill(0)
            buf[:, :, : hp * wp].reshape(n, c, hp, wp)[:, :, ph : ph + h, pw : pw + wd] = x
            length = oh * wp
            sn, sc, se = buf.strides
            view = as_strided(
                buf,
                (n, c, kh, kw, length),
                (sn, sc, d[0] * wp * se, d[1] * se, se),
                writeable=False,
            )
            cols = workspace((n, c * kh * kw, length), x.dtype)
            cols.reshape(view.shape)[...] = view
            del buf, view  # the padded image can go back to the workspace
            self.ext = (hp, wp, slack)
        else:
            xp = _pad(x, ph, pw)
            cols = _windows(xp, kh, kw, oh, ow, s, d).reshape(n, c * kh * kw, oh * ow)
            self.xp_shape = xp.shape
        self.cols = cols
        dt = np.result_type(w, cols)
        y = np.matmul(w.reshape(o, -1), cols, out=workspace((n, o, cols.shape[2]), dt))
        # (N, O, columns): already in NCHW order
        if b is not None:
            y += b.reshape(1, o, 1).astype(y.dtype, copy=False)
        if self.flat:
            return y.reshape(n, o, oh, self.ext[1])[:, :, :, :ow]
        return y.reshape(n, o, oh, ow)

    def backward(self, g: Array) -> tuple[Array | None, ...]:
        need = self.needs_grad
        w, cols = self.w, self.cols
        n, o, oh, ow = g.shape
        if self.flat:
            # g on the extended rows, zero in the extra columns
            g4 = workspace((n, o, oh, self.ext[1]), g.dtype)
            g4[:, :, :, ow:] = 0
            g4[:, :, :, :ow] = g
            g3 = g4.reshape(n, o, oh * self.ext[1])
        else:
            g3 = g.reshape(n, o, oh * ow)
        gx = gw = gb = None
        if need[1]:
            # sum_n X_n g_n^T, transposed: OpenBLAS is about 2x faster this way round
            gw = np.matmul(cols, g3.transpose(0, 2, 1)).sum(axis=0).T.reshape(w.shape)
        if len(need) > 2 and need[2]:
            gb = ones_vector(n, g3.dtype) @ (g3 @ ones_vector(g3.shape[2], g3.dtype))
        if need[0]:
            if self.flat:
                # rows ordered (i, j, c): each kernel offset's block is contiguous per sample
                w2t = w.transpose(2, 3, 1, 0).reshape(-1, o)
            else:
                w2t = w.reshape(o, -1).T
            gcols = np.matmul(
                w2t, g3, out=workspace((n, w2t.shape[0], g3.shape[2]), np.result_type(w, g3))
            )
            gx = self._col2im_flat(gcols) if self.flat else self._col2im(gcols, w.shape)
        return (gx, gw, gb)[: len(need)]

    def _col2im_flat(self, gcols: Array) -> Array:
        n, c, h, wd = self.x_shape
        _, _, kh, kw = self.w.shape
        hp, wp, slack = self.ext
        (ph, pw), (dh, dw) = self.padding, self.dilation
        length = gcols.shape[-1]
        g5 = gcols.reshape(n, kh, kw, c, length)
        # one slack tail per image, so that the runs of different images never overlap
        gbuf = workspace((n, c, hp * wp + slack), gcols.dtype)
        gbuf.fill(0)
        for i in range(kh):
            for j in range(kw):
                off = i * dh * wp + j * dw
                gbuf[:, :, off : off + length] += g5[:, i, j]
        return gbuf[:, :, : hp * wp].reshape(n, c, hp, wp)[:, :, ph : ph + h, pw : pw + wd]

    def _col2im(self, gcols: Array, wshape: tuple[int, ...]) -> Array:
        n, c, h, wd = self.x_shape
        _, _, kh, kw = wshape
        oh, ow = self.out
        (ph, pw), (sh, sw), (dh, dw) = self.padding, self.stride, self.dilation
        g6 = gcols.reshape(n, c, kh, kw, oh, ow)
        gxp = np.zeros(self.xp_shape, dtype=gcols.dtype)
        for i in range(kh):
            y0 = i * dh
            for j in range(kw):
                x0 = j * dw
                gxp[:, :, y0 : y0 + sh * (oh - 1) + 1 : sh, x0 : x0 + sw * (ow - 1) + 1 : sw] += g6[
                    :, :, i, j
                ]
        if ph or pw:
            return gxp[:, :, ph : ph + h, pw : pw + wd]
        return gxp


def _slices(oh: int, ow: int, kh: int, kw: int, s: Pair) -> list[tuple[slice, slice]]:
    """The (rows, columns) slices of the padded input seen at each kernel offset (i, j)."""
    sh, sw = s
    return [
        (slice(i, i + sh * (oh - 1) + 1, sh), slice(j, j + sw * (ow - 1) + 1, sw))
        for i in range(kh)
        for j in range(kw)
    ]


class MaxPool2d(Function):
    """y[n, c, y, x] = max over the kh x kw window at (s_h y, s_w x) of x padded with -inf
    (with the smallest integer for integer data, False for booleans: ``lowest``).

    Computed as elementwise maxima of kh kw strided slices (no window array). NaN wins, as
    in PyTorch.

    VJP: each output's gradient goes to the first position of its window (row-major order)
    that holds the maximum, as PyTorch does; windows that overlap add up.
    """

    def __init__(self, kernel: Pair, stride: Pair, padding: Pair = (0, 0)) -> None:
        self.kernel, self.stride, self.padding = kernel, stride, padding

    def forward(self, x: Array) -> Array:
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        h, w = x.shape[2:]
        oh, ow = out_size(h, kh, ph, sh), out_size(w, kw, pw, sw)
        self.x_shape = x.shape
        if (kh, kw) == (sh, sw) and not (ph or pw) and (h, w) == (oh * kh, ow * kw):
            y = self._tiled_max(x, kh, kw, oh, ow)
            self.xp = x
        else:
            xp = _pad(x, ph, pw, lowest(x.dtype))
            sl = _slices(oh, ow, kh, kw, self.stride)
            y = xp[:, :, sl[0][0], sl[0][1]].copy()
            for r, col in sl[1:]:
                np.maximum(y, xp[:, :, r, col], out=y)
            self.xp = xp
        self.y = y
        return y

    @staticmethod
    def _tiled_max(x: Array, kh: int, kw: int, oh: int, ow: int) -> Array:
        # windows tile the input: reduce the kh rows of each band over whole contiguous rows
        # first, then the kw columns (long runs for NumPy instead of ow-sized pieces)
        n, c, _, w = x.shape
        bands = x.reshape(n * c * oh, kh, w)
        m = workspace((n * c * oh, w), x.dtype)
        if kh > 1:
            np.maximum(bands[:, 0], bands[:, 1], out=m)
        else:
            np.copyto(m, bands[:, 0])
        for i in range(2, kh):
            np.maximum(m, bands[:, i], out=m)
        cols = m.reshape(-1, ow, kw)
        y = workspace((n, c, oh, ow), x.dtype)
        y2 = y.reshape(-1, ow)
        if kw > 1:
            np.maximum(cols[:, :, 0], cols[:, :, 1], out=y2)
        else:
            np.copyto(y2, cols[:, :, 0])
        for j in range(2, kw):
            np.maximum(y2, cols[:, :, j], out=y2)
        return y

    def backward(self, g: Array) -> tuple[Array]:
        xp, y = self.xp, self.y
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        oh, ow = y.shape[2], y.shape[3]
        sl = _slices(oh, ow, kh, kw, self.stride)
        overlap = kh > sh or kw > sw
        if (kh, kw) == (sh, sw) and not (ph or pw):
            # windows tile the input: every entry they cover is written exactly once below
            gxp = workspace(xp.shape, g.dtype)
            if sh * oh < xp.shape[2] or sw * ow < xp.shape[3]:
                gxp.fill(0)  # rows / columns past the last window get no gradient
        else:
            gxp = workspace(xp.shape, g.dtype)
            gxp.fill(0)
        found = None  # windows whose maximum has been routed already (ties: the first wins)
        last = len(sl) - 1
        for k, (r, c) in enumerate(sl):
            hit = np.equal(xp[:, :, r, c], y)
            if found is None:
                first = found = hit
            else:
                first = np.greater(hit, found)  # hit and not found, on booleans
                if k < last:
                    found = found | hit
            if overlap:
                gxp[:, :, r, c] += g * first
            else:
                np.multiply(g, first, out=gxp[:, :, r, c])
        if ph or pw:
            h, w = self.x_shape[2:]
            return (gxp[:, :, ph : ph + h, pw : pw + w],)
        return (gxp,)


class AvgPool2d(Function):
    """y[n, c, y, x] = mean of the kh x kw window at (s_h y, s_w x) of x padded with zeros;
    the divisor is kh kw (``count_include_pad=True``) or the number of non-padding entries.

    VJP: each output's gradient divided by the divisor goes to every entry of its window.
    """

    def __init__(
        self, kernel: Pair, stride: Pair, padding: Pair = (0, 0), count_include_pad: bool = True
    ) -> None:
        self.kernel, self.stride, self.padding = kernel, stride, padding
        self.count_include_pad = count_include_pad

    def _divisor(self, h: int, w: int, dtype: Any) -> Array | float:
        (kh, kw), (ph, pw) = self.kernel, self.padding
        if self.count_include_pad or not (ph or pw):
            return float(kh * kw)
        ones = _pad(np.ones((1, 1, h, w), dtype=dtype), ph, pw)
        oh, ow = out_size(h, kh, ph, self.stride[0]), out_size(w, kw, pw, self.stride[1])
        count = np.zeros((1, 1, oh, ow), dtype=dtype)
        for r, c in _slices(oh, ow, kh, kw, self.stride):
            count += ones[:, :, r, c]
        return count

    def forward(self, x: Array) -> Array:
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        xp = _pad(x, ph, pw)
        oh, ow = out_size(x.shape[2], kh, ph, sh), out_size(x.shape[3], kw, pw, sw)
        sl = _slices(oh, ow, kh, kw, self.stride)
        y = xp[:, :, sl[0][0], sl[0][1]].copy()
        for r, c in sl[1:]:
            y += xp[:, :, r, c]
        self.div = div = self._divisor(x.shape[2], x.shape[3], x.dtype)
        y /= div
        self.sl, self.x_shape, self.xp_shape = sl, x.shape, xp.shape
        return y

    def backward(self, g: Array) -> tuple[Array]:
        gxp = np.zeros(self.xp_shape, dtype=g.dtype)
        gd = g / self.div
        for r, c in self.sl:
            gxp[:, :, r, c] += gd
        (ph, pw), (h, w) = self.padding, self.x_shape[2:]
        if ph or pw:
            return (gxp[:, :, ph : ph + h, pw : pw + w],)
        return (gxp,)
