"""EarlyStopping, ModelCheckpoint and SnapshotEnsemble."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import nabla
from nabla import io, nn, optim
from nabla.train import EarlyStopping, ModelCheckpoint, SnapshotEnsemble, Trainer


def _data(n: int = 96, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype(np.float32)
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64)


def _net() -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 8, rng=0), nn.ReLU(), nn.Linear(8, 2, rng=1))


def _trainer(net: nn.Module, callbacks, lr: float = 0.05, **kw) -> Trainer:
    return Trainer(
        net,
        nn.CrossEntropyLoss(),
        optim.Adam(net.parameters(), lr=lr),
        callbacks=callbacks,
        progress=False,
        **kw,
    )


def _weights(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.data.copy() for k, v in model.state_dict().items()}


def test_early_stopping_restores_the_best_epoch() -> None:
    X, y = _data()
    # validating on the flipped labels: the validation loss is best early, then worsens
    stop = EarlyStopping(monitor="val_loss", patience=2)
    net = _net()
    h = _trainer(net, [stop]).fit((X, y), epochs=30, batch_size=16, val_data=(X, 1 - y))
    best = int(np.argmin(h["val_loss"]))
    assert stop.best_epoch == best and stop.best == h["val_loss"][best]
    assert len(h["loss"]) == best + 1 + 2  # stopped after `patience` epochs without progress
    assert stop.stopped_epoch == len(h["loss"]) - 1
    # the same training cut at the best epoch gives the restored weights
    ref = _net()
    _trainer(ref, []).fit((X, y), epochs=best + 1, batch_size=16)
    assert all(np.array_equal(a, b) for a, b in zip(_weights(net).values(), _weights(ref).values()))


def test_early_stopping_max_mode_and_without_restore() -> None:
    X, y = _data()
    stop = EarlyStopping(monitor="accuracy", patience=1, restore_best_weights=False)
    assert stop.mode == "max"
    net = _net()
    h = _trainer(net, [stop]).fit((X, y), epochs=40, batch_size=16)
    assert stop.best == max(h["accuracy"])
    assert stop.best_weights is None


def test_early_stopping_needs_validation_data() -> None:
    X, y = _data()
    net = _net()
    before = _weights(net)
    with pytest.raises(ValueError, match="monitor='val_loss' needs validation data"):
        _trainer(net, [EarlyStopping()]).fit((X, y), epochs=3)
    assert all(np.array_equal(before[k], v) for k, v in _weights(net).items())
    with pytest.raises(ValueError, match=r"monitor 'val_r2' is not recorded"):
        _trainer(_net(), [EarlyStopping("val_r2")]).fit((X, y), epochs=1, val_split=0.25)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: EarlyStopping(patience=-1), "patience must be an integer >= 0, got -1"),
        (lambda: EarlyStopping(mode="up"), "mode must be 'auto', 'min' or 'max', got 'up'"),
        (lambda: EarlyStopping(min_delta=-0.1), "min_delta must be a real number >= 0"),
        (lambda: ModelCheckpoint("x", every=0), "every must be an integer >= 1, got 0"),
        (lambda: SnapshotEnsemble(0), "cycle_length must be an integer >= 1, got 0"),
        (lambda: SnapshotEnsemble(2, eta_min=-1), "eta_min must be a real number >= 0"),
    ],
)
def test_bad_callback_arguments(make, match) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_model_checkpoint_periodic_files(tmp_path: Path) -> None:
    X, y = _data()
    cb = ModelCheckpoint(tmp_path / "ck-{epoch}.safetensors", every=2)
    _trainer(_net(), [cb]).fit((X, y), epochs=5, batch_size=32)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["ck-2.safetensors", "ck-4.safetensors", "ck-5.safetensors"]  # + the last
    assert io.load_checkpoint(tmp_path / "ck-4.safetensors").epoch == 4
    assert cb.last_path == tmp_path / "ck-5.safetensors"


def test_model_checkpoint_best_only(tmp_path: Path) -> None:
    X, y = _data()
    path = tmp_path / "best.safetensors"
    cb = ModelCheckpoint(path, save_best_only=True, monitor="val_accuracy")
    net = _net()
    h = _trainer(net, [cb]).fit((X, y), epochs=6, batch_size=16, val_split=0.25)
    saved = io.load_checkpoint(path)
    assert saved.history["val_accuracy"][-1] == max(h["val_accuracy"])
    assert saved.epoch == 1 + int(np.argmax(h["val_accuracy"]))


def test_snapshot_ensemble_schedule_snapshots_and_average() -> None:
    X, y = _data(n=64)
    snap = SnapshotEnsemble(cycle_length=2, eta_min=0.0)
    lrs: list[float] = []

    class LR(nabla.train.Callback):
        def on_batch_start(self, trainer, batch):
            lrs.append(trainer.optimizer.param_groups[0]["lr"])

    net = _net()
    trainer = _trainer(net, [snap, LR()], lr=0.1)
    trainer.fit((X, y), epochs=6, batch_size=16)  # 4 batches per epoch, cycles of 8 steps
    assert len(snap.snapshots) == 3
    steps = 8
    expected = [0.05 * (1 + math.cos(math.pi * (t % steps) / steps)) for t in range(24)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=1e-15)
    assert np.array_equal(snap.snapshots[-1]["0.weight"], _weights(net)["0.weight"])
    # averaged probabilities, computed independently from each snapshot
    probs = []
    for s in snap.snapshots:
        m = _net()
        m.load_state_dict(s)
        z = m(nabla.tensor(X)).data.astype(np.float64)
        p = np.exp(z - z.max(1, keepdims=True))
        probs.append(p / p.sum(1, keepdims=True))
    current = _weights(net)
    np.testing.assert_allclose(snap.predict(X), np.mean(probs, axis=0), rtol=1e-6)
    assert all(np.array_equal(current[k], v) for k, v in _weights(net).items())
    assert (snap.predict(X).argmax(1) == y).mean() > 0.9


def test_snapshot_ensemble_errors() -> None:
    snap = SnapshotEnsemble(2)
    with pytest.raises(RuntimeError, match="no snapshots yet"):
        snap.predict(np.zeros((1, 2)))
    net = _net()
    opt = optim.SGD(net.parameters(), lr=0.1)
    trainer = Trainer(
        net,
        nn.CrossEntropyLoss(),
        opt,
        scheduler=optim.lr_scheduler.StepLR(opt, 1),
        callbacks=[snap],
        progress=False,
    )
    with pytest.raises(ValueError, match="already has a learning-rate scheduler"):
        trainer.fit(_data(), epochs=2)


def test_snapshot_ensemble_resumes(tmp_path: Path) -> None:
    X, y = _data(n=64)
    ck = tmp_path / "c"

    def make():
        snap = SnapshotEnsemble(2)
        return snap, _trainer(_net(), [snap, ModelCheckpoint(ck)], lr=0.1)

    snap_a, tr_a = make()
    tr_a.fit((X, y), epochs=6, batch_size=16)
    _snap_b, tr_b = make()
    tr_b.fit((X, y), epochs=3, batch_size=16)
    snap_c, tr_c = make()
    tr_c.fit((X, y), epochs=6, batch_size=16, resume_from=ck)
    assert len(snap_c.snapshots) == 3
    for a, c in zip(snap_a.snapshots, snap_c.snapshots):
        assert all(np.array_equal(a[k], c[k]) for k in a)
