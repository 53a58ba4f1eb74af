"""What a convolutional network sees: its filters and the feature maps they produce.

Both are drawn as one mosaic image of tiles (one pixel of blank between tiles) on a
diverging colour scale centred on 0, so that a tile's values are the numbers themselves:
positive weights red, negative blue.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nabla.plot._figure import check_axes, new_axes, tile_mosaic


def _grid_columns(k: int) -> int:
    return max(1, math.ceil(math.sqrt(k)))


def _draw_mosaic(ax: Any, mosaic: NDArray, label: str) -> Any:
    m = float(np.nanmax(np.abs(mosaic))) or 1.0
    im = ax.imshow(mosaic, cmap="RdBu_r", vmin=-m, vmax=m, interpolation="nearest")
    ax.figure.colorbar(im, ax=ax, label=label, shrink=0.8)
    return im


def _filter_mosaic(weight: NDArray) -> tuple[NDArray, int]:
    """The mosaic of a weight ``(O, C, kh, kw)`` and its number of tile columns.

    One input channel: the ``O`` kernels in a near-square grid, row by row. Several: one
    row per output channel, one column per input channel.
    """
    out_c, in_c, kh, kw = weight.shape
    tiles = weight.reshape(out_c * in_c, kh, kw)
    n_cols = _grid_columns(out_c) if in_c == 1 else in_c
    return tile_mosaic(tiles, n_cols), n_cols


def _weight_of(conv: Any, who: str) -> NDArray:
    weight = getattr(conv, "weight", conv)
    data = getattr(weight, "data", weight)
    try:
        arr = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        arr = np.empty(0)
    if arr.ndim != 4 or arr.size == 0:
        raise TypeError(
            f"{who}: expected a Conv2d layer (or its weight of shape (out_channels, "
            f"in_channels, kh, kw)); got {type(conv).__name__} with a weight of shape "
            f"{arr.shape}."
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{who}: the weights have non-finite values; nothing sensible to draw.")
    return arr


def plot_filters(conv_layer: Any, *, ax: Any = None) -> Any:
    """The kernels of a convolution layer as a grid of small images.

    Parameters
    ----------
    conv_layer : nn.Conv2d or array-like of shape (out_channels, in_channels, kh, kw)
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` holds the mosaic: the tile of kernel
        ``(o, c)`` starts at row ``(t // n_cols) (kh + 1)`` and column
        ``(t % n_cols) (kw + 1)``, with ``t = o C + c``; a colour bar gives the scale.

    Examples
    --------
    >>> from nabla import nn
    >>> from nabla.plot import plot_filters
    >>> ax = plot_filters(nn.Conv2d(1, 6, 5, rng=0))  # 6 kernels 5 x 5 in a 2 x 3 grid
    >>> ax.images[0].get_array().shape
    (11, 17)
    """
    who = "plot_filters"
    check_axes(ax, who)
    weight = _weight_of(conv_layer, who)
    mosaic, _ = _filter_mosaic(weight)
    out_c, in_c, kh, kw = weight.shape

    ax = new_axes(ax)
    _draw_mosaic(ax, mosaic, "weight")
    if in_c == 1:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(f"{out_c} filters of {kh} x {kw}, row by row")
    else:
        ax.set_xticks(np.arange(in_c) * (kw + 1) + (kw - 1) / 2, range(in_c))
        ax.set_yticks(np.arange(out_c) * (kh + 1) + (kh - 1) / 2, range(out_c))
        ax.set_xlabel("input channel")
        ax.set_ylabel("output channel (filter)")
    ax.set_title(f"convolution filters ({out_c} x {in_c} x {kh} x {kw})")
    return ax


def _find_layer(model: Any, layer: Any, who: str) -> tuple[str, Any]:
    named = list(model.named_modules())
    for name, module in named:
        if (isinstance(layer, str) and name == layer) or module is layer:
            return name or type(module).__name__, module
    names = [n for n, _ in named if n]
    raise ValueError(f"{who}: {layer!r} is not a layer of the model; its layers are {names}.")


def _feature_maps(model: Any, x: ArrayLike, layer: Any, who: str) -> NDArray:
    """The output of ``layer`` (a sub-module of ``model`` or its name) for one input ``x``.

    ``model`` runs once in evaluation mode without recording gradients, and every module is
    put back in its former training mode; a forward hook on ``layer`` reads the output,
    shape ``(C, H, W)``.
    """
    from nabla.autograd.engine import no_grad
    from nabla.autograd.tensor import Tensor

    if not hasattr(model, "named_modules"):
        raise TypeError(f"{who}: model must be an nn.Module; got {type(model).__name__}.")
    name, module = _find_layer(model, layer, who)
    arr = np.asarray(getattr(x, "data", x))
    if arr.ndim == 4 and arr.shape[0] != 1:
        raise ValueError(
            f"{who}: x holds {arr.shape[0]} images; pass one, shape (C, H, W) or (1, C, H, W)."
        )
    if arr.ndim not in (3, 4):
        raise ValueError(f"{who}: x must be one image (C, H, W) or (1, C, H, W); got {arr.shape}.")
    params = list(model.parameters())
    dtype = params[0].data.dtype if params else np.float32
    batch = Tensor(arr.reshape((1, *arr.shape[-3:])).astype(dtype))
    seen: list[Any] = []
    modes = [(m, m.training) for m in model.modules()]  # parents before their children
    handle = module.register_forward_hook(lambda _m, _a, out: seen.append(out))
    try:
        model.eval()
        with no_grad():
            model(batch)
    finally:
        handle.remove()
        for m, mode in modes:  # a child's own mode overrides what its parent's call set
            m.train(mode)
    if not seen:
        raise ValueError(f"{who}: layer {name!r} did not run in the model's forward pass.")
    out = np.asarray(getattr(seen[-1], "data", seen[-1]), dtype=np.float64)
    if out.ndim != 4:
        raise ValueError(
            f"{who}: layer {name!r} outputs shape {out.shape}, not feature maps (N, C, H, W); "
            "pick a convolution, activation or pooling layer before the flattening."
        )
    return out[0]


def plot_feature_maps(model: Any, x: ArrayLike, layer: Any, *, ax: Any = None) -> Any:
    """The feature maps of one layer for one input image, as a grid of images.

    Parameters
    ----------
    model : nn.Module
        Run once in evaluation mode (dropout off, batch norm on its running statistics)
        without gradients; its training mode is restored afterwards.
    x : array-like or Tensor of shape (C, H, W) or (1, C, H, W)
        One image.
    layer : str or nn.Module
        The layer whose output to draw: its name in ``model.named_modules()``
        (``"features.0"``, ``"conv1"``) or the module itself.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` holds the channels' maps in a near-square grid, row by row (see
        ``plot_filters`` for the layout).

    Examples
    --------
    >>> import numpy as np
    >>> from nabla import nn
    >>> from nabla.plot import plot_feature_maps
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3, rng=0), nn.ReLU(), nn.MaxPool2d(2))
    >>> x = np.random.default_rng(0).normal(size=(1, 10, 10)).astype(np.float32)
    >>> ax = plot_feature_maps(net, x, layer="1")  # the ReLU: 4 maps of 8 x 8
    >>> ax.images[0].get_array().shape, ax.get_title()
    ((17, 17), "feature maps of layer '1' (ReLU): 4 x 8 x 8")
    """
    who = "plot_feature_maps"
    check_axes(ax, who)
    maps = _feature_maps(model, x, layer, who)
    name, module = _find_layer(model, layer, who)
    c, h, w = maps.shape
    mosaic = tile_mosaic(maps, _grid_columns(c))

    ax = new_axes(ax)
    _draw_mosaic(ax, mosaic, "activation")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel(f"{c} channels, row by row")
    ax.set_title(f"feature maps of layer {name!r} ({type(module).__name__}): {c} x {h} x {w}")
    return ax
