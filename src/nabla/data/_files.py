"""Checks every reader does before opening a user's file (shared by data and io)."""

from __future__ import annotations

import os
from pathlib import Path


def check_readable_file(path: str | os.PathLike[str], who: str) -> Path:
    """The path of an existing, non-empty regular file, or a clear error naming it.

    Raises
    ------
    FileNotFoundError
        Nothing exists at ``path``.
    IsADirectoryError
        ``path`` is a directory.
    ValueError
        The file is empty.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{who}: path must be a str or os.PathLike, got {type(path).__name__}")
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{who}: no such file: '{p}'")
    if p.is_dir():
        raise IsADirectoryError(f"{who}: '{p}' is a directory, not a file")
    if p.stat().st_size == 0:
        raise ValueError(f"{who}: '{p}' is empty (0 bytes)")
    return p
