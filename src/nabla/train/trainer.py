"""``Trainer``: the fit loop (minibatch SGD of the course notes with the recipes around it).

One epoch::

    model.train(); loader.set_epoch(e)              # the shuffle is a function of (seed, e)
    for each minibatch (x, y):                       # augmented by the loader's transform
        loss = loss_fn(model(x), y)                  # stop with DivergenceError if not finite
        zero_grad(); loss.backward()                 # then callbacks' on_after_backward
        clip_grad_norm_(parameters, c)               # if clip_grad_norm is set
        optimizer.step(); scheduler.step()           # scheduler: per batch if so configured
    evaluate on the validation set (model.eval(), no_grad)
    scheduler.step()                                 # per epoch (the default)
    record the history row; callbacks (checkpoints, early stopping, snapshots)

A checkpoint holds the model, optimiser, scheduler, epoch, history, the state of every
random generator in play (dropout, augmentation, ``nn.init``'s default) and the callbacks'
state; since the batch order depends only on (seed, epoch), a run resumed from it gives
bit-identical weights to the uninterrupted run.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from nabla.autograd.engine import no_grad
from nabla.autograd.tensor import Tensor, as_tensor
from nabla.data.loader import DataLoader
from nabla.train import _data, _state
from nabla.train.callbacks import Callback
from nabla.train.metrics import Metric, make_metric

Array = np.ndarray


class DivergenceError(RuntimeError):
    """The training loss became NaN or infinite; the message names the epoch and batch."""


class Trainer:
    """Train a network with minibatches, validation, metrics and callbacks.

    Parameters
    ----------
    model : nabla.nn.Module
    loss_fn : callable
        ``loss_fn(outputs, targets) -> scalar Tensor``, e.g. ``nn.CrossEntropyLoss()``.
    optimizer : nabla.optim.Optimizer, optional
        Default ``Adam(model.parameters(), lr=1e-3)``.
    scheduler : learning-rate scheduler, optional
        From :mod:`nabla.optim.lr_scheduler`; ``ReduceLROnPlateau`` gets the validation
        loss (or the training loss without validation data).
    scheduler_interval : {'epoch', 'batch'}, default 'epoch'
        When ``scheduler.step()`` is called.
    metric : {'auto', 'accuracy', 'r2'}, Metric or None, default 'auto'
        'auto': accuracy for cross-entropy losses, R² for MSE / L1.
    callbacks : iterable of Callback
        E.g. ``EarlyStopping``, ``ModelCheckpoint``, ``SnapshotEnsemble``; the
        diagnostics ``GradientStats``, ``ActivationStats``, ``OverfittingMonitor``.
    clip_grad_norm : float, optional
        Rescale the gradients so that their global 2-norm is at most this (the notes'
        remedy for exploding gradients).
    progress : bool, optional
        Show a tqdm progress bar on stderr; default: only when stderr is a terminal.
    seed : int, default 0
        Seeds the shuffles (``DataLoader``'s ``seed``) and the validation split.
    hparams : dict, optional
        JSON-able settings of the run, stored in every checkpoint (``Checkpoint.extra``)
        so that a resumed run can check or re-create them.

    Attributes
    ----------
    history : dict of str to list
        One entry per epoch: 'epoch', 'loss', the metric, 'val_loss', ``'val_' + metric``,
        'lr', 'time' (seconds).
    epoch : int
        Number of completed epochs.
    stop_training : bool
        Set by a callback to stop after the current epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from nabla import nn, optim
    >>> from nabla.train import Trainer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2)).astype(np.float32); y = (X[:, 0] > X[:, 1]).astype(int)
    >>> net = nn.Sequential(nn.Linear(2, 8, rng=0), nn.ReLU(), nn.Linear(8, 2, rng=1))
    >>> opt = optim.Adam(net.parameters(), lr=0.05)
    >>> history = Trainer(net, nn.CrossEntropyLoss(), opt, progress=False).fit(
    ...     (X, y), epochs=20, batch_size=20, val_split=0.25)
    >>> sorted(history)
    ['accuracy', 'epoch', 'loss', 'lr', 'time', 'val_accuracy', 'val_loss']
    >>> history["val_accuracy"][-1] > 0.9
    True
    """

    def __init__(
        self,
        model: Any,
        loss_fn: Callable[[Any, Any], Tensor],
        optimizer: Any = None,
        *,
        scheduler: Any = None,
        scheduler_interval: str = "epoch",
        metric: Any = "auto",
        callbacks: Iterable[Callback] = (),
        clip_grad_norm: float | None = None,
        progress: bool | None = None,
        seed: int = 0,
        hparams: dict[str, Any] | None = None,
    ) -> None:
        from nabla.nn.module import Module

        who = "Trainer"
        if not isinstance(model, Module):
            raise TypeError(f"{who}: model must be a nabla.nn.Module, got {type(model).__name__}")
        if not callable(loss_fn):
            raise TypeError(f"{who}: loss_fn must be callable, got {loss_fn!r}")
        if scheduler_interval not in ("epoch", "batch"):
            raise ValueError(
                f"{who}: scheduler_interval must be 'epoch' or 'batch', got {scheduler_interval!r}"
            )
        callbacks = list(callbacks)
        for i, cb in enumerate(callbacks):
            if not isinstance(cb, Callback):
                raise TypeError(f"{who}: callbacks[{i}] is a {type(cb).__name__}, not a Callback")
        if clip_grad_norm is not None and (
            isinstance(clip_grad_norm, bool)
            or not isinstance(clip_grad_norm, (int, float, np.integer, np.floating))
            or not clip_grad_norm > 0
        ):
            raise ValueError(f"{who}: clip_grad_norm must be a number > 0, got {clip_grad_norm!r}")
        if progress is not None and not isinstance(progress, bool):
            raise TypeError(f"{who}: progress must be True, False or None, got {progress!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"{who}: seed must be an integer >= 0, got {seed!r}")
        self.metric: Metric | None = make_metric(metric, loss_fn)
        if optimizer is None:
            from nabla.optim import Adam

            optimizer = Adam(model.parameters(), lr=1e-3)
        self.model = model
        self.loss_fn = loss_fn
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.scheduler_interval = scheduler_interval
        self.callbacks = callbacks
        self.clip_grad_norm = None if clip_grad_norm is None else float(clip_grad_norm)
        self.progress = progress
        self.seed = int(seed)
        self.hparams = dict(hparams or {})
        self.history: dict[str, list[Any]] = {}
        self.epoch = 0
        self.epochs = 0
        self.stop_training = False
        self.has_validation = False
        self.steps_per_epoch = 0
        self.train_loader: DataLoader | None = None

    # ---- state ------------------------------------------------------------------------------
    def weights(self) -> dict[str, Array]:
        """A copy of the model's state dict as arrays."""
        return {k: v.data.copy() for k, v in self.model.state_dict().items()}

    def generators(self) -> dict[str, np.random.Generator]:
        """Every random generator whose state a checkpoint must hold, by a stable name."""
        return _state.generators(self)

    def save_checkpoint(self, path: str | os.PathLike[str]) -> Path:
        """Write everything needed to resume (see :func:`nabla.io.save_checkpoint`)."""
        return _state.save_checkpoint(self, path)

    # ---- the loop ---------------------------------------------------------------------------
    def _targets(self, y: Any, out: Tensor) -> Any:
        y = np.asarray(y)
        if y.dtype.kind == "f":
            if y.ndim == 1 and out.ndim == 2 and out.shape[1] == 1:
                y = y[:, None]  # a regression target (n,) against outputs (n, 1)
            y = y.astype(out.dtype, copy=False)
        return y

    def _batches(self, loader: DataLoader) -> Iterable[tuple[Any, Any]]:
        for batch in loader:
            if not isinstance(batch, (tuple, list)) or len(batch) != 2:
                raise TypeError(
                    "Trainer: each batch must be a pair (inputs, targets); got "
                    f"{type(batch).__name__}"
                )
            yield batch[0], batch[1]

    def _step(self, x: Any, y: Any, epoch: int, batch: int) -> tuple[float, Array, Any]:
        out = self.model(as_tensor(x))
        target = self._targets(y, out)
        loss = self.loss_fn(out, target)
        value = float(loss.item())
        if not math.isfinite(value):
            self._diverged(value, epoch, batch)
        self.optimizer.zero_grad()
        loss.backward()
        for cb in self.callbacks:
            cb.on_after_backward(self, batch)
        if self.clip_grad_norm is not None:
            from nabla.optim.clip import clip_grad_norm_

            clip_grad_norm_(self.model.parameters(), self.clip_grad_norm)
        self.optimizer.step()
        if self.scheduler is not None and self.scheduler_interval == "batch":
            self.scheduler.step()
        return value, out.data, target

    def _check_finite_state(self, epoch: int) -> None:
        # the loss of each batch is checked before its step, but the last step of an epoch
        # could still overflow the weights: refuse before they are validated or saved
        for name, t in self.model.state_dict().items():
            a = t.data
            if a.dtype.kind in "fc" and not np.all(np.isfinite(a)):
                self._raise_divergence(
                    f"the model's {name!r} became NaN or infinite in epoch {epoch + 1}; "
                    f"it was not saved"
                )

    def _diverged(self, value: float, epoch: int, batch: int) -> None:
        self._raise_divergence(
            f"the training loss became {value} at epoch {epoch + 1}, batch {batch + 1}; "
            f"training stopped before that step"
        )

    def _raise_divergence(self, what: str) -> None:
        from nabla.train.callbacks import ModelCheckpoint

        saved = [
            (cb.last_epoch, str(cb.last_path))
            for cb in self.callbacks
            if isinstance(cb, ModelCheckpoint) and cb.last_path is not None
        ]
        kept = "no checkpoint was written"
        if saved:
            epochs_done, path = max(saved)
            kept = f"the last good checkpoint is '{path}' (epoch {epochs_done})"
        raise DivergenceError(
            f"Trainer.fit: {what}, {kept}. Lower the learning rate, clip the gradients "
            f"(clip_grad_norm) or check the data for NaN/inf."
        )

    def _evaluate(self, loader: DataLoader) -> dict[str, float]:
        was_training = self.model.training
        self.model.eval()
        metric = self.metric
        if metric is not None:
            metric.reset()
        total, n = 0.0, 0
        try:
            with no_grad():
                for x, y in self._batches(loader):
                    out = self.model(as_tensor(x))
                    target = self._targets(y, out)
                    total += float(self.loss_fn(out, target).item()) * len(target)
                    n += len(target)
                    if metric is not None:
                        metric.update(out.data, target)
        finally:
            self.model.train(was_training)
        logs = {"loss": total / n if n else math.nan}
        if metric is not None:
            logs[metric.name] = metric.compute()
        return logs

    def evaluate(self, data: Any, *, batch_size: int = 256) -> dict[str, float]:
        """Mean loss (and metric) of the model on ``data`` (Dataset, DataLoader or (X, y))."""
        loader = (
            data
            if isinstance(data, DataLoader)
            else DataLoader(_data.as_dataset(data, "Trainer.evaluate"), batch_size=batch_size)
        )
        return self._evaluate(loader)

    def predict(self, X: Any, *, batch_size: int = 256) -> Array:
        """The model's raw outputs on ``X`` (an array of inputs), in evaluation mode."""
        X = X.data if isinstance(X, Tensor) else np.asarray(X)
        was_training = self.model.training
        self.model.eval()
        try:
            with no_grad():
                outs = [
                    self.model(as_tensor(X[i : i + batch_size])).data
                    for i in range(0, len(X), batch_size)
                ]
        finally:
            self.model.train(was_training)
        if not outs:
            raise ValueError("Trainer.predict: X is empty")
        return np.concatenate(outs)

    def fit(
        self,
        train_data: Any,
        *,
        epochs: int = 1,
        val_data: Any = None,
        val_split: float = 0.0,
        batch_size: int = 32,
        shuffle: bool = True,
        drop_last: bool = False,
        transform: Callable[[Array], Array] | None = None,
        resume_from: str | os.PathLike[str] | None = None,
    ) -> dict[str, list[Any]]:
        """Train for ``epochs`` epochs (in total, counting those of a resumed checkpoint).

        Parameters
        ----------
        train_data : Dataset, DataLoader or (X, y)
            A ``DataLoader`` is used as given (``batch_size``, ``shuffle``,
            ``drop_last``, ``transform`` then do not apply).
        epochs : int
        val_data : Dataset, DataLoader or (X, y), optional
        val_split : float, default 0
            Fraction of ``train_data`` held out for validation (random, seeded).
        batch_size, shuffle, drop_last, transform
            For the training ``DataLoader``; ``transform`` augments the inputs of each
            training batch.
        resume_from : path, optional
            A checkpoint of this set-up (``ModelCheckpoint`` or ``save_checkpoint``):
            continue from its epoch with its weights, optimiser, scheduler, history,
            random generators and callback states. All or nothing: every part is checked
            against this run first (its epoch must be in ``0..epochs``), and a bad part
            raises ``ValueError`` naming the file and the field with nothing changed.
            Callbacks without state (``state_dict()`` empty, e.g. progress printers) may
            differ from the interrupted run's.

        Returns
        -------
        dict
            The history (also ``self.history``).

        Raises
        ------
        DivergenceError
            The training loss, or the weights at the end of an epoch, became NaN or
            infinite (nothing non-finite is validated or checkpointed).
        """
        who = "Trainer.fit"
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
            raise ValueError(f"{who}: epochs must be an integer >= 1, got {epochs!r}")
        if (
            isinstance(val_split, bool)
            or not isinstance(val_split, (int, float, np.integer, np.floating))
            or not (0 <= val_split < 1)
        ):
            raise ValueError(f"{who}: val_split must be a number in [0, 1), got {val_split!r}")
        if val_split and val_data is not None:
            raise ValueError(f"{who}: give either val_data or val_split, not both")
        loader, val_loader = _data.make_loaders(
            train_data,
            val_data,
            float(val_split),
            batch_size,
            shuffle,
            drop_last,
            transform,
            self.seed,
            who,
        )
        if len(loader) == 0:
            raise ValueError(
                f"{who}: the training data gives no batch ({len(loader.dataset)} samples, "
                f"batch_size={loader.batch_size}, drop_last={loader.drop_last})"
            )
        ckpt = None
        if resume_from is not None:
            from nabla.io import load_checkpoint

            ckpt = load_checkpoint(resume_from)  # read and checked before anything changes
        self.train_loader = loader
        self.steps_per_epoch = len(loader)
        self.has_validation = val_loader is not None
        self.epochs = int(epochs)
        self.stop_training = False
        self.epoch = 0
        self.history = {}
        for cb in self.callbacks:
            cb.on_fit_start(self)
        if ckpt is not None:
            _state.resume(self, ckpt)
        self._loop(loader, val_loader)
        for cb in self.callbacks:
            cb.on_fit_end(self)
        return self.history

    def _loop(self, loader: DataLoader, val_loader: DataLoader | None) -> None:
        from tqdm import tqdm

        show = self.progress if self.progress is not None else sys.stderr.isatty()
        steps = self.steps_per_epoch
        bar = tqdm(
            total=self.epochs * steps,
            initial=self.epoch * steps,
            disable=not show,
            file=sys.stderr,
            unit="batch",
            leave=False,
            dynamic_ncols=True,
        )
        try:
            for epoch in range(self.epoch, self.epochs):
                logs = self._epoch(epoch, loader, val_loader, bar)
                bar.set_postfix(
                    {k: f"{v:.4g}" for k, v in logs.items() if k not in ("epoch", "time", "lr")}
                )
                for cb in self.callbacks:
                    cb.on_epoch_end(self, epoch, logs)
                if self.stop_training:
                    break
        finally:
            bar.close()

    def _epoch(
        self, epoch: int, loader: DataLoader, val_loader: DataLoader | None, bar: Any
    ) -> dict[str, float]:
        start = time.perf_counter()
        bar.set_description(f"epoch {epoch + 1}/{self.epochs}")
        for cb in self.callbacks:
            cb.on_epoch_start(self, epoch)
        lr = float(self.optimizer.param_groups[0]["lr"])
        self.model.train()
        loader.set_epoch(epoch)
        metric = self.metric
        if metric is not None:
            metric.reset()
        total, n = 0.0, 0
        for b, (x, y) in enumerate(self._batches(loader)):
            for cb in self.callbacks:
                cb.on_batch_start(self, b)
            value, out, target = self._step(x, y, epoch, b)
            total += value * len(target)
            n += len(target)
            if metric is not None:
                metric.update(out, target)
            for cb in self.callbacks:
                cb.on_batch_end(self, b, {"loss": value})
            bar.update(1)
        self._check_finite_state(epoch)
        logs: dict[str, float] = {"epoch": epoch + 1, "loss": total / n}
        if metric is not None:
            logs[metric.name] = metric.compute()
        if val_loader is not None:
            logs.update({f"val_{k}": v for k, v in self._evaluate(val_loader).items()})
        if self.scheduler is not None and self.scheduler_interval == "epoch":
            from nabla.optim.lr_scheduler import ReduceLROnPlateau

            if isinstance(self.scheduler, ReduceLROnPlateau):
                self.scheduler.step(logs.get("val_loss", logs["loss"]))
            else:
                self.scheduler.step()
        logs["lr"] = lr
        logs["time"] = time.perf_counter() - start
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)
        self.epoch = epoch + 1
        return logs


def fit(
    model: Any,
    train_data: Any,
    loss_fn: Callable[[Any, Any], Tensor],
    optimizer: Any = None,
    *,
    epochs: int = 1,
    **kwargs: Any,
) -> dict[str, list[Any]]:
    """One-call training: ``Trainer(model, loss_fn, optimizer, ...).fit(train_data, ...)``.

    Keyword arguments go to :class:`Trainer` (``scheduler``, ``metric``, ``callbacks``,
    ``clip_grad_norm``, ``progress``, ``seed``, ...) or to :meth:`Trainer.fit` (the rest).
    Returns the history.
    """
    trainer_keys = {
        "scheduler",
        "scheduler_interval",
        "metric",
        "callbacks",
        "clip_grad_norm",
        "progress",
        "seed",
    }
    trainer_kw = {k: kwargs.pop(k) for k in list(kwargs) if k in trainer_keys}
    return Trainer(model, loss_fn, optimizer, **trainer_kw).fit(train_data, epochs=epochs, **kwargs)
