"""PyTorch's dtype names, as the NumPy scalar types they stand for.

``nabla.float32`` *is* ``numpy.float32``, so every ``dtype=`` in nabla and in NumPy takes
these names, and ``x.dtype == nabla.float`` compares as expected. PyTorch's short names
follow PyTorch: ``float`` is float32, ``double`` float64, ``half`` float16, ``long`` int64,
``int`` int32, ``short`` int16, ``bool`` NumPy's ``bool_``. NumPy has no bfloat16 and
nabla no complex tensors, so those names do not exist.

>>> import nabla
>>> nabla.ones(2, dtype=nabla.double).dtype
dtype('float64')
>>> nabla.tensor([1, 2]).dtype == nabla.long
True
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

float16 = half = np.float16
float32 = float = np.float32
float64 = double = np.float64
uint8 = np.uint8
int8 = np.int8
int16 = short = np.int16
int32 = int = np.int32
int64 = long = np.int64
bool = np.bool_

#: the names above, for ``nabla/__init__.py``
DTYPE_NAMES = (
    "bool",
    "double",
    "float",
    "float16",
    "float32",
    "float64",
    "half",
    "int",
    "int16",
    "int32",
    "int64",
    "int8",
    "long",
    "short",
    "uint8",
)


def resolve_dtype(dtype: Any, who: str) -> np.dtype | None:
    """``dtype`` (None, a NumPy dtype or a name above) as a ``numpy.dtype``.

    Refuses complex dtypes and non-numeric ones (``TypeError``), and PyTorch's own dtype
    objects with a hint to use nabla's names.
    """
    if dtype is None:
        return None
    if type(dtype).__module__ == "torch":
        raise TypeError(
            f"{who}: got PyTorch's dtype {dtype}; nabla takes NumPy dtypes: use "
            f"nabla.{builtins.str(dtype).removeprefix('torch.')} (or numpy.float32, ...)"
        )
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{who}: {dtype!r} is not a dtype; use e.g. nabla.float32") from None
    if dt.kind not in "biuf":
        raise TypeError(f"{who}: nabla tensors hold bool, integer or floating-point data, not {dt}")
    return dt
