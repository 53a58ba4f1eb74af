"""Augmentation and normalisation of image batches (the course notes "DATA AUGMENTATION").

The notes' recipe: add cropped / flipped images and inject noise, so that the network
sees a slightly different training set every epoch. Each random transform acts on a whole
batch of shape ``(N, C, H, W)`` (``(N, ...)`` for noise) at once, draws every choice from
its own ``numpy.random.Generator`` (``seed``), never modifies its input, and keeps the
dtype. Use them at training time only (a ``DataLoader``'s ``transform``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Array = np.ndarray
Seed = int | np.random.Generator | None


def _check_prob(who: str, p: Any) -> float:
    if (
        isinstance(p, bool)
        or not isinstance(p, (int, float, np.integer, np.floating))
        or not 0 <= p <= 1
    ):
        raise ValueError(f"{who}: p must be a probability in [0, 1], got {p!r}")
    return float(p)


def _check_images(who: str, x: Any) -> Array:
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{who}: expected a batch of images of shape (N, C, H, W), got {x.shape}")
    return x


class Transform:
    """Base class: ``transform(batch) -> new batch``; random ones own ``self.rng``, a
    ``numpy.random.Generator`` (a trainer's checkpoint saves its state)."""

    def __call__(self, x: Array) -> Array:
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class RandomHorizontalFlip(Transform):
    """Mirror each image left-right with probability ``p``: ``x[..., ::-1]``.

    Parameters
    ----------
    p : float, default 0.5
        Probability that an image is flipped (drawn independently per image).
    seed : int or numpy.random.Generator, optional

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.data.transforms import RandomHorizontalFlip
    >>> x = np.arange(4.0).reshape(1, 1, 1, 4)
    >>> RandomHorizontalFlip(p=1.0, seed=0)(x)
    array([[[[3., 2., 1., 0.]]]])
    """

    def __init__(self, p: float = 0.5, seed: Seed = None) -> None:
        self.p = _check_prob("RandomHorizontalFlip", p)
        self.rng = np.random.default_rng(seed)

    def __call__(self, x: Array) -> Array:
        x = _check_images("RandomHorizontalFlip", x)
        flip = self.rng.random(len(x)) < self.p
        out = x.copy()
        out[flip] = x[flip, :, :, ::-1]
        return out

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class RandomCrop(Transform):
    """Pad each image by ``padding`` pixels, then cut a random ``size`` window out of it.

    With ``size`` equal to the image size and ``padding=k`` this shifts every image by a
    random offset in ``[-k, k]`` along each axis, filling the uncovered border with
    ``fill`` (the ±1-pixel shifts of the digits recipe are ``RandomCrop(8, padding=1)``).

    Parameters
    ----------
    size : int or (int, int)
        Output height and width.
    padding : int, default 0
        Pixels of ``fill`` added on every side before cropping.
    fill : float, default 0
        Value of the padding.
    seed : int or numpy.random.Generator, optional
    """

    def __init__(
        self, size: int | tuple[int, int], padding: int = 0, fill: float = 0.0, seed: Seed = None
    ) -> None:
        hw = (size, size) if isinstance(size, (int, np.integer)) else tuple(size)
        if len(hw) != 2 or any(
            isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in hw
        ):
            raise ValueError(f"RandomCrop: size must be a positive int or (h, w), got {size!r}")
        if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
            raise ValueError(f"RandomCrop: padding must be an integer >= 0, got {padding!r}")
        self.size = (int(hw[0]), int(hw[1]))
        self.padding = int(padding)
        self.fill = float(fill)
        self.rng = np.random.default_rng(seed)

    def __call__(self, x: Array) -> Array:
        x = _check_images("RandomCrop", x)
        p = self.padding
        h, w = self.size
        if p:
            x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=self.fill)
        H, W = x.shape[2:]
        if h > H or w > W:
            raise ValueError(
                f"RandomCrop: crop size {self.size} is larger than the padded image {(H, W)}"
            )
        n = len(x)
        top = self.rng.integers(0, H - h + 1, size=n)
        left = self.rng.integers(0, W - w + 1, size=n)
        # windows[n, c, i, j] is the (h, w) patch at (i, j): one gather picks every
        # image's own offset without a Python loop.
        windows = sliding_window_view(x, (h, w), axis=(2, 3))
        return np.ascontiguousarray(windows[np.arange(n), :, top, left])

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class GaussianNoise(Transform):
    """Add independent noise ``N(mean, std^2)`` to every entry (the notes' noise injection).

    Parameters
    ----------
    std : float
        Standard deviation (>= 0).
    mean : float, default 0
    seed : int or numpy.random.Generator, optional
    """

    def __init__(self, std: float, mean: float = 0.0, seed: Seed = None) -> None:
        if (
            isinstance(std, bool)
            or not isinstance(std, (int, float, np.integer, np.floating))
            or not std >= 0
        ):
            raise ValueError(f"GaussianNoise: std must be a real number >= 0, got {std!r}")
        if (
            isinstance(mean, bool)
            or not isinstance(mean, (int, float, np.integer, np.floating))
            or not np.isfinite(mean)
        ):
            raise ValueError(f"GaussianNoise: mean must be a finite real number, got {mean!r}")
        self.std = float(std)
        self.mean = float(mean)
        self.rng = np.random.default_rng(seed)

    def __call__(self, x: Array) -> Array:
        x = np.asarray(x)
        noise = self.rng.normal(self.mean, self.std, size=x.shape)
        dtype = x.dtype if x.dtype.kind == "f" else np.float32
        return (x + noise).astype(dtype, copy=False)

    def __repr__(self) -> str:
        return f"GaussianNoise(std={self.std}, mean={self.mean})"


