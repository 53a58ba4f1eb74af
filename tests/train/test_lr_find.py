"""lr_find: the sweep and its smoothing against NumPy, a suggestion on the falling part of
the curve (and below the stability bound of gradient descent), everything put back byte
for byte, bad input refused before anything runs, and the figure."""

from __future__ import annotations

import numpy as np
import pytest

from nabla import nn, optim
from nabla.data import DataLoader, TensorDataset
from nabla.train import LRFindResult, Trainer, TrainingWarning, lr_find


def _regression(n: int = 256, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    return X, (X @ np.array([1.0, 2.0, 3.0, 4.0]) + rng.normal(0, 0.1, n)).astype(np.float32)


def _linear_trainer(lr: float = 0.1) -> Trainer:
    net = nn.Linear(4, 1, rng=0)
    return Trainer(net, nn.MSELoss(), optim.SGD(net.parameters(), lr=lr), seed=2)


def test_sweep_losses_and_smoothing_are_the_documented_formulas() -> None:
    X, y = _regression()
    trainer = _linear_trainer()
    found = lr_find(trainer, (X, y), start_lr=1e-4, end_lr=10.0, num_steps=50, batch_size=32)
    k = len(found.lrs)
    np.testing.assert_allclose(found.lrs, np.geomspace(1e-4, 10.0, 50)[:k], rtol=1e-12)
    # the first loss: the initial model on the first minibatch of the seeded shuffle
    first = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, seed=2).order(0)[:32]
    w, b = trainer.model.weight.data.astype(np.float64), trainer.model.bias.data
    pred = X[first].astype(np.float64) @ w.T + b
    np.testing.assert_allclose(found.losses[0], np.mean((pred[:, 0] - y[first]) ** 2), rtol=1e-5)
    # bias-corrected exponential moving average, beta = 0.9
    avg, expected = 0.0, []
    for i, loss in enumerate(found.losses):
        avg = 0.9 * avg + 0.1 * loss
        expected.append(avg / (1 - 0.9 ** (i + 1)))
    np.testing.assert_allclose(found.smoothed, expected, rtol=1e-12)
    # it stopped where the smoothed loss passed 4 times its minimum (the sweep reaches lr = 10)
    assert k < 50 and found.smoothed[-1] > 4 * found.smoothed[:-1].min()


def test_suggestion_is_inside_the_sweep_on_the_falling_part_and_trains_well() -> None:
    X, y = _regression()
    trainer = _linear_trainer()
    found = lr_find(trainer, (X, y), start_lr=1e-4, end_lr=10.0, num_steps=100)
    s = found.suggestion
    assert found.lrs[0] <= s <= found.lrs[-1]
    i = int(np.flatnonzero(found.lrs == s)[0])
    lowest = int(np.argmin(found.smoothed))
    assert 0 < i < lowest and found.smoothed[i + 1] < found.smoothed[i - 1]  # falling there
    # gradient descent on this MSE is stable for lr < 2 / lambda_max(2 X^T X / n)
    X1 = np.hstack([X, np.ones((len(X), 1), np.float32)]).astype(np.float64)
    lam = np.linalg.eigvalsh(2 * X1.T @ X1 / len(X1)).max()
    assert s < 2 / lam
    losses = {}
    for lr in (found.lrs[0], s):
        t = _linear_trainer(lr)
        t.fit((X, y), epochs=3, batch_size=32)
        losses[lr] = t.evaluate((X, y))["loss"]
    assert losses[s] < 0.25 * losses[found.lrs[0]]  # the suggestion learns, the start does not


def _state(trainer: Trainer) -> tuple:
    """Bytes of everything lr_find may touch."""
    model = trainer.model
    weights = {k: v.data.tobytes() for k, v in model.state_dict().items()}
    grads = [None if p.grad is None else p.grad.tobytes() for p in model.parameters()]
    modes = [m.training for m in model.modules()]
    opt = trainer.optimizer.state_dict()
    state = {
        i: {k: v.tobytes() if isinstance(v, np.ndarray) else v for k, v in s.items()}
        for i, s in opt["state"].items()
    }
    rng = {k: g.bit_generator.state for k, g in trainer.generators().items()}
    return weights, grads, modes, state, opt["param_groups"], rng


