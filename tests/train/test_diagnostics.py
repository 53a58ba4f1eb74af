"""Training diagnostics: gradient norms, update ratios and activation statistics against
NumPy by hand, the warnings on constructed cases (and silence on a healthy run), the
recorded statistics drawn by the diagnostics figures, and a trainer unchanged by them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from nabla import nn, optim
from nabla.autograd.tensor import as_tensor
from nabla.data import DataLoader, TensorDataset
from nabla.nn import init
from nabla.train import (
    ActivationStats,
    DivergenceError,
    GradientStats,
    OverfittingMonitor,
    Trainer,
    TrainingWarning,
)


def _weights(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.data.copy() for k, v in model.state_dict().items()}


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(a[k].tobytes() == b[k].tobytes() for k in a)


def _blobs(n: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    centres = np.array([[2.0, 0.0, 1.0], [-2.0, 1.0, 0.0], [0.0, -2.0, -1.0]])
    return (centres[y] + rng.normal(scale=0.7, size=(n, 3))).astype(np.float32), y


def _norm64(a: np.ndarray) -> float:
    a = np.asarray(a, dtype=np.float64)
    return float(np.sqrt(np.sum(a * a)))


# ---- GradientStats --------------------------------------------------------------------------
def test_gradient_norms_and_update_ratios_equal_a_hand_computed_sgd_run() -> None:
    X, y = _blobs(12)
    lr = 0.1

    def net() -> nn.Sequential:
        return nn.Sequential(nn.Linear(3, 5, rng=0), nn.Tanh(), nn.Linear(5, 3, rng=1))

    model, twin = net(), net()
    stats = GradientStats()
    Trainer(
        model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=lr), callbacks=[stats]
    ).fit((X, y), epochs=1, batch_size=4, shuffle=False)
    assert stats.steps == [1, 2, 3]
    names = [n for n, _ in twin.named_parameters()]
    assert list(stats.grad_norms) == names == list(stats.update_ratios)
    loss_fn = nn.CrossEntropyLoss()
    for step, start in enumerate(range(0, 12, 4)):
        twin.zero_grad()
        loss_fn(twin(as_tensor(X[start : start + 4])), y[start : start + 4]).backward()
        for name, p in twin.named_parameters():
            g, w = _norm64(p.grad), _norm64(p.data)
            np.testing.assert_allclose(stats.grad_norms[name][step], g, rtol=1e-6)
            # SGD: theta_{t+1} - theta_t = -lr g, so the ratio is lr ||g|| / ||theta_t||
            np.testing.assert_allclose(stats.update_ratios[name][step], lr * g / w, rtol=1e-4)
            p.data -= lr * p.grad  # the same SGD step by hand
    for name, w in _weights(model).items():  # the hand run followed the same weights
        np.testing.assert_allclose(w, _weights(twin)[name], rtol=1e-5, atol=1e-7)


def test_norms_are_read_before_clipping_and_every_counts_global_steps() -> None:
    X, y = _blobs(24)
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 3, rng=1))
    stats = GradientStats(every=2)
    clip, lr = 1e-3, 0.5
    Trainer(
        model,
        nn.CrossEntropyLoss(),
        optim.SGD(model.parameters(), lr=lr),
        callbacks=[stats],
        clip_grad_norm=clip,
    ).fit((X, y), epochs=2, batch_size=8)
    assert stats.steps == [1, 3, 5]  # 3 steps per epoch, every other one, across epochs
    global_norms = np.sqrt(np.sum(np.square(list(stats.grad_norms.values())), axis=0))
    assert (global_norms > clip).all()  # recorded before clipping
    # ... while the step applied the clipped gradient: ||step|| = lr * clip overall
    first = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 3, rng=1))
    sizes = np.array([_norm64(p.data) for p in first.parameters()])
    steps = np.array([r[0] for r in stats.update_ratios.values()]) * sizes
    np.testing.assert_allclose(np.sqrt(np.sum(steps**2)), lr * clip, rtol=1e-3)


def test_vanishing_gradients_warn_in_a_deep_sigmoid_net_with_small_weights() -> None:
    layers: list[nn.Module] = []
    for i in range(6):
        lin = nn.Linear(3 if i == 0 else 16, 16, rng=i)
        init.normal_(lin.weight, 0.0, 0.01, rng=i)  # "as w_i are small, activations decay"
        layers += [lin, nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Linear(16, 3, rng=9))
    X, y = _blobs(32)
    stats = GradientStats()
    with pytest.warns(TrainingWarning, match=r"gradient of '0\.(weight|bias)' vanished at step 1"):
        Trainer(
            model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), callbacks=[stats]
        ).fit((X, y), epochs=1, batch_size=32)
    first, last = stats.grad_norms["0.weight"][0], stats.grad_norms["12.weight"][0]
    assert first < 1e-7 * last  # what the warning says, from the record


def test_exploding_gradients_warn_with_a_huge_learning_rate() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 8)).astype(np.float32)
    y = (10 * X.sum(axis=1)).astype(np.float32)
    model = nn.Sequential(nn.Linear(8, 16, rng=0), nn.ReLU(), nn.Linear(16, 1, rng=1))
    stats = GradientStats()
    with pytest.warns(TrainingWarning, match=r"exploded at step 2: its norm is .*exploding=1000"):
        Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=5.0), callbacks=[stats]).fit(
            (X, y), epochs=1, batch_size=32
        )
    assert (
        max(v[1] for v in stats.grad_norms.values())
        > 1e3
        > max(v[0] for v in stats.grad_norms.values())
    )


def test_a_non_finite_gradient_counts_as_exploding() -> None:
    from types import SimpleNamespace

    model = nn.Linear(2, 1, rng=0)
    stats = GradientStats(vanishing=None)
    trainer = SimpleNamespace(model=model, steps_per_epoch=3)
    stats.on_fit_start(trainer)
    stats.on_epoch_start(trainer, 1)
    model.weight.grad = np.array([[np.nan, 1.0]], dtype=np.float32)
    model.bias.grad = np.zeros(1, dtype=np.float32)
    with pytest.warns(TrainingWarning, match="'weight' exploded at step 5: its norm is nan"):
        stats.on_after_backward(trainer, 1)
    assert stats.steps == [5] and stats.grad_norms["bias"] == [0.0]


# ---- ActivationStats ------------------------------------------------------------------------
def _sat_net(n_in: int = 4) -> nn.Sequential:
    """ReLU with two dead units, a sigmoid and a tanh pushed into saturation."""
    model = nn.Sequential(
        nn.Linear(n_in, 6, rng=0),
        nn.ReLU(),
        nn.Linear(6, 5, rng=1),
        nn.Sigmoid(),
        nn.Linear(5, 3, rng=2),
        nn.Tanh(),
        nn.Linear(3, 2, rng=3),
    )
    model[0].bias.data[:2] = -100.0  # these two units output 0 for every sample: dead
    model[2].weight.data *= 8.0
    model[4].weight.data *= 8.0
    return model


def _numpy_forward(W: dict[str, np.ndarray], X: np.ndarray) -> dict[str, np.ndarray]:
    """The same network in float64 NumPy: the activations of layers 1, 3, 5."""
    x = X.astype(np.float64)
    h1 = np.maximum(x @ W["0.weight"].T + W["0.bias"], 0.0)
    h3 = 1.0 / (1.0 + np.exp(-(h1 @ W["2.weight"].T + W["2.bias"])))
    h5 = np.tanh(h3 @ W["4.weight"].T + W["4.bias"])
    return {"1": h1, "3": h3, "5": h5}


def test_activation_statistics_equal_numpy_over_a_hand_run_forward() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(16, 4)).astype(np.float32)
    y = rng.integers(0, 2, size=16)
    model = _sat_net()
    W = {k: v.astype(np.float64) for k, v in _weights(model).items()}
    acts = ActivationStats(every=10)  # step 1 only: the forward pass of the initial weights
    Trainer(
        model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), callbacks=[acts]
    ).fit((X, y), epochs=1, batch_size=16, shuffle=False)
    assert acts.steps == [1] and list(acts.stats) == ["1", "3", "5"]
    outs = _numpy_forward(W, X)
    expected_sat = {
        "1": np.mean(np.all(outs["1"] == 0.0, axis=0)),  # dead units
        "3": np.mean((outs["3"] <= 0.01) | (outs["3"] >= 0.99)),
        "5": np.mean(np.abs(outs["5"]) >= 0.99),
    }
    assert expected_sat["1"] == pytest.approx(2 / 6)
    assert 0 < expected_sat["3"] < 1 and 0 < expected_sat["5"] < 1  # the case is not trivial
    for layer, a in outs.items():
        rec = acts.stats[layer]
        np.testing.assert_allclose(rec["mean"], [a.mean()], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(rec["std"], [a.std()], rtol=1e-5, atol=1e-6)
        # float32 against float64 may move at most one output across the 0.01 threshold
        assert abs(rec["saturation"][0] - expected_sat[layer]) <= 1 / a.size


def test_named_layers_and_a_module_called_twice() -> None:
    relu = nn.ReLU()
    model = nn.Sequential(nn.Linear(3, 4, rng=0), relu, nn.Linear(4, 3, rng=1), relu)
    X, y = _blobs(8)
    W = {k: v.astype(np.float64) for k, v in _weights(model).items()}
    acts = ActivationStats(layers=["0", "1"], every=5)
    Trainer(
        model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), callbacks=[acts]
    ).fit((X, y), epochs=1, batch_size=8)
    assert list(acts.stats) == ["0", "1#1", "1#2"]
    assert sorted(acts.stats["0"]) == ["mean", "std"]  # a Linear: no saturation rule
    pre = X.astype(np.float64) @ W["0.weight"].T + W["0.bias"]
    second = np.maximum(np.maximum(pre, 0) @ W["2.weight"].T + W["2.bias"], 0)
    np.testing.assert_allclose(acts.stats["0"]["mean"], [pre.mean()], rtol=1e-5)
    np.testing.assert_allclose(acts.stats["1#2"]["std"], [second.std()], rtol=1e-5)
    assert all(not m._forward_hooks for m in model.modules())  # removed at the end of fit


def test_lenet_records_each_call_of_its_shared_activation() -> None:
    model = nn.models.LeNet5(rng=0)
    X = np.random.default_rng(0).normal(size=(8, 1, 28, 28)).astype(np.float32)
    acts = ActivationStats()
    Trainer(model, nn.CrossEntropyLoss(), callbacks=[acts]).fit(
        (X, np.arange(8) % 10), epochs=1, batch_size=8
    )
    assert list(acts.stats) == ["act#1", "act#2", "act#3", "act#4"]
    assert all(0 <= s["saturation"][0] <= 1 for s in acts.stats.values())


def test_recorded_statistics_feed_the_diagnostics_figures() -> None:
    pytest.importorskip("matplotlib", reason="matplotlib draws the figures")
    from nabla.plot import plot_activation_stats, plot_gradient_flow

    X, y = _blobs(32)
    model = _sat_net(3)
    grads, acts = GradientStats(), ActivationStats()
    Trainer(
        model,
        nn.CrossEntropyLoss(),
        optim.Adam(model.parameters(), lr=0.01),
        callbacks=[grads, acts],
    ).fit((X, y % 2), epochs=2, batch_size=8)
    ax = plot_gradient_flow(grads.grad_norms, steps=grads.steps)
    assert [line.get_label() for line in ax.lines] == list(grads.grad_norms)
    for line, values in zip(ax.lines, grads.grad_norms.values()):
        np.testing.assert_array_equal(line.get_xdata(), grads.steps)
        np.testing.assert_array_equal(line.get_ydata(), values)
    ax = plot_gradient_flow(grads.update_ratios, step=-1)
    np.testing.assert_array_equal(
        ax.lines[0].get_ydata(), [v[-1] for v in grads.update_ratios.values()]
    )
    ax = plot_activation_stats(acts.stats, "saturation", steps=acts.steps)
    assert len(ax.lines) == 3
    for line, record in zip(ax.lines, acts.stats.values()):
        np.testing.assert_array_equal(line.get_ydata(), record["saturation"])
    assert len(plot_activation_stats(acts.stats, "mean").collections) == 3  # ± std bands


# ---- OverfittingMonitor ---------------------------------------------------------------------
def test_overfitting_warns_when_a_big_net_memorises_tiny_noisy_data() -> None:
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(24, 1)).astype(np.float32)
    y = (np.sin(3 * X[:, 0]) + rng.normal(0, 0.5, 24)).astype(np.float32)
    model = nn.Sequential(
        nn.Linear(1, 64, rng=0),
        nn.Tanh(),
        nn.Linear(64, 64, rng=1),
        nn.Tanh(),
        nn.Linear(64, 1, rng=2),
    )
    trainer = Trainer(
        model,
        nn.MSELoss(),
        optim.Adam(model.parameters(), lr=0.01),
        callbacks=[OverfittingMonitor(5)],
    )
    with pytest.warns(
        TrainingWarning, match=r"validation loss rose .* while the training loss fell"
    ):
        trainer.fit((X, y), epochs=60, batch_size=12, val_split=0.5)
    val, loss = np.array(trainer.history["val_loss"]), np.array(trainer.history["loss"])
    b = int(np.argmin(val))
    assert val[-1] > val[b] and loss[-1] < loss[b]  # the history shows what it warned of


def test_a_healthy_run_warns_of_nothing() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 4)).astype(np.float32)
    y = (X @ np.array([1.0, 2.0, -1.0, 0.5]) + rng.normal(0, 0.1, 400)).astype(np.float32)
    model = nn.Sequential(nn.Linear(4, 16, rng=0), nn.ReLU(), nn.Linear(16, 1, rng=2))
    callbacks = [OverfittingMonitor(3), GradientStats(), ActivationStats()]
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        history = Trainer(
            model, nn.MSELoss(), optim.Adam(model.parameters(), lr=0.01), callbacks=callbacks
        ).fit((X, y), epochs=15, batch_size=32, val_split=0.25)
    assert history["val_loss"][-1] < 0.1 * history["val_loss"][0]  # it did learn


# ---- the trainer is unchanged by them -------------------------------------------------------
def _dropout_net() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(3, 16, rng=0), nn.ReLU(), nn.Dropout(0.2, rng=5), nn.Linear(16, 3, rng=1)
    )


def test_callbacks_only_observe_same_weights_with_or_without() -> None:
    X, y = _blobs(96)
    runs = []
    for callbacks in ([], [GradientStats(), ActivationStats(), OverfittingMonitor()]):
        model = _dropout_net()
        Trainer(
            model,
            nn.CrossEntropyLoss(),
            optim.Adam(model.parameters(), lr=0.02),
            callbacks=callbacks,
            seed=3,
        ).fit((X, y), epochs=3, batch_size=16, val_split=0.25)
        runs.append(_weights(model))
    assert _same(*runs)


def test_trainer_without_callbacks_equals_a_hand_written_loop() -> None:
    X, y = _blobs(80)
    model, twin = _dropout_net(), _dropout_net()
    Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.02), seed=4).fit(
        (X, y), epochs=3, batch_size=16
    )
    opt, loss_fn = optim.Adam(twin.parameters(), lr=0.02), nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True, seed=4)
    twin.train()
    for epoch in range(3):
        loader.set_epoch(epoch)
        for xb, yb in loader:
            loss = loss_fn(twin(as_tensor(xb)), np.asarray(yb))
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert _same(_weights(model), _weights(twin))


# ---- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: GradientStats(every=0), ValueError, "every must be an integer >= 1, got 0"),
        (lambda: GradientStats(vanishing=2.0), ValueError, r"vanishing must be a number in \(0, 1"),
        (lambda: GradientStats(exploding=-1), ValueError, "exploding must be a number"),
        (lambda: ActivationStats(layers="1"), TypeError, "layers must be a list of module names"),
        (lambda: ActivationStats(tol=0.5), ValueError, r"tol must be a number in \(0, 0.5\)"),
        (lambda: OverfittingMonitor(patience=0), ValueError, "patience must be an integer >= 1"),
        (lambda: OverfittingMonitor(min_delta=-1), ValueError, "min_delta must be a finite number"),
    ],
)
def test_bad_arguments_are_refused(make, error, match) -> None:
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    ("callback", "fit_kw", "match"),
    [
        (ActivationStats(layers=["1", "nope"]), {}, r"no submodule\(s\) \['nope'\]"),
        (OverfittingMonitor(), {}, "pass val_data or val_split"),
    ],
)
def test_a_run_that_cannot_be_diagnosed_is_refused_before_training(callback, fit_kw, match) -> None:
    X, y = _blobs(16)
    model = _dropout_net()
    before = _weights(model)
    trainer = Trainer(model, nn.CrossEntropyLoss(), callbacks=[callback])
    with pytest.raises(ValueError, match=match):
        trainer.fit((X, y), epochs=1, **fit_kw)
    assert _same(before, _weights(model)) and trainer.history == {}
    assert all(not m._forward_hooks for m in model.modules())


def test_activation_stats_needs_an_activation_module() -> None:
    model = nn.Sequential(nn.Linear(3, 3, rng=0))
    X, y = _blobs(8)
    with pytest.raises(ValueError, match=r"no activation layer .* name the modules to watch"):
        Trainer(model, nn.CrossEntropyLoss(), callbacks=[ActivationStats()]).fit((X, y))


def test_training_warning_is_a_user_warning_and_divergence_still_raises() -> None:
    assert issubclass(TrainingWarning, UserWarning)
    X = np.ones((4, 2), dtype=np.float32)
    y = np.array([np.inf, 0, 0, 0], dtype=np.float32)
    model = nn.Linear(2, 1, rng=0)
    with pytest.raises(DivergenceError):
        Trainer(model, nn.MSELoss(), callbacks=[GradientStats()]).fit((X, y), batch_size=4)
