"""Dataset loaders: scikit-learn's bundled datasets, MNIST-style IDX files, and CSV tables.

Nothing here touches the network. The bundled datasets are the small real datasets that
ship inside the scikit-learn package; IDX and CSV files are the user's own. Every reader
checks the file before reading it and refuses bad input with an error that names the
file and what is wrong.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from collections.abc import Callable

import numpy as np

from nabla.data._csv import CSVData, load_csv
from nabla.data._files import check_readable_file

__all__ = [
    "BUNDLED",
    "CSVData",
    "load_breast_cancer",
    "load_csv",
    "load_diabetes",
    "load_digits",
    "load_idx",
    "load_idx_pair",
    "load_iris",
    "load_wine",
]

Array = np.ndarray
PathLike = str | os.PathLike[str]


# ---- scikit-learn's bundled datasets -------------------------------------------------------
def load_digits(*, images: bool = False) -> tuple[Array, Array]:
    """The 1,797 handwritten digits (8x8 grey images, values 0..16), scaled to [0, 1].

    Parameters
    ----------
    images : bool, default False
        Return ``X`` of shape ``(1797, 1, 8, 8)`` (for convolutional networks) instead of
        ``(1797, 64)``.

    Returns
    -------
    X : ndarray of float32
    y : ndarray of int64, shape (1797,)
        The digit, 0..9.
    """
    from sklearn.datasets import load_digits as _load

    X, y = _load(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    if images:
        X = X.reshape(-1, 1, 8, 8)
    return X, y.astype(np.int64)


def _classification(loader: Callable[..., tuple[Array, Array]]) -> tuple[Array, Array]:
    X, y = loader(return_X_y=True)
    return X.astype(np.float32), y.astype(np.int64)


def load_iris() -> tuple[Array, Array]:
    """Fisher's iris: 150 flowers, 4 measurements (cm), 3 species (``y`` in 0..2)."""
    from sklearn.datasets import load_iris as _load

    return _classification(_load)


def load_wine() -> tuple[Array, Array]:
    """178 wines, 13 chemical measurements, 3 cultivars (``y`` in 0..2)."""
    from sklearn.datasets import load_wine as _load

    return _classification(_load)


def load_breast_cancer() -> tuple[Array, Array]:
    """569 tumours, 30 features, malignant (0) or benign (1)."""
    from sklearn.datasets import load_breast_cancer as _load

    return _classification(_load)


def load_diabetes() -> tuple[Array, Array]:
    """442 patients, 10 standardised features, a disease-progression score (regression)."""
    from sklearn.datasets import load_diabetes as _load

    X, y = _load(return_X_y=True)
    return X.astype(np.float32), y.astype(np.float32)


#: name -> (loader, task); the task is "classification" or "regression"
BUNDLED: dict[str, tuple[Callable[[], tuple[Array, Array]], str]] = {
    "digits": (load_digits, "classification"),
    "iris": (load_iris, "classification"),
    "wine": (load_wine, "classification"),
    "breast_cancer": (load_breast_cancer, "classification"),
    "diabetes": (load_diabetes, "regression"),
}


# ---- IDX (the MNIST file format) -----------------------------------------------------------
# third byte of the magic number -> big-endian element type
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
# deflate cannot compress better than about 1032:1, which bounds what a .gz file can hold
_GZIP_MAX_RATIO = 1032
_MAX_IDX_NDIM = 8


