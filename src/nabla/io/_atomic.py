"""Atomic file writes: a temporary sibling, fsync, then ``os.replace`` over the target.

A crash, a full disk, an exception or Ctrl-C at any point leaves either the previous file
or the complete new one, never a mixture: ``os.replace`` is atomic within one file system,
which is why the temporary file lives in the target's own folder.

A read-only target is refused, as ``open(path, "wb")`` refuses it, unless the caller
forces the write. A process killed during a save (``kill -9``) leaves its temporary file
behind; the next save to the same path removes it. Each save holds an exclusive ``flock``
on its temporary file from creation to rename, and the kernel drops that lock when the
process dies, so a temporary that can be locked belongs to no live save (where the
platform has no ``flock``, nothing is removed).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


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


def _check_replaceable(p: Path, who: str, force_hint: str) -> None:
    """Refuse to replace a read-only file (checked by its mode bits too: root may write
    anything, but a file the user made read-only is still one they meant to keep)."""
    try:
        st = p.stat()
    except OSError:
        return  # nothing there (or unreadable): the write itself reports any problem
    if stat.S_ISREG(st.st_mode) and (not st.st_mode & 0o222 or not os.access(p, os.W_OK)):
        raise PermissionError(
            f"{who}: '{p}' is read-only ({stat.filemode(st.st_mode)}) and was left unchanged; "
            f"make it writable (chmod u+w '{p}'){force_hint} to replace it"
        )


def _temporary_name(name: str) -> re.Pattern[str]:
    # tempfile.mkstemp(prefix=".NAME.", suffix=".tmp") adds 8 characters of [a-z0-9_]
    return re.compile(re.escape(f".{name}.") + r"[a-z0-9_]{8}\.tmp")


def _remove_if_abandoned(path: str) -> bool:
    """Delete the temporary file ``path`` if no live save holds its lock."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
            return False  # not a file we could have written
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # a save in progress holds it (or the file system has no locks)
        now = os.stat(path, follow_symlinks=False)
        if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
            return False  # renamed or replaced since we opened it
        os.unlink(path)
        return True
    finally:
        os.close(fd)


def remove_stale_temporaries(target: Path) -> list[str]:
    """Remove the temporary files that killed saves of ``target`` left behind.

    Only names ``.<target name>.<8 characters>.tmp`` in the target's folder are
    considered, only regular files owned by this user, and only those whose lock no live
    save holds. Never raises; returns the names removed.
    """
    if fcntl is None:
        return []
    pattern, removed = _temporary_name(target.name), []
    try:
        names = [e.name for e in os.scandir(target.parent) if pattern.fullmatch(e.name)]
    except OSError:
        return []
    for name in names:
        with contextlib.suppress(OSError):
            if _remove_if_abandoned(os.path.join(target.parent, name)):
                removed.append(name)
    return removed


def _locked_temporary(p: Path, who: str) -> tuple[int, str]:
    """A new temporary file next to ``p``, open and locked (see the module docstring)."""
    for _ in range(100):
        try:
            fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
        except OSError as exc:
            raise PermissionError(
                f"{who}: cannot write into the folder '{p.parent}': {exc.strerror or exc}"
            ) from None
        if fcntl is None:
            return fd, tmp
        with contextlib.suppress(OSError):  # a file system without locks: no cleaning
            fcntl.flock(fd, fcntl.LOCK_EX)
        if os.fstat(fd).st_nlink:
            return fd, tmp
        os.close(fd)  # another save took it for abandoned before we locked it: a new one
    raise OSError(f"{who}: could not create a temporary file next to '{p}'")


def atomic_write(
    path: str | os.PathLike[str],
    write: Callable[[BinaryIO], object],
    who: str,
    *,
    force: bool = False,
    force_hint: str = "",
) -> Path:
    """Call ``write(f)`` on a temporary file, then rename it over ``path`` atomically.

    The temporary file (``.<name>.<random>.tmp`` in the same folder) is flushed and
    fsynced, then renamed over ``path``. On any exception (KeyboardInterrupt included) the
    temporary file is removed and the exception propagates; ``path`` is then
    byte-identical to what it was. A read-only ``path`` raises ``PermissionError``
    (``force_hint`` is appended to its advice) unless ``force``; the replaced file keeps
    the previous file's permission bits.
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
    if not force:
        _check_replaceable(p, who, force_hint)
    remove_stale_temporaries(p)
    fd, tmp = _locked_temporary(p, who)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        mode = (p.stat().st_mode & 0o777) if p.exists() else (0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as f:
            with contextlib.suppress(OSError):
                os.fchmod(f.fileno(), mode)
            write(f)
            f.flush()
            os.fsync(f.fileno())
            if fcntl is not None:
                os.replace(tmp, p)  # still locked: no other save can take it for abandoned
        if fcntl is None:
            os.replace(tmp, p)  # Windows renames only closed files
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


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, who: str, *, force: bool = False
) -> Path:
    """Write ``data`` to ``path`` atomically; the previous file survives any failure.

    See :func:`atomic_write`: a read-only ``path`` raises ``PermissionError`` unless
    ``force=True``.
    """
    return atomic_write(path, lambda f: f.write(data), who, force=force)
