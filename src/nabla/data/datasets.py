"""Dataset loaders: scikit-learn's bundled datasets, MNIST-style IDX files, and CSV tables.

Nothing here touches the network. The bundled datasets are the small real datasets that
ship inside the scikit-learn package; IDX and CSV files are the user's own. Every reader
checks the file before reading it and refuses bad input with an error that names the
file and what is wrong.
"""

from __future__ import annotations

import csv
import gzip
import math
import os
import zlib
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from nabla.data._files import check_readable_file

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
        raise ValueError(
            f"load_idx: '{path}' is not an IDX file: wrong magic number "
            f"0x{head[:4].hex()} (expected 0x0000TTNN with type TT in "
            f"{{{', '.join(f'{t:02x}' for t in _IDX_TYPES)}}})"
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
        An IDX file of shape ``(n, h, w)`` (or ``(n, c, h, w)``).
    labels : path
        An IDX file of shape ``(n,)`` with integer labels.
    scale : bool, default True
        Divide 8-bit images by 255 (to [0, 1]).

    Returns
    -------
    X : ndarray of float32, shape (n, c, h, w)
    y : ndarray of int64, shape (n,)
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
    if X.ndim == 3:
        X = X[:, None]
    Xf = X.astype(np.float32)
    if scale and X.dtype == np.uint8:
        Xf /= 255.0
    return Xf, y.astype(np.int64)


# ---- CSV -----------------------------------------------------------------------------------
class CSVData(NamedTuple):
    """A numeric table read by :func:`load_csv`."""

    X: Array
    y: Array | None
    feature_names: list[str]
    classes: list[str] | None


def _parse_float(cell: str, path: PathLike, line: int, column: str) -> float:
    text = cell.strip()
    try:
        value = float(text)
    except ValueError:
        what = "an empty cell" if not text else f"non-numeric value {text!r}"
        raise ValueError(
            f"load_csv: '{path}' line {line}, column {column!r}: {what}; every feature "
            f"must be a finite number"
        ) from None
    if not math.isfinite(value):
        raise ValueError(
            f"load_csv: '{path}' line {line}, column {column!r}: {text!r} is not finite"
        )
    return value


def load_csv(
    path: PathLike,
    target: str | None = None,
    *,
    columns: list[str] | None = None,
    delimiter: str = ",",
) -> CSVData:
    """Read a CSV table with a header row; ``target`` names the column to predict.

    Parameters
    ----------
    path : path
    target : str, optional
        Name of the target column. Numeric targets are returned as float64; a column
        with any non-numeric entry is taken as class names, encoded as 0..k-1 in sorted
        order (``classes``). Without ``target`` every column is a feature.
    columns : list of str, optional
        Read only these feature columns, in this order (others are not parsed).
    delimiter : str, default ","

    Returns
    -------
    CSVData
        ``X`` (float32, shape (n, d)), ``y`` (or None), ``feature_names``, ``classes``.
    """
    p = check_readable_file(path, "load_csv")
    with open(p, newline="", encoding="utf-8") as f:
        try:
            rows = [(i + 1, r) for i, r in enumerate(csv.reader(f, delimiter=delimiter))]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ValueError(f"load_csv: '{p}' is not a readable CSV file: {exc}") from None
    rows = [(i, r) for i, r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ValueError(f"load_csv: '{p}' has no header row")
    header = [c.strip() for c in rows[0][1]]
    body = rows[1:]
    if not body:
        raise ValueError(f"load_csv: '{p}' has a header but no data rows")
    if target is not None and target not in header:
        raise ValueError(
            f"load_csv: '{p}' has no target column {target!r}; its columns are {header}"
        )
    t = header.index(target) if target is not None else -1
    if columns is not None:
        missing = [c for c in columns if c not in header]
        if missing:
            raise ValueError(
                f"load_csv: '{p}' lacks the column(s) {missing}; its columns are {header}"
            )
        features = [header.index(c) for c in columns]
    else:
        features = [i for i in range(len(header)) if i != t]
    if not features:
        raise ValueError(f"load_csv: '{p}' has no feature columns besides {target!r}")
    X = np.empty((len(body), len(features)), dtype=np.float64)
    raw_y: list[str] = []
    for r, (line, cells) in enumerate(body):
        if len(cells) != len(header):
            raise ValueError(
                f"load_csv: '{p}' line {line} has {len(cells)} fields but the header has "
                f"{len(header)}"
            )
        X[r] = [_parse_float(cells[i], p, line, header[i]) for i in features]
        if t >= 0:
            raw_y.append(cells[t].strip())
    y: Array | None = None
    classes: list[str] | None = None
    if t >= 0:
        empty = [body[i][0] for i, v in enumerate(raw_y) if not v]
        if empty:
            raise ValueError(f"load_csv: '{p}' line {empty[0]}: the target {target!r} is empty")
        try:
            y = np.array([float(v) for v in raw_y])
        except ValueError:
            # any non-number makes the column categorical: class names, sorted
            classes = sorted(set(raw_y))
            y = np.searchsorted(np.array(classes), np.array(raw_y)).astype(np.int64)
        else:
            bad = np.flatnonzero(~np.isfinite(y))
            if bad.size:
                raise ValueError(
                    f"load_csv: '{p}' line {body[bad[0]][0]}: the target {target!r} is "
                    f"{raw_y[bad[0]]!r}, not a finite number"
                )
    return CSVData(X.astype(np.float32), y, [header[i] for i in features], classes)
