"""Callbacks: code that runs at fixed points of ``Trainer.fit`` (Keras's protocol).

The recipes of the notes around the update rule: early stopping (the course notes
"EARLY STOPPING": keep the parameters with the best validation error), periodic
checkpoints, and snapshot ensembles (the course notes "ENSEMBLE METHODS": "set learning rate as
cosine function and take each of the dip as a model", Huang et al. 2017).

A callback may keep state that must survive a resume (best score, snapshots); it returns
it from ``state_dict()`` and gets it back in ``load_state_dict()``; the trainer stores it
in its checkpoints.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nabla.train._callback_state import count, fields, fit_the_model, number, weights

if TYPE_CHECKING:
    from nabla.train.trainer import Trainer

Array = np.ndarray


class Callback:
    """Base class; override any of the hooks. ``trainer.stop_training = True`` stops."""

    def on_fit_start(self, trainer: Trainer) -> None:
        """Before the first epoch (after the trainer set up its data)."""

    def on_epoch_start(self, trainer: Trainer, epoch: int) -> None:
        """Before epoch ``epoch`` (0-based)."""

    def on_batch_start(self, trainer: Trainer, batch: int) -> None:
        """Before the forward pass of batch ``batch`` (0-based) of the current epoch."""

    def on_after_backward(self, trainer: Trainer, batch: int) -> None:
        """After ``loss.backward()`` of batch ``batch``, before gradient clipping and the
        optimiser step: each parameter's ``.grad`` holds this batch's gradient."""

    def on_batch_end(self, trainer: Trainer, batch: int, logs: dict[str, float]) -> None:
        """After the optimiser step; ``logs["loss"]`` is the batch loss."""

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        """After the epoch's validation and scheduler step; ``logs`` is its history row."""

    def on_fit_end(self, trainer: Trainer) -> None:
        """After the last epoch (also after an early stop)."""

    def state_dict(self) -> dict[str, Any]:
        """What must survive a resume; a callback with an empty state (a progress printer,
        a logger) may be added or left out when a run is resumed."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned."""

    def check_state(self, state: dict[str, Any], trainer: Trainer) -> None:
        """Raise ``ValueError`` if ``state`` cannot be restored into this callback for
        ``trainer``; changes nothing. A resume calls it for every callback before any part
        of the checkpoint is applied."""


def _check_mode(who: str, mode: str, monitor: str) -> str:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{who}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        return "max" if monitor.endswith(("accuracy", "r2")) else "min"
    return mode


def _improved(value: float, best: float | None, mode: str, min_delta: float) -> bool:
    if math.isnan(value):
        return False
    if best is None:
        return True
    return value < best - min_delta if mode == "min" else value > best + min_delta


