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
and the safetensors layout (``_safetensors``). The same model and metadata always give
the same bytes: keys are sorted, arrays are named and ordered by their place in the tree.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from nabla.io import _safetensors as st
from nabla.io._atomic import atomic_write

FORMAT = "nabla"
FORMAT_VERSION = 1
MAX_DEPTH = 100  # levels of nesting in ``meta``; written files are checked against it too

Array = np.ndarray


# ---- trees of Python values with arrays in them -----------------------------------------
def _unique(name: str, arrays: dict[str, Array]) -> str:
    base, k = name or "array", 1
    while name in arrays or not name:
        name = f"{base}#{k}"
        k += 1
    return name


def _key_order(key: Any) -> tuple[str, str]:
    # a total, deterministic order for the keys a dict may have (mixed types included)
    return type(key).__name__, repr(key)


def encode_tree(value: Any, arrays: dict[str, Array], path: str = "", depth: int = 0) -> Any:
    """A JSON-able copy of ``value``; arrays move to ``arrays`` (named by their path).

    Dicts are encoded in sorted key order, so that equal trees give equal JSON and equal
    array names whatever order their keys were inserted in.
    """
    from nabla.autograd.tensor import Tensor

    if depth > MAX_DEPTH:
        raise ValueError(
            f"nabla.io: '{path}' is nested more than {MAX_DEPTH} levels deep (or refers to "
            f"itself); files hold at most {MAX_DEPTH} levels"
        )
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, (np.ndarray, np.generic)) and not isinstance(value, np.str_):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf" or arr.dtype.newbyteorder("<") not in st.DTYPES.values():
            raise TypeError(f"nabla.io: cannot store the {arr.dtype} array at '{path}'")
        name = _unique(path, arrays)
        arrays[name] = st.little_endian(arr)
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
        items = [encode_tree(v, arrays, f"{path}/{i}", depth + 1) for i, v in enumerate(value)]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {
                k: encode_tree(value[k], arrays, f"{path}/{k}", depth + 1) for k in sorted(value)
            }
        pairs = sorted(value.items(), key=lambda kv: _key_order(kv[0]))
        return {
            "__items__": [
                [
                    encode_tree(k, arrays, f"{path}/key{i}", depth + 1),
                    encode_tree(v, arrays, f"{path}/{k}", depth + 1),
                ]
                for i, (k, v) in enumerate(pairs)
            ]
        }
    raise TypeError(
        f"nabla.io: cannot store a {type(value).__name__} at '{path or '/'}' (only arrays, "
        f"numbers, strings, None, lists, tuples and dicts of them)"
    )


_MARKERS = {
    "__array__": {"__array__", "scalar"},
    "__float__": {"__float__"},
    "__tuple__": {"__tuple__"},
    "__items__": {"__items__"},
}