def _parse_idx_header(head: bytes, path: PathLike) -> tuple[np.dtype, tuple[int, ...], int]:
    """dtype, shape and header length from the first bytes of an IDX file."""
    if len(head) < 4:
        raise ValueError(f"load_idx: '{path}' is truncated: {len(head)} bytes, no IDX header")
    if head[0] != 0 or head[1] != 0 or head[2] not in _IDX_TYPES:
        # the file's bytes are not echoed; a gzip file without its suffix is named as such
        hint = "; it is gzip-compressed: name it *.gz" if head[:2] == b"\x1f\x8b" else ""
        raise ValueError(
            f"load_idx: '{path}' is not an IDX file: wrong magic number (expected "
            f"0x0000TTNN with type TT in {{{', '.join(f'{t:02x}' for t in _IDX_TYPES)}}})"
            f"{hint}"
        )
    ndim = head[3]
    if not 1 <= ndim <= _MAX_IDX_NDIM:
        raise ValueError(
            f"load_idx: '{path}' declares {ndim} dimensions; expected 1 to {_MAX_IDX_NDIM}"
        )
    header_len = 4 + 4 * ndim
    if len(head) < header_len:
        raise ValueError(
            f"load_idx: '{path}' is truncated: the header needs {header_len} bytes, "
            f"the file has {len(head)}"
        )
    shape = tuple(int.from_bytes(head[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.dtype(_IDX_TYPES[head[2]]), shape, header_len


def load_idx(path: PathLike) -> Array:
    """Read an IDX file (plain or gzip-compressed, by the ``.gz`` suffix) into an array.

    The header (magic number ``00 00 TT NN``, then ``NN`` big-endian uint32 sizes) is
    checked against the file's size before any array is allocated, so a corrupted header
    claiming absurd sizes is refused instead of exhausting memory.

    Returns
    -------
    ndarray
        In native byte order, with the header's shape and element type.

    Raises
    ------
    FileNotFoundError, IsADirectoryError
    ValueError
        Empty, truncated, too long, wrong magic number, or an impossible header.
    """
    p = check_readable_file(path, "load_idx")
    size = p.stat().st_size
    compressed = p.suffix == ".gz"
    try:
        with gzip.open(p, "rb") if compressed else open(p, "rb") as f:
            head = f.read(4)
            if len(head) == 4 and head[0] == 0 and head[1] == 0:
                head += f.read(4 * head[3])
            dtype, shape, header_len = _parse_idx_header(head, p)
            payload = math.prod(shape) * dtype.itemsize
            claim = f"the header claims shape {shape} of {dtype.name} ({payload:,} bytes)"
            if compressed:
                if header_len + payload > size * _GZIP_MAX_RATIO:
                    raise ValueError(
                        f"load_idx: '{p}' is corrupted: {claim}, more than a {size:,}-byte "
                        f"gzip file can hold"
                    )
            elif size != header_len + payload:
                what = "truncated" if size < header_len + payload else "too long"
                raise ValueError(
                    f"load_idx: '{p}' is {what}: {claim} but the file has "
                    f"{size - header_len:,} bytes after the header"
                )
            data = f.read(payload)
            if len(data) != payload:
                raise ValueError(
                    f"load_idx: '{p}' is truncated: {claim} but only {len(data):,} follow"
                )
            if compressed and f.read(1):
                raise ValueError(f"load_idx: '{p}' is too long: data follows the {claim}")
    except (EOFError, OSError, zlib.error) as exc:
        if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)):
            raise
        raise ValueError(f"load_idx: '{p}' is not a valid gzip/IDX file: {exc}") from None
    arr = np.frombuffer(data, dtype=dtype).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))


def load_idx_pair(images: PathLike, labels: PathLike, *, scale: bool = True) -> tuple[Array, Array]:
    """Images and labels from two IDX files (the MNIST layout).

    Parameters
    ----------
    images : path
        An IDX file of shape ``(n, h, w)`` (or ``(n, c, h, w)``); floating-point images
        must be finite in float32.
    labels : path
        An IDX file of shape ``(n,)`` with integer class labels in ``0..k-1``, ``k`` at
        most ``n`` (the label values size the network's output layer, so they are
        bounded by the number of samples).
    scale : bool, default True
        Divide 8-bit images by 255 (to [0, 1]).

    Returns
    -------
    X : ndarray of float32, shape (n, c, h, w)
    y : ndarray of int64, shape (n,)

    Raises
    ------
    ValueError
        Shapes that do not match, non-integer or out-of-range labels, NaN / infinite
        images; the message names the file and the bad value.
    """
    X = load_idx(images)
    y = load_idx(labels)
    if X.ndim not in (3, 4):
        raise ValueError(
            f"load_idx_pair: images '{images}' must have shape (n, h, w) or (n, c, h, w), "
            f"got {X.shape}"
        )
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(
            f"load_idx_pair: labels '{labels}' must be a 1-d integer array, got shape "
            f"{y.shape} of {y.dtype}"
        )
    if len(X) != len(y):
        raise ValueError(
            f"load_idx_pair: '{images}' has {len(X)} images but '{labels}' has {len(y)} "
            f"labels; they must match"
        )
    _check_labels(y, labels)
    if X.ndim == 3:
        X = X[:, None]
    if X.dtype.kind == "f":
        bad = ~(np.abs(X) <= np.finfo(np.float32).max)  # NaN, inf, or beyond float32
        if bad.any():
            i = int(np.argwhere(bad)[0][0])
            raise ValueError(
                f"load_idx_pair: images '{images}' hold NaN, infinite or out-of-float32-range "
                f"values (first in image {i}); every pixel must be a finite number"
            )
    Xf = X.astype(np.float32)
    if scale and X.dtype == np.uint8:
        Xf /= 255.0
    return Xf, y.astype(np.int64)


def _check_labels(y: Array, path: PathLike) -> None:
    """Class labels must be in 0..k-1 with k at most the number of samples."""
    if not len(y):
        return
    for i in (int(np.argmin(y)), int(np.argmax(y))):
        if not 0 <= int(y[i]) < len(y):
            raise ValueError(
                f"load_idx_pair: labels '{path}' hold {int(y[i])} (label {i}); class labels "
                f"must be integers in 0..k-1 with k at most the number of samples "
                f"({len(y)})"
            )
