"""The one place where ops get their array module.

Every array that an op creates (zeros for a scatter, a mask, a constant) is made through
this module, so that a CuPy backend can later replace NumPy without touching each op.
"""

from __future__ import annotations

import numpy as np

xp = np
"""The array module in use (NumPy)."""

Array = np.ndarray

DEFAULT_FLOAT = np.float32
"""Networks default to float32, as in PyTorch; float64 wherever a user asks for it."""


def is_float(dtype: np.dtype) -> bool:
    return np.issubdtype(dtype, np.floating)