def test_model_optimizer_and_generators_are_restored_byte_for_byte() -> None:
    X, y = _regression(200)
    labels = (y > 0).astype(np.int64)

    def make() -> Trainer:
        net = nn.Sequential(
            nn.Linear(4, 16, rng=0),
            nn.BatchNorm1d(16),
            nn.ReLU(),
            nn.Dropout(0.3, rng=7),
            nn.Linear(16, 2, rng=1),
        )
        return Trainer(net, nn.CrossEntropyLoss(), optim.Adam(net.parameters(), lr=3e-3), seed=1)

    trainer, twin = make(), make()
    for t in (trainer, twin):  # some training first: Adam's moments, BN statistics, gradients
        t.fit((X, labels), epochs=2, batch_size=32)
        t.model.eval()
    before = _state(trainer)
    found = lr_find(trainer, (X, labels), start_lr=1e-5, end_lr=1.0, num_steps=30)
    assert len(found.lrs) >= 3
    assert _state(trainer) == before
    # and training goes on exactly as if the test had never run
    h1 = trainer.fit((X, labels), epochs=2, batch_size=32)
    h2 = twin.fit((X, labels), epochs=2, batch_size=32)
    assert h1["loss"] == h2["loss"]
    for a, b in zip(trainer.model.parameters(), twin.model.parameters()):
        assert a.data.tobytes() == b.data.tobytes()


def test_a_flat_curve_warns_and_suggests_nothing() -> None:
    X, _ = _regression(64)
    net = nn.Linear(4, 1, rng=0)
    net.weight.data[:] = 0.0
    net.bias.data[:] = 0.0
    trainer = Trainer(net, nn.MSELoss(), optim.SGD(net.parameters(), lr=0.1))
    with pytest.warns(TrainingWarning, match="the smoothed loss never fell"):
        found = lr_find(trainer, (X, np.zeros(64, np.float32)), num_steps=10)
    assert found.suggestion is None and np.all(found.losses == 0.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"start_lr": 1.0, "end_lr": 0.1}, r"start_lr \(1.0\) must be below end_lr \(0.1\)"),
        ({"start_lr": 0.0}, "start_lr must be a finite number > 0, got 0.0"),
        ({"end_lr": float("inf")}, "end_lr must be a finite number > 0"),
        ({"num_steps": 2}, "num_steps must be an integer >= 3, got 2"),
        ({"smoothing": 1.0}, r"smoothing must be a number in \[0, 1\)"),
        ({"diverge": 1.0}, "diverge must be > 1"),
    ],
)
def test_bad_arguments_are_refused_before_anything_runs(kwargs, match) -> None:
    X, y = _regression(32)
    trainer = _linear_trainer()
    before = _state(trainer)
    with pytest.raises(ValueError, match=match):
        lr_find(trainer, (X, y), **kwargs)
    assert _state(trainer) == before


def test_not_a_trainer_and_a_loss_that_is_nan_from_the_start() -> None:
    X, y = _regression(32)
    with pytest.raises(TypeError, match=r"trainer must be a nabla\.train\.Trainer, got Linear"):
        lr_find(nn.Linear(4, 1), (X, y))
    trainer = _linear_trainer()
    before = _state(trainer)
    y_bad = y.copy()
    y_bad[:] = np.nan
    with pytest.raises(ValueError, match="lower start_lr"):
        lr_find(trainer, (X, y_bad))
    assert _state(trainer) == before


def test_the_figure_draws_the_curve_and_marks_the_suggestion() -> None:
    pytest.importorskip("matplotlib", reason="matplotlib draws the figure")
    X, y = _regression()
    found = lr_find(_linear_trainer(), (X, y), start_lr=1e-4, end_lr=10.0, num_steps=60)
    ax = found.plot()
    raw, smooth, mark = ax.lines
    np.testing.assert_array_equal(raw.get_xdata(), found.lrs)
    np.testing.assert_array_equal(raw.get_ydata(), found.losses)
    np.testing.assert_array_equal(smooth.get_ydata(), found.smoothed)
    assert list(mark.get_xdata()) == [found.suggestion] * 2
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "learning rate (log scale)"
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1].startswith("suggested lr = ")
    from nabla.plot import plot_lr_find

    with pytest.raises(ValueError, match="one value per step"):
        plot_lr_find(LRFindResult(found.lrs, found.losses[:-1], found.smoothed, None))
