"""The convolution and pooling options beyond ``conv.py``'s fast paths: grouped and
depthwise convolution, transposed convolution, padding modes, and pooling with
``ceil_mode``, dilation and ``divisor_override`` (resizing is in ``resample.py``).
``conv.py``'s ``Conv2d``, ``MaxPool2d`` and ``AvgPool2d`` stay
the ops used when none of these options is asked for.
"""

from __future__ import annotations

from typing import Any

from nabla.autograd.engine import Function
from nabla.autograd.ops.conv import _windows, lowest
from nabla.backend import xp as np

Array = np.ndarray
Pair = tuple[int, int]
Quad = tuple[int, int, int, int]  # (top, bottom, left, right)


def pool_out_size(n: int, k: int, p: int, s: int, d: int = 1, ceil_mode: bool = False) -> int:
    """Output length of a pooling window: floor (or ceil) of (n + 2p - d (k - 1) - 1) / s,
    plus 1; with ``ceil_mode`` the last window must start inside the input or the left
    padding (PyTorch's rule), so a window wholly in the right padding is dropped."""
    span = n + 2 * p - d * (k - 1) - 1
    if not ceil_mode:
        return span // s + 1
    out = -(-span // s) + 1
    if (out - 1) * s >= n + p:
        out -= 1
    return out


def _pad_const(x: Array, pads: Quad, value: Any = 0.0) -> Array:
    t, b, left, r = pads
    n, c, h, w = x.shape
    out = np.full((n, c, h + t + b, w + left + r), value, dtype=x.dtype)
    out[:, :, t : t + h, left : left + w] = x
    return out


def _im2col(xp: Array, k: Pair, out: Pair, s: Pair, d: Pair, groups: int) -> Array:
    """(N, G, C/G kh kw, OH OW) columns of the padded input xp (N, C, Hp, Wp)."""
    n, c = xp.shape[:2]
    win = _windows(xp, k[0], k[1], out[0], out[1], s, d)
    return win.reshape(n, groups, (c // groups) * k[0] * k[1], out[0] * out[1])


def _col2im(cols: Array, xp_shape: tuple[int, ...], k: Pair, out: Pair, s: Pair, d: Pair):
    """The adjoint of ``_im2col``: each column entry added back to the position of the padded
    input it was read from."""
    n, c = xp_shape[:2]
    (kh, kw), (oh, ow), (sh, sw), (dh, dw) = k, out, s, d
    g6 = cols.reshape(n, c, kh, kw, oh, ow)
    gxp = np.zeros(xp_shape, dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            y0, x0 = i * dh, j * dw
            gxp[:, :, y0 : y0 + sh * (oh - 1) + 1 : sh, x0 : x0 + sw * (ow - 1) + 1 : sw] += g6[
                :, :, i, j
            ]
    return gxp


class GroupedConv2d(Function):
    """Convolution with C and O split into G groups (G = C: depthwise):

    y[n, g O/G + o] = sum_{c < C/G, i, j} W[g O/G + o, c, i, j]
                      x_pad[n, g C/G + c, s_h y + d_h i, s_w x + d_w j] + b[.]

    Columns X_{n,g} (C/G kh kw, OH OW) per sample and group, y_{n,g} = W_g X_{n,g}.
    VJP: gW_g = sum_n g_{n,g} X_{n,g}^T; gb = sum of g over n, y, x; gX_{n,g} = W_g^T g_{n,g},
    then col2im (padding positions dropped).
    """

    def __init__(self, stride: Pair, padding: Pair, dilation: Pair, groups: int) -> None:
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups

    def forward(self, x: Array, w: Array, b: Array | None = None) -> Array:
        (ph, pw), s, d, g = self.padding, self.stride, self.dilation, self.groups
        o, _, kh, kw = w.shape
        xp = _pad_const(x, (ph, ph, pw, pw)) if ph or pw else x
        oh = pool_out_size(x.shape[2], kh, ph, s[0], d[0])
        ow = pool_out_size(x.shape[3], kw, pw, s[1], d[1])
        cols = _im2col(xp, (kh, kw), (oh, ow), s, d, g)
        wg = w.reshape(g, o // g, -1)
        y = np.matmul(wg, cols)  # (N, G, O/G, OH OW)
        self.w, self.cols, self.xp_shape, self.x_shape, self.out = (
            w,
            cols,
            xp.shape,
            x.shape,
            (oh, ow),
        )
        y = y.reshape(x.shape[0], o, oh, ow)
        if b is not None:
            y = y + b.reshape(1, o, 1, 1).astype(y.dtype, copy=False)
        return y

    def backward(self, gy: Array) -> tuple[Array | None, ...]:
        need, w, cols, g = self.needs_grad, self.w, self.cols, self.groups
        n, o, oh, ow = gy.shape
        g4 = gy.reshape(n, g, o // g, oh * ow)
        gx = gw = gb = None
        if need[1]:
            gw = np.matmul(g4, cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(w.shape)
        if len(need) > 2 and need[2]:
            gb = gy.sum(axis=(0, 2, 3))
        if need[0]:
            gcols = np.matmul(w.reshape(g, o // g, -1).transpose(0, 2, 1), g4)
            kh, kw = w.shape[2:]
            gxp = _col2im(gcols, self.xp_shape, (kh, kw), self.out, self.stride, self.dilation)
            (ph, pw), (h, wd) = self.padding, self.x_shape[2:]
            gx = gxp[:, :, ph : ph + h, pw : pw + wd]
        return (gx, gw, gb)[: len(need)]


class ConvTranspose2d(Function):
    """The adjoint of convolution with respect to its input (a "fractionally strided"
    convolution); x (N, C, H, W), W (C, O/G, kh, kw):

    y_full[n, g O/G + o, s_h y + d_h i, s_w x + d_w j] += sum_c W[g C/G + c, o, i, j]
                                                          x[n, g C/G + c, y, x]

    of size ((H - 1) s_h + d_h (kh - 1) + 1 + output_padding_h), cropped by ``padding`` on
    each side: H_out = (H - 1) s - 2p + d (k - 1) + output_padding + 1; plus b[o].
    VJP: g padded back to y_full's size, its windows G_{n,g} (O/G kh kw, H W) (a convolution
    of g): gx_{n,g} = W_g G_{n,g}, gW_g = sum_n x_{n,g} G_{n,g}^T, gb = sum of g.
    """

    def __init__(
        self, stride: Pair, padding: Pair, output_padding: Pair, dilation: Pair, groups: int
    ) -> None:
        self.stride, self.padding, self.output_padding = stride, padding, output_padding
        self.dilation, self.groups = dilation, groups

    def _full(self, h: int, w: int, kh: int, kw: int) -> Pair:
        (sh, sw), (dh, dw), (oph, opw) = self.stride, self.dilation, self.output_padding
        return (h - 1) * sh + dh * (kh - 1) + 1 + oph, (w - 1) * sw + dw * (kw - 1) + 1 + opw

    def forward(self, x: Array, w: Array, b: Array | None = None) -> Array:
        n, c, h, wd = x.shape
        _, og, kh, kw = w.shape
        g = self.groups
        wg = w.reshape(g, c // g, og * kh * kw)
        cols = np.matmul(wg.transpose(0, 2, 1), x.reshape(n, g, c // g, h * wd))
        hf, wf = self._full(h, wd, kh, kw)
        full = _col2im(cols, (n, g * og, hf, wf), (kh, kw), (h, wd), self.stride, self.dilation)
        ph, pw = self.padding
        y = full[:, :, ph : hf - ph, pw : wf - pw]
        self.x, self.w = x, w
        if b is not None:
            y = y + b.reshape(1, -1, 1, 1).astype(y.dtype, copy=False)
        return y

    def backward(self, gy: Array) -> tuple[Array | None, ...]:
        need, x, w, g = self.needs_grad, self.x, self.w, self.groups
        n, c, h, wd = x.shape
        kh, kw = w.shape[2:]
        hf, wf = self._full(h, wd, kh, kw)
        ph, pw = self.padding
        gfull = _pad_const(gy, (ph, hf - ph - gy.shape[2], pw, wf - pw - gy.shape[3]))
        gcols = _im2col(gfull, (kh, kw), (h, wd), self.stride, self.dilation, g)
        gx = gw = gb = None
        if need[0]:
            gx = np.matmul(w.reshape(g, c // g, -1), gcols).reshape(x.shape)
        if need[1]:
            xg = x.reshape(n, g, c // g, h * wd)
            gw = np.matmul(xg, gcols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(w.shape)
        if len(need) > 2 and need[2]:
            gb = gy.sum(axis=(0, 2, 3))
        return (gx, gw, gb)[: len(need)]


def _pad_index(n: int, before: int, after: int, mode: str) -> Array:
    """For each entry of a dimension of length n padded by (before, after), the index of
    the input entry it copies ('reflect', 'replicate' or 'circular')."""
    pos = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(pos, 0, n - 1)
    if mode == "circular":
        return pos % n
    period = 2 * (n - 1)  # reflect: ... 2 1 | 0 1 2 ... n-1 | n-2 ...
    if period == 0:
        return np.zeros_like(pos)
    r = pos % period
    return np.where(r < n, r, period - r)


class Pad(Function):
    """Padding of the last one or two dimensions. 'constant': y = x surrounded by ``value``;
    'reflect' / 'replicate' / 'circular': y[..., a, b] = x[..., r(a), c(b)] for index maps
    r, c (mirror without repeating the edge, repeat the edge, wrap around).

    VJP: 'constant' crops g; the others add each g entry to the input entry it copied,
    gx = R^T g C with the 0/1 matrices R[a, r(a)] = 1, C[b, c(b)] = 1.
    """

    def __init__(self, pads: tuple[int, ...], mode: str, value: float = 0.0) -> None:
        self.pads, self.mode, self.value = pads, mode, value  # (left, right[, top, bottom])

    def forward(self, x: Array) -> Array:
        self.x_shape = x.shape
        dims = len(self.pads) // 2
        if self.mode == "constant":
            width = [(0, 0)] * (x.ndim - dims)
            for k in range(dims - 1, -1, -1):
                width.append((self.pads[2 * k], self.pads[2 * k + 1]))
            self.width = width
            return np.pad(x, width, constant_values=np.asarray(self.value, dtype=x.dtype))
        self.idx = []
        y = x
        for k in range(dims):
            axis = x.ndim - 1 - k
            idx = _pad_index(x.shape[axis], self.pads[2 * k], self.pads[2 * k + 1], self.mode)
            self.idx.append((axis, idx))
            y = np.take(y, idx, axis=axis)
        return y

    def backward(self, g: Array) -> tuple[Array]:
        if self.mode == "constant":
            sl = tuple(slice(a, g.shape[i] - b) for i, (a, b) in enumerate(self.width))
            return (g[sl],)
        for axis, idx in self.idx:
            onehot = np.zeros((idx.size, self.x_shape[axis]), dtype=g.dtype)
            onehot[np.arange(idx.size), idx] = 1
            g = np.moveaxis(np.moveaxis(g, axis, -1) @ onehot, -1, axis)
        return (g,)


class Pool2dEx(Function):
    """Max or average pooling with dilation d and ``ceil_mode`` (windows may run past the
    right / bottom padding; those positions are ignored):

    max: y = max over x_pad[n, c, s_h y + d_h i, s_w x + d_w j] (padding -inf);
    avg: y = sum over the window / divisor, the divisor being ``divisor_override``, or the
    number of window positions inside the padded input (``count_include_pad``) or inside
    the input.

    VJP: max routes g to the first maximum of each window (row-major, as PyTorch); avg
    spreads g / divisor over the window.
    """

    def __init__(
        self,
        kind: str,
        kernel: Pair,
        stride: Pair,
        padding: Pair,
        dilation: Pair = (1, 1),
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        self.kind, self.kernel, self.stride, self.padding = kind, kernel, stride, padding
        self.dilation, self.ceil_mode = dilation, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def _geometry(self, h: int, w: int) -> tuple[Pair, Quad]:
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = (
            self.kernel,
            self.stride,
            self.padding,
            self.dilation,
        )
        oh = pool_out_size(h, kh, ph, sh, dh, self.ceil_mode)
        ow = pool_out_size(w, kw, pw, sw, dw, self.ceil_mode)
        # extra rows / columns past the right padding that the last window reads
        eh = max((oh - 1) * sh + dh * (kh - 1) + 1 - (h + 2 * ph), 0)
        ew = max((ow - 1) * sw + dw * (kw - 1) + 1 - (w + 2 * pw), 0)
        return (oh, ow), (ph, ph + eh, pw, pw + ew)

    def _slices(self, out: Pair) -> list[tuple[slice, slice]]:
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        oh, ow = out
        return [
            (
                slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
                slice(j * dw, j * dw + sw * (ow - 1) + 1, sw),
            )
            for i in range(kh)
            for j in range(kw)
        ]

    def _divisor(self, h: int, w: int, out: Pair, pads: Quad, dtype: Any) -> Array | float:
        if self.divisor_override is not None:
            return float(self.divisor_override)
        t, b, left, r = pads
        (ph, pw) = self.padding
        inside = np.zeros((1, 1, h + t + b, w + left + r), dtype=dtype)
        if self.count_include_pad:
            inside[:, :, : h + 2 * ph, : w + 2 * pw] = 1
        else:
            inside[:, :, ph : ph + h, pw : pw + w] = 1
        count = np.zeros((1, 1, *out), dtype=dtype)
        for rs, cs in self._slices(out):
            count += inside[:, :, rs, cs]
        return count

    def forward(self, x: Array) -> Array:
        h, w = x.shape[2:]
        out, pads = self._geometry(h, w)
        sl = self._slices(out)
        if self.kind == "max":
            xp = _pad_const(x, pads, lowest(x.dtype))
            y = xp[:, :, sl[0][0], sl[0][1]].copy()
            for r, c in sl[1:]:
                np.maximum(y, xp[:, :, r, c], out=y)
            self.xp, self.y = xp, y
        else:
            xp = _pad_const(x, pads)
            y = xp[:, :, sl[0][0], sl[0][1]].copy()
            for r, c in sl[1:]:
                y += xp[:, :, r, c]
            self.div = self._divisor(h, w, out, pads, x.dtype)
            y /= self.div
            self.xp_shape = xp.shape
        self.sl, self.pads, self.x_shape = sl, pads, x.shape
        return y

    def backward(self, g: Array) -> tuple[Array]:
        if self.kind == "max":
            gxp = np.zeros(self.xp.shape, dtype=g.dtype)
            found = None
            for r, c in self.sl:
                hit = np.equal(self.xp[:, :, r, c], self.y)
                first = hit if found is None else np.greater(hit, found)
                found = first if found is None else found | hit
                gxp[:, :, r, c] += g * first
        else:
            gxp = np.zeros(self.xp_shape, dtype=g.dtype)
            gd = g / self.div
            for r, c in self.sl:
                gxp[:, :, r, c] += gd
        t, _, left, _ = self.pads
        h, w = self.x_shape[2:]
        return (gxp[:, :, t : t + h, left : left + w],)
