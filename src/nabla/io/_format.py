"""The nabla file: safetensors arrays plus JSON metadata, checked before anything is used.

Layout (the safetensors format, readable by any safetensors library)::

    8 bytes   little-endian length N of the header
    N bytes   JSON header: one entry per array (dtype, shape, offsets) and
              "__metadata__": {"format": "nabla", "format_version": "1", "kind": ...,
                               "nabla_version": ..., "meta": <JSON>, "checksum": "sha256:..."}
    the raw array bytes

``meta`` holds everything that is not an array (class names, configs, hyper-parameters,
history) as JSON; arrays nested anywhere in it are stored as safetensors tensors and
referenced as ``{"__array__": name}``. The checksum covers ``meta`` and every array's
name, dtype, shape and bytes. Nothing is ever unpickled: the only decoders used are JSON
and safetensors.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from nabla.data._files import check_readable_file
from nabla.io._atomic import atomic_write_bytes

FORMAT = "nabla"
FORMAT_VERSION = 1
_MAX_HEADER = 100 * 2**20  # the JSON header of any real model is far smaller

Array = np.ndarray


def _contiguous(a: Any) -> Array:
    # np.ascontiguousarray would turn a 0-d array into shape (1,)
    return np.require(np.asarray(a), requirements="C")


# ---- trees of Python values with arrays in them -----------------------------------------
def _unique(name: str, arrays: dict[str, Array]) -> str:
    base, k = name or "array", 1
    while name in arrays or not name:
        name = f"{base}#{k}"
        k += 1
    return name


def encode_tree(value: Any, arrays: dict[str, Array], path: str = "") -> Any:
    """A JSON-able copy of ``value``; arrays move to ``arrays`` (named by their path)."""
    from nabla.autograd.tensor import Tensor

    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, (np.ndarray, np.generic)) and not isinstance(value, np.str_):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"nabla.io: cannot store the {arr.dtype} array at '{path}'")
        name = _unique(path, arrays)
        arrays[name] = _contiguous(arr)
        ref: dict[str, Any] = {"__array__": name}
        if isinstance(value, np.generic):
            ref["scalar"] = True
        return ref
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        # JSON has no NaN / infinity; repr round-trips every finite float exactly
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, (list, tuple)):
        items = [encode_tree(v, arrays, f"{path}/{i}") for i, v in enumerate(value)]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: encode_tree(v, arrays, f"{path}/{k}") for k, v in value.items()}
        return {
            "__items__": [
                [encode_tree(k, arrays, f"{path}/key{i}"), encode_tree(v, arrays, f"{path}/{k}")]
                for i, (k, v) in enumerate(value.items())
            ]
        }
    raise TypeError(
        f"nabla.io: cannot store a {type(value).__name__} at '{path or '/'}' (only arrays, "
        f"numbers, strings, None, lists, tuples and dicts of them)"
    )


def decode_tree(value: Any, arrays: dict[str, Array]) -> Any:
    """Invert :func:`encode_tree`; raises ``ValueError`` on anything unexpected."""
    if isinstance(value, list):
        return [decode_tree(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        arr = arrays.get(value["__array__"])
        if arr is None:
            raise ValueError(f"refers to a missing array {value['__array__']!r}")
        return arr[()] if value.get("scalar") else arr
    if "__float__" in value:
        text = value["__float__"]
        if text not in ("nan", "inf", "-inf"):
            raise ValueError(f"bad float {text!r}")
        return float(text)
    if "__tuple__" in value:
        return tuple(decode_tree(v, arrays) for v in value["__tuple__"])
    if "__items__" in value:
        return {
            _hashable(decode_tree(k, arrays)): decode_tree(v, arrays) for k, v in value["__items__"]
        }
    return {k: decode_tree(v, arrays) for k, v in value.items()}


def _hashable(key: Any) -> Any:
    if isinstance(key, list):
        raise ValueError("a dict key is a list")
    return key


# ---- checksums ------------------------------------------------------------------------------
def checksum(meta: str, arrays: dict[str, Array]) -> str:
    """SHA-256 over the metadata JSON and every array's name, dtype, shape and bytes."""
    h = hashlib.sha256(meta.encode())
    for name in sorted(arrays):
        a = _contiguous(arrays[name])
        h.update(json.dumps([name, a.dtype.str, list(a.shape)]).encode())
        h.update(a.tobytes())
    return "sha256:" + h.hexdigest()