def decode_tree(value: Any, arrays: dict[str, Array], depth: int = 0) -> Any:
    """Invert :func:`encode_tree`; ``ValueError`` on anything it would not have written."""
    if depth > MAX_DEPTH:
        raise ValueError(f"it is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, list):
        return [decode_tree(v, arrays, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value  # a JSON str, number, bool or null
    marks = [k for k in value if k.startswith("__")]
    if not marks:
        return {k: decode_tree(v, arrays, depth + 1) for k, v in value.items()}
    mark = marks[0]
    if len(marks) > 1 or mark not in _MARKERS or not set(value) <= _MARKERS[mark]:
        raise ValueError(f"an object has unexpected keys {sorted(value)[:4]}")
    inner = value[mark]
    if mark == "__array__":
        scalar = value.get("scalar", False)
        if not isinstance(inner, str) or inner not in arrays:
            raise ValueError(f"refers to a missing array {str(inner)[:80]!r}")
        arr = arrays[inner]
        if not isinstance(scalar, bool) or (scalar and arr.ndim != 0):
            raise ValueError(f"the array {inner[:80]!r} is marked as a scalar but is not one")
        return arr[()] if scalar else arr
    if mark == "__float__":
        if inner not in ("nan", "inf", "-inf"):
            raise ValueError(f"bad float {str(inner)[:40]!r}")
        return float(inner)
    if not isinstance(inner, list):
        raise ValueError(f"{mark} holds a {type(inner).__name__}, not a list")
    if mark == "__tuple__":
        return tuple(decode_tree(v, arrays, depth + 2) for v in inner)
    out = {}
    for pair in inner:
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValueError("__items__ holds something other than [key, value] pairs")
        key = decode_tree(pair[0], arrays, depth + 3)
        try:
            hash(key)
        except TypeError:
            raise ValueError(f"a dict key is a {type(key).__name__} (not hashable)") from None
        out[key] = decode_tree(pair[1], arrays, depth + 3)
    return out


def json_depth(value: Any) -> int:
    """Levels of list / dict nesting in ``value`` (counting stops past ``MAX_DEPTH``)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            v = list(v.values())
        if not isinstance(v, (list, tuple)):
            continue
        deepest = max(deepest, d)
        if d > MAX_DEPTH:
            break
        stack.extend((c, d + 1) for c in v)
    return deepest


# ---- checksums ------------------------------------------------------------------------------
def _hash_array(h: Any, name: str, a: Array) -> None:
    h.update(json.dumps([name, a.dtype.str, list(a.shape)]).encode())
    h.update(a.reshape(-1).view(np.uint8))


def checksum(meta: str, arrays: dict[str, Array]) -> str:
    """SHA-256 over the metadata JSON and every array's name, dtype, shape and bytes."""
    h = hashlib.sha256(meta.encode())
    for name in sorted(arrays):
        _hash_array(h, name, st.little_endian(arrays[name]))
    return "sha256:" + h.hexdigest()


# ---- writing --------------------------------------------------------------------------------
def write_file(
    path: str | os.PathLike[str],
    kind: str,
    meta: Any,
    arrays: dict[str, Array],
    who: str,
    *,
    force: bool = False,
) -> Path:
    """Serialise ``arrays`` + ``meta`` canonically and write them atomically to ``path``.

    Raises ``ValueError`` (before anything is written) for a tree that :func:`read_file`
    would refuse: nested more than ``MAX_DEPTH`` levels, or a header over the size limit.
    """
    import nabla

    if json_depth(meta) > MAX_DEPTH:
        raise ValueError(f"{who}: the data is nested more than {MAX_DEPTH} levels deep")
    meta_json = json.dumps(meta, allow_nan=False, sort_keys=True)
    arrays = {k: st.little_endian(v) for k, v in arrays.items()}
    header = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "kind": kind,
        "nabla_version": nabla.__version__,
        "meta": meta_json,
        "checksum": checksum(meta_json, arrays),
    }
    head = st.encode_header(arrays, header)
    if len(head) - 8 > st.MAX_HEADER:
        raise ValueError(
            f"{who}: the metadata takes {len(head):,} bytes of JSON, over the "
            f"{st.MAX_HEADER:,}-byte limit of safetensors headers; store large data as arrays"
        )

    def write(f: Any) -> None:
        f.write(head)
        st.write_arrays(f, arrays)

    return atomic_write(path, write, who, force=force, force_hint=", or pass force=True")


# ---- reading --------------------------------------------------------------------------------
class NablaFile(st.Container):
    """An open nabla file whose header, metadata JSON, kind and version have been checked.

    ``tree`` is the parsed (not yet decoded) ``meta``; :meth:`read_arrays` reads the arrays
    and verifies the checksum, :meth:`decode` turns parts of ``tree`` back into values.
    """

    def __init__(self, path: str | os.PathLike[str], kinds: tuple[str, ...], who: str) -> None:
        super().__init__(path, who)
        try:
            self._check(kinds)
        except BaseException:
            self.close()
            raise

    def _check(self, kinds: tuple[str, ...]) -> None:
        meta = self.metadata
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise self._fail(
                "is a safetensors file but was not written by nabla.io (no nabla metadata); "
                "load plain arrays with nabla.io.load_state_dict"
            )
        version = meta.get("format_version", "")
        if not (version.isascii() and version.isdigit() and len(version) < 10):
            raise self._fail("has an unreadable format version")
        if int(version) > FORMAT_VERSION:
            raise self._fail(
                f"has format version {int(version)}; this nabla reads versions up to "
                f"{FORMAT_VERSION} (upgrade nabla)"
            )
        kind = meta.get("kind")
        if kind not in kinds:
            raise self._fail(f"holds a {str(kind)[:40]!r}, not a {' or '.join(map(repr, kinds))}")
        self.kind: str = kind
        self._meta_json = meta.get("meta", "")
        self._checksum = meta.get("checksum")
        try:
            self.tree = st.parse_json(self._meta_json)
        except ValueError as exc:
            raise self._fail(f"has invalid metadata: {exc}") from None

    def read_arrays(self, into: dict[str, Array] | None = None) -> dict[str, Array]:
        """Every array, verified against the checksum; an array named in ``into`` is read
        straight into that buffer (same dtype and shape, C-contiguous)."""
        h = hashlib.sha256(self._meta_json.encode())
        arrays = {}
        for name in sorted(self.entries):
            arrays[name] = a = self.read(name, (into or {}).get(name))
            _hash_array(h, name, a)
        if self._checksum != "sha256:" + h.hexdigest():
            raise self._fail("is corrupted: its checksum does not match its contents")
        return arrays

    def decode(self, value: Any, arrays: dict[str, Array]) -> Any:
        try:
            return decode_tree(value, arrays)
        except ValueError as exc:
            raise self._fail(f"has invalid metadata: {exc}") from None


def read_file(
    path: str | os.PathLike[str], kinds: tuple[str, ...], who: str
) -> tuple[str, Any, dict[str, Array]]:
    """Validate and read a nabla file; returns (kind, decoded meta, arrays).

    Checks, in order, before anything is returned: the file exists and is non-empty; it
    is not a pickle / zip / npy; its header fits the file and every array's byte range is
    consistent; it is a nabla file of a version we read and of an expected kind; the
    checksum matches; the metadata decodes.
    """
    with NablaFile(path, kinds, who) as f:
        arrays = f.read_arrays()
        return f.kind, f.decode(f.tree, arrays), arrays
