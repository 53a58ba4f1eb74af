"""Atomic writes at the edges: a read-only target is refused (and left byte-identical)
unless forced, and the temporary files of saves killed with SIGKILL are removed by the next
save to the same path, without touching anything else or a save still in progress."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nabla import io, nn

ROOT = Path(__file__).resolve().parents[2]


def _net(seed: int = 0) -> nn.Sequential:
    return nn.Sequential(nn.Linear(3, 4, rng=seed), nn.ReLU(), nn.Linear(4, 2, rng=seed + 1))


def _weights(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.data.copy() for k, v in model.state_dict().items()}


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


_SAVERS = {
    "save": lambda path, seed, **kw: io.save(_net(seed), path, **kw),
    "save_state_dict": lambda path, seed, **kw: io.save_state_dict(
        _weights(_net(seed)), path, **kw
    ),
    "save_checkpoint": lambda path, seed, **kw: io.save_checkpoint(path, model=_net(seed), **kw),
}


# ---- 3: read-only targets ---------------------------------------------------------------------
@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
@pytest.mark.parametrize("saver", list(_SAVERS))
def test_a_read_only_file_is_not_replaced(tmp_path: Path, saver: str, mode: int) -> None:
    target = _SAVERS[saver](tmp_path / "m.safetensors", 0)
    before = target.read_bytes()
    target.chmod(mode)
    with pytest.raises(
        PermissionError,
        match=rf"{saver}: '.*m.safetensors' is read-only \(.*\) and was left unchanged; make "
        r"it writable \(chmod u\+w '.*m.safetensors'\), or pass force=True to replace it",
    ):
        _SAVERS[saver](target, 5)
    assert target.read_bytes() == before
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert _temporaries(tmp_path) == []
    # asked to, it replaces the file, which stays read-only
    _SAVERS[saver](target, 5, force=True)
    assert target.read_bytes() != before
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert _temporaries(tmp_path) == []


def test_atomic_write_bytes_refuses_a_read_only_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"a,b\n1,2\n")
    target.chmod(0o444)
    with pytest.raises(PermissionError, match=r"predict: '.*out.csv' is read-only .*chmod u\+w"):
        io.atomic_write_bytes(target, b"new", "predict")
    assert target.read_bytes() == b"a,b\n1,2\n"
    io.atomic_write_bytes(target, b"new", "predict", force=True)
    assert target.read_bytes() == b"new"


def test_a_writable_file_is_replaced_as_before(tmp_path: Path) -> None:
    target = io.save(_net(0), tmp_path / "m")
    target.chmod(0o640)
    io.save(_net(5), target)
    np.testing.assert_array_equal(io.load(target)[0].weight.data, _net(5)[0].weight.data)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


# ---- 5: temporary files of killed saves --------------------------------------------------------
# a save that stops after writing its temporary file (in fsync) until told to go on
_BLOCKED_SAVE = """
import os, stat, sys
from nabla import io, nn

real_fsync = os.fsync

def fsync(fd):
    if stat.S_ISREG(os.fstat(fd).st_mode):  # the temporary file, not the folder
        print("written", flush=True)
        sys.stdin.readline()
    real_fsync(fd)

os.fsync = fsync
net = nn.Sequential(nn.Linear(3, 4, rng=7), nn.ReLU(), nn.Linear(4, 2, rng=8))
io.save(net, sys.argv[1])
print("saved", flush=True)
"""


def _blocked_save(target: Path) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-c", _BLOCKED_SAVE, str(target)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout.readline() == "written\n"
    return child


def test_a_save_removes_the_temporaries_of_killed_saves(tmp_path: Path) -> None:
    target = io.save(_net(0), tmp_path / "m.safetensors")
    before = target.read_bytes()
    children = [_blocked_save(target) for _ in range(3)]  # each leaves the others' alone
    for child in children:
        child.send_signal(signal.SIGKILL)  # kill -9 after the data, before the rename
        child.wait(timeout=30)
        child.stdout.close()
        child.stdin.close()
    leftovers = _temporaries(tmp_path)
    assert len(leftovers) == 3 and all(p.startswith(".m.safetensors.") for p in leftovers)
    assert all((tmp_path / p).stat().st_size > 0 for p in leftovers)
    assert target.read_bytes() == before  # the killed saves never touched the file
    unrelated = {
        ".m.safetensors.tmp": "file",  # not the pattern: no random part
        ".m.safetensors.ABCDEFGH.tmp": "file",  # mkstemp never makes capitals
        ".m.safetensors.abcdefgh.tmp.bak": "file",
        "m.safetensors.abcdefgh.tmp": "file",  # no leading dot
        ".other.safetensors.abcdefgh.tmp": "file",  # another target's
        ".m.safetensors.dirdirdi.tmp": "dir",
        ".m.safetensors.linklink.tmp": "link",
        ".m.safetensors.notmines.tmp": "other user's",
    }
    for name, what in unrelated.items():
        p = tmp_path / name
        if what == "dir":
            p.mkdir()
        elif what == "link":
            p.symlink_to(target)
        else:
            p.write_bytes(b"keep")
    if os.geteuid() == 0:
        os.chown(tmp_path / ".m.safetensors.notmines.tmp", 65534, 65534)
    io.save(_net(5), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*unrelated, "m.safetensors"])
    files = [n for n, what in unrelated.items() if what not in ("dir", "link")]
    assert all((tmp_path / n).read_bytes() == b"keep" for n in files)
    assert (tmp_path / ".m.safetensors.linklink.tmp").is_symlink()
    np.testing.assert_array_equal(io.load(target)[0].weight.data, _net(5)[0].weight.data)


def test_a_save_in_progress_elsewhere_is_not_disturbed(tmp_path: Path) -> None:
    target = io.save(_net(0), tmp_path / "m.safetensors")
    child = _blocked_save(target)  # alive, its temporary file written and locked
    try:
        theirs = _temporaries(tmp_path)
        assert len(theirs) == 1
        io.save(_net(5), target)  # our save to the same path, meanwhile
        assert _temporaries(tmp_path) == theirs
        np.testing.assert_array_equal(io.load(target)[0].weight.data, _net(5)[0].weight.data)
        out, _ = child.communicate("go on\n", timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0 and out == "saved\n"  # it finished its save unharmed
    assert _temporaries(tmp_path) == []
    np.testing.assert_array_equal(io.load(target)[0].weight.data, _net(7)[0].weight.data)
