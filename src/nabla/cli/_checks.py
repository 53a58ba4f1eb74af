"""Checks of command-line values, done before a command prints or writes anything.

Each raises ``ValueError`` (or the matching ``OSError``) whose message names the option,
the rule and the value given, as the dispatcher's one error line.
"""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path

#: the seeds every consumer accepts (scikit-learn's ``random_state`` stops at 2**32 - 1)
MAX_SEED = 2**32 - 1


def positive_finite(value: float, option: str) -> float:
    """``value`` if it is a finite number > 0."""
    if not (isinstance(value, (int, float)) and not isinstance(value, bool)) or not (
        math.isfinite(value) and value > 0
    ):
        raise ValueError(f"{option} must be a finite number > 0, got {value!r}")
    return float(value)


def finite_at_least_zero(value: float, option: str) -> float:
    """``value`` if it is a finite number >= 0."""
    if not (isinstance(value, (int, float)) and not isinstance(value, bool)) or not (
        math.isfinite(value) and value >= 0
    ):
        raise ValueError(f"{option} must be a finite number >= 0, got {value!r}")
    return float(value)


def int_in(value: int, option: str, low: int, high: int) -> int:
    """``value`` if it is an integer in ``low..high``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{option} must be an integer in {low}..{high}, got {value!r}")
    return value


def seed(value: int, option: str = "--seed") -> int:
    """A seed in 0..2**32-1 (the range scikit-learn's random_state accepts)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise ValueError(f"{option} must be an integer in 0..{MAX_SEED} (2**32 - 1), got {value!r}")
    return value


def replaceable_file(path: Path, option: str) -> Path:
    """``path`` can be written: its folder exists, and it is no folder nor a read-only
    file (refused now, not after the work)."""
    p = Path(path)
    if p.is_dir():
        raise IsADirectoryError(f"{option}: '{p}' is a directory; give a file path")
    if not p.parent.is_dir():
        raise FileNotFoundError(f"{option}: no directory '{p.parent}' to write {p.name}")
    try:
        st = p.stat()
    except OSError:
        return p  # nothing there yet
    if stat.S_ISREG(st.st_mode) and (not st.st_mode & 0o222 or not os.access(p, os.W_OK)):
        raise PermissionError(
            f"{option}: '{p}' is read-only ({stat.filemode(st.st_mode)}); make it writable "
            f"or choose another path"
        )
    return p