# ---- writing and reading --------------------------------------------------------------------
def write_file(
    path: str | os.PathLike[str], kind: str, meta: Any, arrays: dict[str, Array], who: str
) -> Path:
    """Serialise ``arrays`` + ``meta`` and write them atomically to ``path``."""
    from safetensors.numpy import save

    import nabla

    meta_json = json.dumps(meta, allow_nan=False, sort_keys=True)
    arrays = {k: _contiguous(v) for k, v in arrays.items()}
    header = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "kind": kind,
        "nabla_version": nabla.__version__,
        "meta": meta_json,
        "checksum": checksum(meta_json, arrays),
    }
    return atomic_write_bytes(path, save(arrays, metadata=header), who)


def _sniff(data: bytes, p: Path, who: str) -> None:
    """Refuse, by their first bytes, the formats that execute code or are not ours."""
    if data[:1] == b"\x80" and len(data) > 1 and 2 <= data[1] <= 5:
        raise ValueError(
            f"{who}: '{p}' is a Python pickle; nabla never unpickles files (a pickle can run "
            f"arbitrary code). Save models with nabla.io.save."
        )
    if data[:4] == b"PK\x03\x04":
        raise ValueError(
            f"{who}: '{p}' is a zip archive (e.g. a torch.save file, which contains a "
            f"pickle); nabla reads only safetensors files written by nabla.io"
        )
    if data[:6] == b"\x93NUMPY":
        raise ValueError(f"{who}: '{p}' is a NumPy .npy file, not a nabla file")


def read_header(data: bytes, p: Path, who: str) -> dict[str, Any]:
    """The safetensors JSON header of ``data``, validated against the data's size."""
    _sniff(data, p, who)
    if len(data) < 8:
        raise ValueError(f"{who}: '{p}' is truncated ({len(data)} bytes, no header)")
    n = int.from_bytes(data[:8], "little")
    if n > min(len(data) - 8, _MAX_HEADER):
        raise ValueError(
            f"{who}: '{p}' is truncated or not a safetensors file (the header claims {n:,} "
            f"bytes, the file has {len(data) - 8:,} after the length)"
        )
    try:
        header = json.loads(data[8 : 8 + n])
    except (UnicodeDecodeError, ValueError):
        raise ValueError(f"{who}: '{p}' is not a safetensors file (unreadable header)") from None
    if not isinstance(header, dict):
        raise ValueError(f"{who}: '{p}' is not a safetensors file (header is not an object)")
    return header


def read_file(
    path: str | os.PathLike[str], kinds: tuple[str, ...], who: str
) -> tuple[str, Any, dict[str, Array]]:
    """Validate and read a nabla file; returns (kind, decoded meta, arrays).

    Checks, in order, before anything is returned: the file exists and is non-empty; it
    is not a pickle / zip / npy; its header length fits the file; it is a nabla file of a
    version we read and of an expected kind; safetensors accepts it (offsets cover the
    data exactly); the checksum matches.
    """
    from safetensors import SafetensorError
    from safetensors.numpy import load

    p = check_readable_file(path, who)
    data = p.read_bytes()
    header = read_header(data, p, who)
    meta = header.get("__metadata__")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(
            f"{who}: '{p}' is a safetensors file but was not written by nabla.io (no nabla "
            f"metadata); load plain arrays with nabla.io.load_state_dict"
        )
    try:
        version = int(meta.get("format_version", ""))
    except ValueError:
        raise ValueError(f"{who}: '{p}' has an unreadable format version") from None
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{who}: '{p}' has format version {version}; this nabla reads versions up to "
            f"{FORMAT_VERSION} (upgrade nabla)"
        )
    kind = meta.get("kind")
    if kind not in kinds:
        raise ValueError(f"{who}: '{p}' holds a {kind!r}, not a {' or '.join(map(repr, kinds))}")
    try:
        arrays = load(data)
    except SafetensorError as exc:
        raise ValueError(f"{who}: '{p}' is truncated or corrupted: {exc}") from None
    meta_json = meta.get("meta", "")
    if meta.get("checksum") != checksum(meta_json, arrays):
        raise ValueError(f"{who}: '{p}' is corrupted: its checksum does not match its contents")
    try:
        tree = decode_tree(json.loads(meta_json), arrays)
    except ValueError as exc:
        raise ValueError(f"{who}: '{p}' has invalid metadata: {exc}") from None
    return kind, tree, arrays
