"""The fit loop and its recipes: validation, metrics, callbacks, resumable checkpoints.

``Trainer(model, loss_fn, optimizer).fit(data, epochs=..., val_split=...)`` trains with
minibatches (seed 001), records a per-epoch history (loss and accuracy or R², training and
validation), and runs callbacks: :class:`EarlyStopping` (restores the best weights),
:class:`ModelCheckpoint` (periodic, atomic), :class:`SnapshotEnsemble` (cosine annealing
with warm restarts, a snapshot per cycle, averaged predictions). Gradient clipping and
learning-rate schedules are trainer options. A NaN or infinite loss raises
:class:`DivergenceError` naming the epoch and batch.
"""

from nabla.train.callbacks import Callback, EarlyStopping, ModelCheckpoint, SnapshotEnsemble
from nabla.train.metrics import R2, Accuracy, Metric
from nabla.train.trainer import DivergenceError, Trainer, fit

__all__ = [
    "R2",
    "Accuracy",
    "Callback",
    "DivergenceError",
    "EarlyStopping",
    "Metric",
    "ModelCheckpoint",
    "SnapshotEnsemble",
    "Trainer",
    "fit",
]