def _check_monitor(who: str, monitor: str, trainer: Trainer) -> None:
    if monitor.startswith("val_") and not trainer.has_validation:
        raise ValueError(
            f"{who}: monitor={monitor!r} needs validation data; pass val_data or val_split "
            f"to fit(), or monitor the training {monitor[4:]!r}"
        )


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs; keep the best weights.

    Parameters
    ----------
    monitor : str, default 'val_loss'
        A history key ('val_loss', 'val_accuracy', 'loss', ...).
    patience : int, default 5
        Epochs without improvement before stopping.
    min_delta : float, default 0
        Smallest change that counts as an improvement.
    mode : {'auto', 'min', 'max'}, default 'auto'
        'auto': maximise accuracy and R², minimise everything else.
    restore_best_weights : bool, default True
        At the end of training, put back the weights of the best epoch.

    Attributes
    ----------
    best : float or None
    best_epoch : int or None
        0-based epoch of the best value.
    stopped_epoch : int or None
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 5,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = True,
    ) -> None:
        who = "EarlyStopping"
        if (
            isinstance(patience, bool)
            or not isinstance(patience, (int, np.integer))
            or patience < 0
        ):
            raise ValueError(f"{who}: patience must be an integer >= 0, got {patience!r}")
        if not isinstance(min_delta, (int, float, np.integer, np.floating)) or not min_delta >= 0:
            raise ValueError(f"{who}: min_delta must be a real number >= 0, got {min_delta!r}")
        self.monitor = monitor
        self.mode = _check_mode(who, mode, monitor)
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.restore_best_weights = bool(restore_best_weights)
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self.wait = 0
        self.best_weights: dict[str, Array] | None = None

    def on_fit_start(self, trainer: Trainer) -> None:
        _check_monitor("EarlyStopping", self.monitor, trainer)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping: monitor {self.monitor!r} is not recorded; the history has "
                f"{sorted(logs)}"
            )
        value = float(logs[self.monitor])
        if _improved(value, self.best, self.mode, self.min_delta):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = trainer.weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                trainer.stop_training = True

    def on_fit_end(self, trainer: Trainer) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            trainer.model.load_state_dict(self.best_weights)

    def state_dict(self) -> dict[str, Any]:
        return {
            "best": self.best,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "stopped_epoch": self.stopped_epoch,
            "best_weights": self.best_weights,
        }

    def _parse(self, state: Any) -> dict[str, Any]:
        who = "EarlyStopping"
        fields(who, state, ("best", "best_epoch", "wait", "stopped_epoch", "best_weights"))
        w = state["best_weights"]
        return {
            "best": number(who, state, "best"),
            "best_epoch": count(who, state, "best_epoch", none=True),
            "wait": count(who, state, "wait"),
            "stopped_epoch": count(who, state, "stopped_epoch", none=True),
            "best_weights": None if w is None else weights(who, w, "best_weights"),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned (checked first: nothing changes on error)."""
        for k, v in self._parse(state).items():
            setattr(self, k, v)

    def check_state(self, state: dict[str, Any], trainer: Trainer) -> None:
        parsed = self._parse(state)
        if parsed["best_weights"] is not None:
            fit_the_model("EarlyStopping", parsed["best_weights"], "best_weights", trainer)


class ModelCheckpoint(Callback):
    """Save a full training checkpoint every ``every`` epochs (atomically).

    Parameters
    ----------
    path : path
        The checkpoint file; ``{epoch}`` in it is replaced by the 1-based epoch number
        (one file per save), otherwise the file is replaced each time (the last good
        checkpoint always survives an interrupted write, a crash or a NaN).
    every : int, default 1
        Save after every ``every``-th epoch (and after the last one).
    save_best_only : bool, default False
        Save only when ``monitor`` improved.
    monitor, mode
        As :class:`EarlyStopping` (used with ``save_best_only``).

    Attributes
    ----------
    last_path : pathlib.Path or None
        The file written last.
    last_epoch : int or None
        The number of completed epochs it holds.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        every: int = 1,
        save_best_only: bool = False,
        monitor: str = "val_loss",
        mode: str = "auto",
    ) -> None:
        who = "ModelCheckpoint"
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"{who}: path must be a str or os.PathLike, got {path!r}")
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"{who}: every must be an integer >= 1, got {every!r}")
        self.path = os.fspath(path)
        self.every = int(every)
        self.save_best_only = bool(save_best_only)
        self.monitor = monitor
        self.mode = _check_mode(who, mode, monitor)
        self.best: float | None = None
        self.last_path: Path | None = None
        self.last_epoch: int | None = None

    def on_fit_start(self, trainer: Trainer) -> None:
        if self.save_best_only:
            _check_monitor("ModelCheckpoint", self.monitor, trainer)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        last = epoch + 1 == trainer.epochs or trainer.stop_training
        if (epoch + 1) % self.every and not last:
            return
        if self.save_best_only:
            value = float(logs.get(self.monitor, math.nan))
            if not _improved(value, self.best, self.mode, 0.0):
                return
            self.best = value
        self.last_path = trainer.save_checkpoint(self.path.replace("{epoch}", str(epoch + 1)))
        self.last_epoch = epoch + 1

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned (checked first: nothing changes on error)."""
        self.best = number("ModelCheckpoint", fields("ModelCheckpoint", state, ("best",)), "best")

    def check_state(self, state: dict[str, Any], trainer: Trainer) -> None:
        number("ModelCheckpoint", fields("ModelCheckpoint", state, ("best",)), "best")


class SnapshotEnsemble(Callback):
    r"""Snapshot ensembles: cosine annealing with warm restarts, one model per cycle.

    The learning rate follows :math:`\eta_t = \eta_{min} + \frac12(\eta_0 -
    \eta_{min})(1 + \cos(\pi t_{cur} / T))` within each cycle of ``cycle_length`` epochs
    (updated every batch) and jumps back to :math:`\eta_0` (the optimiser's rate) at each
    restart. At the end of each cycle, where the rate dips to :math:`\eta_{min}`, the
    weights are kept as one member of the ensemble; :meth:`predict` averages the members'
    predictions (class probabilities for classifiers): the ensemble of the notes, for the
    cost of training one network.

    Parameters
    ----------
    cycle_length : int
        Epochs per cycle (>= 1); train for a multiple of it.
    eta_min : float, default 0
        The rate at the bottom of each cycle.

    Attributes
    ----------
    snapshots : list of dict
        One state dict (copies) per completed cycle.
    """

    def __init__(self, cycle_length: int, eta_min: float = 0.0) -> None:
        who = "SnapshotEnsemble"
        if (
            isinstance(cycle_length, bool)
            or not isinstance(cycle_length, (int, np.integer))
            or cycle_length < 1
        ):
            raise ValueError(f"{who}: cycle_length must be an integer >= 1, got {cycle_length!r}")
        if not isinstance(eta_min, (int, float, np.integer, np.floating)) or not eta_min >= 0:
            raise ValueError(f"{who}: eta_min must be a real number >= 0, got {eta_min!r}")
        self.cycle_length = int(cycle_length)
        self.eta_min = float(eta_min)
        self.snapshots: list[dict[str, Array]] = []
        self._trainer: Trainer | None = None

    def on_fit_start(self, trainer: Trainer) -> None:
        from nabla.optim.lr_scheduler import CosineAnnealingWarmRestarts

        self._trainer = trainer
        if trainer.scheduler is not None and not isinstance(
            trainer.scheduler, CosineAnnealingWarmRestarts
        ):
            raise ValueError(
                "SnapshotEnsemble: the trainer already has a learning-rate scheduler "
                f"({type(trainer.scheduler).__name__}); the snapshot ensemble sets its own "
                "cosine schedule with restarts, so pass scheduler=None"
            )
        if trainer.scheduler is None:
            trainer.scheduler = CosineAnnealingWarmRestarts(
                trainer.optimizer,
                T_0=self.cycle_length * trainer.steps_per_epoch,
                eta_min=self.eta_min,
            )
            trainer.scheduler_interval = "batch"

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        if (epoch + 1) % self.cycle_length == 0:
            self.snapshots.append(trainer.weights())

    def predict(self, X: Any, *, proba: bool | None = None, batch_size: int = 256) -> Array:
        """The members' averaged predictions on ``X``.

        Parameters
        ----------
        proba : bool, optional
            Average softmax probabilities (classification) rather than raw outputs.
            Default: True when the trainer's metric is accuracy.

        Returns
        -------
        ndarray
            Averaged probabilities ``(n, classes)``, or averaged outputs.
        """
        trainer = self._trainer
        if trainer is None or not self.snapshots:
            raise RuntimeError(
                "SnapshotEnsemble.predict: no snapshots yet; train for at least one cycle "
                f"({self.cycle_length} epochs)"
            )
        if proba is None:
            proba = trainer.metric is not None and trainer.metric.name == "accuracy"
        current = trainer.weights()
        outputs = []
        try:
            for snap in self.snapshots:
                trainer.model.load_state_dict(snap)
                out = trainer.predict(X, batch_size=batch_size).astype(np.float64)
                if proba:
                    # softmax, shifted by the row maximum so that exp cannot overflow
                    out = np.exp(out - out.max(axis=1, keepdims=True))
                    out /= out.sum(axis=1, keepdims=True)
                outputs.append(out)
        finally:
            trainer.model.load_state_dict(current)
        return np.mean(outputs, axis=0)

    def state_dict(self) -> dict[str, Any]:
        return {"snapshots": list(self.snapshots)}

    def _parse(self, state: Any) -> list[dict[str, Array]]:
        who = "SnapshotEnsemble"
        snapshots = fields(who, state, ("snapshots",))["snapshots"]
        if not isinstance(snapshots, list):
            raise ValueError(f"{who}.load_state_dict: 'snapshots' must be a list of weights")
        return [dict(weights(who, s, f"snapshots[{i}]")) for i, s in enumerate(snapshots)]

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned (checked first: nothing changes on error)."""
        self.snapshots = self._parse(state)

    def check_state(self, state: dict[str, Any], trainer: Trainer) -> None:
        for i, snapshot in enumerate(self._parse(state)):
            fit_the_model("SnapshotEnsemble", snapshot, f"snapshots[{i}]", trainer)
