"""The learning-rate range test: read the learning rate from the cost curve.

The notes read the learning rate from cost curves: too small and the cost barely moves,
too large and it blows up, a good one in between makes it fall fast. The range test
(Smith 2017, "Cyclical learning rates") draws that whole picture in one short run: train
from the current weights for ``num_steps`` minibatches while the learning rate grows
exponentially from ``start_lr`` to ``end_lr``, and record the loss at each rate::

    lr_i = start_lr * (end_lr / start_lr) ** (i / (num_steps - 1))     # i = 0 .. num_steps-1
    set every group's lr to lr_i; loss_i = loss of minibatch i         # before step i
    loss_i ~ s_i = EMA of the losses, bias-corrected:                  # beta = smoothing
        a_i = beta a_{i-1} + (1 - beta) loss_i,  s_i = a_i / (1 - beta^(i+1))
    stop early when the loss is NaN / inf or s_i > diverge * min_j s_j
    backward, (clip,) optimiser step

The suggested rate is where the smoothed loss falls fastest: the minimum of its slope
``d s / d log10(lr)`` (``numpy.gradient``), searched from the end of the sweep's first
tenth (where the differences between the first few minibatches dominate) up to the
minimum of ``s``, so it always lies on the falling part of the curve, below the rates
where the loss turns up. It is a cautious choice; the rate at the minimum divided by 10
(``lrs[argmin(smoothed)] / 10``) is another common reading of the curve.

Afterwards the model (weights, buffers, gradients, train / eval mode), the optimiser (its
state and learning rates) and the random generators are put back as they were, byte for
byte: the test changes nothing.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from nabla.autograd.tensor import as_tensor
from nabla.train import _data, _state
from nabla.train.diagnostics import TrainingWarning

if TYPE_CHECKING:
    from nabla.train.trainer import Trainer

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class LRFindResult:
    """What :func:`lr_find` measured.

    Attributes
    ----------
    lrs : ndarray
        The learning rates tried, one per step (increasing, geometric).
    losses : ndarray
        The minibatch loss at each rate.
    smoothed : ndarray
        The bias-corrected exponential moving average of ``losses``.
    suggestion : float or None
        The rate where ``smoothed`` falls fastest (None if it never fell).
    """

    lrs: Array
    losses: Array
    smoothed: Array
    suggestion: float | None

    def plot(self, ax: Any = None) -> Any:
        """The loss against the learning rate (:func:`nabla.plot.plot_lr_find`)."""
        from nabla.plot.lr_find import plot_lr_find

        return plot_lr_find(self, ax=ax)


def _positive(who: str, name: str, value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not 0 < value < math.inf
    ):
        raise ValueError(f"{who}: {name} must be a finite number > 0, got {value!r}")
    return float(value)


def _check(
    start_lr: Any, end_lr: Any, num_steps: Any, smoothing: Any, diverge: Any
) -> tuple[float, float, int, float, float]:
    who = "lr_find"
    start, end = _positive(who, "start_lr", start_lr), _positive(who, "end_lr", end_lr)
    if not start < end:
        raise ValueError(f"{who}: start_lr ({start_lr}) must be below end_lr ({end_lr})")
    if isinstance(num_steps, bool) or not isinstance(num_steps, (int, np.integer)) or num_steps < 3:
        raise ValueError(f"{who}: num_steps must be an integer >= 3, got {num_steps!r}")
    if (
        isinstance(smoothing, bool)
        or not isinstance(smoothing, (int, float, np.integer, np.floating))
        or not 0 <= smoothing < 1
    ):
        raise ValueError(f"{who}: smoothing must be a number in [0, 1), got {smoothing!r}")
    if _positive(who, "diverge", diverge) <= 1:
        raise ValueError(f"{who}: diverge must be > 1 (a factor over the best loss), got {diverge}")
    return start, end, int(num_steps), float(smoothing), float(diverge)


def _generators(trainer: Trainer, loader: Any) -> list[np.random.Generator]:
    """The trainer's random generators and those of the sweep's loader's transform."""
    found = dict(trainer.generators())
    if loader.transform is not None:
        _state.find_generators(loader.transform, "sweep", found)
    return list({id(g): g for g in found.values()}.values())


def _snapshot(trainer: Trainer, loader: Any) -> dict[str, Any]:
    """Copies of everything the test changes."""
    model = trainer.model
    return {
        "weights": trainer.weights(),
        "grads": [(p, None if p.grad is None else p.grad.copy()) for p in model.parameters()],
        "modes": [(m, m.training) for m in model.modules()],
        "optimizer": trainer.optimizer.state_dict(),
        "rng": [(g, g.bit_generator.state) for g in _generators(trainer, loader)],
        "loader_epoch": (loader, loader.epoch),
    }


def _restore(trainer: Trainer, saved: dict[str, Any]) -> None:
    trainer.model.load_state_dict(saved["weights"])
    for p, g in saved["grads"]:
        p.grad = g
    for m, mode in saved["modes"]:
        m.training = mode
    trainer.optimizer.load_state_dict(saved["optimizer"])
    for gen, state in saved["rng"]:
        gen.bit_generator.state = state
    loader, epoch = saved["loader_epoch"]
    loader.epoch = epoch


