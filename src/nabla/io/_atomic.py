"""Atomic file writes: a temporary sibling, fsync, then ``os.replace`` over the target.

A crash, a full disk, an exception or Ctrl-C at any point leaves either the previous file
or the complete new one, never a mixture: ``os.replace`` is atomic within one file system,
which is why the temporary file lives in the target's own folder.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _current_umask() -> int:
    # os.umask can only be read by setting it; done once, at import, before any threads
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def check_output_dir(path: str | os.PathLike[str], who: str, *, create: bool = True) -> Path:
    """An existing folder we can write into (created with its parents if ``create``).

    Raises
    ------
    NotADirectoryError, FileNotFoundError, PermissionError
        With a message naming the folder; a probe file is created and removed to check
        writability (``os.access`` is not enough for root or network file systems).
    """
    d = Path(path)
    if d.exists() and not d.is_dir():
        raise NotADirectoryError(f"{who}: output folder '{d}' exists and is not a folder")
    if not d.exists():
        if not create:
            raise FileNotFoundError(f"{who}: the folder '{d}' does not exist")
        try:
            d.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise type(exc)(
                f"{who}: cannot create the output folder '{d}': {exc.strerror or exc}"
            ) from None
    try:
        with tempfile.TemporaryFile(dir=d, prefix=".nabla-probe-"):
            pass
    except OSError as exc:
        raise PermissionError(
            f"{who}: cannot write into the output folder '{d}': {exc.strerror or exc}"
        ) from None
    return d


def _fsync_dir(folder: Path) -> None:
    # makes the rename itself durable; some file systems (and Windows) refuse, which only
    # weakens durability after a power cut, not atomicity
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, who: str) -> Path:
    """Write ``data`` to ``path`` atomically; the previous file survives any failure.

    The bytes go to a temporary file in the same folder (``.<name>.<random>.tmp``), which
    is flushed and fsynced, then renamed over ``path``. On any exception (KeyboardInterrupt
    included) the temporary file is removed and the exception propagates; ``path`` is then
    byte-identical to what it was.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{who}: path must be a str or os.PathLike, got {type(path).__name__}")
    p = Path(path)
    if p.is_dir():
        raise IsADirectoryError(f"{who}: '{p}' is a directory; give the path of a file")
    folder = p.parent
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        raise (FileNotFoundError if not folder.exists() else NotADirectoryError)(
            f"{who}: cannot write '{p}': the folder '{folder}' {what}"
        )
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{p.name}.", suffix=".tmp")
    except OSError as exc:
        raise PermissionError(
            f"{who}: cannot write into the folder '{folder}': {exc.strerror or exc}"
        ) from None
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        mode = (p.stat().st_mode & 0o777) if p.exists() else (0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as f:
            with contextlib.suppress(OSError):
                os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OSError(
                f"{who}: writing '{p}' failed ({exc.strerror or exc}); the previous file, if "
                f"any, is unchanged"
            ) from exc
        raise
    _fsync_dir(folder)
    return p
