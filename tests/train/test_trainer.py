"""Trainer: history and metrics against scikit-learn, determinism, exact resume, faults."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nabla import io, nn, optim
from nabla.data import DataLoader, GaussianNoise, TensorDataset
from nabla.train import (
    Callback,
    DivergenceError,
    EarlyStopping,
    ModelCheckpoint,
    Trainer,
    fit,
)


def _blobs(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    centres = np.array([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.0]])
    X = (centres[y] + rng.normal(scale=0.7, size=(n, 2))).astype(np.float32)
    return X, y


def _net(seed: int = 0, dropout_rng=0) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(2, 16, rng=seed),
        nn.ReLU(),
        nn.Dropout(0.2, rng=dropout_rng),
        nn.Linear(16, 3, rng=seed + 1),
    )


def _weights(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.data.copy() for k, v in model.state_dict().items()}


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def _trainer(net: nn.Module, **kw) -> Trainer:
    opt = optim.Adam(net.parameters(), lr=0.02)
    return Trainer(net, nn.CrossEntropyLoss(), opt, progress=False, **kw)


def test_history_and_metrics_match_scikit_learn() -> None:
    metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn is the oracle")
    X, y = _blobs()
    trainer = _trainer(_net())
    history = trainer.fit((X, y), epochs=5, batch_size=16, val_split=0.25)
    assert set(history) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"}
    assert history["epoch"] == [1, 2, 3, 4, 5]
    assert all(len(v) == 5 for v in history.values())
    assert history["loss"][-1] < history["loss"][0]
    assert trainer.epoch == 5
    # evaluate() against scikit-learn on the model's own predictions
    scores = trainer.predict(X)
    res = trainer.evaluate((X, y))
    assert res["accuracy"] == pytest.approx(metrics.accuracy_score(y, scores.argmax(1)))
    p = np.exp(scores - scores.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    assert res["loss"] == pytest.approx(metrics.log_loss(y, p, labels=[0, 1, 2]), rel=1e-5)
    assert res["accuracy"] > 0.85


def test_regression_records_r2() -> None:
    metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn is the oracle")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3)).astype(np.float32)
    y = (X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=100)).astype(np.float32)
    net = nn.Sequential(nn.Linear(3, 1, rng=0))
    trainer = Trainer(net, nn.MSELoss(), optim.Adam(net.parameters(), lr=0.05), progress=False)
    history = trainer.fit((X, y), epochs=30, batch_size=20, val_data=(X[:40], y[:40]))
    assert "r2" in history and "val_r2" in history
    pred = trainer.predict(X[:40]).ravel()
    assert history["val_r2"][-1] == pytest.approx(metrics.r2_score(y[:40], pred), rel=1e-6)
    assert trainer.evaluate((X, y))["r2"] > 0.95


def test_same_seed_same_run() -> None:
    X, y = _blobs()
    runs = []
    for _ in range(2):
        net = _net()
        h = _trainer(net, seed=3).fit(
            (X, y), epochs=3, batch_size=16, transform=GaussianNoise(0.1, seed=1)
        )
        runs.append((_weights(net), h))
    assert _same(runs[0][0], runs[1][0])
    assert runs[0][1]["loss"] == runs[1][1]["loss"]
    net = _net()
    _trainer(net, seed=4).fit((X, y), epochs=3, batch_size=16, transform=GaussianNoise(0.1, seed=1))
    assert not _same(runs[0][0], _weights(net))


class _InterruptAt(Callback):
    """Raises KeyboardInterrupt (a user's Ctrl-C) before a given batch of a given epoch."""

    def __init__(self, epoch: int, batch: int) -> None:
        self.epoch, self.batch, self.current = epoch, batch, -1

    def on_epoch_start(self, trainer, epoch):
        self.current = epoch

    def on_batch_start(self, trainer, batch):
        if (self.current, batch) == (self.epoch, self.batch):
            raise KeyboardInterrupt


def _resumable(ckpt: Path, extra: list[Callback]) -> tuple[nn.Module, Trainer]:
    """Dropout (own generator and nn.init's default), augmentation, Adam, a cosine schedule."""
    nn.init.manual_seed(11)
    net = nn.Sequential(
        nn.Linear(2, 16, rng=0),
        nn.ReLU(),
        nn.Dropout(0.3, rng=5),
        nn.Linear(16, 16, rng=1),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(16, 3, rng=2),
    )
    opt = optim.Adam(net.parameters(), lr=0.02)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=40)
    trainer = Trainer(
        net,
        nn.CrossEntropyLoss(),
        opt,
        scheduler=sched,
        scheduler_interval="batch",
        callbacks=[ModelCheckpoint(ckpt), *extra],
        clip_grad_norm=5.0,
        progress=False,
        seed=2,
    )
    return net, trainer


