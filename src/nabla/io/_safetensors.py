"""The safetensors container, written canonically and read without trusting the file.

Layout (the format every safetensors library reads)::

    8 bytes   little-endian length N of the header
    N bytes   JSON: {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets"}}
    the raw little-endian bytes of every array, back to back

Writing is canonical: sorted keys, no spaces, arrays ordered by item size (largest first,
so every array is aligned) then name, the header padded with spaces to a multiple of 8.
Identical arrays and metadata give identical bytes.

Reading checks the whole header before anything is allocated: its length against the file
and ``MAX_HEADER``, then every entry (a known dtype, a shape of non-negative ints whose
size matches its byte range, the ranges tiling the data exactly to the end of the file).
Arrays are then read one at a time by their offsets, straight into their final buffers:
memory is the size of the arrays, never a copy of the whole file.

Why not the ``safetensors`` package: its writer orders ``__metadata__`` through a hash map,
so two saves of the same model differ in their bytes (seen with safetensors 0.8), and
nabla must check the header against the model's description before reading any array.
The tests use the package as an independent writer and reader of the format.
"""

from __future__ import annotations

import io
import json
import math
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import numpy as np

from nabla.data._files import check_readable_file

MAX_HEADER = 100 * 2**20  # the safetensors libraries' own limit; real headers are far smaller
MAX_NDIM = 32  # NumPy's limit is 64; no model array comes close

# safetensors dtype name <-> little-endian NumPy dtype (the types NumPy can hold)
DTYPES = {
    "BOOL": np.dtype("|b1"),
    "U8": np.dtype("|u1"),
    "I8": np.dtype("|i1"),
    "U16": np.dtype("<u2"),
    "I16": np.dtype("<i2"),
    "F16": np.dtype("<f2"),
    "U32": np.dtype("<u4"),
    "I32": np.dtype("<i4"),
    "F32": np.dtype("<f4"),
    "U64": np.dtype("<u8"),
    "I64": np.dtype("<i8"),
    "F64": np.dtype("<f8"),
}
_NAMES = {dt: name for name, dt in DTYPES.items()}

Array = np.ndarray
C = TypeVar("C", bound="Container")


def little_endian(a: Any) -> Array:
    """``a`` as a C-contiguous little-endian array (a view when it already is one)."""
    a = np.asarray(a)
    return np.require(a, dtype=a.dtype.newbyteorder("<"), requirements="C")


def _bytes_of(a: Array) -> Array:
    # the array's memory as flat bytes, without a copy (0-d arrays included)
    return a.reshape(-1).view(np.uint8)


# ---- writing ---------------------------------------------------------------------------------
def encode_header(arrays: dict[str, Array], metadata: dict[str, str]) -> bytes:
    """The canonical 8-byte length + JSON header for little-endian contiguous ``arrays``.

    The arrays' bytes must follow in :func:`data_order`.
    """
    header: dict[str, Any] = {"__metadata__": metadata}
    offset = 0
    for name in data_order(arrays):
        a = arrays[name]
        if a.dtype not in _NAMES:
            raise TypeError(f"nabla.io: cannot store the {a.dtype} array {name!r}")
        header[name] = {
            "dtype": _NAMES[a.dtype],
            "shape": list(a.shape),
            "data_offsets": [offset, offset + a.nbytes],
        }
        offset += a.nbytes
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()
    text += b" " * (-len(text) % 8)  # as the safetensors writers do: arrays stay aligned
    return len(text).to_bytes(8, "little") + text


def data_order(arrays: dict[str, Array]) -> list[str]:
    """The order of the arrays' bytes in the file: largest item size first, then name."""
    return sorted(arrays, key=lambda k: (-arrays[k].dtype.itemsize, k))


def write_arrays(f: BinaryIO, arrays: dict[str, Array]) -> None:
    """Write each array's bytes (no copies) in :func:`data_order`."""
    for name in data_order(arrays):
        if arrays[name].nbytes:
            f.write(_bytes_of(arrays[name]).data)


# ---- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """One array of the file: its dtype, shape and byte range in the data section."""

    dtype: np.dtype
    shape: tuple[int, ...]
    begin: int
    end: int


