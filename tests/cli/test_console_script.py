"""The installed ``nabla`` console script, run as a subprocess: results on stdout, one error
line on stderr without a traceback, and a real Ctrl-C (SIGINT) that leaves a checkpoint
from which ``--resume`` finishes the run."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nabla import io

NABLA = Path(sys.executable).parent / "nabla"

pytestmark = pytest.mark.skipif(not NABLA.is_file(), reason="the nabla script is not installed")


def _nabla(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NABLA), *argv], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_train_one_epoch(tmp_path: Path) -> None:
    out_dir = tmp_path / "o"
    done = _nabla("train", "--epochs", "1", "--no-progress", "--output", str(out_dir))
    assert done.returncode == 0, done.stderr
    assert re.search(r"^test accuracy: \d+\.\d\d% \(\d+/450\)$", done.stdout, re.M), done.stdout
    assert done.stderr == ""  # --no-progress: nothing on stderr
    assert io.load(out_dir / "model.safetensors") is not None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--epochs", "0"], "nabla train: error: --epochs must be >= 1, got 0"),
        (["evaluate", "missing.safetensors"], "nabla evaluate: error: "),
    ],
)
def test_bad_invocation_is_one_line_without_traceback(tmp_path: Path, argv, message) -> None:
    done = _nabla(*argv, "--output", str(tmp_path / "o")) if argv[0] == "train" else _nabla(*argv)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_argparse_error_exits_2_without_traceback() -> None:
    done = _nabla("train", "--epochs", "many")
    assert done.returncode == 2 and done.stdout == ""
    assert "invalid int value: 'many'" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child needs POSIX signals")
def test_ctrl_c_leaves_a_checkpoint_and_resume_finishes(tmp_path: Path) -> None:
    out_dir = tmp_path / "o"
    ckpt = out_dir / "checkpoint.safetensors"
    # batch size 1 makes an epoch take about half a second: the run is still going when
    # the first checkpoint (written atomically at the end of epoch 1) appears
    argv = ["train", "--model", "mlp", "--batch-size", "1", "--epochs", "8", "--no-progress"]
    proc = subprocess.Popen(
        [str(NABLA), *argv, "--output", str(out_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120  # generous: only a bound on a stuck process
        while not ckpt.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ckpt.exists(), "no checkpoint appeared"
        assert proc.poll() is None, "the run finished before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    epoch = io.load_checkpoint(ckpt).epoch
    assert 1 <= epoch < 8
    assert lines[0] == (
        f"nabla train: interrupted; the checkpoint of epoch {epoch} is in '{ckpt}'; "
        f"continue with: nabla train --resume --output {out_dir}"
    )
    assert not (out_dir / "model.safetensors").exists()
    done = _nabla("train", "--resume", "--output", str(out_dir), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "test accuracy:" in done.stdout and "(8 epochs)" in done.stdout
    history = json.loads((out_dir / "history.json").read_text())
    assert history["epoch"] == list(range(1, 9))
    assert io.load_checkpoint(ckpt).epoch == 8


def test_module_entry_point_matches_the_script() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nabla.cli", "train", "--epochs", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == "nabla train: error: --epochs must be >= 1, got 0\n"