def test_ctrl_c_then_resume_is_bit_identical(tmp_path: Path) -> None:
    X, y = _blobs()
    kw = {"epochs": 5, "batch_size": 16, "val_split": 0.2}
    net_a, tr_a = _resumable(tmp_path / "a.ckpt", [_InterruptAt(-1, -1)])
    hist_a = tr_a.fit((X, y), transform=GaussianNoise(0.2, seed=4), **kw)

    ckpt = tmp_path / "b.ckpt"
    _net_b, tr_b = _resumable(ckpt, [_InterruptAt(3, 2)])
    with pytest.raises(KeyboardInterrupt):
        tr_b.fit((X, y), transform=GaussianNoise(0.2, seed=4), **kw)
    saved = io.load_checkpoint(ckpt)  # the last finished epoch's checkpoint survives
    assert saved.epoch == 3 and len(saved.history["loss"]) == 3

    net_c, tr_c = _resumable(ckpt, [_InterruptAt(-1, -1)])
    nn.init.manual_seed(99)  # any state: the checkpoint restores the generator
    hist_c = tr_c.fit((X, y), transform=GaussianNoise(0.2, seed=4), resume_from=ckpt, **kw)
    assert _same(_weights(net_a), _weights(net_c))
    assert hist_c["loss"] == hist_a["loss"] and hist_c["val_accuracy"] == hist_a["val_accuracy"]
    assert hist_c["lr"] == hist_a["lr"]
    assert tr_c.epoch == 5


def test_resume_refuses_a_different_setup(tmp_path: Path) -> None:
    X, y = _blobs()
    ckpt = tmp_path / "c.ckpt"
    _, tr = _resumable(ckpt, [])
    tr.fit((X, y), epochs=1, batch_size=16)
    net, tr = _resumable(ckpt, [])
    tr.seed = 7
    before = _weights(net)
    with pytest.raises(ValueError, match="shuffle seed 2, this run uses 7"):
        tr.fit((X, y), epochs=2, batch_size=16, resume_from=ckpt)
    net, tr = _resumable(ckpt, [])
    with pytest.raises(ValueError, match=r"random generators .*transform.rng"):
        tr.fit(
            (X, y), epochs=2, batch_size=16, transform=GaussianNoise(0.1, seed=0), resume_from=ckpt
        )
    net, tr = _resumable(ckpt, [EarlyStopping(monitor="loss")])
    with pytest.raises(
        ValueError,
        match=r"callbacks \['ModelCheckpoint'\] \(those that keep state\), this run has "
        r"\['ModelCheckpoint', 'EarlyStopping'\]",
    ):
        tr.fit((X, y), epochs=2, batch_size=16, resume_from=ckpt)
    assert _same(before, _weights(net))
    with pytest.raises(FileNotFoundError, match="no such file"):
        tr.fit((X, y), epochs=2, resume_from=tmp_path / "nope")
    assert _same(before, _weights(net))


