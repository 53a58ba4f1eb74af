"""CSV tables with a header row: the user's own data, read as numbers and checked.

The file is read row by row into float64 blocks (memory is about 8 bytes per cell, not a
Python object per cell), then cast to the working dtype; finiteness is checked after the
cast, so a value that overflows float32 is refused instead of becoming ``inf``. Errors
name the file, the line and the column, but never echo the file's cells: the header's
names are shown only where the caller asked for them (a missing column is answered with
the close matches to the name asked for, not with the whole header).
"""

from __future__ import annotations

import csv
import difflib
import math
import os
from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from nabla.data._files import check_readable_file

Array = np.ndarray
PathLike = str | os.PathLike[str]
_BLOCK = 4096  # rows per float64 block while reading


class CSVData(NamedTuple):
    """A numeric table read by :func:`load_csv`."""

    X: Array
    y: Array | None
    feature_names: list[str]
    classes: list[str] | None


def _missing(p: object, names: list[str], header: list[str], what: str) -> ValueError:
    """The error for columns the header lacks, with close matches to the names asked for."""
    hints = []
    lowered = {h.lower(): h for h in header}
    for name in names:
        close = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.6)
        if close:
            hints.append(f"for {name!r} did you mean {[lowered[c] for c in close]}?")
    hint = f"; {' '.join(hints)}" if hints else ""
    listed = f"{what} {names[0]!r}" if len(names) == 1 else f"{what}s {names!r}"
    return ValueError(
        f"load_csv: '{p}' has no {listed} in its header row ({len(header)} columns){hint}"
    )


def _parse_float(cell: str, path: PathLike, line: int, column: str) -> float:
    text = cell.strip()
    try:
        value = float(text)
    except ValueError:
        what = "an empty cell" if not text else "a non-numeric value"
        raise ValueError(
            f"load_csv: '{path}' line {line}, column {column!r}: {what}; every feature "
            f"must be a finite number"
        ) from None
    if not math.isfinite(value):
        raise ValueError(
            f"load_csv: '{path}' line {line}, column {column!r}: the value is not finite "
            f"(inf or NaN); every feature must be a finite number"
        )
    return value


def _header(reader: Iterator[list[str]], p: object) -> list[str]:
    """The first non-blank row, stripped; its names must be unique."""
    for row in reader:
        if any(c.strip() for c in row):
            header = [c.strip() for c in row]
            dups = sorted(name for name, k in Counter(header).items() if k > 1)
            if dups:
                raise ValueError(
                    f"load_csv: '{p}' has duplicate column names {dups}; every column needs "
                    f"its own name"
                )
            return header
    raise ValueError(f"load_csv: '{p}' has no header row")


def read_header(path: PathLike, *, delimiter: str = ",") -> list[str]:
    """The header row's column names (checked as :func:`load_csv` checks them)."""
    p = check_readable_file(path, "load_csv")
    with open(p, newline="", encoding="utf-8-sig") as f:
        try:
            return _header(csv.reader(f, delimiter=delimiter), p)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ValueError(f"load_csv: '{p}' is not a readable CSV file: {exc}") from None


def _out_of_range(values: Array, dtype: np.dtype) -> Array:
    """Mask of the float64 ``values`` that are not finite in ``dtype`` (NaN included)."""
    return ~(np.abs(values) <= np.finfo(dtype).max)


def load_csv(
    path: PathLike,
    target: str | None = None,
    *,
    columns: list[str] | None = None,
    delimiter: str = ",",
    dtype: type | np.dtype = np.float32,
) -> CSVData:
    """Read a CSV table with a header row; ``target`` names the column to predict.

    Parameters
    ----------
    path : path
        UTF-8 text (a leading byte-order mark is dropped); the header's names must be
        unique.
    target : str, optional
        Name of the target column. Numeric targets are returned as float64 (and must fit
        ``dtype``); a column with any non-numeric entry is taken as class names, encoded
        as 0..k-1 in sorted order (``classes``). Without ``target`` every column is a
        feature.
    columns : list of str, optional
        Read only these feature columns, in this order (others are not parsed).
    delimiter : str, default ","
    dtype : floating dtype, default float32
        The working dtype of ``X``; every feature must be finite in it.

    Returns
    -------
    CSVData
        ``X`` (``dtype``, shape (n, d)), ``y`` (or None), ``feature_names``, ``classes``.

    Raises
    ------
    FileNotFoundError, IsADirectoryError
    ValueError
        No header, duplicate or missing columns, ragged rows, empty / non-numeric /
        non-finite cells, values beyond ``dtype``'s range; the message names the file,
        the line and the column.
    """
    p = check_readable_file(path, "load_csv")
    work = np.dtype(dtype)
    if work.kind != "f":
        raise ValueError(f"load_csv: dtype must be a floating dtype, got {work}")
    with open(p, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, delimiter=delimiter)
        try:
            header = _header(reader, p)
            if target is not None and target not in header:
                raise _missing(p, [target], header, "target column")
            t = header.index(target) if target is not None else -1
            if columns is not None:
                missing = [c for c in columns if c not in header]
                if missing:
                    raise _missing(p, missing, header, "column")
                features = [header.index(c) for c in columns]
            else:
                features = [i for i in range(len(header)) if i != t]
            if not features:
                raise ValueError(f"load_csv: '{p}' has no feature columns besides {target!r}")
            blocks, lines, raw_y = [], [], []
            block = np.empty((_BLOCK, len(features)), dtype=np.float64)
            filled = 0
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                line = reader.line_num
                if len(cells) != len(header):
                    raise ValueError(
                        f"load_csv: '{p}' line {line} has {len(cells)} fields but the header "
                        f"has {len(header)}"
                    )
                block[filled] = [_parse_float(cells[i], p, line, header[i]) for i in features]
                filled += 1
                lines.append(line)
                if t >= 0:
                    raw_y.append(cells[t].strip())
                if filled == _BLOCK:
                    blocks.append(block)
                    block = np.empty_like(block)
                    filled = 0
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ValueError(f"load_csv: '{p}' is not a readable CSV file: {exc}") from None
    if not lines:
        raise ValueError(f"load_csv: '{p}' has a header but no data rows")
    blocks.append(block[:filled])
    X64 = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    big = _out_of_range(X64, work)
    if big.any():
        r, c = np.argwhere(big)[0]
        raise ValueError(
            f"load_csv: '{p}' line {lines[r]}, column {header[features[c]]!r}: the value is "
            f"beyond the range of {work.name} (|x| > {np.finfo(work).max:.4g}); rescale "
            f"the column"
        )
    X = X64.astype(work)
    del X64, blocks
    y: Array | None = None
    classes: list[str] | None = None
    if t >= 0:
        empty = [lines[i] for i, v in enumerate(raw_y) if not v]
        if empty:
            raise ValueError(f"load_csv: '{p}' line {empty[0]}: the target {target!r} is empty")
        try:
            y = np.array([float(v) for v in raw_y])
        except ValueError:
            # any non-number makes the column categorical: class names, sorted
            classes = sorted(set(raw_y))
            y = np.searchsorted(np.array(classes), np.array(raw_y)).astype(np.int64)
        else:
            bad = np.flatnonzero(_out_of_range(y, work))
            if bad.size:
                raise ValueError(
                    f"load_csv: '{p}' line {lines[bad[0]]}: the target {target!r} is not a "
                    f"finite number in the range of {work.name}"
                )
    return CSVData(X, y, [header[i] for i in features], classes)