def _sniff(head: bytes, p: Path, who: str) -> None:
    """Name the formats that are not safetensors by their first bytes."""
    # a safetensors file starts with a small length: bytes 4..7 are zero, byte 8 is '{'
    # (a header of 640, 896, ... bytes starts with 0x80 0x02..0x05, as a pickle does; the
    # file may also be cut short after the length)
    looks_like_safetensors = head[4:8] == b"\x00" * 4 and head[8:9] in (b"", b"{")
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        if not looks_like_safetensors:
            raise ValueError(
                f"{who}: '{p}' is a Python pickle; nabla never unpickles files (a pickle can "
                f"run arbitrary code). Save models with nabla.io.save."
            )
    if head[:4] == b"PK\x03\x04":
        raise ValueError(
            f"{who}: '{p}' is a zip archive (e.g. a torch.save file, which contains a "
            f"pickle); nabla reads only safetensors files written by nabla.io"
        )
    if head[:6] == b"\x93NUMPY":
        raise ValueError(f"{who}: '{p}' is a NumPy .npy file, not a nabla file")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        dup = next(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
        raise ValueError(f"the key {dup[:80]!r} appears twice")
    return out


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text: str | bytes) -> Any:
    """``json.loads`` that refuses NaN / Infinity and duplicate keys, and turns the deep
    nesting (RecursionError) and huge numbers of a hostile file into ``ValueError``."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("it is nested too deeply") from None
    except MemoryError:
        raise ValueError("it is too large to parse") from None
    except UnicodeDecodeError:
        raise ValueError("it is not UTF-8 text") from None
    except ValueError as exc:  # JSONDecodeError, or an int of more than 4,300 digits
        raise ValueError(str(exc)[:200]) from None


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _entry(name: str, spec: Any) -> Entry:
    if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data_offsets"}:
        raise ValueError(f"the entry of {name!r} is not {{dtype, shape, data_offsets}}")
    dtype, shape, offsets = spec["dtype"], spec["shape"], spec["data_offsets"]
    if not isinstance(dtype, str) or dtype not in DTYPES:
        raise ValueError(f"{name!r} has dtype {str(dtype)[:40]!r}; nabla reads {', '.join(DTYPES)}")
    if (
        not isinstance(shape, list)
        or len(shape) > MAX_NDIM
        or not all(_is_int(s) and s >= 0 for s in shape)
    ):
        raise ValueError(f"{name!r} has an invalid shape (a list of at most {MAX_NDIM} ints >= 0)")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(_is_int(o) for o in offsets)
        or not 0 <= offsets[0] <= offsets[1]
    ):
        raise ValueError(f"{name!r} has invalid data offsets")
    dt = DTYPES[dtype]
    if offsets[1] - offsets[0] != math.prod(shape) * dt.itemsize:
        raise ValueError(
            f"{name!r} has shape {shape} ({dtype}) but {offsets[1] - offsets[0]:,} bytes"
        )
    return Entry(dt, tuple(shape), offsets[0], offsets[1])


class Container:
    """An open safetensors file whose header has been checked (use as a context manager).

    Attributes
    ----------
    path : pathlib.Path
    metadata : dict of str to str, or None
        The header's ``__metadata__``.
    entries : dict of str to Entry
        Every array, in the header's order.
    """

    def __init__(self, path: str | os.PathLike[str], who: str) -> None:
        self.path = p = check_readable_file(path, who)
        self.who = who
        self._f: io.BufferedReader = open(p, "rb")  # closed by close() / __exit__
        try:
            self._read_header()
        except BaseException:
            self._f.close()
            raise

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._f.close()

    def _fail(self, what: str) -> ValueError:
        return ValueError(f"{self.who}: '{self.path}' {what}")

    def _read_header(self) -> None:
        size = os.fstat(self._f.fileno()).st_size
        head = self._f.read(16)
        n = int.from_bytes(head[:8], "little") if len(head) >= 8 else -1
        if not 2 <= n <= min(size - 8, MAX_HEADER) or head[8:9] != b"{":
            _sniff(head, self.path, self.who)
            if len(head) < 8:
                raise self._fail(f"is truncated ({size} bytes, no header)")
            if n > size - 8 or n > MAX_HEADER:
                raise self._fail(
                    f"is truncated or not a safetensors file (the header claims {n:,} bytes, "
                    f"the file has {size - 8:,} after the length)"
                )
        self._f.seek(8)
        text = self._f.read(n)
        if len(text) != n:
            raise self._fail("is truncated (it changed while being read)")
        try:
            header = parse_json(text)
        except ValueError as exc:
            raise self._fail(f"is not a safetensors file (unreadable header: {exc})") from None
        if not isinstance(header, dict):
            raise self._fail("is not a safetensors file (header is not an object)")
        meta = header.pop("__metadata__", None)
        if meta is not None and not (
            isinstance(meta, dict) and all(isinstance(v, str) for v in meta.values())
        ):
            raise self._fail("is not a safetensors file (__metadata__ is not {str: str})")
        self.metadata: dict[str, str] | None = meta
        try:
            self.entries = {k: _entry(k, v) for k, v in header.items()}
        except ValueError as exc:
            raise self._fail(f"is corrupted or unsupported: {exc}") from None
        self._start = 8 + n
        end = 0
        for e in sorted(self.entries.values(), key=lambda e: (e.begin, e.end)):
            if e.begin != end:
                raise self._fail("is corrupted: its arrays' byte ranges overlap or leave gaps")
            end = e.end
        if self._start + end != size:
            raise self._fail(
                f"is truncated or corrupted: its arrays take {end:,} bytes, the file has "
                f"{size - self._start:,} after the header"
            )

    def read(self, name: str, out: Array | None = None) -> Array:
        """The array ``name``, read into ``out`` (same dtype and shape, C-contiguous) or a
        new array."""
        e = self.entries[name]
        if out is None:
            out = np.empty(e.shape, e.dtype)
        buf = _bytes_of(out).data
        self._f.seek(self._start + e.begin)
        done = 0
        while done < len(buf):
            k = self._f.readinto(buf[done:])
            if not k:
                raise self._fail("is truncated (it changed while being read)")
            done += k
        if e.dtype.kind == "b" and np.any(_bytes_of(out) > 1):
            raise self._fail(f"is corrupted: the bool array {name!r} holds values other than 0/1")
        return out