def _suggest(lrs: Array, smoothed: Array) -> float | None:
    lowest = int(np.argmin(smoothed))
    if lowest == 0:
        return None
    slope = np.gradient(smoothed[: lowest + 1], np.log10(lrs[: lowest + 1]))
    skip = min(len(lrs) // 10, lowest)  # the first tenth: noise of the first few batches
    i = skip + int(np.argmin(slope[skip:]))
    return float(lrs[i]) if slope[i] < 0 else None


def lr_find(
    trainer: Trainer,
    train_data: Any,
    *,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_steps: int = 100,
    batch_size: int = 32,
    smoothing: float = 0.9,
    diverge: float = 4.0,
) -> LRFindResult:
    """Learning-rate range test: the loss over an exponential sweep of learning rates.

    Trains ``trainer.model`` with ``trainer.optimizer`` (and ``trainer.loss_fn``, its
    gradient clipping, not its scheduler or callbacks) as the module docstring says, then
    puts everything back.

    Parameters
    ----------
    trainer : Trainer
    train_data : Dataset, DataLoader or (X, y)
        Minibatches as in ``Trainer.fit`` (shuffled with ``trainer.seed``); cycled if
        ``num_steps`` is more than an epoch.
    start_lr, end_lr : float, default 1e-7, 10
        The sweep's first and last rates (``0 < start_lr < end_lr``).
    num_steps : int, default 100
        Minibatches in the sweep (>= 3).
    batch_size : int, default 32
        For a dataset or arrays.
    smoothing : float in [0, 1), default 0.9
        ``beta`` of the moving average (0: no smoothing); it averages about
        ``1 / (1 - beta)`` steps, so it lags the loss by about that many.
    diverge : float > 1, default 4
        Stop once the smoothed loss exceeds ``diverge`` times its minimum.

    Returns
    -------
    LRFindResult
        ``lrs``, ``losses``, ``smoothed`` and ``suggestion``; ``.plot()`` draws them.

    Raises
    ------
    ValueError
        Bad arguments (nothing is run), or a loss already NaN / infinite at ``start_lr``
        (or too few steps before the loss diverged to read a curve): lower ``start_lr``.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla import nn, optim
    >>> from nabla.train import Trainer, lr_find
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(256, 4)).astype(np.float32); y = X @ np.arange(1.0, 5.0)
    >>> net = nn.Linear(4, 1, rng=0)
    >>> trainer = Trainer(net, nn.MSELoss(), optim.SGD(net.parameters(), lr=0.1))
    >>> found = lr_find(trainer, (X, y), start_lr=1e-4, end_lr=10, num_steps=60)
    >>> bool(1e-4 <= found.suggestion <= 10), len(found.lrs) <= 60
    (True, True)
    >>> trainer.optimizer.param_groups[0]["lr"]  # put back
    0.1
    """
    from nabla.train.trainer import Trainer

    who = "lr_find"
    if not isinstance(trainer, Trainer):
        raise TypeError(
            f"{who}: trainer must be a nabla.train.Trainer, got {type(trainer).__name__}"
        )
    start, end, steps, beta, diverge = _check(start_lr, end_lr, num_steps, smoothing, diverge)
    loader, _ = _data.make_loaders(
        train_data, None, 0.0, batch_size, True, False, None, trainer.seed, who
    )
    if len(loader) == 0:
        raise ValueError(f"{who}: the training data gives no batch")
    rates = np.geomspace(start, end, steps)
    saved = _snapshot(trainer, loader)
    losses: list[float] = []
    smoothed: list[float] = []
    try:
        losses, smoothed = _sweep(trainer, loader, rates, beta, diverge)
    finally:
        _restore(trainer, saved)
    if len(losses) < 3:
        raise ValueError(
            f"{who}: the loss was NaN / infinite or diverged within {len(losses) + 1} steps "
            f"from start_lr={start:g}; lower start_lr (or check the data)"
        )
    lrs, sm = rates[: len(losses)], np.asarray(smoothed)
    suggestion = _suggest(lrs, sm)
    if suggestion is None:
        warnings.warn(
            f"lr_find: the smoothed loss never fell between {start:g} and {lrs[-1]:g}; "
            "no learning rate to suggest. Lower start_lr or check the model and data.",
            TrainingWarning,
            stacklevel=2,
        )
    return LRFindResult(lrs, np.asarray(losses), sm, suggestion)


def _sweep(
    trainer: Trainer, loader: Any, rates: Array, beta: float, diverge: float
) -> tuple[list[float], list[float]]:
    model, opt = trainer.model, trainer.optimizer
    model.train()
    losses: list[float] = []
    smoothed: list[float] = []
    avg, best, epoch = 0.0, math.inf, 0
    while len(losses) < len(rates):
        loader.set_epoch(epoch)
        for x, y in trainer._batches(loader):
            i = len(losses)
            for group in opt.param_groups:
                group["lr"] = float(rates[i])
            out = model(as_tensor(x))
            loss = trainer.loss_fn(out, trainer._targets(y, out))
            value = float(loss.item())
            if not math.isfinite(value):
                return losses, smoothed
            avg = beta * avg + (1 - beta) * value
            losses.append(value)
            smoothed.append(avg / (1 - beta ** (i + 1)))
            if smoothed[-1] > diverge * best or len(losses) == len(rates):
                return losses, smoothed
            best = min(best, smoothed[-1])
            opt.zero_grad()
            loss.backward()
            if trainer.clip_grad_norm is not None:
                from nabla.optim.clip import clip_grad_norm_

                clip_grad_norm_(model.parameters(), trainer.clip_grad_norm)
            opt.step()
        epoch += 1
    return losses, smoothed