class Standardize(Transform):
    """``(x - mean) / std``, feature by feature (deterministic).

    Parameters
    ----------
    mean, std : array_like
        Broadcast against one sample (shape ``x.shape[1:]`` or a suffix of it). ``std``
        entries must be > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla.data.transforms import Standardize
    >>> X = np.array([[1.0, 10.0], [3.0, 30.0]])
    >>> Standardize.fit(X)(X)
    array([[-1., -1.],
           [ 1.,  1.]])
    """

    def __init__(self, mean: Any, std: Any) -> None:
        mean = np.asarray(mean, dtype=np.float64)
        std = np.asarray(std, dtype=np.float64)
        if not np.all(np.isfinite(mean)):
            raise ValueError("Standardize: mean must be finite")
        if not np.all(np.isfinite(std)) or np.any(std <= 0):
            raise ValueError("Standardize: std must be finite and > 0 everywhere")
        self.mean = mean
        self.std = std

    @classmethod
    def fit(cls, X: Any, axis: int | tuple[int, ...] = 0) -> Standardize:
        """Mean and standard deviation of ``X`` over ``axis``; constant features get std 1."""
        X = np.asarray(X, dtype=np.float64)
        if X.size == 0:
            raise ValueError("Standardize.fit: X is empty")
        mean = X.mean(axis=axis)
        std = X.std(axis=axis)
        # a constant feature carries no information; dividing by 1 keeps it at zero
        std = np.where(std > 0, std, 1.0)
        return cls(mean, std)

    def __call__(self, x: Array) -> Array:
        x = np.asarray(x)
        dtype = x.dtype if x.dtype.kind == "f" else np.float32
        return ((x - self.mean) / self.std).astype(dtype, copy=False)

    def __repr__(self) -> str:
        return f"Standardize(mean shape={self.mean.shape}, std shape={self.std.shape})"


class Compose(Transform):
    """Apply transforms one after the other: ``t_k(...t_1(x))``."""

    def __init__(self, transforms: Sequence[Any]) -> None:
        transforms = list(transforms)
        for i, t in enumerate(transforms):
            if not callable(t):
                raise TypeError(f"Compose: transform {i} is not callable: {t!r}")
        self.transforms = transforms

    def __call__(self, x: Array) -> Array:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        return "Compose(" + ", ".join(repr(t) for t in self.transforms) + ")"