class _NaNLoss:
    """Cross-entropy that turns NaN on its n-th call (a divergence at a known batch)."""

    def __init__(self, at_call: int) -> None:
        self.calls, self.at = 0, at_call
        self.ce = nn.CrossEntropyLoss()

    def __call__(self, out, y):
        self.calls += 1
        loss = self.ce(out, y)
        return loss * float("nan") if self.calls == self.at else loss


def test_nan_loss_stops_with_epoch_and_batch_and_keeps_the_checkpoint(tmp_path: Path) -> None:
    X, y = _blobs(n=64)  # 4 batches of 16 per epoch
    net = _net()
    ckpt = tmp_path / "last.ckpt"
    trainer = Trainer(
        net,
        _NaNLoss(at_call=4 * 2 + 3),
        optim.SGD(net.parameters(), lr=0.1),
        metric="accuracy",
        callbacks=[ModelCheckpoint(ckpt)],
        progress=False,
    )
    with pytest.raises(
        DivergenceError, match=r"became nan at epoch 3, batch 3; .*'.*last.ckpt' \(epoch 2\)"
    ):
        trainer.fit((X, y), epochs=5, batch_size=16)
    saved = io.load_checkpoint(ckpt)
    assert saved.epoch == 2
    assert all(np.isfinite(v).all() for v in saved.model_state.values())
    assert np.isfinite(trainer.predict(X)).all()  # the step with the NaN loss was not taken


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid:RuntimeWarning")
def test_real_divergence_is_caught() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 4)).astype(np.float32) * 100
    y = rng.normal(size=64).astype(np.float32) * 100
    net = nn.Sequential(nn.Linear(4, 8, rng=0), nn.Linear(8, 1, rng=1))
    trainer = Trainer(net, nn.MSELoss(), optim.SGD(net.parameters(), lr=1.0), progress=False)
    with pytest.raises(
        DivergenceError, match=r"became (nan|inf) at epoch \d+, batch \d+; .*no checkpoint"
    ):
        trainer.fit((X, y), epochs=20, batch_size=16)


def test_gradient_clipping_bounds_the_global_norm() -> None:
    norms = []

    class Spy(Callback):
        def on_batch_end(self, trainer, batch, logs):
            grads = [p.grad for p in trainer.model.parameters()]
            norms.append(np.sqrt(sum(float((g.astype(np.float64) ** 2).sum()) for g in grads)))

    X, y = _blobs()
    _trainer(_net(), clip_grad_norm=0.05, callbacks=[Spy()]).fit((X, y), epochs=1, batch_size=16)
    assert len(norms) == 8 and max(norms) <= 0.05 * (1 + 1e-5)


def test_epoch_scheduler_and_plateau() -> None:
    X, y = _blobs()
    net = _net()
    opt = optim.SGD(net.parameters(), lr=0.1)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    h = Trainer(net, nn.CrossEntropyLoss(), opt, scheduler=sched, progress=False).fit(
        (X, y), epochs=5, batch_size=32
    )
    np.testing.assert_allclose(h["lr"], [0.1, 0.1, 0.05, 0.05, 0.025])
    net = _net()
    opt = optim.SGD(net.parameters(), lr=0.1)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0)
    calls = []
    original = plateau.step
    plateau.step = lambda m: (calls.append(m), original(m))  # type: ignore[method-assign]
    h = Trainer(net, nn.CrossEntropyLoss(), opt, scheduler=plateau, progress=False).fit(
        (X, y), epochs=3, batch_size=32, val_split=0.25
    )
    assert calls == h["val_loss"]


def test_progress_bar_on_stderr_only_when_asked(capsys) -> None:
    X, y = _blobs(n=32)
    _trainer(_net()).fit((X, y), epochs=2, batch_size=16)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""  # not a terminal: no bar
    tr = Trainer(_net(), nn.CrossEntropyLoss(), progress=True)
    tr.fit((X, y), epochs=2, batch_size=16)
    out = capsys.readouterr()
    assert out.out == "" and "epoch 2/2" in out.err


