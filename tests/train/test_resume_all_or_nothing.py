"""A resume applies the whole checkpoint or nothing.

Each corruption below is written into an otherwise good checkpoint (as a hostile or
damaged file would hold it); resuming from it must raise ValueError naming the file and
the bad field, and leave the trainer's model, optimiser, scheduler, random generators
and callback states byte-identical."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nabla import io, nn, optim
from nabla.data import GaussianNoise
from nabla.io._format import encode_tree, write_file
from nabla.train import Callback, EarlyStopping, ModelCheckpoint, Trainer


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, size=48)
    X = (np.eye(3)[y, :2] * 2 + rng.normal(scale=0.5, size=(48, 2))).astype(np.float32)
    return X, y


def _setup(ckpt: Path, extra: tuple[Callback, ...] = ()) -> Trainer:
    """Dropout with its own generator and nn.init's, Adam, a cosine schedule, two
    callbacks with state."""
    nn.init.manual_seed(3)
    net = nn.Sequential(
        nn.Linear(2, 8, rng=0), nn.ReLU(), nn.Dropout(0.2, rng=1), nn.Linear(8, 3, rng=2)
    )
    opt = optim.Adam(net.parameters(), lr=0.02)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=30)
    callbacks = [ModelCheckpoint(ckpt), EarlyStopping(monitor="loss", patience=50), *extra]
    return Trainer(
        net,
        nn.CrossEntropyLoss(),
        opt,
        scheduler=sched,
        scheduler_interval="batch",
        callbacks=callbacks,
        progress=False,
        seed=1,
    )


def _frozen(value: Any) -> Any:
    """A comparable copy: arrays as (dtype, shape, bytes)."""
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_frozen(v) for v in value]
    return value


def _everything(tr: Trainer) -> Any:
    return _frozen(
        {
            "model": tr.weights(),
            "optimizer": tr.optimizer.state_dict(),
            "scheduler": tr.scheduler.state_dict(),
            "rng": {k: g.bit_generator.state for k, g in tr.generators().items()},
            "callbacks": [cb.state_dict() for cb in tr.callbacks],
        }
    )


def _rewrite(good: Path, bad: Path, corrupt) -> None:
    c = io.load_checkpoint(good)
    tree = copy.deepcopy(
        {
            "epoch": c.epoch,
            "model_spec": c.model_spec,
            "model_state": c.model_state,
            "optimizer_class": c.optimizer_class,
            "optimizer_state": c.optimizer_state,
            "scheduler_class": c.scheduler_class,
            "scheduler_state": c.scheduler_state,
            "history": c.history,
            "rng_state": c.rng_state,
            "extra": c.extra,
        }
    )
    corrupt(tree)
    arrays: dict[str, np.ndarray] = {}
    write_file(bad, "checkpoint", encode_tree(tree, arrays), arrays, "test")


def _set(path: str, value: Any):
    """A corruption: the field at ``path`` (keys separated by '/') set to ``value``."""

    def corrupt(tree: dict) -> None:
        *parents, last = path.split("/")
        node = tree
        for key in parents:
            node = node[int(key) if isinstance(node, list) or key.isdigit() else key]
        node[int(last) if isinstance(node, list) or last.isdigit() else last] = value

    return corrupt


def _delete(path: str):
    def corrupt(tree: dict) -> None:
        *parents, last = path.split("/")
        node = tree
        for key in parents:
            node = node[key]
        del node[last]

    return corrupt


def _nan_buffer(tree: dict) -> None:
    tree["optimizer_state"]["state"][0]["exp_avg_sq"][1, 1] = np.nan


LOAD = r"load_checkpoint: '{path}' has an invalid "
FIT = r"Trainer\.fit: the checkpoint '{path}' has an invalid "
RESTORE = r"Checkpoint\.restore: '{path}' has an invalid "
CORRUPTIONS = {
    "epoch -3": (_set("epoch", -3), LOAD + r"epoch: expected an integer >= 0, got -3$"),
    "epoch 10**9": (
        _set("epoch", 10**9),
        FIT + r"epoch: 1000000000 completed epochs, but this run trains for 4 in all "
        r"\(epoch must be in 0\.\.4\)$",
    ),
    "epoch text": (_set("epoch", "2"), LOAD + r"epoch: expected an integer >= 0, got a str$"),
    "history short": (
        _set("history/loss", [0.5]),
        FIT + r"history\['loss'\]: expected 2 numbers, one per completed epoch$",
    ),
    "rng garbage": (
        _set("rng_state/model.2.rng/state", "garbage"),
        FIT + r"rng_state\['model\.2\.rng'\]: .+",
    ),
    "rng other generator": (
        _set("rng_state/nn.init/bit_generator", "MT19937"),
        FIT + r"rng_state\['nn\.init'\]: .+",
    ),
    "rng not a dict": (
        _set("rng_state/nn.init", [1, 2]),
        LOAD + r"rng_state\['nn\.init'\]: expected a dict, got a list$",
    ),
    "callback wait": (
        _set("extra/callbacks/1/state/wait", -1),
        r"Trainer\.fit: the checkpoint '{path}' has an invalid state of callback EarlyStopping "
        r"\(#2 of those that keep state\): EarlyStopping\.load_state_dict: 'wait' must be an "
        r"integer >= 0, got -1$",
    ),
    "callback best": (
        _set("extra/callbacks/1/state/best", "low"),
        r"callback EarlyStopping .*'best' must be a number or None, got a str$",
    ),
    "callback weights": (
        _set("extra/callbacks/1/state/best_weights/0.weight", np.zeros((3, 3), np.float32)),
        r"callback EarlyStopping .*'best_weights' holds '0\.weight' of shape \(3, 3\) "
        r"\(float32\), the model's is \(8, 2\) \(float32\)$",
    ),
    "callback checkpoint best": (
        _set("extra/callbacks/0/state/best", [1.0]),
        r"callback ModelCheckpoint .*'best' must be a number or None, got a list$",
    ),
    "callbacks not a list": (
        _set("extra/callbacks", "x"),
        FIT + r"extra\['callbacks'\]: expected a list",
    ),
    "optimizer buffer shape": (
        _set("optimizer_state/state/0/exp_avg", np.zeros(1, np.float32)),
        RESTORE + r"optimizer_state: Adam\.load_state_dict: state 'exp_avg' of parameter 0 "
        r"has shape \(1,\) but the parameter has shape \(8, 2\)$",
    ),
    "optimizer buffer NaN": (
        _nan_buffer,
        RESTORE + r"optimizer_state\['state'\]\[0\]\['exp_avg_sq'\]: it holds NaN or "
        r"infinite values$",
    ),
    "optimizer buffer text": (
        _set("optimizer_state/state/1/exp_avg", "x"),
        RESTORE + r"optimizer_state\['state'\]\[1\]\['exp_avg'\]: expected an array, got a str$",
    ),
    "optimizer step": (
        _set("optimizer_state/state/0/step", -2),
        RESTORE + r"optimizer_state\['state'\]\[0\]\['step'\]: expected an integer >= 0, got -2$",
    ),
    "optimizer lr": (
        _set("optimizer_state/param_groups/0/lr", -1.0),
        RESTORE + r"optimizer_state: .*lr.*-1\.0",
    ),
    "scheduler type": (
        _set("scheduler_state/T_max", "x"),
        RESTORE + r"scheduler_state\['T_max'\]: expected an integer, got a str$",
    ),
    "scheduler key": (_delete("scheduler_state/last_epoch"), RESTORE + r"scheduler_state: .+"),
    "scheduler NaN": (
        _set("scheduler_state/base_lrs", [float("nan")]),
        RESTORE + r"scheduler_state\['base_lrs'\]\[0\]: expected a number, got nan$",
    ),
    "model shape": (
        _set("model_state/0.weight", np.zeros((9, 2), np.float32)),
        RESTORE + r"model_state: it does not fit the model: 0\.weight has shape \(9, 2\), the "
        r"model needs \(8, 2\)$",
    ),
    "model not an array": (
        _set("model_state/0.bias", [0.0] * 8),
        LOAD + r"model_state\['0\.bias'\]: expected an array, got a list$",
    ),
}


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("good") / "good.ckpt"
    X, y = _data()
    _setup(path).fit((X, y), epochs=2, batch_size=16, transform=GaussianNoise(0.1, seed=3))
    return path


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_a_corrupted_checkpoint_changes_nothing(tmp_path: Path, good: Path, name: str) -> None:
    corrupt, pattern = CORRUPTIONS[name]
    bad = tmp_path / "bad.ckpt"
    _rewrite(good, bad, corrupt)
    X, y = _data()
    transform = GaussianNoise(0.1, seed=3)
    tr = _setup(tmp_path / "own.ckpt")
    tr.fit((X, y), epochs=1, batch_size=16, transform=transform)  # states worth keeping
    before = _everything(tr)
    bad_bytes = bad.read_bytes()
    with pytest.raises(ValueError) as info:
        tr.fit((X, y), epochs=4, batch_size=16, transform=transform, resume_from=bad)
    message = str(info.value)
    assert re.search(pattern.replace("{path}", re.escape(str(bad))), message), message
    assert str(bad) in message
    assert _everything(tr) == before
    assert bad.read_bytes() == bad_bytes


def test_after_failed_resumes_a_good_one_equals_an_uninterrupted_run(
    tmp_path: Path, good: Path
) -> None:
    X, y = _data()
    full = _setup(tmp_path / "full.ckpt")
    full.fit((X, y), epochs=4, batch_size=16, transform=GaussianNoise(0.1, seed=3))

    transform = GaussianNoise(0.1, seed=3)
    tr = _setup(tmp_path / "own.ckpt")
    for name in ("rng garbage", "callback wait", "optimizer buffer NaN"):
        bad = tmp_path / f"{name}.ckpt"
        _rewrite(good, bad, CORRUPTIONS[name][0])
        with pytest.raises(ValueError):
            tr.fit((X, y), epochs=4, batch_size=16, transform=transform, resume_from=bad)
    nn.init.manual_seed(123)  # any state: the checkpoint restores the generator
    tr.fit((X, y), epochs=4, batch_size=16, transform=transform, resume_from=good)
    assert _frozen(tr.weights()) == _frozen(full.weights())
    assert tr.history["loss"] == full.history["loss"]


class _Printer(Callback):
    """A stateless callback (a progress printer): it may come and go between resumes."""

    def on_epoch_end(self, trainer, epoch, logs):
        pass


@pytest.mark.parametrize("direction", ["added", "removed"])
def test_stateless_callbacks_may_differ_on_resume(
    tmp_path: Path, good: Path, direction: str
) -> None:
    X, y = _data()
    full = _setup(tmp_path / "full.ckpt")
    full.fit((X, y), epochs=3, batch_size=16, transform=GaussianNoise(0.1, seed=3))
    ckpt = tmp_path / "first.ckpt"
    first = _setup(ckpt, () if direction == "added" else (_Printer(),))
    first.fit((X, y), epochs=2, batch_size=16, transform=GaussianNoise(0.1, seed=3))
    again = _setup(tmp_path / "again.ckpt", (_Printer(),) if direction == "added" else ())
    again.fit(
        (X, y), epochs=3, batch_size=16, transform=GaussianNoise(0.1, seed=3), resume_from=ckpt
    )
    assert _frozen(again.weights()) == _frozen(full.weights())