def test_dataloader_and_dataset_inputs() -> None:
    X, y = _blobs(n=48)
    net = _net()
    loader = DataLoader(TensorDataset(X, y), batch_size=12, shuffle=True, seed=0)
    h = _trainer(net).fit(loader, epochs=2, val_data=TensorDataset(X, y))
    assert len(h["val_loss"]) == 2
    h = fit(
        _net(),
        TensorDataset(X, y),
        nn.CrossEntropyLoss(),
        epochs=2,
        batch_size=8,
        progress=False,
        seed=1,
    )
    assert h["epoch"] == [1, 2]


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1, got 0"),
        ({"val_split": 1.0}, ValueError, r"val_split must be a number in \[0, 1\), got 1.0"),
        ({"val_split": 0.2, "val_data": ([], [])}, ValueError, "either val_data or val_split"),
        ({"val_split": 0.001}, ValueError, "leaves an empty training or validation set"),
        ({"batch_size": 200, "drop_last": True}, ValueError, "gives no batch"),
    ],
)
def test_fit_rejects_bad_arguments(kwargs, exc, match) -> None:
    X, y = _blobs(n=100)
    net = _net()
    before = _weights(net)
    with pytest.raises(exc, match=match):
        _trainer(net).fit((X, y), **kwargs)
    assert _same(before, _weights(net))


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        (
            {"scheduler_interval": "step"},
            ValueError,
            "scheduler_interval must be 'epoch' or 'batch'",
        ),
        ({"callbacks": [object()]}, TypeError, r"callbacks\[0\] is a object, not a Callback"),
        ({"clip_grad_norm": -1.0}, ValueError, "clip_grad_norm must be a number > 0, got -1.0"),
        ({"progress": "yes"}, TypeError, "progress must be True, False or None"),
        ({"seed": -3}, ValueError, "seed must be an integer >= 0, got -3"),
        ({"metric": "f1"}, ValueError, "metric must be 'auto', 'accuracy', 'r2', None"),
    ],
)
def test_trainer_rejects_bad_arguments(kwargs, exc, match) -> None:
    with pytest.raises(exc, match=match):
        Trainer(_net(), nn.CrossEntropyLoss(), **kwargs)


def test_trainer_rejects_bad_model_and_data() -> None:
    with pytest.raises(TypeError, match=r"model must be a nabla.nn.Module"):
        Trainer(object(), nn.CrossEntropyLoss())
    with pytest.raises(TypeError, match="loss_fn must be callable"):
        Trainer(_net(), 3)
    with pytest.raises(TypeError, match="must be a Dataset, a DataLoader or a tuple"):
        _trainer(_net()).fit(np.zeros((4, 2)))


def test_weights_that_overflow_in_an_epochs_last_step_are_never_saved(tmp_path: Path) -> None:
    """One batch per epoch: its loss is finite, the step it takes is not. The epoch's
    end refuses the weights before validation or a checkpoint sees them."""
    X = np.ones((8, 2), np.float32)
    y = np.full(8, 3.0, np.float32)
    net = nn.Linear(2, 1, rng=0)
    ckpt = tmp_path / "c.ckpt"
    trainer = Trainer(
        net,
        nn.MSELoss(),
        optim.SGD(net.parameters(), lr=1e39),  # float32 parameters: lr * g overflows
        callbacks=[ModelCheckpoint(ckpt)],
        progress=False,
    )
    with (
        np.errstate(all="ignore"),
        pytest.raises(
            DivergenceError,
            match=r"^Trainer\.fit: the model's '(weight|bias)' became NaN or infinite in epoch "
            r"1; it was not saved, no checkpoint was written\. Lower the learning rate",
        ),
    ):
        trainer.fit((X, y), epochs=3, batch_size=8, val_data=(X, y))
    assert not ckpt.exists() and trainer.history == {}
